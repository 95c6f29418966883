"""Owner lifecycle stages and the calendar arithmetic behind them.

Service scripts differ by stage: a buyer waiting for the keys, a new owner in
the first year after handover (most defect reports), a settled owner, and a
long-standing one. Month periods follow 民法典 Art. 202: a period of N months
ends on the same day of the final month, or on that month's last day when the
day does not exist (the shared domain-rules.md §4).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Stage", "add_months", "age_on", "lifecycle_stage", "stage_handover_bounds"]

DEFAULT_RUNNING_IN_MONTHS = 12
DEFAULT_STABLE_MONTHS = 24


class Stage(models.TextChoices):
    PROSPECTIVE = "prospective", _("Prospective owner")  # 准业主
    RUNNING_IN = "running_in", _("Running-in period")  # 磨合期
    STABLE = "stable", _("Stable period")  # 稳定期
    OLD = "old", _("Long-standing owner")  # 老业主


def add_months(d: date, months: int) -> date:
    """Shift by whole months, clamping to the month end (民法典 Art. 202).

    2024-01-31 + 1 month = 2024-02-29; 2024-02-29 + 12 months = 2025-02-28.
    Negative ``months`` shift backwards with the same clamping.
    """
    month_index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last_day))


def age_on(birth_date: date, today: date) -> int:
    """Age in completed years (周岁) on ``today``.

    Convention: the birthday anniversary follows Art. 202 month-end clamping,
    so someone born on 02-29 turns a year older on 02-28 in common years (not
    on 03-01). Raises ``ValueError`` if ``today`` is before the birth date.
    """
    if today < birth_date:
        raise ValueError("today is before the birth date")
    years = today.year - birth_date.year
    if today < add_months(birth_date, 12 * years):
        years -= 1
    return years


def _check_periods(running_in_months: int, stable_months: int) -> None:
    if not 0 <= running_in_months <= stable_months:
        raise ValueError("need 0 <= running_in_months <= stable_months")


def lifecycle_stage(
    *,
    handover_date: date | None,
    today: date,
    running_in_months: int = DEFAULT_RUNNING_IN_MONTHS,
    stable_months: int = DEFAULT_STABLE_MONTHS,
) -> Stage:
    """The owner's stage on ``today``.

    No handover date, or one in the future, means prospective. The handover
    day itself is the first running-in day; each later stage starts exactly
    on ``add_months(handover_date, N)`` (period ends are exclusive).
    """
    _check_periods(running_in_months, stable_months)
    if handover_date is None or handover_date > today:
        return Stage.PROSPECTIVE
    if today < add_months(handover_date, running_in_months):
        return Stage.RUNNING_IN
    if today < add_months(handover_date, stable_months):
        return Stage.STABLE
    return Stage.OLD


def _earliest_handover_still_within(months: int, today: date) -> date:
    """Smallest handover date h with ``add_months(h, months) > today``.

    ``add_months(h, n)`` is non-decreasing in h, so the dates that are still
    inside an n-month period form an open-ended range starting here. It is
    not simply ``add_months(today, -n)``: several handover dates clamp to the
    same end (01-28..01-31 + 1 month are all 02-28 in a common year), so walk
    forward from there (at most a few days; that start is never inside).
    """
    candidate = add_months(today, -months)
    while add_months(candidate, months) <= today:
        candidate += timedelta(days=1)
    return candidate


def stage_handover_bounds(
    stage: Stage | str,
    *,
    today: date,
    running_in_months: int = DEFAULT_RUNNING_IN_MONTHS,
    stable_months: int = DEFAULT_STABLE_MONTHS,
) -> tuple[date | None, date | None]:
    """Handover-date range ``[lower, upper)`` that puts an owner in ``stage`` today.

    ``None`` means unbounded. Used to filter by stage in SQL
    (``handover_date >= lower AND handover_date < upper``). For
    ``PROSPECTIVE`` the caller must also include ``handover_date IS NULL``.
    Agrees with ``lifecycle_stage`` for every date (property-tested).
    """
    _check_periods(running_in_months, stable_months)
    tomorrow = today + timedelta(days=1)
    running_in_start = _earliest_handover_still_within(running_in_months, today)
    stable_start = _earliest_handover_still_within(stable_months, today)
    bounds: dict[str, tuple[date | None, date | None]] = {
        Stage.PROSPECTIVE: (tomorrow, None),
        Stage.RUNNING_IN: (running_in_start, tomorrow),
        Stage.STABLE: (stable_start, running_in_start),
        Stage.OLD: (None, stable_start),
    }
    try:
        return bounds[Stage(stage)]
    except ValueError:
        raise ValueError(f"unknown stage {stage!r}") from None
