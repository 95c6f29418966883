"""SLA glue between the pure clocks and the stored milestones."""

import math
import time as clock
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save

from anju.servicedesk.calendar import Clocks
from anju.servicedesk.models import Category, Milestone, SlaPolicy, SlaTarget, WorkOrder
from anju.servicedesk.models.sla import ClockKind, MilestoneKind
from anju.servicedesk.rules.calendar import WorkingCalendar
from anju.servicedesk.rules.clocks import (
    Deadline,
    MilestoneStatus,
    due_at,
    milestone_state,
    shift_for_pause,
)

# Milestones that start when the order is dispatched rather than when it is received.
STARTS_AT_DISPATCH = {MilestoneKind.INVESTIGATION_START}
# Clocks that start anew when a resolved or closed order is reopened.
RESTART_ON_REOPEN = {MilestoneKind.RESPONSE, MilestoneKind.COMPLETION, MilestoneKind.FEEDBACK}
# Which transition meets which milestone.
MET_BY = {
    "dispatch": {MilestoneKind.DISPATCH},
    "start": {MilestoneKind.RESPONSE},
    "investigate": {MilestoneKind.INITIAL_HANDLING, MilestoneKind.INVESTIGATION_START},
    "feedback": {MilestoneKind.FEEDBACK},
    "resolve": {MilestoneKind.COMPLETION, MilestoneKind.RESPONSE, MilestoneKind.PLAN_DEADLINE},
}


# --- the SLA configuration, read once per process ------------------------------------------
#
# Every create needs the category tree (is the category active, what are its ancestors)
# and the active policies with their targets; they change a few times a year. A process
# keeps them in memory under a token stored in Django's cache. Any write to a category,
# policy or target (services, seeds, tests alike: the post_save/post_delete signals below)
# drops this process's copy at once, so its own transaction sees the change, and puts a new
# token in the cache when the transaction commits, so every process sharing that cache
# (Redis in production) reloads before its next create. With the default per-process
# cache (locmem) other processes never see the new token: CONFIG_MAX_AGE bounds how long
# they keep the old configuration.

_CONFIG_TOKEN_KEY = "anju:sla-config-token"
CONFIG_MAX_AGE = 60.0  # seconds


@dataclass(frozen=True)
class SlaConfig:
    """The category tree and the active SLA policies with their targets (read-only: the
    same instances serve every request of the process)."""

    categories: Mapping[int, Category]  # every category, active or not, parents linked
    policies: tuple[SlaPolicy, ...]  # the active ones, targets prefetched, in Meta order
    _by_type: dict[str, list[SlaPolicy]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for policy in self.policies:
            self._by_type.setdefault(policy.work_order_type, []).append(policy)

    def active_category(self, pk: int) -> Category | None:
        category = self.categories.get(pk)
        return category if category is not None and category.is_active else None

    def ancestors(self, category_id: int | None) -> list[int]:
        """The category and its parents, nearest first."""
        ids: list[int] = []
        while category_id is not None and category_id not in ids:
            ids.append(category_id)
            parent = self.categories.get(category_id)
            category_id = parent.parent_id if parent is not None else None
        return ids

    def policy_for(self, type: str, urgency: str, category_id: int | None) -> SlaPolicy | None:
        """The most specific active policy: category beats any-category, urgency beats any."""
        categories = self.ancestors(category_id)

        def specificity(policy: SlaPolicy) -> tuple[int, int]:
            depth = (
                len(categories) - categories.index(policy.category_id) if policy.category_id else 0
            )
            return (depth, 1 if policy.urgency else 0)

        candidates = [
            policy
            for policy in self._by_type.get(type, ())
            if policy.urgency in ("", urgency)
            and (policy.category_id is None or policy.category_id in categories)
        ]
        return max(candidates, key=specificity, default=None)


_cached: tuple[str, float, SlaConfig] | None = None


def sla_config() -> SlaConfig:
    """This process's copy of the configuration, reloaded after a change (3 queries)."""
    global _cached
    token = _config_token()  # before reading: a change committed meanwhile reloads again
    cached = _cached
    if cached is not None and cached[0] == token and clock.monotonic() - cached[1] < CONFIG_MAX_AGE:
        return cached[2]
    config = _load_config()
    _cached = (token, clock.monotonic(), config)
    return config


def _config_token() -> str:
    token = cache.get(_CONFIG_TOKEN_KEY)
    if token is None:
        cache.add(_CONFIG_TOKEN_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(_CONFIG_TOKEN_KEY) or ""
    return str(token)


def _load_config() -> SlaConfig:
    categories = {category.pk: category for category in Category.objects.all()}
    for category in categories.values():
        if category.parent_id is not None and category.parent_id in categories:
            category.parent = categories[category.parent_id]
    policies = SlaPolicy.objects.filter(is_active=True).prefetch_related("targets")
    return SlaConfig(categories=categories, policies=tuple(policies))


def sla_config_changed(*, using: str | None = None, **_signal: Any) -> None:
    """Forget the configuration here now, and everywhere once the change is committed."""
    global _cached
    _cached = None
    transaction.on_commit(_new_config_token, using=using)


def _new_config_token() -> None:
    cache.set(_CONFIG_TOKEN_KEY, uuid.uuid4().hex, timeout=None)


def _watch_configuration() -> None:
    for model in (Category, SlaPolicy, SlaTarget):
        for signal in (post_save, post_delete):
            signal.connect(sla_config_changed, sender=model, dispatch_uid=f"sla-config-{model}")


_watch_configuration()


def choose_policy(order: WorkOrder) -> SlaPolicy | None:
    """The most specific active policy for the order's type, urgency and category."""
    return sla_config().policy_for(order.type, order.urgency, order.category_id)


def deadline_for(
    clock: str, start: datetime, amount: int, share: Decimal, clocks: Clocks
) -> tuple[Deadline, datetime]:
    """Due time and the at-risk time (share of the amount, in the clock's own units)."""
    calendar, periods = clocks.calendar, clocks.periods
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


def milestone_from_target(
    order: WorkOrder, target: SlaTarget, start: datetime, clocks: Clocks
) -> Milestone:
    due, at_risk = deadline_for(target.clock, start, target.amount, target.at_risk_share, clocks)
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


def stored_milestone_state(milestone: Milestone, now: datetime) -> MilestoneStatus:
    """A stored milestone's state at `now`, what the order page and the API show: read off
    its stored due and at-risk times, the instants the sweep and the queue tabs use, so the
    three agree (a hold, having moved both, never counts as time used)."""
    return milestone_state(
        milestone.due_at,
        milestone.at_risk_at,
        now,
        milestone.met_at,
        paused_since=milestone.paused_at,
        cancelled=milestone.cancelled,
        cancelled_at=cancelled_at(milestone) if milestone.cancelled else None,
        breached_at=milestone.breached_at,
    )


def cancelled_at(milestone: Milestone) -> datetime | None:
    """When a cancelled milestone's clock stopped, as far as its order tells (no column
    keeps it): the close or merge that ended the order, if the milestone ran in the
    order's last round. A milestone of an earlier round (started before the last
    reopening) was cancelled at that reopening or at a close before it, which the order no
    longer says: None, and its state rests on the sweep's breach mark alone.

    Reads `milestone.work_order`: the order page and the API prefetch the milestones from
    their order, so it is in hand."""
    order = milestone.work_order
    closed, reopened = order.closed_at, order.reopened_at
    if closed is None or milestone.started_at > closed:
        return None
    if reopened is not None and milestone.started_at < reopened:
        return None
    return closed


def _holds(milestone: Milestone) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in milestone.holds]


def _shifted(
    milestone: Milestone,
    instant: Deadline | datetime,
    hold: tuple[datetime, datetime],
    earlier: list[tuple[datetime, datetime]],
    clocks: Clocks,
) -> Deadline:
    """`instant` moved by one hold. A working-day clock rounds the time held over all the
    milestone's holds (see shift_for_pause), so the holds before this one go along."""
    return shift_for_pause(
        milestone.clock,
        instant,
        *hold,
        clocks.calendar,
        clocks.periods,
        start=milestone.started_at,
        earlier_holds=earlier,
    )


def resumed_deadline(
    milestone: Milestone, resumed_at: datetime, clocks: Clocks
) -> tuple[Deadline, datetime]:
    assert milestone.paused_at is not None
    hold, earlier = (milestone.paused_at, resumed_at), _holds(milestone)
    return _after_hold(
        milestone,
        Deadline(milestone.due_at, milestone.provisional),
        milestone.at_risk_at,
        hold,
        earlier,
        clocks,
    )


def recomputed_deadline(milestone: Milestone, clocks: Clocks) -> tuple[Deadline, datetime]:
    """Due and at-risk times from scratch: start, amount, then every finished hold."""
    due, at_risk = deadline_for(
        milestone.clock, milestone.started_at, milestone.amount, milestone.at_risk_share, clocks
    )
    holds = _holds(milestone)
    for i, hold in enumerate(holds):
        due, at_risk = _after_hold(milestone, due, at_risk, hold, holds[:i], clocks)
    return due, min(at_risk, due.at)


def _after_hold(
    milestone: Milestone,
    due: Deadline,
    at_risk: datetime,
    hold: tuple[datetime, datetime],
    earlier: list[tuple[datetime, datetime]],
    clocks: Clocks,
) -> tuple[Deadline, datetime]:
    """Due and at-risk times moved by one hold. A clock already overdue when the hold
    began stays exactly as late as it was: a working-day hold rounded up (D21) must not
    turn a breach back into time left."""
    moved = _shifted(milestone, due, hold, earlier, clocks)
    moved_risk = _shifted(milestone, at_risk, hold, earlier, clocks).at
    start, end = hold
    if due.at <= start and milestone.clock == ClockKind.WORKING_DAYS:
        # only the working-day rounding can gain time; wall and business-hours shifts are
        # exact in their own units
        moved = Deadline(min(moved.at, due.at + (end - start)), moved.provisional)
    return moved, min(moved_risk, moved.at)


def clear_stale_marks(milestone: Milestone, now: datetime) -> None:
    """After a deadline moved (a calendar correction), forget the sweep's marks that no
    longer hold: a clock due later than now was not breached, nor escalated, and one not
    yet at risk will be warned when it is."""
    # a held clock stands still at its hold, as its state is read (milestone_state)
    ref = min(now, milestone.paused_at) if milestone.paused_at else now
    if milestone.due_at > ref:
        milestone.breached_at = milestone.escalated_at = None
    if milestone.at_risk_at > ref:
        milestone.at_risk_notified_at = None


@dataclass(frozen=True)
class SlaSummary:
    """What the queues read from an order's running milestones (see WorkOrder)."""

    next_due_at: datetime | None
    sla_at_risk_from: datetime | None
    sla_breach_from: datetime | None

    def apply_to(self, order: WorkOrder) -> None:
        order.next_due_at = self.next_due_at
        order.sla_at_risk_from = self.sla_at_risk_from
        order.sla_breach_from = self.sla_breach_from


def summarize(milestones: Iterable[Milestone]) -> SlaSummary:
    """The summary of milestones in hand; refresh_sla_summary is its SQL twin."""
    running = [m for m in milestones if m.met_at is None and not m.cancelled]
    ticking = [m for m in running if m.paused_at is None]
    breaching = [m for m in running if m.paused_at is None or m.paused_at > m.due_at]
    return SlaSummary(
        next_due_at=min((m.due_at for m in running), default=None),
        sla_at_risk_from=min((m.at_risk_at for m in ticking), default=None),
        sla_breach_from=min((m.due_at for m in breaching), default=None),
    )


def refresh_sla_summary(orders: QuerySet[WorkOrder]) -> int:
    """Recompute the stored summary of these orders in one UPDATE (call it in the
    transaction that changed their milestones)."""
    running = Milestone.objects.filter(
        work_order=OuterRef("pk"), met_at__isnull=True, cancelled=False
    )

    def earliest(milestones: QuerySet[Milestone], field: str) -> Subquery:
        return Subquery(milestones.order_by(field).values(field)[:1])

    return orders.update(
        next_due_at=earliest(running, "due_at"),
        sla_at_risk_from=earliest(running.filter(paused_at__isnull=True), "at_risk_at"),
        sla_breach_from=earliest(
            running.filter(Q(paused_at__isnull=True) | Q(paused_at__gt=F("due_at"))), "due_at"
        ),
    )
