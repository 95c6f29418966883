"""Durations as people say them (2 days 3 hours), for clocks and timeline facts."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_MINUTES_PER_DAY = 24 * 60


def humanize(delta: timedelta) -> str:
    """2 days 3 hours, 3 hours 5 minutes, 4 minutes (the two largest units)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, _MINUTES_PER_DAY)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if mins and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return " ".join(parts) or _("under a minute")
