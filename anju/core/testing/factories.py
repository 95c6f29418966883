"""factory_boy factories for the registry; owners go through the real service."""

import itertools
import random
from datetime import date
from decimal import Decimal
from typing import Any

import factory

from anju.owners.fakes import fake_mobile, fake_person_name, fake_resident_id
from anju.owners.inputs import OwnerInput, PhoneInput
from anju.owners.models import Owner, Ownership
from anju.owners.services import owner_create, ownership_create
from anju.properties.models import Building, Layout, Phase, Project, Unit, unit_code


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"p{n}")
    name = factory.Sequence(lambda n: f"安居花园{n}期")
    city = "深圳"


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"{n}期")


class LayoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Layout

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"A{n}")
    bedrooms = 3
    living_rooms = 2
    bathrooms = 2


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    phase = factory.SubFactory(PhaseFactory)
    project = factory.SelfAttribute("phase.project")
    number = factory.Sequence(lambda n: str(n + 1))
    floors = 30


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    project = factory.SelfAttribute("building.project")
    entrance = "1"
    # Floors stay within the building; the sequence keeps rooms distinct (floor + door).
    floor = factory.LazyAttributeSequence(lambda o, n: n % (o.building.floors or 30) + 1)
    room = factory.LazyAttributeSequence(lambda o, n: f"{o.floor}{n // 30 % 99 + 1:02d}")
    code = factory.LazyAttribute(lambda o: unit_code(o.building.number, o.entrance, o.room))
    building_area = Decimal("98.50")
    delivery_date = date(2024, 6, 30)
    warranty_start = date(2024, 6, 30)


_owner_seq = itertools.count(1)


def make_owner(project: Project, *, actor: Any = None, **fields: Any) -> Owner:
    """An owner created through owner_create, with a valid ID number and a mobile."""
    serial = next(_owner_seq)
    rng = random.Random(serial)
    gender = fields.pop("gender", rng.choice("MF"))
    birth = fields.pop("birth_date", date(1985, 3, 12))
    id_number = fake_resident_id(rng, birth_date=birth, gender=gender, serial=serial)
    data = OwnerInput(
        project_id=project.pk,
        name=fields.pop("name", fake_person_name(rng)),
        id_number=fields.pop("id_number", id_number),
        phones=[PhoneInput(number=n) for n in fields.pop("phones", [fake_mobile(rng)])],
        **fields,
    )
    return owner_create(actor=actor, data=data, today=date(2026, 11, 22))


def hand_over(owner: Owner, unit: Unit, **fields: Any) -> Ownership:
    """The owner holds the whole unit, handed over (contract 2023-01-05, keys 2024-06-30)."""
    values = {
        "share": 100,
        "status": "handed_over",
        "contract_date": date(2023, 1, 5),
        "handover_date": date(2024, 6, 30),
        **fields,
    }
    return ownership_create(actor=None, owner=owner, unit=unit, **values)
