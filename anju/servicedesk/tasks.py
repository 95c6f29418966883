"""Background and periodic jobs of the service desk (Celery)."""

from celery import shared_task

from anju.servicedesk.recompute import recompute_provisional
from anju.servicedesk.sweep import sweep_milestones


@shared_task(name="servicedesk.sweep_milestones", ignore_result=True)
def sweep_milestones_task() -> dict[str, int]:
    result = sweep_milestones()
    return {"at_risk": result.at_risk, "breached": result.breached, "escalated": result.escalated}


@shared_task(name="servicedesk.recompute_provisional_deadlines", ignore_result=True)
def recompute_provisional_deadlines() -> int:
    return recompute_provisional()
