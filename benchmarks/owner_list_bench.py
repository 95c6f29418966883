"""The owner list page (owners:list, htmx partial) at full size, per role and filter.

The search benchmark times the search box; this one times the list staff page through:
its first page, a deep page, sorted by name, and narrowed by project, building, stage and
kind, as an administrator (no scope), a manager of every project and a front-desk user
of one project (scope: registered in, or owning a unit in, the project). Each GET goes
through the test client (middleware, session, template; no network) and the slowest
statement of the last one is printed.
"""

import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.stats import summary_ms, table


def list_users(base: dict[str, Any]) -> dict[str, Any]:
    """The search benchmark's users plus a manager of every project."""
    from anju.properties.models import Project
    from anju.security.models import User
    from anju.security.services import user_create, user_update_access

    admin = base["administrator"]
    manager = User.objects.filter(username="bench-manager").first() or user_create(
        actor=None, username="bench-manager", password="bench-only-1", roles=["manager"]
    )
    every = list(Project.objects.values_list("pk", flat=True))
    user_update_access(actor=admin, user=manager, roles=["manager"], project_ids=every)
    return {**base, "manager (all projects)": manager}


def cases() -> list[tuple[str, dict[str, Any]]]:
    from anju.owners.rules.lifecycle import Stage
    from anju.properties.models import Building, Project

    project = Project.objects.order_by("pk").first()
    building = Building.objects.filter(project=project).order_by("pk").first()
    assert project is not None and building is not None, "no dataset"
    return [
        ("first page", {}),
        ("page 50", {"page": 50}),
        ("by name", {"sort": "name"}),
        ("by name, descending", {"sort": "-name"}),
        ("project", {"project": project.pk}),
        ("building", {"building": building.pk}),
        ("stage", {"stage": Stage.choices[-1][0]}),
        ("companies", {"kind": "company"}),
    ]


def run(users: dict[str, Any], *, requests: int, warmup: int) -> list[list[object]]:
    url = reverse("owners:list")
    rows: list[list[object]] = []
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        for name, params in cases():
            seconds = []
            for position in range(warmup + requests):
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = client.get(url, params, HTTP_HX_REQUEST="true")
                    elapsed = time.perf_counter() - began
                assert response.status_code == 200, (label, name, response.status_code)
                if position >= warmup:
                    seconds.append(elapsed)
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            figures = summary_ms(seconds)
            rows.append(
                [
                    label,
                    name,
                    figures["p50"],
                    figures["p95"],
                    len(captured.captured_queries),
                    f"{float(slowest['time']) * 1000:.0f} ms {slowest['sql'][:60]}",
                ]
            )
    return rows


def report(rows: list[list[object]], requests: int) -> str:
    headers = ["user", "case", "p50 ms", "p95 ms", "statements", "slowest statement"]
    return f"GET owners:list (htmx partial), {requests} requests per case\n" + table(headers, rows)
