"""The broker-backed task path: a real Celery worker on Redis or RabbitMQ runs the sweep.

The suite otherwise runs tasks eagerly. Here the project's Celery app is pointed at a real
broker (ANJU_TEST_BROKER_URL, else the first reachable of local Redis and RabbitMQ) and an
embedded worker thread consumes a queue of its own; the test database is transactional so
the worker's connection sees the committed rows. Without a broker the test is skipped,
except on CI (CI=true) or when ANJU_TEST_BROKER_URL names one: then it fails.
"""

import os
import queue
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery import Celery, beat
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.utils import timezone
from kombu import Connection

from anju.celery import app as celery_app
from anju.servicedesk import tasks
from anju.servicedesk.models import Milestone, Notification, WorkOrder, WorkOrderEvent

LOCAL_BROKERS = ("redis://127.0.0.1:6379/15", "amqp://guest:guest@127.0.0.1:5672//")
QUEUE = "anju-test-broker"
WAIT_SECONDS = 20

# Committed rows, so the worker's own connection sees them. The tests make their own rows:
# an earlier transactional test may have flushed the migrations' seed (policies, calendar).
on_committed_rows = pytest.mark.django_db(transaction=True)


def reachable(url: str) -> bool:
    try:
        with Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def broker_url() -> str:
    configured = os.environ.get("ANJU_TEST_BROKER_URL", "")
    candidates = [configured] if configured else list(LOCAL_BROKERS)
    for url in candidates:
        if reachable(url):
            return url
    reason = (
        f"no broker reachable at {' or '.join(candidates)}: "
        "start Redis or RabbitMQ, or set ANJU_TEST_BROKER_URL"
    )
    if configured or os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must exercise the broker-backed path", pytrace=False)
    pytest.skip(reason)


def forget_connections(app: Celery) -> None:
    """Drop pooled connections and producers, so the next send uses the current broker_url.

    Eager calls earlier in the session already acquired a producer on the filesystem broker
    of the test settings. The pools themselves stay open in kombu's registry (per broker).
    """
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def app_on_broker(broker_url: str) -> Iterator[Celery]:
    """The project's app sending to the broker (not eagerly), on a queue of its own."""
    keys = ("broker_url", "broker_transport_options", "task_always_eager", "task_default_queue")
    saved = {key: celery_app.conf[key] for key in keys}
    forget_connections(celery_app)
    celery_app.conf.update(
        broker_url=broker_url,
        broker_transport_options={},
        task_always_eager=False,
        task_default_queue=QUEUE,
    )
    try:
        queue = celery_app.amqp.queues[QUEUE]  # declared as the worker declares it
        with celery_app.connection_for_write() as connection:
            bound = queue(connection.default_channel)
            bound.declare()
            bound.purge()  # messages a crashed earlier run left behind
        yield celery_app
    finally:
        forget_connections(celery_app)
        celery_app.conf.update(saved)


@pytest.fixture
def worker(app_on_broker: Celery) -> Iterator[None]:
    with start_worker(
        app_on_broker, pool="solo", queues=[QUEUE], perform_ping_check=False, shutdown_timeout=30
    ):
        yield


@pytest.fixture
def overdue_order(project, desk) -> WorkOrder:
    """An enquiry nobody dispatched for an hour: its 10-minute dispatch is overdue."""
    received = timezone.now() - timedelta(hours=1)
    order = WorkOrder.objects.create(
        project=project,
        type="enquiry",
        channel="phone",
        description="咨询交房时间",
        received_at=received,
        created_by=desk,
        first_responder=desk,
    )
    Milestone.objects.create(
        work_order=order,
        kind="dispatch",
        clock="wall",
        amount=10,
        started_at=received,
        due_at=received + timedelta(minutes=10),
        at_risk_at=received + timedelta(minutes=8),
    )
    return order


@pytest.fixture
def sweeps_finished() -> Iterator["queue.Queue[tuple[str, Any]]"]:
    """(state, return value) of each sweep the worker finishes, from its own thread.

    The test waits for this instead of polling the database while the worker writes: an
    in-memory SQLite test database is shared between threads with table locks.
    """
    finished: queue.Queue[tuple[str, Any]] = queue.Queue()

    def record(task: Any = None, state: str = "", retval: Any = None, **_: Any) -> None:
        if task is not None and task.name == tasks.sweep_milestones_task.name:
            finished.put((state, retval))

    task_postrun.connect(record, weak=False)
    yield finished
    task_postrun.disconnect(record)


def assert_breach_announced(finished: "queue.Queue[tuple[str, Any]]", order: WorkOrder) -> None:
    try:
        state, retval = finished.get(timeout=WAIT_SECONDS)
    except queue.Empty:
        pytest.fail(f"the worker ran no sweep within {WAIT_SECONDS} s")
    assert (state, retval) == ("SUCCESS", {"at_risk": 0, "breached": 1, "escalated": 0})
    breach = WorkOrderEvent.objects.get(kind=WorkOrderEvent.Kind.MILESTONE_BREACHED)
    assert (breach.work_order, breach.data["milestone"]) == (order, "dispatch")
    note = Notification.objects.get()
    assert (note.work_order, note.kind, note.recipient) == (order, "breached", order.created_by)


@on_committed_rows
def test_a_worker_on_the_broker_runs_the_sweep(worker, sweeps_finished, overdue_order):
    # when the sweep is sent through the broker
    tasks.sweep_milestones_task.delay()
    # then the worker marks the breach and tells the first responder
    assert_breach_announced(sweeps_finished, overdue_order)


@on_committed_rows
def test_the_beat_schedule_sends_the_sweep_to_the_worker(
    worker, app_on_broker, sweeps_finished, overdue_order
):
    # given the schedule beat reads from the settings
    scheduler = beat.Scheduler(app=app_on_broker)
    entry = scheduler.schedule["sla-sweep"]
    assert entry.task == "servicedesk.sweep_milestones"
    assert entry.schedule.run_every == timedelta(seconds=settings.ANJU_SLA_SWEEP_SECONDS)
    # when beat finds the entry due and sends it
    entry.last_run_at = app_on_broker.now() - timedelta(seconds=settings.ANJU_SLA_SWEEP_SECONDS)
    assert entry.is_due().is_due
    scheduler.apply_entry(entry)
    # then the worker runs the sweep
    assert_breach_announced(sweeps_finished, overdue_order)


def test_the_sweep_and_the_recompute_are_registered_tasks():
    registered = celery_app.tasks
    assert registered["servicedesk.sweep_milestones"].name == tasks.sweep_milestones_task.name
    assert "servicedesk.recompute_deadlines" in registered
    assert celery_app.conf.beat_schedule["sla-sweep"] == {
        "task": "servicedesk.sweep_milestones",
        "schedule": settings.ANJU_SLA_SWEEP_SECONDS,
        "options": {"expires": settings.ANJU_SLA_SWEEP_SECONDS},
    }
