"""The steps a user can take on an order: form, permission, and when the step is offered.

The order page shows the steps whose predicate holds and whose permission the user has;
each step has its own POST URL (see urls.py). The services check the transition again,
so an outdated page can never force a step the state does not allow.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from anju.servicedesk import forms as f
from anju.servicedesk.models import ComplaintPlan, WorkOrder, WorkOrderEvent
from anju.servicedesk.rounds import current_approved_plan, has_result_feedback

Status = WorkOrder.Status


@dataclass
class OrderFacts:
    """What the predicates need, read once from the order's prefetched relations."""

    order: WorkOrder
    investigation_started: bool
    pending_plan: ComplaintPlan | None
    has_approved_plan: bool
    has_feedback: bool

    @classmethod
    def of(cls, order: WorkOrder) -> "OrderFacts":
        """The current round's facts: after a reopening, earlier plans, feedback and
        investigation are history (as the services count them)."""
        plans = list(order.plans.all())
        since = order.reopened_at
        approved = current_approved_plan(plans, since)
        return cls(
            order=order,
            investigation_started=any(
                e.kind == WorkOrderEvent.Kind.INVESTIGATION_STARTED
                and (since is None or e.at >= since)
                for e in order.events.all()
            ),
            pending_plan=next((p for p in plans if p.status == p.Status.PROPOSED), None),
            has_approved_plan=approved is not None,
            has_feedback=has_result_feedback(order.feedback.all(), approved),
        )

    @property
    def complaint(self) -> bool:
        return self.order.type == WorkOrder.Type.COMPLAINT


@dataclass(frozen=True)
class Action:
    name: str
    form: type[f.ActionForm]
    label: Any  # the button
    done: Any  # the success message
    offered: Callable[[OrderFacts], bool]
    perm: str = "change_workorder"
    primary: bool = False  # shown open at the top of the order page
    # Dispatch is the next step of a new order, later a re-dispatch among the other steps.
    primary_while: Callable[[OrderFacts], bool] | None = None
    later_label: Any = None

    def is_primary(self, facts: OrderFacts) -> bool:
        return self.primary_while(facts) if self.primary_while else self.primary

    def label_for(self, facts: OrderFacts) -> Any:
        return self.label if self.is_primary(facts) or not self.later_label else self.later_label

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    @property
    def url_name(self) -> str:
        return f"servicedesk:{self.name}"

    @property
    def auto_id(self) -> str:
        """The form's element ids: the page holds several forms with a note field, and a
        label must focus its own (id_hold_note, not every form's id_note)."""
        return f"id_{self.name}_%s"

    @property
    def permission(self) -> str:
        return f"servicedesk.{self.perm}"


def _can_resolve(facts: OrderFacts) -> bool:
    return facts.order.can_resolve() and (not facts.complaint or facts.has_approved_plan)


def _can_close(facts: OrderFacts) -> bool:
    return facts.order.can_close() and (not facts.complaint or facts.has_feedback)


ACTIONS: tuple[Action, ...] = (
    Action(
        "dispatch",
        f.DispatchForm,
        _("Dispatch"),
        _("Dispatched."),
        lambda x: x.order.can_dispatch(),
        perm="dispatch_workorder",
        primary_while=lambda x: x.order.status == Status.ACCEPTED,
        later_label=_("Re-dispatch"),
    ),
    Action(
        "start",
        f.StartForm,
        _("Start work"),
        _("Work started."),
        lambda x: x.order.status == Status.DISPATCHED and not x.complaint,
        primary=True,
    ),
    Action(
        "investigate",
        f.InvestigateForm,
        _("Start investigation"),
        _("Investigation started."),
        lambda x: (
            x.complaint
            and x.order.status in (Status.DISPATCHED, Status.IN_PROGRESS)
            and not x.investigation_started
        ),
        primary=True,
    ),
    Action(
        "plan_propose",
        f.PlanProposeForm,
        _("Propose plan"),
        _("Plan proposed; a manager decides."),
        lambda x: x.complaint and x.order.is_open and x.pending_plan is None,
    ),
    Action(
        "plan_decide",
        f.PlanDecideForm,
        _("Decide"),
        _("Decision recorded."),
        lambda x: x.pending_plan is not None and x.order.is_open,
        perm="approve_complaintplan",
        primary=True,
    ),
    Action(
        "feedback",
        f.FeedbackForm,
        _("Record feedback"),
        _("Feedback recorded."),
        lambda x: x.complaint and x.order.is_open,
    ),
    Action("resolve", f.ResolveForm, _("Resolve"), _("Resolved."), _can_resolve, primary=True),
    Action("close", f.CloseForm, _("Close"), _("Closed."), _can_close, primary=True),
    Action("hold", f.HoldForm, _("Put on hold"), _("Put on hold."), lambda x: x.order.can_hold()),
    Action(
        "resume",
        f.ResumeForm,
        _("Resume"),
        _("Resumed."),
        lambda x: x.order.status == Status.ON_HOLD,
        primary=True,
    ),
    Action("escalate", f.EscalateForm, _("Escalate"), _("Escalated."), lambda x: x.order.is_open),
    Action(
        "merge",
        f.MergeForm,
        _("Merge as duplicate"),
        _("Merged."),
        lambda x: x.order.is_open,
    ),
    Action("link", f.LinkForm, _("Link"), _("Linked."), lambda x: x.order.is_open),
    Action("reopen", f.ReopenForm, _("Reopen"), _("Reopened."), lambda x: x.order.can_reopen()),
)
ACTION_BY_NAME = {action.name: action for action in ACTIONS}
