"""Display masking for personal information (PIPL Art. 51, GB/T 35273 §7.2).

The standard asks for de-identified display but names no character counts;
this project keeps ID first 3 + last 4, phone first 3 + last 4 (landlines:
area code + last 4) and the surname of a name (the shared domain-rules.md §5).
Masking happens on the server so unmasked values never reach a template that
did not ask for them. Pure string functions: no Django needed.
"""

from __future__ import annotations

import re

__all__ = ["MASK_CHAR", "mask_id_number", "mask_name", "mask_phone"]

MASK_CHAR = "*"

_LANDLINE_RE = re.compile(r"(0\d{2,3})-(\d{7,8})")
_SERVICE_RE = re.compile(r"([48]00)-(\d{3})-(\d{4})")
_MOBILE_RE = re.compile(r"1\d{10}")


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, star the middle."""
    hidden = len(value) - head - tail
    return value[:head] + MASK_CHAR * hidden + value[len(value) - tail :]


def mask_id_number(value: str) -> str:
    """Keep the first 3 and last 4 characters of a document number.

    Stars replace the middle one for one so the length still hints at the
    document kind. Values of 7 characters or fewer would be shown whole by
    that rule, so only the last 2 are kept; 1-2 characters are fully masked
    because "all but the last 2" would reveal everything.
    """
    value = value.strip()
    if len(value) <= 2:
        return MASK_CHAR * len(value)
    if len(value) <= 7:
        return _keep_ends(value, 0, 2)
    return _keep_ends(value, 3, 4)


def mask_phone(value: str) -> str:
    """Mask a canonical phone number (see ``anju.owners.rules.phones``).

    Mobile "13812345678" -> "138****5678"; landline "0755-86012345" ->
    "0755-****2345" (the area code is public routing information);
    service "400-123-4567" -> "400-***-4567". Anything else falls back to the
    document-number rule so that at most 7 characters are ever revealed.
    """
    value = value.strip()
    if _MOBILE_RE.fullmatch(value):
        return _keep_ends(value, 3, 4)
    landline = _LANDLINE_RE.fullmatch(value)
    if landline:
        area, local = landline.groups()
        return f"{area}-{_keep_ends(local, 0, 4)}"
    service = _SERVICE_RE.fullmatch(value)
    if service:
        prefix, middle, last = service.groups()
        return f"{prefix}-{MASK_CHAR * len(middle)}-{last}"
    return mask_id_number(value)


def mask_name(value: str) -> str:
    """Keep the first character (the surname) and star every other one.

    "张三" -> "张*", "欧阳娜娜" -> "欧***". A one-character name is returned
    as is: there is nothing left to hide once the surname is shown.
    """
    value = value.strip()
    if len(value) <= 1:
        return value
    return value[0] + MASK_CHAR * (len(value) - 1)
