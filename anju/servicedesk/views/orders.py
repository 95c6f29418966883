"""The order page: header, milestone clocks, the steps allowed now, timeline, plans."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from anju.servicedesk.durations import humanize
from anju.servicedesk.event_facts import describe_events, label
from anju.servicedesk.forms import ActionForm
from anju.servicedesk.models import (
    ComplaintFeedback,
    ComplaintPlan,
    Milestone,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)
from anju.servicedesk.models.sla import MilestoneKind
from anju.servicedesk.photos import photo_response
from anju.servicedesk.sla import stored_milestone_state
from anju.servicedesk.tables import provisional_badge, state_badge, urgency_badge
from anju.servicedesk.views.common import perm
from anju.servicedesk.views.registry import ACTIONS, Action, OrderFacts
from anju.servicedesk.views_admin.common import humane_amount


@dataclass
class MilestoneRow:
    milestone: Milestone
    state: str  # running | at_risk | met | breached | paused | cancelled
    text: str

    @property
    def badge(self) -> SafeString:
        return state_badge(self.state)

    @property
    def provisional(self) -> SafeString:
        return provisional_badge() if self.milestone.provisional else SafeString("")

    @property
    def clock_text(self) -> str:
        """The target as people say it ("24 hours", "2 working days"); the approved plan's
        deadline is its own clock (its minutes are only what was left on approval)."""
        m = self.milestone
        if m.kind == MilestoneKind.PLAN_DEADLINE:
            return _("the plan's deadline")
        return humane_amount(m.clock, m.amount)


def _row(milestone: Milestone, now: datetime) -> MilestoneRow:
    status = stored_milestone_state(milestone, now)
    if status.state == "cancelled":
        return MilestoneRow(milestone, "cancelled", "")
    time = humanize(status.delta)
    if status.state == "breached":
        # also a cancelled milestone that was already overdue: closing does not hide it
        text = _("breached by %(time)s") % {"time": time}
    elif status.state == "met":
        text = _("met %(time)s early") % {"time": time} if status.delta else _("met on time")
    else:
        text = _("%(time)s left") % {"time": time}
    paused = milestone.paused_at is not None and status.state in ("running", "at_risk")
    return MilestoneRow(milestone, "paused" if paused else status.state, text)


def milestone_rows(order: WorkOrder, now: datetime) -> list[MilestoneRow]:
    """The order's clocks as stored (due and at-risk times): no calendar is read."""
    return [_row(m, now) for m in order.milestones.all()]


def detail_queryset(user: Any) -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.visible_to(user)
        .select_related(
            "project",
            "owner",
            "unit__building",
            "category",
            "first_responder",
            "assignee",
            "created_by",
            "merged_into",
            "sla_policy",
        )
        .prefetch_related(
            "attachments",
            "related",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_at", "id")),
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
            Prefetch(
                "plans",
                queryset=ComplaintPlan.objects.select_related(
                    "responsible", "proposed_by", "decided_by"
                ),
            ),
            Prefetch("feedback", queryset=ComplaintFeedback.objects.select_related("given_by")),
        )
    )


@dataclass
class ActionPanel:
    action: Action
    form: ActionForm
    failed: bool = False
    primary: bool = False
    label: Any = None


def action_panels(
    request: HttpRequest, order: WorkOrder, failed: ActionPanel | None = None
) -> list[ActionPanel]:
    facts = OrderFacts.of(order)
    panels = []
    for action in ACTIONS:
        if not request.user.has_perm(action.permission):
            continue
        if failed is not None and failed.action.name == action.name:
            panel = failed
        elif action.offered(facts):
            panel = ActionPanel(
                action, action.form(order=order, user=request.user, auto_id=action.auto_id)
            )
        else:
            continue
        panel.primary, panel.label = action.is_primary(facts), action.label_for(facts)
        panels.append(panel)
    return panels


def timeline(order: WorkOrder) -> list[WorkOrderEvent]:
    events = list(order.events.all())
    facts = describe_events(events)
    for event in events:
        event.detail = facts[event.pk]  # type: ignore[attr-defined]
    return events


def _with_labels(order: WorkOrder) -> tuple[list[ComplaintPlan], list[ComplaintFeedback]]:
    plans, feedback = list(order.plans.all()), list(order.feedback.all())
    for plan in plans:
        plan.department_label = label(WorkOrder.Department, plan.department)  # type: ignore[attr-defined]
    for item in feedback:
        item.channel_label = label(WorkOrder.Channel, item.channel)  # type: ignore[attr-defined]
    return plans, feedback


def detail_context(
    request: HttpRequest, order: WorkOrder, failed: ActionPanel | None = None
) -> dict[str, Any]:
    panels = action_panels(request, order, failed)
    plans, feedback = _with_labels(order)
    return {
        "order": order,
        "urgency_badge": urgency_badge(order),
        "failed_form": failed.form if failed else None,
        "milestones": milestone_rows(order, timezone.now()),
        "primary_panels": [p for p in panels if p.primary],
        "other_panels": [p for p in panels if not p.primary],
        "events": timeline(order),
        "plans": plans,
        "feedback": feedback,
    }


@login_required
@perm("view_workorder")
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(detail_queryset(request.user), pk=pk)
    return render(request, "servicedesk/order_detail.html", detail_context(request, order))


@login_required
@perm("view_workorder")
@require_GET
def order_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo of an order the user may open (404 otherwise)."""
    photos = WorkOrderAttachment.objects.filter(
        work_order__in=WorkOrder.objects.visible_to(request.user)
    ).select_related("work_order")
    return photo_response(get_object_or_404(photos, pk=photo_pk, work_order_id=pk))
