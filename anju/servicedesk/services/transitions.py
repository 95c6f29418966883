"""派单 / 处理 / 挂起 / 关闭: every step of an order after it was accepted."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.security.models import User
from anju.servicedesk.calendar import Clocks, current_clocks
from anju.servicedesk.models import ComplaintPlan, Milestone, WorkOrder, WorkOrderEvent
from anju.servicedesk.rounds import current_approved_plan, has_result_feedback
from anju.servicedesk.services.common import (
    check_works_on_project,
    lock_pair,
    locked,
    log_order_change,
    managers_or_administrators,
    meet_milestones,
    notify,
    order_view,
    record,
    refresh_summary,
    refuse,
    require,
    site_language_text,
)
from anju.servicedesk.sla import (
    MET_BY,
    RESTART_ON_REOPEN,
    STARTS_AT_DISPATCH,
    milestone_from_target,
    resumed_deadline,
)

DISPATCH_PERM = "servicedesk.dispatch_workorder"
Status = WorkOrder.Status
Kind = WorkOrderEvent.Kind


@transaction.atomic
def work_order_dispatch(
    *, actor: User, order: WorkOrder, department: str, assignee: User, note: str = ""
) -> WorkOrder:
    """Dispatch to a department and a responsible person; again = re-dispatch."""
    if not actor.has_perm(DISPATCH_PERM):
        raise PermissionDenied
    order = locked(order)
    require(order.can_dispatch())
    if department not in WorkOrder.Department.values:
        raise refuse("department", _("Choose a department."), "invalid_choice")
    check_works_on_project(order, assignee, "assignee")
    before, again = order_view(order), order.status != Status.ACCEPTED
    order.department, order.assignee = department, assignee
    if order.status == Status.ACCEPTED:
        order.status = Status.DISPATCHED
    order.save()
    log_order_change(actor, order, before)
    record(
        order,
        Kind.REDISPATCHED if again else Kind.DISPATCHED,
        actor,
        note,
        department=department,
        assignee=assignee.pk,
    )
    meet_milestones(order, MET_BY["dispatch"], actor)
    if not again:
        _start_dispatch_milestones(order)
    refresh_summary(order)
    notify(
        [assignee],
        "dispatched",
        order,
        gettext_lazy("Work order %(number)s was dispatched to you."),
        number=order.number,
    )
    return order


def _start_dispatch_milestones(order: WorkOrder) -> None:
    if order.sla_policy is None:
        return
    targets = [t for t in order.sla_policy.targets.all() if t.milestone in STARTS_AT_DISPATCH]
    if not targets:
        return  # most policies start every clock at intake: no calendar read
    now, clocks = timezone.now(), current_clocks()
    Milestone.objects.bulk_create(
        [milestone_from_target(order, target, now, clocks) for target in targets]
    )


@transaction.atomic
def work_order_start(*, actor: User, order: WorkOrder, note: str = "") -> WorkOrder:
    """The responsible person responds (on site, or first contact)."""
    order = locked(order)
    require(order.status == Status.DISPATCHED)
    before = order_view(order)
    order.status = Status.IN_PROGRESS
    order.save()
    log_order_change(actor, order, before)
    record(order, Kind.STARTED, actor, note)
    meet_milestones(order, MET_BY["start"], actor)
    refresh_summary(order)
    return order


@transaction.atomic
def work_order_escalate(*, actor: User, order: WorkOrder, note: str) -> WorkOrder:
    order = locked(order)
    require(order.is_open)
    if not note.strip():
        raise refuse("note", _("Say why the order is escalated."), "required")
    before = order_view(order)
    order.escalated = True
    order.save()
    log_order_change(actor, order, before)
    # Up from whoever escalates: the project's other managers, else the administrators.
    managers, fallback = managers_or_administrators(order, besides=actor)
    facts: dict[str, Any] = {"notified": [u.pk for u in managers]}
    if fallback:
        facts["fallback"] = "administrators"
    record(order, Kind.ESCALATED, actor, note, **facts)
    notify(
        managers,
        "escalated",
        order,
        gettext_lazy("Work order %(number)s was escalated."),
        number=order.number,
    )
    return order


@transaction.atomic
def work_order_hold(*, actor: User, order: WorkOrder, reason: str, note: str = "") -> WorkOrder:
    order = locked(order)
    require(order.can_hold())
    if reason not in WorkOrder.HoldReason.values:
        raise refuse("hold_reason", _("Choose why the order waits."), "invalid_choice")
    before, now = order_view(order), timezone.now()
    previous = order.status
    order.status, order.hold_reason, order.on_hold_since = Status.ON_HOLD, reason, now
    order.save()
    Milestone.objects.running().filter(
        work_order=order, pauses_on_hold=True, paused_at__isnull=True
    ).update(paused_at=now)
    refresh_summary(order)
    log_order_change(actor, order, before)
    record(order, Kind.HELD, actor, note, reason=reason, previous_status=previous)
    return order


@transaction.atomic
def work_order_resume(*, actor: User, order: WorkOrder, note: str = "") -> WorkOrder:
    order = locked(order)
    require(order.status == Status.ON_HOLD)
    before, now = order_view(order), timezone.now()
    held = order.events.filter(kind=Kind.HELD).order_by("-at", "-id").first()
    order.status = (held.data.get("previous_status") if held else None) or Status.DISPATCHED
    order.hold_reason, order.on_hold_since = "", None
    order.save()
    clocks = current_clocks()
    for milestone in Milestone.objects.running().filter(work_order=order, paused_at__isnull=False):
        _resume_milestone(milestone, now, clocks)
    refresh_summary(order)
    log_order_change(actor, order, before)
    record(order, Kind.RESUMED, actor, note)
    return order


def _resume_milestone(milestone: Milestone, now: Any, clocks: Clocks) -> None:
    due, at_risk = resumed_deadline(milestone, now, clocks)
    assert milestone.paused_at is not None
    milestone.holds = [*milestone.holds, [milestone.paused_at.isoformat(), now.isoformat()]]
    milestone.due_at, milestone.at_risk_at = due.at, at_risk
    milestone.provisional = milestone.provisional or due.provisional
    milestone.paused_at = None
    milestone.save(update_fields=["holds", "due_at", "at_risk_at", "provisional", "paused_at"])


@transaction.atomic
def work_order_merge(
    *, actor: User, duplicate: WorkOrder, into: WorkOrder, note: str = ""
) -> WorkOrder:
    """The duplicate closes as merged; its pending plan is withdrawn with it."""
    if duplicate.pk == into.pk:
        raise refuse("into", _("An order cannot be merged into itself."), "same_order")
    duplicate, into = lock_pair(duplicate, into)
    require(duplicate.pk != into.pk and duplicate.is_open and into.is_open)
    _check_same_request(duplicate, into)
    before = order_view(duplicate)
    duplicate.status, duplicate.merged_into = Status.MERGED, into
    duplicate.closed_at = timezone.now()
    duplicate.save()
    Milestone.objects.running().filter(work_order=duplicate).update(cancelled=True)
    refresh_summary(duplicate)
    duplicate.plans.filter(status=ComplaintPlan.Status.PROPOSED).update(
        status=ComplaintPlan.Status.REJECTED,
        decided_by=actor,
        decided_at=duplicate.closed_at,
        decision_note=site_language_text(
            gettext_lazy("Withdrawn: the order was merged into %(number)s."), number=into.number
        ),
    )
    into.related.add(duplicate)
    log_order_change(actor, duplicate, before)
    record(duplicate, Kind.MERGED, actor, note, into=into.pk)
    record(into, Kind.ABSORBED, actor, note, duplicate=duplicate.pk)
    return duplicate


def _check_same_request(duplicate: WorkOrder, into: WorkOrder) -> None:
    """A duplicate is the same request again: same project, type and owner. Orders of
    different owners about one defect are linked instead, so each owner keeps theirs."""
    if duplicate.project_id != into.project_id:
        raise refuse("into", _("Only orders of the same project can be merged."), "other_project")
    if duplicate.type != into.type:
        raise refuse("into", _("Only orders of the same type can be merged."), "other_type")
    if duplicate.owner_id != into.owner_id:
        raise refuse(
            "into",
            _("Only orders of the same owner can be merged; link the orders instead."),
            "other_owner",
        )


@transaction.atomic
def work_order_link(*, actor: User, order: WorkOrder, other: WorkOrder, note: str = "") -> None:
    """Link a related order (of the same project, open or not: a defect that returns)."""
    order, other = lock_pair(order, other)
    require(
        order.pk != other.pk and order.project_id == other.project_id,
        _("Only other orders of the same project can be linked."),
    )
    require(order.is_open)
    if order.related.filter(pk=other.pk).exists():
        raise refuse("other", _("The orders are already linked."), "already_linked")
    order.related.add(other)
    record(order, Kind.LINKED, actor, note, other=other.pk)
    record(other, Kind.LINKED, actor, note, other=order.pk)


@transaction.atomic
def work_order_resolve(*, actor: User, order: WorkOrder, note: str) -> WorkOrder:
    order = locked(order)
    require(order.can_resolve())
    if order.type == WorkOrder.Type.COMPLAINT:
        require(
            current_approved_plan(order.plans.all(), order.reopened_at) is not None,
            _("A complaint is resolved only after its handling plan was approved."),
        )
    before = order_view(order)
    order.status, order.resolved_at = Status.RESOLVED, timezone.now()
    order.save()
    log_order_change(actor, order, before)
    record(order, Kind.RESOLVED, actor, note)
    meet_milestones(order, MET_BY["resolve"], actor)
    refresh_summary(order)
    if order.first_responder_id != actor.pk:
        # 首问负责制: the first responder stays accountable until the owner is answered.
        notify(
            [order.first_responder],
            "resolved",
            order,
            gettext_lazy("Work order %(number)s was resolved: confirm with the owner."),
            number=order.number,
        )
    return order


@transaction.atomic
def work_order_close(*, actor: User, order: WorkOrder, note: str = "") -> WorkOrder:
    order = locked(order)
    require(order.can_close())
    if order.type == WorkOrder.Type.COMPLAINT:
        plan = current_approved_plan(order.plans.all(), order.reopened_at)
        require(
            has_result_feedback(order.feedback.all(), plan),
            _("A complaint is closed only after the owner was told the result of its plan."),
        )
    before = order_view(order)
    order.status, order.closed_at = Status.CLOSED, timezone.now()
    order.save()
    Milestone.objects.running().filter(work_order=order).update(cancelled=True)
    refresh_summary(order)
    log_order_change(actor, order, before)
    record(order, Kind.CLOSED, actor, note)
    return order


@transaction.atomic
def work_order_reopen(*, actor: User, order: WorkOrder, note: str) -> WorkOrder:
    order = locked(order)
    require(order.can_reopen())
    if not note.strip():
        raise refuse("note", _("Say why the order is reopened."), "required")
    before, now = order_view(order), timezone.now()
    order.status = Status.DISPATCHED if order.assignee_id else Status.ACCEPTED
    order.resolved_at = order.closed_at = None
    order.reopened_at = now
    order.save()
    Milestone.objects.running().filter(work_order=order).update(cancelled=True)
    restarted = _restart_clocks(order, now)
    refresh_summary(order)
    log_order_change(actor, order, before)
    record(order, Kind.REOPENED, actor, note, restarted=restarted)
    notify(
        [order.assignee, order.first_responder],
        "reopened",
        order,
        gettext_lazy("Work order %(number)s was reopened."),
        number=order.number,
    )
    return order


def _restart_clocks(order: WorkOrder, now: Any) -> list[str]:
    """The owner waits again for a response, the work and (complaints) the result: the
    policy's clocks for those start anew at the reopening."""
    if order.sla_policy is None:
        return []
    targets = [t for t in order.sla_policy.targets.all() if t.milestone in RESTART_ON_REOPEN]
    if not targets:
        return []
    clocks = current_clocks()
    Milestone.objects.bulk_create(
        [milestone_from_target(order, target, now, clocks) for target in targets]
    )
    return sorted(target.milestone for target in targets)
