"""SLA clocks: due times, elapsed time, holds and milestone state on the official calendar."""

from __future__ import annotations

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
    # working days: one day per working day that began during the hold
    (DAYS, end_of("2025-03-07"), "2025-03-04 16:00", "2025-03-05 10:00", end_of("2025-03-10")),
    (DAYS, end_of("2025-03-07"), "2025-03-04 09:00", "2025-03-04 17:00", end_of("2025-03-07")),
    (DAYS, end_of("2025-03-07"), "2025-03-08 10:00", "2025-03-10 00:00", end_of("2025-03-07")),
    (DAYS, end_of("2025-03-07"), "2025-03-03 00:00", "2025-03-03 10:00", end_of("2025-03-10")),
    (DAYS, end_of("2025-10-10"), "2025-09-30 10:00", "2025-10-09 10:00", end_of("2025-10-11")),
]
PAUSE_IDS = [
    "wall: three hours",
    "wall: holidays count",
    "business: Friday 17:00 to Monday 09:00 is 90 minutes",
    "business: a weekend pause shifts nothing",
    "business: a National Day pause shifts nothing",
    "business: a lunch pause shifts nothing",
    "business: the shift itself runs over the night",
    "days: overnight hold into Wednesday moves one day",
    "days: a hold within one day moves nothing",
    "days: a weekend hold ending at Monday 00:00 moves nothing",
    "days: a hold from Monday 00:00 covers Monday",
    "days: a hold over National Day moves one day, onto the make-up Saturday",
]


@pytest.mark.parametrize(
    ("kind", "due", "paused_from", "paused_to", "expected"), PAUSE_CASES, ids=PAUSE_IDS
)
def test_resume_shifts_due_by_the_paused_span_in_clock_units(
    kind, due, paused_from, paused_to, expected
):
    # given a milestone due at ``due`` that was on hold from paused_from to paused_to
    # when it resumes
    shifted = shift_for_pause(kind, due, sh(paused_from), sh(paused_to), CAL)
    # then the due time moved by the paused span measured in the clock's own units
    assert shifted == Deadline(expected, provisional=False)


def test_shift_into_an_unloaded_year_is_provisional_and_stays_so():
    # given a working-day due at the end of 2026 and an overnight hold
    shifted = shift_for_pause(
        DAYS, end_of("2026-12-31"), sh("2026-12-28 10:00"), sh("2026-12-29 10:00"), CAL
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


def test_a_hold_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        shift_for_pause(
            WALL, sh("2025-03-03 12:00"), sh("2025-03-03 11:00"), sh("2025-03-03 10:00"), CAL
        )


# --- milestone state ------------------------------------------------------------------------------

START, DUE = sh("2025-03-03 09:00"), sh("2025-03-03 11:00")
MICRO = timedelta(microseconds=1)

STATE_CASES = [
    # (now, met_at, paused_since, expected state, expected delta, why)
    ("2025-03-03 09:30", None, None, "running", timedelta(minutes=90), "early"),
    ("2025-03-03 10:36", None, None, "at_risk", timedelta(minutes=24), "80 % elapsed"),
    ("2025-03-03 11:00", None, None, "at_risk", timedelta(0), "exactly at due is on time"),
    ("2025-03-03 12:00", "2025-03-03 10:00", None, "met", timedelta(hours=1), "met early"),
    ("2025-03-03 12:00", "2025-03-03 11:00", None, "met", timedelta(0), "met at due"),
    ("2025-03-03 12:00", "2025-03-03 11:30", None, "breached", timedelta(minutes=30), "met late"),
    ("2025-03-03 15:00", None, None, "breached", timedelta(hours=4), "overdue"),
    ("2025-03-03 15:00", None, "2025-03-03 10:00", "running", timedelta(hours=1), "frozen hold"),
    ("2025-03-03 15:00", None, "2025-03-03 11:30", "breached", timedelta(minutes=30), "held late"),
]


@pytest.mark.parametrize(
    ("now", "met_at", "paused_since", "state", "delta"),
    [c[:5] for c in STATE_CASES],
    ids=[c[5] for c in STATE_CASES],
)
def test_milestone_state(now, met_at, paused_since, state, delta):
    # given a two-hour wall-clock milestone and an 80 % at-risk share
    status = milestone_state(
        START,
        DUE,
        sh(now),
        sh(met_at) if met_at else None,
        0.8,
        paused_since=sh(paused_since) if paused_since else None,
    )
    # then state and delta are as expected
    assert status == (state, delta)


def test_breached_one_microsecond_after_due():
    assert milestone_state(START, DUE, DUE + MICRO, None, 0.8) == ("breached", MICRO)


def test_business_hours_share_ignores_the_weekend():
    # given four business hours from Friday 16:00 (due Monday 10:30)
    start = sh("2025-03-07 16:00")
    due = due_at(BUSINESS, start, 240, CAL).at
    assert due == sh("2025-03-10 10:30")
    sunday = sh("2025-03-09 12:00")
    # when measured in business time on Sunday, half is used: not at risk at 60 %
    status = milestone_state(start, due, sunday, None, 0.6, kind=BUSINESS, calendar=CAL)
    assert status.state == "running"
    # while the wall-time share (44 h of 66.5 h) would already say at risk
    assert milestone_state(start, due, sunday, None, 0.6).state == "at_risk"


def test_working_days_share_ignores_spring_festival():
    # given three working days from Friday 2026-02-13 (02-14, 02-24, 02-25)
    start = sh("2026-02-13 10:00")
    due = due_at(DAYS, start, 3, CAL).at
    assert due == end_of("2026-02-25")
    holiday = sh("2026-02-23 12:00")
    # then during the holiday one working day of three is used: still running at 80 %
    assert (
        milestone_state(start, due, holiday, None, 0.8, kind=DAYS, calendar=CAL).state == "running"
    )
    assert milestone_state(start, due, holiday, None, 0.8).state == "at_risk"


def test_zero_working_days_falls_back_to_wall_share():
    # given "0 working days" (due at the end of the start day): no working-day time to share
    start, late_evening = sh("2025-03-03 12:00"), sh("2025-03-03 23:00")
    due = due_at(DAYS, start, 0, CAL).at
    # then the share is wall time: 11 h of ~12 h used, at risk
    status = milestone_state(start, due, late_evening, None, 0.8, kind=DAYS, calendar=CAL)
    assert status == ("at_risk", due - late_evening)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"at_risk_share": 0}, "at_risk_share"),
        ({"at_risk_share": 1.5}, "at_risk_share"),
        ({"kind": BUSINESS}, "calendar"),
        ({"now": datetime(2025, 3, 3, 10)}, "aware"),
    ],
)
def test_milestone_state_validation(kwargs, message):
    arguments = {"start": START, "due": DUE, "now": sh("2025-03-03 10:00"), "met_at": None}
    arguments |= {"at_risk_share": 0.8} | kwargs
    with pytest.raises(ValueError, match=message):
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
    assert shift_for_pause(DAYS, due, paused_from, paused_to, CAL) == due


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(list(ClockKind)),
    instants,
    minutes,
    st.lists(st.integers(min_value=0, max_value=5 * 24 * 60), min_size=3, max_size=3),
)
def test_property_two_holds_shift_like_one(kind, start, amount, offsets):
    # given a due time and two consecutive holds a→b and b→c
    amount = amount if kind is not DAYS else amount % 20
    due = due_at(kind, start, amount, CAL)
    a, b, c = sorted(start + timedelta(minutes=m) for m in offsets)
    # when resumed after each hold, or once after a single hold a→c
    twice = shift_for_pause(kind, shift_for_pause(kind, due, a, b, CAL), b, c, CAL)
    once = shift_for_pause(kind, due, a, c, CAL)
    # then the due time is the same
    assert twice == once


@settings(max_examples=100, deadline=None)
@given(instants, minutes, instants, shares.filter(lambda s: s > 0))
def test_property_unmet_milestone_is_breached_exactly_after_due(start, amount, now, share):
    due = due_at(WALL, start, amount, CAL).at
    status = milestone_state(start, due, now, None, share)
    assert (status.state == "breached") == (now > due)
    assert status.delta >= timedelta(0)


def test_a_span_ending_at_midnight_does_not_consult_the_next_year():
    # given business time measured up to 2027-01-01 00:00 (2027 not loaded)
    # then nothing of 2027 was needed, so the strict answer is given
    assert elapsed(BUSINESS, sh("2026-12-31 17:00"), sh("2027-01-01 00:00"), CAL) == 60
    assert elapsed(DAYS, sh("2026-12-30 17:00"), sh("2027-01-01 00:00"), CAL) == 1
