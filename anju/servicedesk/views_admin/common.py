"""Small helpers shared by the administration pages."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anju.servicedesk.models.sla import ClockKind


def order_url(pk: int) -> str:
    """The work order's page (built by the desk views; a plain path until that URL exists)."""
    try:
        return reverse("servicedesk:detail", args=[pk])
    except NoReverseMatch:
        return f"/desk/{pk}/"


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: known fields, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def first_message(exc: ValidationError) -> str:
    return next(iter(exc.messages), _("The change was refused."))


def humane_amount(clock: str, amount: int) -> str:
    """ "10 minutes", "24 hours", "2 working days" ("2 个工作日" in Chinese)."""
    if clock == ClockKind.WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", amount) % {"n": amount}
    business = clock == ClockKind.BUSINESS_HOURS
    hours, minutes = divmod(amount, 60)
    if hours and not minutes:
        if business:
            return ngettext("%(n)s business hour", "%(n)s business hours", hours) % {"n": hours}
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    if hours:
        text = _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
        return _("%(time)s of business hours") % {"time": text} if business else text
    if business:
        return ngettext("%(n)s business minute", "%(n)s business minutes", amount) % {"n": amount}
    return ngettext("%(n)s minute", "%(n)s minutes", amount) % {"n": amount}


def selected(value: Any, choices: tuple[str, ...], default: str) -> str:
    return value if value in choices else default
