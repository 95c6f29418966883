"""The queues of the service desk: tabs, filters and the next-milestone annotation.

The tabs and the "next due" sort read the SLA summary stored on the order (next_due_at,
sla_at_risk_from, sla_breach_from; see WorkOrder), so a tab of 100,000 open orders is an
index scan of its partial index, not a milestone subquery per order. Every queue query
keeps the open-order condition exactly as those partial indexes declare it (OPEN).

The rest of a row's next running milestone (kind, at-risk time, pause, provisional flag)
comes from correlated subqueries in the SELECT list: PostgreSQL evaluates them after the
LIMIT, for the rows of the page only, so a page costs the same whatever the tab's size.

Tabs:
* mine — orders I am the responsible person of;
* first — orders I took as first responder (首问负责制);
* team — orders of my team: the departments I was made responsible in for orders
  received in the last TEAM_WINDOW_DAYS days (a repair supervisor who works for
  engineering sees engineering's orders). Users have no department of their own, so
  the team follows the work actually dispatched to them;
* unassigned — accepted, not dispatched yet;
* at_risk — a running clock is past its at-risk time, and none is past due;
* breached — a running milestone is past due (a clock paused after its due time counts);
  an order both at risk and breached shows under breached only;
* on_hold — waiting for the owner or for materials;
* all — everything in my projects.
Each tab shows open orders only, unless a status is chosen in the filters.
"""

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from anju.properties.models import Building, Project
from anju.servicedesk.forms import CategoryChoiceField, parse_order_number
from anju.servicedesk.models import Category, Milestone, WorkOrder
from anju.servicedesk.models.work_orders import OPEN

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
# The columns a queue row shows (tables.QueueTable): the rest of the order and of its owner
# (the description, personal data) is not read, nor turned into model fields, per poll.
ROW_FIELDS = (
    "project__name",
    "type",
    "urgency",
    "status",
    "received_at",
    "escalated",
    "next_due_at",
    "owner__name",
    "unit__code",
    "category__path",
    "assignee__name",
    "assignee__username",
)


def _running() -> QuerySet[Milestone]:
    return Milestone.objects.filter(work_order=OuterRef("pk"), met_at__isnull=True, cancelled=False)


def breached_q(now: datetime) -> Q:
    """Some running milestone is breached: its clock runs and it is past due, or it was
    paused after its due time (sla_breach_from is the earliest such due time)."""
    return Q(sla_breach_from__lt=now)


def at_risk_q(now: datetime) -> Q:
    """Some running clock is past its at-risk time and no milestone is breached. Once
    nothing is breached every running clock is due at or after now, so this is exactly
    "a running clock has at_risk_at <= now <= due_at" on the orders not breached."""
    not_breached = Q(sla_breach_from__isnull=True) | Q(sla_breach_from__gte=now)
    return Q(sla_at_risk_from__lte=now) & not_breached


def team_q(user: Any, now: datetime) -> Q:
    """The "team" tab (and the API's queue=team). The departments are read first (a range
    of the (assignee, -received_at) index), then given as values: as a sub-query the page
    and its count each ran it, in every parallel worker, and PostgreSQL could not stop the
    capped count early."""
    recent = WorkOrder.objects.filter(
        assignee=user, received_at__gte=now - timedelta(days=TEAM_WINDOW_DAYS)
    ).exclude(department="")
    # order_by(): the model's default ordering would make DISTINCT keep one row per order
    # (thousands for a busy supervisor) instead of one per department.
    departments = sorted(recent.order_by().values_list("department", flat=True).distinct())
    return Q(department__in=departments)  # none yet: an empty tab, without a query


_TAB_Q: dict[str, Callable[[Any, datetime], Q]] = {
    "mine": lambda user, now: Q(assignee=user),
    "first": lambda user, now: Q(first_responder=user),
    "team": team_q,
    "unassigned": lambda user, now: Q(status=WorkOrder.Status.ACCEPTED),
    "at_risk": lambda user, now: at_risk_q(now),
    "breached": lambda user, now: breached_q(now),
    "on_hold": lambda user, now: Q(status=WorkOrder.Status.ON_HOLD),
    "all": lambda user, now: Q(),
}


def tab_q(tab: str, user: Any, now: datetime) -> Q:
    """The tab's condition (the queue pages and the API's queue=), open orders aside."""
    return _TAB_Q[tab](user, now)


def next_due_order(*, descending: bool = False) -> tuple[Any, ...]:
    """Next due first (no running clock last), or the reverse, with the id breaking ties:
    the order of the indexes on (next_due_at, id) of open orders, read forwards or
    backwards (work_order_open_next_due per project, work_order_open_due for several)."""
    due = F("next_due_at")
    if descending:
        return due.desc(nulls_first=True), "-id"
    return due.asc(nulls_last=True), "id"


def with_next_milestone(queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Annotate the earliest-due running milestone of each order (one subquery per column;
    its due time is stored on the order as next_due_at). Only for the rows shown: neither
    the tabs nor the sort may use these, or PostgreSQL computes them for every order."""
    nearest = _running().order_by("due_at", "id")
    return queryset.annotate(
        next_kind=Subquery(nearest.values("kind")[:1]),
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
    """The tab's orders, open or not: QueueFilter.qs keeps the open ones unless a status
    is chosen."""
    base = WorkOrder.objects.visible_to(user).for_queue().only(*ROW_FIELDS)
    return with_next_milestone(base.filter(_TAB_Q.get(tab, _TAB_Q[DEFAULT_TAB])(user, now)))


class _Select(forms.Select):
    """A <select> of flat choices written in Python: Django renders every <option> through
    two templates, most of the filter form's cost on the full queue page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


class _ListChoiceIterator(ModelChoiceIterator):
    """The choices from one ordinary query. ModelChoiceIterator reads them through a
    server-side cursor (DECLARE, FETCH until empty, CLOSE: four round trips for a few
    dozen rows), and the full queue page has three such selects."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ChoiceField(forms.ModelChoiceField):
    iterator = _ListChoiceIterator


class _CategoryField(CategoryChoiceField):
    iterator = _ListChoiceIterator


class _ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ChoiceField


class _CategoryFilter(django_filters.ModelChoiceFilter):
    field_class = _CategoryField


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Order number or owner"), method="filter_text")
    project = _ModelChoiceFilter(
        label=_("Project"), queryset=Project.objects.none(), widget=_Select
    )
    building = _ModelChoiceFilter(
        label=_("Building"),
        queryset=Building.objects.none(),
        field_name="unit__building",
        widget=_Select,
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=WorkOrder.Type.choices, widget=_Select
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=WorkOrder.Urgency.choices, widget=_Select
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=WorkOrder.Status.choices, method="filter_status", widget=_Select
    )
    category = _CategoryFilter(
        label=_("Category"),
        queryset=Category.objects.all(),
        method="filter_category",
        widget=_Select,
    )
    # Local days as instants (the start of the day, the start of the next one), so the
    # received_at indexes serve the range; received_at__date would convert every row.
    received_from = django_filters.DateFilter(
        label=_("Received from"),
        method="filter_received_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label=_("Received to"),
        method="filter_received_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["project"].queryset = Project.objects.visible_to(user)
        buildings = Building.objects.visible_to(user).select_related("project")
        # 2 before 10: building numbers are text, shorter ones first
        self.filters["building"].queryset = buildings.order_by(
            "project__name", Length("number"), "number"
        )
        self.form.fields["building"].label_from_instance = _building_label

    @property
    def qs(self) -> QuerySet[WorkOrder]:
        queryset = super().qs
        if not (self.form.is_bound and self.form.cleaned_data.get("status")):
            # OPEN exactly as the queue's partial indexes declare it.
            queryset = queryset.filter(OPEN)
        return queryset

    def filter_status(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> Any:
        return queryset.filter(status=value)

    def filter_category(self, queryset: QuerySet[WorkOrder], name: str, value: Category) -> Any:
        """The category and everything below it in the tree."""
        return queryset.filter(Q(category=value) | Q(category__path__startswith=f"{value.path} › "))

    def filter_text(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> Any:
        return queryset.filter(text_q(value))

    def filter_received_from(self, queryset: QuerySet[WorkOrder], name: str, value: date) -> Any:
        return queryset.filter(received_at__gte=start_of_day(value))

    def filter_received_to(self, queryset: QuerySet[WorkOrder], name: str, value: date) -> Any:
        return queryset.filter(received_at__lt=start_of_day(value + timedelta(days=1)))


def start_of_day(day: date) -> datetime:
    """Midnight of a local (Asia/Shanghai) day, as an aware instant."""
    return datetime.combine(day, time.min, timezone.get_default_timezone())


def text_q(value: str) -> Q:
    """The text search (`q`, here and in the API): the owner's name contains the text, or
    the text is the order's number (GD00000012, gd12, 12). Blank text matches everything."""
    text = value.strip()
    if not text:
        return Q()
    number = parse_order_number(text)
    by_owner = Q(owner__name__icontains=text)
    return by_owner | Q(pk=number) if number else by_owner


def _building_label(building: Building) -> str:
    return f"{building.project.name} · {building}"
