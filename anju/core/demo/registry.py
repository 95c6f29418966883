"""The demo registry: three projects, their phases, layouts, buildings and ~4,000 units.

Registry rows are bulk-created without change-log rows: they are seed data loaded by the
installer, not changed by a person, and the change log records what people do.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from anju.owners.rules.lifecycle import add_months
from anju.properties.models import Building, Layout, Phase, Project, Unit, unit_code


@dataclass(frozen=True)
class LayoutSpec:
    code: str
    area: int  # nominal building area, m²
    bedrooms: int
    living_rooms: int
    bathrooms: int
    label: str

    @property
    def name(self) -> str:
        return f"{self.code} {self.area}㎡ {self.label}"


LAYOUTS = (
    LayoutSpec("A1", 89, 3, 2, 1, "三室两厅一卫"),
    LayoutSpec("A2", 105, 3, 2, 2, "三室两厅两卫"),
    LayoutSpec("B1", 128, 4, 2, 2, "四室两厅两卫"),
    LayoutSpec("C1", 143, 4, 2, 3, "四室两厅三卫"),
    LayoutSpec("D1", 76, 2, 2, 1, "两室两厅一卫"),
)
LAYOUT_AREA = {spec.code: spec.area for spec in LAYOUTS}


@dataclass(frozen=True)
class BuildingProfile:
    entrances: int
    rooms_per_floor: int  # per entrance
    floors: int
    layouts: tuple[str, ...]  # layout code per room position on a floor


PROFILES = {
    "T": BuildingProfile(2, 2, 28, ("A1", "A2")),  # high-rise tower, 112 units
    "S": BuildingProfile(1, 4, 32, ("D1", "A1", "A1", "D1")),  # slab, 128 units
    "M": BuildingProfile(2, 2, 20, ("A2", "B1")),  # mid-rise, 80 units
    "V": BuildingProfile(2, 2, 11, ("B1", "C1")),  # 洋房, 44 units
}


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    delivered_months_ago: int  # negative: delivery still ahead (准业主)
    buildings: str  # one profile letter per building, numbered on through the project


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    city: str
    address: str
    area_code: str  # for landlines
    phases: tuple[PhaseSpec, ...]


PROJECTS = (
    ProjectSpec(
        "sz-yunwan",
        "安居·云湾花园",
        "深圳",
        "深圳市南山区沙河西路3168号",
        "0755",
        (
            PhaseSpec("一期", 36, "TTTSM"),
            PhaseSpec("二期", 18, "TSSMV"),
            PhaseSpec("三期", -8, "TTMV"),
        ),
    ),
    ProjectSpec(
        "hz-xixi",
        "安居·西溪雅苑",
        "杭州",
        "杭州市西湖区文二西路808号",
        "0571",
        (PhaseSpec("一期", 30, "TTSMMV"), PhaseSpec("二期", 6, "TSSMMV")),
    ),
    ProjectSpec(
        "cd-jinjiang",
        "安居·锦江府",
        "成都",
        "成都市锦江区锦华路一段66号",
        "028",
        (
            PhaseSpec("一期", 40, "TTSM"),
            PhaseSpec("二期", 18, "TTSSM"),
            PhaseSpec("三期", 6, "TTSMV"),
        ),
    ),
)
DEMO_CODES = tuple(spec.code for spec in PROJECTS)
SALES_MONTHS = 24  # sales launch this long before delivery (期房)


@dataclass(frozen=True)
class PhaseDates:
    launched: date
    delivered: date

    def is_delivered(self, today: date) -> bool:
        return self.delivered <= today


@dataclass
class Registry:
    projects: list[Project] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    phase_of_building: dict[int, PhaseDates] = field(default_factory=dict)
    spec_of_project: dict[int, ProjectSpec] = field(default_factory=dict)

    def dates(self, unit: Unit) -> PhaseDates:
        return self.phase_of_building[unit.building_id]


def create_registry(rng: random.Random, today: date) -> Registry:
    registry = Registry()
    for spec in PROJECTS:
        project = Project.objects.create(
            code=spec.code, name=spec.name, city=spec.city, address=spec.address
        )
        registry.projects.append(project)
        registry.spec_of_project[project.pk] = spec
        layouts = {
            s.code: Layout(
                project=project,
                name=s.name,
                bedrooms=s.bedrooms,
                living_rooms=s.living_rooms,
                bathrooms=s.bathrooms,
            )
            for s in LAYOUTS
        }
        Layout.objects.bulk_create(layouts.values())
        _create_phases(rng, registry, project, spec, layouts, today)
    return registry


def _create_phases(
    rng: random.Random,
    registry: Registry,
    project: Project,
    spec: ProjectSpec,
    layouts: dict[str, Layout],
    today: date,
) -> None:
    number = 0
    for order, phase_spec in enumerate(spec.phases, start=1):
        delivered = add_months(today, -phase_spec.delivered_months_ago)
        dates = PhaseDates(launched=add_months(delivered, -SALES_MONTHS), delivered=delivered)
        phase = Phase.objects.create(
            project=project, name=phase_spec.name, sort_order=order, launched_on=dates.launched
        )
        buildings = []
        for letter in phase_spec.buildings:
            number += 1
            buildings.append(
                Building(
                    project=project,
                    phase=phase,
                    number=str(number),
                    floors=PROFILES[letter].floors,
                    delivery_date=delivered,
                )
            )
        Building.objects.bulk_create(buildings)
        units: list[Unit] = []
        for building, letter in zip(buildings, phase_spec.buildings, strict=True):
            registry.phase_of_building[building.pk] = dates
            units.extend(_units_of(rng, building, PROFILES[letter], layouts, dates, today))
        registry.units.extend(Unit.objects.bulk_create(units))


def _units_of(
    rng: random.Random,
    building: Building,
    profile: BuildingProfile,
    layouts: dict[str, Layout],
    dates: PhaseDates,
    today: date,
) -> Iterator[Unit]:
    warranty_start = dates.delivered if dates.is_delivered(today) else None
    for entrance in range(1, profile.entrances + 1):
        for floor in range(1, profile.floors + 1):
            for position, code in enumerate(profile.layouts, start=1):
                room = f"{floor}{position:02d}"
                area = Decimal(f"{LAYOUT_AREA[code] + rng.uniform(-1.5, 1.5):.2f}")
                yield Unit(
                    project_id=building.project_id,
                    building=building,
                    entrance=str(entrance),
                    room=room,
                    code=unit_code(building.number, str(entrance), room),
                    floor=floor,
                    layout=layouts[code],
                    building_area=area,
                    delivery_date=dates.delivered,
                    warranty_start=warranty_start,
                )
