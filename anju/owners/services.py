"""Write path for owner files. Each function runs in one transaction, writes the change
log and a typed owner event, and never lets clear personal data leave memory."""

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.audit.services import log_change, log_personal_data_access, snapshot
from anju.owners.inputs import CleanOwner, CleanPhone, OwnerInput
from anju.owners.models import Owner, OwnerEvent, OwnerPhone, OwnerSearchKey, Ownership, Tag
from anju.owners.personal_data import protect_id_number, protect_phone
from anju.owners.reach import add_owner_project, link_owner_projects
from anju.owners.rules.names import name_initials, name_pinyin, name_search_keys
from anju.owners.validation import clean_owner_input
from anju.properties.models import Unit
from anju.security import crypto

REVEAL_PERM = "owners.reveal_personal_data"
_OWNER_FIELDS = (
    "project_id",
    "kind",
    "name",
    "email",
    "address",
    "preferences",
    "special_needs",
    "id_type",
    "consent_sms",
    "consent_phone",
    "consent_wechat",
    "consent_email",
)


def owner_view(owner: Owner) -> dict[str, Any]:
    """The change-log view of an owner: masked personal data, phones and tags included."""
    data = snapshot(owner, exclude={"name_pinyin", "name_initials", "updated_at"})
    data["phones"] = [p.number_masked for p in owner.phones.all()]
    data["tags"] = sorted(t.name for t in owner.tags.all())
    return data


def apply_clean_owner(owner: Owner, clean: CleanOwner) -> None:
    """Copy validated input onto an unsaved or existing owner (no save)."""
    for name in _OWNER_FIELDS:
        setattr(owner, name, getattr(clean.data, name))
    owner.name = owner.name.strip()
    owner.name_pinyin = name_pinyin(owner.name, is_company=owner.is_company)
    # Stored so that search can rank usual readings first without running pypinyin.
    owner.name_initials = name_initials(owner.name, is_company=owner.is_company)
    owner.gender = clean.gender
    owner.birth_date = clean.birth_date
    if clean.id_number is not None:
        protected = protect_id_number(clean.id_number)
        owner.id_number_cipher = protected.cipher
        owner.id_number_index = protected.index
        owner.id_number_masked = protected.masked


def search_keys_for(owner: Owner) -> list[OwnerSearchKey]:
    keys = name_search_keys(owner.name, is_company=owner.is_company)
    return [OwnerSearchKey(owner=owner, key=key) for key in keys]


def phone_rows(owner: Owner, phones: list[CleanPhone]) -> list[OwnerPhone]:
    rows = []
    for phone in phones:
        protected = protect_phone(phone.number)
        rows.append(
            OwnerPhone(
                owner=owner,
                kind=phone.kind,
                label=phone.label,
                is_primary=phone.is_primary,
                number_cipher=protected.cipher,
                number_index=protected.index,
                number_masked=protected.masked,
            )
        )
    return rows


def _record(owner: Owner, kind: str, actor: Any, **data: Any) -> None:
    OwnerEvent.objects.create(
        owner=owner, kind=kind, actor=actor if getattr(actor, "pk", None) else None, data=data
    )


def _set_tags(owner: Owner, names: list[str]) -> None:
    tags = [Tag.objects.get_or_create(name=name.strip())[0] for name in names if name.strip()]
    owner.tags.set(tags)


@transaction.atomic
def owner_create(*, actor: Any, data: OwnerInput, today: date | None = None) -> Owner:
    clean = clean_owner_input(data, today=today or timezone.localdate())
    owner = Owner()
    apply_clean_owner(owner, clean)
    owner.save()
    add_owner_project(owner.pk, owner.project_id)
    OwnerSearchKey.objects.bulk_create(search_keys_for(owner))
    OwnerPhone.objects.bulk_create(phone_rows(owner, clean.phones or []))
    _set_tags(owner, data.tags)
    log_change(actor=actor, instance=owner, action="create", before=None, after=owner_view(owner))
    _record(owner, OwnerEvent.Kind.CREATED, actor)
    return owner


@transaction.atomic
def owner_update(*, actor: Any, owner: Owner, data: OwnerInput, today: date | None = None) -> Owner:
    owner = Owner.objects.select_for_update().get(pk=owner.pk)
    before = owner_view(owner)
    registered_in = owner.project_id
    clean = clean_owner_input(data, today=today or timezone.localdate(), existing=owner)
    apply_clean_owner(owner, clean)
    owner.save()
    if owner.project_id != registered_in:
        link_owner_projects([owner.pk])
    if before["name"] != owner.name or before["kind"] != owner.kind:
        owner.search_keys.all().delete()
        OwnerSearchKey.objects.bulk_create(search_keys_for(owner))
    if clean.phones is not None:
        owner.phones.all().delete()
        OwnerPhone.objects.bulk_create(phone_rows(owner, clean.phones))
    _set_tags(owner, data.tags)
    after = owner_view(owner)
    entry = log_change(actor=actor, instance=owner, action="update", before=before, after=after)
    if entry is not None:
        _record(owner, OwnerEvent.Kind.UPDATED, actor, fields=entry.changed_fields())
    return owner


@transaction.atomic
def owner_reveal_personal_data(*, actor: Any, owner: Owner, reason: str) -> dict[str, Any]:
    """Decrypt the owner's ID number and phones for one screen, and log who asked why."""
    if not actor.has_perm(REVEAL_PERM):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(_("Say why you need the full values."), code="reason_required")
                ]
            }
        )
    revealed = {
        "id_number": crypto.decrypt(owner.id_number_cipher) if owner.id_number_cipher else "",
        "phones": [
            {"label": p.label, "number": crypto.decrypt(p.number_cipher)}
            for p in owner.phones.all()
        ],
    }
    log_personal_data_access(
        actor=actor,
        action="reveal",
        fields="id_number,phones",
        reason=reason,
        subject=owner,
    )
    _record(owner, OwnerEvent.Kind.PERSONAL_DATA_REVEALED, actor, reason=reason)
    return revealed


def _check_share(unit: Unit, share: Decimal, exclude_pk: Any = None) -> None:
    held = Ownership.objects.active().filter(unit=unit).exclude(pk=exclude_pk).aggregate(
        total=Sum("share")
    )["total"] or Decimal(0)
    if held + share > 100:
        raise ValidationError(
            {
                "share": [
                    ValidationError(
                        _("The unit's shares would exceed 100%% (already held: %(held)s%%).")
                        % {"held": held},
                        code="share_exceeded",
                    )
                ]
            }
        )


def _check_dates(values: dict[str, Any]) -> None:
    order = ["subscription_date", "contract_date", "handover_date"]
    dates: list[tuple[str, Any]] = [(n, values.get(n)) for n in order if values.get(n)]
    for (_first, a), (second, b) in itertools.pairwise(dates):
        if a > b:
            raise ValidationError(
                {
                    second: [
                        ValidationError(
                            _("This date is before an earlier step of the purchase."),
                            code="date_order",
                        )
                    ]
                }
            )


def ownership_view(ownership: Ownership) -> dict[str, Any]:
    """The change-log view of an ownership (no timestamp, so a no-op save logs nothing)."""
    return snapshot(ownership, exclude={"updated_at"})


@transaction.atomic
def ownership_create(*, actor: Any, owner: Owner, unit: Unit, **values: Any) -> Ownership:
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    share = Decimal(values.get("share", 100))
    _check_share(unit, share)
    _check_dates(values)
    if Ownership.objects.active().filter(owner=owner, unit=unit).exists():
        raise ValidationError(
            {
                "unit": [
                    ValidationError(
                        _("This owner already holds this unit."), code="duplicate_ownership"
                    )
                ]
            }
        )
    ownership = Ownership.objects.create(owner=owner, unit=unit, **values)
    add_owner_project(owner.pk, unit.project_id)
    log_change(
        actor=actor,
        instance=ownership,
        action="create",
        before=None,
        after=ownership_view(ownership),
    )
    _record(owner, OwnerEvent.Kind.OWNERSHIP_ADDED, actor, unit=unit.code, status=ownership.status)
    return ownership


@transaction.atomic
def ownership_update(*, actor: Any, ownership: Ownership, **values: Any) -> Ownership:
    ownership = Ownership.objects.select_for_update().select_related("unit").get(pk=ownership.pk)
    before = ownership_view(ownership)
    merged = {**before, **values}
    if merged["status"] not in Ownership.ENDED:
        _check_share(ownership.unit, Decimal(merged["share"]), exclude_pk=ownership.pk)
    for name, value in values.items():
        setattr(ownership, name, value)
    _check_dates(snapshot(ownership))
    ownership.save()
    entry = log_change(
        actor=actor,
        instance=ownership,
        action="update",
        before=before,
        after=ownership_view(ownership),
    )
    if entry is not None:
        _record(
            ownership.owner,
            OwnerEvent.Kind.OWNERSHIP_CHANGED,
            actor,
            unit=ownership.unit.code,
            fields=entry.changed_fields(),
        )
    return ownership
