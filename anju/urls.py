from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("anju.core.urls")),
    path("properties/", include("anju.properties.urls")),
    path("owners/", include("anju.owners.urls")),
    path("audit/", include("anju.audit.urls")),
    path("imports/", include("anju.imports.urls")),
    path("desk/admin/", include("anju.servicedesk.urls_admin")),
    path("desk/", include("anju.servicedesk.urls")),
    path("security/", include("anju.security.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("anju.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
# No route serves MEDIA_ROOT: uploads (photos, import files) hold personal data and are
# read through views that check the user's scope (servicedesk.photos).
