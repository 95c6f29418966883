"""Lifecycle stage of owners and ownerships, derived from handover dates and settings.

The stage is never stored: it is computed from the handover date (rules.lifecycle) with
the bounds in settings, and filtered in SQL through the equivalent handover-date range.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db.models import Q

from anju.owners.rules.lifecycle import Stage, lifecycle_stage, stage_handover_bounds


def _bounds() -> dict[str, int]:
    return {
        "running_in_months": settings.ANJU_LIFECYCLE_RUNNING_IN_MONTHS,
        "stable_months": settings.ANJU_LIFECYCLE_STABLE_MONTHS,
    }


def stage_of(handover_date: date | None, *, today: date) -> Stage:
    return lifecycle_stage(handover_date=handover_date, today=today, **_bounds())


def owner_stage(handover_dates: Iterable[date | None], *, today: date) -> Stage | None:
    """An owner's stage is that of their most recent handover (the unit that needs the
    most attention); an owner with units not yet handed over only is prospective."""
    dates = list(handover_dates)
    if not dates:
        return None
    delivered = [d for d in dates if d is not None and d <= today]
    return stage_of(max(delivered) if delivered else None, today=today)


def ownership_stage_q(stage: str, *, today: date, prefix: str = "") -> Q:
    """Q over Ownership rows (or `prefix`ed relations) whose stage is `stage` today."""
    lower, upper = stage_handover_bounds(stage, today=today, **_bounds())
    field = f"{prefix}handover_date"
    q = Q()
    if lower is not None:
        q &= Q(**{f"{field}__gte": lower})
    if upper is not None:
        q &= Q(**{f"{field}__lt": upper})
    if stage == Stage.PROSPECTIVE:
        q |= Q(**{f"{field}__isnull": True})
    return q
