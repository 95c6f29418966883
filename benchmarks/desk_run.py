"""Entry point: ``python -m benchmarks.desk_run [--orders N] [--open N] [--skip-generate]``.

The service-desk benchmark of issue 3 on PostgreSQL (database anju_desk_bench, created
and migrated when missing): generates the dataset, then measures the queue pages, the
create throughput through the API next to minimal views on the same gunicorn server,
and the breach sweep. Figures are printed; compare them within one run.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import datetime
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/anju_desk_bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.desk_run", description=__doc__)
    parser.add_argument("--orders", type=int, default=5_000_000, help="work orders (5,000,000)")
    parser.add_argument("--open", type=int, default=None, help="open orders (default orders/5)")
    parser.add_argument(
        "--hot-open",
        type=int,
        default=None,
        help="open orders of the measured project (default min(100,000, open/10))",
    )
    parser.add_argument(
        "--owners",
        type=int,
        default=None,
        help="units and owners (default orders/10, between 3,000 and 100,000)",
    )
    parser.add_argument("--skip-generate", action="store_true", help="reuse the dataset")
    parser.add_argument("--skip-queue", action="store_true")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--requests", type=int, default=100, help="measured GETs per queue case")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured GETs per queue case")
    parser.add_argument(
        "--queue-budget", type=float, default=60.0, help="seconds per queue case at most"
    )
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[8, 32], help="wrk connections"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        nargs="+",
        default=[0, 60],
        help="server runs with these CONN_MAX_AGE (0: a connection a request; 60: app default)",
    )
    parser.add_argument("--http-seconds", type=float, default=15.0, help="per wrk measurement")
    parser.add_argument("--http-warmup", type=float, default=3.0, help="per wrk measurement")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * len(os.sched_getaffinity(0)),
        help="gunicorn workers (2 x CPUs, as README's deployment advises)",
    )
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--profile-sweep", action="store_true", help="cProfile a second sweep")
    parser.add_argument(
        "--jit-off",
        action="store_true",
        help="queue and sweep with PostgreSQL's JIT off (-c jit=off); the server keeps it",
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--jobs", type=int, default=2, help="generator worker processes")
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"default: $ANJU_DESK_BENCH_DATABASE_URL or {DEFAULT_URL}",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from benchmarks import env

    shared = os.environ.get("ANJU_BENCH_DATABASE_URL", "")
    explicit = (
        args.database_url
        or os.environ.get("ANJU_DESK_BENCH_DATABASE_URL")
        # A desk database named in the search benchmark's variable is meant for this one.
        or (shared if "desk" in env.database_name(shared) else None)
    )
    try:
        url = env.database_url(explicit or DEFAULT_URL)
    except env.UnsafeDatabase as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore", message="No directory at")
    created = env.ensure_database(url)
    # The app's settings with the minimal views' routes (the in-process measurement calls
    # them through the WSGI handler, as gunicorn does).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.desk_settings")
    env.setup_django(url)
    if args.jit_off:
        from django.db import connection

        connection.settings_dict.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    _header(url, created)
    env.migrate()
    summary = _dataset(args, url)
    figures: dict[str, Any] = {}
    if not args.skip_queue:
        figures["queue"] = _queue(args, summary)
    if not args.skip_api:
        figures["api"] = _api(args, summary)
    if not args.skip_sweep:
        figures["sweep"] = _sweep(args, summary)
    print(_verdict(figures))
    return 0


def _header(url: str, created: bool) -> None:
    from django.db import connection

    from benchmarks.env import database_name

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        (buffers,) = cursor.fetchone()
        cursor.execute("SHOW jit")
        (jit,) = cursor.fetchone()
    print(f"Anju service-desk benchmark — {datetime.now():%Y-%m-%d %H:%M}")
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"database: {database_name(url)}{' (created)' if created else ''}; "
        f"{version.split(',')[0]}; shared_buffers {buffers}, jit {jit}"
    )


def _dataset(args: argparse.Namespace, url: str) -> dict[str, Any]:
    from anju.servicedesk.models import WorkOrder
    from benchmarks import desk_generate

    if args.skip_generate:
        summary = desk_generate.read_summary()
        orders = WorkOrder.objects.count()
        if summary is None or summary["orders"] != orders:
            raise SystemExit(f"{orders:,} orders and no matching generation record: generate")
        print(
            f"\nreusing {orders:,} orders ({summary['open']:,} open) generated "
            f"{summary['generated_at']} in {summary['total_seconds']} s"
        )
        return summary
    sizes = desk_generate.Sizes.make(args.orders, args.open, args.hot_open, args.owners)
    print(
        f"\n== Generating {sizes.orders:,} work orders ({sizes.open:,} open, "
        f"{sizes.hot_open:,} of them in the measured project), {sizes.owners:,} units "
        f"and owners ({args.jobs} processes) ==",
        flush=True,
    )
    summary = desk_generate.generate_desk(url=url, sizes=sizes, seed=args.seed, jobs=args.jobs)
    print(
        f"generated in {summary['total_seconds']} s: registry and owners "
        f"{summary['registry_seconds']} s; {summary['milestones']:,} milestones "
        f"({summary['running_milestones']:,} running, {summary['sweepable_milestones']:,} "
        f"not paused), {summary['events']:,} events, {summary['notifications']:,} "
        f"notifications (rows built in {summary['build_seconds']} CPU-s, COPY "
        f"{summary['copy_seconds']} s, indexes and constraints {summary['index_seconds']} s)",
        flush=True,
    )
    return summary


def _queue(args: argparse.Namespace, summary: dict[str, Any]) -> Any:
    from benchmarks import desk_bench
    from benchmarks.stats import summary_ms

    user = desk_bench.bench_user(summary["bench_user"])
    print(
        f"\n== Queue pages as {user.username} (front desk of the project with "
        f"{summary['hot_open']:,} open orders); load average {desk_bench.load_average()} ==",
        flush=True,
    )
    results = desk_bench.run_queue(
        user, requests=args.requests, warmup=args.warmup, budget=args.queue_budget
    )
    print(desk_bench.queue_report(results))
    slowest = max(results, key=lambda m: summary_ms(m.seconds)["p95"])
    print(f"\nslowest case: {slowest.label} ({'partial' if slowest.partial else 'page'})")
    print(desk_bench.explain_queue(user, slowest), flush=True)
    wide = desk_bench.wide_user()
    print(f"\n== Queue pages as {wide.username} (a manager of every project) ==", flush=True)
    across = desk_bench.run_queue(
        wide,
        requests=args.requests,
        warmup=args.warmup,
        budget=args.queue_budget,
        cases=desk_bench.WIDE_CASES,
    )
    print(desk_bench.queue_report(across), flush=True)
    return results


def _api(args: argparse.Namespace, summary: dict[str, Any]) -> Any:
    from benchmarks import desk_bench, desk_http

    user = desk_bench.bench_user(summary["bench_user"])
    print(
        f"\n== API create throughput, {args.http_seconds:g} s per run after "
        f"{args.http_warmup:g} s warm-up; load average {desk_bench.load_average()} ==",
        flush=True,
    )
    loads = desk_bench.run_api(
        user,
        project_id=summary["hot_project_id"],
        concurrencies=tuple(args.concurrency),
        conn_max_ages=tuple(args.conn_max_age),
        seconds=args.http_seconds,
        warmup=args.http_warmup,
        workers=args.workers,
        threads=args.threads,
        seed=args.seed,
    )
    print(desk_http.report(loads), flush=True)
    return loads


def _sweep(args: argparse.Namespace, summary: dict[str, Any]) -> Any:
    from benchmarks import desk_bench

    now = datetime.fromisoformat(summary["reference_now"])
    expected = summary["expected_sweep"]
    print(
        f"\n== Breach sweep over {summary['sweepable_milestones']:,} running milestones "
        f"(not paused) at the reference time {now:%Y-%m-%d %H:%M:%S} UTC; load average "
        f"{desk_bench.load_average()} ==",
        flush=True,
    )
    measure = desk_bench.run_sweep(now)
    share = measure.breached / summary["sweepable_milestones"] * 100
    print(
        f"sweep_milestones(): {measure.seconds:.2f} s — at risk {measure.at_risk:,} "
        f"(expected {expected['at_risk']:,}), breached {measure.breached:,} ({share:.1f} %, "
        f"expected {expected['breached']:,}), escalated {measure.escalated:,} "
        f"(expected {expected['escalated']:,})"
    )
    for mark, claimed, seconds in measure.passes:
        print(f"  pass setting {mark}: {claimed:,} claimed in {seconds:.2f} s")
    for kind, seconds in sorted(measure.sql.items(), key=lambda item: -item[1]):
        print(f"  SQL {kind}: {seconds:.2f} s")
    print(f"  Python and the rest: {measure.seconds - sum(measure.sql.values()):.2f} s")
    if args.profile_sweep or measure.seconds > desk_bench.TARGET_SWEEP_SECONDS:
        print("\nthe claims, explained:\n" + desk_bench.explain_sweep(now))
        began = time.perf_counter()
        profiled = desk_bench.run_sweep(now, profile=True)
        print(f"\nprofiled sweep ({time.perf_counter() - began:.1f} s with cProfile):")
        print(profiled.profile)
    return measure


def _verdict(figures: dict[str, Any]) -> str:
    from benchmarks import desk_bench
    from benchmarks.stats import summary_ms, table

    rows: list[list[object]] = []
    loads = figures.get("api") or []
    for load in loads:
        if load.endpoint != "API create":
            continue
        minimal = next(
            other
            for other in loads
            if (other.conn_max_age, other.concurrency) == (load.conn_max_age, load.concurrency)
            and other.endpoint.endswith("bearer auth")
        )
        ratio = load.per_second / minimal.per_second if minimal.per_second else 0.0
        by_cpu = minimal.cpu_ms / load.cpu_ms if load.cpu_ms else 0.0
        rows.append(
            [
                f"API create, c={load.concurrency}, CONN_MAX_AGE={load.conn_max_age}",
                f"{load.per_second:.1f} req/s = {ratio:.2f} x minimal ({minimal.per_second:.1f}); "
                f"CPU per request {by_cpu:.2f} x",
                ">= 0.5 x",
                "ok" if ratio >= desk_bench.TARGET_API_RATIO else "MISS",
            ]
        )
    if figures.get("queue"):
        worst = max(figures["queue"], key=lambda m: summary_ms(m.seconds)["p95"])
        p95 = summary_ms(worst.seconds)["p95"]
        kind = "partial" if worst.partial else "page"
        rows.append(
            [
                "queue p95, worst case",
                f"{p95:.1f} ms ({worst.label}, {kind})",
                "< 100 ms",
                "ok" if p95 < desk_bench.TARGET_QUEUE_P95_MS else "MISS",
            ]
        )
    if figures.get("sweep"):
        seconds = figures["sweep"].seconds
        rows.append(
            [
                "breach sweep",
                f"{seconds:.2f} s",
                "< 5 s",
                "ok" if seconds < desk_bench.TARGET_SWEEP_SECONDS else "MISS",
            ]
        )
    return "\n== Targets ==\n" + table(["measure", "figure", "target", "verdict"], rows)


if __name__ == "__main__":
    sys.exit(main())
