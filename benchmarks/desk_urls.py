"""The app's routes plus the baselines the API create is compared with.

* ``/bench/minimal/`` — the fair baseline: a plain Django view that does what the API does
  before any work of its own: the bearer-token look-up (knox, as the API authenticates)
  and the `add_workorder` permission check; then it parses the JSON body and answers a
  small JSON document (201).
* ``/bench/noauth/`` — the same without the token and the permission: parse, answer.

Both are CSRF-exempt POST views behind the app's full middleware stack.
"""

import json

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed

from anju.core.api import BearerTokenAuthentication
from anju.urls import urlpatterns as app_urlpatterns

_bearer = BearerTokenAuthentication()


def _answer(request: HttpRequest) -> JsonResponse:
    payload = json.loads(request.body or b"{}")
    return JsonResponse({"id": 0, "project": payload.get("project")}, status=201)


@csrf_exempt
def minimal(request: HttpRequest) -> JsonResponse:
    try:
        found = _bearer.authenticate(request)
    except AuthenticationFailed:
        found = None
    user = found[0] if found else AnonymousUser()
    if not user.is_authenticated:
        return JsonResponse({"code": "not_authenticated"}, status=401)
    if not user.has_perm("servicedesk.add_workorder"):
        return JsonResponse({"code": "permission_denied"}, status=403)
    return _answer(request)


@csrf_exempt
def noauth(request: HttpRequest) -> JsonResponse:
    return _answer(request)


urlpatterns = [
    path("bench/minimal/", minimal, name="bench-minimal"),
    path("bench/noauth/", noauth, name="bench-noauth"),
    *app_urlpatterns,
]
