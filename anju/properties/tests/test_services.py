"""The registry's write path: derivations, validation codes, change log."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from anju.audit.models import ChangeLog
from anju.core.testing.factories import (
    BuildingFactory,
    LayoutFactory,
    PhaseFactory,
    UnitFactory,
)
from anju.properties import services
from anju.properties.models import Building, Project, Unit

pytestmark = pytest.mark.django_db


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.value.error_dict.items()}


def log_rows(instance: Any) -> list[ChangeLog]:
    rows = ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    )
    return list(rows.order_by("id"))


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("administrator")


@pytest.fixture
def building(project: Project) -> Building:
    return BuildingFactory(phase=PhaseFactory(project=project), number="3", floors=18)


# --- projects, phases, layouts ---------------------------------------------------------


def test_project_create_logs_the_new_values(admin: Any) -> None:
    # when
    project = services.project_create(actor=admin, code="lake", name=" 湖畔 ", city="杭州")

    # then
    assert project.name == "湖畔"
    [row] = log_rows(project)
    assert row.action == "create"
    assert row.actor == admin
    assert row.before is None
    assert row.after["code"] == "lake"
    assert "created_at" not in row.after


def test_project_code_is_unique(admin: Any, project: Project) -> None:
    # when
    with pytest.raises(ValidationError) as exc:
        services.project_create(actor=admin, code=project.code, name="")

    # then
    assert codes(exc) == {"code": ["unique"], "name": ["required"]}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"code": "湖 畔", "name": "湖畔"}, {"code": ["invalid"]}),
        ({"code": "lake", "name": "湖" * 101}, {"name": ["max_length"]}),
    ],
)
def test_project_input_is_checked(
    admin: Any, values: dict[str, str], expected: dict[str, list[str]]
) -> None:
    # when
    with pytest.raises(ValidationError) as exc:
        services.project_create(actor=admin, **values)

    # then
    assert codes(exc) == expected


def test_project_update_logs_before_and_after(admin: Any, project: Project) -> None:
    # when
    services.project_update(actor=admin, project=project, data={"city": "广州"})

    # then
    [row] = log_rows(project)
    assert (row.before["city"], row.after["city"]) == ("深圳", "广州")
    assert row.changed_fields() == ["city"]


def test_an_update_without_changes_writes_no_log(admin: Any, project: Project) -> None:
    # when
    services.project_update(actor=admin, project=project, data={"name": project.name})

    # then
    assert log_rows(project) == []


def test_phase_name_is_unique_in_its_project(admin: Any, project: Project) -> None:
    # given
    services.phase_create(actor=admin, project=project, name="一期")

    # when
    with pytest.raises(ValidationError) as exc:
        services.phase_create(actor=admin, project=project, name="一期")

    # then
    assert codes(exc) == {"name": ["unique"]}


def test_phase_project_cannot_change(admin: Any, project: Project, other_project: Project) -> None:
    # given
    phase = PhaseFactory(project=project)

    # when
    with pytest.raises(ValidationError) as exc:
        services.phase_update(actor=admin, phase=phase, data={"project": other_project})

    # then
    assert codes(exc) == {"project": ["not_editable"]}


def test_layout_create_and_update(admin: Any, project: Project) -> None:
    # given
    layout = services.layout_create(actor=admin, project=project, name="A1", bedrooms=3)

    # when
    services.layout_update(actor=admin, layout=layout, data={"bathrooms": 2})

    # then
    layout.refresh_from_db()
    assert (layout.bedrooms, layout.bathrooms) == (3, 2)
    assert [row.action for row in log_rows(layout)] == ["create", "update"]


# --- buildings -------------------------------------------------------------------------


def test_building_takes_its_project_from_the_phase(admin: Any, project: Project) -> None:
    # given
    phase = PhaseFactory(project=project)

    # when
    building = services.building_create(actor=admin, phase=phase, number="7", floors=30)

    # then
    assert building.project_id == project.pk
    assert log_rows(building)[0].after["project"] == project.pk


def test_building_number_is_unique_in_the_project(admin: Any, building: Building) -> None:
    # when
    with pytest.raises(ValidationError) as exc:
        services.building_create(actor=admin, phase=building.phase, number="3", floors=0)

    # then
    assert codes(exc) == {"number": ["unique"], "floors": ["min_value"]}


def test_building_cannot_move_to_another_projects_phase(
    admin: Any, building: Building, other_project: Project
) -> None:
    # given
    foreign_phase = PhaseFactory(project=other_project)

    # when
    with pytest.raises(ValidationError) as exc:
        services.building_update(actor=admin, building=building, data={"phase": foreign_phase})

    # then
    assert codes(exc) == {"phase": ["other_project"]}


def test_renumbering_a_building_renames_its_units(admin: Any, building: Building) -> None:
    # given
    unit = UnitFactory(building=building, entrance="2", room="1801")

    # when
    services.building_update(actor=admin, building=building, data={"number": "5"})

    # then
    unit.refresh_from_db()
    assert unit.code == "5-2-1801"


def test_floors_cannot_drop_below_a_units_floor(admin: Any, building: Building) -> None:
    # given
    UnitFactory(building=building, room="1801", floor=18)

    # when
    with pytest.raises(ValidationError) as exc:
        services.building_update(actor=admin, building=building, data={"floors": 12})

    # then
    assert codes(exc) == {"floors": ["units_above"]}


# --- units -----------------------------------------------------------------------------


def test_unit_create_derives_project_code_and_warranty(admin: Any, building: Building) -> None:
    # when
    unit = services.unit_create(
        actor=admin,
        building=building,
        entrance="2",
        room="1801",
        floor=18,
        building_area=Decimal("98.5"),
        delivery_date=date(2025, 6, 30),
    )

    # then
    assert unit.project_id == building.project_id
    assert unit.code == "3-2-1801"
    assert unit.warranty_start == date(2025, 6, 30)
    [row] = log_rows(unit)
    assert row.after["code"] == "3-2-1801"
    assert row.after["building_area"] == "98.50"


def test_unit_without_entrance_reads_building_room(admin: Any, building: Building) -> None:
    # when
    unit = services.unit_create(actor=admin, building=building, room="101", floor=1)

    # then
    assert unit.code == "3-101"
    assert unit.warranty_start is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"floor": 19}, {"floor": ["floor_out_of_range"]}),
        ({"floor": 0}, {"floor": ["floor_out_of_range"]}),
        ({"building_area": Decimal("0")}, {"building_area": ["not_positive"]}),
        ({"building_area": Decimal("-3.5")}, {"building_area": ["not_positive"]}),
        (
            {"delivery_date": date(2025, 6, 30), "warranty_start": date(2025, 6, 29)},
            {"warranty_start": ["before_delivery"]},
        ),
        ({"room": " "}, {"room": ["required"]}),
    ],
)
def test_unit_validation_codes(
    admin: Any, building: Building, values: dict[str, Any], expected: dict[str, list[str]]
) -> None:
    # given
    data = {"room": "1801", "floor": 18, **values}

    # when
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=admin, building=building, **data)

    # then
    assert codes(exc) == expected
    assert not Unit.objects.exists()
    assert not ChangeLog.objects.filter(content_type__model="unit").exists()


def test_unit_is_unique_in_its_building(admin: Any, building: Building) -> None:
    # given
    services.unit_create(actor=admin, building=building, entrance="1", room="101", floor=1)

    # when
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=admin, building=building, entrance="1", room="101", floor=1)

    # then
    assert codes(exc) == {"room": ["unique"]}


def test_unit_layout_must_belong_to_the_project(
    admin: Any, building: Building, other_project: Project
) -> None:
    # when
    with pytest.raises(ValidationError) as exc:
        services.unit_create(
            actor=admin,
            building=building,
            room="101",
            floor=1,
            layout=LayoutFactory(project=other_project),
        )

    # then
    assert codes(exc) == {"layout": ["other_project"]}


def test_unit_cannot_move_to_another_project(
    admin: Any, building: Building, other_project: Project
) -> None:
    # given
    unit = UnitFactory(building=building)
    foreign = BuildingFactory(phase=PhaseFactory(project=other_project))

    # when
    with pytest.raises(ValidationError) as exc:
        services.unit_update(actor=admin, unit=unit, data={"building": foreign})

    # then
    assert codes(exc) == {"building": ["other_project"]}


def test_unit_moved_to_another_building_gets_a_new_code(admin: Any, building: Building) -> None:
    # given
    unit = UnitFactory(building=building, entrance="1", room="501", floor=5)
    target = BuildingFactory(phase=building.phase, number="9")

    # when
    services.unit_update(actor=admin, unit=unit, data={"building": target})

    # then
    unit.refresh_from_db()
    assert (unit.code, unit.project_id) == ("9-1-501", building.project_id)
    [row] = log_rows(unit)
    assert set(row.changed_fields()) == {"building", "code"}


def test_warranty_that_started_on_delivery_follows_a_new_delivery_date(
    admin: Any, building: Building
) -> None:
    # given
    unit = UnitFactory(
        building=building, delivery_date=date(2025, 6, 30), warranty_start=date(2025, 6, 30)
    )

    # when
    services.unit_update(actor=admin, unit=unit, data={"delivery_date": date(2025, 9, 1)})

    # then
    unit.refresh_from_db()
    assert unit.warranty_start == date(2025, 9, 1)


def test_an_explicit_later_warranty_start_is_kept(admin: Any, building: Building) -> None:
    # when
    unit = services.unit_create(
        actor=admin,
        building=building,
        room="101",
        floor=1,
        delivery_date=date(2025, 6, 30),
        warranty_start=date(2025, 7, 15),
    )

    # then
    assert unit.warranty_start == date(2025, 7, 15)
