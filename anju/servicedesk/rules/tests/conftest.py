"""Hand-typed official calendars 2024-2026 and the calendar fixtures built from them.

The tables are typed from the shared domain-rules.md §1 (the State Council notices),
independently of the ``chinesecalendar`` package, so the rules are tested against
the notices and the package is then checked against the same tables. Nothing here
needs Django or the package.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from anju.servicedesk.rules.calendar import WorkingCalendar, YearCalendar

SOURCE = "hand-typed from domain-rules.md §1 (State Council notices)"


def days(first: str, last: str | None = None) -> set[date]:
    """Every date from ``first`` to ``last`` inclusive (ISO strings)."""
    start = date.fromisoformat(first)
    end = date.fromisoformat(last) if last else start
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


# (holiday blocks, make-up working days) per year, exactly as the notices list them.
OFFICIAL_TABLES: dict[int, tuple[set[date], set[date]]] = {
    2024: (
        days("2024-01-01")  # 元旦 (with the weekend of 2023)
        | days("2024-02-10", "2024-02-17")  # 春节; 除夕 02-09 is a working day
        | days("2024-04-04", "2024-04-06")  # 清明
        | days("2024-05-01", "2024-05-05")  # 劳动节
        | days("2024-06-10")  # 端午 (with the weekend)
        | days("2024-09-15", "2024-09-17")  # 中秋
        | days("2024-10-01", "2024-10-07"),  # 国庆
        days("2024-02-04")
        | days("2024-02-18")
        | days("2024-04-07")
        | days("2024-04-28")
        | days("2024-05-11")
        | days("2024-09-14")
        | days("2024-09-29")
        | days("2024-10-12"),
    ),
    2025: (
        days("2025-01-01")  # 元旦, a Wednesday: one day, no 调休
        | days("2025-01-28", "2025-02-04")  # 春节 from 除夕
        | days("2025-04-04", "2025-04-06")  # 清明
        | days("2025-05-01", "2025-05-05")  # 劳动节
        | days("2025-05-31", "2025-06-02")  # 端午
        | days("2025-10-01", "2025-10-08"),  # 国庆 + 中秋 (10-06)
        days("2025-01-26")
        | days("2025-02-08")
        | days("2025-04-27")
        | days("2025-09-28")
        | days("2025-10-11"),
    ),
    2026: (
        days("2026-01-01", "2026-01-03")  # 元旦
        | days("2026-02-15", "2026-02-23")  # 春节, 9 days
        | days("2026-04-04", "2026-04-06")  # 清明
        | days("2026-05-01", "2026-05-05")  # 劳动节
        | days("2026-06-19", "2026-06-21")  # 端午
        | days("2026-09-25", "2026-09-27")  # 中秋
        | days("2026-10-01", "2026-10-07"),  # 国庆
        days("2026-01-04")
        | days("2026-02-14")
        | days("2026-02-28")
        | days("2026-05-09")
        | days("2026-09-20")
        | days("2026-10-10"),
    ),
}

WORKING_DAYS_PER_YEAR = {2024: 251, 2025: 248, 2026: 248}


def hand_year(year: int) -> YearCalendar:
    holidays, makeup = OFFICIAL_TABLES[year]
    return YearCalendar(year, frozenset(holidays), frozenset(makeup), SOURCE)


def hand_calendar(**amendments: frozenset[date]) -> WorkingCalendar:
    """2024-2026 from the hand tables; 2023 and 2027 are deliberately not loaded."""
    return WorkingCalendar.of(*(hand_year(y) for y in OFFICIAL_TABLES), **amendments)


@pytest.fixture(scope="session")
def cal() -> WorkingCalendar:
    return hand_calendar()
