"""Excel import jobs: an uploaded file, its dry run, and its all-or-nothing commit.

uploaded → validating → validated (clean, or with errors) → committing → committed | failed.
The file and the validated plan live in the default storage (local disk in the embedded
mode, object storage at scale); the plan is encrypted because it holds ID numbers.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.security.scoping import ScopedQuerySet


def _upload_to(instance: "ImportJob", filename: str) -> str:
    # Never the user's file name in storage: it often carries a name or a unit.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"


def _plan_to(instance: "ImportJob", filename: str) -> str:
    return f"imports/plans/{uuid.uuid4().hex}.bin"


class ImportJobQuerySet(ScopedQuerySet):
    def running(self) -> "ImportJobQuerySet":
        return self.filter(status__in=ImportJob.RUNNING)


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        OWNERS = "owners", _("Owners and units")
        UNITS = "units", _("Units")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        """Where a running job is; a commit's writing phase is one opaque transaction."""

        NONE = "", _("Not running")
        QUEUED = "queued", _("Waiting for a worker")
        READING = "reading", _("Reading rows")
        CHECKING = "checking", _("Checking against the registry")
        WRITING = "writing", _("Writing to the database")

    RUNNING = (Status.UPLOADED, Status.VALIDATING, Status.COMMITTING)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    project = models.ForeignKey(
        "properties.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    file = models.FileField(_("file"), upload_to=_upload_to, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    plan = models.FileField(upload_to=_plan_to, max_length=200, blank=True, editable=False)
    language = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    phase = models.CharField(
        _("phase"), max_length=10, choices=Phase.choices, default=Phase.NONE, blank=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [{row, field, column, code, message}], the first ANJU_IMPORT_MAX_ERRORS_SHOWN.
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    failure = models.CharField(_("failure"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def can_commit(self) -> bool:
        return self.status == self.Status.VALIDATED and self.error_count == 0 and bool(self.plan)

    @property
    def progress_percent(self) -> int | None:
        """None when the size is unknown or the phase has no row count (commit writing)."""
        if self.status in (self.Status.VALIDATED, self.Status.COMMITTED):
            return 100
        if self.phase != self.Phase.READING or not self.total_rows:
            return None
        return min(100, self.processed_rows * 100 // self.total_rows)
