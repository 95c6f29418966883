from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from anju.audit.models import ChangeLog
from anju.core.testing.factories import UnitFactory
from anju.imports.models import ImportJob
from anju.imports.services import import_job_create
from anju.imports.tests.helpers import UNIT_HEADERS, codes, run_job, upload, xlsx
from anju.properties.models import Building, Layout, Phase, Unit
from anju.security.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrar(make_user: Any, project: Any) -> User:
    user = make_user("cs_officer", projects=[project])
    user.user_permissions.add(Permission.objects.get(codename="import_units"))
    return User.objects.get(pk=user.pk)


def unit_row(**values: Any) -> dict[str, Any]:
    row = {
        "分期": "一期",
        "楼栋": "1",
        "单元": "1",
        "房号": "1801",
        "户型": "A1",
        "建筑面积": 98.5,
        "交付日期": date(2024, 6, 30),
    }
    row.update(values)
    return row


def units_file(*rows: dict[str, Any]) -> bytes:
    return xlsx(UNIT_HEADERS, rows)


def test_units_are_created_with_their_phases_buildings_and_layouts(
    registrar: Any, project: Any
) -> None:
    # given a sheet naming a new phase, two new buildings and two layouts
    content = units_file(
        unit_row(),
        unit_row(**{"房号": "1802", "户型": "B2", "保修起始": "2024/7/1"}),
        unit_row(**{"楼栋": "2", "单元": "", "房号": "301", "楼层": 3}),
    )
    # when it is checked and committed
    job = run_job(actor=registrar, project=project, content=content, kind="units", commit=True)
    # then
    assert job.status == ImportJob.Status.COMMITTED
    assert job.summary == {"units": 3, "phases": 1, "buildings": 2, "layouts": 2}
    assert Phase.objects.get().name == "一期"
    assert set(Building.objects.values_list("number", "project_id")) == {
        ("1", project.pk),
        ("2", project.pk),
    }
    assert set(Layout.objects.values_list("name", flat=True)) == {"A1", "B2"}
    first = Unit.objects.get(code="1-1-1801")
    assert (first.floor, first.building_area, first.project_id) == (
        18,
        Decimal("98.50"),
        project.pk,
    )
    assert first.warranty_start == date(2024, 6, 30)  # defaults to the delivery date
    assert Unit.objects.get(code="1-1-1802").warranty_start == date(2024, 7, 1)
    assert Unit.objects.filter(code="2-301").exists()
    assert ChangeLog.objects.filter(content_type__model="unit", action="create").count() == 3
    assert ChangeLog.objects.filter(content_type__model="building").count() == 2


def test_existing_buildings_and_layouts_are_reused(
    registrar: Any, project: Any, building: Any
) -> None:
    content = units_file(unit_row(**{"分期": ""}))
    job = run_job(actor=registrar, project=project, content=content, kind="units", commit=True)
    assert job.summary == {"units": 1, "phases": 0, "buildings": 0, "layouts": 1}
    assert Unit.objects.get().building == building


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([unit_row(), unit_row(**{"户型": "B2"})], [(3, "room", "房号", "duplicate_unit")]),
        (
            [unit_row(**{"保修起始": "2024-01-01"})],
            [(2, "warranty_start", "保修起始", "before_delivery")],
        ),
        ([unit_row(**{"分期": "", "楼栋": "9"})], [(2, "phase", "分期", "phase_required")]),
        (
            [unit_row(), unit_row(**{"分期": "二期", "房号": "1802"})],
            [(3, "phase", "分期", "phase_mismatch")],
        ),
        ([unit_row(**{"房号": "A", "楼层": None})], [(2, "floor", "楼层", "required")]),
        (
            [unit_row(**{"建筑面积": "大约一百"})],
            [(2, "building_area", "建筑面积", "invalid_number")],
        ),
        (
            [unit_row(**{"交付日期": "2024-13-01"})],
            [(2, "delivery_date", "交付日期", "invalid_date")],
        ),
        ([unit_row(**{"楼层": 2.5})], [(2, "floor", "楼层", "invalid_integer")]),
    ],
)
def test_unit_sheet_errors(
    registrar: Any,
    project: Any,
    rows: list[dict[str, Any]],
    expected: list[tuple[int, str, str, str]],
) -> None:
    job = run_job(actor=registrar, project=project, content=units_file(*rows), kind="units")
    assert codes(job) == expected
    assert not job.can_commit


def test_a_unit_already_in_the_registry_is_an_error(
    registrar: Any, project: Any, building: Any
) -> None:
    UnitFactory(building=building, entrance="1", room="1801", floor=18)
    job = run_job(actor=registrar, project=project, content=units_file(unit_row()), kind="units")
    assert codes(job) == [(2, "room", "房号", "unit_exists")]


def test_an_existing_building_in_another_phase_is_an_error(
    registrar: Any, project: Any, building: Any
) -> None:
    job = run_job(
        actor=registrar,
        project=project,
        content=units_file(unit_row(**{"分期": "二期"})),
        kind="units",
    )
    assert codes(job) == [(2, "phase", "分期", "phase_mismatch")]


def test_a_floor_above_the_building_is_an_error(
    registrar: Any, project: Any, building: Any
) -> None:
    job = run_job(
        actor=registrar,
        project=project,
        content=units_file(unit_row(**{"房号": "4001"})),
        kind="units",
    )
    assert codes(job) == [(2, "floor", "楼层", "floor_out_of_range")]


def test_unit_import_needs_its_permission(make_user: Any, project: Any) -> None:
    # given a customer-service officer, who may import owners but not units
    officer = make_user("cs_officer", projects=[project])
    # when / then
    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=officer, project=project, kind="units", file=upload(units_file(unit_row()))
        )


def test_import_into_a_project_out_of_scope_is_refused(registrar: Any, other_project: Any) -> None:
    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=registrar,
            project=other_project,
            kind="units",
            file=upload(units_file(unit_row())),
        )
