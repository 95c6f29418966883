"""SLA clocks: when a milestone is due, how much of it has elapsed, holds, state.

Three kinds of clock, as the SLA policies of the service desk use them:

* ``WALL`` counts wall-clock minutes and runs through nights, weekends and
  holidays ("initial handling within 24 h").
* ``BUSINESS_HOURS`` counts minutes inside the business periods (by default
  08:30-12:00 and 13:30-18:00) of working days only. A clock started outside
  those periods starts counting at the next opening.
* ``WORKING_DAYS`` counts whole working days: "N working days after day D" ends
  at the end of the Nth working day after D, and D itself never counts
  (民法典 Art. 201). The end of a day is represented by **23:59:59.999999 local
  time** of that day, the last instant that is still on time: the stored due time
  shows the right date to people and in queries, and "breached" is simply
  ``now > due`` for every kind of clock.

All instants must be timezone-aware; any zone is accepted, dates are taken in
the calendar's zone (Asia/Shanghai by default), arithmetic is done in UTC, and
results come back in the calendar's zone. Durations of the two minute-based
clocks are given in minutes; working-day clocks in working days.

Deadlines that had to look at a year whose official calendar is not loaded are
computed with the Monday-to-Friday fallback and marked ``provisional`` (never a
silent guess): the order is accepted, the deadline shows as provisional, and
loading the year lets the caller recompute it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from anju.servicedesk.rules.calendar import WorkingCalendar

__all__ = [
    "DEFAULT_BUSINESS_PERIODS",
    "BusinessPeriod",
    "ClockKind",
    "Deadline",
    "MilestoneState",
    "MilestoneStatus",
    "due_at",
    "elapsed",
    "milestone_state",
    "normalize_periods",
    "shift_for_pause",
]

_MINUTE = timedelta(minutes=1)
_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
# A business-hours clock that finds no open time for ten years is misconfigured
# (e.g. every day amended off); fail loudly instead of looping forever.
_MAX_WALK_DAYS = 3660


class ClockKind(StrEnum):
    WALL = "wall"
    BUSINESS_HOURS = "business_hours"
    WORKING_DAYS = "working_days"


# --- business periods ---------------------------------------------------------

_PERIOD_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013\u2014~]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, order=True)
class BusinessPeriod:
    """One opening period of a working day, ``[start, end)`` in local time."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("business periods are local times without a time zone")
        if not self.start < self.end:
            raise ValueError(f"a business period must end after it starts: {self}")

    @classmethod
    def parse(cls, text: str) -> BusinessPeriod:
        """Read ``"08:30-12:00"`` (also with an en or em dash, or ``~``), as admins type it."""
        match = _PERIOD_RE.match(text)
        if match is None:
            raise ValueError(f"not a period like 08:30-12:00: {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return cls(time(h1, m1), time(h2, m2))

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_BUSINESS_PERIODS: tuple[BusinessPeriod, ...] = (
    BusinessPeriod(time(8, 30), time(12, 0)),
    BusinessPeriod(time(13, 30), time(18, 0)),
)


def normalize_periods(periods: Iterable[BusinessPeriod]) -> tuple[BusinessPeriod, ...]:
    """Sorted periods; rejects an empty day and overlaps (touching periods are fine)."""
    ordered = tuple(sorted(periods))
    if not ordered:
        raise ValueError("a business day needs at least one period")
    for earlier, later in pairwise(ordered):
        if later.start < earlier.end:
            raise ValueError(f"business periods overlap: {earlier} and {later}")
    return ordered


# --- values returned -----------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A due instant, and whether it rests on a guessed (unloaded) calendar year."""

    at: datetime
    provisional: bool = False


MilestoneState = Literal["running", "at_risk", "met", "breached", "cancelled"]


class MilestoneStatus(NamedTuple):
    """State of one milestone and a non-negative wall-clock ``delta``.

    ``delta`` is the time left (running, at_risk), the margin by which it was met
    (met), or how much it is or was overdue (breached); zero when cancelled.
    """

    state: MilestoneState
    delta: timedelta


# --- the open time of a clock, day by day -------------------------------------


def _require_aware(**instants: datetime) -> None:
    for name, value in instants.items():
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")


def _instant(d: date, t: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, t, tzinfo=tz).astimezone(UTC)


def _end_of_day(d: date, tz: ZoneInfo) -> datetime:
    """The last on-time instant of local day ``d`` (stands for 24:00)."""
    return datetime.combine(d, time.max, tzinfo=tz)


class _Schedule:
    """The open intervals of a business-hours or working-days clock.

    ``strict`` schedules raise ``YearNotLoaded`` for unloaded years; the others
    use the Monday-to-Friday fallback and remember in ``provisional`` that they
    did, so whatever is computed from them can be flagged.
    """

    def __init__(
        self,
        kind: ClockKind,
        calendar: WorkingCalendar,
        periods: Sequence[BusinessPeriod],
        *,
        strict: bool,
    ) -> None:
        self.kind = kind
        self.calendar = calendar
        self.tz = calendar.tz
        self.periods = normalize_periods(periods)
        self.strict = strict
        self.provisional = False

    def is_workday(self, d: date) -> bool:
        if self.strict:
            return self.calendar.is_workday(d)
        workday, guessed = self.calendar.is_workday_provisional(d)
        self.provisional = self.provisional or guessed
        return workday

    def intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """Open ``[start, end)`` intervals (UTC) of local day ``d``."""
        if not self.is_workday(d):
            return []
        if self.kind is ClockKind.WORKING_DAYS:
            return [(_instant(d, time(), self.tz), _instant(d + _ONE_DAY, time(), self.tz))]
        return [(_instant(d, p.start, self.tz), _instant(d, p.end, self.tz)) for p in self.periods]

    def local_date(self, t: datetime) -> date:
        return t.astimezone(self.tz).date()

    def measure(self, a: datetime, b: datetime) -> timedelta:
        """Open time within ``[a, b)``."""
        total = timedelta()
        if b <= a:
            return total
        # ``b`` is excluded: a span ending at midnight does not consult the next day
        d, last = self.local_date(a), self.local_date(b - _TICK)
        while d <= last:
            for lo, hi in self.intervals(d):
                overlap = min(hi, b) - max(lo, a)
                if overlap > timedelta():
                    total += overlap
            d += _ONE_DAY
        return total

    def advance(self, t: datetime, amount: timedelta) -> datetime:
        """The earliest instant at which ``amount`` of open time has passed since ``t``."""
        if amount <= timedelta():
            return t
        remaining = amount
        d = self.local_date(t)
        for _ in range(_MAX_WALK_DAYS):
            for lo, hi in self.intervals(d):
                if hi <= t:
                    continue
                begin = max(lo, t)
                if remaining <= hi - begin:
                    return begin + remaining
                remaining -= hi - begin
            d += _ONE_DAY
        raise ValueError("no open time found within ten years; check the calendar amendments")


def _check_minutes_or_days(amount: int) -> None:
    if amount < 0:
        raise ValueError("a clock amount must not be negative")


# --- public functions ------------------------------------------------------------


def due_at(
    kind: ClockKind | str,
    start: datetime,
    amount: int,
    calendar: WorkingCalendar,
    business_periods: Sequence[BusinessPeriod] = DEFAULT_BUSINESS_PERIODS,
) -> Deadline:
    """When a milestone of ``amount`` (minutes, or working days) started at ``start`` is due.

    Never raises for an unloaded year: the deadline comes back ``provisional``.
    """
    kind = ClockKind(kind)
    _require_aware(start=start)
    _check_minutes_or_days(amount)
    tz = calendar.tz
    if kind is ClockKind.WALL:
        return Deadline((start.astimezone(UTC) + amount * _MINUTE).astimezone(tz))
    if kind is ClockKind.WORKING_DAYS:
        last_day, provisional = calendar.add_working_days_provisional(
            start.astimezone(tz).date(), amount
        )
        return Deadline(_end_of_day(last_day, tz), provisional)
    schedule = _Schedule(kind, calendar, business_periods, strict=False)
    at = schedule.advance(start.astimezone(UTC), amount * _MINUTE)
    return Deadline(at.astimezone(tz), schedule.provisional)


def elapsed(
    kind: ClockKind | str,
    start: datetime,
    now: datetime,
    calendar: WorkingCalendar,
    business_periods: Sequence[BusinessPeriod] = DEFAULT_BUSINESS_PERIODS,
    *,
    provisional: bool = False,
) -> float:
    """Clock time from ``start`` to ``now`` in the clock's own unit; 0 if ``now <= start``.

    Minutes for wall and business-hours clocks. For working-day clocks: the
    working days after the start day that have passed, the current one as a
    fraction (a day's 23:59:59.999999 counts as its end), so ``elapsed(start,
    due_at(start, n).at) == n``. Raises ``YearNotLoaded`` for an unloaded year
    unless ``provisional`` asks for the Monday-to-Friday fallback.
    """
    kind = ClockKind(kind)
    _require_aware(start=start, now=now)
    a, b = start.astimezone(UTC), now.astimezone(UTC)
    if b <= a:
        return 0.0
    if kind is ClockKind.WALL:
        return (b - a) / _MINUTE
    schedule = _Schedule(kind, calendar, business_periods, strict=not provisional)
    if kind is ClockKind.BUSINESS_HOURS:
        return schedule.measure(a, b) / _MINUTE
    return _elapsed_working_days(schedule, a, b)


def _elapsed_working_days(schedule: _Schedule, start: datetime, now: datetime) -> float:
    return float(_working_days_in(schedule, schedule.local_date(start), start, now))


def _closing(t: datetime, tz: ZoneInfo) -> datetime:
    """23:59:59.999999 local stands for the following midnight (it closes its day)."""
    return t + _TICK if t.astimezone(tz).time() == time.max else t


def _working_days_in(schedule: _Schedule, start_day: date, a: datetime, b: datetime) -> Fraction:
    """Working time in ``[a, b)`` in working days, the days up to ``start_day`` left out.

    Each working day after ``start_day`` counts the share of its local midnight-to-midnight
    that lies in the span: the one measure of a working-day clock, used for the time
    elapsed and the time held. Exact (fractions of microseconds), so spans add up exactly.
    """
    a, b = _closing(a, schedule.tz), _closing(b, schedule.tz)
    total = Fraction(0)
    if b <= a:
        return total
    d, last = max(schedule.local_date(a), start_day + _ONE_DAY), schedule.local_date(b - _TICK)
    while d <= last:
        for lo, hi in schedule.intervals(d):
            overlap = min(hi, b) - max(lo, a)
            if overlap > timedelta():
                total += Fraction(overlap // _TICK, (hi - lo) // _TICK)
        d += _ONE_DAY
    return total


def _whole_days(held: Fraction) -> int:
    """Working days held, rounded half up: half a working day or more counts as one."""
    return math.floor(held + Fraction(1, 2))


def shift_for_pause(
    kind: ClockKind | str,
    due: Deadline | datetime,
    paused_from: datetime,
    paused_to: datetime,
    calendar: WorkingCalendar,
    business_periods: Sequence[BusinessPeriod] = DEFAULT_BUSINESS_PERIODS,
    *,
    start: datetime | None = None,
    earlier_holds: Iterable[tuple[datetime, datetime]] = (),
) -> Deadline:
    """The due time after a hold from ``paused_from`` to ``paused_to`` (resume).

    The due time moves by the paused span measured in the clock's own units:
    wall time for wall clocks; business time for business-hours clocks (a hold
    over a weekend or a holiday block moves nothing).

    Working-day clocks keep their due time at the end of a working day, so they
    move by whole working days: the working time held, measured as ``elapsed``
    measures it (each working day after the start day of the clock, ``start``,
    counts the share of it held; non-working days and the start day count
    nothing), is added up over the milestone's holds (``earlier_holds``, the
    finished ones before this) and rounded half up, and this hold moves the due
    time by what it adds to that rounded total. So a hold of less than half a
    working day in all costs nothing (a two-minute hold over midnight), a hold
    over most of a working day costs one, and two consecutive holds move the due
    time exactly as much as one hold over both.

    A provisional ``due`` stays provisional, and so does one whose shift had to
    look at an unloaded year (Monday-to-Friday fallback).
    """
    kind = ClockKind(kind)
    deadline = due if isinstance(due, Deadline) else Deadline(due)
    _require_aware(due=deadline.at, paused_from=paused_from, paused_to=paused_to)
    if paused_to < paused_from:
        raise ValueError("a hold cannot end before it starts")
    tz = calendar.tz
    begin, end = paused_from.astimezone(UTC), paused_to.astimezone(UTC)
    due_utc = deadline.at.astimezone(UTC)
    if kind is ClockKind.WALL:
        return Deadline((due_utc + (end - begin)).astimezone(tz), deadline.provisional)
    schedule = _Schedule(kind, calendar, business_periods, strict=False)
    if kind is ClockKind.BUSINESS_HOURS:
        at = schedule.advance(due_utc, schedule.measure(begin, end))
        return Deadline(at.astimezone(tz), deadline.provisional or schedule.provisional)
    if start is None:
        raise ValueError("a working-day hold is measured from the clock's start")
    _require_aware(start=start)
    start_day = schedule.local_date(start)
    before = sum(
        (_working_days_in(schedule, start_day, a, b) for a, b in earlier_holds), Fraction(0)
    )
    held = _working_days_in(schedule, start_day, begin, end)
    days = _whole_days(before + held) - _whole_days(before)
    local_due = deadline.at.astimezone(tz)
    new_day, guessed = calendar.add_working_days_provisional(local_due.date(), days)
    provisional = deadline.provisional or schedule.provisional or guessed
    return Deadline(datetime.combine(new_day, local_due.timetz()), provisional)


def milestone_state(
    due: datetime,
    at_risk_at: datetime,
    now: datetime,
    met_at: datetime | None = None,
    *,
    paused_since: datetime | None = None,
    cancelled: bool = False,
    cancelled_at: datetime | None = None,
    breached_at: datetime | None = None,
) -> MilestoneStatus:
    """Running, at risk, met, breached or cancelled, and by how much (wall time).

    The state is read off the milestone's stored instants, the due time and the
    at-risk time (computed in the clock's own units and moved by every hold), and
    nothing else: the breach sweep, the at-risk warnings and the queue tabs read
    the same two instants, so the order page and the API never disagree with them.

    * Met at or before ``due``: met; met later: breached by the lateness.
    * Cancelled (the order was closed or merged) while unmet: breached if its clock
      had stopped after ``due`` (the hold it was in, else ``cancelled_at`` when
      known, else ``breached_at``, the sweep's mark, a lower bound), by how much it
      was then overdue; otherwise just cancelled. A cancellation does not hide a
      breach.
    * Otherwise breached once ``now > due``, at risk from ``at_risk_at`` on. While
      on hold (``paused_since``) the clock is read at the moment the hold began,
      since the stored instants move only when the hold ends: a held milestone
      neither drifts into risk nor breaches.
    """
    _require_aware(due=due, at_risk_at=at_risk_at, now=now)
    if met_at is not None:
        _require_aware(met_at=met_at)
        if met_at <= due:
            return MilestoneStatus("met", due - met_at)
        return MilestoneStatus("breached", met_at - due)
    if paused_since is not None:
        _require_aware(paused_since=paused_since)
    if cancelled:
        stopped = paused_since or cancelled_at or breached_at
        if stopped is not None and stopped > due:
            return MilestoneStatus("breached", stopped - due)
        return MilestoneStatus("cancelled", timedelta())
    if paused_since is not None:
        now = min(now, paused_since)
    if now > due:
        return MilestoneStatus("breached", now - due)
    state: MilestoneState = "at_risk" if now >= at_risk_at else "running"
    return MilestoneStatus(state, due - now)
