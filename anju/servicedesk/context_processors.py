"""Context for every page: my unread notifications and, for administrators, the calendar warning.

Both come from ONE query, run only when a template reads either value (pages without the
navbar, e.g. htmx partials, pay nothing):

- ``desk_unread``: how many of my notifications are unread (the navbar badge);
- ``desk_calendar_warning``: for users who may load calendar years, a CalendarWarning when
  the current year (and from November on, the next year) is not loaded, or when running
  milestones carry provisional deadlines; None otherwise.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, IntegerField, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from anju.servicedesk.models import CalendarYear, Milestone, Notification

CALENDAR_PERM = "servicedesk.add_calendaryear"
# From this month on, next year's State Council notice is due and should be loaded.
WARN_NEXT_YEAR_FROM_MONTH = 11


@dataclass(frozen=True)
class CalendarWarning:
    missing_years: tuple[int, ...]
    provisional: int


@dataclass(frozen=True)
class DeskSummary:
    unread: int
    warning: CalendarWarning | None


class _CountOf(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _anju_count)"
    output_field = IntegerField()


def years_to_check(today: dt.date) -> tuple[int, ...]:
    if today.month >= WARN_NEXT_YEAR_FROM_MONTH:
        return (today.year, today.year + 1)
    return (today.year,)


def _ids(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.order_by().values("pk")


def desk_summary(user: Any, today: dt.date | None = None) -> DeskSummary:
    """One query: the unread count, plus loaded years and provisional count for admins."""
    columns: dict[str, Any] = {
        "unread": _CountOf(_ids(Notification.objects.filter(recipient=user.pk, read_at=None)))
    }
    years = years_to_check(today or timezone.localdate())
    warn = user.has_perm(CALENDAR_PERM)
    if warn:
        for year in years:
            columns[f"loaded_{year}"] = Exists(CalendarYear.objects.filter(year=year))
        columns["provisional"] = _CountOf(
            _ids(Milestone.objects.running().filter(provisional=True))
        )
    found: Any = get_user_model().objects.filter(pk=user.pk).order_by().values(**columns).first()
    row: dict[str, Any] = dict(found or {})
    warning = None
    if warn and row:
        missing = tuple(year for year in years if not row[f"loaded_{year}"])
        if missing or row["provisional"]:
            warning = CalendarWarning(missing, row["provisional"])
    return DeskSummary(unread=row.get("unread", 0), warning=warning)


def desk(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    summary: Any = SimpleLazyObject(lambda: desk_summary(user))
    return {
        "bell_poll_seconds": settings.ANJU_BELL_POLL_SECONDS,
        "desk_unread": SimpleLazyObject(lambda: summary.unread),
        "desk_calendar_warning": SimpleLazyObject(lambda: summary.warning),
    }
