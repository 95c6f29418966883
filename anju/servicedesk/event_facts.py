"""The short facts of timeline events that their note does not say.

An event stores ids (the new assignee, the order merged into); the order page and the
owner's 360° page show who and which order, read for a whole list of events at once (one
query for the people, none when no event names any; an order's number is its id).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anju.security.models import User
from anju.servicedesk.durations import humanize
from anju.servicedesk.models import WorkOrder, WorkOrderEvent
from anju.servicedesk.models.sla import MilestoneKind

Kind = WorkOrderEvent.Kind
_PERSON_KEYS = ("assignee", "responsible")
_ORDER_KEYS = ("into", "duplicate", "other")


def describe_events(events: Sequence[WorkOrderEvent]) -> dict[int, str]:
    """Each event's facts by its id ("" when there is nothing to add to its kind)."""
    people = _names(_ids(events, _PERSON_KEYS))
    numbers = _numbers(_ids(events, _ORDER_KEYS))
    return {event.pk: _facts(event, people, numbers) for event in events}


def _ids(events: Sequence[WorkOrderEvent], keys: tuple[str, ...]) -> set[int]:
    found = set()
    for event in events:
        for key in keys:
            value = (event.data or {}).get(key)
            if isinstance(value, int):
                found.add(value)
    return found


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {user.pk: str(user) for user in User.objects.filter(pk__in=ids).only("name", "username")}


def _numbers(ids: set[int]) -> dict[int, str]:
    return {pk: WorkOrder(pk=pk).number for pk in ids}  # the number is the id, formatted


def _facts(event: WorkOrderEvent, people: dict[int, str], numbers: dict[int, str]) -> str:
    data = event.data or {}
    parts: list[str] = []
    if data.get("milestone"):
        parts.append(label(MilestoneKind, data["milestone"]))
    if event.kind == Kind.MILESTONE_MET and data.get("late") and data.get("due_at"):
        # met, but after its due time: say by how much, as the clock table does
        late_by = event.at - datetime.fromisoformat(data["due_at"])
        parts.append(_("late by %(time)s") % {"time": humanize(late_by)})
    if data.get("department"):
        parts.append(label(WorkOrder.Department, data["department"]))
    for key in _PERSON_KEYS:
        if key in data and data[key] in people:
            parts.append(people[data[key]])
    if data.get("deadline"):
        parts.append(_("due %(date)s") % {"date": data["deadline"]})
    if data.get("reason"):
        parts.append(label(WorkOrder.HoldReason, data["reason"]))
    if event.kind == Kind.FEEDBACK_GIVEN and data.get("channel"):
        parts.append(label(WorkOrder.Channel, data["channel"]))
    parts.extend(_order_facts(event.kind, data, numbers))
    if "notified" in data and data.get("on_duty"):
        count = len(data["notified"])
        parts.append(
            ngettext(
                "%(count)d manager on duty notified", "%(count)d managers on duty notified", count
            )
            % {"count": count}
        )
    elif "notified" in data:
        parts.append(_notified(data["notified"], data.get("fallback")))
    return " · ".join(parts)


def _order_facts(kind: str, data: dict[str, Any], numbers: dict[int, str]) -> list[str]:
    if kind == Kind.MERGED and data.get("into") in numbers:
        return [_("into %(number)s") % {"number": numbers[data["into"]]}]
    if kind == Kind.ABSORBED and data.get("duplicate") in numbers:
        return [_("from %(number)s") % {"number": numbers[data["duplicate"]]}]
    if kind == Kind.LINKED and data.get("other") in numbers:
        return [_("with %(number)s") % {"number": numbers[data["other"]]}]
    return []


def _notified(notified: list[int], fallback: str | None) -> str:
    if not notified:
        return _("nobody to notify: no manager is assigned to the project")
    if fallback:
        return ngettext(
            "no manager on the project: %(count)d administrator notified",
            "no manager on the project: %(count)d administrators notified",
            len(notified),
        ) % {"count": len(notified)}
    return ngettext("%(count)d manager notified", "%(count)d managers notified", len(notified)) % {
        "count": len(notified)
    }


def label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))
