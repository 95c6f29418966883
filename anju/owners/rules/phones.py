"""Owner contact numbers: mainland mobiles, landlines and 400/800 service lines.

One canonical stored form per number makes duplicate detection and lookups
work: mobiles as 11 bare digits, landlines as "0755-86012345", service lines
as "400-123-4567". Rules from the shared domain-rules.md section 3 (MIIT numbering
plan as of 2023-03, checked against libphonenumber).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import phonenumbers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["PhoneError", "PhoneKind", "normalize_mobile", "normalize_phone"]

PhoneKind = Literal["mobile", "landline", "service"]

_MESSAGES: dict[str, Promise] = {
    "phone_format": _("This does not look like a phone number."),
    "phone_not_mainland_mobile": _(
        "Enter a mainland China mobile number (11 digits starting with 1)."
    ),
    "phone_unallocated_prefix": _("This number prefix is not used for mobile phones."),
}


class PhoneError(ValueError):
    """A phone number failed validation; ``str(error)`` is the machine code."""

    def __init__(self, code: str, message: Promise | str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else _MESSAGES[code]


# MIIT allocation (domain-rules §3). Wider than libphonenumber, which rejects
# the allocated 146/148/149 data and IoT blocks.
_MOBILE_RE = re.compile(r"1(3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}", re.ASCII)
# 140-144 are 13-digit IoT numbers: real allocations, but not phones.
_IOT_RE = re.compile(r"14[0-4]\d{10}", re.ASCII)
_SERVICE_RE = re.compile(r"([48]00)(\d{3})(\d{4})", re.ASCII)
_SEPARATORS_RE = re.compile(r"[\s\-()]")


def _strip_separators(raw: str) -> str:
    """NFKC (full-width digits, brackets, plus sign) then drop spaces, hyphens, parentheses."""
    return _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", raw))


def _strip_country_code(number: str) -> tuple[str, bool]:
    """Remove +86 / 0086, and a bare 86 only in front of an 11-digit mobile.

    The bare-86 case is limited to 13 digits starting "861" so that a
    landline or a 13-digit IoT number is never mangled. The flag tells the
    caller that a landline lost its trunk "0" (international format).
    """
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :], True
    if len(number) == 13 and number.startswith("861"):
        return number[2:], True
    return number, False


def _national_digits(raw: str) -> tuple[str, bool]:
    """Digits of a mainland number without separators or country code, or raise."""
    number, international = _strip_country_code(_strip_separators(raw))
    if number.startswith(("+", "00")):
        raise PhoneError("phone_not_mainland_mobile")
    if not number or not number.isascii() or not number.isdigit():
        raise PhoneError("phone_format")
    return number, international


def _check_mobile_digits(number: str) -> str:
    """Classify bare national digits as a mobile, raising the most helpful code."""
    if _IOT_RE.fullmatch(number):
        raise PhoneError("phone_unallocated_prefix")
    if not number.startswith("1"):
        raise PhoneError("phone_not_mainland_mobile")
    if len(number) != 11:
        raise PhoneError("phone_format")
    if not _MOBILE_RE.fullmatch(number):
        raise PhoneError("phone_unallocated_prefix")
    return number


def normalize_mobile(raw: str) -> str:
    """Return an 11-digit mainland mobile number, or raise ``PhoneError``.

    Idempotent: the output is accepted and returned unchanged.
    """
    number, _international = _national_digits(raw)
    return _check_mobile_digits(number)


def _normalize_landline(number: str) -> str:
    """Validate a fixed line with libphonenumber and format it "0755-86012345".

    libphonenumber knows which cities use 7- or 8-digit local numbers, which a
    hand-written regex would get wrong (e.g. "021-6234567" is invalid).
    """
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        raise PhoneError("phone_format") from None
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError("phone_format")
    if phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.FIXED_LINE:
        raise PhoneError("phone_format")
    significant = phonenumbers.national_significant_number(parsed)
    area_length = phonenumbers.length_of_geographical_area_code(parsed)
    if area_length == 0:
        raise PhoneError("phone_format")
    return f"0{significant[:area_length]}-{significant[area_length:]}"


def normalize_phone(raw: str) -> tuple[PhoneKind, str]:
    """Classify and normalise any owner contact number.

    Returns ("mobile", "13812345678"), ("landline", "0755-86012345") or
    ("service", "400-123-4567"). Short codes (95xxx, 12345) and foreign
    numbers are rejected: they cannot be used to reach an owner.
    """
    number, international = _national_digits(raw)
    service = _SERVICE_RE.fullmatch(number)
    if service and not international:
        return "service", "-".join(service.groups())
    if _looks_like_mobile(number, international=international):
        return "mobile", _check_mobile_digits(number)
    if international and not number.startswith("0"):
        # "+86 755 86012345" and "+86 10 6234 5678" lose the trunk "0".
        number = "0" + number
    if not number.startswith("0"):
        raise PhoneError("phone_format")
    return "landline", _normalize_landline(number)


def _looks_like_mobile(number: str, *, international: bool) -> bool:
    """Mobiles start with 1, but so does Beijing's area code 10 after +86."""
    if _IOT_RE.fullmatch(number):
        return True
    if not number.startswith("1"):
        return False
    return not international or len(number) == 11
