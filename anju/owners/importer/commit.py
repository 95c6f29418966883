"""Resolve the owner plan against the database, and write it in bulk.

`resolve` asks with a few set-based queries (ID digests in batches of 1,000), never once
per row. `write` runs inside the commit transaction and bulk-inserts in batches with the
helpers `owner_create` uses (apply_clean_owner, phone_rows, the keys of search_keys_for),
with one change-log row and one "imported" event per owner.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.audit.services import snapshot
from anju.imports.bulk import (
    AuditTrail,
    WriteContext,
    batches,
    create_logged,
    insert_rows,
    save_new,
)
from anju.imports.workbook import ErrorLog
from anju.owners.importer.rows import OwnerKey, OwnerPlan, OwnerRecord
from anju.owners.inputs import CleanOwner, OwnerInput
from anju.owners.models import Owner, OwnerEvent, OwnerPhone, OwnerSearchKey, Ownership, Tag
from anju.owners.personal_data import id_number_index
from anju.owners.rules.names import name_search_keys
from anju.owners.services import apply_clean_owner, ownership_view, phone_rows
from anju.properties.importer import (
    Registry,
    UnitKey,
    UnitRecord,
    check_new_unit,
    create_units,
)
from anju.properties.models import unit_code

LOOKUP_BATCH = 1_000
_PHONE_FIELDS = ("owner", "kind", "label", "number_cipher", "number_index", "number_masked",
                 "is_primary")  # fmt: skip
_PHONE_ATTRS = ("owner_id", *_PHONE_FIELDS[1:])
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
    rows = {
        id_number_index(record.id_number): record.row
        for record in plan.owners.values()
        if record.id_number
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
    trail = AuditTrail(context)
    layouts_before = len(resolution.registry.layouts)
    created_units = create_units(resolution.registry, resolution.new_units, context, trail)
    unit_ids = resolution.registry.units
    unit_ids.update(created_units)
    owners = _create_owners(plan, context, trail)
    links = (
        Ownership(
            owner_id=owners[o.owner_key][0],
            unit_id=unit_ids[o.unit_key],
            share=share,
            status=o.status,
            subscription_date=o.subscription_date,
            contract_date=o.contract_date,
            handover_date=o.handover_date,
        )
        for o, share in zip(plan.ownerships, resolution.shares, strict=True)
    )
    codes = {unit_ids[key]: unit_code(*key) for key in plan.units}
    names = dict(owners.values())
    create_logged(
        Ownership,
        links,
        trail,
        view=ownership_view,
        label=lambda o: f"{names[o.owner_id]} · {codes[o.unit_id]}",
    )
    return {
        "owners": len(owners),
        "ownerships": len(plan.ownerships),
        "units": len(created_units),
        "layouts": len(resolution.registry.layouts) - layouts_before,
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
    names = {name for record in plan.owners.values() for name in record.tags}
    Tag.objects.bulk_create([Tag(name=name) for name in sorted(names)], ignore_conflicts=True)
    found: dict[str, int] = {}
    for chunk in batches(sorted(names), LOOKUP_BATCH):
        found.update(Tag.objects.filter(name__in=chunk).values_list("name", "pk"))
    return found


def _create_owners(
    plan: OwnerPlan, context: WriteContext, trail: AuditTrail
) -> dict[OwnerKey, tuple[int, str]]:
    """Owners batch by batch, each with its search keys, phones, tags, event and log."""
    units_of: dict[OwnerKey, list[UnitKey]] = defaultdict(list)
    for ownership in plan.ownerships:
        units_of[ownership.owner_key].append(ownership.unit_key)
    tag_ids = _tag_ids(plan)
    created: dict[OwnerKey, tuple[int, str]] = {}
    for chunk in batches(plan.owners.items()):
        owners = save_new(Owner, [_new_owner(record, context.project_id) for _k, record in chunk])
        pairs = list(zip(owners, chunk, strict=True))
        for owner, (key, _record) in pairs:
            created[key] = (owner.pk, owner.name)
        views = _write_children(pairs, tag_ids)
        same = {"kind": OwnerEvent.Kind.IMPORTED.value, "at": timezone.now(),
                "actor": trail.actor_id}  # fmt: skip
        insert_rows(OwnerEvent, ("owner", "data"), (
            (owner.pk, {"job": context.job_id,
                        "units": [unit_code(*unit) for unit in units_of.pop(key, ())]})
            for owner, (key, _record) in pairs
        ), same=same)  # fmt: skip
        trail.created(owners, view=_owner_view(views))
    return created


def _write_children(
    pairs: list[tuple[Owner, tuple[OwnerKey, OwnerRecord]]], tag_ids: dict[str, int]
) -> dict[int, dict[str, Any]]:
    """Phones, search keys and tag links of one batch; returns the change-log extras."""
    phones: list[OwnerPhone] = []
    views: dict[int, dict[str, Any]] = {}
    for owner, (_key, record) in pairs:
        rows = phone_rows(owner, record.clean_phones())
        phones.extend(rows)
        views[owner.pk] = {"phones": [p.number_masked for p in rows], "tags": sorted(record.tags)}
    insert_rows(OwnerPhone, _PHONE_FIELDS, (
        [getattr(phone, name) for name in _PHONE_ATTRS] for phone in phones
    ))  # fmt: skip
    # The keys of services.search_keys_for, without one model instance per key.
    insert_rows(OwnerSearchKey, ("owner", "key"), (
        (owner.pk, key)
        for owner, _item in pairs
        for key in name_search_keys(owner.name, is_company=owner.is_company)
    ))  # fmt: skip
    insert_rows(Owner.tags.through, ("owner", "tag"), (
        (owner.pk, tag_ids[name]) for owner, (_key, record) in pairs for name in record.tags
    ))  # fmt: skip
    return views


def _owner_view(extra: dict[int, dict[str, Any]]) -> Any:
    """Same shape as services.owner_view, without its two queries per owner."""
    return lambda owner: {
        **snapshot(owner, exclude={"name_pinyin", "updated_at"}),
        **extra[owner.pk],
    }
