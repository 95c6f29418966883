"""`load_demo`: the registry, the owners, the logins and the service desk, idempotently.

The demo projects are recognised by their codes: when they exist, no registry or owner
is created again; the demo users are always made sure to exist (with the demo password
when they are created, or when `reset_passwords` is asked for) and their logins are
returned for printing. Demo work orders are loaded when none exist yet (so a demo loaded
before the service desk existed gets its orders on the next run). Everything is written
in one transaction.
"""

import random
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from anju.core.demo.desk import DEFAULT_ORDERS, demo_orders_exist, desk_counts
from anju.core.demo.desk_scenes import load_orders
from anju.core.demo.people import load_owners
from anju.core.demo.registry import DEMO_CODES, create_registry
from anju.core.demo.users import Login, demo_password, ensure_users
from anju.owners.models import Owner, Ownership
from anju.properties.models import Building, Phase, Project, Unit

DEFAULT_SEED = 2026
DEFAULT_OWNERS = 3000

COUNT_LABELS = {
    "projects": "项目 projects",
    "phases": "分期 phases",
    "buildings": "楼栋 buildings",
    "units": "房屋 units",
    "owners": "业主 owners",
    "companies": "其中企业 companies",
    "ownerships": "产权 ownerships",
    "co_owned_units": "共有房屋 co-owned units",
    "work_orders": "工单 work orders",
    "open_orders": "未关闭 open",
    "breached_orders": "已超时 breached",
    "group_alerts": "群诉预警 group-complaint alerts",
}


@dataclass
class DemoResult:
    created: bool
    seconds: float
    counts: dict[str, int]
    logins: list[Login]


def demo_project_ids() -> list[int]:
    ids = dict(Project.objects.filter(code__in=DEMO_CODES).values_list("code", "pk"))
    return [ids[code] for code in DEMO_CODES if code in ids]


def demo_counts() -> dict[str, int]:
    projects = Project.objects.filter(code__in=DEMO_CODES)
    ownerships = Ownership.objects.active().filter(unit__project__in=projects)
    co_owned = ownerships.values("unit").annotate(n=Count("owner")).filter(n__gt=1).count()
    owners = Owner.objects.filter(ownerships__in=ownerships).distinct()
    return {
        "projects": projects.count(),
        "phases": Phase.objects.filter(project__in=projects).count(),
        "buildings": Building.objects.filter(project__in=projects).count(),
        "units": Unit.objects.filter(project__in=projects).count(),
        "owners": owners.count(),
        "companies": owners.filter(kind=Owner.Kind.COMPANY).count(),
        "ownerships": ownerships.count(),
        "co_owned_units": co_owned,
        **desk_counts(demo_project_ids()),
    }


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    owners: int = DEFAULT_OWNERS,
    orders: int = DEFAULT_ORDERS,
    password: str | None = None,
    reset_passwords: bool = False,
    today: date | None = None,
) -> DemoResult:
    started = time.monotonic()
    today = today or timezone.localdate()
    registry_missing = not Project.objects.filter(code__in=DEMO_CODES).exists()
    with transaction.atomic():
        if registry_missing:
            rng = random.Random(seed)
            registry = create_registry(rng, today)
            load_owners(rng, registry, owners, today)
        logins = ensure_users(password or demo_password(), reset_passwords=reset_passwords)
        made = 0
        if orders > 0 and not demo_orders_exist():
            made = load_orders(random.Random(f"{seed}-desk"), demo_project_ids(), orders)
    created = registry_missing or made > 0
    return DemoResult(created, time.monotonic() - started, demo_counts(), logins)


def render_result(result: DemoResult, url: str = "http://127.0.0.1:8000") -> str:
    lines = []
    if result.created:
        lines.append(f"演示数据已载入 Demo data loaded in {result.seconds:.1f} s:")
    else:
        lines.append("演示数据已存在，未重复载入 Demo data already present, nothing duplicated:")
    counts = (f"{COUNT_LABELS[name]} {value}" for name, value in result.counts.items())
    lines.append("  " + ", ".join(counts))
    lines.append("")
    header = ("角色 Role", "用户名 Username", "密码 Password", "项目 Projects")
    rows = [header] + [
        (
            login.role_label,
            login.username,
            login.password or "（已修改 changed: --reset-passwords）",
            "、".join(login.projects) or "—",
        )
        for login in result.logins
    ]
    lines.extend(_table(rows))
    lines += ["", f"打开 Open {url}"]
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        )

    rule = "  ".join("-" * w for w in widths)
    return [line(rows[0]).rstrip(), rule] + [line(row).rstrip() for row in rows[1:]]
