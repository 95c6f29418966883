"""Filters of the work-order list API: fields, queues and ordering.

Queues (`queue=`), open orders only: mine (assigned to me or taken by me as first
responder), team, unassigned, at_risk, breached, on_hold. team, at_risk and breached are
the queue pages' tabs (filters.team_q, at_risk_q, breached_q): team is the departments I
was made responsible in for orders received in the last TEAM_WINDOW_DAYS days; at_risk and
breached are live (from the due times, before the sweep marks them) and read the SLA
summary stored on the order: an order both at risk and breached is listed under breached
only. `q=` is the queue pages' text search (filters.text_q): the owner's name contains
the text, or the text is the order's number.
Ordering: received_at or next_due (the stored due time of the earliest running milestone).
"""

from decimal import Decimal

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from anju.servicedesk.filters import TEAM_WINDOW_DAYS, at_risk_q, breached_q, team_q, text_q
from anju.servicedesk.models import Category, GroupComplaintAlert, WorkOrder
from anju.servicedesk.models.work_orders import OPEN

QUEUES = [
    ("mine", _("My orders")),
    ("team", _("My team")),
    ("unassigned", _("Unassigned")),
    ("at_risk", _("At risk")),
    ("breached", _("Breached")),
    ("on_hold", _("On hold")),
]
ORDERINGS = [
    ("received_at", _("Reported, oldest first")),
    ("-received_at", _("Reported, newest first")),
    ("next_due", _("Next due first")),
    ("-next_due", _("Next due last")),
]


class WorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Text: the owner's name contains it, or it is the order number (GD00000012, 12)"),
    )
    project = django_filters.NumberFilter(field_name="project_id")
    building = django_filters.NumberFilter(field_name="unit__building_id")
    type = django_filters.ChoiceFilter(choices=WorkOrder.Type.choices)
    urgency = django_filters.ChoiceFilter(choices=WorkOrder.Urgency.choices)
    # A column of the order itself: nothing to de-duplicate. django-filter's default
    # DISTINCT would sort every matching row, with its joined owner, unit and users,
    # before the page is cut (5.8 s for a project's 388,477 closed orders at 5M orders).
    status = django_filters.MultipleChoiceFilter(choices=WorkOrder.Status.choices, distinct=False)
    category = django_filters.NumberFilter(
        method="filter_category", label=_("Category (and its subcategories)")
    )
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    first_responder = django_filters.NumberFilter(field_name="first_responder_id")
    owner = django_filters.NumberFilter(field_name="owner_id")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lte")
    queue = django_filters.ChoiceFilter(
        choices=QUEUES,
        method="filter_queue",
        label=format_lazy(
            _(
                "Queue, open orders only. mine: assigned to me or taken by me first; team: "
                "the departments I was made responsible in for orders received in the last "
                "{days} days; unassigned; at_risk; breached; on_hold."
            ),
            days=TEAM_WINDOW_DAYS,
        ),
    )
    ordering = django_filters.ChoiceFilter(choices=ORDERINGS, method="filter_ordering")

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def filter_category(
        self, queryset: QuerySet[WorkOrder], name: str, value: Decimal
    ) -> QuerySet[WorkOrder]:
        category = Category.objects.filter(pk=int(value)).only("path").first()
        if category is None:
            return queryset.none()
        return queryset.filter(
            Q(category_id=category.pk) | Q(category__path__startswith=f"{category.path} › ")
        )

    def filter_queue(
        self, queryset: QuerySet[WorkOrder], name: str, value: str
    ) -> QuerySet[WorkOrder]:
        # OPEN exactly as the partial indexes of the queues declare it.
        open_orders = queryset.filter(OPEN)
        user = getattr(self.request, "user", None)
        if value == "mine":
            return open_orders.filter(Q(assignee=user) | Q(first_responder=user))
        if value == "team":
            return open_orders.filter(team_q(user, timezone.now()))
        if value == "unassigned":
            return open_orders.filter(assignee__isnull=True)
        if value == "at_risk":
            return open_orders.filter(at_risk_q(timezone.now()))
        if value == "breached":
            return open_orders.filter(breached_q(timezone.now()))
        return open_orders.filter(status=WorkOrder.Status.ON_HOLD)

    def filter_text(
        self, queryset: QuerySet[WorkOrder], name: str, value: str
    ) -> QuerySet[WorkOrder]:
        return queryset.filter(text_q(value))

    def filter_ordering(
        self, queryset: QuerySet[WorkOrder], name: str, value: str
    ) -> QuerySet[WorkOrder]:
        if value.lstrip("-") == "received_at":
            return queryset.order_by(value, "-id" if value.startswith("-") else "id")
        due = F("next_due_at")
        key = due.desc(nulls_last=True) if value.startswith("-") else due.asc(nulls_last=True)
        return queryset.order_by(key, "-received_at", "-id")


class GroupComplaintAlertFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id")
    status = django_filters.ChoiceFilter(choices=GroupComplaintAlert.Status.choices)

    class Meta:
        model = GroupComplaintAlert
        fields: list[str] = []
