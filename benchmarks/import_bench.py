"""Time and peak memory of the owners + units Excel import (dry run, then commit).

The file is written with openpyxl's write-only mode in the format of the owners importer
(its own column list, so the headers always match the template). It targets a project of
its own whose buildings exist but whose units do not: the import creates the units, the
owners (some with two units, some units with two co-owners) and the ownerships.

Each phase runs in a fresh subprocess (`python -m benchmarks.import_phase PHASE JOB URL`)
so its peak RSS (VmHWM) and CPU time are the import's own, printed next to the
baseline of a process that has only loaded Django.
"""

import json
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks import dataset
from benchmarks.stats import table

PROJECT_CODE = "bench-import"
FIRST_OWNER_INDEX = 10_000_000  # far beyond the generated dataset: no shared ID number
TARGET_SECONDS = 90.0
TARGET_MB = 500.0
PHASES = ("validate", "commit")
_STATUS_LABELS = {"handed_over": "已交付", "contracted": "已签约", "subscribed": "认购"}


# --- the file ----------------------------------------------------------------------------


def rows_for(count: int, seed: int) -> list[dict[str, Any]]:
    """Row values by field name: every 10th unit has two co-owners at 50 %, every 50th row
    is an owner already seen on an earlier row taking a second unit."""
    rng = random.Random(seed + 7)
    rows: list[dict[str, Any]] = []
    unit = 0
    while len(rows) < count:
        place = dataset.unit_place(unit)
        co_owned = unit % dataset.CO_OWNED_EVERY == dataset.CO_OWNED_EVERY - 1
        for _holder in range(2 if co_owned else 1):
            if len(rows) >= count:
                break
            repeat = len(rows) % 50 == 49 and not co_owned
            owner = rows[-1]["_owner"] if repeat else FIRST_OWNER_INDEX + len(rows)
            rows.append(_row(seed, owner, place, "50" if co_owned else "100", rng))
        unit += 1
    return rows


def _row(
    seed: int, owner: int, place: dataset.UnitPlace, share: str, rng: random.Random
) -> dict[str, Any]:
    values = dataset.owner_values(seed, owner)
    layout, _bed, _living, _bath, area = dataset.LAYOUTS[place.layout]
    delivered = place.building.delivery_date
    person = values.kind == "person"
    return {
        "_owner": owner,
        "building": str(place.building.index + 1),  # one project: numbered 1..n
        "entrance": place.entrance,
        "room": place.room,
        "floor": place.floor,
        "layout": layout,
        "building_area": float(area),
        "kind": "个人" if person else "企业",
        "name": values.name,
        "gender": {"M": "男", "F": "女"}.get(values.gender, ""),
        "birth_date": values.birth_date,
        "id_type": "居民身份证" if person else "统一社会信用代码",
        "id_number": values.id_number,
        "mobile": values.mobile,
        "address": f"{dataset.PROJECTS[0][2]}市安居路{rng.randint(1, 300)}号",
        "share": share,
        "status": _STATUS_LABELS[
            "handed_over" if delivered <= dataset.REFERENCE_DAY else "contracted"
        ],
        "contract_date": date(delivered.year - 2, 5, 20),
        "handover_date": delivered if delivered <= dataset.REFERENCE_DAY else None,
        "tags": "VIP" if rng.random() < 0.05 else "",
        "consent_sms": "是" if values.consents[0] else "否",
        "consent_phone": "是" if values.consents[1] else "否",
        "preferences": "周末上午方便联系" if rng.random() < 0.1 else "",
    }


def write_workbook(path: Path, rows: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    from anju.imports.services import importer_for

    importer = importer_for("owners")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(importer.sheet_title)
    sheet.append([column.header for column in importer.columns])
    fields = [column.field for column in importer.columns]
    for row in rows:
        sheet.append([row.get(name) for name in fields])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


# --- the project it imports into ---------------------------------------------------------


def prepare_project(units: int) -> Any:
    """A fresh project with its buildings (no units); earlier runs' data is removed."""
    from anju.properties.models import Building, Layout, Phase, Project

    remove_project()
    project = Project.objects.create(code=PROJECT_CODE, name="安居新城", city="深圳")
    phase = Phase.objects.create(project=project, name="一期")
    Layout.objects.bulk_create(
        Layout(project=project, name=name, bedrooms=bed, living_rooms=living, bathrooms=bath)
        for name, bed, living, bath, _area in dataset.LAYOUTS
    )
    Building.objects.bulk_create(
        Building(project=project, phase=phase, number=str(index + 1), floors=dataset.FLOORS)
        for index in range(dataset.buildings_needed(units))
    )
    return project


def remove_project() -> None:
    """Delete the import project and everything the import wrote, with set-based SQL."""
    from django.db import connection, transaction

    from anju.properties.models import Project

    project = Project.objects.filter(code=PROJECT_CODE).first()
    if project is None:
        return
    owners = "SELECT id FROM owners_owner WHERE project_id = %(p)s"
    units = "SELECT id FROM properties_unit WHERE project_id = %(p)s"
    statements = [
        f"DELETE FROM owners_ownersearchkey WHERE owner_id IN ({owners})",
        f"DELETE FROM owners_ownerphone WHERE owner_id IN ({owners})",
        f"DELETE FROM owners_ownerevent WHERE owner_id IN ({owners})",
        f"DELETE FROM owners_owner_tags WHERE owner_id IN ({owners})",
        f"DELETE FROM owners_ownership WHERE unit_id IN ({units}) OR owner_id IN ({owners})",
        f"DELETE FROM owners_ownerproject WHERE project_id = %(p)s OR owner_id IN ({owners})",
        "DELETE FROM owners_owner WHERE project_id = %(p)s",
        "DELETE FROM properties_unit WHERE project_id = %(p)s",
        "DELETE FROM properties_building WHERE project_id = %(p)s",
        "DELETE FROM properties_layout WHERE project_id = %(p)s",
        "DELETE FROM properties_phase WHERE project_id = %(p)s",
        "DELETE FROM audit_changelog WHERE request_id IN (SELECT 'import-' || id "
        "FROM imports_importjob WHERE project_id = %(p)s)",
        "DELETE FROM imports_importjob WHERE project_id = %(p)s",
        "DELETE FROM security_user_projects WHERE project_id = %(p)s",
        "DELETE FROM properties_project WHERE id = %(p)s",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, {"p": project.pk})


# --- phases in subprocesses --------------------------------------------------------------


def _child(phase: str, job_id: int, url: str, trace: bool, profile: Path | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.import_phase", phase, str(job_id), url]
    if trace:
        command.append("--tracemalloc")
    if profile:
        command.append(f"--profile={profile}")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{phase} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print_profile(path: Path) -> None:
    import pstats

    print(f"\n{path.name}: top functions by cumulative time")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(30)


# --- the benchmark -----------------------------------------------------------------------


def run(
    *, rows: int, seed: int, url: str, trace: bool = False, profile: bool = False
) -> dict[str, Any]:
    from django.conf import settings
    from django.core.files import File

    from anju.imports import services

    folder = Path(settings.VAR_DIR) / "benchmarks"
    path = folder / f"owners-import-{rows}-{seed}.xlsx"
    profiles = {p: folder / f"import-{p}.prof" if profile else None for p in PHASES}
    data = rows_for(rows, seed)
    units = len({(r["building"], r["entrance"], r["room"]) for r in data})
    if not path.exists():
        began = time.perf_counter()
        write_workbook(path, data)
        print(
            f"wrote {path.name} ({path.stat().st_size / 2**20:.1f} MB) in "
            f"{time.perf_counter() - began:.1f} s"
        )
    owners = len({r["_owner"] for r in data})
    print(f"file: {rows:,} rows, {owners:,} owners, {units:,} units (created by the import)")
    actor = _admin()
    project = prepare_project(units)
    began = time.perf_counter()
    with path.open("rb") as handle:
        job = services.import_job_create(
            actor=actor, project=project, kind="owners", file=File(handle, name=path.name)
        )
    upload = time.perf_counter() - began
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    validate = _child("validate", job.pk, url, trace, profiles["validate"])
    _check(validate, "validated")
    job.refresh_from_db()
    services.import_job_request_commit(actor=actor, job=job)
    commit = _child("commit", job.pk, url, trace, profiles["commit"])
    _check(commit, "committed")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    figures = {
        "rows": rows,
        "owners": owners,
        "units": units,
        "upload_seconds": upload,
        "validate": validate,
        "commit": commit,
    }
    print(report(figures))
    for phase_profile in profiles.values():
        if phase_profile:
            _print_profile(phase_profile)
    remove_project()
    return figures


def _admin() -> Any:
    """The benchmark's administrator (the search benchmark creates it too; --skip-search)."""
    from anju.security.models import User
    from anju.security.services import sync_roles, user_create

    sync_roles()
    return User.objects.filter(username="bench-admin").first() or user_create(
        actor=None, username="bench-admin", password="bench-only-1", roles=["administrator"]
    )


def _check(figures: dict[str, Any], expected: str) -> None:
    if figures["status"] != expected or figures["errors"]:
        raise RuntimeError(
            f"import {figures['phase']} ended {figures['status']} "
            f"({figures['errors']} errors: {figures['first_errors']}; "
            f"{figures['failure']})"
        )


def report(figures: dict[str, Any]) -> str:
    phases = [figures["validate"], figures["commit"]]
    rows: list[list[object]] = [
        [
            p["phase"],
            p["seconds"],
            p["sql_seconds"],
            p["sql_calls"],
            p.get("cpu_seconds", ""),
            p.get("db_cpu_seconds", ""),
            p["peak_rss_mb"],
            p["baseline_rss_mb"],
            p.get("tracemalloc_peak_mb", "-"),
        ]
        for p in phases
    ]
    upload = figures["upload_seconds"]
    total = sum(p["seconds"] for p in phases) + upload
    peak = max(p["peak_rss_mb"] for p in phases)
    cpu = [
        round(sum(p.get(name, 0) for p in phases), 2) for name in ("cpu_seconds", "db_cpu_seconds")
    ]
    rows.insert(0, ["upload (import_job_create)", round(upload, 2), "", "", "", "", "", "", ""])
    rows.append(["total", round(total, 2), "", "", *cpu, peak, "", ""])
    headers = [
        "phase",
        "seconds",
        "in SQL s",
        "SQL calls",
        "CPU s",
        "DB CPU s",
        "peak RSS MB",
        "RSS after setup MB",
        "tracemalloc peak MB",
    ]
    verdict = (
        f"target: < {TARGET_SECONDS:.0f} s and < {TARGET_MB:.0f} MB -> "
        f"{'ok' if total < TARGET_SECONDS else 'MISS (time)'}, "
        f"{'ok' if peak < TARGET_MB else 'MISS (memory)'}"
    )
    summary = figures["commit"].get("summary") or {}
    return f"{table(headers, rows)}\n{verdict}\ncommit summary: {summary}"
