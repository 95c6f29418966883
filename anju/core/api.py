"""API plumbing shared by every app: auth, permissions, pagination (errors: api_errors)."""

from knox.auth import TokenAuthentication
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination


class BearerTokenAuthentication(TokenAuthentication):
    """Knox tokens (stored hashed) sent as `Authorization: Bearer <token>`."""


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
