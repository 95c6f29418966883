"""The category tree: add, rename, deactivate or reactivate (never delete)."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anju.servicedesk.forms_admin import CategoryAddForm, CategoryRenameForm
from anju.servicedesk.models import Category
from anju.servicedesk.services.categories import (
    category_create,
    category_rename,
    category_set_active,
)
from anju.servicedesk.views_admin.common import first_message


def tree_order(categories: list[Category]) -> list[Category]:
    """Parents before their children, siblings in their configured order; sets ``depth``."""
    children: dict[int | None, list[Category]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    ordered: list[Category] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for category in sorted(children[parent_id], key=lambda c: (c.sort_order, c.name)):
            category.depth = depth  # type: ignore[attr-defined]
            ordered.append(category)
            visit(category.pk, depth + 1)

    visit(None, 0)
    return ordered


@login_required
@permission_required("servicedesk.view_category", raise_exception=True)
def categories(request: HttpRequest) -> HttpResponse:
    rows = tree_order(list(Category.objects.all()))
    add_form = CategoryAddForm()
    add_form.fields["parent"].queryset = Category.objects.none()  # type: ignore[attr-defined]
    parents = [c for c in rows if c.is_active]
    return render(
        request,
        "servicedesk/admin/categories.html",
        {"rows": rows, "add_form": add_form, "parents": parents},
    )


@login_required
@permission_required("servicedesk.add_category", raise_exception=True)
@require_POST
def category_add(request: HttpRequest) -> HttpResponse:
    form = CategoryAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the category a name and an active parent."))
        return redirect("desk_admin:categories")
    try:
        category = category_create(
            actor=request.user, parent=form.cleaned_data["parent"], name=form.cleaned_data["name"]
        )
    except ValidationError as exc:
        messages.error(request, first_message(exc))
    else:
        messages.success(request, _("Category “%(path)s” added.") % {"path": category.path})
    return redirect("desk_admin:categories")


@login_required
@permission_required("servicedesk.change_category", raise_exception=True)
@require_POST
def category_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    form = CategoryRenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the category a name."))
        return redirect("desk_admin:categories")
    try:
        category = category_rename(
            actor=request.user, category=category, name=form.cleaned_data["name"]
        )
    except ValidationError as exc:
        messages.error(request, first_message(exc))
    else:
        messages.success(request, _("Category renamed to “%(path)s”.") % {"path": category.path})
    return redirect("desk_admin:categories")


@login_required
@permission_required("servicedesk.change_category", raise_exception=True)
@require_POST
def category_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    activate = not category.is_active
    try:
        changed = category_set_active(actor=request.user, category=category, is_active=activate)
    except ValidationError as exc:
        messages.error(request, first_message(exc))
        return redirect("desk_admin:categories")
    if activate:
        text = _("Category “%(path)s” is active again.") % {"path": category.path}
    else:
        text = _("%(count)s categories deactivated; they are no longer offered for new orders.") % {
            "count": changed
        }
    messages.success(request, text)
    return redirect("desk_admin:categories")
