"""Read paths for owners: the front desk's one-box search and the list queryset.

The search box guesses what was typed: a phone or an ID number is looked up through its
blind index (exact, never decrypted); a house number like 3-2-1801 through the unit
code; anything else through the prefix keys (Chinese name, full pinyin, initials,
company-name substrings).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from anju.owners.models import Owner, OwnerPhone, OwnerSearchKey, Ownership
from anju.owners.personal_data import id_number_index, phone_index
from anju.owners.rules.idnumbers import IdNumberError, normalize_id_number
from anju.owners.rules.idtypes import IdType
from anju.owners.rules.names import name_initials, normalize_search_text
from anju.owners.rules.phones import PhoneError, normalize_phone
from anju.properties.models import Unit
from anju.security.scoping import visible_project_ids

# 3-2-1801, 3-1801, 3栋2单元1801, 3号楼1801室, "3 1801"
_UNIT_RE = re.compile(
    r"^(?P<building>[0-9A-Za-z]+)\s*(?:-|栋|幢|号楼|#|\s)\s*"
    r"(?:(?P<entrance>[0-9A-Za-z]+)\s*(?:-|单元)\s*)?"
    r"(?P<room>[0-9A-Za-z]+)\s*(?:室|号)?$"
)
_DIGITS_RE = re.compile(r"^[\d\s+()-]+$")
_ID_LIKE_RE = re.compile(r"^[0-9A-Za-z]{8,20}$")
# Candidates fetched from the key index before scoping and de-duplication.
_CANDIDATE_FACTOR = 10


@dataclass(frozen=True)
class SearchResult:
    kind: str  # phone | id_number | unit | name
    owners: list[Owner]


def owner_list_queryset(user: Any) -> QuerySet[Owner]:
    """The owners a user may see, with what a list row shows, in a fixed query count."""
    active = Ownership.objects.active().select_related("unit")
    return (
        Owner.objects.visible_to(user)
        .select_related("project")
        .prefetch_related(
            Prefetch(
                "phones",
                queryset=OwnerPhone.objects.filter(is_primary=True),
                to_attr="primary_phones",
            ),
            Prefetch("ownerships", queryset=active, to_attr="active_ownerships"),
        )
    )


def search_owners(user: Any, query: str, *, limit: int | None = None) -> SearchResult:
    limit = limit or settings.ANJU_SEARCH_LIMIT
    text = query.strip()
    if not text:
        return SearchResult("empty", [])
    kind, ids = _candidate_ids(user, text, limit)
    if not ids:
        return SearchResult(kind, [])
    owners = owner_list_queryset(user).filter(pk__in=ids)
    by_id = {owner.pk: owner for owner in owners}
    hits = [by_id[pk] for pk in ids if pk in by_id]
    if kind == "name":
        hits = _usual_readings_first(hits, normalize_search_text(text))
    return SearchResult(kind, hits[:limit])


def _usual_readings_first(owners: list[Owner], query: str) -> list[Owner]:
    """Owners matched by their name's usual reading before those matched by a rare one
    (丁 read zheng makes 丁思 a "zs"; 张三 should come first). The sort is stable."""

    def usual(owner: Owner) -> bool:
        readings = (
            owner.name.lower(),
            owner.name_pinyin,
            name_initials(owner.name, is_company=owner.is_company),
        )
        return any(reading.startswith(query) for reading in readings)

    return sorted(owners, key=lambda owner: not usual(owner))


def _candidate_ids(user: Any, text: str, limit: int) -> tuple[str, list[int]]:
    if _DIGITS_RE.match(text):
        ids = _by_phone(text)
        if ids is not None:
            return "phone", ids
    if _ID_LIKE_RE.match(text):
        ids = _by_id_number(text)
        if ids:
            return "id_number", ids
    unit = _UNIT_RE.match(text)
    if unit:
        ids = _by_unit(**unit.groupdict())
        if ids:
            return "unit", ids
    return "name", _by_keys(user, normalize_search_text(text), limit)


def _by_phone(text: str) -> list[int] | None:
    try:
        _, number = normalize_phone(text)
    except PhoneError:
        return None
    rows = OwnerPhone.objects.filter(number_index=phone_index(number))
    return list(rows.values_list("owner_id", flat=True).distinct())


def _by_id_number(text: str) -> list[int]:
    """Try the ID types in turn; a resident ID also matches its 15-digit form."""
    today = timezone.localdate()
    digests = []
    for id_type in IdType.values:
        try:
            digests.append(id_number_index(normalize_id_number(id_type, text, today=today)))
        except IdNumberError:
            continue
    if not digests:
        return []
    return list(Owner.objects.filter(id_number_index__in=digests).values_list("pk", flat=True))


def _by_unit(building: str, entrance: str | None, room: str) -> list[int]:
    units = Unit.objects.filter(building__number__iexact=building, room__iexact=room)
    if entrance:
        units = units.filter(entrance__iexact=entrance)
    owner_ids = (
        Ownership.objects.active()
        .filter(unit__in=units.values("pk")[:50])
        .order_by("unit_id", "-share")
        .values_list("owner_id", flat=True)
    )
    return list(dict.fromkeys(owner_ids))


def _by_keys(user: Any, key: str, limit: int) -> list[int]:
    """Exact key matches first, then prefix matches in key order.

    Scoping happens inside the key query, so a common prefix ("zhang") cannot fill the
    candidate list with owners of other projects; walking the key index in order with a
    LIMIT keeps the cost proportional to the hits shown.
    """
    if not key:
        return []
    key = key[:64]
    keys = _scoped_keys(user).values_list("owner_id", flat=True)
    exact = list(keys.filter(key=key)[: limit * _CANDIDATE_FACTOR])
    prefix = list(keys.filter(key__startswith=key).order_by("key")[: limit * _CANDIDATE_FACTOR])
    return list(dict.fromkeys(exact + prefix))


def _scoped_keys(user: Any) -> QuerySet[OwnerSearchKey]:
    ids = visible_project_ids(user)
    keys = OwnerSearchKey.objects.all()
    if ids is None:
        return keys
    owns_there = Ownership.objects.filter(owner=OuterRef("owner_id"), unit__project_id__in=ids)
    return keys.filter(Q(owner__project_id__in=ids) | Exists(owns_there))


def owners_by_ids(user: Any, ids: Sequence[int]) -> QuerySet[Owner]:
    return owner_list_queryset(user).filter(pk__in=list(ids))
