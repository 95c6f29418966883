"""The queues of the service desk: tabs, filters and the next-milestone annotation.

Every row's next open milestone (kind, due time, at-risk time, pause, provisional flag)
comes from correlated subqueries on the indexed milestone table, so a page costs the
same number of queries whatever its length.

Tabs:
* mine — orders I am the responsible person of;
* first — orders I took as first responder (首问负责制);
* team — orders of my team: the departments I was made responsible in for orders
  received in the last TEAM_WINDOW_DAYS days (a repair supervisor who works for
  engineering sees engineering's orders). Users have no department of their own, so
  the team follows the work actually dispatched to them;
* unassigned — accepted, not dispatched yet;
* at_risk / breached — an open milestone is at risk / past due (paused clocks aside);
* on_hold — waiting for the owner or for materials;
* all — everything in my projects.
Each tab shows open orders only, unless a status is chosen in the filters.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from anju.properties.models import Building, Project
from anju.servicedesk.forms import CategoryChoiceField, parse_order_number
from anju.servicedesk.models import Category, Milestone, WorkOrder

TEAM_WINDOW_DAYS = 90
DEFAULT_TAB = "mine"

TABS: list[tuple[str, Any]] = [
    ("mine", _("My orders")),
    ("first", _("I responded first")),
    ("team", _("My team")),
    ("unassigned", _("Unassigned")),
    ("at_risk", _("At risk")),
    ("breached", _("Breached")),
    ("on_hold", _("On hold")),
    ("all", _("All")),
]
TAB_CODES = {code for code, _label in TABS}


def _running() -> QuerySet[Milestone]:
    return Milestone.objects.filter(work_order=OuterRef("pk"), met_at__isnull=True, cancelled=False)


def at_risk_q(now: datetime) -> Q:
    return Q(
        Exists(_running().filter(paused_at__isnull=True, at_risk_at__lte=now, due_at__gte=now))
    )


def breached_q(now: datetime) -> Q:
    late = Q(paused_at__isnull=True, due_at__lt=now) | Q(paused_at__gt=F("due_at"))
    return Q(Exists(_running().filter(late)))


def _team_q(user: Any, now: datetime) -> Q:
    recent = WorkOrder.objects.filter(
        assignee=user, received_at__gte=now - timedelta(days=TEAM_WINDOW_DAYS)
    ).exclude(department="")
    return Q(department__in=Subquery(recent.values("department").distinct()))


_TAB_Q: dict[str, Callable[[Any, datetime], Q]] = {
    "mine": lambda user, now: Q(assignee=user),
    "first": lambda user, now: Q(first_responder=user),
    "team": _team_q,
    "unassigned": lambda user, now: Q(status=WorkOrder.Status.ACCEPTED),
    "at_risk": lambda user, now: at_risk_q(now),
    "breached": lambda user, now: breached_q(now),
    "on_hold": lambda user, now: Q(status=WorkOrder.Status.ON_HOLD),
    "all": lambda user, now: Q(),
}


def with_next_milestone(queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Annotate the earliest-due open milestone of each order (one subquery per column)."""
    nearest = _running().order_by("due_at", "id")
    return queryset.annotate(
        next_kind=Subquery(nearest.values("kind")[:1]),
        next_due_at=Subquery(nearest.values("due_at")[:1]),
        next_at_risk_at=Subquery(nearest.values("at_risk_at")[:1]),
        next_paused_at=Subquery(nearest.values("paused_at")[:1]),
        next_provisional=Subquery(nearest.values("provisional")[:1]),
    )


def next_state(order: WorkOrder, now: datetime) -> str:
    """The state of the annotated next milestone, by the same rule as the sweep."""
    due = getattr(order, "next_due_at", None)
    if due is None:
        return ""
    paused = getattr(order, "next_paused_at", None)
    if paused is not None:
        return "breached" if paused > due else "paused"
    if now > due:
        return "breached"
    at_risk: datetime = order.next_at_risk_at  # type: ignore[attr-defined]
    return "at_risk" if at_risk <= now else "running"


def queue_queryset(user: Any, tab: str, now: datetime) -> QuerySet[WorkOrder]:
    base = WorkOrder.objects.visible_to(user).for_queue().select_related("unit__building")
    return with_next_milestone(base.filter(_TAB_Q.get(tab, _TAB_Q[DEFAULT_TAB])(user, now)))


class _CategoryFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryChoiceField


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Order number or owner"), method="filter_text")
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.none())
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), queryset=Building.objects.none(), field_name="unit__building"
    )
    type = django_filters.ChoiceFilter(label=_("Type"), choices=WorkOrder.Type.choices)
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=WorkOrder.Urgency.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=WorkOrder.Status.choices, method="filter_status"
    )
    category = _CategoryFilter(
        label=_("Category"), queryset=Category.objects.all(), method="filter_category"
    )
    received_from = django_filters.DateFilter(
        label=_("Received from"),
        field_name="received_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label=_("Received to"),
        field_name="received_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["project"].queryset = Project.objects.visible_to(user)
        buildings = Building.objects.visible_to(user).select_related("project")
        self.filters["building"].queryset = buildings.order_by("project__name", "number")
        self.form.fields["building"].label_from_instance = _building_label

    @property
    def qs(self) -> QuerySet[WorkOrder]:
        queryset = super().qs
        if not (self.form.is_bound and self.form.cleaned_data.get("status")):
            queryset = queryset.open()
        return queryset

    def filter_status(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> Any:
        return queryset.filter(status=value)

    def filter_category(self, queryset: QuerySet[WorkOrder], name: str, value: Category) -> Any:
        """The category and everything below it in the tree."""
        return queryset.filter(Q(category=value) | Q(category__path__startswith=f"{value.path} › "))

    def filter_text(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> Any:
        text = value.strip()
        if not text:
            return queryset
        number = parse_order_number(text)
        by_owner = Q(owner__name__icontains=text)
        return queryset.filter(by_owner | Q(pk=number)) if number else queryset.filter(by_owner)


def _building_label(building: Building) -> str:
    return f"{building.project.name} · {building}"
