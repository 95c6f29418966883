"""Phone numbers: MIIT allocation table (domain-rules.md §3) and libphonenumber cases."""

import phonenumbers
import pytest
from django.utils.functional import Promise
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.owners.rules.phones import PhoneError, normalize_mobile, normalize_phone


def _fullwidth(text: str) -> str:
    """What a Chinese IME in full-width mode produces for ASCII ``text``."""
    return text.translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})


# Every three-digit network code allocated for phones as of 2023-03 (MIIT),
# including virtual-operator (162/165/167/170/171), data-card (145/147/149),
# IoT (146/148), satellite (1349, 1740x) and 广电 192 blocks.
ALLOCATED_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    "145", "146", "147", "148", "149",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "162", "165", "166", "167",
    *(f"17{d}" for d in range(9)),
    *(f"18{d}" for d in range(10)),
    "190", "191", "192", "193", "195", "196", "197", "198", "199",
]  # fmt: skip
UNALLOCATED_PREFIXES = [
    "140", "141", "142", "143", "144",  # 13-digit IoT blocks, not phones
    "154", "160", "161", "163", "164", "168", "169", "179", "194",
]  # fmt: skip
# libphonenumber 9.0.43 rejects these MIIT blocks (domain-rules.md §3).
LIBPHONENUMBER_GAPS = {"146", "148", "149", "174"}

# [0-9], not \d: hypothesis would otherwise generate non-ASCII digits.
MOBILE_PATTERN = r"1(3[0-9]|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8[0-9]|9[0-35-9])[0-9]{8}"


@pytest.mark.parametrize("prefix", ALLOCATED_PREFIXES)
def test_every_allocated_prefix_is_accepted(prefix):
    # given an 11-digit number in an allocated block / when normalised / then it is kept
    assert normalize_mobile(f"{prefix}12345678") == f"{prefix}12345678"


@pytest.mark.parametrize("prefix", UNALLOCATED_PREFIXES)
def test_unallocated_prefixes_are_rejected(prefix):
    # given an 11-digit number in an unallocated or IoT block
    with pytest.raises(PhoneError) as excinfo:
        normalize_mobile(f"{prefix}12345678")
    # then the prefix, not the format, is blamed
    assert excinfo.value.code == "phone_unallocated_prefix"


@pytest.mark.parametrize("prefix", ALLOCATED_PREFIXES)
def test_libphonenumber_agrees_except_for_documented_gaps(prefix):
    # given an allocated prefix / when libphonenumber checks it
    parsed = phonenumbers.parse(f"{prefix}12345678", "CN")
    # then it agrees with our rule except for the blocks it is known to miss
    assert phonenumbers.is_valid_number(parsed) is (prefix not in LIBPHONENUMBER_GAPS)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 138 1234 5678",
        "8613812345678",
        "86 138-1234-5678",
        "(+86) 13812345678",
        _fullwidth("(+86)") + "138 1234 5678",
        _fullwidth("13812345678"),
        " 13812345678\t",
    ],
)
def test_mobile_decorations_are_stripped(raw):
    # given common ways of writing the same mobile / when normalised / then 11 digits remain
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_format"),
        ("   ", "phone_format"),
        ("abc", "phone_format"),
        ("138.1234.5678", "phone_format"),
        ("1381234567", "phone_format"),  # 10 digits
        ("138123456789", "phone_format"),  # 12 digits
        ("+86", "phone_format"),
        ("+852 9123 4567", "phone_not_mainland_mobile"),
        ("00852 9123 4567", "phone_not_mainland_mobile"),
        ("010-62345678", "phone_not_mainland_mobile"),
        ("62345678", "phone_not_mainland_mobile"),
        ("1440123456789", "phone_unallocated_prefix"),  # 13-digit IoT number
        ("14012345678", "phone_unallocated_prefix"),
        ("15412345678", "phone_unallocated_prefix"),
    ],
)
def test_invalid_mobiles_raise_specific_codes(raw, code):
    with pytest.raises(PhoneError) as excinfo:
        normalize_mobile(raw)
    assert excinfo.value.code == code


def test_error_exposes_code_and_lazy_message():
    error = PhoneError("phone_format")
    assert str(error) == "phone_format"
    assert isinstance(error.message, Promise)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", ("mobile", "13812345678")),
        ("+86 138 1234 5678", ("mobile", "13812345678")),
        ("010-62345678", ("landline", "010-62345678")),
        ("01062345678", ("landline", "010-62345678")),
        ("(010) 6234 5678", ("landline", "010-62345678")),
        ("+86 10 6234 5678", ("landline", "010-62345678")),
        ("0755-86012345", ("landline", "0755-86012345")),
        ("0755 8601 2345", ("landline", "0755-86012345")),
        ("+86 755 8601 2345", ("landline", "0755-86012345")),
        ("0086 0755 86012345", ("landline", "0755-86012345")),
        ("021-62345678", ("landline", "021-62345678")),
        ("0931-8123456", ("landline", "0931-8123456")),  # 7-digit local number
        ("400-123-4567", ("service", "400-123-4567")),
        ("4001234567", ("service", "400-123-4567")),
        ("800 123 4567", ("service", "800-123-4567")),
    ],
)
def test_normalize_phone_classifies_and_formats(raw, expected):
    # given a mobile, landline or service number / when normalised / then kind and display form
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("021-6234567", "phone_format"),  # Shanghai needs 8 digits
        ("62345678", "phone_format"),  # no area code
        ("95555", "phone_format"),  # bank short code
        ("12345", "phone_format"),  # government hotline short code
        ("0755-8601234", "phone_format"),
        ("400-123-456", "phone_format"),
        ("+86 400 123 4567", "phone_format"),  # service lines are not dialable from abroad
        ("", "phone_format"),
        ("+852 2123 4567", "phone_not_mainland_mobile"),
        ("15412345678", "phone_unallocated_prefix"),
    ],
)
def test_normalize_phone_rejects_the_rest(raw, code):
    with pytest.raises(PhoneError) as excinfo:
        normalize_phone(raw)
    assert excinfo.value.code == code


# --- properties -------------------------------------------------------------

mobiles = st.from_regex(MOBILE_PATTERN, fullmatch=True)
country_prefixes = st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86)"])
separators = st.sampled_from(["", " ", "-"])


@settings(max_examples=200)
@given(mobile=mobiles, prefix=country_prefixes, sep=separators)
def test_mobile_normalisation_is_idempotent(mobile, prefix, sep):
    # given an allocated mobile written with a prefix and separators
    raw = f"{prefix}{mobile[:3]}{sep}{mobile[3:7]}{sep}{mobile[7:]}"
    # when normalised twice
    once = normalize_mobile(raw)
    # then the bare number comes back and a second pass changes nothing
    assert once == mobile
    assert normalize_mobile(once) == once
    assert normalize_phone(raw) == ("mobile", once)


landline_examples = st.sampled_from(
    ["010-62345678", "021-62345678", "0755-86012345", "0931-8123456", "400-123-4567"]
)


@settings(max_examples=20)
@given(display=landline_examples, sep=separators)
def test_phone_display_form_is_a_fixed_point(display, sep):
    # given a display form re-typed with other separators
    kind, normalised = normalize_phone(display.replace("-", sep))
    # then it normalises back to itself, and again
    assert normalised == display
    assert normalize_phone(normalised) == (kind, normalised)
