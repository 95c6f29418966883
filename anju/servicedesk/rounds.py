"""Which of a complaint's plans and feedback count now (pure, over rows already read).

A reopened complaint starts a new round: its earlier plan and feedback are history, and it
needs a plan approved, and feedback given, after the reopening. Feedback closes a complaint
only when it was given after the current plan's approval: an interim "we are looking into
it" before any plan tells the owner nothing about the result (001 §投訴反饋).
"""

from collections.abc import Iterable
from datetime import datetime

from anju.servicedesk.models import ComplaintFeedback, ComplaintPlan


def current_approved_plan(
    plans: Iterable[ComplaintPlan], reopened_at: datetime | None
) -> ComplaintPlan | None:
    """The latest plan approved in this round (after the last reopening), if any."""
    approved = [
        plan
        for plan in plans
        if plan.status == ComplaintPlan.Status.APPROVED
        and plan.decided_at is not None
        and (reopened_at is None or plan.decided_at >= reopened_at)
    ]
    return max(approved, key=lambda plan: (plan.decided_at, plan.pk), default=None)


def has_result_feedback(feedback: Iterable[ComplaintFeedback], plan: ComplaintPlan | None) -> bool:
    """Feedback given after the current plan was approved (none without such a plan)."""
    if plan is None or plan.decided_at is None:
        return False
    return any(item.given_at >= plan.decided_at for item in feedback)
