"""Recompute provisional deadlines once a calendar year is loaded or amended.

A deadline that crossed a year whose official calendar was not loaded was computed
Monday–Friday and marked provisional (D8). When administrators load the year, every such
milestone is recomputed from scratch (start, amount, finished holds) in batches of orders:
each batch locks its orders first, as the transitions do, so a concurrent hold or resume
is never overwritten with stale times; the orders' SLA summary is refreshed in the same
transaction (D10).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from anju.servicedesk.calendar import current_clocks
from anju.servicedesk.models import Milestone, WorkOrder, WorkOrderEvent
from anju.servicedesk.sla import recomputed_deadline, refresh_sla_summary

BATCH = 500


def recompute_provisional(now: datetime | None = None) -> int:
    """Recompute every provisional deadline of a running milestone; how many were."""
    changed, last = 0, 0
    while True:
        with transaction.atomic():
            order_ids = _next_orders(last)
            if not order_ids:
                return changed
            changed += _recompute(order_ids)
            last = order_ids[-1]


def _pending() -> QuerySet[Milestone]:
    return Milestone.objects.running().filter(provisional=True)


def _next_orders(after: int) -> list[int]:
    """Lock the next batch of orders that have a provisional deadline (keyset order, so
    a deadline that stays provisional — its year still missing — is not seen twice)."""
    candidates = (
        _pending()
        .filter(work_order_id__gt=after)
        .order_by("work_order_id")
        .values_list("work_order_id", flat=True)[:BATCH]
    )
    ids = sorted(set(candidates))
    locked = WorkOrder.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return list(locked.values_list("pk", flat=True))


def _recompute(order_ids: list[int]) -> int:
    milestones = list(_pending().filter(work_order_id__in=order_ids))
    events, clocks = [], current_clocks()
    for milestone in milestones:
        due, at_risk = recomputed_deadline(milestone, clocks)
        milestone.due_at, milestone.at_risk_at = due.at, at_risk
        milestone.provisional = due.provisional
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
    Milestone.objects.bulk_update(milestones, ["due_at", "at_risk_at", "provisional"])
    WorkOrderEvent.objects.bulk_create(events)
    refresh_sla_summary(WorkOrder.objects.filter(pk__in=order_ids))
    return len(milestones)
