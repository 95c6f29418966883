"""The working calendar from the database, and its write path.

Official years come from the pinned `chinesecalendar` package; administrators amend the
calendar with company days off or working days, or type in a new year's State Council
notice. Any change puts a new version token in the cache, so every process rebuilds its
in-memory WorkingCalendar once, and the running deadlines the change may move (the
provisional ones, and the working-time ones over the changed days) are recomputed in the
background (recompute.py).
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from anju.audit.services import log_change, snapshot
from anju.servicedesk.models import CalendarDay, CalendarYear
from anju.servicedesk.rules.calendar import WorkingCalendar, YearCalendar
from anju.servicedesk.rules.clocks import BusinessPeriod, normalize_periods
from anju.servicedesk.rules.official_calendar import official_year

# The calendar's version in the shared cache: a random token, never a counter. A process
# keeps the calendar it built under a token (lru_cache below). If the key is evicted
# (Django's file cache culls, Redis may evict), the next read puts a fresh token there,
# which no process has built a calendar under, so every process rebuilds: a counter would
# start again at 1 and a process still holding its old calendar 1 (say, without a year
# loaded since) would keep using it.
_TOKEN_KEY = "anju:calendar-token"


def calendar_version() -> str:
    """The calendar's current token (one cache read, three after an eviction)."""
    token = cache.get(_TOKEN_KEY)
    if token is None:
        cache.add(_TOKEN_KEY, uuid.uuid4().hex, timeout=None)  # the first process wins
        # None only when the cache keeps nothing: a token of our own, so rather rebuild
        # than trust a calendar built under an old one
        token = cache.get(_TOKEN_KEY) or uuid.uuid4().hex
    return str(token)


def _bump_version() -> None:
    cache.set(_TOKEN_KEY, uuid.uuid4().hex, timeout=None)


def working_calendar() -> WorkingCalendar:
    """The current calendar, rebuilt only after a change (see calendar_version)."""
    return _build_calendar(calendar_version())


@lru_cache(maxsize=2)
def _build_calendar(token: str) -> WorkingCalendar:
    years: dict[int, dict[str, set[dt.date]]] = {
        year.year: {"holidays": set(), "makeup": set()} for year in CalendarYear.objects.all()
    }
    sources = dict(CalendarYear.objects.values_list("year", "source"))
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    for day in CalendarDay.objects.all():
        if day.kind == CalendarDay.Kind.HOLIDAY and day.date.year in years:
            years[day.date.year]["holidays"].add(day.date)
        elif day.kind == CalendarDay.Kind.MAKEUP_WORKDAY and day.date.year in years:
            years[day.date.year]["makeup"].add(day.date)
        elif day.kind == CalendarDay.Kind.EXTRA_DAY_OFF:
            off.add(day.date)
        elif day.kind == CalendarDay.Kind.EXTRA_WORKDAY:
            work.add(day.date)
    loaded = {
        year: YearCalendar(year, frozenset(d["holidays"]), frozenset(d["makeup"]), sources[year])
        for year, d in years.items()
    }
    return WorkingCalendar(loaded, off, work, tz=ZoneInfo(settings.TIME_ZONE))


def business_periods() -> tuple[BusinessPeriod, ...]:
    return _parsed_periods(tuple(settings.ANJU_BUSINESS_HOURS))


@lru_cache(maxsize=4)
def _parsed_periods(texts: tuple[str, ...]) -> tuple[BusinessPeriod, ...]:
    return normalize_periods(BusinessPeriod.parse(text) for text in texts)


@dataclass(frozen=True)
class Clocks:
    """What a deadline is computed on: the working calendar and the business periods.

    Read once per operation and passed along: every read of the calendar asks the shared
    cache for its version (a Redis round trip at scale), and an order's milestones, or a
    batch of recomputed ones, need one answer, not one each.
    """

    calendar: WorkingCalendar
    periods: tuple[BusinessPeriod, ...]


def current_clocks() -> Clocks:
    return Clocks(working_calendar(), business_periods())


def fresh_clocks() -> Clocks:
    """The calendar as the database has it now, not as this process cached it: a
    recompute may run before the change's new version token reaches the cache."""
    return Clocks(_build_calendar.__wrapped__(uuid.uuid4().hex), business_periods())


@transaction.atomic
def calendar_load_official_year(*, actor: Any, year: int) -> CalendarYear:
    """Load (or reload) a year from the package; raises OfficialYearUnavailable."""
    official = official_year(year)
    return _store_year(actor, year, official.holidays, official.makeup_workdays, official.source)


@transaction.atomic
def calendar_enter_year(
    *, actor: Any, year: int, holidays: set[dt.date], makeup_workdays: set[dt.date], source: str
) -> CalendarYear:
    """A year typed in from the State Council notice (before the package has it)."""
    YearCalendar(year, frozenset(holidays), frozenset(makeup_workdays), source)  # validates
    return _store_year(actor, year, holidays, makeup_workdays, source)


def _store_year(actor: Any, year: int, holidays: Any, makeup: Any, source: str) -> CalendarYear:
    CalendarDay.objects.filter(date__year=year, kind__in=CalendarDay.OFFICIAL).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY) for d in sorted(holidays)]
        + [CalendarDay(date=d, kind=CalendarDay.Kind.MAKEUP_WORKDAY) for d in sorted(makeup)]
    )
    entry, created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    log_change(
        actor=actor,
        instance=entry,
        action="create" if created else "update",
        before=None,
        after={**snapshot(entry), "holidays": len(holidays), "makeup_workdays": len(makeup)},
    )
    _after_calendar_change(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return entry


@transaction.atomic
def calendar_amend_day(*, actor: Any, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    if kind not in (CalendarDay.Kind.EXTRA_DAY_OFF, CalendarDay.Kind.EXTRA_WORKDAY):
        from django.core.exceptions import ValidationError

        raise ValidationError(
            {
                "kind": [
                    ValidationError(
                        _("Only company days off or working days can be added by hand."),
                        code="invalid_choice",
                    )
                ]
            }
        )
    official = _official_workday(date)
    if kind == CalendarDay.Kind.EXTRA_DAY_OFF and not official:
        raise _refuse("date", _("%(date)s is already a day off.") % {"date": date}, "day_off")
    if kind == CalendarDay.Kind.EXTRA_WORKDAY and official:
        raise _refuse("date", _("%(date)s is already a working day.") % {"date": date}, "workday")
    CalendarDay.objects.filter(
        date=date, kind__in=(CalendarDay.Kind.EXTRA_DAY_OFF, CalendarDay.Kind.EXTRA_WORKDAY)
    ).delete()
    day = CalendarDay.objects.create(date=date, kind=kind, name=name)
    log_change(actor=actor, instance=day, action="create", before=None, after=snapshot(day))
    _after_calendar_change(date, date)
    return day


def _official_workday(date: dt.date) -> bool:
    """Whether the official calendar (Monday to Friday for a year not loaded) makes the
    day a working day, before any company amendment."""
    year = working_calendar().years.get(date.year)
    return year.is_official_workday(date) if year else date.weekday() < 5


def _refuse(field: str, message: str, code: str) -> Any:
    from django.core.exceptions import ValidationError

    return ValidationError({field: [ValidationError(message, code=code)]})


@transaction.atomic
def calendar_remove_day(*, actor: Any, day: CalendarDay) -> None:
    before = snapshot(day)
    log_change(actor=actor, instance=day, action="delete", before=before, after=None)
    changed = day.date
    day.delete()
    _after_calendar_change(changed, changed)


def _after_calendar_change(first_day: dt.date, last_day: dt.date) -> None:
    """Every process rebuilds its calendar, and the deadlines over the changed days (and
    the provisional ones) are recomputed in the background."""
    from anju.servicedesk.recompute import request_recompute

    transaction.on_commit(_bump_version)
    request_recompute(first_day, last_day)
