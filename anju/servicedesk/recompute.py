"""Recompute running deadlines after the working calendar changed.

Two kinds of deadline follow a calendar change: the provisional ones (D8: computed
Monday–Friday over a year that was not loaded), once the year is loaded; and the running
working-time ones (business hours, working days) whose run covers a day that changed, say a
company day off added for tomorrow, or a corrected notice. Wall-clock deadlines never move.

Each milestone is recomputed from scratch (start, amount, finished holds) in batches of
orders: each batch locks its orders first, as the transitions do, so a concurrent hold or
resume is never overwritten with stale times; the orders' SLA summary is refreshed in the
same transaction (D10). Only a deadline that moved is written, with its timeline event,
so running it twice, or on two workers, changes nothing more. A deadline moved past now
loses the sweep's marks that no longer hold (sla.clear_stale_marks).

The change is recorded as a DeadlineRecompute row in the calendar's own transaction; the
task queued on commit and a periodic one both work off the pending rows (decision D22).
"""

import datetime as dt
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from anju.servicedesk.calendar import Clocks, fresh_clocks
from anju.servicedesk.models import DeadlineRecompute, Milestone, WorkOrder, WorkOrderEvent
from anju.servicedesk.models.sla import ClockKind
from anju.servicedesk.sla import clear_stale_marks, recomputed_deadline, refresh_sla_summary

BATCH = 500
Span = tuple[dt.date, dt.date]
_DEADLINE = ["due_at", "at_risk_at", "provisional"]
_MARKS = ["breached_at", "escalated_at", "at_risk_notified_at"]  # sla.clear_stale_marks


def request_recompute(first_day: dt.date, last_day: dt.date) -> DeadlineRecompute:
    """Record, in the caller's transaction, that deadlines over these days may move; the
    work is queued once the change is committed (robust: a broker that is down leaves the
    row for the periodic task, and the administrator's change stands)."""
    from anju.servicedesk.tasks import recompute_deadlines_task

    pending = DeadlineRecompute.objects.create(first_day=first_day, last_day=last_day)
    transaction.on_commit(recompute_deadlines_task.delay, robust=True)
    return pending


def recompute_requested(now: datetime | None = None) -> int:
    """Work off every pending request in one pass over the days they cover together;
    how many deadlines moved. Nothing pending costs one query."""
    pending = list(DeadlineRecompute.objects.filter(done_at__isnull=True).order_by("pk"))
    if not pending:
        return 0
    span = (min(p.first_day for p in pending), max(p.last_day for p in pending))
    moved = recompute_deadlines(span, now)
    DeadlineRecompute.objects.filter(pk__in=[p.pk for p in pending]).update(done_at=timezone.now())
    return moved


def recompute_deadlines(span: Span | None = None, now: datetime | None = None) -> int:
    """Recompute the provisional deadlines, and the working-time ones whose run overlaps
    ``span``; how many moved."""
    now = now or timezone.now()
    order_ids = sorted(set(_affected(span).values_list("work_order_id", flat=True)))
    moved = 0
    for i in range(0, len(order_ids), BATCH):
        with transaction.atomic():
            # NO KEY UPDATE: still excludes the transitions' FOR UPDATE, but lets a sweep
            # that claimed one of their other milestones commit its events (the foreign
            # key check's KEY SHARE), instead of the two deadlocking.
            locked = (
                WorkOrder.objects.select_for_update(no_key=True)
                .filter(pk__in=order_ids[i : i + BATCH])
                .order_by("pk")
            )
            batch = list(locked.values_list("pk", flat=True))
            # The milestones are locked too: the sweep claims them (FOR UPDATE SKIP LOCKED)
            # without the order, and a mark it set meanwhile must not be written back.
            milestones = (
                _affected(span).filter(work_order_id__in=batch).select_for_update(of=("self",))
            )
            moved += _recompute(list(milestones), fresh_clocks(), now)
    return moved


def _affected(span: Span | None) -> QuerySet[Milestone]:
    wanted = Q(provisional=True)
    if span is not None:
        tz = timezone.get_default_timezone()
        start = datetime.combine(span[0], dt.time.min, tz)
        end = datetime.combine(span[1] + dt.timedelta(days=1), dt.time.min, tz)
        wanted |= Q(started_at__lt=end, due_at__gte=start) & ~Q(clock=ClockKind.WALL)
    return Milestone.objects.running().filter(wanted)


def _recompute(milestones: list[Milestone], clocks: Clocks, now: datetime) -> int:
    moved, unmarked, events = [], [], []
    for milestone in milestones:
        due, at_risk = recomputed_deadline(milestone, clocks)
        before = (milestone.due_at, milestone.at_risk_at, milestone.provisional)
        if (due.at, at_risk, due.provisional) == before:
            continue
        milestone.due_at, milestone.at_risk_at = due.at, at_risk
        milestone.provisional = due.provisional
        marks = [getattr(milestone, name) for name in _MARKS]
        clear_stale_marks(milestone, now)
        if marks != [getattr(milestone, name) for name in _MARKS]:
            unmarked.append(milestone)  # only these write their marks
        moved.append(milestone)
        events.append(
            WorkOrderEvent(
                work_order_id=milestone.work_order_id,
                kind=WorkOrderEvent.Kind.DEADLINES_RECOMPUTED,
                data={
                    "milestone": milestone.kind,
                    "due_at": due.at.isoformat(),
                    "provisional": due.provisional,
                },
            )
        )
    if moved:
        Milestone.objects.bulk_update(moved, _DEADLINE)
        if unmarked:
            Milestone.objects.bulk_update(unmarked, _MARKS)
        WorkOrderEvent.objects.bulk_create(events)
        orders = {milestone.work_order_id for milestone in moved}
        refresh_sla_summary(WorkOrder.objects.filter(pk__in=orders))
    return len(moved)
