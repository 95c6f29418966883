from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "anju.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from anju.core.timeline import register_timeline_source
        from anju.servicedesk.timeline import work_order_events_source

        register_timeline_source("servicedesk", work_order_events_source)
