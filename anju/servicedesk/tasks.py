"""Background and periodic jobs of the service desk (Celery)."""

from celery import shared_task

from anju.servicedesk.recompute import recompute_requested
from anju.servicedesk.sweep import sweep_milestones


@shared_task(name="servicedesk.sweep_milestones", ignore_result=True)
def sweep_milestones_task() -> dict[str, int]:
    result = sweep_milestones()
    return {"at_risk": result.at_risk, "breached": result.breached, "escalated": result.escalated}


@shared_task(name="servicedesk.recompute_deadlines", ignore_result=True)
def recompute_deadlines_task() -> int:
    """Queued on each calendar change, and run periodically as a safety net: both work
    off the pending DeadlineRecompute rows, so a lost message only delays the work."""
    return recompute_requested()
