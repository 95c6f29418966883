"""Identity document numbers: parsing, check characters and canonical forms.

Pure functions with no ORM or settings access, so forms, serializers, imports
and the admin all share one definition of a "valid" number. The algorithms
and test vectors come from the shared domain-rules.md section 2 (GB 11643-1999) and
GB 32100-2015 for the unified social credit code.

Errors carry a stable machine ``code`` (used by tests, APIs and the front end)
and a lazy, translatable ``message``; the message is never forced here, so the
module works without Django settings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anju.owners.rules.idtypes import IdType

__all__ = [
    "IdNumber",
    "IdNumberError",
    "ResidentId",
    "business_licence_check_char",
    "check_identity_consistency",
    "is_chinese_ordinary_passport",
    "normalize_id_number",
    "parse_id_number",
    "parse_resident_id",
    "resident_id_check_char",
    "upgrade_15_to_18",
]

# --- errors -----------------------------------------------------------------

_MESSAGES: dict[str, Promise] = {
    "id_type_unknown": _("This kind of identity document is not supported."),
    "id_empty": _("Enter the document number."),
    "id_length": _("The number has the wrong length."),
    "id_format": _("The number contains characters that are not allowed in this position."),
    "id_checksum": _("The check character is wrong; the number was probably mistyped."),
    "id_birth_date_invalid": _("The birth date inside the number is not a real date."),
    "id_birth_date_future": _("The birth date inside the number is in the future."),
    "id_birth_date_mismatch": _("The birth date does not match the one in the ID number."),
    "id_gender_mismatch": _("The gender does not match the one in the ID number."),
}


class IdNumberError(ValueError):
    """A document number failed validation.

    ``str(error)`` is the machine code on purpose: rendering the lazy message
    would need configured translations, and logs want the stable code anyway.
    """

    def __init__(self, code: str, message: Promise | str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else _MESSAGES[code]


# --- GB 11643-1999 resident ID ----------------------------------------------

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Weighting the ASCII codes instead of the digits adds 48 x the sum of the weights.
_RESIDENT_ASCII_OFFSET = ord("0") * sum(_RESIDENT_WEIGHTS)
_RESIDENT_CHECK_CHARS = "10X98765432"  # indexed by S mod 11
_RESIDENT_18_RE = re.compile(r"\d{17}[\dX]")
_RESIDENT_15_RE = re.compile(r"\d{15}")
_HMT_PREFIXES = ("810000", "820000", "830000")


@dataclass(frozen=True)
class ResidentId:
    """A validated 18-character resident-ID-style number and what it encodes."""

    number: str
    birth_date: date
    gender: Literal["M", "F"]


def resident_id_check_char(body17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(body17) != 17:
        raise IdNumberError("id_length")
    if not body17.isascii() or not body17.isdigit():
        raise IdNumberError("id_format")
    # Imports check 100,000s of numbers: the byte values, not int() per digit.
    total = sum(map(mul, body17.encode("ascii"), _RESIDENT_WEIGHTS)) - _RESIDENT_ASCII_OFFSET
    return _RESIDENT_CHECK_CHARS[total % 11]


def upgrade_15_to_18(number15: str) -> str:
    """Convert a GB 11643-1989 15-digit number to the current 18-character form.

    The legacy number has a two-digit year that always means 19YY and no check
    digit: insert "19" after the address code and append the MOD 11-2 check.
    The birth date is not validated here; ``parse_resident_id`` does that.
    """
    if len(number15) != 15:
        raise IdNumberError("id_length")
    if not _RESIDENT_15_RE.fullmatch(number15) or not number15.isascii():
        raise IdNumberError("id_format")
    body17 = number15[:6] + "19" + number15[6:]
    return body17 + resident_id_check_char(body17)


def _clean(raw: str) -> str:
    """NFKC (full-width digits/letters to ASCII), drop all whitespace, uppercase."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def _birth_date(number18: str, *, today: date) -> date:
    """Read YYYYMMDD at positions 7-14 and require a real date not after today."""
    digits = number18[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError("id_birth_date_invalid") from None
    if born > today:
        raise IdNumberError("id_birth_date_future")
    return born


def _parse_gb11643_18(number: str, *, today: date) -> ResidentId:
    """Validate an 18-character GB 11643 layout number (already cleaned).

    The check character is verified before the birth date: a wrong check is
    almost always a typo, and reporting it first gives one deterministic error
    for every single-character mistake.
    """
    if len(number) != 18:
        raise IdNumberError("id_length")
    if not _RESIDENT_18_RE.fullmatch(number) or not number.isascii():
        raise IdNumberError("id_format")
    if resident_id_check_char(number[:17]) != number[17]:
        raise IdNumberError("id_checksum")
    born = _birth_date(number, today=today)
    gender: Literal["M", "F"] = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number=number, birth_date=born, gender=gender)


def parse_resident_id(raw: str, *, today: date) -> ResidentId:
    """Parse a resident ID number as typed by a person.

    Spaces are removed, a lowercase "x" is stored as the standard "X", and a
    15-digit legacy number is upgraded to 18 characters. Raises
    ``IdNumberError`` with a specific code.
    """
    number = _clean(raw)
    if not number:
        raise IdNumberError("id_empty")
    if len(number) == 15:
        number = upgrade_15_to_18(number)
    return _parse_gb11643_18(number, today=today)


def check_identity_consistency(
    resident: ResidentId, *, birth_date: date | None, gender: str | None
) -> None:
    """Reject entered birth date / gender that contradict the ID number.

    Empty values are skipped (the form may leave them blank and derive them
    from the number). ``gender`` must be "M" or "F" when given.
    """
    if birth_date is not None and birth_date != resident.birth_date:
        raise IdNumberError("id_birth_date_mismatch")
    if gender in (None, ""):
        return
    if gender not in ("M", "F"):
        raise ValueError(f"gender must be 'M' or 'F', got {gender!r}")
    if gender != resident.gender:
        raise IdNumberError("id_gender_mismatch")


# --- other document types ---------------------------------------------------


def _normalize_resident(number: str, today: date) -> ResidentId:
    if len(number) == 15:
        number = upgrade_15_to_18(number)
    return _parse_gb11643_18(number, today=today)


def _normalize_hmt_residence_permit(number: str, today: date) -> ResidentId:
    """港澳台居民居住证: GB 11643 layout with address code 810000/820000/830000."""
    if len(number) != 18:
        raise IdNumberError("id_length")
    if not number.startswith(_HMT_PREFIXES):
        raise IdNumberError("id_format")
    return _parse_gb11643_18(number, today=today)


_CN_ORDINARY_PASSPORT_RE = re.compile(r"E\d{8}|E[A-Z]\d{7}|G\d{8}")
_ANY_PASSPORT_RE = re.compile(r"[A-Z0-9]{5,20}")


def is_chinese_ordinary_passport(number: str) -> bool:
    """True for the PRC ordinary passport patterns E+8 digits, E+letter+7, G+8."""
    return bool(_CN_ORDINARY_PASSPORT_RE.fullmatch(_clean(number)))


def _normalize_passport(number: str, today: date) -> str:
    """Foreign passports only share "5-20 letters/digits"; PRC ones are a subset.

    A number such as "E1234567" could be foreign, so the PRC patterns cannot
    be enforced on every E/G number; use ``is_chinese_ordinary_passport`` when
    the nationality is known to be Chinese.
    """
    if not 5 <= len(number) <= 20:
        raise IdNumberError("id_length")
    if not _ANY_PASSPORT_RE.fullmatch(number) or not number.isascii():
        raise IdNumberError("id_format")
    return number


def _normalize_hk_macau_permit(number: str, today: date) -> str:
    """回乡证: H (Hong Kong) or M (Macau) + 8 digits; older cards add 2 digits."""
    if len(number) not in (9, 11):
        raise IdNumberError("id_length")
    if not re.fullmatch(r"[HM]\d{8}(\d{2})?", number) or not number.isascii():
        raise IdNumberError("id_format")
    return number


def _normalize_taiwan_permit(number: str, today: date) -> str:
    """台胞证: 8 digits since 2015; older 10-digit numbers are still on file."""
    if len(number) not in (8, 10):
        raise IdNumberError("id_length")
    if not number.isascii() or not number.isdigit():
        raise IdNumberError("id_format")
    return number


def _normalize_foreign_permanent_resident(number: str, today: date) -> str:
    """外国人永久居留身份证: old 15-char (3 letters + 12 digits) or the 2023 form.

    The 2023 card uses the GB 11643 layout (birth date at positions 7-14,
    MOD 11-2 check) with a leading "9".
    """
    if len(number) == 15:
        if not re.fullmatch(r"[A-Z]{3}\d{12}", number) or not number.isascii():
            raise IdNumberError("id_format")
        return number
    if len(number) != 18:
        raise IdNumberError("id_length")
    if not number.startswith("9"):
        raise IdNumberError("id_format")
    return _parse_gb11643_18(number, today=today).number


# GB 32100-2015: 31 characters, no I, O, S, V, Z (they look like 1, 0, 5, U, 2).
_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {char: value for value, char in enumerate(_USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def business_licence_check_char(body17: str) -> str:
    """Return the GB 32100-2015 check character (weights 3^i mod 31, mod 31)."""
    if len(body17) != 17:
        raise IdNumberError("id_length")
    try:
        total = sum(_USCC_VALUES[c] * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    except KeyError:
        raise IdNumberError("id_format") from None
    return _USCC_CHARSET[(31 - total % 31) % 31]


def _normalize_business_licence(number: str, today: date) -> str:
    """统一社会信用代码. Only the 18th character is verified.

    The embedded organisation code (positions 9-17) has its own GB 11714
    check, but not every registry issued codes that pass it, so it is not
    enforced: rejecting a genuine licence costs more than missing a typo that
    the 18th character already catches.
    """
    if len(number) != 18:
        raise IdNumberError("id_length")
    if any(char not in _USCC_VALUES for char in number):
        raise IdNumberError("id_format")
    if business_licence_check_char(number[:17]) != number[17]:
        raise IdNumberError("id_checksum")
    return number


_NORMALIZERS: dict[str, Callable[[str, date], str | ResidentId]] = {
    IdType.RESIDENT_ID.value: _normalize_resident,
    IdType.HMT_RESIDENCE_PERMIT.value: _normalize_hmt_residence_permit,
    IdType.PASSPORT.value: _normalize_passport,
    IdType.HK_MACAU_PERMIT.value: _normalize_hk_macau_permit,
    IdType.TAIWAN_PERMIT.value: _normalize_taiwan_permit,
    IdType.FOREIGN_PERMANENT_RESIDENT.value: _normalize_foreign_permanent_resident,
    IdType.BUSINESS_LICENCE.value: _normalize_business_licence,
}


@dataclass(frozen=True)
class IdNumber:
    """A checked document number: its canonical form and, for the resident ID and the
    港澳台 residence permit, the birth date and gender it encodes."""

    number: str
    resident: ResidentId | None = None


def parse_id_number(id_type: str, raw: str, *, today: date) -> IdNumber:
    """Check and normalise a document number once (see `normalize_id_number`), keeping
    what a resident-ID layout encodes, so callers need not parse it a second time with
    `parse_resident_id`."""
    normalizer = _NORMALIZERS.get(str(id_type))
    if normalizer is None:
        raise IdNumberError("id_type_unknown")
    number = _clean(raw)
    if not number:
        raise IdNumberError("id_empty")
    checked = normalizer(number, today)
    if isinstance(checked, ResidentId):
        return IdNumber(checked.number, checked)
    return IdNumber(checked)


def normalize_id_number(id_type: str, raw: str, *, today: date) -> str:
    """Return the canonical stored form of a document number, or raise.

    Canonical means: NFKC-normalised, no whitespace, uppercase, and for
    resident IDs always 18 characters. Storing one form makes uniqueness
    checks and encrypted-lookup hashes reliable.
    """
    return parse_id_number(id_type, raw, today=today).number
