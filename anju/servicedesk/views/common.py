"""Small helpers shared by the service-desk pages."""

from typing import Any, cast

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anju.security.models import User


def perm(codename: str) -> Any:
    """Require servicedesk.<codename>; a missing permission answers 403."""
    return permission_required(f"servicedesk.{codename}", raise_exception=True)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def render_page(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The full page, or only its partial when htmx asks."""
    return render(request, partial if is_htmx(request) else page, context)


def staff(request: HttpRequest) -> User:
    """The signed-in user (every page here requires login)."""
    return cast(User, request.user)
