"""Official years loaded from the ``chinesecalendar`` package (import ``chinese_calendar``).

This is the only module that imports the package, so the pure rules stay free of
third-party data and tests can feed them hand-typed tables. The package carries
the State Council arrangements for 2004 to 2026 (version 1.11.0); for any other
year it has no data, and we say so with ``OfficialYearUnavailable`` instead of
letting its ``NotImplementedError`` or a Monday-to-Friday guess leak through.
A year the package lacks (e.g. 2027 before the notice is out) has to be entered
by an administrator from the notice itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import chinese_calendar

from anju.servicedesk.rules.calendar import SHANGHAI, WorkingCalendar, YearCalendar

__all__ = [
    "OfficialYearUnavailable",
    "available_years",
    "official_working_calendar",
    "official_year",
]

PACKAGE = f"chinesecalendar {chinese_calendar.__version__}"


class OfficialYearUnavailable(LookupError):
    """The package has no arrangement for this year; it must be entered by hand."""

    def __init__(self, year: int, first: int, last: int) -> None:
        self.year = year
        super().__init__(
            f"{PACKAGE} has official holidays for {first}-{last} only, not for {year}; "
            f"enter the State Council arrangement for {year} in the working calendar."
        )


def available_years() -> range:
    """The years the installed package covers, read from its own data."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def official_year(year: int) -> YearCalendar:
    """One year's holidays and make-up working days as the package publishes them."""
    covered = available_years()
    if year not in covered:
        raise OfficialYearUnavailable(year, covered.start, covered.stop - 1)
    return YearCalendar(
        year=year,
        holidays=_days_of(chinese_calendar.holidays, year),
        makeup_workdays=_days_of(chinese_calendar.workdays, year),
        source=f"{PACKAGE} (State Council holiday notices)",
    )


def official_working_calendar(
    years: Iterable[int] | None = None,
    extra_days_off: Iterable[date] = frozenset(),
    extra_workdays: Iterable[date] = frozenset(),
) -> WorkingCalendar:
    """A working calendar with the given years (default: every year the package has)."""
    wanted = available_years() if years is None else years
    return WorkingCalendar.of(
        *(official_year(y) for y in wanted),
        extra_days_off=extra_days_off,
        extra_workdays=extra_workdays,
        tz=SHANGHAI,
    )


def _days_of(days: Iterable[date], year: int) -> frozenset[date]:
    return frozenset(d for d in days if d.year == year)
