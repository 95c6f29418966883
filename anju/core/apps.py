from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "anju.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers the OpenAPI extensions with drf-spectacular.
        from anju.core import api_schema  # noqa: F401
