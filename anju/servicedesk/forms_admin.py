"""Forms of the service-desk administration pages. They validate; services write."""

import datetime as dt
import re
from calendar import SATURDAY
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anju.properties.models import Project
from anju.security.forms import style_widgets
from anju.security.models import User
from anju.servicedesk.forms import PersonChoiceField
from anju.servicedesk.models import CalendarDay, Category, WorkOrder
from anju.servicedesk.models.sla import TARGET_MILESTONES, ClockKind
from anju.servicedesk.services.duty import DUTY_PERM
from anju.servicedesk.services.policies import PolicyInput, TargetInput

_SPLIT = re.compile(r"[\s,;，；、]+")
_RANGE = re.compile(r"^(\S+?)(?:~|\.\.|～)(\S+)$")
MAX_RANGE_DAYS = 31


class _Styled(forms.Form):
    small = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self, small=self.small)


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date (write 2027-02-06)."),
            code="invalid_date",
            params={"value": text},
        ) from None


def parse_dates(text: str) -> set[dt.date]:
    """Dates written one by one or as ranges: "2027-01-01 2027-02-06~2027-02-12"."""
    days: set[dt.date] = set()
    for token in filter(None, _SPLIT.split(text.strip())):
        matched = _RANGE.match(token)
        if not matched:
            days.add(_parse_date(token))
            continue
        first, last = _parse_date(matched.group(1)), _parse_date(matched.group(2))
        if not 0 <= (last - first).days <= MAX_RANGE_DAYS:
            raise ValidationError(
                _("“%(value)s” is not a range of at most %(max)s days."),
                code="invalid_range",
                params={"value": token, "max": MAX_RANGE_DAYS},
            )
        days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return days


def format_dates(days: set[dt.date]) -> str:
    return "\n".join(d.isoformat() for d in sorted(days))


class CalendarLoadForm(_Styled):
    small = True
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class CalendarEnterForm(_Styled):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label=_("Public holidays (days off)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Every day off of the holiday blocks, weekends inside a block included; one date "
            "or a range like 2027-02-06~2027-02-12 per line."
        ),
    )
    makeup_workdays = forms.CharField(
        label=_("Make-up working days (调休)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The Saturdays and Sundays the notice makes working days."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_(
            "The notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕N号)."
        ),
    )

    def clean_holidays(self) -> set[dt.date]:
        return parse_dates(self.cleaned_data["holidays"])

    def clean_makeup_workdays(self) -> set[dt.date]:
        return parse_dates(self.cleaned_data["makeup_workdays"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not {"year", "holidays", "makeup_workdays"} <= data.keys():
            return data
        holidays, makeup = data["holidays"], data["makeup_workdays"]
        outside = sorted(d for d in holidays | makeup if d.year != data["year"])
        if outside:
            raise ValidationError(
                _("These dates are not in %(year)s: %(dates)s."),
                code="wrong_year",
                params={"year": data["year"], "dates": ", ".join(map(str, outside))},
            )
        weekdays = sorted(d for d in makeup if d.weekday() < SATURDAY)
        if weekdays:
            raise ValidationError(
                _("Make-up working days are Saturdays or Sundays: %(dates)s is not."),
                code="makeup_weekday",
                params={"dates": ", ".join(map(str, weekdays))},
            )
        both = sorted(holidays & makeup)
        if both:
            raise ValidationError(
                _("These dates cannot be both a holiday and a make-up working day: %(dates)s."),
                code="both",
                params={"dates": ", ".join(map(str, both))},
            )
        return data


class CalendarAmendForm(_Styled):
    small = True
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (CalendarDay.Kind.EXTRA_DAY_OFF, CalendarDay.Kind.EXTRA_DAY_OFF.label),
            (CalendarDay.Kind.EXTRA_WORKDAY, CalendarDay.Kind.EXTRA_WORKDAY.label),
        ],
    )
    name = forms.CharField(label=_("Reason"), max_length=50, required=False)


class SlaPolicyForm(_Styled):
    name = forms.CharField(label=_("Policy name"), max_length=100)
    work_order_type = forms.ChoiceField(label=_("Type"), choices=WorkOrder.Type.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), *WorkOrder.Urgency.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Any category"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SlaTargetForm(_Styled):
    small = True
    # A blank first choice, so that an untouched extra row is left out, not half-filled.
    milestone = forms.ChoiceField(label=_("Milestone"), choices=[("", "—"), *TARGET_MILESTONES])
    clock = forms.ChoiceField(label=_("Clock"), choices=[("", "—"), *ClockKind.choices])
    amount = forms.IntegerField(
        label=_("Amount"),
        min_value=1,
        help_text=_("Minutes for hour clocks, days for working-day clocks."),
    )
    at_risk_share = forms.DecimalField(
        label=_("At risk after"),
        min_value=0.01,
        max_value=1,
        decimal_places=2,
        initial=Decimal("0.80"),
        help_text=_("Share of the time elapsed, e.g. 0.80."),
    )
    pauses_on_hold = forms.BooleanField(label=_("Pauses on hold"), required=False, initial=True)


SlaTargetFormSet = forms.formset_factory(SlaTargetForm, extra=1, can_delete=True)


def policy_input(form: SlaPolicyForm, formset: Any) -> PolicyInput:
    """What the service needs from a valid policy form and target formset."""
    data = form.cleaned_data
    category = data["category"]
    targets = [
        TargetInput(
            milestone=row["milestone"],
            clock=row["clock"],
            amount=row["amount"],
            at_risk_share=row["at_risk_share"],
            pauses_on_hold=row["pauses_on_hold"],
        )
        for row in formset.cleaned_data
        if row and not row.get("DELETE")
    ]
    return PolicyInput(
        name=data["name"],
        work_order_type=data["work_order_type"],
        urgency=data["urgency"],
        category_id=category.pk if category else None,
        is_active=data["is_active"],
        targets=targets,
    )


class CategoryAddForm(_Styled):
    small = True
    parent = forms.ModelChoiceField(
        label=_("Parent"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("(top level)"),
    )
    name = forms.CharField(label=_("Category name"), max_length=50)


class CategoryRenameForm(_Styled):
    small = True
    name = forms.CharField(label=_("Category name"), max_length=50)


class AlertNoteForm(_Styled):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, note_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required


class DutyShiftForm(_Styled):
    """A shift of the duty roster; the people offered are those who may be on duty in the
    user's projects (the service checks the chosen project)."""

    small = True
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    person = PersonChoiceField(label=_("On duty"), queryset=User.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Shift starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Shift ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects = Project.objects.visible_to(user).order_by("name")
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        people = (
            User.objects.with_perm(DUTY_PERM)
            .filter(projects__in=projects)
            .distinct()
            .prefetch_related("groups")
            .order_by("name", "username")
        )
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
