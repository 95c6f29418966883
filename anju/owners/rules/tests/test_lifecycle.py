"""Lifecycle stages, Art. 202 month arithmetic and 周岁 age."""

from datetime import date, timedelta

import pytest
from django.utils.functional import Promise
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.owners.rules.lifecycle import (
    Stage,
    add_months,
    age_on,
    lifecycle_stage,
    stage_handover_bounds,
)

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 6, 30), 24, date(2025, 6, 30)),  # domain-rules §4 example
        (date(2024, 2, 29), 24, date(2026, 2, 28)),  # domain-rules §4 example
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 17), 0, date(2024, 5, 17)),
        (date(2024, 5, 17), -24, date(2022, 5, 17)),
    ],
)
def test_add_months_follows_article_202(start, months, expected):
    # given a start date / when shifted by whole months / then month-end clamping applies
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1985, 3, 12), date(2026, 3, 11), 40),
        (date(1985, 3, 12), date(2026, 3, 12), 41),
        (date(2000, 2, 29), date(2000, 2, 29), 0),
        (date(2000, 2, 29), date(2001, 2, 27), 0),
        (date(2000, 2, 29), date(2001, 2, 28), 1),  # month-end convention, not 03-01
        (date(2000, 2, 29), date(2004, 2, 28), 3),  # leap year: the real birthday counts
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2012, 5, 1), TODAY, 14),
        (date(2012, 11, 23), TODAY, 13),  # under 14: PIPL Art. 31 guardian consent
    ],
)
def test_age_on_counts_completed_years(birth, on, age):
    assert age_on(birth, on) == age


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@pytest.mark.parametrize(
    ("handover", "today", "stage"),
    [
        (None, TODAY, Stage.PROSPECTIVE),
        (TODAY + timedelta(days=1), TODAY, Stage.PROSPECTIVE),
        (TODAY, TODAY, Stage.RUNNING_IN),  # handover day is the first running-in day
        (date(2025, 11, 23), TODAY, Stage.RUNNING_IN),
        (date(2025, 11, 22), TODAY, Stage.STABLE),  # exactly 12 months: running-in is over
        (date(2024, 11, 23), TODAY, Stage.STABLE),
        (date(2024, 11, 22), TODAY, Stage.OLD),  # exactly 24 months
        (date(2000, 1, 1), TODAY, Stage.OLD),
        (date(2024, 2, 29), date(2025, 2, 27), Stage.RUNNING_IN),
        (date(2024, 2, 29), date(2025, 2, 28), Stage.STABLE),  # Art. 202 month end
        (date(2024, 2, 29), date(2026, 2, 28), Stage.OLD),
    ],
)
def test_lifecycle_stage_with_default_periods(handover, today, stage):
    assert lifecycle_stage(handover_date=handover, today=today) == stage


def test_lifecycle_stage_with_custom_periods():
    # given 6 months running-in and 36 months stable
    def stage(handover):
        return lifecycle_stage(
            handover_date=handover, today=TODAY, running_in_months=6, stable_months=36
        )

    # then the boundaries move accordingly
    assert stage(date(2026, 5, 23)) == Stage.RUNNING_IN
    assert stage(date(2026, 5, 22)) == Stage.STABLE
    assert stage(date(2023, 11, 23)) == Stage.STABLE
    assert stage(date(2023, 11, 22)) == Stage.OLD


@pytest.mark.parametrize(("running_in", "stable"), [(-1, 24), (12, 11), (0, -1)])
def test_inconsistent_periods_are_rejected(running_in, stable):
    with pytest.raises(ValueError):
        lifecycle_stage(
            handover_date=TODAY,
            today=TODAY,
            running_in_months=running_in,
            stable_months=stable,
        )
    with pytest.raises(ValueError):
        stage_handover_bounds(
            Stage.OLD, today=TODAY, running_in_months=running_in, stable_months=stable
        )


def test_stage_values_and_lazy_labels():
    assert [stage.value for stage in Stage] == ["prospective", "running_in", "stable", "old"]
    assert all(isinstance(stage.label, Promise) for stage in Stage)


def test_stage_bounds_example_with_month_end_clamping():
    # given today is 2023-02-28 (common year), 1 month running-in, 2 months stable
    def bounds(stage):
        return stage_handover_bounds(
            stage, today=date(2023, 2, 28), running_in_months=1, stable_months=2
        )

    # then 01-28..01-31 handovers (all + 1 month = 02-28) are already stable
    assert bounds(Stage.PROSPECTIVE) == (date(2023, 3, 1), None)
    assert bounds(Stage.RUNNING_IN) == (date(2023, 2, 1), date(2023, 3, 1))
    assert bounds(Stage.STABLE) == (date(2023, 1, 1), date(2023, 2, 1))
    assert bounds(Stage.OLD) == (None, date(2023, 1, 1))


def test_stage_bounds_accepts_plain_strings_and_rejects_unknown():
    assert stage_handover_bounds("old", today=TODAY) == (None, date(2024, 11, 23))
    with pytest.raises(ValueError):
        stage_handover_bounds("retired", today=TODAY)


# --- properties -------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


def _within(value, bounds):
    lower, upper = bounds
    return (lower is None or value >= lower) and (upper is None or value < upper)


@settings(max_examples=300)
@given(
    handover=dates,
    today=dates,
    running_in=st.integers(0, 36),
    extra=st.integers(0, 36),
)
def test_stage_bounds_agree_with_lifecycle_stage(handover, today, running_in, extra):
    # given any handover date, today and period lengths
    periods = {"running_in_months": running_in, "stable_months": running_in + extra}
    # when the stage is computed directly
    stage = lifecycle_stage(handover_date=handover, today=today, **periods)
    # then exactly that stage's SQL bounds contain the handover date
    for candidate in Stage:
        bounds = stage_handover_bounds(candidate, today=today, **periods)
        assert _within(handover, bounds) is (candidate == stage), candidate


@settings(max_examples=200)
@given(start=dates, months=st.integers(-60, 60), later=st.integers(0, 40))
def test_add_months_is_monotonic_and_keeps_day_when_possible(start, months, later):
    # given two ordered dates / then shifting keeps them ordered
    assert add_months(start, months) <= add_months(start + timedelta(days=later), months)
    # and a day that exists in the target month is kept
    shifted = add_months(start, months)
    assert shifted.day == start.day or shifted.day < start.day


@settings(max_examples=200)
@given(birth=dates, days=st.integers(0, 40000))
def test_age_on_matches_naive_rule_outside_feb_29(birth, days):
    today = birth + timedelta(days=days)
    if (birth.month, birth.day) == (2, 29):
        return
    naive = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    assert age_on(birth, today) == naive
