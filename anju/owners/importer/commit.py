"""Resolve the owner plan against the database, and write it in bulk.

`resolve` asks with a few set-based queries (ID digests in batches of 1,000), never once
per row. `write` runs inside the commit transaction and writes in batches (see
`imports.bulk`: value rows, COPY on PostgreSQL, built in a worker thread) with the
helpers `owner_create` uses (apply_clean_owner; protect_phone, as phone_rows does; the
keys of search_keys_for), with one change-log row per created owner, unit and ownership,
and one "imported" event per owner.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.imports.bulk import (
    Batch,
    CreationLog,
    Table,
    WriteContext,
    allocate_ids,
    batches,
    write_batches,
)
from anju.imports.workbook import ErrorLog
from anju.owners.importer.plan import OwnerKey, OwnerPlan, OwnerRecord, OwnershipRecord
from anju.owners.inputs import CleanOwner, OwnerInput
from anju.owners.models import Owner, OwnerEvent, OwnerPhone, OwnerSearchKey, Ownership, Tag
from anju.owners.personal_data import id_number_index, protect_phone
from anju.owners.reach import link_owner_projects
from anju.owners.rules.names import name_readings
from anju.owners.services import apply_clean_owner
from anju.properties.importer import (
    Registry,
    UnitKey,
    UnitRecord,
    check_new_unit,
    create_units,
)
from anju.properties.models import unit_code

LOOKUP_BATCH = 1_000
_PHONE_ATTRS = ("owner_id", "kind", "label", "number_cipher", "number_index", "number_masked",
                "is_primary")  # fmt: skip
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
SHARE_EXCEEDED = _("The unit's shares would exceed 100%% (already held: %(held)s%%).")


@dataclass
class OwnerResolution:
    registry: Registry
    new_units: dict[UnitKey, UnitRecord]
    shares: list[Decimal]  # one per plan.ownerships entry


# --- resolve: against the database ------------------------------------------------------


def resolve(plan: OwnerPlan, project_id: int, errors: ErrorLog) -> OwnerResolution:
    registry = Registry.load(project_id)
    new_units: dict[UnitKey, UnitRecord] = {}
    for key, record in plan.units.items():
        building = registry.buildings.get(key[0])
        if building is not None and key not in registry.units:
            check_new_unit(key, record, building.floors, errors)
            new_units[key] = record
    for ownership in plan.ownerships:
        if ownership.unit_key[0] not in registry.buildings:
            errors.add(
                ownership.row,
                "building",
                "unknown_building",
                _("Building %(number)s does not exist in this project.")
                % {"number": ownership.unit_key[0]},
            )
    shares = _shares(plan, registry, errors)
    _check_known_ids(plan, errors)
    return OwnerResolution(registry, new_units, shares)


def _held_shares(unit_ids: set[int]) -> dict[int, Decimal]:
    held: dict[int, Decimal] = {}
    for chunk in batches(sorted(unit_ids), LOOKUP_BATCH):
        rows = (
            Ownership.objects.active()
            .filter(unit_id__in=chunk)
            .order_by()
            .values("unit_id")
            .annotate(total=Sum("share"))
            .values_list("unit_id", "total")
        )
        held.update(rows)
    return held


def _shares(plan: OwnerPlan, registry: Registry, errors: ErrorLog) -> list[Decimal]:
    """Explicit shares count in row order; blank ones split the rest of the unit."""
    held = _held_shares({registry.units[k] for k in plan.units if k in registry.units})
    by_unit: dict[UnitKey, list[int]] = defaultdict(list)
    for index, ownership in enumerate(plan.ownerships):
        if ownership.is_active:
            by_unit[ownership.unit_key].append(index)
    shares = [ownership.share or _HUNDRED for ownership in plan.ownerships]
    for key, indexes in by_unit.items():
        unit_id = registry.units.get(key)
        total = held.get(unit_id, Decimal(0)) if unit_id else Decimal(0)
        blanks = []
        for index in indexes:
            share = plan.ownerships[index].share
            if share is None:
                blanks.append(index)
                continue
            if total + share > _HUNDRED:
                errors.add(
                    plan.ownerships[index].row,
                    "share",
                    "share_exceeded",
                    SHARE_EXCEEDED % {"held": total},
                )
            total += share
        each = ((_HUNDRED - total) / len(blanks)).quantize(_CENT, ROUND_DOWN) if blanks else 0
        for index in blanks:
            shares[index] = Decimal(each)
            if each <= 0:
                errors.add(
                    plan.ownerships[index].row,
                    "share",
                    "share_exceeded",
                    SHARE_EXCEEDED % {"held": total},
                )
    return shares


def _check_known_ids(plan: OwnerPlan, errors: ErrorLog) -> None:
    # An owner with an ID number is keyed by it (see rows._owner_key).
    rows = {
        id_number_index(key): row
        for key, (row, _name) in plan.owner_index.items()
        if isinstance(key, str)
    }
    for chunk in batches(rows, LOOKUP_BATCH):
        known = set(
            Owner.objects.filter(id_number_index__in=chunk).values_list(
                "id_number_index", flat=True
            )
        )
        for digest in chunk:
            if digest in known:
                errors.add(
                    rows[digest],
                    "id_number",
                    "duplicate_owner",
                    _("An owner with this ID number already exists."),
                )


# --- write: inside the commit transaction -----------------------------------------------


def write(plan: OwnerPlan, resolution: OwnerResolution, context: WriteContext) -> dict[str, int]:
    registry = resolution.registry
    layouts_before = len(registry.layouts)
    created_units = create_units(registry, resolution.new_units, context)
    registry.units.update(created_units)
    rows = _OwnerRows(plan, resolution, context)
    write_batches(rows.batches())
    link_owner_projects(rows.owner_ids.values())
    return {
        "owners": plan.owner_count(),
        "ownerships": len(plan.ownerships),
        "units": len(created_units),
        "layouts": len(registry.layouts) - layouts_before,
    }


def _new_owner(record: OwnerRecord, project_id: int) -> Owner:
    """An unsaved owner, filled by the same helper as services.owner_create."""
    sms, phone, wechat, email = record.consents
    data = OwnerInput(
        project_id=project_id,
        name=record.name,
        kind=record.kind,
        gender=record.gender,
        birth_date=record.birth_date,
        id_type=record.id_type,
        id_number=record.id_number or "",
        email=record.email,
        address=record.address,
        preferences=record.preferences,
        special_needs=record.special_needs,
        tags=list(record.tags),
        consent_sms=sms,
        consent_phone=phone,
        consent_wechat=wechat,
        consent_email=email,
    )
    clean = CleanOwner(
        data=data,
        id_number=record.id_number,
        gender=record.gender,
        birth_date=record.birth_date,
        phones=record.clean_phones(),
    )
    owner = Owner()
    apply_clean_owner(owner, clean)
    return owner


def _tag_ids(plan: OwnerPlan) -> dict[str, int]:
    names = plan.tags
    Tag.objects.bulk_create([Tag(name=name) for name in sorted(names)], ignore_conflicts=True)
    found: dict[str, int] = {}
    for chunk in batches(sorted(names), LOOKUP_BATCH):
        found.update(Tag.objects.filter(name__in=chunk).values_list("name", "pk"))
    return found


class _OwnerRows:
    """Batches of owners (with phones, search keys, tags, event, change log), then of
    ownerships. Built in the main thread: ids, tags and content types are looked up
    here; `batches` runs in the pipeline's worker and never queries."""

    def __init__(self, plan: OwnerPlan, resolution: OwnerResolution, context: WriteContext):
        self.plan, self.shares, self.context = plan, resolution.shares, context
        self.unit_ids = resolution.registry.units
        self.owners = Table(
            Owner, exclude={"name_pinyin", "name_initials", "updated_at"}
        )  # as owner_view
        self.phones = Table(OwnerPhone, _PHONE_ATTRS)
        self.keys = Table(OwnerSearchKey, ("owner_id", "key"))
        self.tags = Table(Owner.tags.through, ("owner_id", "tag_id"))
        self.events = Table(OwnerEvent, ("owner_id", "kind", "at", "actor_id", "data"))
        self.ownerships = Table(Ownership, exclude={"updated_at"})  # as services.ownership_view
        self.owner_log = CreationLog(Owner, context)
        self.ownership_log = CreationLog(Ownership, context)
        self.actor_id = context.actor.pk if getattr(context.actor, "pk", None) else None
        self.tag_ids = _tag_ids(plan)
        ids = allocate_ids(Owner, plan.owner_count())
        self.owner_ids = dict(zip(plan.owner_index, ids, strict=True))
        self.ownership_ids = allocate_ids(Ownership, len(plan.ownerships))

    def batches(self) -> Iterator[Batch]:
        units_of: dict[OwnerKey, list[UnitKey]] = defaultdict(list)
        for ownership in self.plan.ownerships:
            units_of[ownership.owner_key].append(ownership.unit_key)
        names: dict[int, str] = {}
        for chunk in batches(self.plan.owners()):
            yield self._owner_batch(chunk, units_of, names)
        del units_of
        links = zip(self.plan.ownerships, self.shares, self.ownership_ids, strict=True)
        for links_chunk in batches(links):
            yield self._ownership_batch(links_chunk, names)

    def _owner_batch(
        self,
        chunk: list[tuple[OwnerKey, OwnerRecord]],
        units_of: dict[OwnerKey, list[UnitKey]],
        names: dict[int, str],
    ) -> Batch:
        now = timezone.now()
        owners: list[list[Any]] = []
        phones: list[list[Any]] = []
        keys: list[list[Any]] = []
        tags: list[list[Any]] = []
        events: list[list[Any]] = []
        logs: list[tuple[int, str, dict[str, Any]]] = []
        for key, record in chunk:
            owner = _new_owner(record, self.context.project_id)
            owner.pk = pk = self.owner_ids[key]
            owner.created_at = owner.updated_at = now
            names[pk] = owner.name
            values = {name: getattr(owner, name) for name in self.owners.attnames}
            owners.append(self.owners.row(values))
            # What services.phone_rows makes, without an OwnerPhone instance per phone.
            masked = []
            for index, (kind, number) in enumerate(record.phones):
                protected = protect_phone(number)
                masked.append(protected.masked)
                phones.append(
                    [pk, kind, "", protected.cipher, protected.index, protected.masked, index == 0]
                )
            # The keys of services.search_keys_for, without one model instance per key;
            # the name was converted once, by apply_clean_owner (name_readings is cached).
            readings = name_readings(owner.name, is_company=owner.is_company)
            keys.extend([pk, search_key] for search_key in readings.search_keys)
            tags.extend([pk, self.tag_ids[name]] for name in record.tags)
            codes = [unit_code(*unit) for unit in units_of.pop(key, ())]
            events.append(self.events.prepared(
                (pk, OwnerEvent.Kind.IMPORTED.value, now, self.actor_id,
                 {"job": self.context.job_id, "units": codes})
            ))  # fmt: skip
            # The shape of services.owner_view, without its two queries per owner.
            view = self.owners.view(values)
            view["phones"] = masked
            view["tags"] = sorted(record.tags)
            logs.append((pk, owner.name, view))
        batch = Batch()
        for table, rows in (
            (self.owners, owners), (self.phones, phones), (self.keys, keys),
            (self.tags, tags), (self.events, events),
            (self.owner_log.table, self.owner_log.rows(logs)),
        ):  # fmt: skip
            batch.add(table, rows)
        return batch

    def _ownership_batch(
        self, chunk: list[tuple[OwnershipRecord, Decimal, int]], names: dict[int, str]
    ) -> Batch:
        now = timezone.now()
        rows, logs = [], []
        for ownership, share, pk in chunk:
            unit_key = ownership.unit_key
            values = self.ownerships.complete(
                {
                    "id": pk,
                    "owner_id": self.owner_ids[ownership.owner_key],
                    "unit_id": self.unit_ids[unit_key],
                    "share": share,
                    "status": ownership.status,
                    "subscription_date": ownership.subscription_date,
                    "contract_date": ownership.contract_date,
                    "handover_date": ownership.handover_date,
                },
                now,
            )
            rows.append(self.ownerships.row(values))
            label = f"{names[values['owner_id']]} · {unit_code(*unit_key)}"
            logs.append((pk, label, self.ownerships.view(values)))
        batch = Batch()
        batch.add(self.ownerships, rows)
        batch.add(self.ownership_log.table, self.ownership_log.rows(logs))
        return batch
