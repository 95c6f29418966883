"""Pages that htmx also asks for in part (STYLE habit 9)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request: HttpRequest) -> bool:
    """htmx swapping a part in; not htmx restoring a page the back button left out of its
    history cache (it asks with HX-Request too, and puts the answer in <body>)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def render_page(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The full page, or only its partial when htmx asks; caches keep the two apart."""
    response = render(request, partial if wants_partial(request) else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
