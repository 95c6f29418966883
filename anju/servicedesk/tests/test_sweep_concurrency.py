"""Several sweep workers at once on PostgreSQL: every milestone is marked exactly once.

The workers are real processes (`manage.py shell -c`) on the test database, each with its
own connection, started together at a rendezvous. Each holds its claimed batch a little
longer than needed so that the others really run into locked rows (SKIP LOCKED) instead of
finishing one after the other. Each worker also runs its breach pass on a second connection
next to its at-risk pass, as sweep_milestones does outside a transaction. SQLite has no row
locks and is skipped.
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from anju.servicedesk.models import Milestone, Notification, WorkOrder, WorkOrderEvent
from anju.servicedesk.sweep import sweep_milestones

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE SKIP LOCKED) need PostgreSQL; "
        "run with DATABASE_URL=postgres://... (CI does)",
    ),
    # committed rows for the workers' connections (no seed needed: the test makes its own)
    pytest.mark.django_db(transaction=True),
]

ORDERS = 1000
KINDS = ("dispatch", "response", "completion")  # 3,000 milestones
AT_RISK_ORDERS = 500  # one milestone each, all at risk from the same instant
BATCH = 100  # smaller than the default so every worker claims many batches
HOLD_SECONDS = 0.05  # per batch, inside the claiming transaction

WORKER = r"""
import json, os, time
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection

connection.close()
connection.settings_dict["NAME"] = os.environ["SWEEP_TEST_DB"]

import anju.servicedesk.sweep as sweep

sweep.BATCH = int(os.environ["SWEEP_BATCH"])
pause = float(os.environ["SWEEP_HOLD_SECONDS"])
claim_batch = {
    "set-based": sweep._claim_batch,  # one statement a batch on PostgreSQL
    "portable": sweep._claim_batch_portable,  # the ORM path SQLite runs
}[os.environ["SWEEP_PATH"]]


def slowed(*args):
    claimed = claim_batch(*args)
    time.sleep(pause)  # inside the transaction that holds the claimed rows' locks
    return claimed


sweep._claim_batch = slowed

rendezvous = Path(os.environ["SWEEP_RENDEZVOUS"])
connection.ensure_connection()
(rendezvous / f"ready-{os.getpid()}").touch()
while not (rendezvous / "go").exists():
    time.sleep(0.005)
apart = sweep._apart()
result = sweep.sweep_milestones(datetime.fromisoformat(os.environ["SWEEP_NOW"]))
connection.close()
print("RESULT " + json.dumps({**vars(result), "apart": apart}))
"""


def run_workers(count: int, path: str, now, rendezvous: Path) -> list[dict[str, Any]]:
    """Start ``count`` sweeping processes on ``path`` together; their SweepResults."""
    rendezvous.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "anju.test_settings",
        "SWEEP_TEST_DB": connection.settings_dict["NAME"],
        "SWEEP_BATCH": str(BATCH),
        "SWEEP_HOLD_SECONDS": str(HOLD_SECONDS),
        "SWEEP_RENDEZVOUS": str(rendezvous),
        "SWEEP_NOW": now.isoformat(),
        "SWEEP_PATH": path,
    }
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-c", WORKER]
    workers = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(rendezvous.glob("ready-*"))) < count:
            failed = [w for w in workers if w.poll() is not None]
            assert not failed, failed[0].communicate()[1]
            assert time.monotonic() < deadline, "the workers did not start within 120 s"
            time.sleep(0.02)
        (rendezvous / "go").touch()
        outputs = [w.communicate(timeout=300) for w in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    results = []
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        line = next(x for x in out.splitlines() if x.startswith("RESULT "))
        results.append(json.loads(line.removeprefix("RESULT ")))
    return results


def dispatched_orders(project, creator, assignee, received_at, count) -> list[WorkOrder]:
    return WorkOrder.objects.bulk_create(
        WorkOrder(
            project=project,
            type="repair",
            channel="phone",
            description=f"报修 {i}",
            received_at=received_at,
            created_by=creator,
            first_responder=creator,
            assignee=assignee,
            department="engineering",
            status="dispatched",
        )
        for i in range(count)
    )


def overdue_milestones(project, creator, assignee, now) -> int:
    """1,000 dispatched orders with three milestones each, all overdue for 3 hours."""
    orders = dispatched_orders(project, creator, assignee, now - timedelta(hours=5), ORDERS)
    Milestone.objects.bulk_create(
        Milestone(
            work_order=order,
            kind=kind,
            clock="wall",
            amount=60,
            started_at=now - timedelta(hours=5),
            due_at=now - timedelta(hours=3, seconds=i),
            at_risk_at=now - timedelta(hours=4),
        )
        for i, (order, kind) in enumerate((o, k) for o in orders for k in KINDS)
    )
    return len(orders) * len(KINDS)


def at_risk_milestones(project, creator, assignee, now) -> int:
    """Dispatched orders whose response is at risk since an hour ago, due in 3 hours."""
    orders = dispatched_orders(project, creator, assignee, now - timedelta(hours=2), AT_RISK_ORDERS)
    Milestone.objects.bulk_create(
        Milestone(
            work_order=order,
            kind="response",
            clock="wall",
            amount=300,
            started_at=now - timedelta(hours=2),
            due_at=now + timedelta(hours=3),
            at_risk_at=now - timedelta(hours=1),
        )
        for order in orders
    )
    return len(orders)


def once_each(kind: str) -> Counter[tuple[int, str]]:
    marked = WorkOrderEvent.objects.filter(kind=kind).values_list("work_order_id", "data")
    return Counter((order, data["milestone"]) for order, data in marked)


@pytest.mark.parametrize(("count", "path"), [(2, "set-based"), (4, "set-based"), (2, "portable")])
def test_concurrent_sweeps_mark_each_milestone_exactly_once(
    count, path, project, desk, supervisor, manager, tmp_path
):
    # given 3,000 overdue milestones and 500 at risk, committed
    now = timezone.now()
    total = overdue_milestones(project, desk, supervisor, now)
    at_risk = at_risk_milestones(project, desk, supervisor, now)
    assert Milestone.objects.filter(due_at__lt=now, breached_at__isnull=True).count() == total

    # when several workers sweep at the same moment
    first = run_workers(count, path, now, tmp_path / "breach")
    assert all(r["apart"] for r in first), first  # at-risk and breach passes side by side
    # then together they claimed each milestone once, every one of them doing a share
    assert sum(r["breached"] for r in first) == total, first
    assert all(r["breached"] > 0 for r in first), first
    assert sum(r["at_risk"] for r in first) == at_risk, first
    assert sum(r["escalated"] for r in first) == 0
    warnings = once_each(WorkOrderEvent.Kind.MILESTONE_AT_RISK)
    assert len(warnings) == at_risk and set(warnings.values()) == {1}
    assert Notification.objects.filter(kind="at_risk").count() == at_risk
    breaches = once_each(WorkOrderEvent.Kind.MILESTONE_BREACHED)
    assert len(breaches) == total and set(breaches.values()) == {1}
    notified = Notification.objects.filter(kind="breached")
    assert notified.count() == total
    assert set(notified.values_list("recipient", flat=True)) == {supervisor.pk}
    assert len(set(notified.values_list("work_order", "text"))) == total
    assert not Milestone.objects.filter(due_at__lt=now, breached_at__isnull=True).exists()

    # when they sweep again after the escalation delay
    later = now + timedelta(minutes=settings.ANJU_SLA_ESCALATE_AFTER_MINUTES + 1)
    second = run_workers(count, path, later, tmp_path / "escalate")
    # then each breach was escalated once, to the project's manager
    assert sum(r["escalated"] for r in second) == total, second
    assert all(r["escalated"] > 0 for r in second), second
    assert sum(r["at_risk"] + r["breached"] for r in second) == 0
    escalations = once_each(WorkOrderEvent.Kind.MILESTONE_ESCALATED)
    assert len(escalations) == total and set(escalations.values()) == {1}
    escalated = Notification.objects.filter(kind="escalated")
    assert escalated.count() == total
    assert set(escalated.values_list("recipient", flat=True)) == {manager.pk}

    # and a late sweep finds nothing left to do
    result = sweep_milestones(later + timedelta(hours=1))
    assert (result.at_risk, result.breached, result.escalated) == (0, 0, 0)
    assert once_each(WorkOrderEvent.Kind.MILESTONE_BREACHED) == breaches
    assert once_each(WorkOrderEvent.Kind.MILESTONE_AT_RISK) == warnings
