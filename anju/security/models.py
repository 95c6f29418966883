"""Users, their roles (Django groups) and the projects they are assigned to."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member (or, later, an owner or contractor) who signs in."""

    name = models.CharField(_("name"), max_length=50, blank=True)
    projects = models.ManyToManyField(
        "properties.Project",
        verbose_name=_("assigned projects"),
        blank=True,
        related_name="members",
        help_text=_("The user sees only these projects unless their role sees all."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        permissions = [
            ("access_all_projects", _("Can see every project")),
        ]

    def __str__(self) -> str:
        return self.name or self.username
