"""受理: accepting a request at the one front desk."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.audit.services import log_change
from anju.owners.models import Owner
from anju.properties.models import Project, Unit
from anju.security.models import User
from anju.servicedesk.models import (
    Category,
    Milestone,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)
from anju.servicedesk.services.alerts import check_group_complaint
from anju.servicedesk.services.common import (
    notify,
    order_view,
    project_managers,
    record,
    refuse,
)
from anju.servicedesk.services.inputs import WorkOrderInput
from anju.servicedesk.sla import STARTS_AT_DISPATCH, choose_policy, milestone_from_target

# A clock a few seconds ahead of the server's is not "the future".
_CLOCK_SKEW = timedelta(seconds=30)


def work_order_accept(
    *,
    actor: User,
    data: WorkOrderInput,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> tuple[WorkOrder, bool]:
    """Accept a request; returns (order, created). A retried key returns the first order;
    the same key with another payload `fingerprint` is refused (idempotency_conflict)."""
    if idempotency_key:
        existing = _by_key(actor, idempotency_key)
        if existing is not None:
            return _same_request(existing, fingerprint), False
    try:
        with transaction.atomic():
            return _accept(actor, data, idempotency_key, fingerprint), True
    except IntegrityError:
        existing = _by_key(actor, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _same_request(existing, fingerprint), False


def _by_key(actor: User, key: str) -> WorkOrder | None:
    return WorkOrder.objects.filter(created_by=actor, idempotency_key=key).first()


def _same_request(order: WorkOrder, fingerprint: str | None) -> WorkOrder:
    stored = order.idempotency_fingerprint
    if fingerprint and stored and fingerprint != stored:
        raise refuse(
            "idempotency_key",
            _("This idempotency key was already used for a different request."),
            "idempotency_conflict",
        )
    return order


def _accept(
    actor: User, data: WorkOrderInput, key: str | None, fingerprint: str | None
) -> WorkOrder:
    order = WorkOrder(
        created_by=actor,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint if key else None,
    )
    _fill(order, actor, data)
    order.save()
    for photo in data.photos:
        WorkOrderAttachment.objects.create(work_order=order, file=photo, uploaded_by=actor)
    order.sla_policy = choose_policy(order)
    if order.sla_policy is not None:
        order.save(update_fields=["sla_policy"])
        _start_milestones(order)
    log_change(actor=actor, instance=order, action="create", before=None, after=order_view(order))
    record(
        order,
        WorkOrderEvent.Kind.ACCEPTED,
        actor,
        channel=order.channel,
        first_responder=order.first_responder_id,
    )
    if order.type == WorkOrder.Type.COMPLAINT:
        if order.urgency == WorkOrder.Urgency.URGENT:
            _start_emergency_path(order, actor)
        check_group_complaint(order)
    return order


def _start_milestones(order: WorkOrder) -> None:
    assert order.sla_policy is not None
    Milestone.objects.bulk_create(
        [
            milestone_from_target(order, target, order.received_at)
            for target in order.sla_policy.targets.all()
            if target.milestone not in STARTS_AT_DISPATCH
        ]
    )


def _start_emergency_path(order: WorkOrder, actor: User) -> None:
    managers = project_managers(order)
    record(order, WorkOrderEvent.Kind.EMERGENCY, actor, notified=[user.pk for user in managers])
    notify(
        managers,
        "emergency",
        _("Urgent complaint %(number)s: start the emergency path.") % {"number": order.number},
        order,
    )


def _fill(order: WorkOrder, actor: User, data: WorkOrderInput) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).extend(refuse(field, message, code).error_dict[field])

    project = Project.objects.visible_to(actor).filter(pk=data.project_id).first()
    if project is None:
        fail("project", _("Choose one of your projects."), "does_not_exist")
    order.project = project  # type: ignore[assignment]
    order.type, order.channel = data.type, data.channel
    if data.type not in WorkOrder.Type.values:
        fail("type", _("Choose a request type."), "invalid_choice")
    if data.channel not in WorkOrder.Channel.values:
        fail("channel", _("Choose a channel."), "invalid_choice")
    if data.urgency not in WorkOrder.Urgency.values:
        fail("urgency", _("Choose urgent or normal."), "invalid_choice")
    order.urgency = data.urgency
    order.description = data.description.strip()
    if not order.description:
        fail("description", _("Describe the request."), "required")
    order.location = data.location.strip()
    now = timezone.now()
    order.received_at = data.received_at or now
    if order.received_at > now + _CLOCK_SKEW:
        fail("received_at", _("The report time cannot be in the future."), "future_time")
    _fill_links(order, actor, data, fail)
    if errors:
        raise ValidationError(errors)


def _fill_links(order: WorkOrder, actor: User, data: WorkOrderInput, fail: Any) -> None:
    if data.owner_id is not None:
        order.owner = Owner.objects.visible_to(actor).filter(pk=data.owner_id).first()
        if order.owner is None:
            fail("owner", _("This owner does not exist."), "does_not_exist")
    if data.unit_id is not None:
        order.unit = Unit.objects.filter(pk=data.unit_id, project_id=data.project_id).first()
        if order.unit is None:
            fail("unit", _("This unit is not in the project."), "does_not_exist")
    if data.category_id is not None:
        order.category = Category.objects.filter(pk=data.category_id, is_active=True).first()
        if order.category is None:
            fail("category", _("Choose an active category."), "does_not_exist")
    elif data.type == WorkOrder.Type.REPAIR:
        fail("category", _("A repair needs a category."), "required")
    responder_id = data.first_responder_id or actor.pk
    order.first_responder = User.objects.filter(pk=responder_id, is_active=True).first()  # type: ignore[assignment]
    if order.first_responder is None:
        fail("first_responder", _("Choose an active user."), "does_not_exist")
