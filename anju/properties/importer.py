"""Import units from a sheet (房屋导入), and the unit look-up both imports share.

Phases, buildings and layouts named in the sheet are created when missing. A unit already
in the registry, or twice in the file, is an error: the import creates, it never edits.
The same rules as the property services apply (floor range, warranty not before delivery).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.imports.bulk import (
    Batch,
    CreationLog,
    Table,
    WriteContext,
    allocate_ids,
    batches,
    create_logged,
    write_batches,
)
from anju.imports.columns import UNIT_COLUMNS
from anju.imports.sealing import compact
from anju.imports.spec import Importer, ParsedRow
from anju.imports.workbook import ErrorLog
from anju.properties.models import Building, Layout, Phase, Unit, unit_code

TIMESTAMPS = ("created_at", "updated_at")

UnitKey = tuple[str, str, str]  # building number, entrance, room


@compact
@dataclass(slots=True)
class UnitRecord:
    """A unit to create; for the owner sheet only the detail columns are known."""

    row: int
    floor: int | None
    layout: str
    building_area: Decimal | None
    phase: str = ""
    delivery_date: date | None = None
    warranty_start: date | None = None


@dataclass
class UnitPlan:
    units: dict[UnitKey, UnitRecord] = field(default_factory=dict)
    rows: int = 0


@dataclass(slots=True)
class BuildingInfo:
    pk: int
    phase: str
    floors: int | None


@dataclass
class Registry:
    """What the project already holds, loaded with four queries."""

    project_id: int
    phases: dict[str, int]
    layouts: dict[str, int]
    buildings: dict[str, BuildingInfo]
    units: dict[UnitKey, int]

    @classmethod
    def load(cls, project_id: int) -> "Registry":
        phases = dict(Phase.objects.filter(project_id=project_id).values_list("name", "pk"))
        phase_names = {pk: name for name, pk in phases.items()}
        buildings = {
            number: BuildingInfo(pk, phase_names.get(phase_id, ""), floors)
            for number, pk, phase_id, floors in Building.objects.filter(
                project_id=project_id
            ).values_list("number", "pk", "phase_id", "floors")
        }
        numbers = {info.pk: number for number, info in buildings.items()}
        units = {
            (numbers[building_id], entrance, room): pk
            for building_id, entrance, room, pk in Unit.objects.filter(
                project_id=project_id
            ).values_list("building_id", "entrance", "room", "pk")
        }
        layouts = dict(Layout.objects.filter(project_id=project_id).values_list("name", "pk"))
        return cls(project_id, phases, layouts, buildings, units)


def unit_key(row: ParsedRow) -> UnitKey | None:
    building, room = row.get("building", ""), row.get("room", "")
    return (building, row.get("entrance", ""), room) if building and room else None


def check_new_unit(key: UnitKey, record: UnitRecord, floors: int | None, errors: ErrorLog) -> None:
    """Fill a blank floor from the room number and check it against the building."""
    if record.floor is None and key[2][:-2].isdigit():
        record.floor = int(key[2][:-2])
    if record.floor is None:
        errors.add(
            record.row,
            "floor",
            "required",
            _("Enter the floor: it cannot be read from the room number."),
        )
    elif record.floor < 1 or (floors and record.floor > floors):
        errors.add(
            record.row,
            "floor",
            "floor_out_of_range",
            _("The floor must be between 1 and the building's top floor."),
        )


def create_units(
    registry: Registry, new: dict[UnitKey, UnitRecord], context: WriteContext
) -> dict[UnitKey, int]:
    """Create missing layouts, then the units; returns the ids of the created units."""
    _create_named(Layout, registry.layouts, {r.layout for r in new.values()}, context)
    ids = dict(zip(new, allocate_ids(Unit, len(new)), strict=True))
    write_batches(_UnitRows(registry, context).batches(new, ids))
    return ids


class _UnitRows:
    """Batches of unit rows and their change-log rows (built in the pipeline's worker)."""

    def __init__(self, registry: Registry, context: WriteContext) -> None:
        self.registry, self.project_id = registry, context.project_id
        self.table = Table(Unit, exclude=TIMESTAMPS)  # the view of the property services
        self.log = CreationLog(Unit, context)

    def batches(self, new: dict[UnitKey, UnitRecord], ids: dict[UnitKey, int]) -> Iterator[Batch]:
        for chunk in batches(new.items()):
            now = timezone.now()
            rows, entries = [], []
            for key, record in chunk:
                values = self.table.complete(self._values(key, record, ids[key]), now)
                rows.append(self.table.row(values))
                entries.append((values["id"], values["code"], self.table.view(values)))
            batch = Batch()
            batch.add(self.table, rows)
            batch.add(self.log.table, self.log.rows(entries))
            yield batch

    def _values(self, key: UnitKey, record: UnitRecord, pk: int) -> dict[str, Any]:
        assert record.floor is not None, "check_new_unit fills or rejects a blank floor"
        return {
            "id": pk,
            "project_id": self.project_id,
            "building_id": self.registry.buildings[key[0]].pk,
            "entrance": key[1],
            "room": key[2],
            "code": unit_code(*key),
            "floor": record.floor,
            "layout_id": self.registry.layouts.get(record.layout),
            "building_area": record.building_area,
            "delivery_date": record.delivery_date,
            "warranty_start": record.warranty_start or record.delivery_date,
        }


def _create_named(
    model: Any, known: dict[str, int], names: Iterable[str], context: WriteContext
) -> None:
    missing = sorted({name for name in names if name and name not in known})
    objects = [model(project_id=context.project_id, name=name) for name in missing]
    known.update(zip(missing, create_logged(model, objects, context), strict=True))


# --- the units sheet --------------------------------------------------------------------


def check_rows(rows: Iterable[ParsedRow], errors: ErrorLog, *, today: date) -> UnitPlan:
    plan = UnitPlan()
    phase_of: dict[str, tuple[str, int]] = {}
    for row in rows:
        plan.rows += 1
        key = unit_key(row)
        if key is None:
            continue
        record = UnitRecord(
            row=row.number,
            floor=row.get("floor"),
            layout=row.get("layout", ""),
            building_area=row.get("building_area"),
            phase=row.get("phase", ""),
            delivery_date=row.get("delivery_date"),
            warranty_start=row.get("warranty_start"),
        )
        if (
            record.delivery_date
            and record.warranty_start
            and (record.warranty_start < record.delivery_date)
        ):
            errors.add(
                row.number,
                "warranty_start",
                "before_delivery",
                _("The warranty cannot start before delivery."),
            )
        if record.phase:
            first_phase, first_row = phase_of.setdefault(key[0], (record.phase, row.number))
            if first_phase != record.phase:
                errors.add(
                    row.number,
                    "phase",
                    "phase_mismatch",
                    _("Row %(row)s puts this building in another phase.") % {"row": first_row},
                )
        if plan.units.setdefault(key, record) is not record:
            errors.add(
                row.number,
                "room",
                "duplicate_unit",
                _("Row %(row)s has the same unit.") % {"row": plan.units[key].row},
            )
    return plan


def resolve(plan: UnitPlan, project_id: int, errors: ErrorLog) -> Registry:
    registry = Registry.load(project_id)
    new_buildings: dict[str, list[UnitRecord]] = defaultdict(list)
    for key, record in plan.units.items():
        if key in registry.units:
            errors.add(
                record.row, "room", "unit_exists", _("This unit is already in the registry.")
            )
            continue
        building = registry.buildings.get(key[0])
        if building is None:
            new_buildings[key[0]].append(record)
        elif record.phase and record.phase != building.phase:
            errors.add(
                record.row,
                "phase",
                "phase_mismatch",
                _("Building %(number)s belongs to phase %(phase)s.")
                % {"number": key[0], "phase": building.phase},
            )
        check_new_unit(key, record, building.floors if building else None, errors)
    for records in new_buildings.values():
        if not any(record.phase for record in records):
            errors.add(
                records[0].row,
                "phase",
                "phase_required",
                _("Enter the phase: the building is new."),
            )
    return registry


def write(plan: UnitPlan, registry: Registry, context: WriteContext) -> dict[str, int]:
    counts = {
        "phases": len(registry.phases),
        "buildings": len(registry.buildings),
        "layouts": len(registry.layouts),
    }
    _create_named(Phase, registry.phases, {r.phase for r in plan.units.values()}, context)
    _create_buildings(plan, registry, context)
    created = create_units(registry, plan.units, context)
    return {
        "units": len(created),
        "phases": len(registry.phases) - counts["phases"],
        "buildings": len(registry.buildings) - counts["buildings"],
        "layouts": len(registry.layouts) - counts["layouts"],
    }


def _create_buildings(plan: UnitPlan, registry: Registry, context: WriteContext) -> None:
    phases: dict[str, str] = {}
    for key, record in plan.units.items():
        if key[0] not in registry.buildings and record.phase:
            phases.setdefault(key[0], record.phase)
    numbers = sorted(phases)
    buildings = [
        Building(project_id=context.project_id, phase_id=registry.phases[phases[n]], number=n)
        for n in numbers
    ]
    for number, pk in zip(numbers, create_logged(Building, buildings, context), strict=True):
        registry.buildings[number] = BuildingInfo(pk, "", None)


IMPORTER = Importer(
    kind="units",
    permission="properties.import_units",
    sheet_title="房屋导入",
    columns=UNIT_COLUMNS,
    notes=(
        _("One row is one unit. Header row: row 1; data from row 2."),
        _("Phases, buildings and layouts that do not exist yet are created."),
        _("A unit already in the registry, or twice in the file, is an error."),
        _("A file with any error imports nothing: fix the rows listed and upload again."),
    ),
    check=check_rows,
    resolve=resolve,
    write=write,
)
