"""The periodic SLA sweep: warnings, breaches and escalations, each exactly once.

On PostgreSQL a batch is one set-based statement (sweep_sql), elsewhere the portable ORM
path runs: every test here runs on both databases, and on PostgreSQL the two paths are
also compared with each other.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from anju.core.testing.instants import at
from anju.security.models import User
from anju.servicedesk import sweep as sweep_module
from anju.servicedesk import sweep_sql
from anju.servicedesk.calendar import calendar_enter_year
from anju.servicedesk.models import Milestone, Notification, WorkOrder, WorkOrderEvent
from anju.servicedesk.recompute import recompute_deadlines
from anju.servicedesk.services import (
    work_order_dispatch,
    work_order_hold,
    work_order_merge,
    work_order_resolve,
    work_order_resume,
)
from anju.servicedesk.sweep import SweepResult, sweep_milestones
from anju.servicedesk.tasks import recompute_deadlines_task, sweep_milestones_task

SHANGHAI = ZoneInfo("Asia/Shanghai")
Kind = WorkOrderEvent.Kind


@pytest.fixture
def sweep() -> Callable[[datetime], SweepResult]:
    """One sweep at ``now``; its notifications are written with its marks (no on_commit)."""
    return sweep_milestones


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
    assert recompute_deadlines_task.delay().get() == 0


# --- what the sweep writes, batch by batch --------------------------------------------


TEMPLATES = {
    "at_risk": "%(number)s: %(milestone)s is at risk.",
    "breached": "%(number)s: %(milestone)s is overdue.",
    "escalated": "%(number)s: %(milestone)s is overdue and was escalated to you.",
}


def expected_text(kind: str, milestone: Milestone) -> str:
    """The notification text as the sweep always made it: translated in the active
    language, with the milestone's display name."""
    order = milestone.work_order
    return gettext(TEMPLATES[kind]) % {
        "number": order.number,
        "milestone": milestone.get_kind_display(),
    }


SWEEP_EVENTS = [Kind.MILESTONE_AT_RISK, Kind.MILESTONE_BREACHED, Kind.MILESTONE_ESCALATED]


def notes_of(order: WorkOrder) -> list[tuple[int, str, str]]:
    found = Notification.objects.filter(work_order=order, kind__in=list(TEMPLATES))
    return sorted((n.recipient_id, n.kind, n.text) for n in found)


def event_of(order: WorkOrder, kind: str) -> dict[str, Any]:
    return WorkOrderEvent.objects.get(work_order=order, kind=kind).data


def written() -> tuple[list[Any], list[Any]]:
    """The sweep's events and notifications, comparable across runs."""
    found_events = WorkOrderEvent.objects.filter(kind__in=SWEEP_EVENTS)
    found_notes = Notification.objects.filter(kind__in=list(TEMPLATES))
    return (
        sorted(
            (e.work_order_id, e.kind, json.dumps(e.data, sort_keys=True), e.actor_id, e.note, e.at)
            for e in found_events
        ),
        sorted(
            (n.recipient_id, n.kind, n.text, n.work_order_id, n.read_at, n.created_at)
            for n in found_notes
        ),
    )


@dataclass
class Desk:
    """Orders at every stage of the sweep, and the people it tells."""

    now: datetime
    at_risk: WorkOrder  # dispatch due in a minute, nobody assigned
    overdue: WorkOrder  # dispatch due 10 minutes ago, to the microsecond
    late_response: WorkOrder  # urgent, dispatched to the supervisor, response overdue
    renamed: WorkOrder  # overdue milestone of a kind no choice names
    breached_long_ago: WorkOrder  # breach marked 4 hours ago: escalated now
    managers: list[User]  # the project's active managers


@pytest.fixture
def busy_desk(accept, desk, supervisor, manager, make_user, project, other_project) -> Desk:
    now = timezone.now()
    at_risk = accept(received_at=now - timedelta(minutes=9))
    overdue = accept(received_at=now - timedelta(minutes=25))
    Milestone.objects.filter(work_order=overdue, kind="dispatch").update(
        due_at=(now - timedelta(minutes=10)).replace(microsecond=123456)
    )
    late_response = accept(received_at=now - timedelta(hours=3), urgency="urgent")
    work_order_dispatch(
        actor=desk, order=late_response, department="engineering", assignee=supervisor
    )
    Milestone.objects.filter(work_order=late_response, kind="response").update(
        due_at=(now - timedelta(hours=1)).replace(microsecond=0)
    )
    renamed = accept(received_at=now - timedelta(hours=1))
    Milestone.objects.filter(work_order=renamed, kind="dispatch").update(kind="legacy_step")
    breached_long_ago = accept(received_at=now - timedelta(hours=5))
    Milestone.objects.filter(work_order=breached_long_ago, kind="dispatch").update(
        breached_at=now - timedelta(hours=4)
    )
    # ignored: a held order and a resolved one, both long overdue
    held = accept(received_at=now - timedelta(hours=5))
    work_order_dispatch(actor=desk, order=held, department="engineering", assignee=supervisor)
    work_order_hold(actor=supervisor, order=held, reason="owner")
    resolved = accept(received_at=now - timedelta(hours=5))
    work_order_dispatch(actor=desk, order=resolved, department="engineering", assignee=supervisor)
    work_order_resolve(actor=supervisor, order=resolved, note="已修复")
    # escalations go to the project's active managers only
    second = make_user("manager", projects=[project])
    retired = make_user("manager", projects=[project])
    User.objects.filter(pk=retired.pk).update(is_active=False)
    make_user("manager", projects=[other_project])
    make_user("repair_supervisor", projects=[project])
    return Desk(now, at_risk, overdue, late_response, renamed, breached_long_ago, [manager, second])


def milestone(order: WorkOrder, kind: str) -> Milestone:
    return Milestone.objects.select_related("work_order").get(work_order=order, kind=kind)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_events_and_notifications_say_what_they_always_said(
    busy_desk, desk, supervisor, language, sweep
):
    d = busy_desk
    with translation.override(language):
        # when the sweep runs in the worker's language
        assert sweep(d.now) == result(at_risk=1, breached=3, escalated=1)
        # then the at-risk warning goes to the first responder (nobody is assigned)
        dispatch = milestone(d.at_risk, "dispatch")
        assert notes_of(d.at_risk) == [(desk.pk, "at_risk", expected_text("at_risk", dispatch))]
        assert event_of(d.at_risk, Kind.MILESTONE_AT_RISK) == {
            "milestone": "dispatch",
            "due_at": dispatch.due_at.isoformat(),
        }
        # the breaches to the assignee, else the first responder; due times as isoformat()
        overdue = milestone(d.overdue, "dispatch")
        assert notes_of(d.overdue) == [(desk.pk, "breached", expected_text("breached", overdue))]
        assert event_of(d.overdue, Kind.MILESTONE_BREACHED) == {
            "milestone": "dispatch",
            "due_at": overdue.due_at.isoformat(),
        }
        assert overdue.due_at.isoformat().endswith(".123456+00:00")
        response = milestone(d.late_response, "response")
        assert notes_of(d.late_response) == [
            (supervisor.pk, "breached", expected_text("breached", response))
        ]
        assert event_of(d.late_response, Kind.MILESTONE_BREACHED)["due_at"] == (
            response.due_at.isoformat()
        )
        assert "." not in response.due_at.isoformat()  # no microseconds: none written
        # a kind no choice names is named by its value, as get_kind_display() does
        renamed = milestone(d.renamed, "legacy_step")
        assert notes_of(d.renamed) == [(desk.pk, "breached", expected_text("breached", renamed))]
        assert "legacy_step" in notes_of(d.renamed)[0][2]
        # the escalation to each active manager of the project, listed in the event
        escalated = milestone(d.breached_long_ago, "dispatch")
        text = expected_text("escalated", escalated)
        managers = sorted(u.pk for u in d.managers)
        assert notes_of(d.breached_long_ago) == [(pk, "escalated", text) for pk in managers]
        assert event_of(d.breached_long_ago, Kind.MILESTONE_ESCALATED) == {
            "milestone": "dispatch",
            "notified": managers,
        }
        # in the worker's language: Chinese unless told otherwise
        assert ("临近超时" in notes_of(d.at_risk)[0][2]) == (language == "zh-hans")
    # and nothing else was written
    assert WorkOrderEvent.objects.filter(kind__in=SWEEP_EVENTS).count() == 5
    assert Notification.objects.filter(kind__in=list(TEMPLATES)).count() == 6


def test_notifications_are_written_in_the_transaction_of_their_marks(accept, desk):
    # given an overdue order, in a transaction whose on_commit callbacks never run
    now = timezone.now()
    order = accept(received_at=now - timedelta(hours=1))
    # when the sweep runs inside it
    assert sweep_milestones(now) == result(breached=1)
    # then the notification is already there, with the mark and the event
    assert notes("breached") == [(desk.pk, order.pk)]


def test_batches_walk_ties_and_mark_each_milestone_once(accept, monkeypatch, sweep):
    # given 7 orders whose dispatch times tie (due, at risk and breached at the same instant)
    monkeypatch.setattr("anju.servicedesk.sweep.BATCH", 2)
    now = timezone.now()
    orders = [accept(received_at=now - timedelta(minutes=9)) for _ in range(7)]
    dispatches = Milestone.objects.filter(work_order__in=orders, kind="dispatch")
    dispatches.update(at_risk_at=now - timedelta(minutes=1), due_at=now + timedelta(minutes=1))
    # when the sweep runs in batches of 2: warned, then breached, then escalated
    assert sweep(now) == result(at_risk=7)
    breach = now + timedelta(minutes=2)
    assert sweep(breach) == result(breached=7)
    escalate = breach + timedelta(minutes=settings.ANJU_SLA_ESCALATE_AFTER_MINUTES)
    assert sweep(escalate) == result(escalated=7)
    # then each milestone was announced once at each stage
    for kind in SWEEP_EVENTS:
        assert sorted(events(kind)) == sorted((o.pk, "dispatch") for o in orders)
    assert sweep(escalate + timedelta(hours=1)) == result()


def test_the_statements_do_not_grow_with_the_milestones(accept):
    """A batch costs the same few statements however many milestones it marks."""

    def statements(count: int, now: datetime) -> int:
        for _ in range(count):
            accept(received_at=now - timedelta(hours=1))
        with CaptureQueriesContext(connection) as captured:
            assert sweep_milestones(now) == result(breached=count)
        return len(captured)

    now = timezone.now()
    few = statements(2, now)
    assert statements(9, now + timedelta(minutes=1)) == few
    if connection.vendor == "postgresql":
        # a savepoint around each batch; one statement per batch: at risk (none), the
        # breaches and the empty batch that ends the pass, escalations (none)
        assert few == 4 * 3


# --- the set-based statement (PostgreSQL) ----------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based statement is PostgreSQL's"
)


@postgresql_only
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_statement_writes_what_the_portable_path_writes(busy_desk, language, monkeypatch):
    d = busy_desk
    # the events' and notifications' own time, the same for both runs
    monkeypatch.setattr(timezone, "now", lambda: d.now + timedelta(seconds=1))

    def run(claim_batch: Callable[..., Any]) -> tuple[Any, ...]:
        """A sweep with one path, rolled back: what it returned, marked and wrote."""
        monkeypatch.setattr(sweep_module, "_claim_batch", claim_batch)
        with transaction.atomic(), translation.override(language):
            outcome = sweep_milestones(d.now)
            marks = Milestone.objects.order_by("pk").values_list(
                "pk", "at_risk_notified_at", "breached_at", "escalated_at"
            )
            ran = (outcome, list(marks), written())
            transaction.set_rollback(True)
        return ran

    portable = run(sweep_module._claim_batch_portable)
    assert portable[0] == result(at_risk=1, breached=3, escalated=1)
    assert len(portable[2][1]) == 6
    assert run(sweep_sql.claim_batch) == portable


@postgresql_only
def test_the_statement_formats_numbers_and_due_times_as_python_does(db):
    ids = [1, 42, 12345678, 99999999, 100000000, 9876543210]
    instants = [
        datetime(2026, 11, 22, 17, 51, 39, tzinfo=UTC),
        datetime(2026, 11, 22, 17, 51, 39, 120000, tzinfo=UTC),
        at(2027, 1, 1, 0, 0, 0, 1),  # Shanghai; read back in UTC
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sweep_sql._number('x')} FROM unnest(%s::bigint[]) AS t(x) ORDER BY x", [ids]
        )
        assert [row[0] for row in cursor.fetchall()] == [WorkOrder(pk=pk).number for pk in ids]
        cursor.execute(
            f"SELECT {sweep_sql._isoformat('x')} FROM unnest(%s::timestamptz[]) AS t(x) ORDER BY x",
            [instants],
        )
        assert [row[0] for row in cursor.fetchall()] == [
            instant.astimezone(UTC).isoformat() for instant in sorted(instants)
        ]


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
    assert recompute_deadlines() == 0


def test_recomputing_replays_the_holds(
    accept, desk, supervisor, make_user, december_30_2026, django_capture_on_commit_callbacks
):
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    december_30_2026(at(2026, 12, 30, 18, 0))
    work_order_hold(actor=supervisor, order=order, reason="materials")
    # 12-31 held until 13:00: over half of a working day, one day more (D21)
    december_30_2026(at(2026, 12, 31, 13, 0))
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
    # nothing moved: no deadline written, no event
    assert recompute_deadlines() == 0
    assert not order.events.filter(kind=Kind.DEADLINES_RECOMPUTED).exists()
    assert completion(order).provisional
    assert completion(order).due_at == at(2027, 1, 8, 23, 59, 59, 999999)
