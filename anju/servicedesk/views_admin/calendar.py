"""The working calendar: administrators view it and amend it; they are never left guessing.

The page lists the loaded years and shows one year day by day. A year that is not loaded
is shown as a Monday-to-Friday guess, marked provisional, with the two ways to load it:
from the official package, or typed in from the State Council notice.
"""

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anju.servicedesk.calendar import (
    calendar_amend_day,
    calendar_enter_year,
    calendar_load_official_year,
    calendar_remove_day,
    working_calendar,
)
from anju.servicedesk.forms_admin import (
    CalendarAmendForm,
    CalendarEnterForm,
    CalendarLoadForm,
    format_dates,
)
from anju.servicedesk.models import CalendarDay, CalendarYear
from anju.servicedesk.rules.calendar import WorkingCalendar
from anju.servicedesk.rules.official_calendar import OfficialYearUnavailable, available_years
from anju.servicedesk.views_admin.common import first_message

EXTRA = (CalendarDay.Kind.EXTRA_DAY_OFF, CalendarDay.Kind.EXTRA_WORKDAY)
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class DayCell:
    date: dt.date
    kind: str  # holiday, makeup, extra_off, extra_work, weekend, workday
    workday: bool
    provisional: bool


def day_cell(cal: WorkingCalendar, d: dt.date) -> DayCell:
    workday, provisional = cal.is_workday_provisional(d)
    official = cal.years.get(d.year)
    if d in cal.extra_days_off:
        kind = "extra_off"
    elif d in cal.extra_workdays:
        kind = "extra_work"
    elif official is not None and d in official.holidays:
        kind = "holiday"
    elif official is not None and d in official.makeup_workdays:
        kind = "makeup"
    else:
        kind = "weekend" if d.weekday() >= 5 else "workday"
    return DayCell(d, kind, workday, provisional)


def month_grid(cal: WorkingCalendar, year: int) -> list[dict[str, Any]]:
    """Twelve months of weeks (Monday first); days of other months are None."""
    weeks_of = pycalendar.Calendar(firstweekday=0).monthdatescalendar
    return [
        {
            "first": dt.date(year, month, 1),
            "weeks": [
                [day_cell(cal, d) if d.month == month else None for d in week]
                for week in weeks_of(year, month)
            ],
        }
        for month in range(1, 13)
    ]


def year_rows(cal: WorkingCalendar) -> list[dict[str, Any]]:
    """Each loaded year with its source and counts (one grouped query)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    grouped = (
        CalendarDay.objects.filter(kind__in=CalendarDay.OFFICIAL)
        .annotate(year=ExtractYear("date"))
        .values("year", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        counts[row["year"]][row["kind"]] = row["n"]
    return [
        {
            "entry": entry,
            "holidays": counts[entry.year].get(CalendarDay.Kind.HOLIDAY, 0),
            "makeup": counts[entry.year].get(CalendarDay.Kind.MAKEUP_WORKDAY, 0),
            "working_days": cal.working_days_in_year(entry.year)
            if cal.is_loaded(entry.year)
            else None,
        }
        for entry in CalendarYear.objects.order_by("-year")
    ]


def _year_param(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if FIRST_YEAR <= year <= LAST_YEAR else default


def _to_year(year: int) -> HttpResponse:
    return redirect(f"{reverse('desk_admin:calendar')}?year={year}")


@login_required
@permission_required("servicedesk.view_calendarday", raise_exception=True)
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _year_param(request, today.year)
    cal = working_calendar()
    covered = available_years()
    context = {
        "year": year,
        "today": today,
        "loaded": cal.is_loaded(year),
        "source": cal.years[year].source if cal.is_loaded(year) else "",
        "years": year_rows(cal),
        "months": month_grid(cal, year),
        "amendments": CalendarDay.objects.filter(date__year=year, kind__in=EXTRA),
        "load_form": CalendarLoadForm(initial={"year": year}),
        "amend_form": CalendarAmendForm(),
        "package_first": covered.start,
        "package_last": covered.stop - 1,
        "in_package": year in covered,
    }
    return render(request, "servicedesk/admin/calendar.html", context)


@login_required
@permission_required("servicedesk.add_calendaryear", raise_exception=True)
@require_POST
def calendar_load(request: HttpRequest) -> HttpResponse:
    form = CalendarLoadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a year between 2000 and 2100."))
        return redirect("desk_admin:calendar")
    year = form.cleaned_data["year"]
    try:
        calendar_load_official_year(actor=request.user, year=year)
    except OfficialYearUnavailable:
        covered = available_years()
        messages.error(
            request,
            _(
                "The official calendar package has no holiday arrangement for %(year)s "
                "(it covers %(first)s–%(last)s). Enter the State Council notice for "
                "%(year)s by hand."
            )
            % {"year": year, "first": covered.start, "last": covered.stop - 1},
        )
        return _to_year(year)
    messages.success(
        request,
        _("The official calendar of %(year)s is loaded; provisional deadlines are recomputed.")
        % {"year": year},
    )
    return _to_year(year)


def _enter_initial(year: int) -> dict[str, Any]:
    """Pre-fill the form with what is stored for the year, so a notice can be corrected."""
    days = CalendarDay.objects.filter(date__year=year, kind__in=CalendarDay.OFFICIAL)
    holidays = {d.date for d in days if d.kind == CalendarDay.Kind.HOLIDAY}
    makeup = {d.date for d in days if d.kind == CalendarDay.Kind.MAKEUP_WORKDAY}
    entry = CalendarYear.objects.filter(year=year).first()
    return {
        "year": year,
        "holidays": format_dates(holidays),
        "makeup_workdays": format_dates(makeup),
        "source": entry.source if entry else "",
    }


@login_required
@permission_required("servicedesk.add_calendaryear", raise_exception=True)
def calendar_enter(request: HttpRequest) -> HttpResponse:
    year = _year_param(request, timezone.localdate().year + 1)
    form = CalendarEnterForm(request.POST or None, initial=_enter_initial(year))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        calendar_enter_year(
            actor=request.user,
            year=data["year"],
            holidays=data["holidays"],
            makeup_workdays=data["makeup_workdays"],
            source=data["source"],
        )
        messages.success(
            request,
            _("The calendar of %(year)s is saved; provisional deadlines are recomputed.")
            % {"year": data["year"]},
        )
        return _to_year(data["year"])
    loaded = CalendarYear.objects.filter(year=year).exists()
    return render(
        request,
        "servicedesk/admin/calendar_enter.html",
        {"form": form, "year": year, "loaded": loaded},
    )


@login_required
@permission_required("servicedesk.add_calendarday", raise_exception=True)
@require_POST
def calendar_amend(request: HttpRequest) -> HttpResponse:
    form = CalendarAmendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a date and whether it is a day off or a working day."))
        return redirect("desk_admin:calendar")
    data = form.cleaned_data
    try:
        day = calendar_amend_day(
            actor=request.user, date=data["date"], kind=data["kind"], name=data["name"]
        )
    except ValidationError as exc:
        messages.error(request, first_message(exc))
        return _to_year(data["date"].year)
    messages.success(
        request,
        _("%(date)s is now a %(kind)s.") % {"date": day.date, "kind": day.get_kind_display()},
    )
    return _to_year(day.date.year)


@login_required
@permission_required("servicedesk.delete_calendarday", raise_exception=True)
@require_POST
def calendar_remove(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(CalendarDay, pk=pk, kind__in=EXTRA)
    year = day.date.year
    calendar_remove_day(actor=request.user, day=day)
    messages.success(request, _("The amendment of %(date)s is removed.") % {"date": day.date})
    return _to_year(year)
