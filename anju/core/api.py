"""API plumbing shared by every app: auth, permissions, pagination (errors: api_errors)."""

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination


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
    page_size_query_param = "page_size"
    max_page_size = 200
