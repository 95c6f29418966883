"""`parse_id_number` checks a number once and keeps what it encodes: the same canonical
number and the same errors as `normalize_id_number`, and for the resident-ID layouts the
same birth date and gender as a second `parse_resident_id` would give."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.owners.rules.idnumbers import (
    IdNumber,
    IdNumberError,
    normalize_id_number,
    parse_id_number,
    parse_resident_id,
    resident_id_check_char,
)
from anju.owners.rules.idtypes import IdType

TODAY = date(2026, 11, 22)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_LAYOUTS = {IdType.RESIDENT_ID.value, IdType.HMT_RESIDENCE_PERMIT.value}


def _outcome(call, *args, **kwargs):
    """The value, or the error code."""
    try:
        return call(*args, **kwargs)
    except IdNumberError as exc:
        return ("error", exc.code)


@settings(max_examples=500)
@given(body=st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_char_is_the_mod_11_2_of_the_digits(body: str) -> None:
    # given any 17 digits / when the check character is computed from the byte values
    # then it is the textbook sum of digit x weight, mod 11
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    assert resident_id_check_char(body) == "10X98765432"[total % 11]


def _numbers() -> st.SearchStrategy[str]:
    """Valid and nearly valid numbers of every layout, typed in various ways."""
    born = st.dates(min_value=date(1890, 1, 1), max_value=date(2027, 12, 31))

    def resident(region: str, birth: date, sequence: int, tail: str) -> str:
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        return body + (resident_id_check_char(body) if tail == "right" else tail)

    regions = st.sampled_from(["110105", "440305", "810000", "820000", "830000", "931840"])
    residents = st.builds(
        resident, regions, born, st.integers(0, 999), st.sampled_from(["right", "0", "X"])
    )
    legacy = st.builds(lambda number: number[:6] + number[8:17], residents)  # 15 digits, YYMMDD
    typed = st.sampled_from([str, str.lower, lambda n: f" {n[:6]} {n[6:]} "])
    return st.builds(lambda t, n: t(n), typed, residents | legacy) | st.text(
        alphabet="0123456789XxHMEG ", max_size=20
    )


@settings(max_examples=600)
@given(id_type=st.sampled_from([t.value for t in IdType]), raw=_numbers())
def test_parsed_once_is_what_normalize_and_parse_resident_id_give(id_type: str, raw: str) -> None:
    # when a number is checked once
    parsed = _outcome(parse_id_number, id_type, raw, today=TODAY)
    # then it is accepted or refused exactly as normalize_id_number does it
    normalized = _outcome(normalize_id_number, id_type, raw, today=TODAY)
    if isinstance(normalized, tuple):
        assert parsed == normalized
        return
    assert isinstance(parsed, IdNumber)
    assert parsed.number == normalized
    # and a resident-ID layout carries what parsing it again would give
    if id_type in _RESIDENT_LAYOUTS:
        assert parsed.resident == parse_resident_id(normalized, today=TODAY)
    else:
        assert parsed.resident is None


_HMT_BODY = "81000019900506123"  # 港澳台 residence permit, born 1990-05-06, odd: male


@pytest.mark.parametrize(
    ("id_type", "raw", "born", "gender"),
    [
        (IdType.RESIDENT_ID, "11010519491231002x", date(1949, 12, 31), "F"),
        (IdType.RESIDENT_ID, "110105491231002", date(1949, 12, 31), "F"),  # legacy 15
        (
            IdType.HMT_RESIDENCE_PERMIT,
            _HMT_BODY + resident_id_check_char(_HMT_BODY),
            date(1990, 5, 6),
            "M",
        ),
    ],
)
def test_a_resident_layout_keeps_its_birth_date_and_gender(id_type, raw, born, gender) -> None:
    # when a resident-ID layout is checked / then what it encodes comes with it
    parsed = parse_id_number(id_type, raw, today=TODAY)
    assert parsed.resident is not None
    assert (parsed.resident.birth_date, parsed.resident.gender) == (born, gender)
    assert parsed.resident.number == parsed.number


def test_other_documents_carry_no_birth_date() -> None:
    # a passport encodes nothing: the canonical number only
    assert parse_id_number(IdType.PASSPORT, "e12345678", today=TODAY) == IdNumber("E12345678")
