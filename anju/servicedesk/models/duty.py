"""The duty roster (值班): who answers an urgent complaint of a project, and when."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DutyShift(models.Model):
    """A person on duty for a project from ``starts_at`` to ``ends_at``: the emergency
    path of an urgent complaint notifies whoever is on duty when it is logged."""

    project = models.ForeignKey(
        "properties.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (project, starts_at) below
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on duty"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["project", "starts_at"], name="duty_shift_by_project")]

    def __str__(self) -> str:
        return f"{self.person} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"
