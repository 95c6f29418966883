"""The working-day calendar: official tables, Art. 201 arithmetic, unloaded years, amendments."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.servicedesk.rules.calendar import WorkingCalendar, YearCalendar, YearNotLoaded
from anju.servicedesk.rules.tests.conftest import (
    OFFICIAL_TABLES,
    WORKING_DAYS_PER_YEAR,
    hand_calendar,
    hand_year,
)

FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2026, 12, 31)
ALL_DAYS = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
HOLIDAYS = sorted(d for holidays, _ in OFFICIAL_TABLES.values() for d in holidays)
MAKEUP_DAYS = sorted(d for _, makeup in OFFICIAL_TABLES.values() for d in makeup)

D = date.fromisoformat


# --- the official tables themselves -------------------------------------------------


@pytest.mark.parametrize("day", MAKEUP_DAYS, ids=str)
def test_every_makeup_day_is_a_weekend_day_that_becomes_a_workday(cal, day):
    # given a make-up day (调休) from the notices
    # then it falls on a Saturday or Sunday and is a working day
    assert day.weekday() >= 5
    assert cal.is_workday(day)


@pytest.mark.parametrize("day", HOLIDAYS, ids=str)
def test_every_holiday_is_a_day_off(cal, day):
    # given a day of a holiday block, when asked, then it is off
    assert not cal.is_workday(day)


@pytest.mark.parametrize(("year", "expected"), sorted(WORKING_DAYS_PER_YEAR.items()))
def test_working_days_per_year(cal, year, expected):
    # when the working days of a year are counted, then they match domain-rules §1
    assert cal.working_days_in_year(year) == expected


def test_ordinary_days_follow_monday_to_friday(cal):
    # given every day 2024-2026 that is neither a holiday nor a make-up day
    special = set(HOLIDAYS) | set(MAKEUP_DAYS)
    ordinary = [d for d in ALL_DAYS if d not in special]
    # then it is a working day exactly when it is Monday to Friday
    assert [d for d in ordinary if cal.is_workday(d) != (d.weekday() < 5)] == []


# --- Art. 201 arithmetic over year ends and holiday blocks ---------------------------

ADD_CASES = [
    # year ends
    ("2024-12-31", 1, "2025-01-02", "元旦 2025 is a Wednesday, one day off"),
    ("2025-12-31", 1, "2026-01-04", "01-01..01-03 off, Sunday 01-04 is a make-up day"),
    ("2025-12-30", 2, "2026-01-04", "12-31 counts, then the make-up Sunday"),
    ("2026-01-04", 1, "2026-01-05", "from the make-up Sunday to Monday"),
    ("2023-12-31", 1, "2024-01-02", "the start day's year need not be loaded"),
    ("2026-12-30", 1, "2026-12-31", "last loaded day"),
    # Spring Festival 2026: 02-14 Sat works, 02-15..02-23 off, 02-28 Sat works
    ("2026-02-13", 1, "2026-02-14", "make-up Saturday before the block"),
    ("2026-02-13", 2, "2026-02-24", "the nine-day block is skipped"),
    ("2026-02-14", 1, "2026-02-24", "from the make-up Saturday over the block"),
    ("2026-02-27", 1, "2026-02-28", "make-up Saturday after the block"),
    ("2026-02-27", 2, "2026-03-02", "then the ordinary Monday"),
    # Spring Festival 2025 and 2024
    ("2025-01-24", 1, "2025-01-26", "Sunday 01-26 is a make-up day"),
    ("2025-01-27", 1, "2025-02-05", "01-28 (除夕) .. 02-04 off"),
    ("2025-02-07", 1, "2025-02-08", "make-up Saturday"),
    ("2024-02-08", 1, "2024-02-09", "2024 除夕 was officially a working day"),
    ("2024-02-09", 1, "2024-02-18", "02-10..02-17 off, Sunday 02-18 works"),
    # National Day 2025 (merged with 中秋): 09-28 Sun and 10-11 Sat work, 10-01..10-08 off
    ("2025-09-26", 1, "2025-09-28", "make-up Sunday before the block"),
    ("2025-09-30", 1, "2025-10-09", "the eight-day block is skipped"),
    ("2025-09-30", 3, "2025-10-11", "the make-up Saturday after (= find_workday(3, 09-30))"),
    ("2025-10-08", 1, "2025-10-09", "from the last day off"),
    # leap day
    ("2024-02-28", 1, "2024-02-29", "leap day is a Thursday working day"),
    ("2024-02-29", 1, "2024-03-01", "and is followed by March 1st"),
    ("2024-02-26", 5, "2024-03-04", "a week over the leap day"),
    # n = 0
    ("2025-10-01", 0, "2025-10-01", "zero working days after D ends on D"),
]


@pytest.mark.parametrize(
    ("start", "n", "expected"), [c[:3] for c in ADD_CASES], ids=[c[3] for c in ADD_CASES]
)
def test_add_working_days(cal, start, n, expected):
    # given a start day and a count, when adding working days
    result = cal.add_working_days(D(start), n)
    # then the Nth working day after the start day is returned
    assert result == D(expected)
    # and the inverse counts the same days, with nothing guessed
    assert cal.working_days_between(D(start), result) == n
    assert cal.add_working_days_provisional(D(start), n) == (D(expected), False)


@pytest.mark.parametrize("day", sorted(OFFICIAL_TABLES[2026][0] & set(ALL_DAYS)), ids=str)
def test_from_any_2026_holiday_the_next_working_day_is_after_the_block(cal, day):
    # given a day off, when one working day is added, then a working day is reached
    result = cal.add_working_days(day, 1)
    assert cal.is_workday(result)
    assert cal.working_days_between(day, result) == 1


def test_working_days_between_counts_end_not_start(cal):
    # given National Day 2025, the interval (09-30, 10-11] holds 10-09, 10-10 and 10-11
    assert cal.working_days_between(D("2025-09-30"), D("2025-10-11")) == 3
    # reversed bounds give the negated count; equal bounds give zero
    assert cal.working_days_between(D("2025-10-11"), D("2025-09-30")) == -3
    assert cal.working_days_between(D("2025-10-11"), D("2025-10-11")) == 0


def test_negative_count_is_rejected(cal):
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(D("2025-01-02"), -1)


def test_datetimes_are_rejected_to_avoid_the_wrong_local_day(cal):
    # given an instant instead of a local date, then the calendar refuses it
    with pytest.raises(TypeError, match="local date"):
        cal.is_workday(datetime(2025, 10, 1, 12))


# --- unloaded years: never guess silently ----------------------------------------------


def test_a_2027_date_raises_year_not_loaded(cal):
    # given a calendar with 2024-2026 loaded
    assert cal.is_loaded(2026)
    assert not cal.is_loaded(2027)
    # when a 2027 day is asked for, then the missing year is named
    with pytest.raises(YearNotLoaded) as raised:
        cal.is_workday(D("2027-01-04"))
    assert raised.value.year == 2027
    assert "2027" in str(raised.value)


def test_arithmetic_into_an_unloaded_year_raises(cal):
    with pytest.raises(YearNotLoaded):
        cal.add_working_days(D("2026-12-31"), 1)
    with pytest.raises(YearNotLoaded) as raised:
        cal.add_working_days(D("2023-12-28"), 2)
    assert raised.value.year == 2023
    with pytest.raises(YearNotLoaded):
        cal.working_days_between(D("2026-12-01"), D("2027-01-31"))


def test_provisional_variant_falls_back_to_monday_to_friday_and_says_so(cal):
    # given the walk crosses into unloaded 2027
    # when the provisional variant is used
    result, provisional = cal.add_working_days_provisional(D("2026-12-31"), 3)
    # then 2027 is counted Monday to Friday (Fri 01-01, Mon 01-04, Tue 01-05) and flagged
    assert (result, provisional) == (D("2027-01-05"), True)
    assert cal.is_workday_provisional(D("2027-01-02")) == (False, True)
    assert cal.is_workday_provisional(D("2026-01-04")) == (True, False)


def test_loading_the_year_turns_a_provisional_result_into_a_definitive_one(cal):
    # given an administrator enters a (made-up) 2027 arrangement with 01-01..01-03 off
    year_2027 = YearCalendar(2027, frozenset({D("2027-01-01")}), frozenset(), "test notice")
    loaded = cal.with_year(year_2027)
    # when the same deadline is recomputed, then it is no longer provisional
    assert loaded.add_working_days_provisional(D("2026-12-31"), 3) == (D("2027-01-06"), False)
    assert loaded.add_working_days(D("2026-12-31"), 3) == D("2027-01-06")
    assert not cal.is_loaded(2027)  # the original calendar is unchanged


# --- company amendments -------------------------------------------------------------------


def test_company_extra_day_off_moves_the_deadline():
    # given the company closes on 2025-12-31 (an official working day)
    cal = hand_calendar(extra_days_off=frozenset({D("2025-12-31")}))
    # then that day is off and the next working day after 12-30 is the make-up Sunday
    assert not cal.is_workday(D("2025-12-31"))
    assert cal.add_working_days(D("2025-12-30"), 1) == D("2026-01-04")
    assert cal.working_days_in_year(2025) == 247


def test_company_extra_workday_counts():
    # given the company works on 2025-10-08 (official holiday)
    cal = hand_calendar(extra_workdays=frozenset({D("2025-10-08")}))
    # then one working day after 09-30 is 10-08
    assert cal.add_working_days(D("2025-09-30"), 1) == D("2025-10-08")


def test_amendments_do_not_make_an_unloaded_year_answerable():
    # given an extra day off in unloaded 2027
    cal = hand_calendar(extra_days_off=frozenset({D("2027-01-04")}))
    # then strict questions still raise, and the provisional answer applies the amendment
    with pytest.raises(YearNotLoaded):
        cal.is_workday(D("2027-01-04"))
    assert cal.is_workday_provisional(D("2027-01-04")) == (False, True)
    assert cal.add_working_days_provisional(D("2026-12-31"), 2) == (D("2027-01-05"), True)


def test_a_day_cannot_be_both_extra_off_and_extra_working():
    with pytest.raises(ValueError, match="both"):
        hand_calendar(
            extra_days_off=frozenset({D("2025-05-06")}),
            extra_workdays=frozenset({D("2025-05-06")}),
        )


# --- validation of year calendars -------------------------------------------------------------


@pytest.mark.parametrize(
    ("holidays", "makeup", "source", "message"),
    [
        ({D("2024-12-31")}, set(), "notice", "does not belong"),
        (set(), {D("2026-01-04")}, "notice", "does not belong"),
        ({D("2025-10-01")}, {D("2025-10-01")}, "notice", "both"),
        (set(), set(), "  ", "source"),
    ],
)
def test_year_calendar_validation(holidays, makeup, source, message):
    with pytest.raises(ValueError, match=message):
        YearCalendar(2025, frozenset(holidays), frozenset(makeup), source)


def test_calendar_keys_must_match_years_and_be_unique():
    with pytest.raises(ValueError, match="key"):
        WorkingCalendar({2025: hand_year(2024)})
    with pytest.raises(ValueError, match="twice"):
        WorkingCalendar.of(hand_year(2024), hand_year(2024))


# --- properties ---------------------------------------------------------------------------------

# Start days leave room for 40 working days inside the loaded years.
start_days = st.dates(min_value=date(2023, 12, 31), max_value=date(2026, 10, 15))
counts = st.integers(min_value=0, max_value=40)
CAL = hand_calendar()


@settings(max_examples=200, deadline=None)
@given(start_days, counts)
def test_property_result_is_a_workday_with_exactly_n_workdays_in_between(d, n):
    # when n working days are added
    result = CAL.add_working_days(d, n)
    # then the result is a working day (unless n == 0) and (d, result] holds exactly n of them
    days = [d + timedelta(days=i) for i in range(1, (result - d).days + 1)]
    assert sum(CAL.is_workday(x) for x in days) == n
    if n:
        assert CAL.is_workday(result)
    else:
        assert result == d
    assert CAL.add_working_days_provisional(d, n) == (result, False)


@settings(max_examples=100, deadline=None)
@given(start_days, counts, counts)
def test_property_monotonic_in_n(d, n1, n2):
    low, high = sorted((n1, n2))
    if low < high:
        assert CAL.add_working_days(d, low) < CAL.add_working_days(d, high)
    else:
        assert CAL.add_working_days(d, low) == CAL.add_working_days(d, high)


@settings(max_examples=100, deadline=None)
@given(start_days, start_days, counts)
def test_property_monotonic_in_start_day(d1, d2, n):
    early, late = sorted((d1, d2))
    assert CAL.add_working_days(early, n) <= CAL.add_working_days(late, n)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2026, 10, 1), max_value=date(2026, 12, 31)), counts)
def test_property_provisional_exactly_when_the_walk_enters_2027(d, n):
    result, provisional = CAL.add_working_days_provisional(d, n)
    assert provisional == (result.year == 2027)
    if not provisional:
        assert CAL.add_working_days(d, n) == result


# --- the package loader (needs chinesecalendar) ---------------------------------------------------


@pytest.fixture(scope="module")
def package():
    import chinese_calendar  # a pinned requirement: a missing package must fail, not skip

    return chinese_calendar


@pytest.fixture(scope="module")
def official(package):
    from anju.servicedesk.rules.official_calendar import official_working_calendar

    return official_working_calendar()


@pytest.mark.parametrize("year", sorted(OFFICIAL_TABLES))
def test_package_year_equals_the_hand_typed_notice(package, year):
    from anju.servicedesk.rules.official_calendar import official_year

    # given the year loaded from the package, then it lists the same days as the notice
    loaded = official_year(year)
    holidays, makeup = OFFICIAL_TABLES[year]
    assert loaded.holidays == holidays
    assert loaded.makeup_workdays == makeup
    assert "chinesecalendar" in loaded.source


def test_package_and_hand_tables_agree_on_every_day_2024_to_2026(package, official):
    # given the hand-typed calendar and the one built from the package
    hand = hand_calendar()
    # then not a single day from 2024-01-01 to 2026-12-31 differs, nor from the package itself
    mismatches = [
        d
        for d in ALL_DAYS
        if not hand.is_workday(d) == official.is_workday(d) == package.is_workday(d)
    ]
    assert mismatches == []
    assert [official.working_days_in_year(y) for y in (2024, 2025, 2026)] == [251, 248, 248]


def test_loader_reproduces_the_package_for_every_year_it_has(package, official):
    # given all years 2004-2026, then our reading of the data equals the package's answer
    first, last = date(2004, 1, 1), date(2026, 12, 31)
    every_day = (first + timedelta(days=i) for i in range((last - first).days + 1))
    assert [d for d in every_day if official.is_workday(d) != package.is_workday(d)] == []
    assert official.loaded_years == tuple(range(2004, 2027))


@pytest.mark.parametrize("year", [2003, 2027])
def test_loader_refuses_years_the_package_lacks(package, year):
    from anju.servicedesk.rules.official_calendar import OfficialYearUnavailable, official_year

    with pytest.raises(OfficialYearUnavailable, match=f"2004-2026 only, not for {year}"):
        official_year(year)


def test_package_find_workday_counts_a_non_working_start_day_differently(package):
    # given a Sunday start before a holiday (2023-12-31, 2024-01-01 off)
    # then Art. 201 gives 01-02, but find_workday(1, d) first moves to the next
    # working day and counts from there: it only agrees when d is a working day
    cal = hand_calendar()
    assert cal.add_working_days(D("2023-12-31"), 1) == D("2024-01-02")
    assert package.find_workday(1, D("2023-12-31")) == D("2024-01-03")


@settings(max_examples=100, deadline=None)
@given(start_days, st.integers(min_value=1, max_value=40))
def test_property_add_working_days_matches_package_find_workday(d, n):
    import chinese_calendar as package

    # given find_workday's rule "first working day on or after d, then n more"
    offset = n if package.is_workday(d) else n - 1
    # then it lands on the same day as Art. 201 counting
    assert CAL.add_working_days(d, n) == package.find_workday(offset, d)
