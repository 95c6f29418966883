"""The periodic SLA sweep: at-risk warnings, breaches and escalations, each exactly once.

Each pass claims a batch of milestones with SELECT … FOR UPDATE SKIP LOCKED, sets its mark
(at_risk_notified_at, breached_at, escalated_at) and writes the batch's timeline events and
notifications, all in one transaction: with several workers sweeping at once every
milestone is claimed by one of them only, and the WHERE on the mark being NULL makes a late
second sweep find nothing.

Each pass walks its own indexed column in order (at_risk_at, due_at, breached_at: the keys
of the partial indexes on what is yet to be marked) and each batch starts where the
previous one ended, so nothing already marked or out of range is scanned again. On
PostgreSQL a batch is one statement (sweep_sql), and the breach pass runs on a connection
of its own while the at-risk and escalation passes run on the caller's; elsewhere (the
SQLite demo) the portable path below does the same with a few ORM statements, one pass
after the other.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.security.models import User
from anju.servicedesk import sweep_sql
from anju.servicedesk.models import Milestone, Notification, WorkOrder, WorkOrderEvent

BATCH = 1000


@dataclass
class SweepResult:
    at_risk: int = 0
    breached: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class Stage:
    """What a pass walks and what it announces for each milestone it marks."""

    walk: str  # the indexed column the pass claims in order
    event: str  # WorkOrderEvent.Kind; its data: the milestone and its due time, or whom
    notification: str  # Notification.kind
    template: str  # translated, with %(number)s and %(milestone)s
    labels: dict[str, str]  # the milestone kinds' names, translated
    to_managers: bool  # the project's managers (escalation), else the responsible person


# A pass: the milestones it may claim, the mark it sets, what it announces.
Pass = tuple[QuerySet[Milestone], str, datetime, Stage]

# On PostgreSQL the breach pass runs on a connection of its own next to the other two (it
# claims no milestone they could: theirs are not yet due, or already breached), so a big
# sweep uses two cores of the database.
PASSES_APART = True


def _open() -> QuerySet[Milestone]:
    """Running milestones whose clock runs: met, cancelled and held ones are left alone."""
    return Milestone.objects.filter(met_at__isnull=True, cancelled=False, paused_at__isnull=True)


def sweep_milestones(now: datetime | None = None) -> SweepResult:
    """Run the three passes at ``now``; how many milestones each marked."""
    at_risk, breach, escalation = _passes(now or timezone.now())
    if not _apart():
        return SweepResult(_claim_all(*at_risk), _claim_all(*breach), _claim_all(*escalation))
    with ThreadPoolExecutor(max_workers=1) as pool:
        breached = pool.submit(_on_own_connection, breach)
        warned, escalated = _claim_all(*at_risk), _claim_all(*escalation)
        return SweepResult(warned, breached.result(), escalated)


def _passes(now: datetime) -> tuple[Pass, Pass, Pass]:
    """The three passes, their texts in the active language (a thread has its own)."""
    escalate_before = now - timedelta(minutes=settings.ANJU_SLA_ESCALATE_AFTER_MINUTES)
    Kind = WorkOrderEvent.Kind
    labels = milestone_labels()
    return (
        (
            _open().filter(at_risk_at__lte=now, at_risk_notified_at__isnull=True, due_at__gte=now),
            "at_risk_notified_at",
            now,
            Stage(
                "at_risk_at",
                Kind.MILESTONE_AT_RISK,
                "at_risk",
                _("%(number)s: %(milestone)s is at risk."),
                labels,
                to_managers=False,
            ),
        ),
        (
            _open().filter(due_at__lt=now, breached_at__isnull=True),
            "breached_at",
            now,
            Stage(
                "due_at",
                Kind.MILESTONE_BREACHED,
                "breached",
                _("%(number)s: %(milestone)s is overdue."),
                labels,
                to_managers=False,
            ),
        ),
        (
            # due_at: a deadline a calendar correction moved past now is not overdue
            _open().filter(
                breached_at__lte=escalate_before, escalated_at__isnull=True, due_at__lt=now
            ),
            "escalated_at",
            now,
            Stage(
                "breached_at",
                Kind.MILESTONE_ESCALATED,
                "escalated",
                _("%(number)s: %(milestone)s is overdue and was escalated to you."),
                labels,
                to_managers=True,
            ),
        ),
    )


def _apart() -> bool:
    """Whether the breach pass may run on a connection of its own: on PostgreSQL, and not
    inside a transaction (whose rows another connection could not see)."""
    return PASSES_APART and connection.vendor == "postgresql" and not connection.in_atomic_block


def _on_own_connection(sweep_pass: Pass) -> int:
    try:
        return _claim_all(*sweep_pass)
    finally:
        connection.close()  # this thread's


def _claim_all(candidates: QuerySet[Milestone], mark: str, now: datetime, stage: Stage) -> int:
    """Claim, mark and announce batches until none is left; the number marked.

    The lock (FOR UPDATE SKIP LOCKED), the mark, the events and the notifications share one
    transaction: a concurrent sweep skips the locked rows, then finds them marked. A batch
    starts at the walked value where the previous one ended (>=, for ties); a row skipped
    there because another transaction held it is another sweep's, or the next sweep's.
    (benchmarks.desk_bench times each pass through this function, named by ``mark``.)
    """
    total = 0
    after: datetime | None = None
    while True:
        batch = candidates if after is None else candidates.filter(**{f"{stage.walk}__gte": after})
        claim = batch.order_by(stage.walk).select_for_update(skip_locked=True, of=("self",))
        with transaction.atomic():
            marked, after = _claim_batch(claim, BATCH, mark, now, stage)
        if not marked:
            return total
        total += marked


def milestone_labels() -> dict[str, str]:
    """Milestone kinds and their names in the active language, as get_kind_display() says."""
    return {
        str(value): str(label) for value, label in Milestone._meta.get_field("kind").flatchoices
    }


def _claim_batch(
    claim: QuerySet[Milestone],
    limit: int,
    mark: str,
    now: datetime,
    stage: Stage,
) -> tuple[int, datetime | None]:
    """One batch in the caller's transaction: (milestones marked, last walked value)."""
    if connection.vendor == "postgresql":
        return sweep_sql.claim_batch(claim, limit, mark, now, stage)
    return _claim_batch_portable(claim, limit, mark, now, stage)


def _claim_batch_portable(
    claim: QuerySet[Milestone],
    limit: int,
    mark: str,
    now: datetime,
    stage: Stage,
) -> tuple[int, datetime | None]:
    """The batch with the ORM: plain values, no model instance per claimed milestone.

    On PostgreSQL (tests only) the claimed rows are locked; SQLite has no row locks but one
    writer at a time, and a transaction that read rows another one has since written fails
    to write instead of marking them twice.
    """
    rows = list(
        claim.values_list(
            "pk",
            "work_order_id",
            "kind",
            "due_at",
            stage.walk,
            "work_order__project_id",
            "work_order__assignee_id",
            "work_order__first_responder_id",
        )[:limit]
    )
    if not rows:
        return 0, None
    Milestone.objects.filter(pk__in=[row[0] for row in rows], **{f"{mark}__isnull": True}).update(
        **{mark: now}
    )
    managers = project_managers({row[5] for row in rows}) if stage.to_managers else {}
    admins: list[int] | None = None
    events, notifications = [], []
    for _pk, order_id, kind, due_at, _walked, project_id, assignee_id, responder_id in rows:
        data: dict[str, Any] = {"milestone": kind}
        if stage.to_managers:
            recipients = managers.get(project_id, [])
            if not recipients:  # a project without managers: its breach is not lost
                if admins is None:
                    admins = sorted(administrators_query().values_list("pk", flat=True))
                recipients = admins
                if admins:  # as the SQL path: the flag comes with whom it told
                    data["fallback"] = "administrators"
            data["notified"] = recipients
        else:
            recipients = [r for r in [assignee_id or responder_id] if r is not None]
            data["due_at"] = due_at.isoformat()
        events.append(WorkOrderEvent(work_order_id=order_id, kind=stage.event, data=data))
        number = WorkOrder(pk=order_id).number
        text = stage.template % {"number": number, "milestone": stage.labels.get(kind, kind)}
        notifications += [
            Notification(
                recipient_id=user_id,
                kind=stage.notification,
                text=text[:300],
                work_order_id=order_id,
            )
            for user_id in recipients
        ]
    WorkOrderEvent.objects.bulk_create(events)
    Notification.objects.bulk_create(notifications)
    return len(rows), rows[-1][4]


def managers_query() -> QuerySet[User]:
    """Active managers by project (like services.common.project_managers; the manager on
    duty is among them)."""
    return User.objects.filter(groups__name="manager", is_active=True)


def administrators_query() -> QuerySet[User]:
    """Whom an escalation tells when the project has no manager (as the emergency path,
    services.common.managers_or_administrators)."""
    return User.objects.filter(groups__name="administrator", is_active=True).distinct()


def project_managers(project_ids: set[int]) -> dict[int, list[int]]:
    """The managers' ids of each project, ascending (as the escalation event lists them)."""
    pairs = (
        managers_query()
        .filter(projects__in=project_ids)
        .values_list("projects", "pk")
        .distinct()
        .order_by("projects", "pk")
    )
    found: dict[int, list[int]] = {}
    for project_id, user_id in pairs:
        found.setdefault(project_id, []).append(user_id)
    return found
