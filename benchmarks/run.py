"""Entry point: ``python -m benchmarks.run [--owners N] [--import-rows N] [--skip-generate]``.

Generates the dataset on the PostgreSQL benchmark database (created and migrated when
missing), measures search latency per kind, then the Excel import. Figures are printed;
ratios are meant to be compared within one run, on one machine.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import datetime


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--owners",
        type=int,
        default=1_000_000,
        help="owners and units to generate (default 1,000,000)",
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=100_000,
        help="rows of the Excel file to import (0 skips the import)",
    )
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="reuse the dataset already in the benchmark database",
    )
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-list", action="store_true", help="skip the owner list pages")
    parser.add_argument(
        "--list-requests", type=int, default=20, help="measured GETs per owner-list case"
    )
    parser.add_argument("--queries", type=int, default=200, help="measured queries per kind")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured queries per kind")
    parser.add_argument(
        "--http-queries", type=int, default=50, help="measured quick-search requests per kind"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations during the import (slower)",
    )
    parser.add_argument(
        "--profile-import",
        action="store_true",
        help="cProfile each import phase (var/benchmarks/import-*.prof) and print the top",
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--jobs", type=int, default=2, help="generator worker processes")
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: $ANJU_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/anju_bench",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from benchmarks import env

    try:
        url = env.database_url(args.database_url)
    except env.UnsafeDatabase as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # whitenoise warns once that var/static/ (collectstatic output) is missing: harmless here.
    warnings.filterwarnings("ignore", message="No directory at")
    created = env.ensure_database(url)
    env.setup_django(url)
    _header(url, created)
    env.migrate()
    owners = _dataset(args, url)
    if not args.skip_search:
        from benchmarks import search_bench

        print(f"\n== Search ({owners:,} owners) ==", flush=True)
        search_bench.run(
            seed=args.seed,
            owners=owners,
            queries=args.queries,
            warmup=args.warmup,
            http_queries=args.http_queries,
        )
    if not args.skip_list:
        from benchmarks import owner_list_bench, search_bench

        print(f"\n== Owner list ({owners:,} owners) ==", flush=True)
        users = owner_list_bench.list_users(search_bench.bench_users())
        rows = owner_list_bench.run(users, requests=args.list_requests, warmup=3)
        print(owner_list_bench.report(rows, args.list_requests), flush=True)
    if args.import_rows:
        from benchmarks import import_bench

        print(f"\n== Import of {args.import_rows:,} rows ==", flush=True)
        import_bench.run(
            rows=args.import_rows,
            seed=args.seed,
            url=url,
            trace=args.tracemalloc,
            profile=args.profile_import,
        )
    return 0


def _header(url: str, created: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    print(f"Anju benchmarks — {datetime.now():%Y-%m-%d %H:%M}")
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"database: {env_name(url)}{' (created)' if created else ''}; {version.split(',')[0]}")


def env_name(url: str) -> str:
    from benchmarks.env import database_name

    return database_name(url)


def _dataset(args: argparse.Namespace, url: str) -> int:
    from anju.owners.models import Owner
    from benchmarks import generate

    if args.skip_generate:
        owners = Owner.objects.count()
        summary = generate.read_summary()
        if summary and summary.get("owners") == owners:
            print(
                f"\nreusing {owners:,} owners generated {summary['generated_at']} "
                f"in {summary['total_seconds']} s"
            )
        else:
            print(f"\nreusing {owners:,} owners (no matching generation record)")
        if summary and summary.get("seed") != args.seed:
            print(f"note: dataset seed {summary.get('seed')} differs from --seed {args.seed}")
        return owners
    print(
        f"\n== Generating {args.owners:,} owners and units ({args.jobs} processes) ==", flush=True
    )
    began = time.perf_counter()
    summary = generate.generate(url=url, owners=args.owners, seed=args.seed, jobs=args.jobs)
    print(
        f"generated {args.owners:,} owners, {summary['ownerships']:,} ownerships, "
        f"{summary['search_keys']:,} search keys in {time.perf_counter() - began:.1f} s "
        f"(load {summary['load_seconds']} s, rows built in {summary['build_cpu_seconds']} "
        f"CPU-s, COPY {summary['copy_seconds']} s, then VACUUM ANALYZE)",
        flush=True,
    )
    return args.owners


if __name__ == "__main__":
    sys.exit(main())
