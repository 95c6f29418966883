"""The queue table. Rows come from filters.queue_queryset: related rows are joined and the
next milestone is annotated, so rendering a page runs no query per row."""

from datetime import datetime
from typing import Any

import django_tables2 as tables
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from anju.servicedesk.filters import next_state
from anju.servicedesk.models import WorkOrder
from anju.servicedesk.models.sla import MilestoneKind

STATE_LABELS = {
    "running": _("Running"),
    "at_risk": _("At risk"),
    "met": _("Met"),
    "breached": _("Breached"),
    "paused": _("Paused"),
    "cancelled": _("Cancelled"),
}
STATE_CLASSES = {
    "running": "text-bg-success",
    "at_risk": "text-bg-warning",
    "met": "text-bg-secondary",
    "breached": "text-bg-danger",
    "paused": "text-bg-info",
    "cancelled": "text-bg-light",
}
PROVISIONAL_HINT = _(
    "Computed over a year whose official calendar is not loaded yet; "
    "it is recomputed when the year is loaded."
)


def state_badge(state: str) -> SafeString:
    if not state:
        return SafeString("")
    return format_html(
        '<span class="badge milestone-state {}" data-state="{}">{}</span>',
        STATE_CLASSES.get(state, "text-bg-light"),
        state,
        STATE_LABELS.get(state, state),
    )


def provisional_badge() -> SafeString:
    return format_html(
        '<span class="badge text-bg-light border provisional-badge" title="{}">{}</span>',
        PROVISIONAL_HINT,
        _("provisional"),
    )


def urgency_badge(order: WorkOrder) -> SafeString:
    css = "text-bg-danger" if order.urgency == WorkOrder.Urgency.URGENT else "text-bg-light"
    return format_html('<span class="badge {}">{}</span>', css, order.get_urgency_display())


class QueueTable(tables.Table):
    number = tables.Column(verbose_name=_("Number"), accessor="pk", order_by=("id",))
    received_at = tables.DateTimeColumn(verbose_name=_("Reported at"), format="Y-m-d H:i")
    type = tables.Column(verbose_name=_("Type"))
    urgency = tables.Column(verbose_name=_("Urgency"))
    status = tables.Column(verbose_name=_("Status"))
    project = tables.Column(verbose_name=_("Project"), accessor="project__name")
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__code", orderable=False)
    owner = tables.Column(verbose_name=_("Owner"), accessor="owner__name", orderable=False)
    category = tables.Column(verbose_name=_("Category"), accessor="category__path")
    assignee = tables.Column(verbose_name=_("Responsible"), orderable=False)
    next_due = tables.Column(
        verbose_name=_("Next due"), empty_values=(), accessor="next_due_at", order_by="next_due"
    )

    class Meta:
        model = WorkOrder
        fields = (
            "number",
            "received_at",
            "type",
            "urgency",
            "status",
            "project",
            "unit",
            "owner",
            "category",
            "assignee",
            "next_due",
        )
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-sm table-hover align-middle", "id": "queue-grid"}
        row_attrs = {"data-order-id": lambda record: record.pk, "class": "queue-row"}
        empty_text = _("No work order here.")
        orderable = True

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()

    def order_next_due(self, queryset: QuerySet[WorkOrder], is_descending: bool) -> Any:
        due = F("next_due_at")
        key = due.desc(nulls_last=True) if is_descending else due.asc(nulls_last=True)
        return queryset.order_by(key, "id"), True

    def render_number(self, record: WorkOrder) -> SafeString:
        url = reverse("servicedesk:detail", args=[record.pk])
        return format_html('<a href="{}" class="order-link fw-semibold">{}</a>', url, record.number)

    def render_type(self, record: WorkOrder) -> str:
        return str(record.get_type_display())

    def render_urgency(self, record: WorkOrder) -> SafeString:
        return urgency_badge(record)

    def render_status(self, record: WorkOrder) -> SafeString:
        flag = format_html(' <span class="badge text-bg-danger">{}</span>', _("escalated"))
        return format_html(
            '<span class="order-status" data-status="{}">{}</span>{}',
            record.status,
            record.get_status_display(),
            flag if record.escalated else "",
        )

    def render_assignee(self, record: WorkOrder) -> str:
        return str(record.assignee) if record.assignee else "—"

    def render_next_due(self, record: Any) -> SafeString:
        due = getattr(record, "next_due_at", None)
        if due is None:
            return SafeString("—")
        kind = MilestoneKind(record.next_kind).label if record.next_kind else ""
        return format_html(
            '<span class="small text-muted">{}</span> {} {}{}',
            kind,
            timezone.localtime(due).strftime("%m-%d %H:%M"),
            state_badge(next_state(record, self.now)),
            provisional_badge() if record.next_provisional else "",
        )
