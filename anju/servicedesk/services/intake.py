"""受理: accepting a request at the one front desk."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.audit.services import log_change
from anju.security.models import User
from anju.servicedesk.calendar import Clocks, current_clocks
from anju.servicedesk.models import (
    Milestone,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)
from anju.servicedesk.people import working_on
from anju.servicedesk.services.alerts import check_group_complaint
from anju.servicedesk.services.common import (
    managers_or_administrators,
    notify,
    order_view,
    record,
    refuse,
)
from anju.servicedesk.services.duty import on_duty
from anju.servicedesk.services.inputs import WorkOrderInput
from anju.servicedesk.services.intake_links import read_links
from anju.servicedesk.sla import (
    STARTS_AT_DISPATCH,
    SlaConfig,
    milestone_from_target,
    sla_config,
    summarize,
)

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
    accepted = work_order_accept_in_hand(
        actor=actor, data=data, idempotency_key=idempotency_key, fingerprint=fingerprint
    )
    return accepted.order, accepted.created


@dataclass(frozen=True)
class Accepted:
    """What work_order_accept_in_hand did, with the rows a new order got."""

    order: WorkOrder
    created: bool  # False: a retry, and the lists are empty
    milestones: list[Milestone] = field(default_factory=list)
    events: list[WorkOrderEvent] = field(default_factory=list)
    photos: list[WorkOrderAttachment] = field(default_factory=list)
    # The calendar the milestones were computed on (None: no milestones), so that the
    # answer shows their state without reading the calendar again.
    clocks: Clocks | None = None


def work_order_accept_in_hand(
    *,
    actor: User,
    data: WorkOrderInput,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> Accepted:
    """work_order_accept, returning the new order's milestones, events and photos too.

    No look-up precedes the INSERT: the unique (created_by, idempotency_key) refuses a
    second order for a key (a retry, or two copies racing) and only then is the first one
    read, so a new request, the usual case, pays nothing for its key. A refused request
    whose key already made an order also answers with that order, as a retry should.
    """
    try:
        with transaction.atomic():
            return _accept(actor, data, idempotency_key, fingerprint)
    except (IntegrityError, ValidationError):
        existing = _by_key(actor, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return Accepted(_same_request(existing, fingerprint), created=False)


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
) -> Accepted:
    config = sla_config()
    order = WorkOrder(
        created_by=actor,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint if key else None,
    )
    _fill(order, actor, data, config)
    # The policy and the first milestones come before the INSERT: the order is written
    # once, with its policy and SLA summary.
    order.sla_policy = config.policy_for(order.type, order.urgency, order.category_id)
    milestones, clocks = _first_milestones(order)
    summarize(milestones).apply_to(order)
    order.save()
    Milestone.objects.bulk_create(milestones)
    photos = [
        WorkOrderAttachment.objects.create(work_order=order, file=photo, uploaded_by=actor)
        for photo in data.photos
    ]
    log_change(actor=actor, instance=order, action="create", before=None, after=order_view(order))
    events = [
        record(
            order,
            WorkOrderEvent.Kind.ACCEPTED,
            actor,
            channel=order.channel,
            first_responder=order.first_responder_id,
        )
    ]
    if order.type == WorkOrder.Type.COMPLAINT:
        if order.urgency == WorkOrder.Urgency.URGENT:
            events.append(_start_emergency_path(order, actor))
        check_group_complaint(order)
    return Accepted(order, True, milestones, events, photos, clocks)


def _first_milestones(order: WorkOrder) -> tuple[list[Milestone], Clocks | None]:
    if order.sla_policy is None:
        return [], None
    clocks = current_clocks()
    milestones = [
        milestone_from_target(order, target, order.received_at, clocks)
        for target in order.sla_policy.targets.all()
        if target.milestone not in STARTS_AT_DISPATCH
    ]
    return milestones, clocks


def _start_emergency_path(order: WorkOrder, actor: User) -> WorkOrderEvent:
    """The manager on duty (值班) is told at once; with nobody on duty, the project's
    managers; with no manager, the administrators. The timeline says which."""
    managers = on_duty(order.project_id, timezone.now())
    facts: dict[str, Any] = {"notified": [user.pk for user in managers]}
    if managers:
        facts["on_duty"] = True
    else:
        managers, fallback = managers_or_administrators(order)
        facts["notified"] = [user.pk for user in managers]
        if fallback:
            facts["fallback"] = "administrators"
    event = record(order, WorkOrderEvent.Kind.EMERGENCY, actor, **facts)
    notify(
        managers,
        "emergency",
        order,
        gettext_lazy("Urgent complaint %(number)s: start the emergency path."),
        number=order.number,
    )
    return event


def _fill(order: WorkOrder, actor: User, data: WorkOrderInput, config: SlaConfig) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).extend(refuse(field, message, code).error_dict[field])

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
    _fill_links(order, actor, data, config, fail)
    if errors:
        raise ValidationError(errors)


def _fill_links(
    order: WorkOrder, actor: User, data: WorkOrderInput, config: SlaConfig, fail: Any
) -> None:
    links = read_links(
        actor, project_id=data.project_id, unit_id=data.unit_id, owner_id=data.owner_id
    )
    if data.unit_id is not None:
        order.unit = links.unit
        if links.unit is None:
            fail("unit", _("This unit is not in the project."), "does_not_exist")
        else:
            order.building = links.unit.building  # read with the unit
    if not links.project_visible:
        fail("project", _("Choose one of your projects."), "does_not_exist")
    order.project_id = data.project_id
    if data.owner_id is not None:
        order.owner = links.owner
        if order.owner is None:  # missing, or not of this project: one answer
            fail("owner", _("Choose an owner of this project."), "does_not_exist")
    if data.category_id is not None:
        order.category = config.active_category(data.category_id)
        if order.category is None:
            fail("category", _("Choose an active category."), "does_not_exist")
    elif data.type == WorkOrder.Type.REPAIR:
        fail("category", _("A repair needs a category."), "required")
    responder = _first_responder(actor, data.first_responder_id, data.project_id)
    if responder is None:
        fail(
            "first_responder",
            _("Choose an active person who works on the project."),
            "does_not_exist",
        )
    order.first_responder = responder  # type: ignore[assignment]


def _first_responder(actor: User, responder_id: int | None, project_id: int) -> User | None:
    """首问负责制: the actor by default, without a query (their project is checked with
    the links); someone else must be able to open the order, since they stay
    accountable and are told about it (people.working_on)."""
    if responder_id is None or responder_id == actor.pk:
        return actor if actor.is_active else None
    return working_on(project_id).filter(pk=responder_id).first()
