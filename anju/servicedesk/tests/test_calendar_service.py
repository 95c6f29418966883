"""The calendar write path: loading, entering, amending, and what the deadlines see."""

import datetime as dt
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from anju.audit.models import ChangeLog
from anju.servicedesk import calendar
from anju.servicedesk.calendar import (
    business_periods,
    calendar_amend_day,
    calendar_enter_year,
    calendar_load_official_year,
    calendar_remove_day,
    calendar_version,
    working_calendar,
)
from anju.servicedesk.models import CalendarDay, CalendarYear, Milestone, WorkOrderEvent
from anju.servicedesk.rules.clocks import DEFAULT_BUSINESS_PERIODS, BusinessPeriod
from anju.servicedesk.rules.official_calendar import OfficialYearUnavailable
from anju.servicedesk.services import work_order_accept
from anju.servicedesk.services.policies import PolicyInput, TargetInput, sla_policy_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY = dt.date(2026, 10, 1)
MAKEUP_SATURDAY = dt.date(2026, 10, 10)  # 调休: a Saturday that is a working day
ORDINARY_TUESDAY = dt.date(2026, 6, 9)


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="calendar-admin")


@pytest.fixture
def frozen_now(monkeypatch):
    """Pin timezone.now() (intake refuses reports from the future)."""

    def freeze(at: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: at)

    return freeze


def _days(year: int) -> list[tuple[dt.date, str]]:
    return list(
        CalendarDay.objects.filter(date__year=year)
        .order_by("date", "kind")
        .values_list("date", "kind")
    )


def _package_working_days(year: int) -> int:
    first = dt.date(year, 1, 1)
    days = (first + dt.timedelta(days=n) for n in range(366))
    return sum(chinese_calendar.is_workday(d) for d in days if d.year == year)


# --- loading from the package --------------------------------------------------------


def test_loading_2026_twice_is_idempotent(admin, django_capture_on_commit_callbacks):
    # given the seeded 2026 calendar
    seeded = _days(2026)
    assert seeded
    # when an administrator loads 2026 twice
    with django_capture_on_commit_callbacks(execute=True):
        calendar_load_official_year(actor=admin, year=2026)
    with django_capture_on_commit_callbacks(execute=True):
        entry = calendar_load_official_year(actor=admin, year=2026)
    # then the stored days, the year and the working days are unchanged
    assert _days(2026) == seeded
    assert CalendarYear.objects.filter(year=2026).count() == 1
    assert entry.source.startswith("chinesecalendar")
    assert working_calendar().working_days_in_year(2026) == _package_working_days(2026)
    assert not working_calendar().is_workday(NATIONAL_DAY)


def test_loading_keeps_company_amendments(admin, django_capture_on_commit_callbacks):
    # given a company day off on an ordinary Tuesday
    calendar_amend_day(actor=admin, date=ORDINARY_TUESDAY, kind=CalendarDay.Kind.EXTRA_DAY_OFF)
    # when 2026 is loaded again
    with django_capture_on_commit_callbacks(execute=True):
        calendar_load_official_year(actor=admin, year=2026)
    # then the amendment is still there
    assert CalendarDay.objects.filter(date=ORDINARY_TUESDAY, kind="extra_day_off").exists()
    assert not working_calendar().is_workday(ORDINARY_TUESDAY)


def test_2027_is_not_in_the_package(admin):
    # when an administrator asks the package for 2027
    with pytest.raises(OfficialYearUnavailable) as raised:
        calendar_load_official_year(actor=admin, year=2027)
    # then the error names the year and nothing is stored
    assert raised.value.year == 2027
    assert "2027" in str(raised.value)
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- entering a year by hand ---------------------------------------------------------


def test_entering_a_year_by_hand_loads_it(admin, django_capture_on_commit_callbacks):
    # given the 2027 notice (New Year's Day off, Saturday 2027-02-20 a make-up day)
    holidays = {dt.date(2027, 1, 1), dt.date(2027, 1, 2), dt.date(2027, 1, 3)}
    makeup = {dt.date(2027, 2, 20)}
    # when it is entered by hand
    with django_capture_on_commit_callbacks(execute=True):
        calendar_enter_year(
            actor=admin, year=2027, holidays=holidays, makeup_workdays=makeup, source="国办发明电"
        )
    # then the year is loaded as entered, and the change is logged
    cal = working_calendar()
    assert cal.is_loaded(2027)
    assert not cal.is_workday(dt.date(2027, 1, 1))
    assert cal.is_workday(dt.date(2027, 2, 20))
    assert CalendarYear.objects.get(year=2027).source == "国办发明电"
    assert ChangeLog.objects.filter(object_repr="2027", action="create").exists()


def test_entering_a_day_of_another_year_is_refused(admin):
    with pytest.raises(ValueError):
        calendar_enter_year(
            actor=admin,
            year=2027,
            holidays={dt.date(2026, 12, 31)},
            makeup_workdays=set(),
            source="notice",
        )
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- amendments ----------------------------------------------------------------------


def test_a_company_day_off_and_working_day(admin, django_capture_on_commit_callbacks):
    # when a Tuesday becomes a day off and National Day a working day
    with django_capture_on_commit_callbacks(execute=True):
        calendar_amend_day(
            actor=admin, date=ORDINARY_TUESDAY, kind=CalendarDay.Kind.EXTRA_DAY_OFF, name="团建"
        )
        calendar_amend_day(actor=admin, date=NATIONAL_DAY, kind=CalendarDay.Kind.EXTRA_WORKDAY)
    # then the calendar follows the company
    cal = working_calendar()
    assert not cal.is_workday(ORDINARY_TUESDAY)
    assert cal.is_workday(NATIONAL_DAY)


def test_amending_a_day_again_replaces_the_amendment(admin):
    # given a company day off
    calendar_amend_day(
        actor=admin, date=ORDINARY_TUESDAY, kind=CalendarDay.Kind.EXTRA_DAY_OFF, name="台风"
    )
    # when the same day is given off again, for another reason
    calendar_amend_day(
        actor=admin, date=ORDINARY_TUESDAY, kind=CalendarDay.Kind.EXTRA_DAY_OFF, name="停电"
    )
    # then only the latter remains
    days = CalendarDay.objects.filter(date=ORDINARY_TUESDAY).values_list("kind", "name")
    assert list(days) == [("extra_day_off", "停电")]


def test_an_amendment_that_changes_nothing_is_refused(admin):
    # a working Tuesday made a working day, a Sunday given off: the calendar says so already
    with pytest.raises(ValidationError) as working:
        calendar_amend_day(actor=admin, date=ORDINARY_TUESDAY, kind=CalendarDay.Kind.EXTRA_WORKDAY)
    assert working.value.error_dict["date"][0].code == "workday"
    sunday = ORDINARY_TUESDAY + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as off:
        calendar_amend_day(actor=admin, date=sunday, kind=CalendarDay.Kind.EXTRA_DAY_OFF)
    assert off.value.error_dict["date"][0].code == "day_off"
    assert not CalendarDay.objects.filter(date__in=[ORDINARY_TUESDAY, sunday]).exists()


def test_only_company_days_can_be_amended(admin):
    with pytest.raises(ValidationError) as raised:
        calendar_amend_day(actor=admin, date=ORDINARY_TUESDAY, kind=CalendarDay.Kind.HOLIDAY)
    assert raised.value.error_dict["kind"][0].code == "invalid_choice"


def test_removing_an_amendment_restores_the_official_day(admin, django_capture_on_commit_callbacks):
    # given the make-up Saturday declared a company day off
    with django_capture_on_commit_callbacks(execute=True):
        day = calendar_amend_day(
            actor=admin, date=MAKEUP_SATURDAY, kind=CalendarDay.Kind.EXTRA_DAY_OFF
        )
    assert not working_calendar().is_workday(MAKEUP_SATURDAY)
    pk = day.pk
    # when the amendment is removed
    with django_capture_on_commit_callbacks(execute=True):
        calendar_remove_day(actor=admin, day=day)
    # then the official make-up working day is back, and the removal is logged
    assert working_calendar().is_workday(MAKEUP_SATURDAY)
    assert ChangeLog.objects.filter(action="delete", object_id=str(pk)).exists()


def test_the_version_bump_on_commit_makes_the_calendar_see_the_change(
    admin, django_capture_on_commit_callbacks
):
    # given a calendar already built for the current version
    version = calendar_version()
    assert working_calendar().is_workday(ORDINARY_TUESDAY)
    # when an amendment is written, nothing changes before the commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_amend_day(actor=admin, date=ORDINARY_TUESDAY, kind=CalendarDay.Kind.EXTRA_DAY_OFF)
    assert calendar_version() == version
    assert working_calendar().is_workday(ORDINARY_TUESDAY)  # the cached calendar
    # then after the commit the version moves on and the calendar is rebuilt
    for callback in callbacks:
        callback()
    assert calendar_version() != version
    assert not working_calendar().is_workday(ORDINARY_TUESDAY)


def test_a_process_does_not_keep_an_old_calendar_when_the_version_is_evicted(
    admin, django_capture_on_commit_callbacks
):
    # given this process built the calendar without 2027
    assert not working_calendar().is_loaded(2027)
    # when another process loads 2027 and the cache then drops the version key (the file
    # cache culls, Redis evicts): this process saw neither the load nor its new version
    with mock.patch.object(calendar, "_bump_version"):
        _enter_2027(admin, {dt.date(2027, 1, 1)})
    cache.delete(calendar._TOKEN_KEY)
    # then the next read finds a version no calendar was built under, and rebuilds
    assert working_calendar().is_loaded(2027)


def test_the_version_is_read_once_per_calendar_when_it_is_in_the_cache(
    db, django_assert_num_queries
):
    # given the calendar built once
    working_calendar()
    # when it is asked for again, then it is the same calendar, read from no database
    get = mock.patch.object(calendar.cache, "get", wraps=calendar.cache.get)
    with get as read, django_assert_num_queries(0):
        first, second = working_calendar(), working_calendar()
    assert first is second
    assert read.call_count == 2  # one cache read each


def test_a_cache_that_keeps_nothing_never_serves_an_old_calendar(
    admin, django_capture_on_commit_callbacks
):
    # given a cache that stores nothing (every read misses)
    with (
        mock.patch.object(calendar.cache, "get", return_value=None),
        mock.patch.object(calendar.cache, "add"),
    ):
        assert not working_calendar().is_loaded(2027)
        # when 2027 is loaded, then the next read still sees it
        with django_capture_on_commit_callbacks(execute=True):
            _enter_2027(admin, {dt.date(2027, 1, 1)})
        assert working_calendar().is_loaded(2027)


# --- provisional deadlines -----------------------------------------------------------


@pytest.fixture
def accept_across_new_year(admin, desk, leak, repair_input, frozen_now):
    """Leak repairs reported on 2026-12-30 under a 5-working-day completion clock: their
    deadlines cross 2027, which is not loaded."""
    sla_policy_create(
        actor=admin,
        data=PolicyInput(
            name="渗漏维修",
            work_order_type="repair",
            category_id=leak.pk,
            targets=[TargetInput("completion", "working_days", 5)],
        ),
    )
    frozen_now(dt.datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI))

    def accept() -> Any:
        order, _ = work_order_accept(actor=desk, data=repair_input())
        return order

    return accept


def _enter_2027(admin: Any, holidays: set[dt.date]) -> None:
    calendar_enter_year(
        actor=admin, year=2027, holidays=holidays, makeup_workdays=set(), source="国务院办公厅通知"
    )


def test_entering_next_year_makes_a_provisional_deadline_final(
    admin, accept_across_new_year, django_capture_on_commit_callbacks
):
    # given a repair reported on 2026-12-30 with a 5-working-day completion clock
    order = accept_across_new_year()
    milestone = Milestone.objects.get(work_order=order, kind="completion")
    # then, 2027 not being loaded, the deadline is a Monday-to-Friday guess marked provisional:
    # 12-31, (guessed) 01-01, 01-04, 01-05, 01-06
    assert milestone.provisional
    assert timezone.localtime(milestone.due_at, SHANGHAI).date() == dt.date(2027, 1, 6)
    # when the 2027 notice is entered by hand (New Year's Day off)
    with django_capture_on_commit_callbacks(execute=True):
        _enter_2027(admin, {dt.date(2027, 1, 1), dt.date(2027, 1, 2), dt.date(2027, 1, 3)})
    # then the deadline is recomputed on the entered calendar and is no longer provisional
    milestone.refresh_from_db()
    assert not milestone.provisional
    assert timezone.localtime(milestone.due_at, SHANGHAI).date() == dt.date(2027, 1, 7)
    assert order.events.filter(kind=WorkOrderEvent.Kind.DEADLINES_RECOMPUTED).exists()


def test_a_recompute_reads_the_calendar_from_the_database_not_the_cache(
    admin, accept_across_new_year, django_capture_on_commit_callbacks
):
    # given three repairs whose 5-working-day deadlines cross the unloaded 2027
    for _ in range(3):
        accept_across_new_year()
    assert Milestone.objects.filter(provisional=True).count() == 3
    # when 2027 is entered, and on commit its provisional deadlines are recomputed (one batch)
    version = mock.patch.object(calendar, "calendar_version", wraps=calendar_version)
    with version as read, django_capture_on_commit_callbacks(execute=True):
        _enter_2027(admin, {dt.date(2027, 1, 1)})
    # then the three were recomputed on the calendar as stored: a worker may run before the
    # change's new version reaches the shared cache, so it does not ask the cache
    assert not Milestone.objects.filter(provisional=True).exists()
    assert read.call_count == 0


def test_business_periods_follow_the_setting(settings):
    # given the company works one period a day
    settings.ANJU_BUSINESS_HOURS = ["09:00-17:00"]
    # then the clocks use it (parsed once per value, not once per deadline)
    assert business_periods() == (BusinessPeriod(dt.time(9), dt.time(17)),)
    settings.ANJU_BUSINESS_HOURS = ["08:30-12:00", "13:30-18:00"]
    assert business_periods() == DEFAULT_BUSINESS_PERIODS
