"""A complaint's process in order, and a reopened order's new round (clocks, plan, feedback)."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anju.servicedesk import services
from anju.servicedesk.models import ComplaintPlan, Milestone, WorkOrderEvent
from anju.servicedesk.models.sla import MilestoneKind

Kind = WorkOrderEvent.Kind


def codes(exc: ValidationError) -> set[str]:
    return {error.code for errors in exc.error_dict.values() for error in errors}


@pytest.fixture
def complaint(accept):
    return accept(type="complaint")


def dispatch(order, desk, person):
    return services.work_order_dispatch(
        actor=desk, order=order, department="customer_service", assignee=person
    )


def propose(order, actor, responsible=None):
    return services.complaint_propose_plan(
        actor=actor,
        order=order,
        content="更换防水层",
        department="engineering",
        responsible=responsible or actor,
        deadline=timezone.localdate() + timedelta(days=3),
    )


def feedback(order, actor, content="已告知业主处理结果"):
    return services.complaint_give_feedback(
        actor=actor, order=order, channel="phone", content=content
    )


def handled(order, desk, manager):
    """Investigated, a plan approved, resolved: what remains is the result's feedback."""
    services.complaint_start_investigation(actor=desk, order=order)
    plan = propose(order, desk)
    services.complaint_decide_plan(actor=manager, plan=plan, approve=True)
    services.work_order_resolve(actor=desk, order=order, note="已整改")
    return plan


def test_an_investigation_waits_for_the_dispatch(complaint, desk):
    # given an accepted complaint, not dispatched yet
    # when the desk starts the investigation
    with pytest.raises(ValidationError) as refused:
        services.complaint_start_investigation(actor=desk, order=complaint)
    # then it is refused, and no investigation clock can be left unmeetable
    assert codes(refused.value) == {"invalid_transition"}
    assert not complaint.events.filter(kind=Kind.INVESTIGATION_STARTED).exists()


def test_the_investigation_meets_its_clock_after_the_dispatch(complaint, desk):
    # given a dispatched complaint (its investigation clock starts at the dispatch)
    dispatch(complaint, desk, desk)
    # when
    services.complaint_start_investigation(actor=desk, order=complaint)
    # then every investigation clock is met: nothing is left to breach
    running = Milestone.objects.running().filter(work_order=complaint)
    assert not running.filter(
        kind__in=[MilestoneKind.INVESTIGATION_START, MilestoneKind.INITIAL_HANDLING]
    ).exists()


def test_interim_feedback_does_not_close_a_complaint(complaint, desk, manager):
    # given feedback while the complaint was still being looked into, then a plan carried out
    dispatch(complaint, desk, desk)
    feedback(complaint, desk, content="正在调查,两天内答复")
    handled(complaint, desk, manager)
    # when closing, then it is refused: the owner was not told the result
    with pytest.raises(ValidationError) as refused:
        services.work_order_close(actor=desk, order=complaint)
    assert codes(refused.value) == {"invalid_transition"}
    # when the result is fed back, then it closes
    feedback(complaint, desk)
    assert services.work_order_close(actor=desk, order=complaint).status == "closed"


def test_a_reopened_complaint_needs_a_new_plan_and_new_feedback(complaint, desk, manager):
    # given a complaint handled, told and closed, then reopened
    dispatch(complaint, desk, desk)
    handled(complaint, desk, manager)
    feedback(complaint, desk)
    services.work_order_close(actor=desk, order=complaint)
    services.work_order_reopen(actor=desk, order=complaint, note="问题复发")
    complaint.refresh_from_db()
    # when resolving on the old plan, then it is refused
    with pytest.raises(ValidationError):
        services.work_order_resolve(actor=desk, order=complaint, note="再修")
    # when a new plan is approved and carried out, closing still needs new feedback
    services.complaint_start_investigation(actor=desk, order=complaint)
    plan = propose(complaint, desk)
    services.complaint_decide_plan(actor=manager, plan=plan, approve=True)
    services.work_order_resolve(actor=desk, order=complaint, note="再修")
    with pytest.raises(ValidationError):
        services.work_order_close(actor=desk, order=complaint)
    feedback(complaint, desk)
    # then
    assert services.work_order_close(actor=desk, order=complaint).status == "closed"


def test_reopening_starts_the_clocks_again_and_keeps_the_first_rounds(accept, desk, supervisor):
    # given a repair resolved and closed: its response and completion clocks met
    order = accept()
    services.work_order_dispatch(
        actor=desk, order=order, department="engineering", assignee=supervisor
    )
    services.work_order_start(actor=supervisor, order=order)
    services.work_order_resolve(actor=supervisor, order=order, note="已修复")
    services.work_order_close(actor=desk, order=order)
    # when it is reopened
    services.work_order_reopen(actor=desk, order=order, note="又漏了")
    # then new response and completion clocks run from the reopening, beside the met ones
    reopened = order.events.get(kind=Kind.REOPENED)
    running = Milestone.objects.running().filter(work_order=order)
    assert sorted(running.values_list("kind", flat=True)) == ["completion", "response"]
    assert all(m.started_at >= reopened.at - timedelta(seconds=1) for m in running)
    assert order.milestones.filter(kind="completion", met_at__isnull=False).count() == 1
    assert reopened.data["restarted"] == ["completion", "response"]
    order.refresh_from_db()
    assert order.next_due_at == min(m.due_at for m in running)


def test_a_plan_is_not_decided_on_a_merged_order(accept, complaint, desk, manager):
    # given a pending plan on a complaint that is then merged into its duplicate's twin
    dispatch(complaint, desk, desk)
    plan = propose(complaint, desk)
    twin = accept(type="complaint")
    services.work_order_merge(actor=desk, duplicate=complaint, into=twin)
    # then the pending plan was withdrawn with the order, and cannot be approved
    plan.refresh_from_db()
    assert plan.status == ComplaintPlan.Status.REJECTED and twin.number in plan.decision_note
    with pytest.raises(ValidationError):
        services.complaint_decide_plan(actor=manager, plan=plan, approve=True)


def test_feedback_is_refused_on_a_merged_complaint(accept, complaint, desk):
    services.work_order_merge(actor=desk, duplicate=complaint, into=accept(type="complaint"))
    with pytest.raises(ValidationError):
        feedback(complaint, desk)


def test_a_plans_responsible_person_works_on_the_project(complaint, desk, make_user, other_project):
    # given someone of another project
    stranger = make_user("repair_supervisor", projects=[other_project])
    dispatch(complaint, desk, desk)
    # when / then
    with pytest.raises(ValidationError) as refused:
        propose(complaint, desk, responsible=stranger)
    assert codes(refused.value) == {"not_in_project"}
    assert not complaint.plans.exists()


def test_an_approved_plan_puts_its_deadline_on_the_clocks(complaint, desk, manager):
    # given a dispatched complaint with a plan due in three days
    dispatch(complaint, desk, desk)
    plan = propose(complaint, desk)
    # when the manager approves it
    services.complaint_decide_plan(actor=manager, plan=plan, approve=True)
    # then a clock runs to the end of the deadline day, and resolving meets it
    clock = Milestone.objects.running().get(work_order=complaint, kind="plan_deadline")
    end_of_day = timezone.make_aware(datetime.combine(plan.deadline, time.max))
    assert clock.due_at == end_of_day  # 23:59:59.999999, as working-day deadlines end
    assert clock.at_risk_at < clock.due_at
    services.work_order_resolve(actor=desk, order=complaint, note="已整改")
    clock.refresh_from_db()
    assert clock.met_at is not None


def test_a_rejected_plan_starts_no_clock(complaint, desk, manager):
    dispatch(complaint, desk, desk)
    plan = propose(complaint, desk)
    services.complaint_decide_plan(actor=manager, plan=plan, approve=False, note="不完整")
    assert not complaint.milestones.filter(kind="plan_deadline").exists()
