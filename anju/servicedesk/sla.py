"""SLA glue between the pure clocks and the stored milestones."""

import math
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from anju.servicedesk.calendar import business_periods, working_calendar
from anju.servicedesk.models import Category, Milestone, SlaPolicy, SlaTarget, WorkOrder
from anju.servicedesk.models.sla import MilestoneKind
from anju.servicedesk.rules.calendar import WorkingCalendar
from anju.servicedesk.rules.clocks import Deadline, due_at, shift_for_pause

# Milestones that start when the order is dispatched rather than when it is received.
STARTS_AT_DISPATCH = {MilestoneKind.INVESTIGATION_START}
# Which transition meets which milestone.
MET_BY = {
    "dispatch": {MilestoneKind.DISPATCH},
    "start": {MilestoneKind.RESPONSE},
    "investigate": {MilestoneKind.INITIAL_HANDLING, MilestoneKind.INVESTIGATION_START},
    "feedback": {MilestoneKind.FEEDBACK},
    "resolve": {MilestoneKind.COMPLETION, MilestoneKind.RESPONSE},
}


def _ancestors(category: Category | None) -> list[int]:
    ids = []
    while category is not None:
        ids.append(category.pk)
        category = category.parent
    return ids


def choose_policy(order: WorkOrder) -> SlaPolicy | None:
    """The most specific active policy: category beats any-category, urgency beats any."""
    categories = _ancestors(order.category)
    candidates = SlaPolicy.objects.filter(
        Q(category__isnull=True) | Q(category_id__in=categories),
        Q(urgency="") | Q(urgency=order.urgency),
        work_order_type=order.type,
        is_active=True,
    ).prefetch_related("targets")

    def specificity(policy: SlaPolicy) -> tuple[int, int]:
        depth = len(categories) - categories.index(policy.category_id) if policy.category_id else 0
        return (depth, 1 if policy.urgency else 0)

    return max(candidates, key=specificity, default=None)


def deadline_for(
    clock: str, start: datetime, amount: int, share: Decimal
) -> tuple[Deadline, datetime]:
    """Due time and the at-risk time (share of the amount, in the clock's own units)."""
    calendar, periods = working_calendar(), business_periods()
    due = due_at(clock, start, amount, calendar, periods)
    if clock == "working_days":
        days = Decimal(amount) * Decimal(str(share))
        return due, min(_working_days_at_risk(start, days, calendar), due.at)
    risk_amount = max(0, math.floor(amount * float(share)))
    at_risk = due_at(clock, start, risk_amount, calendar, periods).at if risk_amount else start
    return due, min(at_risk, due.at)


def _working_days_at_risk(start: datetime, days: Decimal, calendar: WorkingCalendar) -> datetime:
    """When `days` working days (a fraction counts part of the next one) have elapsed.

    The same measure as rules.clocks.elapsed: the start day does not count, a working day
    runs from local midnight to midnight. So 0.5 of "1 working day" after a Friday evening
    is Monday noon, not the Friday evening itself.
    """
    whole, fraction = int(days), days - int(days)
    if days <= 0:
        return start
    if not fraction:
        return due_at("working_days", start, whole, calendar).at
    day, _ = calendar.add_working_days_provisional(start.astimezone(calendar.tz).date(), whole + 1)
    midnight = datetime.combine(day, time(), tzinfo=calendar.tz).astimezone(UTC)
    next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=calendar.tz)
    length = next_midnight.astimezone(UTC) - midnight
    return (midnight + length * float(fraction)).astimezone(calendar.tz)


def milestone_from_target(order: WorkOrder, target: SlaTarget, start: datetime) -> Milestone:
    due, at_risk = deadline_for(target.clock, start, target.amount, target.at_risk_share)
    return Milestone(
        work_order=order,
        kind=target.milestone,
        clock=target.clock,
        amount=target.amount,
        at_risk_share=target.at_risk_share,
        pauses_on_hold=target.pauses_on_hold,
        started_at=start,
        due_at=due.at,
        at_risk_at=at_risk,
        provisional=due.provisional,
    )


def resumed_deadline(milestone: Milestone, resumed_at: datetime) -> tuple[Deadline, datetime]:
    calendar, periods = working_calendar(), business_periods()
    assert milestone.paused_at is not None
    args: Any = (milestone.paused_at, resumed_at, calendar, periods)
    due = shift_for_pause(milestone.clock, Deadline(milestone.due_at, milestone.provisional), *args)
    at_risk = shift_for_pause(milestone.clock, milestone.at_risk_at, *args).at
    return due, min(at_risk, due.at)


def recomputed_deadline(milestone: Milestone) -> tuple[Deadline, datetime]:
    """Due and at-risk times from scratch: start, amount, then every finished hold."""
    calendar, periods = working_calendar(), business_periods()
    due, at_risk = deadline_for(
        milestone.clock, milestone.started_at, milestone.amount, milestone.at_risk_share
    )
    for began, ended in milestone.holds:
        span: Any = (
            datetime.fromisoformat(began),
            datetime.fromisoformat(ended),
            calendar,
            periods,
        )
        due = shift_for_pause(milestone.clock, due, *span)
        at_risk = shift_for_pause(milestone.clock, at_risk, *span).at
    return due, min(at_risk, due.at)
