"""Check the rows of the owner sheet: the pure rules, and in-file duplicates.

One row is one ownership. Rows with the same ID number are the same owner: its owner
columns are read from the first of them, and a later row with another name is an error.
Validation uses the pure rules (ID numbers, phones, dates) and in-memory sets only; the
database is asked in `commit.resolve`.
"""

from collections.abc import Iterable
from datetime import date
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from anju.imports.spec import ParsedRow
from anju.imports.workbook import ErrorLog
from anju.owners.importer.plan import (
    OwnerKey,
    OwnerPlan,
    OwnerRecord,
    OwnershipRecord,
    Phone,
    Shared,
)
from anju.owners.models import Owner, OwnerPhone, Ownership
from anju.owners.rules.idnumbers import IdNumberError, check_identity_consistency, parse_id_number
from anju.owners.rules.idtypes import IdType
from anju.owners.rules.phones import PhoneError, normalize_mobile, normalize_phone
from anju.properties.importer import UnitKey, UnitRecord, unit_key

_DATE_ORDER = ("subscription_date", "contract_date", "handover_date")
_CONSENTS = ("sms", "phone", "wechat", "email")
_MOBILE = OwnerPhone.Kind.MOBILE.value
# A row failing on one of these has no usable owner (its ownership is still checked).
_OWNER_FIELDS = frozenset(
    {
        "kind",
        "name",
        "gender",
        "birth_date",
        "id_type",
        "id_number",
        "mobile",
        "other_phones",
        "email",
    }
)

# --- check: the rows alone --------------------------------------------------------------


class _RowCheck:
    def __init__(self, row: ParsedRow, errors: ErrorLog) -> None:
        self.row, self.errors = row, errors
        self.failed = bool(row.failed & _OWNER_FIELDS)

    def error(self, field_name: str, code: str, message: object) -> None:
        self.failed = True
        self.errors.add(self.row.number, field_name, code, message)


class _Checker:
    """The state of one pass over the rows: the plan and the in-file indexes."""

    def __init__(self, errors: ErrorLog, today: date) -> None:
        self.errors, self.today = errors, today
        self.plan = OwnerPlan()
        self.pairs: set[tuple[OwnerKey, UnitKey]] = set()
        self.shared = Shared()

    def row(self, row: ParsedRow) -> None:
        self.plan.rows += 1
        key = self.owner(_RowCheck(row, self.errors))
        self.ownership(row, key if key is not None else ("row", str(row.number)))

    def owner(self, check: _RowCheck) -> OwnerKey | None:
        row = check.row
        kind = row.get("kind", Owner.Kind.PERSON.value)
        company = kind == Owner.Kind.COMPANY
        id_type = row.get("id_type") or (
            IdType.BUSINESS_LICENCE.value if company else IdType.RESIDENT_ID.value
        )
        _check_basics(check, company, id_type, self.today)
        number, gender, birth_date = _check_identity(check, id_type, self.today)
        phones = _check_phones(check)
        if not number and not company and not phones and not check.failed:
            check.error("id_number", "required", _("Enter an ID number or at least one phone."))
        _check_email(check)
        if check.failed:
            return None
        shared = self.shared
        consents = tuple(bool(row.get(f"consent_{name}", False)) for name in _CONSENTS)
        record = OwnerRecord(
            row=row.number,
            kind=kind,
            name=row.get("name", ""),
            gender=gender or "",
            birth_date=shared(birth_date),
            id_type=id_type,
            id_number=number,
            phones=phones,
            email=row.get("email", ""),
            address=row.get("address", ""),
            preferences=row.get("preferences", ""),
            special_needs=row.get("special_needs", ""),
            tags=shared(tuple(dict.fromkeys(row.get("tags", ())))),
            consents=shared(consents),
        )
        key = _owner_key(record)
        first = self.plan.add_owner(key, record)
        if first is not None and first[1] != record.name:
            check.error(
                "id_number",
                "duplicate_owner",
                _("Row %(row)s has this ID number with another name.") % {"row": first[0]},
            )
            return None
        return key

    def ownership(self, row: ParsedRow, owner: OwnerKey) -> None:
        key = unit_key(row)
        if key is None:
            return
        shared, plan = self.shared, self.plan
        key = shared(key)  # one tuple per unit, shared by its co-owners and plan.units
        dates = [(name, row.get(name)) for name in _DATE_ORDER if row.get(name)]
        for (_earlier_name, earlier), (later_name, later) in pairwise(dates):
            if earlier > later:
                self.errors.add(
                    row.number,
                    later_name,
                    "date_order",
                    _("This date is before an earlier step of the purchase."),
                )
        record = OwnershipRecord(
            row=row.number,
            owner_key=owner,
            unit_key=key,
            share=shared(row.get("share")),
            status=row.get("status", Ownership.Status.CONTRACTED.value),
            subscription_date=shared(row.get("subscription_date")),
            contract_date=shared(row.get("contract_date")),
            handover_date=shared(row.get("handover_date")),
        )
        if record.is_active and (owner, key) in self.pairs:
            self.errors.add(
                row.number, "room", "duplicate_ownership", _("This owner already holds this unit.")
            )
            return
        if record.is_active:
            self.pairs.add((owner, key))
        plan.ownerships.append(record)
        if key not in plan.units:
            plan.units[key] = UnitRecord(
                row=row.number,
                floor=row.get("floor"),
                layout=shared(row.get("layout", "")),
                building_area=shared(row.get("building_area")),
            )


def check_rows(rows: Iterable[ParsedRow], errors: ErrorLog, *, today: date) -> OwnerPlan:
    checker = _Checker(errors, today)
    for row in rows:
        checker.row(row)
    checker.plan.flush()
    return checker.plan


def _owner_key(record: OwnerRecord) -> OwnerKey:
    """Same ID number = same owner; without one, the same name and primary phone."""
    if record.id_number:
        return record.id_number
    if record.phones:
        return ("phone", record.name, record.phones[0][1])
    return ("name", record.kind, record.name)


def _check_basics(check: _RowCheck, company: bool, id_type: str, today: date) -> None:
    birth_date = check.row.get("birth_date")
    if birth_date and birth_date > today:
        check.error("birth_date", "future_date", _("The birth date cannot be in the future."))
    elif birth_date and birth_date.year < 1900:
        check.error("birth_date", "implausible_date", _("The birth date is not plausible."))
    if company and id_type != IdType.BUSINESS_LICENCE:
        check.error("id_type", "id_type", _("A company is identified by its credit code."))
    if not company and id_type == IdType.BUSINESS_LICENCE:
        check.error("id_type", "id_type", _("A person cannot hold a credit code."))


def _check_identity(
    check: _RowCheck, id_type: str, today: date
) -> tuple[str | None, str | None, date | None]:
    gender, birth_date = check.row.get("gender"), check.row.get("birth_date")
    raw = check.row.get("id_number", "")
    if not raw:
        return None, gender, birth_date
    try:
        parsed = parse_id_number(id_type, raw, today=today)  # parsed once, kept
    except IdNumberError as exc:
        check.error("id_number", exc.code, exc.message)
        return None, gender, birth_date
    number, resident = parsed.number, parsed.resident
    if resident is not None:  # a resident-ID layout: birth date and gender must agree
        try:
            check_identity_consistency(resident, birth_date=birth_date, gender=gender)
        except IdNumberError as exc:
            field_name = "gender" if exc.code == "id_gender_mismatch" else "birth_date"
            check.error(field_name, exc.code, exc.message)
        gender, birth_date = resident.gender, resident.birth_date
    return number, gender, birth_date


def _check_phones(check: _RowCheck) -> tuple[Phone, ...]:
    """The 手机号 column must hold a mainland mobile; 其他电话 may hold any line."""
    phones: list[Phone] = []
    mobile = check.row.get("mobile", "")
    if mobile:
        try:
            phones.append((_MOBILE, normalize_mobile(mobile)))
        except PhoneError as exc:
            check.error("mobile", exc.code, exc.message)
    for raw in check.row.get("other_phones", ()):
        try:
            kind, number = normalize_phone(raw)
        except PhoneError as exc:
            check.error("other_phones", exc.code, exc.message)
            continue
        if any(known == number for _kind, known in phones):
            check.error("other_phones", "duplicate_phone", _("The same phone is listed twice."))
            continue
        phones.append((kind, number))
    return tuple(phones)


def _check_email(check: _RowCheck) -> None:
    email = check.row.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            check.error("email", "invalid_email", _("Enter a valid email address."))
