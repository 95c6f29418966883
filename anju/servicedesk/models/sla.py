"""SLA policies and the milestones they put on each order.

A policy is chosen by type, urgency and category (the most specific active match wins);
its targets become milestones on the order with stored, indexed due times, so the breach
sweep is an index range scan, never a computation over every open order.
"""

from typing import Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anju.security.scoping import ScopedQuerySet


class MilestoneKind(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    RESPONSE = "response", _("Response")
    INITIAL_HANDLING = "initial_handling", _("Initial handling")
    INVESTIGATION_START = "investigation_start", _("Investigation start")
    FEEDBACK = "feedback", _("Feedback to the owner")
    COMPLETION = "completion", _("Completion")
    # An approved complaint plan's own deadline (the plan sets it, not a policy).
    PLAN_DEADLINE = "plan_deadline", _("Plan deadline")


# What a policy's target can be: every kind but the plan deadline, which a plan sets.
TARGET_MILESTONES = [
    (value, label) for value, label in MilestoneKind.choices if value != "plan_deadline"
]


class ClockKind(models.TextChoices):
    WALL = "wall", _("Wall-clock minutes")
    BUSINESS_HOURS = "business_hours", _("Business-hours minutes")
    WORKING_DAYS = "working_days", _("Working days")


class SlaPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100)
    work_order_type = models.CharField(_("type"), max_length=20)
    urgency = models.CharField(
        _("urgency"), max_length=10, blank=True, help_text=_("Blank: any urgency.")
    )
    category = models.ForeignKey(
        "servicedesk.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Blank: any category."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # An edit of the targets of a policy orders were accepted under makes a new version
    # and retires this one (services.policies): those orders keep starting their later
    # clocks (at dispatch, on reopening) on the targets they were accepted with.
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["work_order_type", "urgency", "name"]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    milestone = models.CharField(_("milestone"), max_length=30, choices=TARGET_MILESTONES)
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    amount = models.PositiveIntegerField(
        _("amount"), help_text=_("Minutes for hour clocks, days for working-day clocks.")
    )
    at_risk_share = models.DecimalField(
        _("at risk after"),
        max_digits=3,
        decimal_places=2,
        default=0.8,
        help_text=_("Share of the time elapsed at which the milestone is at risk."),
    )
    pauses_on_hold = models.BooleanField(_("pauses on hold"), default=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "milestone"], name="sla_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_milestone_display()} {self.amount} {self.get_clock_display()}"


class MilestoneQuerySet(ScopedQuerySet):
    project_field = "work_order__project_id"

    def running(self) -> Self:
        return self.filter(met_at__isnull=True, cancelled=False)


class Milestone(models.Model):
    work_order = models.ForeignKey(
        "servicedesk.WorkOrder",
        on_delete=models.CASCADE,
        related_name="milestones",
        db_index=False,  # (work_order, kind) below serves it
    )
    kind = models.CharField(_("milestone"), max_length=30, choices=MilestoneKind.choices)
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    amount = models.PositiveIntegerField(_("amount"))
    at_risk_share = models.DecimalField(max_digits=3, decimal_places=2, default=0.8)
    pauses_on_hold = models.BooleanField(default=True)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    at_risk_at = models.DateTimeField(_("at risk from"))
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("Computed over a year whose official calendar is not loaded."),
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    # Finished holds as [[from, to], …] (ISO), so a provisional deadline can be recomputed.
    holds = models.JSONField(default=list, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    # Sweep marks, each set exactly once by an atomic UPDATE … WHERE mark IS NULL.
    at_risk_notified_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_at"]
        constraints = [
            # One running clock of a kind per order; a reopened order starts new ones and
            # keeps the met or cancelled ones of its first round.
            models.UniqueConstraint(
                fields=["work_order", "kind"],
                name="milestone_running_unique",
                condition=Q(met_at__isnull=True, cancelled=False),
            ),
        ]
        indexes = [
            models.Index(fields=["work_order", "kind"], name="milestone_order_kind"),
            models.Index(
                fields=["due_at"],
                name="milestone_open_due",
                condition=Q(met_at__isnull=True, cancelled=False, paused_at__isnull=True),
            ),
            models.Index(
                fields=["at_risk_at"],
                name="milestone_open_at_risk",
                condition=Q(
                    met_at__isnull=True,
                    cancelled=False,
                    paused_at__isnull=True,
                    at_risk_notified_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["provisional"], name="milestone_provisional", condition=Q(provisional=True)
            ),
            # The sweep's breach and escalation passes: each walks only what it has yet to
            # mark, not every milestone an earlier sweep already marked.
            models.Index(
                fields=["due_at"],
                name="milestone_open_unbreached",
                condition=Q(
                    met_at__isnull=True,
                    cancelled=False,
                    paused_at__isnull=True,
                    breached_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["breached_at"],
                name="milestone_open_unescalated",
                condition=Q(
                    met_at__isnull=True,
                    cancelled=False,
                    paused_at__isnull=True,
                    breached_at__isnull=False,
                    escalated_at__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
