"""工单: every request the front desk accepts, and its typed timeline."""

from typing import Any, Self

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anju.security.scoping import ScopedQuerySet
from anju.servicedesk.photos import photo_upload_to

# Open = neither closed nor merged; the partial indexes below repeat this exact condition,
# and WorkOrderQuerySet.open() must produce it for PostgreSQL to use them.
OPEN = ~Q(status__in=["closed", "merged"])
# Derived from the running milestones; see WorkOrder.save and sla.refresh_sla_summary.
SLA_SUMMARY_FIELDS = ("next_due_at", "sla_at_risk_from", "sla_breach_from")


class WorkOrderQuerySet(ScopedQuerySet):
    def open(self) -> Self:
        return self.filter(OPEN)

    def for_queue(self) -> Self:
        return self.select_related("owner", "unit", "category", "assignee", "project")


class WorkOrder(models.Model):
    class Type(models.TextChoices):
        REPAIR = "repair", _("Repair")
        COMPLAINT = "complaint", _("Complaint")
        ENQUIRY = "enquiry", _("Enquiry")
        SUGGESTION = "suggestion", _("Suggestion")
        PRAISE = "praise", _("Praise")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone / 400 hotline")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        WECHAT = "wechat", _("WeChat")
        PORTAL = "portal", _("Owner portal")
        WALK_IN = "walk_in", _("Walk-in")
        PROPERTY = "property", _("Property company")

    class Urgency(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        NORMAL = "normal", _("Normal")

    class Department(models.TextChoices):
        ENGINEERING = "engineering", _("Engineering")
        DESIGN = "design", _("Design")
        CUSTOMER_SERVICE = "customer_service", _("Customer service")
        PROPERTY = "property", _("Property management")
        SALES = "sales", _("Sales")
        CONTRACTOR = "contractor", _("Contractor")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DISPATCHED = "dispatched", _("Dispatched")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_HOLD = "on_hold", _("On hold")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged")

    class HoldReason(models.TextChoices):
        OWNER = "owner", _("Waiting for the owner")
        MATERIALS = "materials", _("Waiting for materials")
        OTHER = "other", _("Other")

    DONE = (Status.CLOSED, Status.MERGED)

    project = models.ForeignKey(
        "properties.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="work_orders",
        db_index=False,  # (project, status, -received_at) serves look-ups by project
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    owner = models.ForeignKey(
        "owners.Owner",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        db_index=False,  # (owner, -received_at) serves look-ups by owner
    )
    unit = models.ForeignKey(
        "properties.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    # The unit's building when the request was accepted (a unit never changes building):
    # 群诉预警 counts a building's or phase's complaints through an index that starts
    # with it, where a join through the units read every recent complaint of the category.
    building = models.ForeignKey(
        "properties.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # work_order_complaints_by_place starts with it
    )
    category = models.ForeignKey(
        "servicedesk.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    location = models.CharField(_("defect location"), max_length=200, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("description"))
    received_at = models.DateTimeField(_("reported at"), db_index=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 首问负责制: whoever took the request stays accountable until it is closed.
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first responder"),
        on_delete=models.PROTECT,
        related_name="first_responder_orders",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACCEPTED
    )
    department = models.CharField(
        _("department"), max_length=20, choices=Department.choices, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_orders",
        db_index=False,  # (assignee, -received_at) serves look-ups by assignee
    )
    escalated = models.BooleanField(_("escalated"), default=False)
    hold_reason = models.CharField(
        _("hold reason"), max_length=20, choices=HoldReason.choices, blank=True
    )
    on_hold_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_orders",
    )
    related = models.ManyToManyField("self", verbose_name=_("related orders"), blank=True)
    sla_policy = models.ForeignKey(
        "servicedesk.SlaPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The SLA summary of the running milestones, written by sla.refresh_sla_summary in the
    # transaction that changes them, so the queue's tabs and "next due" sort are index
    # scans instead of a milestone sub-query over every open order:
    # next_due_at - the earliest due time (paused clocks included, as the column shows);
    # sla_at_risk_from - the earliest at-risk time of a clock that runs;
    # sla_breach_from - the earliest due time that breaches: a clock that runs, or one
    # paused after it was already due.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)
    sla_at_risk_from = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breach_from = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The last reopening: a complaint's plan and feedback from before it are history, and
    # the order needs a plan approved, and feedback given, after it.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    # A retried API create with the same key returns the first order (never a second).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)
    # A hash of the first request's payload: the same key with another body is a conflict.
    idempotency_fingerprint = models.CharField(max_length=64, null=True, blank=True, editable=False)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="work_order_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "-received_at"]),
            # A person's orders newest first (API filter, user deletion's PROTECT check) and
            # the team tab's "departments I was assigned in the last days": a range, read
            # from the index alone with the department in it (PostgreSQL; elsewhere the
            # INCLUDE is left out).
            models.Index(
                fields=["assignee", "-received_at"],
                name="work_order_assignee_recent",
                include=["department"],
            ),
            models.Index(fields=["owner", "-received_at"]),
            # The queues show open orders of the user's projects, newest first.
            models.Index(
                fields=["project", "-received_at", "-id"],
                name="work_order_open_by_project",
                condition=OPEN,
            ),
            models.Index(
                fields=["assignee", "project", "-received_at", "-id"],
                name="work_order_open_by_assignee",
                condition=OPEN,
            ),
            # The team tab: open orders of the departments a person works for.
            models.Index(
                fields=["project", "department", "-received_at", "-id"],
                name="work_order_open_by_department",
                condition=OPEN,
            ),
            models.Index(
                fields=["project", "next_due_at", "id"],
                name="work_order_open_next_due",
                condition=OPEN,
            ),
            # The same order across projects: a manager of several projects, or an
            # administrator, sorting by next due would otherwise sort every open order.
            models.Index(fields=["next_due_at", "id"], name="work_order_open_due", condition=OPEN),
            models.Index(
                fields=["project", "sla_at_risk_from", "sla_breach_from"],
                name="work_order_open_at_risk",
                condition=OPEN & Q(sla_at_risk_from__isnull=False),
            ),
            models.Index(
                fields=["project", "sla_breach_from"],
                name="work_order_open_breached",
                condition=OPEN & Q(sla_breach_from__isnull=False),
            ),
            # 群诉预警 counts a place's complaints of a category in the last days: a range
            # per building (D14). By category alone it read the category's complaints of
            # every building (3,400 rows, 32 ms at 5M orders).
            models.Index(
                fields=["building", "category", "received_at"],
                name="work_order_complaints_by_place",
                condition=Q(type="complaint"),
            ),
        ]
        permissions = [
            ("dispatch_workorder", _("Can dispatch and re-dispatch work orders")),
            ("approve_complaintplan", _("Can approve complaint handling plans")),
            ("manage_groupcomplaintalert", _("Can handle group-complaint alerts")),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An update never writes the SLA summary back: only sla.refresh_sla_summary does
        (an UPDATE from the milestones), so an instance read before a transition cannot
        overwrite the summary with what it read. An INSERT writes it (set by intake)."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name not in SLA_SUMMARY_FIELDS
                and field.attname in self.__dict__  # deferred fields stay unsaved, as usual
            ]
        super().save(*args, **kwargs)

    @property
    def number(self) -> str:
        return f"GD{self.pk:08d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status not in self.DONE

    def can_dispatch(self) -> bool:
        return self.status in (
            self.Status.ACCEPTED,
            self.Status.DISPATCHED,
            self.Status.IN_PROGRESS,
        )

    def can_hold(self) -> bool:
        return self.status in (self.Status.DISPATCHED, self.Status.IN_PROGRESS)

    def can_resolve(self) -> bool:
        return self.status in (self.Status.DISPATCHED, self.Status.IN_PROGRESS)

    def can_close(self) -> bool:
        return self.status == self.Status.RESOLVED

    def can_reopen(self) -> bool:
        return self.status in (self.Status.RESOLVED, self.Status.CLOSED)


class WorkOrderEvent(models.Model):
    """The order's typed timeline; reports and SLA figures read it."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DISPATCHED = "dispatched", _("Dispatched")
        REDISPATCHED = "redispatched", _("Re-dispatched")
        STARTED = "started", _("Work started")
        ESCALATED = "escalated", _("Escalated")
        HELD = "held", _("Put on hold")
        RESUMED = "resumed", _("Resumed")
        MERGED = "merged", _("Merged into another order")
        ABSORBED = "absorbed", _("Duplicate merged in")
        LINKED = "linked", _("Linked")
        INVESTIGATION_STARTED = "investigation_started", _("Investigation started")
        PLAN_PROPOSED = "plan_proposed", _("Handling plan proposed")
        PLAN_APPROVED = "plan_approved", _("Handling plan approved")
        PLAN_REJECTED = "plan_rejected", _("Handling plan rejected")
        FEEDBACK_GIVEN = "feedback_given", _("Feedback given to the owner")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        EMERGENCY = "emergency", _("Emergency path started")
        MILESTONE_MET = "milestone_met", _("Milestone met")
        MILESTONE_AT_RISK = "milestone_at_risk", _("Milestone at risk")
        MILESTONE_BREACHED = "milestone_breached", _("Milestone breached")
        MILESTONE_ESCALATED = "milestone_escalated", _("Breach escalated")
        DEADLINES_RECOMPUTED = "deadlines_recomputed", _("Deadlines recomputed")
        NOTE = "note", _("Note")

    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # (work_order, -at) below serves it
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["work_order", "-at"])]

    def __str__(self) -> str:
        return self.get_kind_display()


class WorkOrderAttachment(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("photo"),
        upload_to=photo_upload_to,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "heic", "webp"])],
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.file.name or ""


QUERY_MAX_LENGTH = 2000


class SavedView(models.Model):
    """A user's named queue filter (the query string of the queue page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=50)
    # Chinese text is percent-encoded (9 characters each): room for a long search.
    query = models.CharField(_("filters"), max_length=QUERY_MAX_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query}
