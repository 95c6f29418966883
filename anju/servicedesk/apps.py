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
        _check_business_hours()


def _check_business_hours() -> None:
    """A bad ANJU_BUSINESS_HOURS stops every process at start, with what is wrong, rather
    than failing every create, dispatch and resume later with a server error."""
    from django.core.exceptions import ImproperlyConfigured

    from anju.servicedesk.calendar import business_periods

    try:
        business_periods()
    except ValueError as error:
        raise ImproperlyConfigured(
            f"ANJU_BUSINESS_HOURS: {error} (periods like 08:30-12:00,13:30-18:00, in order, "
            "not overlapping)"
        ) from error
