"""The periodic SLA sweep: warnings, breaches and escalations, each exactly once."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from anju.servicedesk.calendar import calendar_enter_year
from anju.servicedesk.models import Milestone, Notification, WorkOrder, WorkOrderEvent
from anju.servicedesk.services import (
    WorkOrderInput,
    work_order_accept,
    work_order_dispatch,
    work_order_hold,
    work_order_merge,
    work_order_resolve,
    work_order_resume,
)
from anju.servicedesk.sweep import SweepResult, recompute_provisional, sweep_milestones
from anju.servicedesk.tasks import recompute_provisional_deadlines, sweep_milestones_task

SHANGHAI = ZoneInfo("Asia/Shanghai")
Kind = WorkOrderEvent.Kind


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=SHANGHAI)


@pytest.fixture
def accept(project, owner, unit, desk, leak) -> Callable[..., WorkOrder]:
    def make(**fields: Any) -> WorkOrder:
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
        return work_order_accept(actor=desk, data=WorkOrderInput(**data))[0]

    return make


@pytest.fixture
def sweep(django_capture_on_commit_callbacks) -> Callable[[datetime], SweepResult]:
    """One sweep at ``now``, with its after-commit notifications delivered."""

    def run(now: datetime) -> SweepResult:
        with django_capture_on_commit_callbacks(execute=True):
            return sweep_milestones(now)

    return run


def events(kind: str) -> list[tuple[int, str]]:
    found = WorkOrderEvent.objects.filter(kind=kind).order_by("id")
    return [(e.work_order_id, e.data["milestone"]) for e in found]


def notes(kind: str) -> list[tuple[int, int | None]]:
    found = Notification.objects.filter(kind=kind).order_by("id")
    return [(n.recipient_id, n.work_order_id) for n in found]


def result(at_risk: int = 0, breached: int = 0, escalated: int = 0) -> SweepResult:
    return SweepResult(at_risk=at_risk, breached=breached, escalated=escalated)


def test_an_at_risk_milestone_is_announced_once(accept, desk, sweep):
    # given a repair reported 9 minutes ago: dispatch is due in 1 minute (at risk after 8)
    now = timezone.now()
    order = accept(received_at=now - timedelta(minutes=9))
    # when the sweep runs twice
    assert sweep(now) == result(at_risk=1)
    assert sweep(now + timedelta(seconds=30)) == result()
    # then one warning, to the first responder (nobody is assigned yet)
    assert events(Kind.MILESTONE_AT_RISK) == [(order.pk, "dispatch")]
    assert notes("at_risk") == [(desk.pk, order.pk)]
    dispatch = Milestone.objects.get(work_order=order, kind="dispatch")
    assert dispatch.at_risk_notified_at == now and dispatch.breached_at is None


def test_a_breach_is_announced_once_to_the_assignee_or_the_first_responder(
    accept, desk, supervisor, sweep
):
    now = timezone.now()
    # given an order nobody dispatched for 3 hours, and an urgent one dispatched late
    waiting = accept(received_at=now - timedelta(hours=3))
    urgent = accept(received_at=now - timedelta(hours=3), urgency="urgent")
    work_order_dispatch(actor=desk, order=urgent, department="engineering", assignee=supervisor)
    # when the sweep runs, and again a minute later
    assert sweep(now) == result(breached=2)
    assert sweep(now + timedelta(minutes=1)) == result()
    # then the waiting order's dispatch and the urgent order's 2-hour response are breached
    assert sorted(events(Kind.MILESTONE_BREACHED)) == [
        (waiting.pk, "dispatch"),
        (urgent.pk, "response"),
    ]
    assert sorted(notes("breached")) == sorted([(desk.pk, waiting.pk), (supervisor.pk, urgent.pk)])
    breached = WorkOrderEvent.objects.get(work_order=urgent, kind=Kind.MILESTONE_BREACHED)
    assert breached.actor is None
    assert datetime.fromisoformat(breached.data["due_at"]) == urgent.received_at + timedelta(
        hours=2
    )
    # and the late dispatch counts as met (late), not as a breach
    met = WorkOrderEvent.objects.get(work_order=urgent, kind=Kind.MILESTONE_MET)
    assert (met.data["milestone"], met.data["late"]) == ("dispatch", True)


def test_a_breach_is_escalated_to_the_project_managers_once_after_the_delay(
    accept, manager, make_user, other_project, sweep, settings
):
    settings.ANJU_SLA_ESCALATE_AFTER_MINUTES = 30
    elsewhere = make_user("manager", projects=[other_project])
    now = timezone.now()
    order = accept(received_at=now - timedelta(hours=1))
    assert sweep(now) == result(breached=1)
    # not yet: 29 minutes after the breach was marked
    assert sweep(now + timedelta(minutes=29)) == result()
    assert sweep(now + timedelta(minutes=31)) == result(escalated=1)
    assert sweep(now + timedelta(minutes=32)) == result()
    assert sweep(now + timedelta(hours=5)) == result()
    assert events(Kind.MILESTONE_ESCALATED) == [(order.pk, "dispatch")]
    escalated = WorkOrderEvent.objects.get(kind=Kind.MILESTONE_ESCALATED)
    assert escalated.data["notified"] == [manager.pk]
    assert notes("escalated") == [(manager.pk, order.pk)]
    assert not Notification.objects.filter(recipient=elsewhere).exists()


def test_one_sweep_marks_each_milestone_at_its_own_stage(accept, supervisor, desk, sweep):
    now = timezone.now()
    at_risk = accept(received_at=now - timedelta(minutes=9))
    overdue = accept(received_at=now - timedelta(minutes=20))
    long_overdue = accept(received_at=now - timedelta(hours=5))
    Milestone.objects.filter(work_order=long_overdue, kind="dispatch").update(
        breached_at=now - timedelta(hours=4)
    )
    assert sweep(now) == result(at_risk=1, breached=1, escalated=1)
    assert events(Kind.MILESTONE_AT_RISK) == [(at_risk.pk, "dispatch")]
    assert events(Kind.MILESTONE_BREACHED) == [(overdue.pk, "dispatch")]
    assert events(Kind.MILESTONE_ESCALATED) == [(long_overdue.pk, "dispatch")]


def test_met_paused_and_cancelled_milestones_are_left_alone(accept, desk, supervisor, sweep):
    now = timezone.now()
    # dispatched in time; then held: response and completion are paused
    held = accept(received_at=now - timedelta(minutes=5))
    work_order_dispatch(actor=desk, order=held, department="engineering", assignee=supervisor)
    work_order_hold(actor=supervisor, order=held, reason="owner")
    # resolved: every milestone met
    resolved = accept(received_at=now - timedelta(minutes=5))
    work_order_dispatch(actor=desk, order=resolved, department="engineering", assignee=supervisor)
    work_order_resolve(actor=supervisor, order=resolved, note="已修复")
    # merged into the resolved one: its milestones are cancelled
    duplicate = accept(received_at=now - timedelta(minutes=5))
    original = accept(received_at=now - timedelta(minutes=5))
    work_order_dispatch(actor=desk, order=original, department="engineering", assignee=supervisor)
    work_order_merge(actor=desk, duplicate=duplicate, into=original)
    work_order_hold(actor=supervisor, order=original, reason="materials")
    # when the sweep runs a month later
    assert sweep(now + timedelta(days=30)) == result()
    assert (
        not WorkOrderEvent.objects.filter(kind__startswith="milestone_")
        .exclude(kind=Kind.MILESTONE_MET)
        .exists()
    )
    assert not Notification.objects.exclude(kind="dispatched").exists()


def test_a_held_breach_is_not_escalated_until_it_resumes(accept, desk, supervisor, sweep):
    now = timezone.now()
    order = accept(received_at=now - timedelta(hours=3), urgency="urgent")
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    assert sweep(now) == result(breached=1)  # the 2-hour response
    work_order_hold(actor=supervisor, order=order, reason="owner")
    assert sweep(now + timedelta(hours=3)) == result()
    work_order_resume(actor=supervisor, order=order)
    assert sweep(now + timedelta(hours=3)) == result(escalated=1)


def test_a_breach_met_before_the_escalation_is_not_escalated(accept, desk, supervisor, sweep):
    now = timezone.now()
    order = accept(received_at=now - timedelta(hours=1))
    assert sweep(now) == result(breached=1)
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    assert sweep(now + timedelta(hours=2)) == result()
    assert Milestone.objects.get(work_order=order, kind="dispatch").escalated_at is None


def test_the_tasks_run_the_sweep(accept, django_capture_on_commit_callbacks):
    accept(received_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_milestones_task.delay().get() == {"at_risk": 0, "breached": 1, "escalated": 0}
    assert Notification.objects.filter(kind="breached").count() == 1
    assert recompute_provisional_deadlines.delay().get() == 0


# --- provisional deadlines -----------------------------------------------------------


@pytest.fixture
def december_30_2026(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Moves timezone.now() to a chosen instant (orders cannot be reported in the future)."""

    def move(instant: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    move(at(2026, 12, 30, 10, 0))
    return move


def enter_2027(actor: Any) -> None:
    calendar_enter_year(
        actor=actor,
        year=2027,
        holidays={date(2027, 1, 1)},
        makeup_workdays=set(),
        source="国务院办公厅关于2027年部分节假日安排的通知",
    )


def completion(order: WorkOrder) -> Milestone:
    return Milestone.objects.get(work_order=order, kind="completion")


def test_loading_the_year_recomputes_the_provisional_deadlines(
    accept, make_user, december_30_2026, django_capture_on_commit_callbacks
):
    # given a repair on 2026-12-30 whose 7 working days reach into 2027, not yet loaded
    order = accept()
    assert (completion(order).due_at, completion(order).provisional) == (
        at(2027, 1, 8, 23, 59, 59, 999999),
        True,
    )
    assert not Milestone.objects.get(work_order=order, kind="response").provisional
    # when an administrator enters the 2027 notice (New Year's Day off)
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(make_user("administrator"))
    # then the deadline is recomputed on the real calendar and no longer provisional
    recomputed = completion(order)
    assert (recomputed.due_at, recomputed.provisional) == (
        at(2027, 1, 11, 23, 59, 59, 999999),
        False,
    )
    assert recomputed.at_risk_at == at(2027, 1, 7, 21, 36)
    event = order.events.get(kind=Kind.DEADLINES_RECOMPUTED)
    assert (event.data["milestone"], event.data["provisional"]) == ("completion", False)
    assert recompute_provisional() == 0


def test_recomputing_replays_the_holds(
    accept, desk, supervisor, make_user, december_30_2026, django_capture_on_commit_callbacks
):
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    december_30_2026(at(2026, 12, 30, 18, 0))
    work_order_hold(actor=supervisor, order=order, reason="materials")
    december_30_2026(at(2026, 12, 31, 9, 0))  # 12-31 began during the hold: one day more
    work_order_resume(actor=supervisor, order=order)
    assert (completion(order).due_at, completion(order).provisional) == (
        at(2027, 1, 11, 23, 59, 59, 999999),
        True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(make_user("administrator"))
    assert (completion(order).due_at, completion(order).provisional) == (
        at(2027, 1, 12, 23, 59, 59, 999999),
        False,
    )


def test_without_the_year_a_recompute_keeps_the_deadline_provisional(accept, december_30_2026):
    order = accept()
    assert recompute_provisional() == 1
    assert completion(order).provisional
    assert completion(order).due_at == at(2027, 1, 8, 23, 59, 59, 999999)
