"""Latency of the one-box owner search, per kind of query, at the dataset's size.

Each kind runs ``queries`` random existing values (after a warm-up) through
``anju.owners.selectors.search_owners`` as an administrator (all projects) and as a
front-desk user assigned to one project, then through the quick-search partial over the
Django test client. Each call starts with the user's per-request caches cleared, so a
call pays what a request pays (permission and project look-ups included).
"""

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from benchmarks import dataset
from benchmarks.stats import summary_ms, table

TARGET_P95_MS = 50.0


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    expected: str  # SearchResult.kind the selector should report
    query: Callable[[dataset.OwnerValues, dataset.UnitPlace, random.Random], str | None]


def _company_part(values: dataset.OwnerValues, rng: random.Random) -> str | None:
    """What a user types for a company: its brand (恒信) or brand + trade (恒信物流)."""
    if values.kind != "company":
        return None
    city = next(
        c for c in ("深圳市", "广州", "杭州", "上海", "成都", "南京") if values.name.startswith(c)
    )
    rest = values.name[len(city) :]
    return rest[:2] if rng.random() < 0.5 else rest[:4]


def _initials(values: dataset.OwnerValues) -> str | None:
    from anju.owners.rules.names import name_initials

    return name_initials(values.name) if values.kind == "person" else None


def _pinyin(values: dataset.OwnerValues) -> str | None:
    from anju.owners.rules.names import name_pinyin

    return name_pinyin(values.name) if values.kind == "person" else None


def _id15(values: dataset.OwnerValues) -> str | None:
    number = values.id_number
    if values.kind != "person" or number[6:8] != "19":
        return None
    return number[:6] + number[8:17]


KINDS = (
    Kind("phone", "full mobile", "phone", lambda v, u, r: v.mobile),
    Kind(
        "id18",
        "ID, 18 characters",
        "id_number",
        lambda v, u, r: v.id_number if v.kind == "person" else None,
    ),
    Kind("id15", "ID, legacy 15 digits", "id_number", lambda v, u, r: _id15(v)),
    Kind("unit_code", "unit B-E-R", "unit", lambda v, u, r: u.code),
    Kind(
        "building_room",
        "building + room B栋R",
        "unit",
        lambda v, u, r: f"{u.building.number}栋{u.room}",
    ),
    Kind(
        "name", "Chinese full name", "name", lambda v, u, r: v.name if v.kind == "person" else None
    ),
    Kind("pinyin", "full pinyin", "name", lambda v, u, r: _pinyin(v)),
    Kind("initials", "pinyin initials", "name", lambda v, u, r: _initials(v)),
    Kind("company", "company name part", "name", lambda v, u, r: _company_part(v, r)),
)


@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)
    hits: list[int] = field(default_factory=list)
    misclassified: int = 0
    slowest_query: str = ""

    def add(self, query: str, seconds: float, hits: int, ok: bool = True) -> None:
        if not self.seconds or seconds > max(self.seconds):
            self.slowest_query = query
        self.seconds.append(seconds)
        self.hits.append(hits)
        self.misclassified += 0 if ok else 1

    def row(self, label: str) -> list[object]:
        ms = summary_ms(self.seconds)
        sql = summary_ms(self.sql_seconds)["p50"] if self.sql_seconds else "-"
        mean_hits = sum(self.hits) / len(self.hits) if self.hits else 0.0
        found = sum(1 for h in self.hits if h) / len(self.hits) * 100 if self.hits else 0.0
        verdict = "ok" if ms["p95"] < TARGET_P95_MS else "MISS"
        return [
            label,
            ms["p50"],
            ms["p95"],
            ms["max"],
            sql,
            f"{mean_hits:.1f}",
            f"{found:.0f}%",
            verdict,
        ]


class SqlClock:
    """Adds up the time spent in database calls (an execute_wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began


def build_queries(seed: int, owners: int, count: int) -> dict[str, list[str]]:
    """``count`` queries per kind from random existing owners and units."""
    rng = random.Random(seed + 99)
    queries: dict[str, list[str]] = {kind.code: [] for kind in KINDS}
    while any(len(found) < count for found in queries.values()):
        index = rng.randrange(owners)
        values = dataset.owner_values(seed, index)
        place = dataset.unit_place(index)
        for kind in KINDS:
            if len(queries[kind.code]) < count:
                query = kind.query(values, place, rng)
                if query:
                    queries[kind.code].append(query)
    return queries


def check_dataset(seed: int, owners: int) -> None:
    """Recomputed clear values must match what the database holds (wrong seed or key)."""
    from anju.owners.models import Owner, OwnerPhone
    from anju.owners.personal_data import id_number_index, phone_index
    from anju.owners.rules.names import name_initials, name_pinyin

    indexes = random.Random(seed).sample(range(owners), min(200, owners))
    ids = [i + 1 for i in indexes]
    phones = dict(
        OwnerPhone.objects.filter(owner_id__in=ids, is_primary=True).values_list(
            "owner_id", "number_index"
        )
    )
    stored = {
        pk: (index, pinyin, initials, phones.get(pk))
        for pk, index, pinyin, initials in Owner.objects.filter(pk__in=ids).values_list(
            "pk", "id_number_index", "name_pinyin", "name_initials"
        )
    }
    wrong = []
    for i in indexes:
        values = dataset.owner_values(seed, i)
        is_company = values.kind == "company"
        expected = (
            id_number_index(values.id_number),
            name_pinyin(values.name, is_company=is_company),
            name_initials(values.name, is_company=is_company),
            phone_index(values.mobile),
        )
        if stored.get(i + 1) != expected:
            wrong.append(i)
    if wrong:
        raise SystemExit(
            f"dataset mismatch for owners {wrong[:5]}: regenerate it "
            "(different seed or blind-index key)"
        )


def bench_users() -> dict[str, Any]:
    from anju.properties.models import Project
    from anju.security.models import User
    from anju.security.services import sync_roles, user_create, user_update_access

    sync_roles()
    project = Project.objects.order_by("pk").first()
    assert project is not None, "no dataset: run without --skip-generate"
    admin = User.objects.filter(username="bench-admin").first() or user_create(
        actor=None, username="bench-admin", password="bench-only-1", roles=["administrator"]
    )
    desk = User.objects.filter(username="bench-desk").first() or user_create(
        actor=None, username="bench-desk", password="bench-only-1", roles=["front_desk"]
    )
    user_update_access(actor=admin, user=desk, roles=["front_desk"], project_ids=[project.pk])
    return {"administrator": admin, "front desk (1 project)": desk}


def _fresh(user: Any) -> Any:
    """Drop what a user object caches, as a new request would not have it."""
    for attr in ("_anju_project_ids", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


def run_selector(user: Any, queries: dict[str, list[str]], warmup: int) -> dict[str, Measure]:
    from anju.owners.selectors import search_owners

    results: dict[str, Measure] = {}
    for kind in KINDS:
        measure = Measure()
        for position, query in enumerate(queries[kind.code]):
            _fresh(user)
            clock = SqlClock()
            with connection.execute_wrapper(clock):
                began = time.perf_counter()
                result = search_owners(user, query)
                elapsed = time.perf_counter() - began
            if position >= warmup:
                # An ID or house number the user may not see finds nothing, and the box
                # then reads it as a name: only a kind that found owners must match.
                ok = result.kind == kind.expected or not result.owners
                measure.add(query, elapsed, len(result.owners), ok)
                measure.sql_seconds.append(clock.seconds)
        results[kind.code] = measure
    return results


def run_http(
    user: Any, queries: dict[str, list[str]], warmup: int, per_kind: int
) -> dict[str, Measure] | None:
    try:
        url = reverse("owners:quick_search")
    except NoReverseMatch:
        return None
    client = Client()
    client.force_login(user)
    results: dict[str, Measure] = {}
    for kind in KINDS:
        measure = Measure()
        for position, query in enumerate(queries[kind.code][: warmup + per_kind]):
            began = time.perf_counter()
            response = client.get(url, {"q": query}, HTTP_HX_REQUEST="true")
            elapsed = time.perf_counter() - began
            assert response.status_code == 200, response.status_code
            if position >= warmup:
                measure.add(query, elapsed, response.content.count(b"data-owner-id="))
        results[kind.code] = measure
    return results


def queries_per_call(user: Any, queries: dict[str, list[str]]) -> dict[str, int]:
    from anju.owners.selectors import search_owners

    counts = {}
    for kind in KINDS:
        _fresh(user)
        with CaptureQueriesContext(connection) as captured:
            search_owners(user, queries[kind.code][-1])
        counts[kind.code] = len(captured.captured_queries)
    return counts


def explain(user: Any, query: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SQL statement one search call runs."""
    from anju.owners.selectors import search_owners

    timed: list[tuple[float, str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - began, sql, params))

    _fresh(user)
    with connection.execute_wrapper(wrapper):
        search_owners(user, query)
    _seconds, sql, params = max(timed, key=lambda item: item[0])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    statements = "\n".join(f"  {s * 1000:8.2f} ms  {q[:110]}" for s, q, _ in timed)
    return f"statements of this call:\n{statements}\n\nslowest, explained:\n{sql}\n{plan}"


def report(title: str, results: dict[str, Measure]) -> str:
    rows = [results[kind.code].row(f"{kind.code} ({kind.label})") for kind in KINDS]
    headers = [
        "kind",
        "p50 ms",
        "p95 ms",
        "max ms",
        "SQL p50 ms",
        "hits/query",
        "found",
        "p95 < 50 ms",
    ]
    text = f"\n{title}\n{table(headers, rows)}"
    wrong = {code: m.misclassified for code, m in results.items() if m.misclassified}
    if wrong:
        text += f"\nqueries classified as another kind: {wrong}"
    return text


def run(*, seed: int, owners: int, queries: int, warmup: int, http_queries: int) -> dict[str, Any]:
    check_dataset(seed, owners)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    users = bench_users()
    drawn = build_queries(seed, owners, warmup + queries)
    figures: dict[str, Any] = {"selector": {}, "http": None}
    for label, user in users.items():
        results = run_selector(user, drawn, warmup)
        figures["selector"][label] = results
        print(
            report(f"search_owners() as {label}: {queries} queries per kind", results), flush=True
        )
    desk = users["front desk (1 project)"]
    http = run_http(desk, drawn, warmup, http_queries)
    figures["http"] = http
    if http is None:
        print("\nHTTP: owners:quick_search is not routed; skipped")
    else:
        print(
            report(
                f"GET owners:quick_search as front desk (test client, {http_queries} "
                "queries per kind)",
                http,
            ),
            flush=True,
        )
    counts = queries_per_call(desk, drawn)
    print(f"\nSQL statements per search call (front desk): {counts}")
    slowest_user, slowest_kind = max(
        ((label, code) for label in figures["selector"] for code in figures["selector"][label]),
        key=lambda pair: summary_ms(figures["selector"][pair[0]][pair[1]].seconds)["p95"],
    )
    measure = figures["selector"][slowest_user][slowest_kind]
    print(
        f"\nslowest kind by p95: {slowest_kind} as {slowest_user}; "
        f"its slowest query {measure.slowest_query!r}"
    )
    print(explain(users[slowest_user], measure.slowest_query))
    figures["slowest"] = (slowest_user, slowest_kind)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return figures
