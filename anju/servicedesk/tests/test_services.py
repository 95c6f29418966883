"""The service-desk write path: every transition, its timeline event, change log and clocks."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from anju.audit.models import ChangeLog
from anju.core.testing.factories import make_owner
from anju.core.testing.instants import at
from anju.servicedesk import calendar
from anju.servicedesk.models import (
    Category,
    Milestone,
    Notification,
    SlaPolicy,
    SlaTarget,
    WorkOrder,
    WorkOrderEvent,
)
from anju.servicedesk.services import (
    complaint_decide_plan,
    complaint_give_feedback,
    complaint_propose_plan,
    complaint_start_investigation,
    work_order_close,
    work_order_dispatch,
    work_order_escalate,
    work_order_hold,
    work_order_link,
    work_order_merge,
    work_order_reopen,
    work_order_resolve,
    work_order_resume,
    work_order_start,
)
from anju.servicedesk.sla import choose_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
Kind = WorkOrderEvent.Kind
Status = WorkOrder.Status


class Clock:
    """timezone.now() under the test's control (None: the real time)."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def set(self, value: datetime) -> None:
        self.now = value

    def advance(self, **delta: float) -> None:
        assert self.now is not None
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen, real = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: frozen.now or real())
    return frozen


def last_event(order: WorkOrder) -> WorkOrderEvent:
    return order.events.order_by("-id").first()  # type: ignore[return-value]


def changes(order: WorkOrder) -> list[ChangeLog]:
    return list(
        ChangeLog.objects.filter(
            content_type=ContentType.objects.get_for_model(WorkOrder), object_id=str(order.pk)
        ).order_by("id")
    )


def refused(call: Callable[[], Any], field: str = "status", code: str = "invalid_transition"):
    with pytest.raises(ValidationError) as caught:
        call()
    assert [e.code for e in caught.value.error_dict[field]] == [code]


def milestone(order: WorkOrder, kind: str) -> Milestone:
    return Milestone.objects.get(work_order=order, kind=kind)


# --- intake ------------------------------------------------------------------------


def test_accepting_writes_the_event_the_change_log_and_the_first_responder(accept, desk):
    order = accept()
    event = last_event(order)
    assert (event.kind, event.actor, event.data["channel"]) == (Kind.ACCEPTED, desk, "phone")
    assert event.data["first_responder"] == desk.pk and order.first_responder == desk
    assert [(c.action, c.actor) for c in changes(order)] == [("create", desk)]
    assert "idempotency_key" not in changes(order)[0].after
    assert order.sla_policy.name == "一般报修"


def test_the_first_responder_may_be_someone_else_at_the_desk(accept, desk, supervisor):
    order = accept(first_responder_id=supervisor.pk)
    assert (order.first_responder, order.created_by) == (supervisor, desk)
    assert last_event(order).data["first_responder"] == supervisor.pk


def test_an_order_keeps_its_units_building_and_one_without_a_unit_has_none(accept, unit):
    # given/when an order for a unit and an enquiry without one
    with_unit = accept()
    without = accept(type="enquiry", unit_id=None, category_id=None)
    # then the first carries the unit's building (what group-complaint counts go by)
    stored = WorkOrder.objects.values_list("pk", "building_id")
    assert dict(stored) == {with_unit.pk: unit.building_id, without.pk: None}


def test_a_report_time_in_the_future_is_refused(accept):
    refused(
        lambda: accept(received_at=timezone.now() + timedelta(minutes=5)),
        "received_at",
        "future_time",
    )
    assert not WorkOrder.objects.exists()


def test_a_call_logged_late_keeps_the_time_the_owner_called(accept):
    called = timezone.now() - timedelta(hours=3)
    order = accept(received_at=called)
    assert order.received_at == called
    assert milestone(order, "dispatch").due_at == called + timedelta(minutes=10)
    assert milestone(order, "dispatch").started_at == called


def test_a_desk_of_another_project_cannot_accept_for_this_project(accept, make_user, other_project):
    stranger = make_user("front_desk", projects=[other_project])
    refused(
        lambda: accept(actor=stranger, owner_id=None, unit_id=None), "project", "does_not_exist"
    )


def test_an_owner_of_another_project_is_not_found(accept, other_project):
    outsider = make_owner(other_project, name="李四", phones=["13900139000"])
    refused(lambda: accept(owner_id=outsider.pk), "owner", "does_not_exist")


def test_a_unit_of_another_project_is_not_found(accept, other_project):
    from anju.core.testing.factories import UnitFactory

    elsewhere = UnitFactory(building__phase__project=other_project, building__project=other_project)
    refused(lambda: accept(unit_id=elsewhere.pk, owner_id=None), "unit", "does_not_exist")


# --- transitions -------------------------------------------------------------------


def test_every_step_is_a_typed_event_with_actor_time_note_and_change(
    accept, desk, supervisor, manager, make_user, project
):
    order = accept()
    other = make_user("repair_supervisor", projects=[project])
    steps: list[tuple[Callable[[], Any], str, Any, str]] = [
        (
            lambda: work_order_dispatch(
                actor=desk, order=order, department="engineering", assignee=supervisor, note="d"
            ),
            Kind.DISPATCHED,
            desk,
            "d",
        ),
        (
            lambda: work_order_dispatch(
                actor=manager, order=order, department="contractor", assignee=other, note="r"
            ),
            Kind.REDISPATCHED,
            manager,
            "r",
        ),
        (lambda: work_order_start(actor=other, order=order, note="s"), Kind.STARTED, other, "s"),
        (
            lambda: work_order_escalate(actor=desk, order=order, note="e"),
            Kind.ESCALATED,
            desk,
            "e",
        ),
        (
            lambda: work_order_hold(actor=other, order=order, reason="owner", note="h"),
            Kind.HELD,
            other,
            "h",
        ),
        (lambda: work_order_resume(actor=other, order=order, note="u"), Kind.RESUMED, other, "u"),
        (
            lambda: work_order_resolve(actor=other, order=order, note="done"),
            Kind.RESOLVED,
            other,
            "done",
        ),
        (lambda: work_order_close(actor=desk, order=order, note="c"), Kind.CLOSED, desk, "c"),
        (
            lambda: work_order_reopen(actor=desk, order=order, note="又漏了"),
            Kind.REOPENED,
            desk,
            "又漏了",
        ),
    ]
    for step, kind, actor, note in steps:
        logged = len(changes(order))
        before = timezone.now()
        step()
        event = order.events.exclude(kind=Kind.MILESTONE_MET).order_by("-id").first()
        assert event is not None
        assert (event.kind, event.actor, event.note) == (kind, actor, note)
        assert before <= event.at <= timezone.now()
        assert len(changes(order)) == logged + 1, kind
        assert changes(order)[-1].actor == actor
    order.refresh_from_db()
    assert (order.status, order.assignee, order.department) == (
        Status.DISPATCHED,
        other,
        "contractor",
    )
    assert order.escalated and order.closed_at is None and order.resolved_at is None


def test_event_data_tells_who_and_why(accept, desk, supervisor, manager):
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    assert order.events.get(kind=Kind.DISPATCHED).data == {
        "department": "engineering",
        "assignee": supervisor.pk,
    }
    work_order_start(actor=supervisor, order=order)
    work_order_hold(actor=supervisor, order=order, reason="materials")
    assert order.events.get(kind=Kind.HELD).data == {
        "reason": "materials",
        "previous_status": "in_progress",
    }
    work_order_resume(actor=supervisor, order=order)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.IN_PROGRESS
    work_order_escalate(actor=desk, order=order, note="业主催促")
    assert order.events.get(kind=Kind.ESCALATED).data == {"notified": [manager.pk]}


def test_dispatch_meets_the_dispatch_milestone_and_notifies_the_assignee(
    accept, desk, supervisor, django_capture_on_commit_callbacks
):
    order = accept()
    with django_capture_on_commit_callbacks(execute=True):
        work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    assert milestone(order, "dispatch").met_at is not None
    met = order.events.get(kind=Kind.MILESTONE_MET)
    assert (met.data["milestone"], met.data["late"], met.actor) == ("dispatch", False, desk)
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (supervisor.pk, "dispatched")
    ]


@pytest.mark.parametrize(
    ("status", "refused_steps"),
    [
        (Status.ACCEPTED, ["start", "hold", "resume", "resolve", "close", "reopen"]),
        (Status.DISPATCHED, ["resume", "close", "reopen"]),
        (Status.ON_HOLD, ["dispatch", "start", "hold", "resolve", "close", "reopen"]),
        (Status.RESOLVED, ["dispatch", "start", "hold", "resume", "resolve"]),
        (Status.CLOSED, ["dispatch", "start", "hold", "resume", "resolve", "close", "escalate"]),
    ],
)
def test_steps_not_possible_in_a_state_are_refused(accept, desk, supervisor, status, refused_steps):
    order = accept()
    path = {
        Status.DISPATCHED: ["dispatch"],
        Status.ON_HOLD: ["dispatch", "hold"],
        Status.RESOLVED: ["dispatch", "resolve"],
        Status.CLOSED: ["dispatch", "resolve", "close"],
    }.get(status, [])
    steps: dict[str, Callable[[], Any]] = {
        "dispatch": lambda: work_order_dispatch(
            actor=desk, order=order, department="engineering", assignee=supervisor
        ),
        "start": lambda: work_order_start(actor=supervisor, order=order),
        "hold": lambda: work_order_hold(actor=supervisor, order=order, reason="owner"),
        "resume": lambda: work_order_resume(actor=supervisor, order=order),
        "resolve": lambda: work_order_resolve(actor=supervisor, order=order, note="ok"),
        "close": lambda: work_order_close(actor=desk, order=order),
        "reopen": lambda: work_order_reopen(actor=desk, order=order, note="again"),
        "escalate": lambda: work_order_escalate(actor=desk, order=order, note="!"),
    }
    for name in path:
        steps[name]()
    assert WorkOrder.objects.get(pk=order.pk).status == status
    events = order.events.count()
    for name in refused_steps:
        refused(steps[name])
    assert order.events.count() == events
    assert WorkOrder.objects.get(pk=order.pk).status == status


def test_bad_choices_are_refused_by_field(accept, desk, supervisor, make_user, other_project):
    order = accept()
    refused(
        lambda: work_order_dispatch(actor=desk, order=order, department="x", assignee=supervisor),
        "department",
        "invalid_choice",
    )
    outsider = make_user("repair_supervisor", projects=[other_project])
    refused(
        lambda: work_order_dispatch(
            actor=desk, order=order, department="engineering", assignee=outsider
        ),
        "assignee",
        "not_in_project",
    )
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    refused(
        lambda: work_order_hold(actor=desk, order=order, reason="holiday"),
        "hold_reason",
        "invalid_choice",
    )


def test_merge_cancels_the_duplicate_clocks_and_links_both(accept, desk):
    original, duplicate = accept(), accept(description="同一处漏水，业主又打来")
    work_order_merge(actor=desk, duplicate=duplicate, into=original, note="重复")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, original)
    assert duplicate.closed_at is not None
    assert all(m.cancelled for m in duplicate.milestones.all())
    assert not any(m.cancelled for m in original.milestones.all())
    assert last_event(duplicate).kind == Kind.MERGED
    assert last_event(duplicate).data == {"into": original.pk}
    assert last_event(original).data == {"duplicate": duplicate.pk}
    assert list(original.related.all()) == [duplicate]
    assert changes(duplicate)[-1].after["status"] == "merged"
    refused(lambda: work_order_merge(actor=desk, duplicate=duplicate, into=original))
    refused(
        lambda: work_order_merge(actor=desk, duplicate=original, into=original),
        "into",
        "same_order",
    )


def test_link_records_the_relation_on_both_orders(accept, desk):
    first, second = accept(), accept(description="楼上漏水")
    work_order_link(actor=desk, order=first, other=second, note="同一立管")
    assert (last_event(first).kind, last_event(first).data) == (Kind.LINKED, {"other": second.pk})
    assert last_event(second).data == {"other": first.pk}
    assert list(second.related.all()) == [first]
    refused(lambda: work_order_link(actor=desk, order=first, other=first))


def test_reopen_needs_a_reason_and_tells_the_assignee(
    accept, desk, supervisor, django_capture_on_commit_callbacks
):
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    work_order_resolve(actor=supervisor, order=order, note="已修复")
    work_order_close(actor=desk, order=order)
    refused(lambda: work_order_reopen(actor=desk, order=order, note=" "), "note", "required")
    with django_capture_on_commit_callbacks(execute=True):
        work_order_reopen(actor=desk, order=order, note="又漏了")
    order.refresh_from_db()
    assert (order.status, order.closed_at, order.resolved_at) == (Status.DISPATCHED, None, None)
    assert Notification.objects.filter(recipient=supervisor, kind="reopened").count() == 1


# --- holds and the clocks -----------------------------------------------------------


def test_hold_pauses_the_clocks_the_policy_pauses_and_a_wall_clock_shifts_by_the_span(
    accept, desk, supervisor, clock
):
    # given an urgent repair on a Friday evening, dispatched at once
    clock.set(at(2025, 6, 13, 17, 50))
    order = accept(urgency="urgent")
    clock.advance(minutes=5)
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    response = milestone(order, "response")
    assert (response.due_at, response.at_risk_at) == (
        at(2025, 6, 13, 19, 50),
        at(2025, 6, 13, 19, 20),
    )
    # when it waits 40 minutes for materials
    clock.set(at(2025, 6, 13, 18, 0))
    work_order_hold(actor=supervisor, order=order, reason="materials")
    paused = {m.kind: m.paused_at for m in order.milestones.all()}
    assert paused == {"dispatch": None, "response": clock.now, "completion": clock.now}
    clock.set(at(2025, 6, 13, 18, 40))
    work_order_resume(actor=supervisor, order=order)
    # then the wall clock moves by the 40 minutes, the working-day clock by no day
    response.refresh_from_db()
    assert (response.due_at, response.at_risk_at) == (
        at(2025, 6, 13, 20, 30),
        at(2025, 6, 13, 20, 0),
    )
    assert [[datetime.fromisoformat(t) for t in hold] for hold in response.holds] == [
        [at(2025, 6, 13, 18), at(2025, 6, 13, 18, 40)]
    ]
    assert response.paused_at is None
    assert milestone(order, "completion").due_at == at(2025, 6, 16, 23, 59, 59, 999999)


def test_intake_and_resume_ask_for_the_calendar_once_for_all_their_milestones(
    accept, desk, supervisor, clock
):
    # given the calendar's version is read through the shared cache (Redis at scale)
    clock.set(at(2025, 6, 13, 17, 50))
    version = mock.patch.object(calendar, "calendar_version", wraps=calendar.calendar_version)
    # when an urgent repair with three clocks is accepted
    with version as read:
        order = accept(urgency="urgent")
    # then its three deadlines were computed on one read of the calendar
    assert order.milestones.count() == 3
    assert read.call_count == 1
    # and when two paused clocks resume, they share one read too
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    work_order_hold(actor=supervisor, order=order, reason="materials")
    clock.advance(minutes=40)
    with version as read:
        work_order_resume(actor=supervisor, order=order)
    assert sorted(len(m.holds) for m in order.milestones.all()) == [0, 1, 1]
    assert read.call_count == 1


def test_a_target_that_does_not_pause_keeps_running_on_hold(accept, desk, supervisor, clock, leak):
    # the seed dispatch targets never pause; here a policy whose response does not pause either
    assert not SlaTarget.objects.filter(milestone="dispatch", pauses_on_hold=True).exists()
    policy = SlaPolicy.objects.create(name="渗漏不停表", work_order_type="repair", category=leak)
    policy.targets.create(milestone="response", clock="wall", amount=60, pauses_on_hold=False)
    clock.set(at(2025, 6, 13, 10, 0))
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    work_order_hold(actor=supervisor, order=order, reason="owner")
    assert milestone(order, "response").paused_at is None
    clock.advance(minutes=30)
    work_order_resume(actor=supervisor, order=order)
    assert milestone(order, "response").due_at == at(2025, 6, 13, 11, 0)


def test_a_hold_over_the_weekend_moves_working_days_by_none(accept, desk, supervisor, clock):
    clock.set(at(2025, 6, 13, 17, 50))  # Friday
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    due = {m.kind: m.due_at for m in order.milestones.exclude(kind="dispatch")}
    clock.set(at(2025, 6, 14, 10, 0))  # Saturday
    work_order_hold(actor=supervisor, order=order, reason="owner")
    clock.set(at(2025, 6, 15, 20, 0))  # Sunday
    work_order_resume(actor=supervisor, order=order)
    assert {m.kind: m.due_at for m in order.milestones.exclude(kind="dispatch")} == due


def test_a_hold_into_a_working_day_moves_working_days_by_one(accept, desk, supervisor, clock):
    clock.set(at(2025, 6, 13, 17, 50))  # Friday
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    clock.set(at(2025, 6, 13, 18, 0))
    work_order_hold(actor=supervisor, order=order, reason="owner")
    # Monday held until noon: half of a working day, which rounds up to one (D21)
    clock.set(at(2025, 6, 16, 12, 0))
    work_order_resume(actor=supervisor, order=order)
    response = milestone(order, "response")
    assert response.due_at == at(2025, 6, 17, 23, 59, 59, 999999)
    assert response.at_risk_at == at(2025, 6, 17, 12, 0)


def test_a_business_hours_clock_moves_by_the_business_time_held(
    accept, desk, supervisor, clock, leak
):
    # given a policy answering leaks within 4 business hours (08:30-12:00, 13:30-18:00)
    policy = SlaPolicy.objects.create(name="渗漏四小时", work_order_type="repair", category=leak)
    policy.targets.create(milestone="response", clock="business_hours", amount=240)
    clock.set(at(2025, 6, 13, 15, 0))  # Friday 15:00: 3 h today, 1 h on Monday
    order = accept()
    assert milestone(order, "response").due_at == at(2025, 6, 16, 9, 30)
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    # when it is held from Friday 17:00 to Monday 09:00 (60 + 30 business minutes)
    clock.set(at(2025, 6, 13, 17, 0))
    work_order_hold(actor=supervisor, order=order, reason="owner")
    clock.set(at(2025, 6, 16, 9, 0))
    work_order_resume(actor=supervisor, order=order)
    # then the due time moves by 90 business minutes
    assert milestone(order, "response").due_at == at(2025, 6, 16, 11, 0)


def test_resolving_meets_response_and_completion(accept, desk, supervisor):
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    work_order_resolve(actor=supervisor, order=order, note="已修复")
    assert all(m.met_at is not None for m in order.milestones.all())
    met = set(
        order.events.filter(kind=Kind.MILESTONE_MET).values_list("data__milestone", flat=True)
    )
    assert met == {"dispatch", "response", "completion"}


# --- complaints --------------------------------------------------------------------


def test_the_complaint_path(accept, desk, manager, supervisor, django_capture_on_commit_callbacks):
    order = accept(type="complaint", channel="walk_in", description="维修太慢")
    assert {m.kind for m in order.milestones.all()} == {"dispatch", "initial_handling", "feedback"}
    work_order_dispatch(actor=desk, order=order, department="customer_service", assignee=desk)
    assert milestone(order, "investigation_start").started_at > order.received_at
    refused(lambda: work_order_resolve(actor=desk, order=order, note="x"))
    # investigation meets initial handling and investigation start
    complaint_start_investigation(actor=desk, order=order, note="上门查看")
    assert milestone(order, "initial_handling").met_at is not None
    assert milestone(order, "investigation_start").met_at is not None
    assert WorkOrder.objects.get(pk=order.pk).status == Status.IN_PROGRESS
    refused(lambda: complaint_start_investigation(actor=desk, order=order))
    # a plan, which only a manager may approve
    with django_capture_on_commit_callbacks(execute=True):
        plan = complaint_propose_plan(
            actor=desk,
            order=order,
            content="重做防水层",
            department="engineering",
            responsible=supervisor,
            deadline=timezone.localdate() + timedelta(days=5),
            findings="防水层破损",
        )
    assert Notification.objects.filter(recipient=manager, kind="plan_proposed").exists()
    assert last_event(order).data["responsible"] == supervisor.pk
    with pytest.raises(PermissionDenied):
        complaint_decide_plan(actor=desk, plan=plan, approve=True)
    refused(
        lambda: complaint_decide_plan(actor=manager, plan=plan, approve=False),
        "decision_note",
        "required",
    )
    complaint_decide_plan(actor=manager, plan=plan, approve=True, note="同意")
    assert (last_event(order).kind, last_event(order).actor) == (Kind.PLAN_APPROVED, manager)
    refused(lambda: complaint_decide_plan(actor=manager, plan=plan, approve=True))
    # resolved, then closed only after feedback to the owner
    work_order_resolve(actor=desk, order=order, note="已整改")
    refused(lambda: work_order_close(actor=desk, order=order))
    complaint_give_feedback(
        actor=desk,
        order=order,
        channel="phone",
        content="已整改完毕",
        owner_response="满意",
        owner_satisfied=True,
    )
    feedback = order.events.get(kind=Kind.FEEDBACK_GIVEN)
    assert (feedback.kind, feedback.data) == (
        Kind.FEEDBACK_GIVEN,
        {"channel": "phone", "owner_satisfied": True},
    )
    assert milestone(order, "feedback").met_at is not None
    work_order_close(actor=desk, order=order)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.CLOSED


def test_a_rejected_plan_does_not_allow_resolving(accept, desk, manager, supervisor):
    order = accept(type="complaint", description="维修太慢")
    work_order_dispatch(actor=desk, order=order, department="customer_service", assignee=desk)
    plan = complaint_propose_plan(
        actor=desk,
        order=order,
        content="道歉",
        department="customer_service",
        responsible=desk,
        deadline=timezone.localdate(),
    )
    refused(
        lambda: complaint_propose_plan(
            actor=desk,
            order=order,
            content="另一个",
            department="engineering",
            responsible=supervisor,
            deadline=timezone.localdate(),
        )
    )
    complaint_decide_plan(actor=manager, plan=plan, approve=False, note="不够")
    assert last_event(order).kind == Kind.PLAN_REJECTED
    refused(lambda: work_order_resolve(actor=desk, order=order, note="x"))


def test_complaint_steps_are_refused_for_a_repair(accept, desk):
    order = accept()
    refused(lambda: complaint_start_investigation(actor=desk, order=order))
    refused(lambda: complaint_give_feedback(actor=desk, order=order, channel="phone", content="x"))


def test_an_urgent_complaint_notifies_the_project_managers_at_once(
    accept, manager, make_user, other_project, django_capture_on_commit_callbacks
):
    elsewhere = make_user("manager", projects=[other_project])
    with django_capture_on_commit_callbacks(execute=True):
        order = accept(type="complaint", urgency="urgent", description="天花板塌了")
    emergency = order.events.get(kind=Kind.EMERGENCY)
    assert emergency.data == {"notified": [manager.pk]}
    notes = Notification.objects.filter(kind="emergency")
    assert [(n.recipient, n.work_order) for n in notes] == [(manager, order)]
    assert not Notification.objects.filter(recipient=elsewhere).exists()


def test_a_normal_complaint_notifies_nobody(accept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = accept(type="complaint")
    assert not order.events.filter(kind=Kind.EMERGENCY).exists()
    assert not Notification.objects.exists()


# --- policy choice -----------------------------------------------------------------


def _deactivate(policy):
    """Through save(), as the admin pages do: the per-process SLA configuration is dropped
    on save (a queryset .update() would bypass that)."""
    policy.is_active = False
    policy.save()


def test_a_category_policy_beats_the_generic_one_and_the_deepest_category_wins(accept, leak):
    assert accept().sla_policy.name == "一般报修"
    waterproofing = Category.objects.get(path="防水渗漏")
    SlaPolicy.objects.create(name="渗漏", work_order_type="repair", category=waterproofing)
    assert accept().sla_policy.name == "渗漏"
    SlaPolicy.objects.create(name="卫生间渗漏", work_order_type="repair", category=leak)
    assert accept().sla_policy.name == "卫生间渗漏"
    _deactivate(SlaPolicy.objects.get(name="卫生间渗漏"))
    assert accept().sla_policy.name == "渗漏"
    doors = Category.objects.get(path="土建 › 门窗")
    assert accept(category_id=doors.pk).sla_policy.name == "一般报修"


def test_an_urgency_policy_beats_the_one_for_any_urgency(accept):
    SlaPolicy.objects.create(name="紧急投诉", work_order_type="complaint", urgency="urgent")
    assert accept(type="complaint", urgency="urgent").sla_policy.name == "紧急投诉"
    assert accept(type="complaint").sla_policy.name == "投诉"


def test_no_policy_no_milestones(accept):
    for policy in SlaPolicy.objects.filter(work_order_type="enquiry"):
        _deactivate(policy)
    order = accept(type="enquiry", category_id=None)
    assert order.sla_policy is None and not order.milestones.exists()
    assert choose_policy(order) is None
