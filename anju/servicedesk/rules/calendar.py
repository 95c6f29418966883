"""The working-day calendar: the official Chinese calendar plus company amendments.

A working day is Monday to Friday, minus the public holidays, plus the make-up
working weekends (调休) that the State Council publishes for each year; on top of
that the company may give extra days off or declare extra working days.

The State Council publishes a year's arrangement only a few weeks before the year
starts, so the calendar knows which years are *loaded* and refuses to answer for
any other year (``YearNotLoaded``) instead of silently assuming Monday to Friday.
The one deliberate exception is the ``*_provisional`` family, used to give a work
order a deadline that is visibly marked provisional until the year is loaded.

Periods follow 民法典 Art. 201: the starting day is not counted, so "N working
days after D" is the Nth working day strictly after D.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "SHANGHAI",
    "WorkingCalendar",
    "YearCalendar",
    "YearNotLoaded",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class YearNotLoaded(LookupError):
    """Working-day arithmetic reached a year whose official arrangement is not loaded.

    Raised rather than guessing Monday to Friday: a wrong guess around Spring
    Festival or National Day moves a deadline by a week. ``year`` tells the
    caller which notice an administrator has to load.
    """

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"The working calendar for {year} is not loaded; load the State Council "
            f"arrangement for {year} before computing working days in it."
        )


def _require_plain_date(d: date) -> None:
    """Reject datetimes: a working day is a local date, and an instant must first be
    converted to the calendar's time zone, or 23:30 UTC lands on the wrong day."""
    if isinstance(d, datetime):
        raise TypeError("pass a local date, not a datetime; convert the instant to the calendar tz")


@dataclass(frozen=True)
class YearCalendar:
    """One year's official arrangement, as published, with where it came from.

    ``holidays`` are the days off of the holiday blocks (they may include the
    weekend days inside a block); ``makeup_workdays`` are the weekend days that
    became working days. ``source`` names the notice or package so administrators
    can check what a deadline was computed from.
    """

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        holidays = frozenset(self.holidays)
        makeup = frozenset(self.makeup_workdays)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "makeup_workdays", makeup)
        for d in holidays | makeup:
            _require_plain_date(d)
            if d.year != self.year:
                raise ValueError(f"{d.isoformat()} does not belong to the {self.year} calendar")
        both = holidays & makeup
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"days both off and make-up working days: {days}")
        if not self.source.strip():
            raise ValueError("a year calendar needs a source (notice or package)")

    def is_official_workday(self, d: date) -> bool:
        """Monday to Friday, minus holidays, plus make-up days (no company amendments)."""
        if d in self.makeup_workdays:
            return True
        return d.weekday() < _SATURDAY and d not in self.holidays


class WorkingCalendar:
    """Loaded official years plus company-wide amendments, in one local time zone.

    Amendments win over the official arrangement (the company may work on an
    official day off or close on an official working day), but they never make an
    unloaded year answerable: the official part of that year is still unknown.
    ``tz`` is the zone in which an instant is turned into a calendar date.
    """

    __slots__ = ("_years", "extra_days_off", "extra_workdays", "tz")

    def __init__(
        self,
        years: Mapping[int, YearCalendar],
        extra_days_off: Iterable[date] = frozenset(),
        extra_workdays: Iterable[date] = frozenset(),
        tz: ZoneInfo = SHANGHAI,
    ) -> None:
        for key, year_calendar in years.items():
            if key != year_calendar.year:
                raise ValueError(f"key {key} holds the calendar of {year_calendar.year}")
        off = frozenset(extra_days_off)
        work = frozenset(extra_workdays)
        for d in off | work:
            _require_plain_date(d)
        if off & work:
            days = ", ".join(sorted(d.isoformat() for d in off & work))
            raise ValueError(f"days both extra off and extra working: {days}")
        self._years: Mapping[int, YearCalendar] = MappingProxyType(dict(years))
        self.extra_days_off: frozenset[date] = off
        self.extra_workdays: frozenset[date] = work
        self.tz = tz

    @classmethod
    def of(
        cls,
        *year_calendars: YearCalendar,
        extra_days_off: Iterable[date] = frozenset(),
        extra_workdays: Iterable[date] = frozenset(),
        tz: ZoneInfo = SHANGHAI,
    ) -> WorkingCalendar:
        """Build from year calendars without spelling out the mapping."""
        years = {yc.year: yc for yc in year_calendars}
        if len(years) != len(year_calendars):
            raise ValueError("the same year was given twice")
        return cls(years, extra_days_off, extra_workdays, tz)

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(years={self.loaded_years}, extra_days_off={len(self.extra_days_off)},"
            f" extra_workdays={len(self.extra_workdays)}, tz={self.tz.key})"
        )

    @property
    def years(self) -> Mapping[int, YearCalendar]:
        return self._years

    @property
    def loaded_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._years))

    def is_loaded(self, year: int) -> bool:
        return year in self._years

    def with_year(self, year_calendar: YearCalendar) -> WorkingCalendar:
        """A copy with one year added or replaced (e.g. a newly published notice)."""
        years = {**self._years, year_calendar.year: year_calendar}
        return WorkingCalendar(years, self.extra_days_off, self.extra_workdays, self.tz)

    # --- single days ---------------------------------------------------------

    def _amended(self, d: date, official: bool) -> bool:
        if d in self.extra_days_off:
            return False
        if d in self.extra_workdays:
            return True
        return official

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day; raises ``YearNotLoaded`` for unknown years."""
        _require_plain_date(d)
        year_calendar = self._years.get(d.year)
        if year_calendar is None:
            raise YearNotLoaded(d.year)
        return self._amended(d, year_calendar.is_official_workday(d))

    def is_workday_provisional(self, d: date) -> tuple[bool, bool]:
        """``(is_workday, provisional)`` without raising.

        For an unloaded year the official part falls back to Monday to Friday
        (company amendments still apply) and ``provisional`` is True, so the
        caller can mark whatever it derives as provisional.
        """
        _require_plain_date(d)
        year_calendar = self._years.get(d.year)
        if year_calendar is None:
            return self._amended(d, d.weekday() < _SATURDAY), True
        return self._amended(d, year_calendar.is_official_workday(d)), False

    # --- arithmetic ----------------------------------------------------------

    def add_working_days(self, d: date, n: int) -> date:
        """The Nth working day after ``d``; ``d`` itself never counts (民法典 Art. 201).

        ``n == 0`` returns ``d`` ("zero working days after D" ends on D). Raises
        ``YearNotLoaded`` as soon as the walk needs a day of an unloaded year.
        """
        _check_count(n)
        current = d
        remaining = n
        while remaining:
            current += _ONE_DAY
            if self.is_workday(current):
                remaining -= 1
        return current

    def add_working_days_provisional(self, d: date, n: int) -> tuple[date, bool]:
        """Like ``add_working_days`` but never raises; for provisional deadlines.

        Days of unloaded years count as Monday to Friday (plus amendments), and the
        flag is True whenever the walk crossed such a day.
        """
        _check_count(n)
        current = d
        remaining = n
        provisional = False
        while remaining:
            current += _ONE_DAY
            workday, guessed = self.is_workday_provisional(current)
            provisional = provisional or guessed
            if workday:
                remaining -= 1
        return current, provisional

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]`` (start day not counted, end day counted).

        The inverse of ``add_working_days``: ``working_days_between(d,
        add_working_days(d, n)) == n``. For ``b < a`` the count of ``(b, a]`` is
        returned negated.
        """
        _require_plain_date(a)
        _require_plain_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        current = a + _ONE_DAY
        while current <= b:
            count += self.is_workday(current)
            current += _ONE_DAY
        return count

    def working_days_in_year(self, year: int) -> int:
        """Number of working days in a loaded year (2024: 251 before amendments)."""
        return self.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError("the number of working days must not be negative")
