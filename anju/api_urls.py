"""/api/v1/: each app contributes its routes from its own api module."""

from django.urls import include, path

from anju.core.api_views import TokenLogoutView, TokenView

urlpatterns = [
    path("auth/token", TokenView.as_view(), name="api-token"),
    path("auth/logout", TokenLogoutView.as_view(), name="api-token-logout"),
    path("", include("anju.properties.api_urls")),
    path("", include("anju.owners.api_urls")),
    path("", include("anju.servicedesk.api_urls")),
]
