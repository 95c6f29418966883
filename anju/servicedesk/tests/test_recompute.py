"""Deadlines follow the working calendar after it changes (D22).

A company day off, a corrected or newly loaded year moves the running working-time
deadlines it covers, the provisional ones too; only what moved is written; marks the sweep
set on a deadline that moved past now are forgotten; a change survives a broker outage.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from anju.core.testing.instants import at
from anju.servicedesk import recompute as recompute_module
from anju.servicedesk.calendar import calendar_amend_day, calendar_enter_year
from anju.servicedesk.models import (
    CalendarDay,
    DeadlineRecompute,
    Milestone,
    Notification,
    WorkOrder,
    WorkOrderEvent,
)
from anju.servicedesk.recompute import recompute_deadlines
from anju.servicedesk.services import work_order_dispatch, work_order_hold, work_order_resume
from anju.servicedesk.sla import stored_milestone_state
from anju.servicedesk.sweep import SweepResult, sweep_milestones
from anju.servicedesk.tasks import recompute_deadlines_task

SHANGHAI = ZoneInfo("Asia/Shanghai")
Kind = WorkOrderEvent.Kind


END_OF = (23, 59, 59, 999999)


@pytest.fixture
def move(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Moves timezone.now() (orders cannot be reported in the future)."""

    def to(instant: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return to


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("administrator")


def clock(order: WorkOrder, kind: str) -> Milestone:
    return Milestone.objects.get(work_order=order, kind=kind, met_at__isnull=True)


def recomputed(order: WorkOrder) -> list[str]:
    return [e.data["milestone"] for e in order.events.filter(kind=Kind.DEADLINES_RECOMPUTED)]


def test_a_company_day_off_moves_the_running_deadlines_it_covers(
    accept, desk, supervisor, admin, move, django_capture_on_commit_callbacks
):
    # given a repair reported on Monday 2026-11-23: response due Tuesday, completion
    # (7 working days) Wednesday 12-02, dispatch 10 wall-clock minutes
    move(at(2026, 11, 23, 10, 0))
    order = accept()
    assert clock(order, "completion").due_at == at(2026, 12, 2, *END_OF)
    dispatch_due = clock(order, "dispatch").due_at
    # when the company closes on Wednesday 11-25 (typhoon)
    move(at(2026, 11, 23, 11, 0))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_amend_day(
            actor=admin, date=date(2026, 11, 25), kind=CalendarDay.Kind.EXTRA_DAY_OFF, name="台风"
        )
    # then the completion is due a working day later, as a new order's is
    assert clock(order, "completion").due_at == at(2026, 12, 3, *END_OF)
    assert clock(order, "completion").due_at == clock(accept(), "completion").due_at
    # and the response (due before that day) and the wall clock did not move
    assert clock(order, "response").due_at == at(2026, 11, 24, *END_OF)
    assert clock(order, "dispatch").due_at == dispatch_due
    assert recomputed(order) == ["completion"]
    order.refresh_from_db()
    assert order.next_due_at == dispatch_due
    assert not DeadlineRecompute.objects.filter(done_at__isnull=True).exists()
    # and running again moves nothing and writes nothing
    assert recompute_deadlines((date(2026, 11, 25), date(2026, 11, 25))) == 0
    assert recomputed(order) == ["completion"]


def test_a_deadline_moved_past_now_is_no_longer_breached_nor_escalated(
    accept, desk, supervisor, manager, admin, move, django_capture_on_commit_callbacks
):
    # given a repair reported on 2026-12-31 (2027 not loaded): the response is guessed due
    # on Friday 2027-01-01, and the sweep found it breached the next night
    move(at(2026, 12, 31, 10, 0))
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    assert clock(order, "response").provisional
    move(at(2027, 1, 2, 1, 0))
    assert sweep_milestones(at(2027, 1, 2, 1, 0)) == SweepResult(breached=1)
    # when the 2027 notice is entered: New Year's Day is a holiday
    move(at(2027, 1, 2, 1, 5))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_enter_year(
            actor=admin,
            year=2027,
            holidays={date(2027, 1, 1)},
            makeup_workdays=set(),
            source="国务院办公厅关于2027年部分节假日安排的通知",
        )
    # then the response is due on Monday and the breach mark is gone
    response = clock(order, "response")
    assert (response.due_at, response.provisional) == (at(2027, 1, 4, *END_OF), False)
    assert response.breached_at is None
    assert stored_milestone_state(response, at(2027, 1, 2, 1, 5)).state != "breached"
    # and the sweep does not escalate a clock that is not overdue
    assert sweep_milestones(at(2027, 1, 2, 3, 0)) == SweepResult()
    assert not Notification.objects.filter(kind="escalated").exists()
    # and marks the real breach when it comes
    assert sweep_milestones(at(2027, 1, 5, 0, 30)) == SweepResult(breached=1)
    assert clock(order, "response").breached_at == at(2027, 1, 5, 0, 30)


def test_a_clock_overdue_when_held_stays_as_late_after_the_hold(accept, desk, supervisor, move):
    # given a repair whose completion was due at the end of 12-02 and an hour overdue when
    # the supervisor put it on hold
    move(at(2026, 11, 23, 10, 0))
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    move(at(2026, 12, 3, 1, 0))
    work_order_hold(actor=supervisor, order=order, reason="materials")
    # when it resumes 1 day 21 hours later (1.875 working days, rounded up to 2: D21)
    move(at(2026, 12, 4, 22, 0))
    work_order_resume(actor=supervisor, order=order)
    # then the hold is not counted, and the rounding does not turn the breach into time
    # left: it is still an hour overdue
    completion = clock(order, "completion")
    assert completion.due_at == at(2026, 12, 4, 20, 59, 59, 999999)
    assert stored_milestone_state(completion, at(2026, 12, 4, 22, 0)).state == "breached"


def test_an_escalation_in_a_project_without_managers_tells_the_administrators(accept, admin):
    # given a repair nobody dispatched, in a project that has no manager
    now = timezone.now()
    order = accept(received_at=now - timezone.timedelta(hours=3))
    assert sweep_milestones(now) == SweepResult(breached=1)
    # when the breach is an hour old
    sweep_minutes = settings.ANJU_SLA_ESCALATE_AFTER_MINUTES + 1
    assert sweep_milestones(now + timezone.timedelta(minutes=sweep_minutes)) == SweepResult(
        escalated=1
    )
    # then the administrators are told, and the timeline says why
    escalated = Notification.objects.get(kind="escalated")
    assert (escalated.recipient_id, escalated.work_order_id) == (admin.pk, order.pk)
    event = order.events.get(kind=Kind.MILESTONE_ESCALATED)
    assert event.data["notified"] == [admin.pk]
    assert event.data["fallback"] == "administrators"


def test_a_project_with_a_manager_escalates_to_the_manager_only(accept, admin, manager):
    now = timezone.now()
    order = accept(received_at=now - timezone.timedelta(hours=3))
    sweep_milestones(now)
    sweep_milestones(now + timezone.timedelta(hours=2))
    event = order.events.get(kind=Kind.MILESTONE_ESCALATED)
    assert event.data == {"milestone": "dispatch", "notified": [manager.pk]}


def test_a_calendar_change_survives_a_broker_that_is_down(
    accept, admin, move, monkeypatch, django_capture_on_commit_callbacks
):
    # given a repair with a completion due 12-02, and a broker that refuses the task
    move(at(2026, 11, 23, 10, 0))
    order = accept()

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(recompute_deadlines_task, "delay", broker_down)
    # when an administrator adds a company day off
    with django_capture_on_commit_callbacks(execute=True):
        calendar_amend_day(
            actor=admin, date=date(2026, 11, 25), kind=CalendarDay.Kind.EXTRA_DAY_OFF
        )
    # then the change stands and the work waits as a pending request
    assert CalendarDay.objects.filter(date=date(2026, 11, 25)).exists()
    assert DeadlineRecompute.objects.filter(done_at__isnull=True).count() == 1
    assert clock(order, "completion").due_at == at(2026, 12, 2, *END_OF)
    # and the periodic run (beat) works it off
    assert "servicedesk.recompute_deadlines" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert recompute_deadlines_task() == 1
    assert clock(order, "completion").due_at == at(2026, 12, 3, *END_OF)
    assert not DeadlineRecompute.objects.filter(done_at__isnull=True).exists()
    assert recompute_deadlines_task() == 0


def test_a_mark_the_sweep_set_during_a_recompute_is_not_written_back(
    accept, desk, supervisor, admin, move, monkeypatch, django_capture_on_commit_callbacks
):
    # given a repair long overdue, and a company day off whose recompute is pending
    move(at(2026, 11, 23, 10, 0))
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    now = at(2026, 12, 10, 9, 0)
    move(now)
    monkeypatch.setattr(recompute_deadlines_task, "delay", lambda *args, **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_amend_day(
            actor=admin, date=date(2026, 11, 25), kind=CalendarDay.Kind.EXTRA_DAY_OFF
        )
    real = recompute_module.recomputed_deadline

    def while_the_sweep_marks(milestone: Milestone, clocks: Any) -> Any:
        # what a sweep committing meanwhile leaves (on PostgreSQL it skips the locked rows)
        Milestone.objects.filter(breached_at__isnull=True, due_at__lt=now).update(breached_at=now)
        return real(milestone, clocks)

    monkeypatch.setattr(recompute_module, "recomputed_deadline", while_the_sweep_marks)
    # when the recompute runs: the completion moves a day, still overdue
    recompute_module.recompute_requested(now)
    # then the breach mark stays: the next sweep does not announce the breach again
    completion = clock(order, "completion")
    assert completion.due_at == at(2026, 12, 3, *END_OF)
    assert completion.breached_at == now
    assert sweep_milestones(now).breached == 0


def test_a_held_clock_whose_deadline_moved_past_its_hold_is_not_breached(
    accept, desk, supervisor, admin, move, django_capture_on_commit_callbacks
):
    # given a completion breached, escalated, then held on 12-03 at 03:00
    move(at(2026, 11, 23, 10, 0))
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    move(at(2026, 12, 3, 3, 0))
    assert sweep_milestones(at(2026, 12, 3, 1, 0)).breached >= 1
    Milestone.objects.filter(work_order=order, kind="completion").update(
        escalated_at=at(2026, 12, 3, 2, 0)
    )
    work_order_hold(actor=supervisor, order=order, reason="materials")
    # when, a week later, a day off is added for 11-25: the completion was due 12-03 23:59
    move(at(2026, 12, 10, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_amend_day(
            actor=admin, date=date(2026, 11, 25), kind=CalendarDay.Kind.EXTRA_DAY_OFF
        )
    # then, held before that, the clock never breached: the marks go
    completion = clock(order, "completion")
    assert completion.due_at == at(2026, 12, 3, *END_OF)
    assert (completion.breached_at, completion.escalated_at) == (None, None)
