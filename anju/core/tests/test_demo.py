"""The demo loader: realistic data, one login per role, scoping shown, a working service
desk, idempotent."""

import os
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F, Q
from django.test import TestCase, override_settings
from django.utils import timezone

from anju.audit.models import ChangeLog
from anju.core.demo import DEMO_CODES, PASSWORD_ENV, demo_counts, load_demo
from anju.owners.models import Owner, OwnerEvent, OwnerSearchKey, Ownership
from anju.owners.selectors import search_owners
from anju.properties.models import Project, Unit
from anju.security.models import User
from anju.servicedesk.calendar import _build_calendar
from anju.servicedesk.models import (
    ComplaintPlan,
    GroupComplaintAlert,
    Milestone,
    Notification,
    WorkOrder,
    WorkOrderEvent,
)

OWNERS = 60
ORDERS = 45
PASSWORD = "demo-test-password"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One `manage.py load_demo` for the whole module, rolled back at its end.

    Like Django's setUpTestData: each test runs in a savepoint on top of the load.
    """
    out = StringIO()
    cache.clear()  # the working calendar is cached per version
    _build_calendar.cache_clear()
    with (
        django_db_blocker.unblock(),
        mock.patch.dict(os.environ, {PASSWORD_ENV: PASSWORD}),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        # Notifications are written on commit: run those callbacks as a commit would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            args = f"--owners {OWNERS} --orders {ORDERS} --seed 7".split()
            call_command("load_demo", *args, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded: str, db: Any) -> dict[str, int]:
    """The loaded demo's counts; the test itself runs in its own savepoint."""
    return demo_counts()


def _totals() -> dict[str, int]:
    return {
        "projects": Project.objects.count(),
        "units": Unit.objects.count(),
        "owners": Owner.objects.count(),
        "ownerships": Ownership.objects.count(),
        "users": User.objects.count(),
        "changes": ChangeLog.objects.count(),
        "events": OwnerEvent.objects.count(),
        "orders": WorkOrder.objects.count(),
        "order_events": WorkOrderEvent.objects.count(),
        "milestones": Milestone.objects.count(),
        "notifications": Notification.objects.count(),
        "alerts": GroupComplaintAlert.objects.count(),
    }


def test_demo_loads_the_registry_and_owner_files(demo: dict[str, int]) -> None:
    # then
    assert demo["projects"] == 3
    assert demo["buildings"] == 40
    assert 3800 <= demo["units"] <= 4200
    assert demo["owners"] == OWNERS
    assert demo["co_owned_units"] > 0
    assert demo["companies"] >= 1
    # every file is complete, as the services make it
    owners = Owner.objects.all()
    assert not owners.filter(id_number_index__isnull=True).exists()
    assert not owners.filter(phones__isnull=True).exists()
    assert OwnerSearchKey.objects.values("owner").distinct().count() == OWNERS
    assert OwnerEvent.objects.filter(kind=OwnerEvent.Kind.CREATED).count() == OWNERS
    assert ChangeLog.objects.filter(object_repr="张三").exists()


def test_co_owners_share_a_unit_half_and_half(demo: dict[str, int]) -> None:
    # when
    unit = Unit.objects.filter(ownerships__share=50).first()
    # then
    assert unit is not None
    shares = sorted(o.share for o in unit.ownerships.all())
    assert [str(s) for s in shares] == ["50.00", "50.00"]


def test_purchase_dates_follow_the_phase(demo: dict[str, int]) -> None:
    # given
    today = timezone.localdate()
    ownerships = Ownership.objects.select_related("unit")
    # then
    for ownership in ownerships:
        dates = [ownership.subscription_date, ownership.contract_date, ownership.handover_date]
        known = [d for d in dates if d is not None]
        assert known == sorted(known) and known[-1] <= today
        delivery = ownership.unit.delivery_date
        if ownership.handover_date is not None:
            assert delivery is not None and ownership.handover_date >= delivery
        if delivery is not None and delivery > today:
            assert ownership.status != Ownership.Status.HANDED_OVER
    assert ownerships.filter(unit__delivery_date__gt=today).exists()  # 准业主 among them


def test_front_desk_finds_zhang_san_by_initials(demo: dict[str, int]) -> None:
    # given
    front_desk = User.objects.get(username="frontdesk")
    # when
    result = search_owners(front_desk, "zs")
    # then
    zhang = next(owner for owner in result.owners if owner.name == "张三")
    assert [o.unit.code for o in zhang.ownerships.all()] == ["3-2-1801"]
    assert zhang.id_number_masked == "110***********005X"


def test_sales_consultant_sees_only_the_first_project(demo: dict[str, int]) -> None:
    # given
    sales = User.objects.get(username="sales")
    first = Project.objects.get(code=DEMO_CODES[0])
    # when
    projects = list(Project.objects.visible_to(sales))
    units = Unit.objects.visible_to(sales)
    owners = Owner.objects.visible_to(sales)
    # then
    assert projects == [first]
    assert not units.exclude(project=first).exists()
    assert 0 < owners.count() < Owner.objects.count()
    assert "张三" in [o.name for o in search_owners(sales, "zhangsan").owners]


def test_every_role_has_a_login_with_the_demo_password(demo: dict[str, int]) -> None:
    # when
    result = load_demo(password=PASSWORD)
    # then
    usernames = [login.username for login in result.logins]
    assert usernames == [
        "admin",
        "manager",
        "frontdesk",
        "service",
        "sales",
        "supervisor",
        "auditor",
    ]
    admin = User.objects.get(username="admin")
    assert not admin.is_superuser
    assert admin.groups.filter(name="administrator").exists()
    assert all(User.objects.get(username=name).check_password(PASSWORD) for name in usernames)


def test_loading_twice_duplicates_nothing(demo: dict[str, int]) -> None:
    # given
    before = _totals()
    # when
    again = load_demo(owners=OWNERS, orders=ORDERS, seed=7, password=PASSWORD)
    # then
    assert not again.created
    assert _totals() == before
    assert again.counts == demo
    assert [login.password for login in again.logins] == [PASSWORD] * 7


def test_a_changed_password_is_kept_unless_reset(demo: dict[str, int]) -> None:
    # given
    sales = User.objects.get(username="sales")
    sales.set_password("my-own-password")
    sales.save()
    # when
    kept = load_demo(password=PASSWORD)
    reset = load_demo(password=PASSWORD, reset_passwords=True)
    # then
    assert next(x for x in kept.logins if x.username == "sales").password == ""
    assert next(x for x in reset.logins if x.username == "sales").password == PASSWORD
    sales.refresh_from_db()
    assert sales.check_password(PASSWORD)


def test_command_prints_the_logins(loaded: str) -> None:
    # then
    assert "Demo data loaded" in loaded
    assert "frontdesk" in loaded
    assert PASSWORD in loaded
    assert "http://127.0.0.1:8000" in loaded


# --- The service desk --------------------------------------------------------------------
def test_orders_are_taken_through_the_services_at_past_times(demo: dict[str, int]) -> None:
    # given
    now = timezone.now()
    orders = WorkOrder.objects.all()
    # then
    assert demo["work_orders"] == ORDERS
    assert set(orders.values_list("type", flat=True)) >= {"repair", "complaint", "enquiry"}
    statuses = set(orders.values_list("status", flat=True))
    assert statuses >= {"accepted", "dispatched", "in_progress", "on_hold", "closed", "merged"}
    assert not orders.filter(received_at__lt=now - timedelta(days=61)).exists()
    # each one accepted by the service (event, change log), every step in the past
    accepted = WorkOrderEvent.objects.filter(kind=WorkOrderEvent.Kind.ACCEPTED)
    assert accepted.values("work_order").distinct().count() == ORDERS
    assert ChangeLog.objects.filter(action="create", object_repr__startswith="GD").count() == ORDERS
    assert not WorkOrderEvent.objects.filter(at__gt=now).exists()
    for order in orders.filter(status="closed"):
        assert order.resolved_at and order.closed_at
        assert order.received_at < order.resolved_at <= order.closed_at <= now
    # so most milestones were met on time, as a working desk meets them
    met = Milestone.objects.filter(met_at__isnull=False)
    assert met.count() > 2 * met.filter(met_at__gt=F("due_at")).count() > 0


def test_complaints_have_a_plan_approved_by_the_manager_and_feedback(
    demo: dict[str, int],
) -> None:
    # given
    manager = User.objects.get(username="manager")
    closed = WorkOrder.objects.filter(type="complaint", status="closed")
    # then
    assert closed.exists()
    for order in closed:
        assert order.plans.filter(status="approved", decided_by=manager).exists()
        assert order.feedback.exists()
    assert ComplaintPlan.objects.filter(status=ComplaintPlan.Status.PROPOSED).exists()


def test_the_queues_show_something_for_each_desk_user(demo: dict[str, int]) -> None:
    # given
    now = timezone.now()
    desk, supervisor = (
        User.objects.get(username="frontdesk"),
        User.objects.get(username="supervisor"),
    )
    open_orders = WorkOrder.objects.open()
    running = Milestone.objects.running().filter(paused_at__isnull=True)
    # then
    assert open_orders.filter(first_responder=desk).exists()  # I responded first
    assert open_orders.filter(assignee=desk).exists()  # my orders
    assert open_orders.filter(assignee=supervisor).count() >= 3
    assert open_orders.filter(status="accepted").count() >= 3  # unassigned
    assert open_orders.filter(status="on_hold", hold_reason="materials").exists()
    assert running.filter(at_risk_at__lte=now, due_at__gte=now).exists()
    # the sweep ran: breaches marked, the oldest escalated, people notified
    assert running.filter(breached_at__isnull=False).count() >= 3
    assert Milestone.objects.filter(escalated_at__isnull=False).exists()
    assert Notification.objects.filter(kind="breached").exists()


def test_notifications_about_finished_business_are_read(demo: dict[str, int]) -> None:
    # given
    unread = Notification.objects.filter(read_at__isnull=True)
    finished = Q(work_order__status__in=WorkOrder.DONE)
    # then
    assert Notification.objects.filter(finished).exists()
    assert not unread.filter(finished).exists()
    assert unread.filter(recipient__username="supervisor", kind="dispatched").exists()


def test_five_owners_of_one_building_raise_a_group_complaint_alert(demo: dict[str, int]) -> None:
    # when
    alert = GroupComplaintAlert.objects.get(category__path="防水渗漏 › 外墙渗漏")
    # then
    orders = alert.orders.all()
    assert alert.status == GroupComplaintAlert.Status.OPEN and alert.owner_count >= 5
    assert len({order.owner_id for order in orders}) >= 5
    assert all(order.received_at > timezone.now() - timedelta(days=7) for order in orders)


def test_zhang_san_has_his_own_orders(demo: dict[str, int]) -> None:
    # when
    orders = WorkOrder.objects.filter(owner__name="张三", unit__code="3-2-1801")
    # then
    assert set(orders.values_list("status", flat=True)) >= {"closed", "in_progress"}


def test_orders_cannot_be_negative() -> None:
    # then
    with pytest.raises(CommandError):
        call_command("load_demo", "--orders", "-1")
