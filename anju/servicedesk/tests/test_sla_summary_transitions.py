"""The SLA summary stored on the order (next_due_at, sla_at_risk_from, sla_breach_from)
stays equal to summarize() of its milestones after every step that changes them."""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from anju.audit.models import ChangeLog
from anju.servicedesk.models import ComplaintPlan, Milestone, SlaPolicy, WorkOrder
from anju.servicedesk.recompute import recompute_deadlines
from anju.servicedesk.services import (
    complaint_decide_plan,
    complaint_give_feedback,
    complaint_propose_plan,
    complaint_start_investigation,
    work_order_close,
    work_order_dispatch,
    work_order_hold,
    work_order_merge,
    work_order_reopen,
    work_order_resolve,
    work_order_resume,
    work_order_start,
)
from anju.servicedesk.sla import SlaSummary, refresh_sla_summary, summarize

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUMMARY = ("next_due_at", "sla_at_risk_from", "sla_breach_from")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


def stored(order: WorkOrder) -> SlaSummary:
    fresh = WorkOrder.objects.get(pk=order.pk)
    return SlaSummary(*(getattr(fresh, name) for name in SUMMARY))


def assert_summary_is_true(order: WorkOrder, *, handed_back: bool = True) -> SlaSummary:
    """The stored summary is summarize() of the order's milestones as they are now; the
    instance a step handed back reads the same (not the values from before the step)."""
    expected = summarize(Milestone.objects.filter(work_order_id=order.pk))
    assert stored(order) == expected
    if handed_back:
        assert SlaSummary(*(getattr(order, name) for name in SUMMARY)) == expected
    return expected


class Clock:
    """timezone.now() under the test's control."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(at(2025, 6, 11, 10, 0))  # a Wednesday morning
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def test_every_step_of_a_repair_keeps_the_summary_true(accept, desk, supervisor, manager, clock):
    order = accept()
    steps: list[tuple[str, Callable[[], WorkOrder]]] = [
        (
            "dispatch",
            lambda: work_order_dispatch(
                actor=desk, order=order, department="engineering", assignee=supervisor
            ),
        ),
        (
            "re-dispatch",
            lambda: work_order_dispatch(
                actor=manager, order=order, department="contractor", assignee=supervisor
            ),
        ),
        ("start", lambda: work_order_start(actor=supervisor, order=order)),
        ("hold", lambda: work_order_hold(actor=supervisor, order=order, reason="materials")),
        ("resume", lambda: work_order_resume(actor=supervisor, order=order)),
        ("resolve", lambda: work_order_resolve(actor=supervisor, order=order, note="已修复")),
        ("close", lambda: work_order_close(actor=desk, order=order)),
        ("reopen", lambda: work_order_reopen(actor=desk, order=order, note="又漏了")),
    ]
    seen = {}
    for name, step in steps:
        clock.advance(minutes=20)
        seen[name] = assert_summary_is_true(step())
    # (the steps did move it: dispatch met, the hold paused, resolving met the rest)
    assert seen["dispatch"].next_due_at is not None
    assert seen["hold"].sla_at_risk_from is None and seen["hold"].next_due_at is not None
    assert seen["resume"].sla_at_risk_from is not None
    assert seen["close"] == SlaSummary(None, None, None)
    # reopening starts the response and completion clocks again
    assert seen["reopen"].next_due_at is not None


def test_a_hold_whose_clock_does_not_pause_keeps_it_at_risk(accept, desk, supervisor, clock, leak):
    # given a response clock that keeps running on hold
    policy = SlaPolicy.objects.create(name="渗漏不停表", work_order_type="repair", category=leak)
    policy.targets.create(milestone="response", clock="wall", amount=60, pauses_on_hold=False)
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    # when it is held
    held = work_order_hold(actor=supervisor, order=order, reason="owner")
    # then the running clock still counts for "at risk" and "breached"
    summary = assert_summary_is_true(held)
    response = Milestone.objects.get(work_order=order, kind="response")
    assert response.paused_at is None
    assert summary == SlaSummary(response.due_at, response.at_risk_at, response.due_at)
    clock.advance(minutes=30)
    assert_summary_is_true(work_order_resume(actor=supervisor, order=order))


def test_a_clock_paused_after_its_due_time_stays_breached(accept, desk, supervisor, clock):
    # given a repair dispatched, then left until its response is overdue
    order = accept(urgency="urgent")
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    response = Milestone.objects.get(work_order=order, kind="response")
    clock.now = response.due_at + timedelta(minutes=5)
    # when it is held: the paused clocks no longer run
    summary = assert_summary_is_true(
        work_order_hold(actor=supervisor, order=order, reason="materials")
    )
    # then none is at risk, and the one paused when already due still breaches
    assert summary.sla_at_risk_from is None
    assert summary.sla_breach_from == response.due_at
    assert_summary_is_true(work_order_resume(actor=supervisor, order=order))


def test_the_complaint_steps_keep_the_summary_true(accept, desk, manager, clock):
    order = accept(type="complaint", channel="walk_in", description="维修太慢")
    # dispatching a complaint also starts its investigation clock
    dispatched = work_order_dispatch(
        actor=desk, order=order, department="customer_service", assignee=desk
    )
    assert Milestone.objects.filter(work_order=order, kind="investigation_start").exists()
    assert_summary_is_true(dispatched)
    clock.advance(hours=1)
    assert_summary_is_true(complaint_start_investigation(actor=desk, order=order))
    plan = complaint_propose_plan(
        actor=desk,
        order=order,
        content="更换防水层",
        department="engineering",
        responsible=desk,
        deadline=timezone.localdate() + timedelta(days=3),
    )
    complaint_decide_plan(actor=manager, plan=plan, approve=True)
    assert ComplaintPlan.objects.get(pk=plan.pk).status == "approved"
    complaint_give_feedback(actor=desk, order=order, channel="phone", content="已告知业主方案")
    assert Milestone.objects.get(work_order=order, kind="feedback").met_at is not None
    assert_summary_is_true(order, handed_back=False)
    assert_summary_is_true(work_order_resolve(actor=desk, order=order, note="已处理"))


def test_a_merged_duplicate_has_no_running_clock_left(accept, desk):
    original, duplicate = accept(), accept(description="同一处漏水，业主又打来")
    assert stored(duplicate).next_due_at is not None
    merged = work_order_merge(actor=desk, duplicate=duplicate, into=original)
    assert assert_summary_is_true(merged) == SlaSummary(None, None, None)
    assert stored(original) == summarize(Milestone.objects.filter(work_order=original))


def test_saving_the_returned_order_again_keeps_the_new_summary(accept, desk, supervisor):
    # given an order whose dispatch milestone was just met
    order = accept()
    before = stored(order)
    dispatched = work_order_dispatch(
        actor=desk, order=order, department="engineering", assignee=supervisor
    )
    assert stored(order) != before
    # when a caller saves the instance it was handed back
    dispatched.save()
    # then the summary written by the step stays
    assert_summary_is_true(dispatched)


def test_the_change_log_leaves_the_derived_summary_out(accept, desk, supervisor):
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    logs = ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(WorkOrder), object_id=str(order.pk)
    )
    for log in logs:
        for values in (log.before or {}, log.after or {}):
            assert not set(SUMMARY) & set(values)


def test_recomputing_provisional_deadlines_keeps_the_summary_true(accept, clock):
    # given an order whose completion deadline was a provisional guess, far too early
    order = accept()
    Milestone.objects.filter(work_order=order, kind="completion").update(
        provisional=True, due_at=F("due_at") - timedelta(days=30)
    )
    refresh_sla_summary(WorkOrder.objects.filter(pk=order.pk))
    # when the provisional deadlines are recomputed (the year was loaded)
    assert recompute_deadlines() == 1
    # then the summary follows the recomputed deadline
    assert_summary_is_true(order, handed_back=False)
