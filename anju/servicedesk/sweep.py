"""The periodic SLA sweep: at-risk warnings, breaches and escalations, each exactly once.

Each mark (at_risk_notified_at, breached_at, escalated_at) is claimed in a transaction
with SELECT … FOR UPDATE SKIP LOCKED and set in the same transaction, so with several
workers sweeping at once every milestone is claimed by one of them only; the WHERE on the
mark being NULL makes a late second sweep find nothing. Due times are stored and indexed
(partial indexes on open milestones), so each pass is an index range scan.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.servicedesk.models import Milestone, WorkOrderEvent
from anju.servicedesk.services.common import notify, project_managers, record

BATCH = 1000


@dataclass
class SweepResult:
    at_risk: int = 0
    breached: int = 0
    escalated: int = 0


def _open() -> QuerySet[Milestone]:
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
            Milestone.objects.filter(
                breached_at__lte=escalate_before,
                escalated_at__isnull=True,
                met_at__isnull=True,
                cancelled=False,
            ),
            "escalated_at",
            now,
            _escalate,
        ),
    )


def _claim_all(
    candidates: QuerySet[Milestone],
    mark: str,
    now: datetime,
    announce: Callable[[list[Milestone]], None],
) -> int:
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
            announce(claimed)
        total += len(claimed)


def _responsible(milestone: Milestone) -> Any:
    order = milestone.work_order
    return order.assignee or order.first_responder


def _text(template: str, milestone: Milestone) -> str:
    return template % {
        "number": milestone.work_order.number,
        "milestone": milestone.get_kind_display(),
    }


def _warn_at_risk(claimed: list[Milestone]) -> None:
    for milestone in claimed:
        record(
            milestone.work_order,
            WorkOrderEvent.Kind.MILESTONE_AT_RISK,
            None,
            milestone=milestone.kind,
            due_at=milestone.due_at.isoformat(),
        )
        notify(
            [_responsible(milestone)],
            "at_risk",
            _text(_("%(number)s: %(milestone)s is at risk."), milestone),
            milestone.work_order,
        )


def _announce_breach(claimed: list[Milestone]) -> None:
    for milestone in claimed:
        record(
            milestone.work_order,
            WorkOrderEvent.Kind.MILESTONE_BREACHED,
            None,
            milestone=milestone.kind,
            due_at=milestone.due_at.isoformat(),
        )
        notify(
            [_responsible(milestone)],
            "breached",
            _text(_("%(number)s: %(milestone)s is overdue."), milestone),
            milestone.work_order,
        )


def _escalate(claimed: list[Milestone]) -> None:
    for milestone in claimed:
        managers = project_managers(milestone.work_order)
        record(
            milestone.work_order,
            WorkOrderEvent.Kind.MILESTONE_ESCALATED,
            None,
            milestone=milestone.kind,
            notified=[user.pk for user in managers],
        )
        notify(
            managers,
            "escalated",
            _text(_("%(number)s: %(milestone)s is overdue and was escalated to you."), milestone),
            milestone.work_order,
        )


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
