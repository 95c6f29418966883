"""One import phase in a fresh process: ``python -m benchmarks.import_phase PHASE JOB URL``.

Kept apart from import_bench so that nothing but Django is loaded before the baseline is
read. Prints one JSON line of figures. Peak memory is the process's own high-water mark
(VmHWM in /proc/self/status): getrusage's ru_maxrss would not do, because Linux carries
the parent's high-water mark over fork and exec into the child.
"""

import cProfile
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any


def memory_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux: ru_maxrss is the best there is
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (
        int(fields["VmRSS"].split()[0]) / 1024,
        int(fields["VmHWM"].split()[0]) / 1024,
    )


def _ticks_seconds(pid: int) -> float:
    """user + system CPU seconds of a process on this machine (0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuClock:
    """CPU seconds of this process (all threads) and of its PostgreSQL backend.

    On a shared machine wall time depends on the others; CPU time much less. The
    backend's figure is read from /proc, so it needs PostgreSQL on this machine.
    """

    def __init__(self, backend_pid: int) -> None:
        self.backend_pid = backend_pid
        self.began = (time.process_time(), _ticks_seconds(backend_pid))

    def figures(self) -> dict[str, float]:
        return {
            "cpu_seconds": round(time.process_time() - self.began[0], 2),
            "db_cpu_seconds": round(_ticks_seconds(self.backend_pid) - self.began[1], 2),
        }


class SqlClock:
    """Counts database calls and the time spent in them."""

    def __init__(self) -> None:
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - began


def child_main(argv: list[str]) -> int:
    phase, job_id, url = argv[0], int(argv[1]), argv[2]
    from benchmarks import env

    env.setup_django(url)
    from django.db import connection

    from anju.imports import services

    baseline, _ = memory_mb()
    trace = "--tracemalloc" in argv
    profile = next((arg.split("=", 1)[1] for arg in argv if arg.startswith("--profile=")), "")
    profiler = cProfile.Profile() if profile else None
    if trace:
        tracemalloc.start()
    clock = SqlClock()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        cpu = CpuClock(cursor.fetchone()[0])
    began = time.perf_counter()
    with connection.execute_wrapper(clock):
        if profiler:
            profiler.enable()
        if phase == "validate":
            job = services.import_job_validate(job_id=job_id)
        else:
            job = services.import_job_commit(job_id=job_id)
        if profiler:
            profiler.disable()
    seconds = time.perf_counter() - began
    if profiler:
        profiler.dump_stats(profile)
    figures = {
        "phase": phase,
        "seconds": round(seconds, 2),
        "sql_seconds": round(clock.seconds, 2),
        "sql_calls": clock.calls,
        **cpu.figures(),
        "peak_rss_mb": round(memory_mb()[1], 1),
        "baseline_rss_mb": round(baseline, 1),
        "status": job.status,
        "errors": job.error_count,
        "first_errors": job.errors[:5] if job.errors else [],
        "failure": job.failure,
        "summary": job.summary,
    }
    if trace:
        figures["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
