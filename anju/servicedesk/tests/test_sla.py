"""Seed SLA policies on the stored official calendar: due and at-risk times of milestones,
and how holds move them.

Each case is computed by hand from the State Council arrangements (chinesecalendar) and
the seed policies (anju/servicedesk/seed.py); working days end at 23:59:59.999999 local.
"""

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.core.testing.instants import at
from anju.servicedesk.calendar import business_periods, current_clocks, working_calendar
from anju.servicedesk.models import Milestone, SlaPolicy, WorkOrder
from anju.servicedesk.rules.clocks import elapsed
from anju.servicedesk.services import work_order_dispatch, work_order_hold, work_order_resume
from anju.servicedesk.sla import (
    deadline_for,
    milestone_from_target,
    recomputed_deadline,
    stored_milestone_state,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
END = (23, 59, 59, 999999)  # the last on-time instant of a working day


def end_of(year: int, month: int, day: int) -> datetime:
    return at(year, month, day, *END)


def milestones(policy: str, start: datetime) -> dict[str, Milestone]:
    """The policy's milestones for an order received (or dispatched) at ``start``."""
    order = WorkOrder()
    targets = SlaPolicy.objects.get(name=policy).targets.all()
    clocks = current_clocks()
    return {t.milestone: milestone_from_target(order, t, start, clocks) for t in targets}


def due_and_risk(policy: str, start: datetime) -> dict[str, tuple[datetime, datetime]]:
    return {kind: (m.due_at, m.at_risk_at) for kind, m in milestones(policy, start).items()}


@pytest.mark.django_db
def test_a_normal_repair_on_friday_evening_is_answered_by_the_end_of_monday():
    # given a normal repair reported on an ordinary Friday at 17:50
    start = at(2025, 6, 13, 17, 50)
    # then dispatch runs on the wall clock, response and completion in working days
    assert due_and_risk("一般报修", start) == {
        "dispatch": (at(2025, 6, 13, 18, 0), at(2025, 6, 13, 17, 58)),
        "response": (end_of(2025, 6, 16), at(2025, 6, 16, 12, 0)),
        # 7 working days: 16 17 18 19 20 | 23 24; at risk after 4.9 of them
        "completion": (end_of(2025, 6, 24), at(2025, 6, 20, 21, 36)),
    }


@pytest.mark.django_db
def test_an_urgent_repair_answers_within_two_hours_even_at_night():
    start = at(2025, 6, 13, 17, 50)
    assert due_and_risk("紧急报修", start) == {
        "dispatch": (at(2025, 6, 13, 18, 0), at(2025, 6, 13, 17, 58)),
        "response": (at(2025, 6, 13, 19, 50), at(2025, 6, 13, 19, 20)),
        "completion": (end_of(2025, 6, 16), at(2025, 6, 16, 12, 0)),
    }


@pytest.mark.django_db
def test_spring_festival_2026_the_next_working_day_is_the_makeup_saturday():
    # given a repair on Friday 2026-02-13, before 春节 (02-15 to 02-23 off, 02-14 and 02-28 work)
    deadlines = due_and_risk("一般报修", at(2026, 2, 13, 10, 0))
    # then 1 working day later is Saturday 02-14, the make-up working day
    assert deadlines["response"] == (end_of(2026, 2, 14), at(2026, 2, 14, 12, 0))
    # and 7 working days: 02-14 | 02-24 25 26 27 28(Sat) | 03-02
    assert deadlines["completion"] == (end_of(2026, 3, 2), at(2026, 2, 27, 21, 36))


@pytest.mark.django_db
def test_a_repair_on_the_makeup_saturday_waits_out_the_holiday_block():
    deadlines = due_and_risk("一般报修", at(2026, 2, 14, 9, 0))
    assert deadlines["response"] == (end_of(2026, 2, 24), at(2026, 2, 24, 12, 0))


@pytest.mark.django_db
def test_national_day_2025_skips_the_eight_day_block():
    # given a repair on 2025-09-30, the eve of 国庆+中秋 (10-01 to 10-08 off, 10-11 works)
    deadlines = due_and_risk("一般报修", at(2025, 9, 30, 16, 0))
    assert deadlines["response"] == (end_of(2025, 10, 9), at(2025, 10, 9, 12, 0))
    # 7 working days: 10-09 10 11(Sat) 13 14 15 16
    assert deadlines["completion"] == (end_of(2025, 10, 16), at(2025, 10, 14, 21, 36))


@pytest.mark.django_db
def test_a_complaint_on_national_day_eve_runs_wall_clocks_through_the_holiday():
    received = at(2025, 9, 30, 16, 0)
    deadlines = due_and_risk("投诉", received)
    assert deadlines["dispatch"] == (at(2025, 9, 30, 16, 10), at(2025, 9, 30, 16, 8))
    assert deadlines["initial_handling"] == (at(2025, 10, 1, 16, 0), at(2025, 10, 1, 10, 0))
    assert deadlines["feedback"] == (at(2025, 10, 2, 16, 0), at(2025, 10, 2, 4, 0))
    # investigation starts within 2 working days of the dispatch (here 16:05)
    investigation = due_and_risk("投诉", at(2025, 9, 30, 16, 5))["investigation_start"]
    assert investigation == (end_of(2025, 10, 10), end_of(2025, 10, 9))


@pytest.mark.django_db
def test_a_repair_on_a_saturday_is_due_on_the_makeup_sunday():
    deadlines = due_and_risk("一般报修", at(2025, 9, 27, 11, 0))
    assert deadlines["response"][0] == end_of(2025, 9, 28)


@pytest.mark.django_db
def test_year_end_and_leap_day():
    # 2026 New Year: 01-01 to 01-03 off, Sunday 01-04 works
    assert due_and_risk("一般报修", at(2025, 12, 31, 17, 0))["response"][0] == end_of(2026, 1, 4)
    assert due_and_risk("一般报修", at(2024, 2, 28, 9, 0))["response"][0] == end_of(2024, 2, 29)
    # 2024 春节: 02-10 to 02-17 off, Sunday 02-18 works
    assert due_and_risk("咨询", at(2024, 2, 9, 9, 0))["completion"][0] == end_of(2024, 2, 18)


@pytest.mark.django_db
def test_a_deadline_in_a_year_not_loaded_is_provisional():
    # given an order on 2026-12-30; 2027 is not in the calendar yet
    found = milestones("一般报修", at(2026, 12, 30, 10, 0))
    # then the response (12-31) is firm and the 7-working-day completion is a guess
    assert (found["response"].due_at, found["response"].provisional) == (
        end_of(2026, 12, 31),
        False,
    )
    completion = found["completion"]
    # Monday-to-Friday fallback: 12-31 | 01-01 04 05 06 07 08
    assert (completion.due_at, completion.provisional) == (end_of(2027, 1, 8), True)
    assert not found["dispatch"].provisional


@pytest.mark.django_db
def test_every_seed_policy_has_its_at_risk_time_between_start_and_due():
    start = at(2025, 6, 13, 17, 50)
    for policy in SlaPolicy.objects.all():
        for kind, milestone in milestones(policy.name, start).items():
            assert start < milestone.at_risk_at < milestone.due_at, (policy.name, kind)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 11, 30)),
    policy=st.sampled_from(["紧急报修", "一般报修", "投诉", "咨询", "建议"]),
)
def test_the_stored_at_risk_time_is_where_the_clock_turns_at_risk(moment, policy):
    """The stored at_risk_at is the share of the clock in its own units, and the state the
    page and the API show turns at risk exactly there."""
    start = moment.replace(tzinfo=SHANGHAI)
    calendar, periods = working_calendar(), business_periods()
    for kind, m in milestones(policy, start).items():
        assert start < m.at_risk_at < m.due_at and not m.provisional, kind
        used = elapsed(m.clock, start, m.at_risk_at, calendar, periods)
        share = m.amount * float(m.at_risk_share)
        if m.clock == "working_days":
            assert used == pytest.approx(share), kind
        else:  # whole minutes, rounded down
            assert used == math.floor(share), kind

        def state(now: datetime, m: Milestone = m) -> str:
            return stored_milestone_state(m, now).state

        assert state(m.at_risk_at - timedelta(minutes=1)) == "running", kind
        assert state(m.at_risk_at) == "at_risk", kind
        assert state(m.due_at) == "at_risk" and state(m.due_at + timedelta(seconds=1)) == (
            "breached"
        ), kind


@pytest.mark.django_db
def test_a_business_hours_clock_does_not_turn_at_risk_over_the_weekend():
    # given four business hours from Friday 2025-03-07 16:00, at risk after 60 %
    start = at(2025, 3, 7, 16, 0)
    due, at_risk = deadline_for("business_hours", start, 240, Decimal("0.60"), current_clocks())
    # then it is due Monday 10:30 and at risk after 144 business minutes: Monday 08:54
    assert (due.at, at_risk) == (at(2025, 3, 10, 10, 30), at(2025, 3, 10, 8, 54))
    # so on Sunday, with 120 of its 240 minutes used, it shows running
    milestone = Milestone(due_at=due.at, at_risk_at=at_risk, started_at=start)
    assert stored_milestone_state(milestone, at(2025, 3, 9, 12, 0)).state == "running"


# --- holds on working-day clocks -------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = at(2025, 6, 9, 10, 0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def _dispatched_repair(accept: Any, desk: Any, supervisor: Any, clock: Clock, received: datetime):
    """A normal repair received at `received` and dispatched five minutes later."""
    clock.now = received
    order = accept()
    clock.now = received + timedelta(minutes=5)
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    return order


def _held(order: WorkOrder, supervisor: Any, clock: Clock, begin: datetime, end: datetime) -> None:
    clock.now = begin
    work_order_hold(actor=supervisor, order=order, reason="owner")
    clock.now = end
    work_order_resume(actor=supervisor, order=order)


def _due(order: WorkOrder) -> dict[str, datetime]:
    return {m.kind: m.due_at for m in order.milestones.exclude(kind="dispatch")}


@pytest.mark.parametrize(
    ("begin", "end", "response", "completion"),
    [
        # response: 1 working day after Monday 06-09; completion: 7 (06-10 … 06-18)
        (at(2025, 6, 9, 11, 0), at(2025, 6, 9, 11, 0), end_of(2025, 6, 10), end_of(2025, 6, 18)),
        # Tuesday held from 00:05 to 23:55: most of a working day, one day later
        (at(2025, 6, 10, 0, 5), at(2025, 6, 10, 23, 55), end_of(2025, 6, 11), end_of(2025, 6, 19)),
        # two minutes over midnight: nothing
        (at(2025, 6, 9, 23, 59), at(2025, 6, 10, 0, 1), end_of(2025, 6, 10), end_of(2025, 6, 18)),
        # Friday 13:00 to Monday 13:00: half of Friday and of Monday, the weekend free (the
        # response, overdue since Tuesday, moves too: a held clock is held)
        (at(2025, 6, 13, 13, 0), at(2025, 6, 16, 13, 0), end_of(2025, 6, 11), end_of(2025, 6, 19)),
    ],
    ids=["no hold", "most of Tuesday", "two minutes over midnight", "over a weekend"],
)
def test_a_hold_moves_working_day_clocks_by_the_working_time_held(
    accept, desk, supervisor, clock, begin, end, response, completion
):
    # given a normal repair received on Monday 2025-06-09 10:00
    order = _dispatched_repair(accept, desk, supervisor, clock, at(2025, 6, 9, 10, 0))
    # when it is on hold from `begin` to `end`
    _held(order, supervisor, clock, begin, end)
    # then its working-day clocks moved by the working time held, rounded to whole days
    assert _due(order) == {"response": response, "completion": completion}


def test_short_holds_add_up_and_a_recompute_agrees(accept, desk, supervisor, clock):
    # given a normal repair received on Monday 2025-06-09 10:00 (completion due 06-18)
    order = _dispatched_repair(accept, desk, supervisor, clock, at(2025, 6, 9, 10, 0))
    # when held Tuesday 09:00-17:00, a third of a working day: nothing moves yet
    _held(order, supervisor, clock, at(2025, 6, 10, 9, 0), at(2025, 6, 10, 17, 0))
    assert _due(order)["completion"] == end_of(2025, 6, 18)
    # and again Wednesday 09:00-17:00: two thirds in all, one day
    _held(order, supervisor, clock, at(2025, 6, 11, 9, 0), at(2025, 6, 11, 17, 0))
    completion = order.milestones.get(kind="completion")
    assert completion.due_at == end_of(2025, 6, 19)
    # then recomputing from the start and the stored holds gives the same deadlines
    due, at_risk = recomputed_deadline(completion, current_clocks())
    assert (due.at, at_risk, due.provisional) == (completion.due_at, completion.at_risk_at, False)


def test_a_hold_that_pushes_a_deadline_into_an_unloaded_year_marks_it_provisional(
    accept, desk, supervisor, clock
):
    # given a normal repair received on Wednesday 2026-12-30: response due 12-31, firm
    order = _dispatched_repair(accept, desk, supervisor, clock, at(2026, 12, 30, 10, 0))
    response = order.milestones.get(kind="response")
    assert (response.due_at, response.provisional) == (end_of(2026, 12, 31), False)
    # when held most of 12-31
    _held(order, supervisor, clock, at(2026, 12, 31, 0, 0), at(2026, 12, 31, 23, 0))
    # then the response is due on 2027-01-01, a guess until 2027 is loaded
    response.refresh_from_db()
    assert (response.due_at, response.provisional) == (end_of(2027, 1, 1), True)
