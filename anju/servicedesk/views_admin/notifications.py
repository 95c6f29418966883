"""My notifications: what the desk told me (breaches, escalations, alerts), marked read."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from anju.servicedesk.models import Notification
from anju.servicedesk.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)
from anju.servicedesk.views_admin.common import order_url


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") != "all"
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    if unread_only:
        mine = mine.filter(read_at__isnull=True)
    page = Paginator(mine, settings.ANJU_PAGE_SIZE).get_page(request.GET.get("page"))
    for note in page:
        note.url = order_url(note.work_order_id) if note.work_order_id else ""  # type: ignore[attr-defined]
    context = {
        "page": page,
        "unread_only": unread_only,
        "query": "" if unread_only else "show=all",
    }
    htmx = getattr(request, "htmx", False)
    template = (
        "servicedesk/admin/_notification_list.html"
        if htmx
        else "servicedesk/admin/notifications.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with open=1 go on to its work order."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(actor=request.user, notification=note)
    if request.POST.get("open") and note.work_order_id:
        return redirect(order_url(note.work_order_id))
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(n)s notification marked read.", "%(n)s notifications marked read.", count)
        % {"n": count},
    )
    return redirect("desk_admin:notifications")


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("desk_admin:notifications")


@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The navbar's bell with my unread count (htmx polls it: one query). Signed out (the
    session ended), 286 tells htmx to stop polling rather than put a login page there."""
    if not request.user.is_authenticated:
        return HttpResponse(status=286)
    return render(request, "servicedesk/_bell.html")
