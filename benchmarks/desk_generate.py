"""Generate the service-desk dataset on PostgreSQL (the benchmark of issue 3).

1. The registry and owners with benchmarks.generate: 3 projects, ``owners`` units and
   owners stored as the app stores them (Fernet, blind index, masked forms).
2. Desk staff per project: front desk, repair supervisors, managers (roles synced).
3. ``orders`` work orders, ``open`` of them open, ``hot_open`` of those in the first
   project (the other open ones split between the other two), with ids in the order they
   were received; their milestones (the seeded SLA policies), two timeline events each
   (accepted, then the latest step) and the notifications earlier sweeps sent about the
   running milestones. Rows come from desk_rows / desk_dataset and are loaded with COPY in
   chunks of CHUNK orders, one transaction each. The four tables' secondary indexes and
   constraints are dropped for the load and rebuilt afterwards (their definitions wait in
   var/benchmarks/desk-ddl-<database>.json until they are back). VACUUM ANALYZE follows.
"""

import heapq
import json
import multiprocessing
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from benchmarks import dataset, generate
from benchmarks.desk_dataset import (
    DAY,
    HISTORY,
    MINUTE,
    Core,
    Policy,
    Target,
    World,
    closed_core,
    open_core,
)
from benchmarks.desk_rows import Counters, OrderRows, Rows

CHUNK = 50_000
STAFF = (("front_desk", 8), ("repair_supervisor", 30), ("manager", 2))
BENCH_USER = "desk-0-front_desk-00"  # the front-desk user the queue and API runs sign in as
# (column, type) per table, in the order desk_rows writes them; loaded with binary COPY.
# Milestones, events and notifications take their ids from the table's identity.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "servicedesk_workorder": (
        ("id", "int8"),
        ("project_id", "int8"),
        ("type", "text"),
        ("channel", "text"),
        ("owner_id", "int8"),
        ("unit_id", "int8"),
        ("building_id", "int8"),
        ("category_id", "int8"),
        ("location", "text"),
        ("urgency", "text"),
        ("description", "text"),
        ("received_at", "timestamptz"),
        ("created_at", "timestamptz"),
        ("created_by_id", "int8"),
        ("first_responder_id", "int8"),
        ("status", "text"),
        ("department", "text"),
        ("assignee_id", "int8"),
        ("escalated", "bool"),
        ("hold_reason", "text"),
        ("on_hold_since", "timestamptz"),
        ("merged_into_id", "int8"),
        ("sla_policy_id", "int8"),
        ("resolved_at", "timestamptz"),
        ("closed_at", "timestamptz"),
        ("next_due_at", "timestamptz"),
        ("sla_at_risk_from", "timestamptz"),
        ("sla_breach_from", "timestamptz"),
    ),
    "servicedesk_milestone": (
        ("work_order_id", "int8"),
        ("kind", "text"),
        ("clock", "text"),
        ("amount", "int4"),
        ("at_risk_share", "numeric"),
        ("pauses_on_hold", "bool"),
        ("started_at", "timestamptz"),
        ("due_at", "timestamptz"),
        ("at_risk_at", "timestamptz"),
        ("provisional", "bool"),
        ("paused_at", "timestamptz"),
        ("holds", "jsonb"),
        ("met_at", "timestamptz"),
        ("cancelled", "bool"),
        ("at_risk_notified_at", "timestamptz"),
        ("breached_at", "timestamptz"),
        ("escalated_at", "timestamptz"),
    ),
    "servicedesk_workorderevent": (
        ("work_order_id", "int8"),
        ("kind", "text"),
        ("at", "timestamptz"),
        ("actor_id", "int8"),
        ("note", "text"),
        ("data", "jsonb"),
    ),
    "servicedesk_notification": (
        ("recipient_id", "int8"),
        ("kind", "text"),
        ("text", "text"),
        ("work_order_id", "int8"),
        ("created_at", "timestamptz"),
        ("read_at", "timestamptz"),
    ),
}
LOADED = tuple(COLUMNS)


@dataclass(frozen=True)
class Sizes:
    orders: int
    open: int
    hot_open: int
    owners: int

    @classmethod
    def make(
        cls, orders: int, open_: int | None, hot_open: int | None, owners: int | None
    ) -> "Sizes":
        open_ = orders // 5 if open_ is None else min(open_, orders)
        hot = min(100_000, open_ // 10) if hot_open is None else min(hot_open, open_)
        units = max(3_000, min(100_000, orders // 10)) if owners is None else owners
        return cls(orders=orders, open=open_, hot_open=hot, owners=units)


def generate_desk(*, url: str, sizes: Sizes, seed: int, jobs: int = 2) -> dict[str, Any]:
    """Replace the dataset; returns its summary (also written to desk-dataset-<database>.json)."""
    started = time.perf_counter()
    restore_ddl(url)  # a previous run that died mid-load left them out
    _truncate_desk()
    project_ids = _registry(url=url, owners=sizes.owners, seed=seed, jobs=jobs)
    registry_seconds = time.perf_counter() - started
    staff = _staff(project_ids)
    world = _world(project_ids, sizes.owners, staff)
    print(f"  building {sizes.open:,} open orders and sorting them by received time …")
    cores = _cores(world, sizes, seed)
    connections.close_all()
    _drop_ddl(url)
    counters, build, copy = _load(url, world, cores, seed, sizes.orders, jobs)
    print("  rebuilding indexes and constraints …", flush=True)
    index_began = time.perf_counter()
    restore_ddl(url)
    index_seconds = time.perf_counter() - index_began
    _reset_sequences()
    print("  VACUUM ANALYZE …", flush=True)
    generate._vacuum_analyze()
    _vacuum_analyze((*LOADED, "security_user", "security_user_projects", "security_user_groups"))
    summary = {
        "orders": sizes.orders,
        "open": sizes.open,
        "hot_open": sizes.hot_open,
        "owners": sizes.owners,
        "seed": seed,
        "reference_now": datetime.fromtimestamp(world.now, UTC).isoformat(),
        "hot_project_id": project_ids[0],
        "bench_user": BENCH_USER,
        "milestones": counters.milestones,
        "running_milestones": counters.running,
        "sweepable_milestones": counters.sweepable,
        "expected_sweep": {
            "at_risk": counters.at_risk_unmarked,
            "breached": counters.overdue_unmarked,
            "escalated": counters.escalation_due,
        },
        "events": counters.events,
        "notifications": counters.notifications,
        "registry_seconds": round(registry_seconds, 1),
        "build_seconds": round(build, 1),
        "copy_seconds": round(copy, 1),
        "index_seconds": round(index_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }
    summary_path().write_text(json.dumps(summary, indent=2))
    return summary


def summary_path() -> Path:
    # One file per database: two datasets (say a small one and the 5M one) don't clash.
    name = settings.DATABASES["default"]["NAME"]
    path = Path(settings.VAR_DIR) / "benchmarks" / f"desk-dataset-{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def read_summary() -> dict[str, Any] | None:
    path = summary_path()
    return json.loads(path.read_text()) if path.exists() else None


# --- registry, staff, world --------------------------------------------------------------


def _truncate_desk() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE servicedesk_workorder, servicedesk_groupcomplaintalert, "
            "servicedesk_notification RESTART IDENTITY CASCADE"
        )


def _registry(*, url: str, owners: int, seed: int, jobs: int) -> tuple[int, ...]:
    """Projects, units and owners exactly as benchmarks.generate makes them (its summary,
    which describes the search benchmark's database, is left alone)."""
    print(f"  registry and {owners:,} owners ({jobs} processes) …", flush=True)
    generate._truncate()
    plan = generate._create_registry(url=url, units=owners, seed=seed)
    generate._load_chunks(plan, owners, jobs)
    generate._reset_sequences()
    generate._link_owner_projects()
    return plan.project_ids


def _staff(project_ids: tuple[int, ...]) -> dict[str, list[list[int]]]:
    """Users per role and project (created once, unusable passwords; reassigned each run)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from anju.owners.fakes import fake_person_name
    from anju.security.models import User
    from anju.security.services import sync_roles

    sync_roles()
    rng = random.Random(7)
    wanted = {
        f"desk-{p}-{role}-{i:02d}": (p, role)
        for p in range(len(project_ids))
        for role, count in STAFF
        for i in range(count)
    }
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=name, name=fake_person_name(rng), password=make_password(None))
        for name in wanted
        if name not in existing
    )
    ids = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    groups = dict(Group.objects.values_list("name", "pk"))
    User.groups.through.objects.filter(user_id__in=ids.values()).delete()
    User.projects.through.objects.filter(user_id__in=ids.values()).delete()
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=ids[name], group_id=groups[role])
        for name, (_p, role) in wanted.items()
    )
    User.projects.through.objects.bulk_create(
        User.projects.through(user_id=ids[name], project_id=project_ids[p])
        for name, (p, _role) in wanted.items()
    )
    staff: dict[str, list[list[int]]] = {role: [[] for _ in project_ids] for role, _n in STAFF}
    for name, (p, role) in wanted.items():
        staff[role][p].append(ids[name])
    return staff


def _world(project_ids: tuple[int, ...], owners: int, staff: dict[str, list[list[int]]]) -> World:
    from django.utils.translation import gettext

    from anju.properties.models import Unit
    from anju.servicedesk.models import Category, SlaPolicy
    from anju.servicedesk.models.sla import MilestoneKind

    units: list[list[int]] = [[] for _ in project_ids]
    for index in range(owners):
        building = index // dataset.UNITS_PER_BUILDING
        units[dataset.building_place(building).project].append(index + 1)
    buildings = dict(Unit.objects.values_list("id", "building_id"))
    policies = {
        (policy.work_order_type, policy.urgency): Policy(
            policy.pk,
            tuple(
                Target(t.milestone, t.clock, t.amount, t.at_risk_share, t.pauses_on_hold)
                for t in sorted(policy.targets.all(), key=lambda t: t.pk)
            ),
        )
        for policy in SlaPolicy.objects.filter(is_active=True, category__isnull=True)
        .order_by("pk")
        .prefetch_related("targets")
    }
    leaves = Category.objects.filter(children__isnull=True, is_active=True).select_related("parent")
    service = [c.pk for c in leaves if c.parent and c.parent.name == "服务"]
    building_parts = [c.pk for c in leaves if c.parent and c.parent.name != "服务"]
    return World(
        now=float(int(time.time())),
        escalate_after=settings.ANJU_SLA_ESCALATE_AFTER_MINUTES * MINUTE,
        project_ids=project_ids,
        units=units,
        unit_buildings=buildings,
        desk=staff["front_desk"],
        engineers=staff["repair_supervisor"],
        managers=staff["manager"],
        policies=policies,
        categories={
            "repair": building_parts,
            "complaint": service + building_parts,
            "enquiry": service,
        },
        labels={kind.value: str(kind.label) for kind in MilestoneKind},
        texts={
            "at_risk": gettext("%(number)s: %(milestone)s is at risk."),
            "breached": gettext("%(number)s: %(milestone)s is overdue."),
            "escalated": gettext("%(number)s: %(milestone)s is overdue and was escalated to you."),
        },
    )


def _cores(world: World, sizes: Sizes, seed: int) -> Iterator[Core]:
    """Every order's core, by received time: the open ones sorted, the done ones spread
    evenly (one per slot, so already in order) over HISTORY, until a day ago."""
    rng = random.Random(seed * 7_919 + 1)
    opened = sorted(open_core(rng, world, k, sizes.hot_open) for k in range(sizes.open))
    done = sizes.orders - sizes.open
    hot_share = sizes.hot_open / sizes.open if sizes.open else 1 / len(world.project_ids)

    def closed() -> Iterator[Core]:
        closed_rng = random.Random(seed * 7_919 + 2)
        end = world.now - DAY
        step = HISTORY / max(done, 1)
        for j in range(done):
            received = end - HISTORY + (j + closed_rng.random()) * step
            yield closed_core(closed_rng, world, received, hot_share)

    return heapq.merge(opened, closed())


# --- load ---------------------------------------------------------------------------------


@dataclass
class ChunkStats:
    orders: int
    counters: Counters
    build_seconds: float
    copy_seconds: float


def _load(
    url: str, world: World, cores: Iterator[Core], seed: int, total: int, jobs: int
) -> tuple[Counters, float, float]:
    """Chunks of cores, in received order, built and copied by `jobs` worker processes."""
    counters = Counters()
    build = copy = 0.0
    began = time.perf_counter()
    done, next_report = 0, 0.1
    chunks = ((i, i * CHUNK + 1, list(islice(cores, CHUNK))) for i in range(-(-total // CHUNK)))
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_init_worker, initargs=(url, world, seed)) as pool:
        for stats in pool.imap_unordered(_load_chunk, chunks):
            done += stats.orders
            counters.add(stats.counters)
            build += stats.build_seconds
            copy += stats.copy_seconds
            if done / total >= next_report or done == total:
                elapsed = time.perf_counter() - began
                print(
                    f"  {done:>10,} orders  {counters.milestones:>11,} milestones  "
                    f"{elapsed:7.1f} s  ({done / elapsed:,.0f} orders/s)",
                    flush=True,
                )
                next_report += 0.1
    return counters, build, copy


_worker: dict[str, Any] = {}


def _init_worker(url: str, world: World, seed: int) -> None:
    import psycopg

    _worker.update(conn=psycopg.connect(url), world=world, seed=seed)


def _load_chunk(chunk: tuple[int, int, list[Core]]) -> ChunkStats:
    index, first_id, cores = chunk
    began = time.perf_counter()
    counters = Counters()
    rng = random.Random(_worker["seed"] * 7_919 + 3 + index * 1_000_003)
    builder = OrderRows(_worker["world"], rng, counters)
    rows = Rows()
    for order_id, core in enumerate(cores, start=first_id):
        builder.add(order_id, core, rows)
    built = time.perf_counter()
    _copy(_worker["conn"], rows)
    return ChunkStats(len(cores), counters, built - began, time.perf_counter() - built)


def _copy(conn: Any, rows: Rows) -> None:
    data = (rows.orders, rows.milestones, rows.events, rows.notifications)
    with conn.transaction(), conn.cursor() as cursor:
        for (table, columns), table_rows in zip(COLUMNS.items(), data, strict=True):
            names = ", ".join(name for name, _type in columns)
            statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(statement) as copy:
                copy.set_types([kind for _name, kind in columns])
                for row in table_rows:
                    copy.write_row(row)


def _reset_sequences() -> None:
    with connection.cursor() as cursor:
        for table in LOADED:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )


def _vacuum_analyze(tables: tuple[str, ...]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- secondary indexes and constraints, out for the load ----------------------------------


def ddl_path() -> Path:
    return summary_path().with_name(summary_path().name.replace("dataset", "ddl"))


_CONSTRAINTS = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')
    ORDER BY contype DESC, conname
"""
_INDEXES = """
    SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint k
        WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
      )
    ORDER BY c.relname
"""


def _drop_ddl(url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        constraints = conn.execute(_CONSTRAINTS, [list(LOADED)]).fetchall()
        indexes = conn.execute(_INDEXES, [list(LOADED)]).fetchall()
        ddl_path().write_text(json.dumps({"indexes": indexes, "constraints": constraints}))
        for table, name, _definition in reversed(constraints):
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
        for _table, name, _definition in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    print(f"  dropped {len(indexes)} indexes and {len(constraints)} constraints for the load")


def restore_ddl(url: str) -> None:
    """Put back what _drop_ddl took out (whatever is still missing), then forget it."""
    import psycopg
    from psycopg import sql

    path = ddl_path()
    if not path.exists():
        return
    saved = json.loads(path.read_text())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _table, name, definition in saved["indexes"]:
            if not conn.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name]).fetchone():
                conn.execute(definition)
        for table, name, definition in saved["constraints"]:
            found = conn.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
                [name, table],
            ).fetchone()
            if not found:
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                    + sql.SQL(definition)
                )
    path.unlink()
