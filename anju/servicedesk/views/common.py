"""Small helpers shared by the service-desk pages."""

from typing import Any, cast

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest

from anju.security.models import User


def perm(codename: str) -> Any:
    """Require servicedesk.<codename>; a missing permission answers 403."""
    return permission_required(f"servicedesk.{codename}", raise_exception=True)


def staff(request: HttpRequest) -> User:
    """The signed-in user (every page here requires login)."""
    return cast(User, request.user)
