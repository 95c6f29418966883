"""The create's answer, built from what the service just wrote (D15).

WorkOrderDetailSerializer builds and binds some seventy DRF fields for one order (the
order's, and each nested serializer's): 1.6 ms of a create's CPU, more than its INSERTs.
A new order has a known shape (no plans, feedback, related orders or assignee yet), so
its body is written out here with the detail serializer's own conversions (the same
DRF field classes, the same milestone clock). It stays equal to the detail serializer's
body for the same order: test_api_answers.py compares the two for every kind of create,
and the create tests compare it with a retrieve.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from anju.servicedesk.models import Milestone, WorkOrder, WorkOrderEvent
from anju.servicedesk.serializers import (
    PhotoSerializer,
    milestone_status,
    response_clock,
    user_name,
)
from anju.servicedesk.services.intake import Accepted

_TIME = serializers.DateTimeField()


def _time(value: datetime | None) -> str | None:
    return _TIME.to_representation(value) if value is not None else None


def accepted_body(accepted: Accepted, context: Mapping[str, Any]) -> dict[str, Any]:
    """The detail body of a new order (accepted.created) as of now."""
    order = accepted.order
    events = sorted(accepted.events, key=lambda e: (e.at, e.pk or 0), reverse=True)
    photos = PhotoSerializer(accepted.photos, many=True, context=dict(context)).data
    return {
        **_order(order),
        "milestones": _milestones(accepted),
        "created_by": order.created_by_id,
        "sla_policy": order.sla_policy_id,
        "on_hold_since": _time(order.on_hold_since),
        "merged_into": order.merged_into_id,
        "related": [],
        "resolved_at": _time(order.resolved_at),
        "closed_at": _time(order.closed_at),
        "events": [_event(e) for e in events],
        "plans": [],
        "feedback": [],
        "photos": list(photos),
    }


def _milestones(accepted: Accepted) -> list[dict[str, Any]]:
    if not accepted.milestones:
        return []
    # The calendar the deadlines were just computed on: the answer reads it no second time.
    clock = (timezone.now(), accepted.clocks) if accepted.clocks else response_clock()
    milestones = sorted(accepted.milestones, key=lambda m: (m.due_at, m.pk or 0))
    return [_milestone(m, clock) for m in milestones]


def _order(order: WorkOrder) -> dict[str, Any]:
    owner, unit, category = order.owner, order.unit, order.category
    return {
        "id": order.pk,
        "number": order.number,
        "project": order.project_id,
        "type": order.type,
        "channel": order.channel,
        "urgency": order.urgency,
        "status": order.status,
        "description": order.description,
        "owner": order.owner_id,
        "owner_name": owner.name if owner else "",
        "unit": order.unit_id,
        "unit_code": unit.code if unit else "",
        "category": order.category_id,
        "category_path": category.path if category else "",
        "location": order.location,
        "department": order.department,
        "assignee": order.assignee_id,
        "assignee_name": user_name(order.assignee),
        "first_responder": order.first_responder_id,
        "first_responder_name": user_name(order.first_responder),
        "escalated": order.escalated,
        "hold_reason": order.hold_reason,
        "received_at": _time(order.received_at),
        "created_at": _time(order.created_at),
        "next_due_at": _time(order.next_due_at),
    }


def _milestone(milestone: Milestone, clock: tuple[Any, ...]) -> dict[str, Any]:
    status = milestone_status(milestone, clock)
    state = status.state if status else "cancelled"
    seconds = int(status.delta.total_seconds()) if status else None
    return {
        "id": milestone.pk,
        "kind": milestone.kind,
        "clock": milestone.clock,
        "amount": milestone.amount,
        "started_at": _time(milestone.started_at),
        "due_at": _time(milestone.due_at),
        "at_risk_at": _time(milestone.at_risk_at),
        "provisional": milestone.provisional,
        "paused": milestone.paused_at is not None
        and milestone.met_at is None
        and not milestone.cancelled,
        "met_at": _time(milestone.met_at),
        "breached_at": _time(milestone.breached_at),
        "cancelled": milestone.cancelled,
        "state": state,
        "seconds_left": seconds if state in ("running", "at_risk") else None,
        "seconds_overdue": seconds if state == "breached" else None,
    }


def _event(event: WorkOrderEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "at": _time(event.at),
        "actor": event.actor_id,
        "actor_name": user_name(event.actor),
        "note": event.note,
        "data": event.data,
    }
