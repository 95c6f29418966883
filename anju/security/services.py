"""Write path for users, roles and project assignments."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from anju.audit.services import log_change, snapshot
from anju.security.models import User
from anju.security.roles import ROLES
from anju.security.scoping import forget_project_ids

# What the change log shows for a password change: the fact, never the hash.
PASSWORD_OLD = "(previous)"
PASSWORD_NEW = "(changed)"


def sync_roles() -> None:
    """Create the role groups and grant their default permissions (idempotent)."""
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role in ROLES:
        group = Group.objects.get_or_create(name=role.code)[0]
        group.permissions.add(*(perms[name] for name in role.permissions))


def sync_roles_after_migrate(sender: Any, app_config: Any, **kwargs: Any) -> None:
    """post_migrate hook: runs once, after the last app has migrated."""
    if app_config is list(global_apps.get_app_configs())[-1]:
        sync_roles()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    name: str = "",
    roles: Iterable[str] = (),
    project_ids: Iterable[int] = (),
    is_superuser: bool = False,
) -> User:
    user = User(username=username, name=name, is_superuser=is_superuser, is_staff=is_superuser)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    user.projects.set(list(project_ids))
    log_change(actor=actor, instance=user, action="create", before=None, after=_user_view(user))
    return user


@transaction.atomic
def user_update_access(
    *, actor: User, user: User, roles: Iterable[str], project_ids: Iterable[int]
) -> User:
    before = _user_view(user)
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    user.projects.set(list(project_ids))
    forget_project_ids(user)
    log_change(actor=actor, instance=user, action="update", before=before, after=_user_view(user))
    return user


@transaction.atomic
def user_update_profile(*, actor: User, user: User, name: str, email: str = "") -> User:
    before = _user_view(user)
    user.name, user.email = name.strip(), email.strip()
    user.full_clean(exclude=["password"], validate_unique=False)
    user.save(update_fields=["name", "email"])
    log_change(actor=actor, instance=user, action="update", before=before, after=_user_view(user))
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, is_active: bool) -> User:
    """Deactivate (or reactivate) a sign-in; users are never deleted, the logs refer to them."""
    if user.pk == actor.pk and not is_active:
        raise ValidationError(
            {"is_active": [ValidationError(_("You cannot deactivate yourself."), code="self")]}
        )
    if user.is_active == is_active:
        return user
    before = _user_view(user)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    log_change(actor=actor, instance=user, action="update", before=before, after=_user_view(user))
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Set a new password. The change log records that it changed, never the hash."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    log_change(
        actor=actor,
        instance=user,
        action="update",
        before={"password": PASSWORD_OLD},
        after={"password": PASSWORD_NEW},
    )
    return user


def _user_view(user: User) -> dict[str, Any]:
    data = snapshot(user, exclude={"password", "last_login"})
    data["roles"] = sorted(user.groups.values_list("name", flat=True))
    data["projects"] = sorted(user.projects.values_list("id", flat=True))
    return data
