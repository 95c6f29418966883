"""Owner pages: list, one-box search, the 360° page, forms, reveal and export.

Every queryset starts from what the user may see; an owner outside the user's projects
answers 404. Writes happen only on POST, through the forms, which call the services.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from anju.core.htmx import render_page
from anju.core.paging import order_and_page
from anju.core.timeline import owner_timeline
from anju.owners.exporter import owners_export
from anju.owners.filters import OwnerFilter
from anju.owners.forms import (
    OwnerForm,
    OwnershipForm,
    RevealForm,
    apply_service_errors,
    style_fields,
)
from anju.owners.lifecycle import owner_stage, stage_of
from anju.owners.models import Owner, Ownership
from anju.owners.rules.lifecycle import age_on
from anju.owners.selectors import owner_list_queryset, search_owners
from anju.owners.services import owner_reveal_personal_data
from anju.owners.tables import OwnerTable, active_stage
from anju.properties.models import Unit
from anju.security.masking import mask_id_number

SEARCH_KIND_LABELS = {
    "phone": gettext_lazy("by phone number"),
    "id_number": gettext_lazy("by ID number"),
    "unit": gettext_lazy("by unit number"),
    "name": gettext_lazy("by name or pinyin"),
}
UNIT_OPTIONS_LIMIT = 30


def _perm(codename: str) -> Any:
    return permission_required(f"owners.{codename}", raise_exception=True)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _owner_filter(request: HttpRequest) -> OwnerFilter:
    return OwnerFilter(
        request.GET or None, queryset=owner_list_queryset(request.user), user=request.user
    )


@login_required
@_perm("view_owner")
@require_GET
def owner_list(request: HttpRequest) -> HttpResponse:
    filterset = _owner_filter(request)
    style_fields(filterset.form)
    table = OwnerTable(filterset.qs)
    order_and_page(request, table)
    context = {"filter": filterset, "table": table, "query": request.GET.urlencode()}
    return render_page(request, "owners/owner_list.html", "owners/_owner_table.html", context)


@login_required
@_perm("view_owner")
@require_GET
def quick_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if not query:
        return HttpResponse("")
    result = search_owners(request.user, query, limit=20)
    hits = [{"owner": owner, "stage": active_stage(owner)} for owner in result.owners]
    context = {
        "query": query,
        "hits": hits,
        "kind": result.kind,
        "kind_label": SEARCH_KIND_LABELS.get(result.kind, ""),
    }
    return render(request, "owners/_quick_search.html", context)


def _detail_queryset(user: Any) -> QuerySet[Owner]:
    ownerships = Ownership.objects.select_related(
        "unit", "unit__project", "unit__building"
    ).order_by("status", "unit__code")
    return (
        Owner.objects.visible_to(user)
        .select_related("project")
        .prefetch_related("phones", "tags", Prefetch("ownerships", queryset=ownerships))
    )


def _ownership_rows(owner: Owner, today: Any) -> list[dict[str, Any]]:
    return [
        {
            "ownership": ownership,
            "active": ownership.status not in Ownership.ENDED,
            "stage": stage_of(ownership.handover_date, today=today),
        }
        for ownership in owner.ownerships.all()
    ]


@login_required
@_perm("view_owner")
@require_GET
def owner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    owner = get_object_or_404(_detail_queryset(request.user), pk=pk)
    today = timezone.localdate()
    rows = _ownership_rows(owner, today)
    active_dates = [row["ownership"].handover_date for row in rows if row["active"]]
    context = {
        "owner": owner,
        "age": age_on(owner.birth_date, today) if owner.birth_date else None,
        "ownership_rows": rows,
        "stage": owner_stage(active_dates, today=today),
        "timeline": owner_timeline(owner, request.user),
        "reveal_form": RevealForm(),
    }
    return render(request, "owners/owner_detail.html", context)


@login_required
@_perm("add_owner")
@require_http_methods(["GET", "POST"])
def owner_create(request: HttpRequest) -> HttpResponse:
    form = OwnerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        owner = form.save(actor=request.user)
        if owner is not None:
            messages.success(request, _("Owner file created."))
            return redirect("owners:detail", pk=owner.pk)
    return render(request, "owners/owner_form.html", {"form": form, "owner": None})


@login_required
@_perm("change_owner")
@require_http_methods(["GET", "POST"])
def owner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    owner = get_object_or_404(Owner.objects.visible_to(request.user), pk=pk)
    form = OwnerForm(request.POST or None, user=request.user, instance=owner)
    if request.method == "POST" and form.is_valid():
        saved = form.save(actor=request.user)
        if saved is not None:
            messages.success(request, _("Owner file saved."))
            return redirect("owners:detail", pk=saved.pk)
    return render(request, "owners/owner_form.html", {"form": form, "owner": owner})


@login_required
@_perm("reveal_personal_data")
@require_http_methods(["GET", "POST"])
def owner_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    owner = get_object_or_404(Owner.objects.visible_to(request.user), pk=pk)
    form = RevealForm(request.POST or None)
    context: dict[str, Any] = {"owner": owner, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            context["revealed"] = owner_reveal_personal_data(
                actor=request.user, owner=owner, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
    if "revealed" in context:
        page, partial = "owners/revealed.html", "owners/_revealed.html"
    else:
        page, partial = "owners/reveal_form.html", "owners/_reveal_form.html"
    return _no_store(render_page(request, page, partial, context))


@login_required
@_perm("add_ownership")
@require_http_methods(["GET", "POST"])
def ownership_add(request: HttpRequest, owner_pk: int) -> HttpResponse:
    owner = get_object_or_404(Owner.objects.visible_to(request.user), pk=owner_pk)
    form = OwnershipForm(request.POST or None, user=request.user, owner=owner)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(request, _("Unit added to the owner file."))
        return redirect("owners:detail", pk=owner.pk)
    return render(request, "owners/ownership_form.html", {"form": form, "owner": owner})


@login_required
@_perm("change_ownership")
@require_http_methods(["GET", "POST"])
def ownership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ownership = get_object_or_404(
        Ownership.objects.visible_to(request.user).select_related("owner", "unit__project"),
        pk=pk,
    )
    owner = ownership.owner
    form = OwnershipForm(request.POST or None, user=request.user, owner=owner, instance=ownership)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(request, _("Ownership saved."))
        return redirect("owners:detail", pk=owner.pk)
    context = {"form": form, "owner": owner, "ownership": ownership}
    return render(request, "owners/ownership_form.html", context)


@login_required
@_perm("add_ownership")
@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the visible units whose number starts with ?unit_q= (htmx)."""
    query = request.GET.get("unit_q", "").strip()
    units = (
        Unit.objects.visible_to(request.user)
        .filter(code__istartswith=query)
        .select_related("project")
        .order_by("project__name", "code")[:UNIT_OPTIONS_LIMIT]
        if query
        else Unit.objects.none()
    )
    return render(request, "owners/_unit_options.html", {"units": units, "query": query})


def _export_description(request: HttpRequest) -> str:
    """Which list was exported, for the access log; a typed search is masked."""
    parts = []
    for name in request.GET:
        value = request.GET.get(name, "")
        if name in {"reason", "page", "sort"} or not value:
            continue
        if name == "q" and any(ch.isdigit() for ch in value):
            value = mask_id_number(value)
        parts.append(f"{name}={value}")
    label = _("Owner list")
    return f"{label} ({', '.join(parts)})" if parts else label


@login_required
@_perm("export_owners")
@require_GET
def owner_export(request: HttpRequest) -> HttpResponse:
    filterset = _owner_filter(request)
    try:
        filename, content = owners_export(
            actor=request.user,
            queryset=filterset.qs,
            reason=request.GET.get("reason", ""),
            description=_export_description(request)[:200],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        query = request.GET.copy()
        query.pop("reason", None)
        return redirect(f"{reverse('owners:list')}?{query.urlencode()}")
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _no_store(response)
