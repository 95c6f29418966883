"""The queues: tabs, filters, sorting, saved views, and a table that refreshes itself."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anju.core.htmx import render_page, wants_partial
from anju.core.paging import order_and_page
from anju.owners.forms import style_fields
from anju.servicedesk.filters import (
    DEFAULT_TAB,
    TAB_CODES,
    TABS,
    TEAM_WINDOW_DAYS,
    QueueFilter,
    queue_queryset,
)
from anju.servicedesk.forms import SavedViewForm
from anju.servicedesk.models import SavedView
from anju.servicedesk.tables import QueueTable
from anju.servicedesk.views.common import perm, staff


def _query_without(params: QueryDict, *names: str) -> str:
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _tab_links(params: QueryDict, current: str) -> list[dict[str, Any]]:
    rest = _query_without(params, "tab", "page")
    base = reverse("servicedesk:queue")
    return [
        {
            "code": code,
            "slug": code.replace("_", "-"),
            "label": label,
            "active": code == current,
            "url": f"{base}?{urlencode({'tab': code})}{'&' + rest if rest else ''}",
        }
        for code, label in TABS
    ]


@login_required
@perm("view_workorder")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", DEFAULT_TAB)
    tab = tab if tab in TAB_CODES else DEFAULT_TAB
    now = timezone.now()
    filterset = QueueFilter(
        request.GET or None, queryset=queue_queryset(request.user, tab, now), user=request.user
    )
    style_fields(filterset.form)
    table = QueueTable(filterset.qs, now=now)
    if tab == "team":
        table.empty_text = _(
            "Your team is the departments you were made responsible in for orders received "
            "in the last %(days)s days: none yet, or none of their orders is open."
        ) % {"days": TEAM_WINDOW_DAYS}
    order_and_page(request, table)
    query = _query_without(request.GET, *SavedViewForm.TRANSIENT)
    context = {
        "tab": tab,
        "tabs": _tab_links(request.GET, tab),
        "filter": filterset,
        "table": table,
        "query": query,
        "poll_seconds": settings.ANJU_QUEUE_POLL_SECONDS,
        "refresh_url": request.get_full_path(),
        "saved_views": SavedView.objects.filter(user=staff(request)),
        "saved_view_form": SavedViewForm(initial={"query": query}),
        "sort": request.GET.get("sort", ""),
        "partial": wants_partial(request),
    }
    return render_page(request, "servicedesk/queue.html", "servicedesk/_queue_table.html", context)


@login_required
@perm("view_workorder")
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save the current filters under a name; the same name again replaces them."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("servicedesk:queue")
    view, _created = SavedView.objects.update_or_create(
        user=staff(request),
        name=form.cleaned_data["name"].strip(),
        defaults={"query": form.cleaned_data["query"]},
    )
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse('servicedesk:queue')}?{view.query}")


@login_required
@perm("view_workorder")
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView.objects.filter(user=staff(request)), pk=pk)
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("servicedesk:queue")
