"""The service-desk measurements: queue pages, API create throughput, the breach sweep.

* Queue: GET servicedesk:queue through the Django test client (middleware, session,
  permissions, filters, table, template; no network) as a front-desk user of the hot
  project, per tab and sort, the full page and the htmx table partial the page polls.
* API: see desk_http (gunicorn + wrk, next to two minimal views).
* Sweep: `sweep_milestones(now)` once, at the dataset's reference time, so the claimable
  milestones are those the generator left unmarked; the marks it set, the events and
  the notifications it wrote are removed afterwards, so the dataset can be measured again.
"""

import cProfile
import io
import json
import os
import pstats
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Max
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks import desk_http, desk_inprocess
from benchmarks.search_bench import SqlClock
from benchmarks.stats import summary_ms, table

TARGET_QUEUE_P95_MS = 100.0
TARGET_SWEEP_SECONDS = 5.0
TARGET_API_RATIO = 0.5
QUEUE_CASES: tuple[tuple[str, dict[str, str]], ...] = (
    ("mine", {"tab": "mine"}),
    ("team", {"tab": "team"}),
    ("unassigned", {"tab": "unassigned"}),
    ("at risk", {"tab": "at_risk"}),
    ("breached", {"tab": "breached"}),
    ("on hold", {"tab": "on_hold"}),
    ("all", {"tab": "all"}),
    ("all, by next due", {"tab": "all", "sort": "next_due"}),
    ("all, latest due first", {"tab": "all", "sort": "-next_due"}),
)
# A manager of every project (300,000 open orders here): the sorts across projects.
WIDE_CASES: tuple[tuple[str, dict[str, str]], ...] = (
    ("all projects", {"tab": "all"}),
    ("all projects, by next due", {"tab": "all", "sort": "next_due"}),
    ("all projects, latest due first", {"tab": "all", "sort": "-next_due"}),
)
ALL_CASES = dict(QUEUE_CASES + WIDE_CASES)


def bench_user(username: str) -> Any:
    from anju.security.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise SystemExit(f"no user {username!r}: generate the dataset first")
    return user


# --- queue ------------------------------------------------------------------------------


@dataclass
class QueueMeasure:
    label: str
    partial: bool
    rows: int
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # this process's, not PostgreSQL's
    sql_seconds: list[float] = field(default_factory=list)
    statements: int = 0

    def row(self) -> list[object]:
        ms = summary_ms(self.seconds)
        sql = summary_ms(self.sql_seconds)
        return [
            self.label,
            "partial" if self.partial else "page",
            self.rows,
            len(self.seconds),
            ms["p50"],
            ms["p95"],
            ms["max"],
            summary_ms(self.cpu_seconds)["p50"],
            sql["p50"],
            self.statements,
            "ok" if ms["p95"] < TARGET_QUEUE_P95_MS else "MISS",
        ]


def _queue_rows(user: Any, params: dict[str, str]) -> int:
    from anju.servicedesk.filters import DEFAULT_TAB, QueueFilter, queue_queryset

    data = QueryDict(urlencode(params))
    tab = params.get("tab", DEFAULT_TAB)
    base = queue_queryset(user, tab, timezone.now())
    return QueueFilter(data, queryset=base, user=user).qs.count()


def wide_user() -> Any:
    """A manager assigned to every project of the dataset (made once)."""
    from django.contrib.auth.models import Group

    from anju.properties.models import Project
    from anju.security.models import User

    user, _created = User.objects.get_or_create(username="desk-wide-manager")
    user.groups.set([Group.objects.get(name="manager")])
    user.projects.set(Project.objects.all())
    return User.objects.get(pk=user.pk)


def run_queue(
    user: Any,
    *,
    requests: int,
    warmup: int,
    budget: float,
    cases: tuple[tuple[str, dict[str, str]], ...] = QUEUE_CASES,
) -> list[QueueMeasure]:
    """`requests` measured GETs per case after `warmup`; a case stops early (with at least
    5 measured) once it has run `budget` seconds."""
    client = Client()
    client.force_login(user)
    url = reverse("servicedesk:queue")
    results = []
    for label, params in cases:
        rows = _queue_rows(user, params)
        for partial in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if partial else {}
            measure = QueueMeasure(label, partial, rows)
            began = time.perf_counter()
            for position in range(warmup + requests):
                clock = SqlClock()
                with connection.execute_wrapper(clock):
                    start, cpu = time.perf_counter(), time.process_time()
                    response = client.get(url, params, **headers)  # type: ignore[arg-type]
                    elapsed = time.perf_counter() - start
                    cpu = time.process_time() - cpu
                assert response.status_code == 200, response.status_code
                if position >= warmup:
                    measure.seconds.append(elapsed)
                    measure.cpu_seconds.append(cpu)
                    measure.sql_seconds.append(clock.seconds)
                if time.perf_counter() - began > budget and len(measure.seconds) >= 5:
                    break
            with CaptureQueriesContext(connection) as captured:
                client.get(url, params, **headers)  # type: ignore[arg-type]
            measure.statements = len(captured.captured_queries)
            print(
                f"  {label:<18} {'partial' if partial else 'page':<7} "
                f"p95 {summary_ms(measure.seconds)['p95']:8.1f} ms",
                flush=True,
            )
            results.append(measure)
    return results


def queue_report(results: list[QueueMeasure]) -> str:
    headers = [
        "tab",
        "response",
        "rows",
        "requests",
        "p50 ms",
        "p95 ms",
        "max ms",
        "CPU p50 ms",
        "SQL p50 ms",
        "statements",
        "p95 < 100 ms",
    ]
    return table(headers, [m.row() for m in results])


def explain_queue(user: Any, measure: QueueMeasure) -> str:
    """The statements of one request of the case, timed, and the slowest explained."""
    params = ALL_CASES[measure.label]
    headers = {"HTTP_HX_REQUEST": "true"} if measure.partial else {}
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("servicedesk:queue"), params, **headers)  # type: ignore[arg-type]
    timed = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
    listing = "\n".join(f"  {s * 1000:8.2f} ms  {sql[:110]}" for s, sql in timed)
    _seconds, sql = max(timed)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"statements of one request:\n{listing}\n\nslowest, explained:\n{sql}\n{plan}"


# --- API create throughput ------------------------------------------------------------------


def run_api(
    user: Any,
    *,
    project_id: int,
    concurrencies: tuple[int, ...],
    conn_max_ages: tuple[int, ...],
    seconds: float,
    warmup: float,
    workers: int,
    threads: int,
    seed: int,
) -> list[desk_http.Load]:
    from knox.models import AuthToken

    bodies = desk_http.request_bodies(project_id, 200, seed)
    path = desk_http._work_dir() / "desk-bodies.jsonl"
    path.write_text("".join(json.dumps(body, ensure_ascii=False) + "\n" for body in bodies))
    marks = _high_water()
    token_row, token = AuthToken.objects.create(user)
    try:
        print(_one_create(token, bodies[0]), flush=True)
        print(desk_inprocess.measure(token, bodies), flush=True)
        loads = []
        for age in conn_max_ages:
            server = desk_http.server(workers=workers, threads=threads, conn_max_age=age)
            with server as base:
                print(
                    f"  gunicorn --workers {workers} --threads {threads} at {base}, "
                    f"CONN_MAX_AGE={desk_http.age_label(age)}",
                    flush=True,
                )
                loads += desk_http.measure(
                    base,
                    conn_max_age=age,
                    token=token,
                    bodies=path,
                    concurrencies=concurrencies,
                    seconds=seconds,
                    warmup=warmup,
                )
    finally:
        removed = _remove_created(marks)
        token_row.delete()
        print(f"  removed the {removed:,} orders the run created (and what hangs off them)")
    return loads


def _one_create(token: str, body: dict[str, Any]) -> str:
    """One create in-process: the statements it runs and the slowest of them. A first,
    unmeasured create loads what a process loads once (SLA configuration, calendar)."""
    client = Client()

    def create(attempt: str) -> tuple[float, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.post(
                "/api/v1/work-orders/",
                data=json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
                HTTP_IDEMPOTENCY_KEY=f"{desk_http.KEY_PREFIX}in-process-{attempt}-{time.time()}",
            )
            elapsed = time.perf_counter() - began
        assert response.status_code == 201, response.content[:500]
        return elapsed, captured.captured_queries

    _first_elapsed, first = create("first")
    elapsed, queries = create("next")
    timed = sorted(((float(q["time"]), q["sql"]) for q in queries), reverse=True)
    sql_ms = sum(s for s, _ in timed) * 1000
    top = "\n".join(f"    {s * 1000:7.2f} ms  {sql[:100]}" for s, sql in timed[:5])
    return (
        f"  one API create in-process (the process's second): {elapsed * 1000:.1f} ms, "
        f"{len(timed)} SQL statements ({sql_ms:.1f} ms; the first create ran {len(first)}); "
        f"the slowest:\n{top}"
    )


def _high_water() -> dict[str, int]:
    from anju.audit.models import ChangeLog
    from anju.servicedesk.models import GroupComplaintAlert

    return {
        "changelog": ChangeLog.objects.aggregate(m=Max("pk"))["m"] or 0,
        "alert": GroupComplaintAlert.objects.aggregate(m=Max("pk"))["m"] or 0,
    }


def _remove_created(marks: dict[str, int]) -> int:
    from anju.audit.models import ChangeLog
    from anju.servicedesk.models import GroupComplaintAlert, WorkOrder

    orders = WorkOrder.objects.filter(idempotency_key__startswith=desk_http.KEY_PREFIX)
    with transaction.atomic():
        count = orders.count()
        orders.delete()
        GroupComplaintAlert.objects.filter(pk__gt=marks["alert"]).delete()
        ChangeLog.objects.filter(pk__gt=marks["changelog"]).delete()
    return count


# --- sweep ----------------------------------------------------------------------------------


@dataclass
class SweepMeasure:
    seconds: float
    at_risk: int
    breached: int
    escalated: int
    sql: dict[str, float]
    passes: list[tuple[str, int, float]]  # (mark, claimed, seconds) per pass, in order
    profile: str = ""


_RESET_MARKS = """
    UPDATE servicedesk_milestone SET
      at_risk_notified_at = NULLIF(at_risk_notified_at, %(now)s),
      breached_at = NULLIF(breached_at, %(now)s),
      escalated_at = NULLIF(escalated_at, %(now)s)
    WHERE met_at IS NULL AND NOT cancelled AND paused_at IS NULL
      AND (at_risk_notified_at = %(now)s OR breached_at = %(now)s OR escalated_at = %(now)s)
"""


class SqlByKind:
    """Database time of the sweep by statement: claim, mark, events, notifications."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = _statement_kind(sql)
            self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - began


def _statement_kind(sql: str) -> str:
    head = sql.lstrip()[:40].upper()
    if head.startswith("SELECT"):
        return "claim (SELECT … FOR UPDATE SKIP LOCKED)" if "FOR UPDATE" in sql else "other"
    if head.startswith("UPDATE"):
        return "mark (UPDATE)"
    if "servicedesk_workorderevent" in sql[:60]:
        return "events (INSERT)"
    if "servicedesk_notification" in sql[:60]:
        return "notifications (INSERT)"
    return "other"


def run_sweep(reference_now: datetime, *, profile: bool = False) -> SweepMeasure:
    """One sweep at the reference time; tidied up afterwards. With `profile`, under
    cProfile (slower: for the top functions, not for the figure)."""
    from anju.servicedesk import sweep
    from anju.servicedesk.models import Notification, WorkOrderEvent

    reset_marks(reference_now)  # a run that died before tidying up
    events = WorkOrderEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    notifications = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    clock = SqlByKind()
    profiler = cProfile.Profile()
    passes: list[tuple[str, int, float]] = []
    claim_all = sweep._claim_all

    def timed_pass(*args: Any) -> int:
        began = time.perf_counter()
        claimed = claim_all(*args)
        passes.append((args[1], claimed, time.perf_counter() - began))
        return claimed

    sweep._claim_all = timed_pass  # type: ignore[assignment]  # times each pass
    try:
        with connection.execute_wrapper(clock):
            began = time.perf_counter()
            if profile:
                profiler.enable()
            result = sweep.sweep_milestones(now=reference_now)
            profiler.disable()
            seconds = time.perf_counter() - began
    finally:
        sweep._claim_all = claim_all
        reset_marks(reference_now)
        WorkOrderEvent.objects.filter(pk__gt=events).delete()
        Notification.objects.filter(pk__gt=notifications).delete()
    top = ""
    if profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        top = out.getvalue()
    return SweepMeasure(
        seconds, result.at_risk, result.breached, result.escalated, clock.seconds, passes, top
    )


def reset_marks(reference_now: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_RESET_MARKS, {"now": reference_now})
        return cursor.rowcount


def explain_sweep(reference_now: datetime) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of each pass's first claim, rolled back."""
    from django.conf import settings

    from anju.servicedesk import sweep

    escalate_before = reference_now - timedelta(minutes=settings.ANJU_SLA_ESCALATE_AFTER_MINUTES)
    passes = {
        "at risk": sweep._open().filter(
            at_risk_at__lte=reference_now,
            at_risk_notified_at__isnull=True,
            due_at__gte=reference_now,
        ),
        "breached": sweep._open().filter(due_at__lt=reference_now, breached_at__isnull=True),
        "escalated": sweep._open().filter(
            breached_at__lte=escalate_before, escalated_at__isnull=True
        ),
    }
    parts = []
    for label, candidates in passes.items():
        claim = (
            candidates.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "work_order__assignee", "work_order__first_responder", "work_order__project"
            )
            .order_by("due_at")[: sweep.BATCH]
        )
        with transaction.atomic(), connection.cursor() as cursor:
            sql, params = claim.query.sql_with_params()
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        parts.append(f"-- {label} pass, first batch:\n{plan}")
    return "\n\n".join(parts)


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
