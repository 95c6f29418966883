"""投诉处理: investigation, a plan a manager approves, feedback to the owner."""

import math
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.security.models import User
from anju.servicedesk.calendar import current_clocks
from anju.servicedesk.models import (
    ComplaintFeedback,
    ComplaintPlan,
    Milestone,
    SlaTarget,
    WorkOrder,
    WorkOrderEvent,
)
from anju.servicedesk.models.sla import ClockKind, MilestoneKind
from anju.servicedesk.services.common import (
    check_works_on_project,
    locked,
    log_order_change,
    meet_milestones,
    notify,
    order_view,
    project_managers,
    record,
    refresh_summary,
    refuse,
    require,
)
from anju.servicedesk.sla import MET_BY, milestone_from_target

Kind = WorkOrderEvent.Kind
APPROVE_PERM = "servicedesk.approve_complaintplan"
# A plan's deadline is at risk once this share of the time to it has passed.
PLAN_AT_RISK_SHARE = Decimal("0.8")


def _complaint(order: WorkOrder) -> WorkOrder:
    order = locked(order)
    require(
        order.type == WorkOrder.Type.COMPLAINT and order.is_open,
        _("Only an open complaint can take this step."),
    )
    return order


@transaction.atomic
def complaint_start_investigation(*, actor: User, order: WorkOrder, note: str = "") -> WorkOrder:
    """The department the complaint was dispatched to starts investigating (001 §投訴調查:
    within N working days of receiving it), so the complaint must be dispatched first."""
    order = _complaint(order)
    require(
        order.status in (WorkOrder.Status.DISPATCHED, WorkOrder.Status.IN_PROGRESS),
        _("Dispatch the complaint to the department that investigates it first."),
    )
    require(
        not order.events.filter(
            kind=Kind.INVESTIGATION_STARTED, at__gte=order.reopened_at or order.received_at
        ).exists(),
        _("The investigation has already started."),
    )
    if order.status == WorkOrder.Status.DISPATCHED:
        before = order_view(order)
        order.status = WorkOrder.Status.IN_PROGRESS
        order.save(update_fields=["status"])
        log_order_change(actor, order, before)
    record(order, Kind.INVESTIGATION_STARTED, actor, note)
    meet_milestones(order, MET_BY["investigate"], actor)
    refresh_summary(order)
    return order


@transaction.atomic
def complaint_propose_plan(
    *,
    actor: User,
    order: WorkOrder,
    content: str,
    department: str,
    responsible: User,
    deadline: date,
    findings: str = "",
) -> ComplaintPlan:
    order = _complaint(order)
    require(
        not order.plans.filter(status=ComplaintPlan.Status.PROPOSED).exists(),
        _("A plan is already waiting for approval."),
    )
    if department not in WorkOrder.Department.values:
        raise refuse("department", _("Choose a department."), "invalid_choice")
    if deadline < timezone.localdate():
        raise refuse("deadline", _("The deadline cannot be in the past."), "past_date")
    if not content.strip():
        raise refuse("content", _("Describe the plan."), "required")
    check_works_on_project(order, responsible, "responsible")
    plan = ComplaintPlan.objects.create(
        work_order=order,
        content=content.strip(),
        findings=findings.strip(),
        department=department,
        responsible=responsible,
        deadline=deadline,
        proposed_by=actor,
    )
    record(
        order,
        Kind.PLAN_PROPOSED,
        actor,
        content,
        plan=plan.pk,
        responsible=responsible.pk,
        deadline=deadline.isoformat(),
    )
    notify(
        project_managers(order),
        "plan_proposed",
        order,
        gettext_lazy("A handling plan for %(number)s waits for your approval."),
        number=order.number,
    )
    return plan


@transaction.atomic
def complaint_decide_plan(
    *, actor: User, plan: ComplaintPlan, approve: bool, note: str = ""
) -> ComplaintPlan:
    if not actor.has_perm(APPROVE_PERM):
        raise PermissionDenied
    order = _complaint(plan.work_order)  # locked first, as every step on the order does
    plan = ComplaintPlan.objects.select_for_update().get(pk=plan.pk)
    plan.work_order = order
    require(plan.status == ComplaintPlan.Status.PROPOSED, _("The plan was already decided."))
    if not approve and not note.strip():
        raise refuse("decision_note", _("Say why the plan is rejected."), "required")
    plan.status = ComplaintPlan.Status.APPROVED if approve else ComplaintPlan.Status.REJECTED
    plan.decided_by, plan.decided_at, plan.decision_note = actor, timezone.now(), note
    plan.save()
    record(
        plan.work_order,
        Kind.PLAN_APPROVED if approve else Kind.PLAN_REJECTED,
        actor,
        note,
        plan=plan.pk,
    )
    if approve:
        _start_plan_deadline(plan, plan.decided_at)
    notify(
        [plan.proposed_by, plan.responsible],
        "plan_decided",
        plan.work_order,
        gettext_lazy("The plan for %(number)s was %(decision)s."),
        number=plan.work_order.number,
        decision=gettext_lazy("approved") if approve else gettext_lazy("rejected"),
    )
    return plan


def _start_plan_deadline(plan: ComplaintPlan, now: datetime) -> None:
    """The approved plan's deadline becomes a clock of the order (met when it is resolved),
    so the sweep warns, marks the breach and escalates as for any other clock; a plan
    approved later in the same round replaces the earlier one's."""
    order = plan.work_order
    Milestone.objects.running().filter(work_order=order, kind=MilestoneKind.PLAN_DEADLINE).update(
        cancelled=True
    )
    # the end of the deadline day, as a working-day deadline ends (23:59:59.999999)
    end = timezone.make_aware(datetime.combine(plan.deadline, time.max))
    minutes = max(1, math.ceil((end - now).total_seconds() / 60))
    target = SlaTarget(
        milestone=MilestoneKind.PLAN_DEADLINE,
        clock=ClockKind.WALL,
        amount=minutes,
        at_risk_share=PLAN_AT_RISK_SHARE,
        pauses_on_hold=True,
    )
    milestone = milestone_from_target(order, target, now, current_clocks())
    milestone.due_at = min(milestone.due_at, max(end, now))  # not the next minute's 00:00
    milestone.at_risk_at = min(milestone.at_risk_at, milestone.due_at)
    milestone.save()
    refresh_summary(order)


@transaction.atomic
def complaint_give_feedback(
    *,
    actor: User,
    order: WorkOrder,
    channel: str,
    content: str,
    owner_response: str = "",
    owner_satisfied: bool | None = None,
) -> ComplaintFeedback:
    order = locked(order)
    require(order.type == WorkOrder.Type.COMPLAINT, _("Feedback is for complaints."))
    require(order.is_open, _("Only an open complaint can take this step."))
    if channel not in WorkOrder.Channel.values:
        raise refuse("channel", _("Choose a channel."), "invalid_choice")
    if not content.strip():
        raise refuse("content", _("Say what the owner was told."), "required")
    feedback = ComplaintFeedback.objects.create(
        work_order=order,
        channel=channel,
        content=content.strip(),
        owner_response=owner_response.strip(),
        owner_satisfied=owner_satisfied,
        given_by=actor,
    )
    record(
        order, Kind.FEEDBACK_GIVEN, actor, content, channel=channel, owner_satisfied=owner_satisfied
    )
    meet_milestones(order, MET_BY["feedback"], actor)
    refresh_summary(order)
    return feedback
