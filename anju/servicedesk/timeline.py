"""The service desk's contribution to the owner timeline: events of their work orders."""

from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from anju.core.timeline import TimelineEntry
from anju.servicedesk.event_facts import describe_events
from anju.servicedesk.models import WorkOrder, WorkOrderEvent

VIEW_PERM = "servicedesk.view_workorder"
# Sweep events are noise on the owner's page; the order page shows them.
_HIDDEN = {
    WorkOrderEvent.Kind.MILESTONE_MET,
    WorkOrderEvent.Kind.MILESTONE_AT_RISK,
    WorkOrderEvent.Kind.DEADLINES_RECOMPUTED,
    WorkOrderEvent.Kind.NOTE,
}


def work_order_events_source(owner: Any, viewer: Any, limit: int) -> Iterator[TimelineEntry]:
    """The events of the owner's orders that the viewer may open: an owner seen through
    one project may have orders in another, which stay out of sight (as their page does)."""
    if not viewer.has_perm(VIEW_PERM):
        return
    orders = WorkOrder.objects.visible_to(viewer).filter(owner=owner)
    events = list(
        WorkOrderEvent.objects.filter(work_order__in=orders.values("pk"))
        .exclude(kind__in=_HIDDEN)
        .select_related("actor", "work_order")
        .order_by("-at", "-id")[:limit]
    )
    facts = describe_events(events)
    for event in events:
        order = event.work_order
        detail = " · ".join(part for part in (facts[event.pk], event.note[:200]) if part)
        yield TimelineEntry(
            at=event.at,
            source="servicedesk",
            kind=event.kind,
            title=f"{order.number} {order.get_type_display()} · {event.get_kind_display()}",
            actor=str(event.actor) if event.actor else "",
            detail=detail,
            url=reverse("servicedesk:detail", args=[order.pk]),
        )
