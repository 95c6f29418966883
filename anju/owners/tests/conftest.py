"""Fixtures for the owners tests: units by house number, owners with known numbers."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from anju.core.testing.factories import BuildingFactory, PhaseFactory, UnitFactory, make_owner
from anju.owners.models import Owner
from anju.owners.rules.idnumbers import resident_id_check_char
from anju.owners.services import ownership_create
from anju.properties.models import Building, Project, Unit, unit_code
from anju.security.models import User


def resident_id(county: str = "110105", birth: str = "19850312", sequence: str = "123") -> str:
    """A valid 18-digit resident ID (odd sequence = male)."""
    body = f"{county}{birth}{sequence}"
    return body + resident_id_check_char(body)


@pytest.fixture
def make_unit(db: Any) -> Callable[..., Unit]:
    buildings: dict[tuple[int, str], Building] = {}

    def make(project: Project, code: str = "3-2-1801") -> Unit:
        number, entrance, room = (
            code.split("-")
            if code.count("-") == 2
            else (code.split("-")[0], "", code.split("-")[1])
        )
        key = (project.pk, number)
        if key not in buildings:
            phase = PhaseFactory(project=project)
            buildings[key] = BuildingFactory(phase=phase, project=project, number=number)
        return UnitFactory(
            building=buildings[key],
            project=project,
            entrance=entrance,
            room=room,
            code=unit_code(number, entrance, room),
        )

    return make


def grant(user: User, *perms: str) -> None:
    """Give a user extra permissions, e.g. grant(user, "owners.export_owners")."""
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


ID_18 = resident_id(birth="19850312", sequence="123")  # 张三's: a man born 1985-03-12
MOBILE = "13812345678"


@pytest.fixture
def desk(project: Project, make_user: Callable[..., User]) -> User:
    """A front-desk user of `project`."""
    return make_user("front_desk", projects=[project])


@pytest.fixture
def stranger(other_project: Project, make_user: Callable[..., User]) -> User:
    """A front-desk user of another project: sees none of `project`'s owners."""
    return make_user("front_desk", projects=[other_project])


@pytest.fixture
def zhang(project: Project, make_unit: Callable[..., Unit]) -> Owner:
    """张三, owner of 3-2-1801 (handed over 2025-06-30), with a known ID and mobile."""
    owner = make_owner(
        project,
        name="张三",
        id_number=ID_18,
        phones=[MOBILE],
        tags=["VIP"],
        preferences="只接受微信联系",
        consent_wechat=True,
    )
    ownership_create(
        actor=None,
        owner=owner,
        unit=make_unit(project, "3-2-1801"),
        handover_date=date(2025, 6, 30),
        status="handed_over",
    )
    return owner
