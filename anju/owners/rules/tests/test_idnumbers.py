"""Identity document numbers: vectors from the shared domain-rules.md §2 plus properties."""

from datetime import date, timedelta

import pytest
from django.utils.functional import Promise
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.owners.rules.idnumbers import (
    IdNumberError,
    ResidentId,
    business_licence_check_char,
    check_identity_consistency,
    is_chinese_ordinary_passport,
    normalize_id_number,
    parse_resident_id,
    resident_id_check_char,
    upgrade_15_to_18,
)
from anju.owners.rules.idtypes import IdType

TODAY = date(2026, 11, 22)
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _fullwidth(text: str) -> str:
    """What a Chinese IME in full-width mode produces for ASCII ``text``."""
    return text.translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})


def _make_resident_id(region: str, born: date, sequence: int) -> str:
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_char(body)


# --- resident ID: documented vectors ----------------------------------------

VALID_RESIDENT_IDS = [
    # GB 11643-1999 Annex A examples
    ("11010519491231002X", date(1949, 12, 31), "F"),
    ("440524188001010014", date(1880, 1, 1), "M"),
    # synthetic vectors from domain-rules.md §2
    ("11010119850312005X", date(1985, 3, 12), "M"),
    ("310104199202290080", date(1992, 2, 29), "F"),
    ("440305200001012131", date(2000, 1, 1), "M"),
    ("330106197611300486", date(1976, 11, 30), "F"),
    ("510107201205011944", date(2012, 5, 1), "F"),
    ("120101196308150512", date(1963, 8, 15), "M"),
]


@pytest.mark.parametrize(("number", "birth_date", "gender"), VALID_RESIDENT_IDS)
def test_valid_resident_ids_parse(number, birth_date, gender):
    # given a valid number from the standard or the domain notes
    # when it is parsed
    resident = parse_resident_id(number, today=TODAY)
    # then birth date and gender come out of the number unchanged
    assert resident == ResidentId(number=number, birth_date=birth_date, gender=gender)


@pytest.mark.parametrize(
    ("body17", "expected"),
    [
        ("11010519491231002", "X"),  # S=167, Y=2
        ("44052418800101001", "4"),  # S=195, Y=8
        ("11010119850312005", "X"),  # S=156, Y=2
        ("31010419920229008", "0"),  # S=221, Y=1
        ("44030520000101213", "1"),  # S=143, Y=0
        ("33010619761130048", "6"),  # S=226, Y=6
        ("51010720120501194", "4"),  # S=195, Y=8
        ("12010119630815051", "2"),  # S=219, Y=10
    ],
)
def test_resident_check_char_matches_documented_sums(body17, expected):
    # given the first 17 digits / when the check is computed / then it matches the table
    assert resident_id_check_char(body17) == expected


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110101198503120051", "id_checksum"),  # check should be X
        ("310104199302290010", "id_birth_date_invalid"),  # 1993-02-29 does not exist
        ("110101198513120010", "id_birth_date_invalid"),  # month 13
        ("11010119850312005", "id_length"),  # 17 characters
        ("11010A19850312005X", "id_format"),  # letter in the body
        ("110101203001010014", "id_birth_date_future"),  # 2030-01-01
        ("", "id_empty"),
        ("   ", "id_empty"),
        ("1101011985031200512", "id_length"),
        ("11010119850312005Y", "id_format"),
        ("X10101198503120051", "id_format"),
        ("1101011985031", "id_length"),
    ],
)
def test_invalid_resident_ids_raise_specific_codes(number, code):
    # given an invalid number / when parsed / then the error code says why
    with pytest.raises(IdNumberError) as excinfo:
        parse_resident_id(number, today=TODAY)
    assert excinfo.value.code == code


def test_day_32_with_correct_check_is_an_invalid_birth_date():
    # given a number whose check character is right but whose day is 32
    body = "11010119850332005"
    number = body + resident_id_check_char(body)
    # when parsed / then the date, not the checksum, is reported
    with pytest.raises(IdNumberError) as excinfo:
        parse_resident_id(number, today=TODAY)
    assert excinfo.value.code == "id_birth_date_invalid"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "110105 19491231 002x",
        _fullwidth("11010519491231002x"),
        "110105491231002",  # legacy 15-digit number
        "110105 491231 002",
    ],
)
def test_resident_id_input_is_normalised(raw):
    # given typing variants of the same number
    # when parsed / then the canonical 18-character form with uppercase X comes back
    assert parse_resident_id(raw, today=TODAY).number == "11010519491231002X"


def test_birth_today_is_valid_and_tomorrow_is_future():
    # given numbers born today and tomorrow
    born_today = _make_resident_id("110101", TODAY, 1)
    born_tomorrow = _make_resident_id("110101", TODAY + timedelta(days=1), 1)
    # when parsed / then today is accepted and tomorrow rejected
    assert parse_resident_id(born_today, today=TODAY).birth_date == TODAY
    with pytest.raises(IdNumberError) as excinfo:
        parse_resident_id(born_tomorrow, today=TODAY)
    assert excinfo.value.code == "id_birth_date_future"


def test_upgrade_15_to_18_documented_example():
    # given the legacy example / when upgraded / then "19" is inserted and X appended
    assert upgrade_15_to_18("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number15", "code"),
    [
        ("11010549123100", "id_length"),
        ("1101054912310021", "id_length"),
        ("11010549123100X", "id_format"),
    ],
)
def test_upgrade_15_to_18_rejects_bad_input(number15, code):
    with pytest.raises(IdNumberError) as excinfo:
        upgrade_15_to_18(number15)
    assert excinfo.value.code == code


def test_legacy_number_with_impossible_date_is_rejected():
    # given a 15-digit number with 1993-02-29 / when parsed / then the date is invalid
    with pytest.raises(IdNumberError) as excinfo:
        parse_resident_id("310104930229001", today=TODAY)
    assert excinfo.value.code == "id_birth_date_invalid"


@pytest.mark.parametrize(
    ("body17", "code"), [("1101011985031200", "id_length"), ("1101011985031200A", "id_format")]
)
def test_check_char_rejects_bad_bodies(body17, code):
    with pytest.raises(IdNumberError) as excinfo:
        resident_id_check_char(body17)
    assert excinfo.value.code == code


def test_error_exposes_code_and_lazy_message_without_forcing_translation():
    # given an error / then str() is the code and the message is still lazy
    error = IdNumberError("id_checksum")
    assert str(error) == "id_checksum"
    assert isinstance(error.message, Promise)
    assert isinstance(error, ValueError)


# --- consistency with entered birth date / gender ---------------------------

RESIDENT = ResidentId(number="11010119850312005X", birth_date=date(1985, 3, 12), gender="M")


@pytest.mark.parametrize(
    ("birth_date", "gender"),
    [(None, None), (date(1985, 3, 12), None), (None, "M"), (date(1985, 3, 12), "M"), (None, "")],
)
def test_consistent_or_missing_values_pass(birth_date, gender):
    check_identity_consistency(RESIDENT, birth_date=birth_date, gender=gender)


@pytest.mark.parametrize(
    ("birth_date", "gender", "code"),
    [
        (date(1985, 3, 13), None, "id_birth_date_mismatch"),
        (None, "F", "id_gender_mismatch"),
        (date(1985, 12, 3), "F", "id_birth_date_mismatch"),
    ],
)
def test_contradicting_values_are_rejected(birth_date, gender, code):
    with pytest.raises(IdNumberError) as excinfo:
        check_identity_consistency(RESIDENT, birth_date=birth_date, gender=gender)
    assert excinfo.value.code == code


def test_unknown_gender_value_is_a_programming_error():
    with pytest.raises(ValueError):
        check_identity_consistency(RESIDENT, birth_date=None, gender="male")


# --- normalize_id_number for every document type ----------------------------

VALID_DOCUMENTS = [
    (IdType.RESIDENT_ID, "11010519491231002x", "11010519491231002X"),
    (IdType.RESIDENT_ID, "110105491231002", "11010519491231002X"),
    (IdType.HMT_RESIDENCE_PERMIT, _make_resident_id("810000", date(1990, 5, 6), 123), None),
    (IdType.HMT_RESIDENCE_PERMIT, _make_resident_id("820000", date(1990, 5, 6), 124), None),
    (IdType.HMT_RESIDENCE_PERMIT, _make_resident_id("830000", date(1990, 5, 6), 125), None),
    (IdType.PASSPORT, "e12345678", "E12345678"),
    (IdType.PASSPORT, "EA1234567", "EA1234567"),
    (IdType.PASSPORT, "G12345678", "G12345678"),
    (IdType.PASSPORT, "c01x00t47", "C01X00T47"),  # a foreign (German-style) number
    (IdType.PASSPORT, "12345", "12345"),
    (IdType.PASSPORT, "A" * 20, "A" * 20),
    (IdType.HK_MACAU_PERMIT, "h12345678", "H12345678"),
    (IdType.HK_MACAU_PERMIT, "M1234567801", "M1234567801"),
    (IdType.TAIWAN_PERMIT, "12345678", "12345678"),
    (IdType.TAIWAN_PERMIT, "1234567890", "1234567890"),
    (IdType.FOREIGN_PERMANENT_RESIDENT, "usa110085060112", "USA110085060112"),
    (IdType.FOREIGN_PERMANENT_RESIDENT, _make_resident_id("931840", date(1985, 6, 1), 121), None),
    (IdType.BUSINESS_LICENCE, "91350100M000100Y43", "91350100M000100Y43"),
    (IdType.BUSINESS_LICENCE, "914403001922038216", "914403001922038216"),  # Huawei
    (IdType.BUSINESS_LICENCE, "9144030071526726xg", "9144030071526726XG"),  # Tencent
    (IdType.BUSINESS_LICENCE, "91330100716105852F", "91330100716105852F"),
    (IdType.BUSINESS_LICENCE, "91110000802100433B", "91110000802100433B"),
]


@pytest.mark.parametrize(("id_type", "raw", "expected"), VALID_DOCUMENTS)
def test_valid_documents_normalise(id_type, raw, expected):
    # given a valid number of each kind, as typed
    # when normalised / then the canonical form comes back (None: already canonical)
    assert normalize_id_number(id_type, raw, today=TODAY) == (expected or raw)


def test_plain_string_id_type_is_accepted():
    assert normalize_id_number("passport", "G12345678", today=TODAY) == "G12345678"


INVALID_DOCUMENTS = [
    (IdType.RESIDENT_ID, "110101198503120051", "id_checksum"),
    (IdType.HMT_RESIDENCE_PERMIT, "11010519491231002X", "id_format"),  # not 81/82/83
    (
        IdType.HMT_RESIDENCE_PERMIT,
        _make_resident_id("810000", date(1990, 5, 6), 1)[:-1] + "0",
        "id_checksum",
    ),
    (IdType.HMT_RESIDENCE_PERMIT, "810000199005061", "id_length"),
    (IdType.PASSPORT, "E123", "id_length"),
    (IdType.PASSPORT, "A" * 21, "id_length"),
    (IdType.PASSPORT, "E1234-567", "id_format"),
    (IdType.PASSPORT, "E" + _fullwidth("12345678") + "é", "id_format"),
    (IdType.HK_MACAU_PERMIT, "K12345678", "id_format"),
    (IdType.HK_MACAU_PERMIT, "H1234567", "id_length"),
    (IdType.HK_MACAU_PERMIT, "H123456789", "id_length"),
    (IdType.HK_MACAU_PERMIT, "HA2345678", "id_format"),
    (IdType.TAIWAN_PERMIT, "1234567", "id_length"),
    (IdType.TAIWAN_PERMIT, "123456789", "id_length"),
    (IdType.TAIWAN_PERMIT, "1234567A", "id_format"),
    (IdType.FOREIGN_PERMANENT_RESIDENT, "US1110085060112", "id_format"),
    (IdType.FOREIGN_PERMANENT_RESIDENT, "11010519491231002X", "id_format"),  # must start with 9
    (
        IdType.FOREIGN_PERMANENT_RESIDENT,
        _make_resident_id("931840", date(1985, 6, 1), 121)[:-1] + "Y",
        "id_format",
    ),
    (IdType.FOREIGN_PERMANENT_RESIDENT, "USA11008506011", "id_length"),
    (IdType.BUSINESS_LICENCE, "91350100M000100Y44", "id_checksum"),
    (IdType.BUSINESS_LICENCE, "91350100M000100Y4", "id_length"),
    (IdType.BUSINESS_LICENCE, "91350100MO00100Y43", "id_format"),  # letter O
    (IdType.BUSINESS_LICENCE, "91350100I000100Y43", "id_format"),  # letter I
    (IdType.BUSINESS_LICENCE, "91350100S000100Y43", "id_format"),  # letter S
    (IdType.BUSINESS_LICENCE, "91350100V000100Y43", "id_format"),  # letter V
    (IdType.BUSINESS_LICENCE, "91350100Z000100Y43", "id_format"),  # letter Z
    ("driving_licence", "123456", "id_type_unknown"),
    (IdType.PASSPORT, "  ", "id_empty"),
]


@pytest.mark.parametrize(("id_type", "raw", "code"), INVALID_DOCUMENTS)
def test_invalid_documents_raise_specific_codes(id_type, raw, code):
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number(id_type, raw, today=TODAY)
    assert excinfo.value.code == code


def test_foreign_permanent_resident_2023_card_checks_birth_date():
    # given a 2023-style card whose check is right but whose birth date is tomorrow
    number = _make_resident_id("931840", TODAY + timedelta(days=1), 121)
    # when normalised / then the future birth date is reported
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number(IdType.FOREIGN_PERMANENT_RESIDENT, number, today=TODAY)
    assert excinfo.value.code == "id_birth_date_future"


def test_every_id_type_has_a_normaliser():
    # given the choices list / then no document kind falls through to "unknown"
    samples = {
        IdType.RESIDENT_ID: "11010519491231002X",
        IdType.PASSPORT: "E12345678",
        IdType.HK_MACAU_PERMIT: "H12345678",
        IdType.TAIWAN_PERMIT: "12345678",
        IdType.HMT_RESIDENCE_PERMIT: _make_resident_id("810000", date(1990, 5, 6), 1),
        IdType.FOREIGN_PERMANENT_RESIDENT: "USA110085060112",
        IdType.BUSINESS_LICENCE: "91350100M000100Y43",
    }
    assert set(samples) == set(IdType)
    for id_type, number in samples.items():
        assert normalize_id_number(id_type, number, today=TODAY) == number


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("E12345678", True),
        ("EA1234567", True),
        ("g12345678", True),
        ("E1234567", False),
        ("P1234567", False),
    ],
)
def test_chinese_ordinary_passport_patterns(number, expected):
    assert is_chinese_ordinary_passport(number) is expected


@pytest.mark.parametrize(
    ("body17", "expected"),
    [("91350100M000100Y4", "3"), ("91440300192203821", "6"), ("9144030071526726X", "G")],
)
def test_business_licence_check_char_known_codes(body17, expected):
    assert business_licence_check_char(body17) == expected


# --- properties -------------------------------------------------------------

regions = st.integers(min_value=110000, max_value=829999).map(lambda n: f"{n:06d}")
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def resident_ids(draw):
    return _make_resident_id(draw(regions), draw(birth_dates), draw(sequences))


@settings(max_examples=200)
@given(region=regions, born=birth_dates, sequence=sequences)
def test_generated_valid_ids_round_trip(region, born, sequence):
    # given a number built from its parts
    number = _make_resident_id(region, born, sequence)
    # when parsed (also lowercased x)
    resident = parse_resident_id(number.lower(), today=TODAY)
    # then every part comes back
    assert resident.number == number
    assert resident.birth_date == born
    assert resident.gender == ("M" if sequence % 2 else "F")


@settings(max_examples=200)
@given(number=resident_ids(), position=st.integers(0, 17), data=st.data())
def test_any_single_character_change_fails_the_checksum(number, position, data):
    # given a valid number and a different character at one position
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != number[position]))
    changed = number[:position] + replacement + number[position + 1 :]
    # when parsed / then the check character catches it (before any date check)
    with pytest.raises(IdNumberError) as excinfo:
        parse_resident_id(changed, today=TODAY)
    assert excinfo.value.code == "id_checksum"


@settings(max_examples=100)
@given(number=resident_ids(), position=st.integers(0, 15))
def test_adjacent_transposition_fails_the_checksum(number, position):
    # given two different neighbouring body digits swapped
    first, second = number[position], number[position + 1]
    if first == second:
        return
    swapped = number[:position] + second + first + number[position + 2 :]
    # when parsed / then MOD 11-2 catches the swap
    with pytest.raises(IdNumberError) as excinfo:
        parse_resident_id(swapped, today=TODAY)
    assert excinfo.value.code == "id_checksum"


@settings(max_examples=200)
@given(
    region=regions,
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    sequence=sequences,
)
def test_upgrade_15_to_18_produces_a_valid_id(region, born, sequence):
    # given a legacy number (YYMMDD, read as 19YY)
    legacy = f"{region}{born:%y%m%d}{sequence:03d}"
    # when upgraded
    upgraded = upgrade_15_to_18(legacy)
    # then it is a valid 18-character number with the same parts
    resident = parse_resident_id(upgraded, today=TODAY)
    assert resident.birth_date == born
    assert upgraded[:6] + upgraded[8:17] == legacy
    assert parse_resident_id(legacy, today=TODAY) == resident


uscc_bodies = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)


@settings(max_examples=200)
@given(body=uscc_bodies, position=st.integers(0, 17), data=st.data())
def test_business_licence_round_trip_and_single_change_detection(body, position, data):
    # given a generated valid code
    code = body + business_licence_check_char(body)
    assert normalize_id_number(IdType.BUSINESS_LICENCE, code.lower(), today=TODAY) == code
    # when one character is replaced by another from the charset
    replacement = data.draw(st.sampled_from(USCC_CHARSET).filter(lambda c: c != code[position]))
    changed = code[:position] + replacement + code[position + 1 :]
    # then the mod-31 check catches it
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number(IdType.BUSINESS_LICENCE, changed, today=TODAY)
    assert excinfo.value.code == "id_checksum"
