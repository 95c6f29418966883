"""The owners app's contribution to the owner timeline."""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from anju.core.timeline import TimelineEntry
from anju.owners.models import OwnerEvent


def _detail(event: OwnerEvent) -> str:
    data = event.data or {}
    if event.kind == OwnerEvent.Kind.PERSONAL_DATA_REVEALED:
        return _("Reason: %(reason)s") % {"reason": data.get("reason", "")}
    parts = []
    if data.get("unit"):
        parts.append(data["unit"])
    if data.get("fields"):
        parts.append(_("fields: %(fields)s") % {"fields": ", ".join(data["fields"])})
    if data.get("rows"):
        parts.append(_("import row %(row)s") % {"row": data["rows"]})
    return " · ".join(parts)


def owner_events_source(owner: Any, viewer: Any, limit: int) -> Iterator[TimelineEntry]:
    # The owner's own file: whoever sees the owner sees its history.
    events = OwnerEvent.objects.filter(owner=owner).select_related("actor")[:limit]
    for event in events:
        yield TimelineEntry(
            at=event.at,
            source="owners",
            kind=event.kind,
            title=event.get_kind_display(),
            actor=str(event.actor) if event.actor else "",
            detail=_detail(event),
        )
