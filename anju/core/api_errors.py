"""The API's one error shape:
    {"code": "validation_error", "message": "<Chinese summary>",
     "errors": {"<field>": [{"code": "<machine code>", "message": "<Chinese text>"}]}}
Kept apart from core.api because DRF imports that module while it is still loading.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """Flatten DRF's nested ErrorDetail structure into {field: [{code, message}]}."""
    out: dict[str, list[dict[str, str]]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else key
            for field, errors in _field_errors(value, f"{prefix}{name}.").items():
                out.setdefault(field, []).extend(errors)
    elif isinstance(detail, list):
        if detail and all(isinstance(item, exceptions.ErrorDetail) for item in detail):
            out[prefix.rstrip(".") or "non_field_errors"] = [
                {"code": item.code or "invalid", "message": str(item)} for item in detail
            ]
        else:
            for index, item in enumerate(detail):
                for field, errors in _field_errors(item, f"{prefix}{index}.").items():
                    out.setdefault(field, []).extend(errors)
    elif isinstance(detail, exceptions.ErrorDetail):
        out[prefix.rstrip(".") or "non_field_errors"] = [
            {"code": detail.code or "invalid", "message": str(detail)}
        ]
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "validation_error",
            "message": _("The request has invalid fields."),
            "errors": _field_errors(exc.detail),
        }
    else:
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(exc.detail),
            "errors": {},
        }
    response.data = body
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
