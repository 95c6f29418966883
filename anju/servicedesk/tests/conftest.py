"""Service-desk fixtures: a unit with an owner, desk staff, a clean calendar cache."""

from collections.abc import Callable
from typing import Any

import pytest

from anju.core.testing.factories import UnitFactory, hand_over, make_owner
from anju.servicedesk.calendar import _build_calendar
from anju.servicedesk.models import Category, WorkOrder
from anju.servicedesk.services import WorkOrderInput, work_order_accept


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> Any:
    """The calendar is kept per version in this process, and tests roll the database back
    (the shared cache with its version is emptied for every test: empty_cache)."""
    _build_calendar.cache_clear()
    yield
    _build_calendar.cache_clear()


@pytest.fixture
def unit(project):
    return UnitFactory(building__phase__project=project, building__project=project)


@pytest.fixture
def owner(project, unit):
    owner = make_owner(project, name="张三", phones=["13800138000"])
    hand_over(owner, unit)
    return owner


@pytest.fixture
def desk(make_user, project):
    return make_user("front_desk", projects=[project])


@pytest.fixture
def supervisor(make_user, project):
    return make_user("repair_supervisor", projects=[project])


@pytest.fixture
def manager(make_user, project):
    return make_user("manager", projects=[project])


@pytest.fixture
def leak(db):
    return Category.objects.get(path="防水渗漏 › 卫生间渗漏")


@pytest.fixture
def repair_input(project, owner, unit, leak) -> Callable[..., WorkOrderInput]:
    """The desk's input for a repair of the owner's unit (fields override)."""

    def make(**fields: Any) -> WorkOrderInput:
        data = {
            "project_id": project.pk,
            "type": "repair",
            "channel": "phone",
            "description": "卫生间漏水",
            "owner_id": owner.pk,
            "unit_id": unit.pk,
            "category_id": leak.pk,
            **fields,
        }
        return WorkOrderInput(**data)

    return make


@pytest.fixture
def accept(repair_input, desk) -> Callable[..., WorkOrder]:
    """Accept a repair of the owner's unit (fields override), by the desk by default."""

    def make(actor: Any = None, **fields: Any) -> WorkOrder:
        order, created = work_order_accept(actor=actor or desk, data=repair_input(**fields))
        assert created
        return order

    return make


@pytest.fixture
def payload(project, owner, unit, leak) -> dict[str, Any]:
    """The API body of that repair."""
    return {
        "project": project.pk,
        "type": "repair",
        "channel": "phone",
        "description": "卫生间漏水",
        "owner": owner.pk,
        "unit": unit.pk,
        "category": leak.pk,
        "location": "主卫",
    }
