"""Realistic demo data: three projects, ~4,000 units, ~3,000 owners, one login per role,
and a service desk with ~400 work orders of the last 60 days.

- `registry`: projects, phases, layouts, buildings, units (bulk-created seed data);
- `people`: owners and companies, sold units through the owner services;
- `users`: one login per role;
- `desk_texts`, `desk_stories`, `desk`, `desk_scenes`: work orders replayed through the
  service-desk services at their own (past) times, with staged scenes for the queues;
- `load`: `load_demo` (idempotent), the counts and the printed summary.
"""

from anju.core.demo.desk import DEFAULT_ORDERS
from anju.core.demo.load import (
    DEFAULT_OWNERS,
    DEFAULT_SEED,
    DemoResult,
    demo_counts,
    load_demo,
    render_result,
)
from anju.core.demo.registry import DEMO_CODES
from anju.core.demo.users import DEFAULT_PASSWORD, PASSWORD_ENV

__all__ = [
    "DEFAULT_ORDERS",
    "DEFAULT_OWNERS",
    "DEFAULT_PASSWORD",
    "DEFAULT_SEED",
    "DEMO_CODES",
    "PASSWORD_ENV",
    "DemoResult",
    "demo_counts",
    "load_demo",
    "render_result",
]
