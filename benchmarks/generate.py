"""Generate N units and N owners on PostgreSQL, exactly as the app stores them.

Rows are built in Python with the app's own fakes and protection functions (Fernet
ciphertext, blind index, masked form, pinyin and search keys) and loaded with COPY in
chunks of owners, one transaction per chunk. The CPU-bound part (encryption, pinyin)
runs in ``jobs`` worker processes, each with its own connection.
"""

import json
import multiprocessing
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from benchmarks import dataset

CHUNK = 5_000  # a multiple of dataset.CO_OWNED_EVERY: co-owners stay in their chunk


@dataclass(frozen=True)
class Plan:
    url: str
    seed: int
    now: datetime
    project_ids: tuple[int, ...]
    phase_ids: dict[tuple[int, int], int]
    layout_ids: dict[tuple[int, int], int]


@dataclass
class ChunkStats:
    rows: int = 0
    keys: int = 0
    ownerships: int = 0
    build_seconds: float = 0.0
    copy_seconds: float = 0.0


def generate(*, url: str, owners: int, seed: int, jobs: int = 2) -> dict[str, Any]:
    """Replace the registry and owner tables with a fresh dataset; returns its summary."""
    started = time.perf_counter()
    _truncate()
    plan = _create_registry(url=url, units=owners, seed=seed)
    print(f"  registry: {dataset.buildings_needed(owners):,} buildings, {owners:,} units")
    totals = _load_chunks(plan, owners, jobs)
    _reset_sequences()
    _link_owner_projects()
    loaded = time.perf_counter() - started
    print("  VACUUM ANALYZE …", flush=True)
    _vacuum_analyze()
    summary = {
        "owners": owners,
        "seed": seed,
        "jobs": jobs,
        "search_keys": totals.keys,
        "ownerships": totals.ownerships,
        "load_seconds": round(loaded, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "build_cpu_seconds": round(totals.build_seconds, 1),
        "copy_seconds": round(totals.copy_seconds, 1),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }
    _write_summary(summary)
    return summary


def summary_path() -> Path:
    # One file per database: two datasets don't clash.
    name = settings.DATABASES["default"]["NAME"]
    return Path(settings.VAR_DIR) / "benchmarks" / f"owners-dataset-{name}.json"


def read_summary() -> dict[str, Any] | None:
    path = summary_path()
    return json.loads(path.read_text()) if path.exists() else None


def _write_summary(summary: dict[str, Any]) -> None:
    path = summary_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2))


# --- registry (parent process) -----------------------------------------------------------

_TRUNCATED = (
    "owners_ownerproject",
    "owners_ownersearchkey",
    "owners_ownerphone",
    "owners_ownership",
    "owners_ownerevent",
    "owners_owner",
    "properties_unit",
    "properties_building",
    "properties_layout",
    "properties_phase",
    "properties_project",
)


def _truncate() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(_TRUNCATED)} RESTART IDENTITY CASCADE")


def _create_registry(*, url: str, units: int, seed: int) -> Plan:
    from anju.properties.models import Building, Layout, Phase, Project

    projects = Project.objects.bulk_create(
        Project(code=code, name=name, city=city) for code, name, city in dataset.PROJECTS
    )
    places = [dataset.building_place(i) for i in range(dataset.buildings_needed(units))]
    phase_count = max(place.phase for place in places) + 1
    phases = Phase.objects.bulk_create(
        Phase(project=project, name=f"{k + 1}期", sort_order=k)
        for project in projects
        for k in range(phase_count)
    )
    layouts = Layout.objects.bulk_create(
        Layout(project=project, name=name, bedrooms=bed, living_rooms=living, bathrooms=bath)
        for project in projects
        for name, bed, living, bath, _area in dataset.LAYOUTS
    )
    phase_ids = {
        (p, k): phases[p * phase_count + k].pk
        for p in range(len(projects))
        for k in range(phase_count)
    }
    layout_ids = {
        (p, k): layouts[p * len(dataset.LAYOUTS) + k].pk
        for p in range(len(projects))
        for k in range(len(dataset.LAYOUTS))
    }
    Building.objects.bulk_create(
        (
            Building(
                id=place.index + 1,
                project_id=projects[place.project].pk,
                phase_id=phase_ids[(place.project, place.phase)],
                number=place.number,
                floors=dataset.FLOORS,
                delivery_date=place.delivery_date,
            )
            for place in places
        ),
        batch_size=1000,
    )
    return Plan(
        url=url,
        seed=seed,
        now=timezone.now(),
        project_ids=tuple(p.pk for p in projects),
        phase_ids=phase_ids,
        layout_ids=layout_ids,
    )


def _load_chunks(plan: Plan, owners: int, jobs: int) -> ChunkStats:
    chunks = [(start, min(start + CHUNK, owners)) for start in range(0, owners, CHUNK)]
    totals = ChunkStats()
    started = time.perf_counter()
    next_report = 0.0
    connections.close_all()  # never share a connection with forked workers
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_init_worker, initargs=(plan,)) as pool:
        for done, stats in enumerate(pool.imap_unordered(_load_chunk, chunks), start=1):
            totals.rows += stats.rows
            totals.keys += stats.keys
            totals.ownerships += stats.ownerships
            totals.build_seconds += stats.build_seconds
            totals.copy_seconds += stats.copy_seconds
            if done / len(chunks) >= next_report or done == len(chunks):
                elapsed = time.perf_counter() - started
                print(
                    f"  {totals.rows:>10,} owners  {elapsed:7.1f} s  "
                    f"({totals.rows / elapsed:,.0f}/s)",
                    flush=True,
                )
                next_report += 0.1
    return totals


def _reset_sequences() -> None:
    with connection.cursor() as cursor:
        for table in _TRUNCATED:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )


def _link_owner_projects() -> None:
    """The owners' projects, which owner_create and ownership_create would have linked."""
    from anju.owners.reach import relink_all_owner_projects

    print("  linking owners to their projects …", flush=True)
    relink_all_owner_projects()


def _vacuum_analyze() -> None:
    with connection.cursor() as cursor:
        for table in _TRUNCATED:
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- chunks (worker processes) -----------------------------------------------------------

_plan: Plan | None = None
_conn: Any = None


def _init_worker(plan: Plan) -> None:
    import psycopg

    global _plan, _conn
    _plan = plan
    _conn = psycopg.connect(plan.url)


@lru_cache(maxsize=200_000)
def _name_data(name: str, is_company: bool) -> tuple[str, tuple[str, ...]]:
    from anju.owners.rules.names import name_pinyin, name_search_keys

    # As owners.services.apply_clean_owner does: pinyin and keys both follow is_company.
    keys = tuple(name_search_keys(name, is_company=is_company))
    if not is_company and len(keys) > 1 and all(_is_han(char) for char in name):
        # For a person's Chinese name the second key *is* name_pinyin(name); reusing it
        # halves the pinyin work. search_bench.check_dataset verifies the equality.
        return keys[1], keys
    return name_pinyin(name, is_company=is_company), keys


@lru_cache(maxsize=200_000)
def _initials(name: str, is_company: bool) -> str:
    from anju.owners.rules.names import name_initials

    return name_initials(name, is_company=is_company)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _load_chunk(bounds: tuple[int, int]) -> ChunkStats:
    assert _plan is not None
    start, stop = bounds
    stats = ChunkStats(rows=stop - start)
    began = time.perf_counter()
    rows = _chunk_rows(_plan, start, stop)
    stats.keys = len(rows["owners_ownersearchkey"])
    stats.ownerships = len(rows["owners_ownership"])
    copied = time.perf_counter()
    stats.build_seconds = copied - began
    with _conn.transaction(), _conn.cursor() as cursor:
        for table, columns in _COLUMNS.items():
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)
    stats.copy_seconds = time.perf_counter() - copied
    return stats


_COLUMNS: dict[str, tuple[str, ...]] = {
    "properties_unit": (
        "id",
        "project_id",
        "building_id",
        "entrance",
        "room",
        "code",
        "floor",
        "layout_id",
        "building_area",
        "delivery_date",
        "warranty_start",
        "created_at",
        "updated_at",
    ),
    "owners_owner": (
        "id",
        "project_id",
        "kind",
        "name",
        "name_pinyin",
        "name_initials",
        "gender",
        "birth_date",
        "id_type",
        "id_number_cipher",
        "id_number_index",
        "id_number_masked",
        "email",
        "address",
        "preferences",
        "special_needs",
        "consent_sms",
        "consent_phone",
        "consent_wechat",
        "consent_email",
        "created_at",
        "updated_at",
    ),
    "owners_ownerphone": (
        "owner_id",
        "kind",
        "label",
        "number_cipher",
        "number_index",
        "number_masked",
        "is_primary",
    ),
    "owners_ownersearchkey": ("owner_id", "key"),
    "owners_ownership": (
        "owner_id",
        "unit_id",
        "share",
        "status",
        "subscription_date",
        "contract_date",
        "handover_date",
        "created_at",
        "updated_at",
    ),
}


def _chunk_rows(plan: Plan, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _COLUMNS}
    rng = random.Random(plan.seed * 31 + start)
    for index in range(start, stop):
        place = dataset.unit_place(index)
        rows["properties_unit"].append(_unit_row(plan, place))
        _owner_rows(plan, index, place, rows)
        rows["owners_ownership"].extend(_ownership_rows(plan, place, rng))
    return rows


def _unit_row(plan: Plan, place: dataset.UnitPlace) -> tuple[Any, ...]:
    project = place.building.project
    delivered = place.building.delivery_date
    return (
        place.index + 1,
        plan.project_ids[project],
        place.building.index + 1,
        place.entrance,
        place.room,
        place.code,
        place.floor,
        plan.layout_ids[(project, place.layout)],
        dataset.LAYOUTS[place.layout][4],
        delivered,
        delivered if delivered <= dataset.REFERENCE_DAY else None,
        plan.now,
        plan.now,
    )


def _owner_rows(
    plan: Plan, index: int, place: dataset.UnitPlace, rows: dict[str, list[tuple[Any, ...]]]
) -> None:
    from anju.owners.personal_data import protect_id_number, protect_phone

    values = dataset.owner_values(plan.seed, index)
    owner_id = index + 1
    pinyin, keys = _name_data(values.name, values.kind == "company")
    identity = protect_id_number(values.id_number)
    phone = protect_phone(values.mobile)
    project_name = dataset.PROJECTS[place.building.project][1]
    rows["owners_owner"].append(
        (
            owner_id,
            plan.project_ids[place.building.project],
            values.kind,
            values.name,
            pinyin,
            _initials(values.name, values.kind == "company"),
            values.gender,
            values.birth_date,
            values.id_type,
            identity.cipher,
            identity.index,
            identity.masked,
            "",
            f"{project_name}{place.code}",
            "",
            "",
            *values.consents,
            plan.now,
            plan.now,
        )
    )
    rows["owners_ownerphone"].append(
        (owner_id, "mobile", "", phone.cipher, phone.index, phone.masked, True)
    )
    rows["owners_ownersearchkey"].extend((owner_id, key) for key in keys)


def _ownership_rows(
    plan: Plan, place: dataset.UnitPlace, rng: random.Random
) -> list[tuple[Any, ...]]:
    delivered = place.building.delivery_date
    signed = delivered - timedelta(days=rng.randint(300, 700))
    subscription = signed - timedelta(days=rng.randint(7, 60))
    contract: date | None = signed
    if delivered <= dataset.REFERENCE_DAY:
        status, handover = "handed_over", delivered + timedelta(days=rng.randint(0, 120))
    elif rng.random() < 0.8:
        status, handover = "contracted", None
    else:
        status, handover, contract = "subscribed", None, None
    co_owner = dataset.co_owner_of(place.index)
    holders = [(place.index, 100)] if co_owner is None else [(place.index, 50), (co_owner, 50)]
    return [
        (
            owner + 1,
            place.index + 1,
            share,
            status,
            subscription,
            contract,
            handover,
            plan.now,
            plan.now,
        )
        for owner, share in holders
    ]
