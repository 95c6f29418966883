"""Filters of the registry lists, shared by the pages and the API.

Choices are limited to what the user may see, so a foreign id answers "not a valid
choice" rather than revealing that it exists.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anju.properties.forms import ProjectLabelledChoiceField, bootstrapify
from anju.properties.models import Building, Layout, Phase, Project, Unit


class LabelledChoiceFilter(django_filters.ModelChoiceFilter):
    """Choices read 'Project · Phase · Building', so same-named rows stay apart."""

    field_class = ProjectLabelledChoiceField

    def __init__(self, *args: Any, related: tuple[str, ...] = ("project",), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.related = related


class ScopedFilterSet(django_filters.FilterSet):
    """Limits every model-choice filter to the user's visible rows."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None else getattr(self.request, "user", None)
        for item in self.filters.values():
            if isinstance(item, django_filters.ModelChoiceFilter):
                queryset = item.queryset.model.objects.visible_to(self.user)
                if isinstance(item, LabelledChoiceFilter):
                    queryset = queryset.select_related(*item.related)
                item.queryset = queryset
        bootstrapify(self.form)


def _int() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": 1, "min": 1, "style": "width: 6rem"})


def _date(label: Any) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "aria-label": label})


class ProjectFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = Project
        fields = ["q"]

    def filter_q(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(code__istartswith=value) | Q(city__icontains=value)
        )


class PhaseFilter(ScopedFilterSet):
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())

    class Meta:
        model = Phase
        fields = ["project"]


class LayoutFilter(ScopedFilterSet):
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())

    class Meta:
        model = Layout
        fields = ["project"]


class BuildingFilter(ScopedFilterSet):
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())
    phase = LabelledChoiceFilter(label=_("Phase"), queryset=Phase.objects.all())
    number = django_filters.CharFilter(label=_("Building number"), lookup_expr="iexact")

    class Meta:
        model = Building
        fields = ["project", "phase", "number"]


class UnitFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Unit number"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 3-2-18")}),
    )
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.all())
    phase = LabelledChoiceFilter(
        label=_("Phase"), queryset=Phase.objects.all(), field_name="building__phase"
    )
    building = LabelledChoiceFilter(
        label=_("Building"), queryset=Building.objects.all(), related=("project", "phase")
    )
    layout = LabelledChoiceFilter(label=_("Layout"), queryset=Layout.objects.all())
    floor_min = django_filters.NumberFilter(
        label=_("From floor"), field_name="floor", lookup_expr="gte", widget=_int()
    )
    floor_max = django_filters.NumberFilter(
        label=_("To floor"), field_name="floor", lookup_expr="lte", widget=_int()
    )
    delivery_from = django_filters.DateFilter(
        label=_("Delivered from"),
        field_name="delivery_date",
        lookup_expr="gte",
        widget=_date(_("Delivered from")),
    )
    delivery_to = django_filters.DateFilter(
        label=_("Delivered until"),
        field_name="delivery_date",
        lookup_expr="lte",
        widget=_date(_("Delivered until")),
    )

    class Meta:
        model = Unit
        fields = [
            "q",
            "project",
            "phase",
            "building",
            "layout",
            "floor_min",
            "floor_max",
            "delivery_from",
            "delivery_to",
        ]

    def filter_q(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        """Unit numbers as people type them: a prefix of 3-2-1801."""
        return queryset.filter(code__startswith=value.strip())
