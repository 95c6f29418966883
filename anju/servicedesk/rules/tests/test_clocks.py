"""SLA clocks: due times, elapsed time, holds and milestone state on the official calendar."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from anju.servicedesk.rules.calendar import SHANGHAI, YearNotLoaded
from anju.servicedesk.rules.clocks import (
    DEFAULT_BUSINESS_PERIODS,
    BusinessPeriod,
    ClockKind,
    Deadline,
    due_at,
    elapsed,
    milestone_state,
    normalize_periods,
    shift_for_pause,
)
from anju.servicedesk.rules.tests.conftest import hand_calendar

WALL, BUSINESS, DAYS = ClockKind.WALL, ClockKind.BUSINESS_HOURS, ClockKind.WORKING_DAYS
CAL = hand_calendar()
END = time.max  # the end-of-day convention: 23:59:59.999999 local


def sh(text: str) -> datetime:
    """A Shanghai local time from ``"2025-03-03 09:00"``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def end_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), END, tzinfo=SHANGHAI)


# --- business hours (08:30-12:00, 13:30-18:00 on working days) ---------------------------------

BUSINESS_CASES = [
    ("2025-03-03 09:00", 60, "2025-03-03 10:00", "inside the morning period"),
    ("2025-03-03 11:30", 60, "2025-03-03 14:00", "across lunch"),
    ("2025-03-03 08:30", 210, "2025-03-03 12:00", "ends at the lunch break, not after it"),
    ("2025-03-03 08:30", 211, "2025-03-03 13:31", "one minute more continues after lunch"),
    ("2025-03-03 08:30", 480, "2025-03-03 18:00", "a full business day is 8 h"),
    ("2025-03-03 08:30", 481, "2025-03-04 08:31", "and the next minute is tomorrow"),
    ("2025-03-03 17:30", 60, "2025-03-04 09:00", "across the night"),
    ("2025-03-03 07:00", 30, "2025-03-03 09:00", "before opening starts at 08:30"),
    ("2025-03-03 12:30", 30, "2025-03-03 14:00", "during lunch starts at 13:30"),
    ("2025-03-03 19:00", 30, "2025-03-04 09:00", "after closing starts next morning"),
    ("2025-03-03 23:00", 30, "2025-03-04 09:00", "start at 23:00"),
    ("2025-03-07 17:00", 120, "2025-03-10 09:30", "Friday evening over the weekend"),
    ("2025-03-08 10:00", 30, "2025-03-10 09:00", "start on a Saturday"),
    ("2025-09-30 17:00", 120, "2025-10-09 09:30", "over the National Day block"),
    ("2025-09-26 17:00", 120, "2025-09-28 09:30", "onto the make-up Sunday"),
    ("2025-10-03 10:00", 30, "2025-10-09 09:00", "start inside the holiday block"),
    ("2026-02-14 10:00", 480, "2026-02-24 10:00", "make-up Saturday, then Spring Festival"),
    ("2025-12-31 17:00", 120, "2026-01-04 09:30", "year end onto the make-up Sunday"),
    ("2024-02-28 17:00", 120, "2024-02-29 09:30", "onto the leap day"),
    ("2025-03-03 09:00", 0, "2025-03-03 09:00", "zero minutes is due at once"),
]


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [c[:3] for c in BUSINESS_CASES],
    ids=[c[3] for c in BUSINESS_CASES],
)
def test_business_hours_due(start, minutes, expected):
    # given a start and an amount of business minutes
    # when the due time is computed
    deadline = due_at(BUSINESS, sh(start), minutes, CAL)
    # then it is the expected local instant, definitive, in Shanghai time
    assert deadline == Deadline(sh(expected), provisional=False)
    assert deadline.at.tzinfo == SHANGHAI
    # and exactly that much business time lies between start and due
    assert elapsed(BUSINESS, sh(start), deadline.at, CAL) == minutes


def test_business_hours_with_custom_periods():
    # given one unbroken period 09:00-17:00 typed by an administrator
    periods = [BusinessPeriod.parse("09:00-17:00")]
    # then four hours from 15:00 run to 10:00 the next working day
    due = due_at(BUSINESS, sh("2025-03-03 15:00"), 240, CAL, periods)
    assert due.at == sh("2025-03-04 11:00")


def test_business_hours_accept_any_time_zone():
    # given the same instant in UTC and in Shanghai
    start_utc = datetime(2025, 3, 3, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
    # then the due time is the same and comes back in Shanghai time
    assert due_at(BUSINESS, start_utc, 60, CAL).at == sh("2025-03-03 14:00")
    assert due_at("business_hours", start_utc, 60, CAL).at.tzinfo == SHANGHAI


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:30-12:00", (time(8, 30), time(12))),
        (" 13:30 \u2013 18:00 ", (time(13, 30), time(18))),
        ("9:00~17:30", (time(9), time(17, 30))),
    ],
)
def test_business_period_parse(text, expected):
    assert BusinessPeriod.parse(text) == BusinessPeriod(*expected)


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([], "at least one"),
        (["08:30-12:00", "11:00-13:00"], "overlap"),
    ],
)
def test_business_periods_are_validated(periods, message):
    with pytest.raises(ValueError, match=message):
        normalize_periods(BusinessPeriod.parse(p) for p in periods)


@pytest.mark.parametrize("text", ["12:00-08:30", "12:00-12:00", "noon-18:00"])
def test_business_period_rejects_bad_text(text):
    with pytest.raises(ValueError):
        BusinessPeriod.parse(text)


def test_default_periods_are_the_seed_defaults():
    assert [str(p) for p in DEFAULT_BUSINESS_PERIODS] == ["08:30-12:00", "13:30-18:00"]


# --- wall clock -----------------------------------------------------------------------------------

WALL_CASES = [
    ("2025-09-30 20:00", 48 * 60, "2025-10-02 20:00", "runs through the holiday"),
    ("2025-03-07 17:00", 24 * 60, "2025-03-08 17:00", "runs through the weekend"),
    ("2024-02-28 22:00", 180, "2024-02-29 01:00", "onto the leap day"),
    ("2025-12-31 23:30", 60, "2026-01-01 00:30", "across the year end"),
]


@pytest.mark.parametrize(
    ("start", "minutes", "expected"), [c[:3] for c in WALL_CASES], ids=[c[3] for c in WALL_CASES]
)
def test_wall_clock_due(start, minutes, expected):
    assert due_at(WALL, sh(start), minutes, CAL) == Deadline(sh(expected))


def test_wall_clock_from_utc_comes_back_in_shanghai():
    deadline = due_at(WALL, datetime(2025, 1, 1, tzinfo=UTC), 120, CAL)
    assert deadline.at == sh("2025-01-01 10:00")
    assert deadline.at.tzinfo == SHANGHAI


# --- working days ---------------------------------------------------------------------------------

DAYS_CASES = [
    ("2025-09-30 15:00", 1, "2025-10-09", "over National Day"),
    ("2025-09-30 15:00", 3, "2025-10-11", "onto the make-up Saturday"),
    ("2025-12-31 09:00", 1, "2026-01-04", "year end onto the make-up Sunday"),
    ("2026-02-13 18:00", 2, "2026-02-24", "over Spring Festival 2026"),
    ("2024-02-28 10:00", 1, "2024-02-29", "onto the leap day"),
    ("2025-10-01 10:00", 0, "2025-10-01", "zero days ends with the start day"),
    ("2025-03-03 00:00", 1, "2025-03-04", "a start at midnight still does not count its day"),
]


@pytest.mark.parametrize(
    ("start", "n", "expected_day"), [c[:3] for c in DAYS_CASES], ids=[c[3] for c in DAYS_CASES]
)
def test_working_days_due_at_end_of_nth_working_day(start, n, expected_day):
    # when N working days are counted from a start instant
    deadline = due_at(DAYS, sh(start), n, CAL)
    # then the due time is 23:59:59.999999 of the Nth working day after the start day
    assert deadline == Deadline(end_of(expected_day), provisional=False)
    assert elapsed(DAYS, sh(start), deadline.at, CAL) == n


def test_working_days_take_the_start_day_in_shanghai():
    # given 2025-09-25 16:30 UTC, which is Friday 09-26 00:30 in Shanghai
    start = datetime(2025, 9, 25, 16, 30, tzinfo=UTC)
    # then the start day is Friday and one working day later is the make-up Sunday
    assert due_at(DAYS, start, 1, CAL).at == end_of("2025-09-28")


# --- unloaded years: provisional, never silent ----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "start", "amount", "expected", "provisional"),
    [
        (BUSINESS, "2026-12-31 17:00", 120, sh("2027-01-01 09:30"), True),
        (BUSINESS, "2026-12-31 09:00", 60, sh("2026-12-31 10:00"), False),
        (DAYS, "2026-12-30 10:00", 3, end_of("2027-01-04"), True),
        (DAYS, "2026-12-30 10:00", 1, end_of("2026-12-31"), False),
        (WALL, "2026-12-31 10:00", 3 * 24 * 60, sh("2027-01-03 10:00"), False),
    ],
)
def test_deadlines_into_an_unloaded_year_are_provisional(
    kind, start, amount, expected, provisional
):
    # given 2027 is not loaded, when a deadline reaches into it
    # then it is computed Monday to Friday and marked provisional (wall clocks never are)
    assert due_at(kind, sh(start), amount, CAL) == Deadline(expected, provisional)


@pytest.mark.parametrize("kind", [BUSINESS, DAYS])
def test_elapsed_refuses_unloaded_years_unless_asked_for_a_provisional_answer(kind):
    start, now = sh("2026-12-31 09:00"), sh("2027-01-04 12:00")
    with pytest.raises(YearNotLoaded):
        elapsed(kind, start, now, CAL)
    assert elapsed(kind, start, now, CAL, provisional=True) > 0


# --- elapsed --------------------------------------------------------------------------------------

ELAPSED_CASES = [
    (WALL, "2025-03-03 10:00", "2025-03-03 12:30", 150, "wall minutes"),
    (BUSINESS, "2025-03-03 10:00", "2025-03-03 14:00", 150, "lunch does not count"),
    (BUSINESS, "2025-03-07 17:00", "2025-03-10 09:00", 90, "the weekend does not count"),
    (BUSINESS, "2025-09-30 17:00", "2025-10-09 09:30", 120, "the holiday block does not count"),
    (BUSINESS, "2025-03-03 12:00", "2025-03-03 13:30", 0, "a lunch break only"),
    (DAYS, "2025-03-03 10:00", "2025-03-05 12:00", 1.5, "one day done, half of the next"),
    (DAYS, "2025-03-03 10:00", "2025-03-03 23:00", 0, "the start day never counts"),
    (DAYS, "2025-09-30 15:00", "2025-10-09 12:00", 0.5, "holidays do not count"),
    (DAYS, "2025-10-10 09:00", "2025-10-12 00:00", 1, "make-up Saturday counts, Sunday not"),
    (WALL, "2025-03-03 10:00", "2025-03-03 09:00", 0, "now before start"),
]


@pytest.mark.parametrize(
    ("kind", "start", "now", "expected"),
    [c[:4] for c in ELAPSED_CASES],
    ids=[c[4] for c in ELAPSED_CASES],
)
def test_elapsed_in_the_clocks_own_units(kind, start, now, expected):
    assert elapsed(kind, sh(start), sh(now), CAL) == pytest.approx(expected)


# --- hold and resume ------------------------------------------------------------------------------

MONDAY_START = sh("2025-03-03 09:00")  # a working-day clock's start: Monday 03-03 never counts
PAUSE_CASES = [
    # wall: the paused wall time, holidays included
    (WALL, sh("2025-03-03 14:00"), "2025-03-03 10:00", "2025-03-03 13:00", sh("2025-03-03 17:00")),
    (WALL, sh("2025-10-02 20:00"), "2025-09-30 20:00", "2025-10-01 20:00", sh("2025-10-03 20:00")),
    # business hours: only the paused business time moves the due time
    (
        BUSINESS,
        sh("2025-03-10 11:00"),
        "2025-03-07 17:00",
        "2025-03-10 09:00",
        sh("2025-03-10 14:00"),
    ),
    (
        BUSINESS,
        sh("2025-03-10 11:00"),
        "2025-03-07 18:00",
        "2025-03-10 08:30",
        sh("2025-03-10 11:00"),
    ),
    (
        BUSINESS,
        sh("2025-10-09 11:00"),
        "2025-09-30 18:00",
        "2025-10-09 08:30",
        sh("2025-10-09 11:00"),
    ),
    (
        BUSINESS,
        sh("2025-03-03 15:00"),
        "2025-03-03 12:00",
        "2025-03-03 13:30",
        sh("2025-03-03 15:00"),
    ),
    (
        BUSINESS,
        sh("2025-03-03 17:30"),
        "2025-03-03 09:00",
        "2025-03-03 10:00",
        sh("2025-03-04 09:00"),
    ),
    # working days (started Monday 09:00, due Friday): the working time held, in working
    # days, rounded half up
    (DAYS, end_of("2025-03-07"), "2025-03-04 16:00", "2025-03-05 10:00", end_of("2025-03-10")),
    (DAYS, end_of("2025-03-07"), "2025-03-04 09:00", "2025-03-04 17:00", end_of("2025-03-07")),
    (DAYS, end_of("2025-03-07"), "2025-03-05 00:00", "2025-03-05 12:00", end_of("2025-03-10")),
    (DAYS, end_of("2025-03-07"), "2025-03-05 00:00", "2025-03-05 11:59", end_of("2025-03-07")),
    (DAYS, end_of("2025-03-07"), "2025-03-04 23:59", "2025-03-05 00:01", end_of("2025-03-07")),
    (DAYS, end_of("2025-03-07"), "2025-03-04 00:05", "2025-03-04 23:55", end_of("2025-03-10")),
    (DAYS, end_of("2025-03-07"), "2025-03-04 00:00", "2025-03-06 00:00", end_of("2025-03-11")),
    (DAYS, end_of("2025-03-07"), "2025-03-08 10:00", "2025-03-10 00:00", end_of("2025-03-07")),
    (DAYS, end_of("2025-03-07"), "2025-03-03 10:00", "2025-03-03 23:00", end_of("2025-03-07")),
]
PAUSE_IDS = [
    "wall: three hours",
    "wall: holidays count",
    "business: Friday 17:00 to Monday 09:00 is 90 minutes",
    "business: a weekend pause shifts nothing",
    "business: a National Day pause shifts nothing",
    "business: a lunch pause shifts nothing",
    "business: the shift itself runs over the night",
    "days: an overnight hold of 18 working hours moves one day",
    "days: eight hours held (a third of a working day) move nothing",
    "days: half a working day held moves one day",
    "days: a minute less than half moves nothing",
    "days: two minutes over midnight move nothing",
    "days: a hold over almost all of a working day moves one day",
    "days: two whole working days move two days",
    "days: a weekend hold ending at Monday 00:00 moves nothing",
    "days: a hold on the start day, which the clock never counts, moves nothing",
]


@pytest.mark.parametrize(
    ("kind", "due", "paused_from", "paused_to", "expected"), PAUSE_CASES, ids=PAUSE_IDS
)
def test_resume_shifts_due_by_the_paused_span_in_clock_units(
    kind, due, paused_from, paused_to, expected
):
    # given a milestone due at ``due`` that was on hold from paused_from to paused_to
    # when it resumes
    shifted = shift_for_pause(kind, due, sh(paused_from), sh(paused_to), CAL, start=MONDAY_START)
    # then the due time moved by the paused span measured in the clock's own units
    assert shifted == Deadline(expected, provisional=False)


@pytest.mark.parametrize(
    ("start", "due", "paused_from", "paused_to", "expected"),
    [
        # the audit's case: 1 working day after Monday 06-09 is due at the end of Tuesday
        ("2025-06-09 10:00", "2025-06-10", "2025-06-10 00:05", "2025-06-10 23:55", "2025-06-11"),
        ("2025-06-09 10:00", "2025-06-10", "2025-06-09 23:59", "2025-06-10 00:01", "2025-06-10"),
        # a hold over National Day: 14 h of 09-30 and 10 h of 10-09 are one working day,
        # and the next working day after Friday 10-10 is the make-up Saturday 10-11
        ("2025-09-29 09:00", "2025-10-10", "2025-09-30 10:00", "2025-10-09 10:00", "2025-10-11"),
        # the whole make-up Sunday 09-28 held is a working day held
        ("2025-09-26 10:00", "2025-09-28", "2025-09-28 00:00", "2025-09-29 00:00", "2025-09-29"),
        # holiday days held are no working time: nothing moves
        ("2025-09-29 09:00", "2025-10-10", "2025-10-01 00:00", "2025-10-09 00:00", "2025-10-10"),
    ],
    ids=[
        "a hold over almost all of Tuesday costs Tuesday",
        "a two-minute hold over midnight costs nothing",
        "a hold over National Day moves one day, onto the make-up Saturday",
        "a make-up Sunday held is a working day held",
        "holidays held cost nothing",
    ],
)
def test_a_working_day_hold_moves_the_due_by_the_working_time_held(
    start, due, paused_from, paused_to, expected
):
    # given a working-day milestone started at ``start`` and due at the end of ``due``
    # when it resumes after a hold
    shifted = shift_for_pause(
        DAYS, end_of(due), sh(paused_from), sh(paused_to), CAL, start=sh(start)
    )
    # then it is due at the end of ``expected``, definitive
    assert shifted == Deadline(end_of(expected), provisional=False)


def test_the_working_time_of_several_holds_is_added_up_before_rounding():
    # given a clock due Friday 03-07, held Tuesday 09:00-17:00 (a third of a working day)
    due, first = end_of("2025-03-07"), (sh("2025-03-04 09:00"), sh("2025-03-04 17:00"))
    after_first = shift_for_pause(DAYS, due, *first, CAL, start=MONDAY_START)
    # then the first hold alone moves nothing
    assert after_first.at == due
    # when it is held again Wednesday 09:00-17:00 (two thirds in all)
    second = (sh("2025-03-05 09:00"), sh("2025-03-05 17:00"))
    after_second = shift_for_pause(
        DAYS, after_first, *second, CAL, start=MONDAY_START, earlier_holds=[first]
    )
    # then the second hold moves it one day: many short holds are not free
    assert after_second.at == end_of("2025-03-10")


def test_a_working_day_hold_needs_the_clocks_start():
    with pytest.raises(ValueError, match="start"):
        shift_for_pause(
            DAYS, end_of("2025-03-07"), sh("2025-03-04 09:00"), sh("2025-03-05 09:00"), CAL
        )


def test_shift_into_an_unloaded_year_is_provisional_and_stays_so():
    # given a working-day due at the end of 2026 and an overnight hold of a working day
    shifted = shift_for_pause(
        DAYS,
        end_of("2026-12-31"),
        sh("2026-12-28 10:00"),
        sh("2026-12-29 10:00"),
        CAL,
        start=sh("2026-12-25 09:00"),
    )
    # then the new due lies in unloaded 2027 and is provisional
    assert shifted == Deadline(end_of("2027-01-01"), provisional=True)
    # and an already provisional deadline stays provisional even for a wall clock
    wall = shift_for_pause(
        WALL,
        Deadline(sh("2025-03-03 12:00"), True),
        sh("2025-03-03 10:00"),
        sh("2025-03-03 11:00"),
        CAL,
    )
    assert wall == Deadline(sh("2025-03-03 13:00"), provisional=True)


def test_a_hold_measured_in_an_unloaded_year_makes_the_shift_provisional():
    # given a working-day clock due at the end of 2026-12-31, held on 2027-01-04
    # (whether that is a working day is not known until 2027 is loaded)
    shifted = shift_for_pause(
        DAYS,
        end_of("2026-12-31"),
        sh("2027-01-04 00:00"),
        sh("2027-01-04 06:00"),
        CAL,
        start=sh("2026-12-30 09:00"),
    )
    # then the due time rests on a guess and says so
    assert shifted == Deadline(end_of("2026-12-31"), provisional=True)


def test_a_hold_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        shift_for_pause(
            WALL, sh("2025-03-03 12:00"), sh("2025-03-03 11:00"), sh("2025-03-03 10:00"), CAL
        )


# --- milestone state ------------------------------------------------------------------------------

START, AT_RISK, DUE = sh("2025-03-03 09:00"), sh("2025-03-03 10:36"), sh("2025-03-03 11:00")
MICRO = timedelta(microseconds=1)

STATE_CASES = [
    # (now, met_at, paused_since, expected state, expected delta, why)
    ("2025-03-03 09:30", None, None, "running", timedelta(minutes=90), "early"),
    ("2025-03-03 10:35", None, None, "running", timedelta(minutes=25), "just before at risk"),
    ("2025-03-03 10:36", None, None, "at_risk", timedelta(minutes=24), "from the at-risk time"),
    ("2025-03-03 11:00", None, None, "at_risk", timedelta(0), "exactly at due is on time"),
    ("2025-03-03 12:00", "2025-03-03 10:00", None, "met", timedelta(hours=1), "met early"),
    ("2025-03-03 12:00", "2025-03-03 11:00", None, "met", timedelta(0), "met at due"),
    ("2025-03-03 12:00", "2025-03-03 11:30", None, "breached", timedelta(minutes=30), "met late"),
    ("2025-03-03 15:00", None, None, "breached", timedelta(hours=4), "overdue"),
    ("2025-03-03 15:00", None, "2025-03-03 10:00", "running", timedelta(hours=1), "frozen hold"),
    (
        "2025-03-03 15:00",
        None,
        "2025-03-03 10:40",
        "at_risk",
        timedelta(minutes=20),
        "held at risk",
    ),
    ("2025-03-03 15:00", None, "2025-03-03 11:30", "breached", timedelta(minutes=30), "held late"),
]


@pytest.mark.parametrize(
    ("now", "met_at", "paused_since", "state", "delta"),
    [c[:5] for c in STATE_CASES],
    ids=[c[5] for c in STATE_CASES],
)
def test_milestone_state(now, met_at, paused_since, state, delta):
    # given a two-hour milestone at risk from 10:36 (80 %), due at 11:00
    status = milestone_state(
        DUE,
        AT_RISK,
        sh(now),
        sh(met_at) if met_at else None,
        paused_since=sh(paused_since) if paused_since else None,
    )
    # then state and delta are as expected
    assert status == (state, delta)


def test_breached_one_microsecond_after_due():
    assert milestone_state(DUE, AT_RISK, DUE + MICRO) == ("breached", MICRO)


def test_a_wall_clock_held_for_twenty_hours_is_read_without_the_hold():
    # given a 24 h wall-clock milestone at risk at 75 %, started at 00:00
    start = sh("2025-03-03 00:00")
    due = due_at(WALL, start, 24 * 60, CAL)
    at_risk = start + timedelta(hours=18)
    # and held from +1 h to +21 h (20 h moved onto both instants at the resume)
    hold = (start + timedelta(hours=1), start + timedelta(hours=21))
    due = shift_for_pause(WALL, due, *hold, CAL)
    at_risk = shift_for_pause(WALL, at_risk, *hold, CAL).at
    assert (due.at, at_risk) == (start + timedelta(hours=44), start + timedelta(hours=38))
    # when read at +34 h (14 of its 24 h used)
    status = milestone_state(due.at, at_risk, start + timedelta(hours=34))
    # then it is running with 10 h left, and at risk from +38 h on (18 of 24 h used)
    assert status == ("running", timedelta(hours=10))
    assert milestone_state(due.at, at_risk, start + timedelta(hours=38)).state == "at_risk"


CANCELLED_CASES = [
    # (cancelled_at, breached_at, paused_since, expected state, expected delta, why)
    ("2025-03-03 10:50", None, None, "cancelled", timedelta(0), "cancelled on time"),
    ("2025-03-03 11:00", None, None, "cancelled", timedelta(0), "cancelled exactly at due"),
    ("2025-03-03 11:30", None, None, "breached", timedelta(minutes=30), "cancelled overdue"),
    (None, "2025-03-03 11:01", None, "breached", timedelta(minutes=1), "the sweep's mark"),
    ("2025-03-03 13:00", "2025-03-03 11:01", None, "breached", timedelta(hours=2), "both known"),
    (None, None, None, "cancelled", timedelta(0), "nothing says it was late"),
    ("2025-03-03 13:00", None, "2025-03-03 10:00", "cancelled", timedelta(0), "held in time"),
    ("2025-03-03 13:00", None, "2025-03-03 11:20", "breached", timedelta(minutes=20), "held late"),
]


@pytest.mark.parametrize(
    ("cancelled_at", "breached_at", "paused_since", "state", "delta"),
    [c[:5] for c in CANCELLED_CASES],
    ids=[c[5] for c in CANCELLED_CASES],
)
def test_a_cancelled_milestone_keeps_its_breach(
    cancelled_at, breached_at, paused_since, state, delta
):
    # given the milestone due at 11:00 cancelled (its order closed) and read much later
    status = milestone_state(
        DUE,
        AT_RISK,
        sh("2025-03-04 09:00"),
        cancelled=True,
        cancelled_at=sh(cancelled_at) if cancelled_at else None,
        breached_at=sh(breached_at) if breached_at else None,
        paused_since=sh(paused_since) if paused_since else None,
    )
    # then it is breached by how late its clock stopped, or just cancelled
    assert status == (state, delta)


def test_a_milestone_met_before_its_order_closed_stays_met():
    status = milestone_state(DUE, AT_RISK, sh("2025-03-04 09:00"), sh("2025-03-03 10:00"))
    assert status == ("met", timedelta(hours=1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"now": datetime(2025, 3, 3, 10)},
        {"at_risk_at": datetime(2025, 3, 3, 10)},
        {"paused_since": datetime(2025, 3, 3, 10)},
    ],
)
def test_milestone_state_validation(kwargs):
    arguments = {"due": DUE, "at_risk_at": AT_RISK, "now": sh("2025-03-03 10:00")} | kwargs
    with pytest.raises(ValueError, match="aware"):
        milestone_state(**arguments)


@pytest.mark.parametrize("kind", list(ClockKind))
def test_naive_datetimes_and_negative_amounts_are_rejected(kind):
    with pytest.raises(ValueError, match="aware"):
        due_at(kind, datetime(2025, 3, 3, 9), 60, CAL)
    with pytest.raises(ValueError, match="negative"):
        due_at(kind, sh("2025-03-03 09:00"), -1, CAL)


# --- properties -----------------------------------------------------------------------------------

ZONES = st.sampled_from([SHANGHAI, UTC, ZoneInfo("Europe/Berlin")])
naive_times = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 10, 31))
instants = st.builds(lambda naive, tz: naive.replace(tzinfo=tz), naive_times, ZONES)
shanghai_instants = naive_times.map(lambda naive: naive.replace(tzinfo=SHANGHAI))
minutes = st.integers(min_value=0, max_value=3000)
day_counts = st.integers(min_value=0, max_value=30)
shares = st.floats(min_value=0, max_value=1)
_DAYS_2024_2026 = (date(2024, 1, 1) + timedelta(days=i) for i in range(365 + 365 + 300))
non_working_instants = st.builds(
    lambda day, t: datetime.combine(day, t, tzinfo=SHANGHAI),
    st.sampled_from([d for d in _DAYS_2024_2026 if not CAL.is_workday(d)]),
    st.times(),
)


@settings(max_examples=100, deadline=None)
@given(instants, minutes)
def test_property_wall_due_minus_start_is_the_amount(start, amount):
    deadline = due_at(WALL, start, amount, CAL)
    assert deadline.at - start == timedelta(minutes=amount)
    assert deadline.at.tzinfo == SHANGHAI and not deadline.provisional


@settings(max_examples=100, deadline=None)
@given(instants, minutes)
def test_property_business_elapsed_of_due_is_the_amount(start, amount):
    # when a business-hours due time is computed
    deadline = due_at(BUSINESS, start, amount, CAL)
    # then exactly the amount of business time lies between start and due
    assert elapsed(BUSINESS, start, deadline.at, CAL) == amount
    # and a positive amount ends inside (or at the end of) a period of a working day
    if amount:
        local = deadline.at.astimezone(SHANGHAI)
        assert CAL.is_workday(local.date())
        assert any(p.start < local.time() <= p.end for p in DEFAULT_BUSINESS_PERIODS)


@settings(max_examples=100, deadline=None)
@given(instants, minutes, minutes)
def test_property_business_due_is_additive_and_monotonic(start, x, y):
    first = due_at(BUSINESS, start, x, CAL).at
    assert due_at(BUSINESS, first, y, CAL).at == due_at(BUSINESS, start, x + y, CAL).at
    assert first <= due_at(BUSINESS, start, x + y, CAL).at


@settings(max_examples=100, deadline=None)
@given(instants, day_counts)
def test_property_working_days_due_is_end_of_the_nth_working_day(start, n):
    deadline = due_at(DAYS, start, n, CAL)
    local_start = start.astimezone(SHANGHAI).date()
    assert deadline.at.time() == END
    assert CAL.working_days_between(local_start, deadline.at.date()) == n
    assert elapsed(DAYS, start, deadline.at, CAL) == n
    if n:
        assert CAL.is_workday(deadline.at.date())


@settings(max_examples=100, deadline=None)
@given(shanghai_instants, shares, instants, minutes)
def test_property_business_pause_without_business_time_changes_nothing(
    paused_from, share, start, amount
):
    # given a hold that starts outside business time and ends by the next opening
    assume(elapsed(BUSINESS, paused_from, paused_from + timedelta(microseconds=1), CAL) == 0)
    opening = due_at(BUSINESS, paused_from, 1, CAL).at - timedelta(minutes=1)
    paused_to = paused_from + (opening - paused_from) * share
    due = due_at(BUSINESS, start, amount, CAL)
    # then resuming leaves the due time where it was
    assert shift_for_pause(BUSINESS, due, paused_from, paused_to, CAL) == due


@settings(max_examples=100, deadline=None)
@given(non_working_instants, shares, instants, day_counts)
def test_property_working_days_pause_without_working_time_changes_nothing(
    paused_from, share, start, n
):
    # given a hold on non-working days that ends at the latest when the next working day begins
    next_day = CAL.add_working_days(paused_from.date(), 1)
    next_workday = datetime.combine(next_day, time(), tzinfo=SHANGHAI)
    paused_to = paused_from + (next_workday - paused_from) * share
    due = due_at(DAYS, start, n, CAL)
    # then resuming leaves the due time where it was
    assert shift_for_pause(DAYS, due, paused_from, paused_to, CAL, start=start) == due


hold_minutes = st.integers(min_value=0, max_value=5 * 24 * 60)


@settings(max_examples=200, deadline=None)
@given(instants, day_counts, hold_minutes, hold_minutes)
def test_property_a_working_day_hold_moves_the_due_by_the_elapsed_time_held_rounded(
    start, n, offset, length
):
    # given a working-day clock and a hold somewhere in its first days
    due = due_at(DAYS, start, n, CAL)
    paused_from = start + timedelta(minutes=offset)
    paused_to = paused_from + timedelta(minutes=length)
    # the working time held, as the clock itself measures time used
    held = elapsed(DAYS, start, paused_to, CAL) - elapsed(DAYS, start, paused_from, CAL)
    assume(abs(held % 1 - 0.5) > 1e-9)  # float noise at an exact half
    # when it resumes
    shifted = shift_for_pause(DAYS, due, paused_from, paused_to, CAL, start=start)
    # then the due time moved by that many working days, rounded half up, and stays at the
    # end of a day
    moved = CAL.working_days_between(due.at.date(), shifted.at.date())
    assert moved == math.floor(held + 0.5)
    assert shifted.at.time() == END and not shifted.provisional


@settings(max_examples=100, deadline=None)
@given(instants, day_counts, hold_minutes, st.integers(min_value=0, max_value=12 * 60 - 1))
def test_property_a_hold_under_half_a_day_never_costs_a_working_day(start, n, offset, length):
    # given a single hold shorter than twelve hours (half a working day of 24 h at most)
    due = due_at(DAYS, start, n, CAL)
    paused_from = start + timedelta(minutes=offset)
    paused_to = paused_from + timedelta(minutes=length)
    # then resuming leaves the due time where it was, wherever the hold falls
    assert shift_for_pause(DAYS, due, paused_from, paused_to, CAL, start=start) == due


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(list(ClockKind)),
    instants,
    minutes,
    st.lists(hold_minutes, min_size=3, max_size=3),
)
def test_property_two_holds_shift_like_one(kind, start, amount, offsets):
    # given a due time and two consecutive holds a→b and b→c
    amount = amount if kind is not DAYS else amount % 20
    due = due_at(kind, start, amount, CAL)
    a, b, c = sorted(start + timedelta(minutes=m) for m in offsets)
    # when resumed after each hold (the second knowing the first), or once after a→c
    first = shift_for_pause(kind, due, a, b, CAL, start=start)
    twice = shift_for_pause(kind, first, b, c, CAL, start=start, earlier_holds=[(a, b)])
    once = shift_for_pause(kind, due, a, c, CAL, start=start)
    # then the due time is the same
    assert twice == once


@settings(max_examples=200, deadline=None)
@given(instants, instants, instants)
def test_property_the_state_is_the_sweeps_reading_of_the_stored_instants(x, y, now):
    # given any stored at-risk time no later than the due time (as deadline_for stores them)
    at_risk_at, due = min(x, y), max(x, y)
    status = milestone_state(due, at_risk_at, now)
    # then it is breached exactly when the sweep marks a breach (due < now), at risk exactly
    # when the at-risk pass would warn (at_risk_at <= now <= due), else running
    if now > due:
        assert status == ("breached", now - due)
    elif now >= at_risk_at:
        assert status == ("at_risk", due - now)
    else:
        assert status == ("running", due - now)


@settings(max_examples=100, deadline=None)
@given(instants, minutes, shares, hold_minutes, hold_minutes, hold_minutes)
def test_property_time_on_hold_never_counts_towards_risk(start, amount, share, a, b, c):
    # given a wall-clock milestone of `amount` minutes, at risk after `share` of it, held
    # once; its due and at-risk times moved by the hold at the resume
    amount += 1
    risk_minutes = math.floor(amount * share)
    hold_from, hold_to = sorted((start + timedelta(minutes=a), start + timedelta(minutes=b)))
    due = shift_for_pause(WALL, due_at(WALL, start, amount, CAL), hold_from, hold_to, CAL).at
    at_risk = start + timedelta(minutes=risk_minutes)
    at_risk = shift_for_pause(WALL, at_risk, hold_from, hold_to, CAL).at
    # when read after the hold
    now = hold_to + timedelta(minutes=c)
    status = milestone_state(due, at_risk, now)
    # then only the time outside the hold counts as used
    used = (now - start) - (hold_to - hold_from)
    if used > timedelta(minutes=amount):
        assert status.state == "breached"
    elif used >= timedelta(minutes=risk_minutes):
        assert status.state == "at_risk"
    else:
        assert status.state == "running"


def test_a_span_ending_at_midnight_does_not_consult_the_next_year():
    # given business time measured up to 2027-01-01 00:00 (2027 not loaded)
    # then nothing of 2027 was needed, so the strict answer is given
    assert elapsed(BUSINESS, sh("2026-12-31 17:00"), sh("2027-01-01 00:00"), CAL) == 60
    assert elapsed(DAYS, sh("2026-12-30 17:00"), sh("2027-01-01 00:00"), CAL) == 1
