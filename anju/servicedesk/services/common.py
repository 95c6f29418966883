"""Shared pieces of the service-desk write path: events, notifications, locking."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anju.audit.services import log_change, snapshot
from anju.security.models import User
from anju.servicedesk.models import Milestone, Notification, WorkOrder, WorkOrderEvent
from anju.servicedesk.models.work_orders import SLA_SUMMARY_FIELDS
from anju.servicedesk.people import working_on
from anju.servicedesk.sla import refresh_sla_summary

# The SLA summary is derived from the milestones (their own events tell what changed), so
# the change log leaves it out like the idempotency bookkeeping.
ORDER_LOG_EXCLUDE = {"idempotency_key", "idempotency_fingerprint", *SLA_SUMMARY_FIELDS}


def order_view(order: WorkOrder) -> dict[str, Any]:
    return snapshot(order, exclude=ORDER_LOG_EXCLUDE)


def locked(order: WorkOrder) -> WorkOrder:
    """Re-read the order under a row lock so concurrent transitions serialise."""
    return WorkOrder.objects.select_for_update().get(pk=order.pk)


def record(order: WorkOrder, kind: str, actor: Any, note: str = "", **data: Any) -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        work_order=order,
        kind=kind,
        note=note,
        data=data,
        actor=actor if getattr(actor, "pk", None) else None,
    )


def log_order_change(actor: Any, order: WorkOrder, before: dict[str, Any]) -> None:
    log_change(actor=actor, instance=order, action="update", before=before, after=order_view(order))


def refuse(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def require(condition: bool, message: Any = None) -> None:
    if not condition:
        raise refuse(
            "status",
            message or _("This step is not possible in the order's state."),
            "invalid_transition",
        )


def notify(
    recipients: Iterable[User | None],
    kind: str,
    order: WorkOrder | None,
    message: str | Promise,
    **params: Any,
) -> None:
    """Notifications are written after commit: a rolled-back step tells nobody.

    The text is written in the site's language (LANGUAGE_CODE), as the sweep writes its
    own, whatever the language of the person whose step sent it: pass the message lazy
    (gettext_lazy) with its parameters, lazy ones too, and it is rendered here.
    """
    people = {user.pk: user for user in recipients if user is not None}

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            text = str(message) % params if params else str(message)
        Notification.objects.bulk_create(
            [
                Notification(recipient=user, kind=kind, text=text[:300], work_order=order)
                for user in people.values()
            ]
        )

    transaction.on_commit(send)


def site_language_text(message: str | Promise, **params: Any) -> str:
    """A text stored for everyone (a system note): in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


def project_managers(order: WorkOrder) -> list[User]:
    """The managers assigned to the order's project (the manager on duty is among them)."""
    return list(
        User.objects.filter(
            groups__name="manager", projects=order.project_id, is_active=True
        ).distinct()
    )


def managers_or_administrators(
    order: WorkOrder, *, besides: User | None = None
) -> tuple[list[User], bool]:
    """The project's managers (but ``besides``, who acts); when there are none, the
    administrators, so that an urgent step never goes unseen (True: the fallback)."""
    managers = [u for u in project_managers(order) if besides is None or u.pk != besides.pk]
    if managers:
        return managers, False
    from anju.servicedesk.sweep import administrators_query

    admins = administrators_query()
    if besides is not None:
        admins = admins.exclude(pk=besides.pk)
    return list(admins), True


def check_works_on_project(order: WorkOrder, person: User, field: str) -> None:
    """Someone made responsible for an order must be able to open it (people.working_on):
    they are notified about it."""
    if not working_on(order.project_id).filter(pk=person.pk).exists():
        raise refuse(
            field, _("This person does not work on the order's project."), "not_in_project"
        )


def lock_pair(first: WorkOrder, second: WorkOrder) -> tuple[WorkOrder, WorkOrder]:
    """Lock two orders in id order, whatever the order of the arguments, so that two steps
    on the same pair (A into B, B into A) cannot deadlock."""
    rows = {
        order.pk: order
        for order in WorkOrder.objects.select_for_update()
        .filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
    }
    return rows[first.pk], rows[second.pk]


def refresh_summary(order: WorkOrder) -> None:
    """Store the order's SLA summary again after its running milestones changed (call it
    last, in the same transaction, once the milestones are written).

    The UPDATE computes it in the database; on the instance the three fields become
    deferred, so reading them loads the stored values and a later save() of this instance
    leaves them alone instead of writing back the ones read before the change.
    """
    refresh_sla_summary(WorkOrder.objects.filter(pk=order.pk))
    for name in SLA_SUMMARY_FIELDS:
        order.__dict__.pop(name, None)


def meet_milestones(order: WorkOrder, kinds: Iterable[str], actor: Any) -> None:
    now = timezone.now()
    running = Milestone.objects.running().filter(work_order=order, kind__in=list(kinds))
    for milestone in running:
        milestone.met_at = now
        milestone.paused_at = None
        milestone.save(update_fields=["met_at", "paused_at"])
        late = now > milestone.due_at
        record(
            order,
            WorkOrderEvent.Kind.MILESTONE_MET,
            actor,
            milestone=milestone.kind,
            late=late,
            due_at=milestone.due_at.isoformat(),
        )
