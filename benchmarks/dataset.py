"""The synthetic dataset, defined as pure functions of (seed, index).

Owner ``i`` (id ``i + 1``) owns unit ``i`` (id ``i + 1``). Every clear value — name, ID
number, mobile — can be recomputed from its index, so the search benchmark can draw real,
existing phone and ID numbers without the database ever holding them in clear.

Layout: 3 projects; buildings dealt round-robin to the projects (building numbers restart
at 1 in each project); 2 entrances x 33 floors x 15 rooms = 990 units per building, so
1,000,000 units need 1,011 buildings. Every 10th unit has two co-owners at 50 %: its own
owner and the owner of the unit before it.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from math import gcd

from anju.owners.fakes import (
    COUNTIES,
    fake_company_name,
    fake_credit_code,
    fake_mobile,
    fake_person_name,
)
from anju.owners.rules.idnumbers import normalize_id_number, resident_id_check_char
from anju.owners.rules.idtypes import IdType
from anju.owners.rules.phones import normalize_phone
from anju.properties.models import unit_code

PROJECTS = (
    ("bench-lakeside", "湖畔花园", "深圳"),
    ("bench-hillview", "翠山苑", "广州"),
    ("bench-riverside", "滨江名邸", "杭州"),
)
ENTRANCES = 2
FLOORS = 33
ROOMS_PER_FLOOR = 15
UNITS_PER_BUILDING = ENTRANCES * FLOORS * ROOMS_PER_FLOOR
BUILDINGS_PER_PHASE = 50
LAYOUTS = (
    ("A1 三室两厅", 3, 2, 2, Decimal("118.60")),
    ("B2 两室两厅", 2, 2, 1, Decimal("89.30")),
    ("C3 四室两厅", 4, 2, 2, Decimal("143.80")),
    ("D1 一室一厅", 1, 1, 1, Decimal("56.20")),
)
COMPANY_SHARE = 0.02
CO_OWNED_EVERY = 10
# Fixed "today" so a dataset is the same whichever day it is generated or searched.
REFERENCE_DAY = date(2025, 6, 1)
_BIRTH_FROM = date(1950, 1, 1)
_BIRTH_DAYS = (date(2002, 6, 1) - _BIRTH_FROM).days
_ID_SPACE = len(COUNTIES) * 1000 * _BIRTH_DAYS


def buildings_needed(units: int) -> int:
    return -(-units // UNITS_PER_BUILDING)


@dataclass(frozen=True)
class BuildingPlace:
    index: int  # 0-based; the row id is index + 1
    project: int  # 0-based project index
    number: str
    phase: int  # 0-based phase index within the project
    delivery_date: date


def building_place(index: int) -> BuildingPlace:
    in_project = index // len(PROJECTS)
    phase = in_project // BUILDINGS_PER_PHASE
    return BuildingPlace(
        index=index,
        project=index % len(PROJECTS),
        number=str(in_project + 1),
        phase=phase,
        delivery_date=date(2016 + phase, 6, 30),
    )


@dataclass(frozen=True)
class UnitPlace:
    index: int  # 0-based; the row id is index + 1
    building: BuildingPlace
    entrance: str
    floor: int
    room: str
    layout: int  # 0-based index into LAYOUTS

    @property
    def code(self) -> str:
        return unit_code(self.building.number, self.entrance, self.room)


def unit_place(index: int) -> UnitPlace:
    building, rest = divmod(index, UNITS_PER_BUILDING)
    entrance, rest = divmod(rest, FLOORS * ROOMS_PER_FLOOR)
    floor, room = divmod(rest, ROOMS_PER_FLOOR)
    return UnitPlace(
        index=index,
        building=building_place(building),
        entrance=str(entrance + 1),
        floor=floor + 1,
        room=f"{floor + 1}{room + 1:02d}",
        layout=room % len(LAYOUTS),
    )


@dataclass(frozen=True)
class OwnerValues:
    index: int
    kind: str  # person | company
    name: str
    id_type: str
    id_number: str  # normalised, clear
    gender: str
    birth_date: date | None
    mobile: str  # normalised, clear
    consents: tuple[bool, bool, bool, bool]


def _id_multiplier() -> int:
    multiplier = 2_654_435_761 % _ID_SPACE
    while gcd(multiplier, _ID_SPACE) != 1:
        multiplier += 1
    return multiplier


_MULTIPLIER = _id_multiplier()


def resident_id_for(index: int) -> tuple[str, str, date]:
    """A valid 18-character ID, unique per index (an affine permutation of the ID space)."""
    code = (index * _MULTIPLIER + 7_919) % _ID_SPACE
    code, county = divmod(code, len(COUNTIES))
    day, sequence = divmod(code, 1000)
    born = _BIRTH_FROM + timedelta(days=day)
    body = f"{COUNTIES[county]}{born:%Y%m%d}{sequence:03d}"
    gender = "M" if sequence % 2 else "F"
    return body + resident_id_check_char(body), gender, born


def owner_values(seed: int, index: int) -> OwnerValues:
    rng = random.Random(seed * 1_000_003 + index)
    consents = (rng.random() < 0.8, rng.random() < 0.7, rng.random() < 0.5, rng.random() < 0.2)
    if rng.random() < COMPANY_SHARE:
        raw = fake_credit_code(rng)
        kind, id_type, name = "company", IdType.BUSINESS_LICENCE, fake_company_name(rng)
        gender, born = "", None
    else:
        raw, gender, born = resident_id_for(index)
        kind, id_type, name = "person", IdType.RESIDENT_ID, fake_person_name(rng)
    _, mobile = normalize_phone(fake_mobile(rng))
    return OwnerValues(
        index=index,
        kind=kind,
        name=name,
        id_type=str(id_type),
        id_number=normalize_id_number(id_type, raw, today=REFERENCE_DAY),
        gender=gender,
        birth_date=born,
        mobile=mobile,
        consents=consents,
    )


def co_owner_of(unit_index: int) -> int | None:
    """The second owner of a co-owned unit (always in the same chunk of 10), or None."""
    return unit_index - 1 if unit_index % CO_OWNED_EVERY == CO_OWNED_EVERY - 1 else None
