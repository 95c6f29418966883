"""The app's routes plus the baselines the API create is compared with.

* ``/bench/minimal/`` — the fair baseline: a plain Django view that does what the API does
  before any work of its own: the bearer-token look-up (knox, as the API authenticates)
  and the `add_workorder` permission check; then it parses the JSON body and answers a
  small JSON document (201).
* ``/bench/noauth/`` — the same without the token and the permission: parse, answer.
* ``/bench/minimal-drf/`` — the bearer-auth view as a DRF view with the API's own
  authentication and model permission: what the framework adds before any work (measured
  in process only, to split the create's cost).

Both are CSRF-exempt POST views behind the app's full middleware stack.
"""

import json

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anju.core.api import BearerTokenAuthentication
from anju.servicedesk.models import WorkOrder
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


class MinimalDrf(APIView):
    queryset = WorkOrder.objects.none()  # ModelPermissions: POST needs add_workorder

    def post(self, request: Request) -> Response:
        data = request.data
        project = data.get("project") if isinstance(data, dict) else None
        return Response({"id": 0, "project": project}, status=201)


urlpatterns = [
    path("bench/minimal/", minimal, name="bench-minimal"),
    path("bench/noauth/", noauth, name="bench-noauth"),
    path("bench/minimal-drf/", MinimalDrf.as_view(), name="bench-minimal-drf"),
    *app_urlpatterns,
]
