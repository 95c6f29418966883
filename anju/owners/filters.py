"""Filters for the owner list, shared by the page, the API and the export."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.owners.lifecycle import ownership_stage_q
from anju.owners.models import Owner, Ownership, Tag
from anju.owners.rules.lifecycle import Stage
from anju.owners.selectors import search_owner_ids
from anju.properties.models import Building, Project


class _YesNoAll(forms.NullBooleanSelect):
    """Any / yes / no, where Django's default says "Unknown" for "don't filter"."""

    def __init__(self) -> None:
        super().__init__()
        self.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]


_YES_NO = _YesNoAll()


class OwnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    project = django_filters.ModelChoiceFilter(
        label=_("Project"), queryset=Project.objects.none(), method="filter_project"
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), queryset=Building.objects.none(), method="filter_building"
    )
    stage = django_filters.ChoiceFilter(
        label=_("Lifecycle stage"), choices=Stage.choices, method="filter_stage"
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Owner.Kind.choices)
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), queryset=Tag.objects.all(), field_name="tags"
    )
    consent_sms = django_filters.BooleanFilter(label=_("Contact by SMS"), widget=_YES_NO)
    consent_wechat = django_filters.BooleanFilter(label=_("Contact by WeChat"), widget=_YES_NO)

    class Meta:
        model = Owner
        fields = ["q", "project", "building", "stage", "kind", "tag"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None else getattr(self.request, "user", None)
        self.filters["project"].queryset = Project.objects.visible_to(self.user)
        self.filters["building"].queryset = Building.objects.visible_to(self.user)

    def _with_ownership(self, queryset: QuerySet[Owner], **lookups: Any) -> QuerySet[Owner]:
        rows = Ownership.objects.active().filter(owner=OuterRef("pk"), **lookups)
        return queryset.filter(Exists(rows))

    def filter_search(self, queryset: QuerySet[Owner], name: str, value: str) -> QuerySet[Owner]:
        _kind, ids = search_owner_ids(self.user, value, limit=200)
        return queryset.filter(pk__in=ids)

    def filter_project(self, queryset: QuerySet[Owner], name: str, value: Any) -> QuerySet[Owner]:
        return self._with_ownership(queryset, unit__project=value)

    def filter_building(self, queryset: QuerySet[Owner], name: str, value: Any) -> QuerySet[Owner]:
        return self._with_ownership(queryset, unit__building=value)

    def filter_stage(self, queryset: QuerySet[Owner], name: str, value: str) -> QuerySet[Owner]:
        """Same rule as lifecycle.owner_stage: the stage of the latest handover so far."""
        today = timezone.localdate()
        latest = (
            Ownership.objects.active()
            .filter(owner=OuterRef("pk"), handover_date__lte=today)
            .order_by("-handover_date")
            .values("handover_date")[:1]
        )
        has_unit = Exists(Ownership.objects.active().filter(owner=OuterRef("pk")))
        queryset = queryset.annotate(latest_handover_date=Subquery(latest)).filter(has_unit)
        return queryset.filter(ownership_stage_q(value, today=today, prefix="latest_"))
