"""Two complaints that cross the group-complaint threshold at the same moment.

Each runs work_order_accept in its own thread and connection; a barrier holds both at
`_raise` until both have counted the neighbours' complaints, so both see the threshold
passed and both try to raise the alert. The unique constraint `group_alert_one_open`
lets only one create it: the other must join that alert, and both orders must be kept.
Before the fix the second create failed with IntegrityError and its order was lost
(found by the 5M-order benchmark). Row-level waits need PostgreSQL; SQLite is skipped.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from anju.core.testing.factories import UnitFactory, make_owner
from anju.servicedesk.models import Category, GroupComplaintAlert, WorkOrder
from anju.servicedesk.services import WorkOrderInput, alerts, work_order_accept

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the race needs two real transactions waiting on a unique index (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.ANJU_GROUP_COMPLAINT_OWNERS = 5
    settings.ANJU_GROUP_COMPLAINT_DAYS = 7


def test_simultaneous_threshold_crossings_raise_one_alert_and_keep_both_orders(
    project, make_user, monkeypatch
):
    # Given four owners of one building who already complained about the same leak
    desk = make_user("front_desk", projects=[project])
    leak = Category.objects.create(name="卫生间渗漏(竞争测试)")
    first_unit = UnitFactory(building__phase__project=project, building__project=project)
    building = first_unit.building
    units = [first_unit] + [UnitFactory(building=building) for _ in range(5)]
    owners = [make_owner(project, name=f"邻居{n}") for n in range(6)]

    def complaint(owner, unit):
        return WorkOrderInput(
            project_id=project.pk,
            type="complaint",
            channel="phone",
            description="卫生间渗漏一直没修好",
            owner_id=owner.pk,
            unit_id=unit.pk,
            category_id=leak.pk,
            received_at=timezone.now() - timedelta(minutes=1),
        )

    for owner, unit in zip(owners[:4], units[:4], strict=True):
        work_order_accept(actor=desk, data=complaint(owner, unit))
    assert not GroupComplaintAlert.objects.exists()

    # When the fifth and sixth owners complain at once, both held at _raise together
    barrier = threading.Barrier(2, timeout=30)
    original = alerts._raise

    def raise_together(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(alerts, "_raise", raise_together)
    errors: list[BaseException] = []

    def accept(owner, unit):
        try:
            work_order_accept(actor=desk, data=complaint(owner, unit))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(owner, unit))
        for owner, unit in zip(owners[4:], units[4:], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then neither failed, both orders exist and one alert holds them both
    assert errors == []
    assert WorkOrder.objects.filter(type="complaint", category=leak).count() == 6
    alert = GroupComplaintAlert.objects.get()
    linked = set(alert.orders.values_list("owner_id", flat=True))
    assert {owners[4].pk, owners[5].pk} <= linked
    assert alert.owner_count >= 5
