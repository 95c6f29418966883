"""The queue table. Rows come from filters.queue_queryset: related rows are joined and the
next milestone is annotated, so rendering a page runs no query per row.

django-tables2 gives the header, the ordering and the pager; the rows of the page are
built here in Python (QueueTable.body_html). Its own per-cell rendering (an accessor, a
signature inspection and a template node per cell, the choices rebuilt for every
get_FOO_display) cost more CPU than the rest of a queue request, and the queue is polled.
"""

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any

import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from anju.servicedesk.filters import next_due_order, next_state
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
# Choice labels by value, built once (lazy: each is translated when shown).
TYPE_LABELS = dict(WorkOrder.Type.choices)
URGENCY_LABELS = dict(WorkOrder.Urgency.choices)
STATUS_LABELS = dict(WorkOrder.Status.choices)
KIND_LABELS = dict(MilestoneKind.choices)
EMPTY = "—"


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
    return _urgency_badge(order.urgency)


def _urgency_badge(urgency: str) -> SafeString:
    css = "text-bg-danger" if urgency == WorkOrder.Urgency.URGENT else "text-bg-light"
    return format_html(
        '<span class="badge {}">{}</span>', css, URGENCY_LABELS.get(urgency, urgency)
    )


class QueueTable(tables.Table):
    # Sortable by what an index serves in the order asked, with the id breaking ties (a
    # page, or a poll, never repeats or skips a row): number, received time, next due.
    # Type, status and the like are filters instead: sorting a tab of 100,000 orders by
    # them sorts every row on each poll.
    number = tables.Column(verbose_name=_("Number"), accessor="pk", order_by=("id",))
    received_at = tables.DateTimeColumn(
        verbose_name=_("Reported at"), format="Y-m-d H:i", order_by=("received_at", "id")
    )
    type = tables.Column(verbose_name=_("Type"), orderable=False)
    urgency = tables.Column(verbose_name=_("Urgency"), orderable=False)
    status = tables.Column(verbose_name=_("Status"), orderable=False)
    project = tables.Column(verbose_name=_("Project"), accessor="project__name", orderable=False)
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__code", orderable=False)
    owner = tables.Column(verbose_name=_("Owner"), accessor="owner__name", orderable=False)
    category = tables.Column(verbose_name=_("Category"), accessor="category__path", orderable=False)
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
        # django-tables2's bootstrap5 template with the rows from body_html.
        template_name = "servicedesk/_queue_grid.html"
        attrs = {"class": "table table-sm table-hover align-middle", "id": "queue-grid"}
        empty_text = _("No work order here.")
        orderable = True

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()

    def order_next_due(self, queryset: QuerySet[WorkOrder], is_descending: bool) -> Any:
        return queryset.order_by(*next_due_order(descending=is_descending)), True

    @cached_property
    def _html(self) -> dict[str, dict[str, str]]:
        """Labels and badges in the request's language, translated once per page rather
        than once per row."""
        return {
            "type": {value: str(label) for value, label in TYPE_LABELS.items()},
            "status": {value: str(label) for value, label in STATUS_LABELS.items()},
            "kind": {value: str(label) for value, label in KIND_LABELS.items()},
            "urgency": {value: _urgency_badge(value) for value in URGENCY_LABELS},
            "state": {state: state_badge(state) for state in STATE_LABELS},
            "flag": {
                "escalated": format_html(
                    ' <span class="badge text-bg-danger">{}</span>', _("escalated")
                ),
                "provisional": provisional_badge(),
            },
        }

    def body_html(self) -> SafeString:
        """The <tr> of the page's rows, the cells in the order of the visible columns."""
        cells: list[Callable[[WorkOrder], Any]] = [
            getattr(self, f"cell_{column.name}") for column in self.columns
        ]
        return format_html_join(
            "\n",
            '<tr data-order-id="{}" class="queue-row {}">{}</tr>',
            (
                (
                    row.record.pk,
                    "odd" if index % 2 else "even",
                    SafeString(
                        "".join(
                            f"<td>{conditional_escape(cell(row.record))}</td>" for cell in cells
                        )
                    ),
                )
                for index, row in enumerate(self.paginated_rows)
            ),
        )

    # One cell_<column> per column: the cell's content (escaped unless marked safe).

    def cell_number(self, record: WorkOrder) -> SafeString:
        url = reverse("servicedesk:detail", args=[record.pk])
        return format_html('<a href="{}" class="order-link fw-semibold">{}</a>', url, record.number)

    def cell_received_at(self, record: WorkOrder) -> str:
        return timezone.localtime(record.received_at).strftime("%Y-%m-%d %H:%M")

    def cell_type(self, record: WorkOrder) -> str:
        return self._html["type"].get(record.type, record.type)

    def cell_urgency(self, record: WorkOrder) -> str:
        return self._html["urgency"].get(record.urgency) or _urgency_badge(record.urgency)

    def cell_status(self, record: WorkOrder) -> SafeString:
        return format_html(
            '<span class="order-status" data-status="{}">{}</span>{}',
            record.status,
            self._html["status"].get(record.status, record.status),
            self._html["flag"]["escalated"] if record.escalated else "",
        )

    def cell_project(self, record: WorkOrder) -> str:
        return record.project.name

    def cell_unit(self, record: WorkOrder) -> str:
        return record.unit.code if record.unit else EMPTY

    def cell_owner(self, record: WorkOrder) -> str:
        return record.owner.name if record.owner else EMPTY

    def cell_category(self, record: WorkOrder) -> str:
        return record.category.path if record.category else EMPTY

    def cell_assignee(self, record: WorkOrder) -> str:
        return str(record.assignee) if record.assignee else EMPTY

    def cell_next_due(self, record: Any) -> SafeString:
        due = record.next_due_at
        if due is None:
            return SafeString(EMPTY)
        state = next_state(record, self.now)
        return format_html(
            '<span class="small text-muted">{}</span> {} {}{}',
            self._html["kind"].get(record.next_kind, "") if record.next_kind else "",
            timezone.localtime(due).strftime("%m-%d %H:%M"),
            self._html["state"].get(state) or state_badge(state),
            self._html["flag"]["provisional"] if record.next_provisional else "",
        )
