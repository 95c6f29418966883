"""群诉预警: the group-complaint alerts of the user's projects, and their handling."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anju.servicedesk.forms_admin import AlertNoteForm
from anju.servicedesk.models import GroupComplaintAlert
from anju.servicedesk.services import group_alert_close, group_alert_take
from anju.servicedesk.views_admin.common import first_message, order_url, selected

Status = GroupComplaintAlert.Status
VIEW = "servicedesk.view_groupcomplaintalert"
MANAGE = "servicedesk.manage_groupcomplaintalert"


def _visible(user: Any) -> QuerySet[GroupComplaintAlert]:
    return GroupComplaintAlert.objects.visible_to(user).select_related(
        "project", "building", "phase", "category", "handled_by"
    )


def _tab_counts(user: Any) -> dict[str, int]:
    grouped = (
        GroupComplaintAlert.objects.visible_to(user)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["status"]: row["n"] for row in grouped})
    return counts


@login_required
@permission_required(VIEW, raise_exception=True)
def alerts(request: HttpRequest) -> HttpResponse:
    status = selected(request.GET.get("status"), tuple(Status.values), Status.OPEN)
    listed = _visible(request.user).filter(status=status)
    page = Paginator(listed, settings.ANJU_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = _tab_counts(request.user)
    context = {
        "page": page,
        "status": status,
        "tabs": [(value, label, counts[value]) for value, label in Status.choices],
        "query": f"status={status}",
    }
    htmx = getattr(request, "htmx", False)
    template = "servicedesk/admin/_alert_table.html" if htmx else "servicedesk/admin/alerts.html"
    return render(request, template, context)


@login_required
@permission_required(VIEW, raise_exception=True)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(_visible(request.user), pk=pk)
    orders = list(
        alert.orders.select_related("owner", "unit", "category").order_by("received_at", "pk")
    )
    for order in orders:
        order.url = order_url(order.pk)  # type: ignore[attr-defined]
    can_manage = request.user.has_perm(MANAGE)
    context = {
        "alert": alert,
        "orders": orders,
        "open_orders": sum(1 for order in orders if order.is_open),
        "can_take": can_manage and alert.status == Status.OPEN,
        "can_close": can_manage and alert.status != Status.CLOSED,
        "take_form": AlertNoteForm(prefix="take"),
        "close_form": AlertNoteForm(prefix="close", note_required=True),
    }
    return render(request, "servicedesk/admin/alert_detail.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def alert_take(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(GroupComplaintAlert.objects.visible_to(request.user), pk=pk)
    form = AlertNoteForm(request.POST, prefix="take")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        group_alert_take(actor=request.user, alert=alert, note=note)
    except ValidationError as exc:
        messages.error(request, first_message(exc))
    else:
        messages.success(request, _("You are handling this alert."))
    return redirect("desk_admin:alert_detail", pk=alert.pk)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(GroupComplaintAlert.objects.visible_to(request.user), pk=pk)
    form = AlertNoteForm(request.POST, prefix="close", note_required=True)
    if not form.is_valid():
        messages.error(request, _("Say how the alert was resolved before closing it."))
        return redirect("desk_admin:alert_detail", pk=alert.pk)
    try:
        group_alert_close(actor=request.user, alert=alert, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, first_message(exc))
    else:
        messages.success(request, _("The alert is closed."))
    return redirect("desk_admin:alert_detail", pk=alert.pk)
