"""The periodic SLA sweep: at-risk warnings, breaches and escalations, each exactly once.

Each mark (at_risk_notified_at, breached_at, escalated_at) is claimed in a transaction
with SELECT … FOR UPDATE SKIP LOCKED and set in the same transaction, so with several
workers sweeping at once every milestone is claimed by one of them only; the WHERE on the
mark being NULL makes a late second sweep find nothing. Due times are stored and indexed
(partial indexes on open milestones), so each pass is an index range scan. A batch writes
its timeline events with one INSERT and, after commit, its notifications with another.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.security.models import User
from anju.servicedesk.models import Milestone, Notification, WorkOrderEvent
from anju.servicedesk.services.common import project_managers, record

BATCH = 1000


@dataclass
class SweepResult:
    at_risk: int = 0
    breached: int = 0
    escalated: int = 0


def _open() -> QuerySet[Milestone]:
    """Running milestones whose clock runs: met, cancelled and held ones are left alone."""
    return Milestone.objects.filter(met_at__isnull=True, cancelled=False, paused_at__isnull=True)


def sweep_milestones(now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    escalate_before = now - timedelta(minutes=settings.ANJU_SLA_ESCALATE_AFTER_MINUTES)
    return SweepResult(
        at_risk=_claim_all(
            _open().filter(at_risk_at__lte=now, at_risk_notified_at__isnull=True, due_at__gte=now),
            "at_risk_notified_at",
            now,
            _warn_at_risk,
        ),
        breached=_claim_all(
            _open().filter(due_at__lt=now, breached_at__isnull=True),
            "breached_at",
            now,
            _announce_breach,
        ),
        escalated=_claim_all(
            _open().filter(breached_at__lte=escalate_before, escalated_at__isnull=True),
            "escalated_at",
            now,
            _escalate,
        ),
    )


# What one claimed batch announces: timeline events (written in the claiming transaction)
# and notifications (written once it commits, like services.common.notify).
Announcement = tuple[list[WorkOrderEvent], list[Notification]]


def _claim_all(
    candidates: QuerySet[Milestone],
    mark: str,
    now: datetime,
    announce: Callable[[list[Milestone]], Announcement],
) -> int:
    """Claim, mark and announce batches until none is left; the number claimed.

    The lock (FOR UPDATE SKIP LOCKED), the mark and the events share one transaction: a
    concurrent sweep skips the locked rows, then finds them marked.
    """
    total = 0
    while True:
        with transaction.atomic():
            claimed = list(
                candidates.select_for_update(skip_locked=True, of=("self",))
                .select_related(
                    "work_order__assignee", "work_order__first_responder", "work_order__project"
                )
                .order_by("due_at")[:BATCH]
            )
            if not claimed:
                return total
            Milestone.objects.filter(pk__in=[m.pk for m in claimed]).update(**{mark: now})
            events, notifications = announce(claimed)
            WorkOrderEvent.objects.bulk_create(events)
            transaction.on_commit(partial(_deliver, notifications))
        total += len(claimed)


def _deliver(notifications: list[Notification]) -> None:
    Notification.objects.bulk_create(notifications, batch_size=BATCH)


def _event(milestone: Milestone, kind: str, **data: Any) -> WorkOrderEvent:
    return WorkOrderEvent(
        work_order=milestone.work_order, kind=kind, data={"milestone": milestone.kind, **data}
    )


def _notifications(
    recipients: Iterable[User | None], kind: str, template: str, milestone: Milestone
) -> list[Notification]:
    order = milestone.work_order
    text = template % {"number": order.number, "milestone": milestone.get_kind_display()}
    people = {user.pk: user for user in recipients if user is not None}
    return [
        Notification(recipient=user, kind=kind, text=text[:300], work_order=order)
        for user in people.values()
    ]


def _responsible(milestone: Milestone) -> User | None:
    order = milestone.work_order
    return order.assignee or order.first_responder


def _warn_at_risk(claimed: list[Milestone]) -> Announcement:
    template = _("%(number)s: %(milestone)s is at risk.")
    return (
        [
            _event(m, WorkOrderEvent.Kind.MILESTONE_AT_RISK, due_at=m.due_at.isoformat())
            for m in claimed
        ],
        [n for m in claimed for n in _notifications([_responsible(m)], "at_risk", template, m)],
    )


def _announce_breach(claimed: list[Milestone]) -> Announcement:
    template = _("%(number)s: %(milestone)s is overdue.")
    return (
        [
            _event(m, WorkOrderEvent.Kind.MILESTONE_BREACHED, due_at=m.due_at.isoformat())
            for m in claimed
        ],
        [n for m in claimed for n in _notifications([_responsible(m)], "breached", template, m)],
    )


def _escalate(claimed: list[Milestone]) -> Announcement:
    """Tell the managers of the order's project (the manager on duty is among them)."""
    template = _("%(number)s: %(milestone)s is overdue and was escalated to you.")
    managers: dict[int, list[User]] = {}
    events, notifications = [], []
    for m in claimed:
        project_id = m.work_order.project_id
        if project_id not in managers:
            managers[project_id] = project_managers(m.work_order)
        notified = managers[project_id]
        events.append(
            _event(m, WorkOrderEvent.Kind.MILESTONE_ESCALATED, notified=[u.pk for u in notified])
        )
        notifications += _notifications(notified, "escalated", template, m)
    return events, notifications


def recompute_provisional(now: datetime | None = None) -> int:
    """After a calendar change: recompute every provisional deadline of a running milestone."""
    from anju.servicedesk.sla import recomputed_deadline

    changed = 0
    pending = Milestone.objects.running().filter(provisional=True).select_related("work_order")
    for milestone in pending.iterator(chunk_size=500):
        with transaction.atomic():
            due, at_risk = recomputed_deadline(milestone)
            milestone.due_at, milestone.at_risk_at = due.at, at_risk
            milestone.provisional = due.provisional
            milestone.save(update_fields=["due_at", "at_risk_at", "provisional"])
            record(
                milestone.work_order,
                WorkOrderEvent.Kind.DEADLINES_RECOMPUTED,
                None,
                milestone=milestone.kind,
                due_at=due.at.isoformat(),
                provisional=due.provisional,
            )
            changed += 1
    return changed
