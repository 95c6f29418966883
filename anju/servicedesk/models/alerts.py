"""群诉预警: complaints from several owners about one thing in one building or phase."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anju.security.scoping import ScopedQuerySet


class GroupComplaintAlert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLING = "handling", _("Being handled")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(
        "properties.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "properties.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phase = models.ForeignKey(
        "properties.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "servicedesk.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # "building:<id>" or "phase:<id>": one key for the uniqueness of live alerts.
    scope_key = models.CharField(max_length=30, editable=False)
    owner_count = models.PositiveIntegerField(_("owners"))
    orders = models.ManyToManyField("servicedesk.WorkOrder", related_name="group_alerts")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group-complaint alert")
        verbose_name_plural = _("group-complaint alerts")
        ordering = ["-raised_at"]
        constraints = [
            # One live alert per place and category: later complaints join it.
            models.UniqueConstraint(
                fields=["scope_key", "category"],
                condition=~Q(status="closed"),
                name="group_alert_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.owner_count}"
