"""Background steps of an import, run by the Celery worker (or eagerly in tests).

Both tasks are safe to deliver twice (acks_late): the services claim the job with a
guarded UPDATE, and a job that is no longer in the expected state is left alone.
"""

import logging

from celery import shared_task

from anju.imports.services import ImportStateError, import_job_commit, import_job_validate

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def validate_import(job_id: int) -> None:
    try:
        import_job_validate(job_id=job_id)
    except ImportStateError:
        logger.info("import job %s: not waiting for validation, skipped", job_id)


@shared_task(ignore_result=True)
def commit_import(job_id: int) -> None:
    try:
        import_job_commit(job_id=job_id)
    except ImportStateError:
        logger.info("import job %s: not waiting for a commit, skipped", job_id)
