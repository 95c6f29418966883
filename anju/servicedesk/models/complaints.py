"""Complaint handling: the plan a manager approves, and feedback to the owner."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintPlan(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    work_order = models.ForeignKey(
        "servicedesk.WorkOrder", on_delete=models.CASCADE, related_name="plans"
    )
    findings = models.TextField(_("investigation findings"), blank=True)
    content = models.TextField(_("handling plan"))
    department = models.CharField(_("responsible department"), max_length=20)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("handling plan")
        verbose_name_plural = _("handling plans")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.work_order} · {self.get_status_display()}"


class ComplaintFeedback(models.Model):
    work_order = models.ForeignKey(
        "servicedesk.WorkOrder", on_delete=models.CASCADE, related_name="feedback"
    )
    channel = models.CharField(_("channel"), max_length=20)
    content = models.TextField(_("what the owner was told"))
    owner_response = models.TextField(_("owner's response"), blank=True)
    owner_satisfied = models.BooleanField(_("owner accepts"), null=True, blank=True)
    given_at = models.DateTimeField(auto_now_add=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.work_order} · {self.given_at:%Y-%m-%d}"
