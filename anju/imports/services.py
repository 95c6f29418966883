"""Write path for import jobs: create, validate (dry run), request a commit, commit.

Each state change is a guarded UPDATE (`WHERE status = expected`), so a task delivered
twice, or a double click on the commit button, finds nothing to claim and stops: a
committed job can never be committed again.

Progress: validation is not one transaction, so `processed_rows` is written every 1,000
rows and the page's progress bar moves. The commit is ONE transaction (all or nothing);
on PostgreSQL other sessions cannot see writes inside it, so the commit reports phases
instead (queued → writing, written before the transaction opens) and the page shows an
indeterminate bar. A separate connection for progress was judged not worth its cost.

Personal data at rest: the uploaded .xlsx holds ID numbers and phones in clear, so it is
deleted from storage as soon as validation has read it. The validated plan is kept
encrypted (see `sealing`) and deleted after the commit.
"""

import logging
import tempfile
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anju.audit.services import log_change
from anju.imports.bulk import WriteContext
from anju.imports.models import ImportJob
from anju.imports.sealing import seal, unseal
from anju.imports.spec import Importer
from anju.imports.workbook import ErrorLog, SheetError, SheetReader
from anju.owners.importer import IMPORTER as OWNERS_IMPORTER
from anju.properties.importer import IMPORTER as UNITS_IMPORTER
from anju.properties.models import Project

logger = logging.getLogger(__name__)

IMPORTERS: dict[str, Importer] = {
    OWNERS_IMPORTER.kind: OWNERS_IMPORTER,
    UNITS_IMPORTER.kind: UNITS_IMPORTER,
}
Status, Phase = ImportJob.Status, ImportJob.Phase


class ImportStateError(Exception):
    """The job is not in the state this step needs (already committed, has errors …)."""

    code = "invalid_state"


def importer_for(kind: str) -> Importer:
    return IMPORTERS[kind]


def can_import(user: Any, kind: str) -> bool:
    return kind in IMPORTERS and bool(user.has_perm(IMPORTERS[kind].permission))


def _check_access(actor: Any, kind: str, project_id: int) -> None:
    visible = Project.objects.visible_to(actor).filter(pk=project_id).exists()
    if not can_import(actor, kind) or not visible:
        raise PermissionDenied


def _job_view(job: ImportJob) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "project_id": job.project_id,
        "file_name": job.file_name,
        "status": job.status,
        "total_rows": job.total_rows,
        "error_count": job.error_count,
        "summary": job.summary,
    }


@transaction.atomic
def import_job_create(
    *, actor: Any, project: Project, kind: str, file: File, language: str = ""
) -> ImportJob:
    """Store the upload; the caller enqueues `validate_import` on commit."""
    _check_access(actor, kind, project.pk)
    job = ImportJob(
        kind=kind,
        project=project,
        created_by=actor,
        language=language[:10],
        file_name=(getattr(file, "name", "") or "upload.xlsx")[:200],
    )
    job.file.save("upload.xlsx", file, save=False)
    job.save()
    log_change(actor=actor, instance=job, action="create", before=None, after=_job_view(job))
    return job


def _claim(job_id: int, expected: dict[str, Any], **changes: Any) -> ImportJob:
    """Move the job on only if it is still where this step expects it."""
    if not ImportJob.objects.filter(pk=job_id, **expected).update(**changes):
        raise ImportStateError(job_id)
    return ImportJob.objects.select_related("committed_by").get(pk=job_id)


def _progress(job_id: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def _finish(job: ImportJob, *, status: str, errors: ErrorLog | None = None, **fields: Any) -> None:
    job.status = status
    job.phase = Phase.NONE
    job.finished_at = timezone.now()
    if errors is not None:
        job.error_count, job.errors = errors.count, errors.shown()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def import_job_validate(*, job_id: int, today: date | None = None) -> ImportJob:
    """The dry run: read every row, check it, keep the plan if there is no error."""
    job = _claim(
        job_id,
        {"status": Status.UPLOADED},
        status=Status.VALIDATING,
        phase=Phase.READING,
        started_at=timezone.now(),
    )
    importer = IMPORTERS[job.kind]
    errors = ErrorLog(importer.columns)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            plan = _read(job, importer, errors, today or timezone.localdate())
            _progress(job.pk, phase=Phase.CHECKING)
            importer.resolve(plan, job.project_id, errors)
            if not errors:
                _store_plan(job, plan)
        except SheetError as exc:
            _finish(job, status=Status.FAILED, failure=exc.message)
        except Exception:
            logger.exception("import job %s: validation failed", job.pk)
            _finish(job, status=Status.FAILED, failure=_("Unexpected error; see the logs."))
        else:
            _finish(
                job,
                status=Status.VALIDATED,
                errors=errors,
                total_rows=plan.rows,
                processed_rows=plan.rows,
            )
    job.file.delete(save=True)
    return job


def _store_plan(job: ImportJob, plan: Any) -> None:
    """Seal the plan into a temporary file, then hand it to the storage (streamed)."""
    with tempfile.TemporaryFile() as sealed:
        seal(plan, sealed)
        sealed.seek(0)
        job.plan.save("plan.bin", File(sealed), save=False)


def _read(job: ImportJob, importer: Importer, errors: ErrorLog, today: date) -> Any:
    """Read and check every row; the sheet's memory is freed before the plan goes on."""
    with job.file.open("rb") as fileobj:
        reader = SheetReader(fileobj, importer.columns, errors)
        _progress(job.pk, total_rows=reader.total_rows)
        try:
            rows = reader.rows(
                max_rows=settings.ANJU_IMPORT_MAX_ROWS,
                on_progress=lambda count: _progress(job.pk, processed_rows=count),
            )
            return importer.check(rows, errors, today=today)
        finally:
            reader.close()


def import_job_request_commit(*, actor: Any, job: ImportJob) -> ImportJob:
    """Queue the commit of a clean, validated job; the caller enqueues `commit_import`."""
    _check_access(actor, job.kind, job.project_id)
    clean = {"status": Status.VALIDATED, "error_count": 0}
    if not ImportJob.objects.filter(pk=job.pk, **clean).exclude(plan="").exists():
        raise ImportStateError(job.pk)
    return _claim(job.pk, clean, status=Status.COMMITTING, phase=Phase.QUEUED, committed_by=actor)


class _Rejected(Exception):
    pass


def import_job_commit(*, job_id: int) -> ImportJob:
    """Write the validated plan in one transaction; the registry is re-checked first."""
    job = _claim(
        job_id,
        {"status": Status.COMMITTING, "phase": Phase.QUEUED},
        phase=Phase.WRITING,
        started_at=timezone.now(),
    )
    importer = IMPORTERS[job.kind]
    errors = ErrorLog(importer.columns)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _commit(job, importer, errors)
        except _Rejected:
            _finish(
                job,
                status=Status.FAILED,
                errors=errors,
                failure=_("The registry changed since the check; nothing was imported."),
            )
        except Exception:
            logger.exception("import job %s: commit failed", job.pk)
            _finish(job, status=Status.FAILED, failure=_("Unexpected error; nothing was imported."))
    job.plan.delete(save=True)
    return job


def _commit(job: ImportJob, importer: Importer, errors: ErrorLog) -> None:
    with job.plan.open("rb") as stored:
        plan = unseal(stored)
    with transaction.atomic():
        resolution = importer.resolve(plan, job.project_id, errors)
        if errors:
            raise _Rejected
        context = WriteContext(job.project_id, job.committed_by, job.pk)
        summary = importer.write(plan, resolution, context)
        before = _job_view(job)
        _finish(job, status=Status.COMMITTED, summary=summary)
        log_change(
            actor=job.committed_by,
            instance=job,
            action="update",
            before=before,
            after=_job_view(job),
        )
