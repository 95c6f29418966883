"""Display masking: fixed conventions (domain-rules.md §5) and "never too much" properties.

Pure string functions: these tests need neither Django settings nor a database.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.security.masking import MASK_CHAR, mask_id_number, mask_name, mask_phone


def _revealed(masked: str) -> int:
    """Characters shown in clear, not counting stars and separators."""
    return sum(1 for char in masked if char not in (MASK_CHAR, "-"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", "110***********002X"),
        ("91350100M000100Y43", "913***********0Y43"),
        ("E12345678", "E12**5678"),
        ("USA110085060112", "USA********0112"),
        ("12345678", "123*5678"),
        ("1234567", "*****67"),  # 7 or fewer: only the last 2
        ("123", "*23"),
        ("12", "**"),  # would otherwise be shown whole
        ("1", "*"),
        ("", ""),
        (" 11010519491231002X ", "110***********002X"),
    ],
)
def test_mask_id_number(value, expected):
    # given a document number / when masked / then first 3 + last 4 stay, length kept
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("0755-86012345", "0755-****2345"),
        ("010-62345678", "010-****5678"),
        ("0931-8123456", "0931-***3456"),
        ("400-123-4567", "400-***-4567"),
        ("+8613812345678", "+86*******5678"),  # not canonical: document rule
        ("95555", "***55"),
        ("", ""),
    ],
)
def test_mask_phone(value, expected):
    # given a canonical phone number / when masked / then the project convention applies
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧***"),
        ("阿卜杜·买买提", "阿******"),
        ("李", "李"),
        ("", ""),
        (" 张三 ", "张*"),
    ],
)
def test_mask_name(value, expected):
    # given a name / when masked / then only the surname (first character) stays
    assert mask_name(value) == expected


# --- properties -------------------------------------------------------------

# No stars, and no surrounding whitespace (masking strips it).
plain_text = st.text(
    alphabet=st.characters(blacklist_characters="*-", blacklist_categories=("Cs", "Zs", "Cc")),
    max_size=40,
)


@settings(max_examples=200)
@given(value=plain_text)
def test_id_mask_never_reveals_more_than_seven_chars(value):
    value = value.strip()
    # when masked
    masked = mask_id_number(value)
    # then at most 7 characters show, and the length is kept
    assert _revealed(masked) <= 7
    assert len(masked) == len(value)
    if len(value) > 2:
        assert _revealed(masked) < len(value)


@settings(max_examples=200)
@given(value=plain_text)
def test_phone_mask_never_reveals_more_than_seven_chars(value):
    # given any text that is not a landline display form
    masked = mask_phone(value)
    # then at most 7 characters show
    assert _revealed(masked) <= 7


@settings(max_examples=100)
@given(
    area=st.from_regex(r"0[1-9][0-9]{1,2}", fullmatch=True),
    local=st.from_regex(r"[2-8][0-9]{6,7}", fullmatch=True),
)
def test_landline_mask_shows_area_code_and_at_most_four_local_digits(area, local):
    # given a landline in display form
    masked = mask_phone(f"{area}-{local}")
    # then the area code (public routing) and only the last 4 local digits show
    masked_area, masked_local = masked.split("-")
    assert masked_area == area
    assert _revealed(masked_local) == 4
    assert len(masked_local) == len(local)


@settings(max_examples=100)
@given(mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobile_mask_shape(mobile):
    masked = mask_phone(mobile)
    assert masked == mobile[:3] + "****" + mobile[-4:]


@settings(max_examples=200)
@given(value=plain_text)
def test_name_mask_reveals_only_the_first_char(value):
    value = value.strip()
    masked = mask_name(value)
    assert len(masked) == len(value)
    assert _revealed(masked) <= 1 or len(value) == 1
