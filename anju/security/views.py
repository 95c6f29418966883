"""User administration: list, create, edit access; and a read-only list of the roles.

Users are scoped like everything else: an administrator limited to some projects sees
and edits only the users assigned to one of them (others answer 404).
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from anju.properties.models import Project
from anju.security import services
from anju.security.forms import UserCreateForm, UserEditForm, UserFilterForm, role_label
from anju.security.models import User
from anju.security.roles import ROLES
from anju.security.scoping import visible_project_ids


def users_visible_to(actor: Any) -> QuerySet[User]:
    """Every user for an actor who sees all projects; else those sharing a project."""
    ids = visible_project_ids(actor)
    users = User.objects.all()
    if ids is not None:
        shared = User.projects.through.objects.filter(project_id__in=ids)
        users = users.filter(pk__in=shared.values("user_id"))
    return users


def _list_queryset(actor: Any) -> QuerySet[User]:
    return (
        users_visible_to(actor)
        .order_by("username")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.order_by("name")),
            Prefetch("projects", queryset=Project.objects.order_by("name")),
        )
    )


def _filtered(users: QuerySet[User], form: UserFilterForm) -> QuerySet[User]:
    if not form.is_valid():
        return users
    data = form.cleaned_data
    if data["q"]:
        users = users.filter(Q(username__icontains=data["q"]) | Q(name__icontains=data["q"]))
    if data["role"]:
        users = users.filter(groups__name=data["role"])
    if data["project"]:
        users = users.filter(projects=data["project"])
    if data["active"]:
        users = users.filter(is_active=data["active"] == "yes")
    return users.distinct() if data["role"] or data["project"] else users


@login_required
@permission_required("security.view_user", raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None, actor=request.user)
    users = _filtered(_list_queryset(request.user), form)
    page = Paginator(users, settings.ANJU_PAGE_SIZE).get_page(request.GET.get("page"))
    for user in page:
        user.role_labels = [role_label(g.name) for g in user.groups.all()]  # type: ignore[attr-defined]
    context = {"filter_form": form, "page": page, "query": _query_without_page(request)}
    template = "security/_user_table.html" if request.htmx else "security/user_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@permission_required("security.add_user", raise_exception=True)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = _save_create(request.user, form)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("User %(user)s created.") % {"user": user.username})
            return redirect("security:user_list")
    return render(request, "security/user_form.html", {"form": form, "creating": True})


@login_required
@permission_required("security.change_user", raise_exception=True)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(users_visible_to(request.user), pk=pk)
    form = UserEditForm(request.POST or None, actor=request.user, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            _save_edit(request.user, user, form)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("User %(user)s updated.") % {"user": user.username})
            return redirect("security:user_list")
    return render(
        request,
        "security/user_form.html",
        {
            "form": form,
            "creating": False,
            "edited": user,
        },
    )


@transaction.atomic
def _save_create(actor: Any, form: UserCreateForm) -> User:
    data = form.cleaned_data
    user = services.user_create(
        actor=actor,
        username=data["username"],
        password=data["password1"],
        name=data["name"],
        roles=form.role_codes(),
        project_ids=form.project_ids(),
    )
    if data["email"]:
        services.user_update_profile(actor=actor, user=user, name=user.name, email=data["email"])
    return user


@transaction.atomic
def _save_edit(actor: Any, user: User, form: UserEditForm) -> None:
    data = form.cleaned_data
    services.user_update_profile(actor=actor, user=user, name=data["name"], email=data["email"])
    services.user_update_access(
        actor=actor, user=user, roles=form.role_codes(), project_ids=form.project_ids()
    )
    services.user_set_active(actor=actor, user=user, is_active=data["is_active"])
    if data["new_password1"]:
        services.user_set_password(actor=actor, user=user, password=data["new_password1"])


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@permission_required("auth.view_group", raise_exception=True)
def role_list(request: HttpRequest) -> HttpResponse:
    """Each role of ROLES with the permissions its group holds now (read-only)."""
    perms = Permission.objects.select_related("content_type").order_by(
        "content_type__app_label", "codename"
    )
    groups = {
        group.name: group
        for group in Group.objects.filter(name__in=[r.code for r in ROLES]).prefetch_related(
            Prefetch("permissions", queryset=perms)
        )
    }
    roles = [
        {
            "role": role,
            "permissions": list(groups[role.code].permissions.all()) if role.code in groups else [],
        }
        for role in ROLES
    ]
    return render(request, "security/role_list.html", {"roles": roles})
