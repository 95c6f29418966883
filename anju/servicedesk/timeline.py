"""The service desk's contribution to the owner timeline: events of their work orders."""

from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from anju.core.timeline import TimelineEntry
from anju.servicedesk.models import WorkOrderEvent

# Sweep events are noise on the owner's page; the order page shows them.
_HIDDEN = {
    WorkOrderEvent.Kind.MILESTONE_MET,
    WorkOrderEvent.Kind.MILESTONE_AT_RISK,
    WorkOrderEvent.Kind.DEADLINES_RECOMPUTED,
    WorkOrderEvent.Kind.NOTE,
}


def work_order_events_source(owner: Any, limit: int) -> Iterator[TimelineEntry]:
    events = (
        WorkOrderEvent.objects.filter(work_order__owner=owner)
        .exclude(kind__in=_HIDDEN)
        .select_related("actor", "work_order")
        .order_by("-at", "-id")[:limit]
    )
    for event in events:
        order = event.work_order
        yield TimelineEntry(
            at=event.at,
            source="servicedesk",
            kind=event.kind,
            title=f"{order.number} {order.get_type_display()} · {event.get_kind_display()}",
            actor=str(event.actor) if event.actor else "",
            detail=event.note[:200],
            url=reverse("servicedesk:detail", args=[order.pk]),
        )
