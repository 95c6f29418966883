"""One POST view per step on an order (dispatch, hold, merge, plan decision …); a GET
of its address goes to the order.

Permission first (403), then the order in the user's projects (404), then the form, which
calls the service. A refused step re-renders the order page with the form's errors.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from anju.servicedesk.models import WorkOrder
from anju.servicedesk.views.orders import ActionPanel, detail_context, detail_queryset
from anju.servicedesk.views.registry import ACTIONS, Action


def action_view(action: Action) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        if request.method == "GET":
            # The address a refused step was shown at: a reload, or a change of language
            # (which redirects to it), opens the order again rather than a blank 405.
            return redirect("servicedesk:detail", pk=pk)
        if not request.user.has_perm(action.permission):
            raise PermissionDenied
        order = get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)
        form = action.form(request.POST, order=order, user=request.user, auto_id=action.auto_id)
        if form.is_valid() and form.submit():
            messages.success(request, f"{order.number} · {action.done}")
            return redirect("servicedesk:detail", pk=order.pk)
        fresh = get_object_or_404(detail_queryset(request.user), pk=pk)
        form.order = fresh
        context = detail_context(request, fresh, failed=ActionPanel(action, form, failed=True))
        return render(request, "servicedesk/order_detail.html", context, status=400)

    view.__name__ = f"order_{action.name}"
    return view


VIEWS = {action.name: action_view(action) for action in ACTIONS}
