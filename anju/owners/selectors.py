"""Read paths for owners: the front desk's one-box search and the list queryset.

The search box guesses what was typed: a phone or an ID number is looked up through its
blind index (exact, never decrypted); a house number like 3-2-1801 through the unit
code; anything else through the prefix keys (Chinese name, full pinyin, initials,
company-name substrings).
"""

import re
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from anju.owners.models import Owner, OwnerPhone, OwnerProject, OwnerSearchKey, Ownership
from anju.owners.personal_data import id_number_index, phone_index
from anju.owners.rules.idnumbers import IdNumberError, normalize_id_number
from anju.owners.rules.idtypes import IdType
from anju.owners.rules.names import MAX_KEY_LENGTH, normalize_search_text
from anju.owners.rules.phones import PhoneError, normalize_phone
from anju.properties.models import Unit
from anju.security.scoping import visible_project_ids

_M = TypeVar("_M", bound=models.Model)

# 3-2-1801, 3-1801, 3栋2单元1801, 3号楼1801室, "3 1801"
_UNIT_RE = re.compile(
    r"^(?P<building>[0-9A-Za-z]+)\s*(?:-|栋|幢|号楼|#|\s)\s*"
    r"(?:(?P<entrance>[0-9A-Za-z]+)\s*(?:-|单元)\s*)?"
    r"(?P<room>[0-9A-Za-z]+)\s*(?:室|号)?$"
)
_DIGITS_RE = re.compile(r"^[\d\s+()-]+$")
_ID_LIKE_RE = re.compile(r"^[0-9A-Za-z]{8,20}$")

# A name search ranks usual readings first among the first `limit * _CANDIDATE_FACTOR`
# owners in key order, then shows `limit` of them. A wider window ranks a little better
# for a few initials queries but costs the front desk a scope check per extra key row
# (docs/benchmarks.md, "Search misses").
_CANDIDATE_FACTOR = 3
# The key walk reads unscoped key rows in rounds (plain index-only scans whose plan cannot
# go wrong) and checks the scope of their owners by primary key. When the user's owners
# are that sparse among the matches, one scoped query finishes the walk instead.
_WALK_ROUNDS = 3
# Key rows read in the first round, per owner of the window: an owner can have several
# keys with the prefix (zhangwei, zhangwei's other readings), and a front-desk user sees
# one project of a few, so a third of the owners or so. A second round costs more than
# reading a few dozen index entries and owners too many.
_FIRST_CHUNK = 2
_SCOPED_FIRST_CHUNK = 4
_MAX_CHUNK = 1000

# The readings an owner is usually found by: normalised name, full pinyin, initials.
Readings = tuple[str, str, str]


@dataclass(frozen=True)
class SearchResult:
    kind: str  # phone | id_number | unit | name
    owners: list[Owner]


def _list_prefetches() -> list[Prefetch]:
    active = Ownership.objects.active().select_related("unit")
    return [
        Prefetch(
            "phones",
            queryset=OwnerPhone.objects.filter(is_primary=True),
            to_attr="primary_phones",
        ),
        Prefetch("ownerships", queryset=active, to_attr="active_ownerships"),
    ]


def owner_list_queryset(user: Any) -> QuerySet[Owner]:
    """The owners a user may see, with what a list row shows, in a fixed query count."""
    return (
        Owner.objects.visible_to(user)
        .select_related("project")
        .prefetch_related(*_list_prefetches())
    )


def search_owners(user: Any, query: str, *, limit: int | None = None) -> SearchResult:
    """Up to `limit` owners for the one search box, as list rows (primary phone, active
    ownerships). List rows are loaded only for the owners shown."""
    kind, ids = search_owner_ids(user, query, limit=limit)
    if not ids:
        return SearchResult(kind, [])
    by_id = {owner.pk: owner for owner in owner_list_queryset(user).filter(pk__in=ids)}
    return SearchResult(kind, [by_id[pk] for pk in ids if pk in by_id])


def search_owner_ids(user: Any, query: str, *, limit: int | None = None) -> tuple[str, list[int]]:
    """The kind of search and the ids of at most `limit` owners the user may see, in the
    order they are shown (no list rows are loaded).

    Phone, ID and house-number look-ups are scoped too: a number that belongs only to
    another project's owners reads as a name and finds nothing, so the kind shown does
    not tell that it exists elsewhere."""
    limit = limit or settings.ANJU_SEARCH_LIMIT
    text = query.strip()
    if not text:
        return "empty", []
    if _DIGITS_RE.match(text):
        ids = _by_phone(user, text)
        if ids is not None:
            return "phone", ids[:limit]
    if _ID_LIKE_RE.match(text):
        ids = _by_id_number(user, text)
        if ids:
            return "id_number", ids[:limit]
    unit = _UNIT_RE.match(text)
    if unit:
        ids = _by_unit(user, **unit.groupdict())
        if ids:
            return "unit", ids[:limit]
    key = normalize_search_text(text)[:MAX_KEY_LENGTH]
    candidates = _walk_keys(user, key, limit * _CANDIDATE_FACTOR)
    return "name", _usual_readings_first(candidates, key)[:limit]


def _owner_visible(user: Any) -> Q | None:
    """For rows with an `owner`: the owner is one the user may see (Owner.visible_to).
    None when the user sees every project."""
    ids = visible_project_ids(user)
    if ids is None:
        return None
    reached = OwnerProject.objects.filter(owner=OuterRef("owner_id"), project_id__in=ids)
    return Q(Exists(reached))


def _scoped(queryset: QuerySet[_M], user: Any) -> QuerySet[_M]:
    visible = _owner_visible(user)
    return queryset if visible is None else queryset.filter(visible)


def _by_phone(user: Any, text: str) -> list[int] | None:
    try:
        _, number = normalize_phone(text)
    except PhoneError:
        return None
    rows = _scoped(OwnerPhone.objects.filter(number_index=phone_index(number)), user)
    return list(dict.fromkeys(rows.order_by("owner_id").values_list("owner_id", flat=True)))


def _by_id_number(user: Any, text: str) -> list[int]:
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
    owners = Owner.objects.visible_to(user).filter(id_number_index__in=digests)
    return list(owners.order_by("pk").values_list("pk", flat=True))


def _by_unit(user: Any, building: str, entrance: str | None, room: str) -> list[int]:
    units = Unit.objects.filter(building__number__iexact=building, room__iexact=room)
    if entrance:
        units = units.filter(entrance__iexact=entrance)
    owner_ids = (
        _scoped(Ownership.objects.active().filter(unit__in=units.values("pk")[:50]), user)
        .order_by("unit_id", "-share", "owner_id")
        .values_list("owner_id", flat=True)
    )
    return list(dict.fromkeys(owner_ids))


def _walk_keys(user: Any, key: str, window: int) -> dict[int, Readings]:
    """The first `window` owners the user may see whose keys start with `key`, in
    (key, owner_id) order, with their usual readings.

    An exact key sorts before every longer key it starts, so exact matches come first.
    Scoping happens before the window is cut, so a common prefix ("zhang") cannot fill
    it with owners of other projects. Each round reads the next key rows in index order
    (LIMIT, so the cost follows the rows read, not the matches) and checks their owners'
    scope by primary key: a single scoped query leaves PostgreSQL to guess how many keys
    match, and when it guesses low it fetches and scope-checks every match.
    """
    found: dict[int, Readings] = {}
    if not key or window <= 0:
        return found
    checked: set[int] = set()
    after: tuple[str, int] | None = None
    sees_all = visible_project_ids(user) is None
    chunk = min(_MAX_CHUNK, window * (_FIRST_CHUNK if sees_all else _SCOPED_FIRST_CHUNK))
    for _round in range(_WALK_ROUNDS):
        rows = list(_key_rows(key, after).values_list("key", "owner_id")[:chunk])
        new = list(dict.fromkeys(pk for _key, pk in rows if pk not in checked))
        if sees_all:
            new = new[: window - len(found)]  # every owner is in scope: read no more
        readings = _readings(user, new) if new else {}
        checked.update(new)
        before = len(found)
        for _key, pk in rows:
            if pk in readings and pk not in found:
                found[pk] = readings[pk]
                if len(found) == window:
                    return found
        if len(rows) < chunk:
            return found  # every matching key was read
        after = rows[-1]
        rate = max(len(found) - before, 1) / len(rows)
        chunk = min(_MAX_CHUNK, max(window, round(1.5 * (window - len(found)) / rate)))
    # The user's owners are rare among these matches: let one scoped query go on.
    rest = _scoped(_key_rows(key, after), user).values_list("owner_id", flat=True)
    ids = list(dict.fromkeys(pk for pk in rest[: window - len(found)] if pk not in found))
    readings = _readings(user, ids) if ids else {}
    found.update((pk, readings[pk]) for pk in ids if pk in readings)
    return found


def _key_rows(key: str, after: tuple[str, int] | None) -> QuerySet[OwnerSearchKey]:
    """Keys starting with `key` after the (key, owner_id) position `after`, in the order of
    the (key, owner) index (the "C" collation on PostgreSQL: byte order, as SQLite)."""
    rows = OwnerSearchKey.objects.filter(key__startswith=key)
    if after is not None:
        last_key, last_owner = after
        rows = rows.filter(key__gte=last_key).exclude(key=last_key, owner_id__lte=last_owner)
    return rows.order_by("key", "owner_id")


def _readings(user: Any, ids: list[int]) -> dict[int, Readings]:
    """The usual readings of those owners the user may see (a light query: no list rows)."""
    rows = (
        Owner.objects.visible_to(user)
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", "name", "name_pinyin", "name_initials")
    )
    return {
        pk: (normalize_search_text(name), pinyin, initials) for pk, name, pinyin, initials in rows
    }


def _usual_readings_first(found: dict[int, Readings], key: str) -> list[int]:
    """Owners matched by their name's usual reading before those matched only by a rare
    one (丁 read zheng makes 丁思 a "zs"; 张三 should come first). Key order is kept
    within each group."""
    usual = {pk for pk, readings in found.items() if any(r.startswith(key) for r in readings)}
    return [pk for pk in found if pk in usual] + [pk for pk in found if pk not in usual]
