from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from anju.security.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Superusers' fallback; staff manage users in the console (security views)."""

    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Anju"), {"fields": ("name", "projects")}),
    )
    filter_horizontal = ("groups", "user_permissions", "projects")
    list_display = ("username", "name", "is_active", "is_superuser", "last_login")
