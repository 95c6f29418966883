from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "anju.security"
    label = "security"
    verbose_name = _("Users and security")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from anju.security.services import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="anju.sync_roles")
