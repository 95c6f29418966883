from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnersConfig(AppConfig):
    name = "anju.owners"
    label = "owners"
    verbose_name = _("Owner files")

    def ready(self) -> None:
        from anju.core.timeline import register_timeline_source
        from anju.owners.timeline import owner_events_source

        register_timeline_source("owners", owner_events_source)
