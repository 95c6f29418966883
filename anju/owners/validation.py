"""Validate owner input against the rules; every error names its field and has a code.

Forms, the API and the Excel importer all call `clean_owner_input`, so a bad ID number
reads the same everywhere and the services never see unchecked data.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anju.owners.inputs import CleanOwner, CleanPhone, OwnerInput, PhoneInput
from anju.owners.models import Owner
from anju.owners.personal_data import id_number_index
from anju.owners.rules.idnumbers import (
    IdNumberError,
    check_identity_consistency,
    normalize_id_number,
    parse_resident_id,
)
from anju.owners.rules.idtypes import IdType
from anju.owners.rules.phones import PhoneError, normalize_phone

Errors = dict[str, list[ValidationError]]

# ID types whose number carries the birth date and sex (GB 11643-1999 layout).
_RESIDENT_LAYOUT = {IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT}


def clean_owner_input(
    data: OwnerInput, *, today: date, existing: Owner | None = None
) -> CleanOwner:
    errors: Errors = {}
    _check_basics(data, today, errors)
    id_number, gender, birth_date = _clean_identity(data, today, existing, errors)
    phones = None if data.phones is None else _clean_phones(data.phones, errors)
    if errors:
        raise ValidationError(errors)
    return CleanOwner(
        data=data, id_number=id_number, gender=gender, birth_date=birth_date, phones=phones
    )


def _add(errors: Errors, field: str, message: Any, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _check_basics(data: OwnerInput, today: date, errors: Errors) -> None:
    if not data.name.strip():
        _add(errors, "name", _("Enter the owner's name."), "required")
    if data.kind not in Owner.Kind.values:
        _add(errors, "kind", _("Choose person or company."), "invalid_choice")
    if data.birth_date and data.birth_date > today:
        _add(errors, "birth_date", _("The birth date cannot be in the future."), "future_date")
    if data.birth_date and data.birth_date.year < 1900:
        _add(errors, "birth_date", _("The birth date is not plausible."), "implausible_date")
    if data.kind == Owner.Kind.COMPANY and data.id_type != IdType.BUSINESS_LICENCE:
        _add(errors, "id_type", _("A company is identified by its credit code."), "id_type")
    if data.kind == Owner.Kind.PERSON and data.id_type == IdType.BUSINESS_LICENCE:
        _add(errors, "id_type", _("A person cannot hold a credit code."), "id_type")


def _clean_identity(
    data: OwnerInput, today: date, existing: Owner | None, errors: Errors
) -> tuple[str | None, str, date | None]:
    gender, birth_date = data.gender, data.birth_date
    raw = data.id_number.strip()
    if not raw:
        if existing is None and data.kind == Owner.Kind.PERSON and not data.phones:
            _add(errors, "id_number", _("Enter an ID number or at least one phone."), "required")
        if existing is not None and _keeps_resident_number(data, existing):
            return None, *_kept_identity(data, existing, errors)
        return None, gender, birth_date
    try:
        number = normalize_id_number(data.id_type, raw, today=today)
    except IdNumberError as exc:
        _add(errors, "id_number", exc.message, exc.code)
        return None, gender, birth_date
    if data.id_type in _RESIDENT_LAYOUT:
        resident = parse_resident_id(number, today=today)
        try:
            check_identity_consistency(resident, birth_date=birth_date, gender=gender or None)
        except IdNumberError as exc:
            field = "gender" if exc.code == "id_gender_mismatch" else "birth_date"
            _add(errors, field, exc.message, exc.code)
        gender, birth_date = resident.gender, resident.birth_date
    duplicates = Owner.objects.filter(id_number_index=id_number_index(number))
    if existing is not None:
        duplicates = duplicates.exclude(pk=existing.pk)
    if duplicates.exists():
        _add(
            errors,
            "id_number",
            _("An owner with this ID number already exists."),
            "duplicate_owner",
        )
    return number, gender, birth_date


def _keeps_resident_number(data: OwnerInput, existing: Owner) -> bool:
    return (
        bool(existing.id_number_cipher)
        and data.id_type == existing.id_type
        and existing.id_type in _RESIDENT_LAYOUT
    )


def _kept_identity(data: OwnerInput, existing: Owner, errors: Errors) -> tuple[str, date | None]:
    """The stored number still decides birth date and sex; input may only agree with it."""
    if data.gender and data.gender != existing.gender:
        _add(errors, "gender", _("The sex does not match the ID number."), "id_gender_mismatch")
    if data.birth_date and data.birth_date != existing.birth_date:
        _add(
            errors,
            "birth_date",
            _("The birth date does not match the ID number."),
            "id_birth_date_mismatch",
        )
    return existing.gender, existing.birth_date


def _clean_phones(phones: list[PhoneInput], errors: Errors) -> list[CleanPhone]:
    cleaned: list[CleanPhone] = []
    seen: set[str] = set()
    for phone in (p for p in phones if p.number.strip()):
        try:
            kind, number = normalize_phone(phone.number)
        except PhoneError as exc:
            _add(errors, "phones", exc.message, exc.code)
            continue
        if number in seen:
            _add(errors, "phones", _("The same phone is listed twice."), "duplicate_phone")
            continue
        seen.add(number)
        cleaned.append(CleanPhone(kind, number, phone.label, phone.is_primary))
    return _one_primary(cleaned)


def _one_primary(phones: list[CleanPhone]) -> list[CleanPhone]:
    """Exactly one primary phone: the first marked one, else the first."""
    primary = next((i for i, p in enumerate(phones) if p.is_primary), 0)
    return [
        CleanPhone(p.kind, p.number, p.label, index == primary) for index, p in enumerate(phones)
    ]
