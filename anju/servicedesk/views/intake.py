"""受理: the front desk logs a request, finding the owner with the one-box search."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anju.owners.models import Owner
from anju.owners.selectors import owner_list_queryset, search_owners
from anju.owners.tables import active_stage
from anju.servicedesk.forms_intake import WorkOrderForm, owner_units, preselected_unit
from anju.servicedesk.views.common import perm

OWNER_HITS = 10


@login_required
@perm("add_workorder")
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    owner = None
    if request.GET.get("owner", "").isdigit():
        owner = get_object_or_404(owner_list_queryset(request.user), pk=request.GET["owner"])
    form = WorkOrderForm(
        request.POST or None, request.FILES or None, user=request.user, owner=owner
    )
    if request.method == "POST" and form.is_valid():
        order = form.save(actor=request.user)
        if order is not None:
            messages.success(request, _("Work order %(number)s accepted.") % {"number": order})
            return redirect("servicedesk:detail", pk=order.pk)
    status = 400 if form.is_bound else 200
    if form.is_bound and request.FILES.getlist("photos") and "photos" not in form.errors:
        # A browser cannot put chosen files back into a re-rendered form: say so.
        form.add_error("photos", _("Choose the photos again: they were not kept."))
    return render(request, "servicedesk/intake.html", {"form": form}, status=status)


@login_required
@perm("add_workorder")
@require_GET
def owner_options(request: HttpRequest) -> HttpResponse:
    """The owners matching ?owner_q= (phone, ID, 3-2-1801, name, pinyin) as radio options."""
    query = request.GET.get("owner_q", "").strip()
    if not query:
        return HttpResponse("")
    result = search_owners(request.user, query, limit=OWNER_HITS)
    hits = [{"owner": owner, "stage": active_stage(owner)} for owner in result.owners]
    return render(request, "servicedesk/_owner_options.html", {"hits": hits, "query": query})


@login_required
@perm("add_workorder")
@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the units the owner (?owner=) actively owns, for the intake form."""
    value = request.GET.get("owner", "")
    owner = (
        Owner.objects.visible_to(request.user).filter(pk=value).first() if value.isdigit() else None
    )
    units = owner_units(request.user, owner)
    chosen = preselected_unit(units)
    # The template the intake form's unit <select> renders its options with (UnitSelect).
    context = {"units": units, "selected": [] if chosen is None else [str(chosen)]}
    return render(request, "servicedesk/_unit_options.html", context)
