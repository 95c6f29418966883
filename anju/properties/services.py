"""Write path for the property registry: project → phase → building → unit, and layouts.

Every function runs in one transaction, keeps the denormalised `project` copies and the
derived unit code right, and writes a change-log row with before/after values. Bad input
raises django ValidationError with a dict of field errors, each with a machine code.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from anju.audit.services import log_change, snapshot
from anju.properties.models import Building, Layout, Phase, Project, Unit, unit_code

Errors = dict[str, list[ValidationError]]

PROJECT_FIELDS = ("code", "name", "city", "address")
PHASE_FIELDS = ("name", "sort_order", "launched_on")
LAYOUT_FIELDS = ("name", "bedrooms", "living_rooms", "bathrooms")
BUILDING_FIELDS = ("phase", "number", "floors", "delivery_date")
UNIT_FIELDS = (
    "building",
    "entrance",
    "room",
    "floor",
    "layout",
    "building_area",
    "delivery_date",
    "warranty_start",
)
_TIMESTAMPS = {"created_at", "updated_at"}
_CENTS = Decimal("0.01")
_MAX_AREA = Decimal("1000000")  # the column holds 8 digits, 2 after the point


class _Check:
    """Collects field errors and raises them together."""

    def __init__(self) -> None:
        self.errors: Errors = {}

    def add(self, field: str, message: Any, code: str) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _view(instance: Any) -> dict[str, Any]:
    return snapshot(instance, exclude=_TIMESTAMPS)


def _apply(instance: Any, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Copy values onto the row; unknown fields and over-long text are field errors."""
    check = _Check()
    for name in sorted(set(data) - set(allowed)):
        check.add(name, _("This field cannot be changed here."), "not_editable")
    check.raise_if_any()
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
            limit = instance._meta.get_field(name).max_length
            if limit and len(value) > limit:
                check.add(
                    name,
                    _("At most %(limit)s characters.") % {"limit": limit},
                    "max_length",
                )
        setattr(instance, name, value)
    check.raise_if_any()


def _required(check: _Check, instance: Any, *fields: str) -> None:
    for name in fields:
        if not getattr(instance, name):
            check.add(name, _("This field is required."), "required")


def changed_only(instance: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """What an edit really changes. A fixed field sent unchanged is no attempt to change
    it, and a warranty start left alone may follow a new delivery date."""
    return {name: value for name, value in data.items() if getattr(instance, name) != value}


def _log(actor: Any, instance: Any, before: dict[str, Any] | None) -> None:
    action = "create" if before is None else "update"
    log_change(actor=actor, instance=instance, action=action, before=before, after=_view(instance))


# --- Projects ---------------------------------------------------------------------------


def _validate_project(project: Project) -> None:
    check = _Check()
    _required(check, project, "code", "name")
    if project.code and not slug_re.match(project.code):
        check.add("code", _("Use letters, digits, hyphens or underscores."), "invalid")
    same_code = Project.objects.filter(code=project.code).exclude(pk=project.pk)
    if project.code and same_code.exists():
        check.add("code", _("Another project already uses this code."), "unique")
    check.raise_if_any()


@transaction.atomic
def project_create(
    *, actor: Any, code: str, name: str, city: str = "", address: str = ""
) -> Project:
    project = Project()
    _apply(project, {"code": code, "name": name, "city": city, "address": address}, PROJECT_FIELDS)
    _validate_project(project)
    project.save()
    _log(actor, project, None)
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, data: Mapping[str, Any]) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = _view(project)
    _apply(project, data, PROJECT_FIELDS)
    _validate_project(project)
    project.save()
    _log(actor, project, before)
    return project


# --- Phases -----------------------------------------------------------------------------


def _validate_phase(phase: Phase) -> None:
    check = _Check()
    _required(check, phase, "name")
    same_name = Phase.objects.filter(project_id=phase.project_id, name=phase.name)
    if phase.name and same_name.exclude(pk=phase.pk).exists():
        check.add("name", _("This project already has a phase with this name."), "unique")
    check.raise_if_any()


@transaction.atomic
def phase_create(
    *,
    actor: Any,
    project: Project,
    name: str,
    sort_order: int = 0,
    launched_on: date | None = None,
) -> Phase:
    phase = Phase(project=project)
    _apply(
        phase, {"name": name, "sort_order": sort_order, "launched_on": launched_on}, PHASE_FIELDS
    )
    _validate_phase(phase)
    phase.save()
    _log(actor, phase, None)
    return phase


@transaction.atomic
def phase_update(*, actor: Any, phase: Phase, data: Mapping[str, Any]) -> Phase:
    """The project of a phase is fixed: its buildings and units carry it too."""
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    before = _view(phase)
    _apply(phase, data, PHASE_FIELDS)
    _validate_phase(phase)
    phase.save()
    _log(actor, phase, before)
    return phase


# --- Layouts ----------------------------------------------------------------------------


def _validate_layout(layout: Layout) -> None:
    check = _Check()
    _required(check, layout, "name")
    same_name = Layout.objects.filter(project_id=layout.project_id, name=layout.name)
    if layout.name and same_name.exclude(pk=layout.pk).exists():
        check.add("name", _("This project already has a layout with this name."), "unique")
    check.raise_if_any()


@transaction.atomic
def layout_create(
    *,
    actor: Any,
    project: Project,
    name: str,
    bedrooms: int = 0,
    living_rooms: int = 0,
    bathrooms: int = 0,
) -> Layout:
    layout = Layout(project=project)
    values = {
        "name": name,
        "bedrooms": bedrooms,
        "living_rooms": living_rooms,
        "bathrooms": bathrooms,
    }
    _apply(layout, values, LAYOUT_FIELDS)
    _validate_layout(layout)
    layout.save()
    _log(actor, layout, None)
    return layout


@transaction.atomic
def layout_update(*, actor: Any, layout: Layout, data: Mapping[str, Any]) -> Layout:
    layout = Layout.objects.select_for_update().get(pk=layout.pk)
    before = _view(layout)
    _apply(layout, data, LAYOUT_FIELDS)
    _validate_layout(layout)
    layout.save()
    _log(actor, layout, before)
    return layout


# --- Buildings --------------------------------------------------------------------------


def _validate_building(building: Building, *, project_id: int | None = None) -> None:
    check = _Check()
    _required(check, building, "number")
    if building.phase_id is None:
        check.add("phase", _("This field is required."), "required")
        check.raise_if_any()
    phase = building.phase
    if project_id is not None and phase.project_id != project_id:
        check.add("phase", _("The phase belongs to another project."), "other_project")
    if building.floors is not None and building.floors < 1:
        check.add("floors", _("A building has at least one floor."), "min_value")
    same_number = Building.objects.filter(project_id=phase.project_id, number=building.number)
    if building.number and same_number.exclude(pk=building.pk).exists():
        check.add("number", _("This project already has a building with this number."), "unique")
    if building.pk and building.floors:
        too_high = building.units.filter(floor__gt=building.floors).exists()
        if too_high:
            check.add(
                "floors", _("Some units of this building are on higher floors."), "units_above"
            )
    check.raise_if_any()


@transaction.atomic
def building_create(
    *,
    actor: Any,
    phase: Phase,
    number: str,
    floors: int | None = None,
    delivery_date: date | None = None,
) -> Building:
    building = Building()
    values = {"phase": phase, "number": number, "floors": floors, "delivery_date": delivery_date}
    _apply(building, values, BUILDING_FIELDS)
    _validate_building(building)
    building.project_id = phase.project_id
    building.save()
    _log(actor, building, None)
    return building


def _refresh_unit_codes(building: Building) -> None:
    units = list(building.units.all())
    for unit in units:
        unit.refresh_code(building.number)
    Unit.objects.bulk_update(units, ["code"], batch_size=500)


@transaction.atomic
def building_update(*, actor: Any, building: Building, data: Mapping[str, Any]) -> Building:
    """A building may move to another phase of its project; a new number renames its units."""
    building = Building.objects.select_for_update().get(pk=building.pk)
    before = _view(building)
    _apply(building, data, BUILDING_FIELDS)
    _validate_building(building, project_id=building.project_id)
    building.save()
    if before["number"] != building.number:
        _refresh_unit_codes(building)
    _log(actor, building, before)
    return building


# --- Units ------------------------------------------------------------------------------


def _validate_unit(unit: Unit, *, project_id: int | None = None) -> None:
    check = _Check()
    _required(check, unit, "room")
    if unit.building_id is None:
        check.add("building", _("This field is required."), "required")
        check.raise_if_any()
    building = unit.building
    if project_id is not None and building.project_id != project_id:
        check.add("building", _("The building belongs to another project."), "other_project")
    _check_floor(check, unit, building)
    layout = unit.layout
    if layout is not None and layout.project_id != building.project_id:
        check.add("layout", _("The layout belongs to another project."), "other_project")
    _check_area(check, unit)
    if unit.delivery_date and unit.warranty_start and unit.warranty_start < unit.delivery_date:
        check.add(
            "warranty_start", _("The warranty cannot start before delivery."), "before_delivery"
        )
    same_room = Unit.objects.filter(building=building, entrance=unit.entrance, room=unit.room)
    if unit.room and same_room.exclude(pk=unit.pk).exists():
        check.add("room", _("This building already has this unit."), "unique")
    check.raise_if_any()


def _check_area(check: _Check, unit: Unit) -> None:
    if unit.building_area is None:
        return
    area = Decimal(unit.building_area).quantize(_CENTS)
    if area <= 0:
        check.add("building_area", _("The area must be greater than zero."), "not_positive")
    elif area >= _MAX_AREA:
        check.add("building_area", _("The area is too large."), "max_value")
    unit.building_area = area


def _check_floor(check: _Check, unit: Unit, building: Building) -> None:
    if unit.floor is None:
        check.add("floor", _("This field is required."), "required")
    elif unit.floor < 1:
        check.add("floor", _("The floor must be 1 or higher."), "floor_out_of_range")
    elif building.floors and unit.floor > building.floors:
        check.add(
            "floor",
            _("Building %(number)s has only %(floors)s floors.")
            % {"number": building.number, "floors": building.floors},
            "floor_out_of_range",
        )


def _derive_unit(unit: Unit) -> None:
    """Project and code follow the building; the warranty runs from delivery by default."""
    unit.project_id = unit.building.project_id
    unit.code = unit_code(unit.building.number, unit.entrance, unit.room)
    if unit.warranty_start is None and unit.delivery_date is not None:
        unit.warranty_start = unit.delivery_date


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    building: Building,
    room: str,
    floor: int,
    entrance: str = "",
    layout: Layout | None = None,
    building_area: Decimal | None = None,
    delivery_date: date | None = None,
    warranty_start: date | None = None,
) -> Unit:
    unit = Unit()
    values = {
        "building": building,
        "entrance": entrance,
        "room": room,
        "floor": floor,
        "layout": layout,
        "building_area": building_area,
        "delivery_date": delivery_date,
        "warranty_start": warranty_start,
    }
    _apply(unit, values, UNIT_FIELDS)
    _validate_unit(unit)
    _derive_unit(unit)
    unit.save()
    _log(actor, unit, None)
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, data: Mapping[str, Any]) -> Unit:
    """A unit may move to another building of its project; its code follows. A warranty
    that started on delivery keeps doing so when only the delivery date changes."""
    unit = Unit.objects.select_for_update().select_related("building").get(pk=unit.pk)
    before = _view(unit)
    follows_delivery = unit.warranty_start == unit.delivery_date
    _apply(unit, data, UNIT_FIELDS)
    if follows_delivery and "delivery_date" in data and "warranty_start" not in data:
        unit.warranty_start = None
    _validate_unit(unit, project_id=unit.project_id)
    _derive_unit(unit)
    unit.save()
    _log(actor, unit, before)
    return unit
