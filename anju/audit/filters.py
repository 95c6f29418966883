"""Filters above the two audit logs."""

from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from anju.audit.models import ChangeLog, PersonalDataAccess
from anju.security.models import User

_DATE = forms.DateInput(attrs={"type": "date"})


def _actors() -> Any:
    return User.objects.order_by("username")


def record_type_choices() -> list[tuple[int, str]]:
    """Content types of the project's apps (the logs themselves excluded), labelled
    '<app>: <model>' in the current language."""
    labels = [
        c.label for c in apps.get_app_configs() if c.name.startswith("anju.") and c.label != "audit"
    ]
    choices = []
    for ct in ContentType.objects.filter(app_label__in=labels):
        model = ct.model_class()
        if model is None:
            continue
        app = apps.get_app_config(ct.app_label).verbose_name
        choices.append((ct.pk, f"{app}: {model._meta.verbose_name}"))
    return sorted(choices, key=lambda choice: choice[1])


class _Styled(django_filters.FilterSet):
    """Small Bootstrap inputs on every filter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            widget = filter_.field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{css} {css}-sm"


class AccessLogFilter(_Styled):
    actor = django_filters.ModelChoiceFilter(label=_("Who"), queryset=_actors())
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=PersonalDataAccess.Action.choices
    )
    whose = django_filters.CharFilter(
        label=_("Whose"), field_name="subject_repr", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=_DATE
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=_DATE
    )

    class Meta:
        model = PersonalDataAccess
        fields = ["actor", "action", "whose", "since", "until"]


class ChangeLogFilter(_Styled):
    content_type = django_filters.ChoiceFilter(label=_("Record type"), choices=[])
    object_id = django_filters.CharFilter(label=_("Record id"))
    actor = django_filters.ModelChoiceFilter(label=_("Actor"), queryset=_actors())
    action = django_filters.ChoiceFilter(label=_("Action"), choices=ChangeLog.Action.choices)
    since = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=_DATE
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=_DATE
    )

    class Meta:
        model = ChangeLog
        fields = ["content_type", "object_id", "actor", "action", "since", "until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["content_type"].field.choices = record_type_choices()
