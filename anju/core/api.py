"""API plumbing shared by every app: auth, permissions, pagination (errors: api_errors)."""

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from anju.core.paging import CappedPaginator


class BearerTokenAuthentication(TokenAuthentication):
    """Knox tokens (stored hashed) sent as `Authorization: Bearer <token>`."""

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        """Refuse (and delete) the presented token once it has expired, as knox does.

        Knox also reads every other token of the user on every request, to delete the
        expired ones: a query per API call that grows with each login. Those are refused
        when presented all the same; the periodic job core.purge_expired_tokens deletes
        them.
        """
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class ModelPermissions(permissions.DjangoModelPermissions):
    """Model permissions, including `view_*` for reads (DRF leaves reads open)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class Pagination(PageNumberPagination):
    """Pages of a list whose count stops at ANJU_LIST_COUNT_CAP, as the pages' (D18): an
    exact count of a project's 500,000 orders read them all on every call. Past the cap
    `count` is the cap and `count_capped` is true, and pages end there: a client that
    walks everything narrows by time (received_after / received_before, ordered)."""

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedPaginator
    invalid_page_message = gettext_lazy(  # type: ignore[assignment]
        "No such page: lists are paged as far as their count goes (see count_capped); "
        "narrow them with filters."
    )

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = cast(CappedPaginator, self.page.paginator)
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "count stopped at the cap: there are more rows than it says",
        }
        answer["required"] = [*answer.get("required", []), "count_capped"]
        return answer
