"""Create throughput through the API, next to minimal views, on one gunicorn server.

gunicorn serves anju.wsgi with benchmarks.desk_settings (the app's settings and routes,
plus /bench/minimal/ and /bench/noauth/, see desk_urls) on 127.0.0.1. wrk, a separate
process, keeps `concurrency` connections busy POSTing JSON bodies (a mix of repairs,
enquiries and complaints of the hot project, its real owners and units) for `seconds`,
after `warmup` seconds that are not counted; every request carries its own
Idempotency-Key. At each concurrency the three endpoints take turns, so they share the
same server, database and machine state. The orders the run created are deleted
afterwards (with their milestones, events, notifications, change-log rows and any
group-complaint alert they raised).
"""

import http.client
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from benchmarks.stats import table

KEY_PREFIX = "desk-bench-"
ENDPOINTS = (
    ("minimal view, no auth", "/bench/noauth/"),
    ("minimal view, bearer auth", "/bench/minimal/"),
    ("API create", "/api/v1/work-orders/"),
)
TYPE_MIX = (("repair", 70), ("enquiry", 20), ("complaint", 10))
LUA = """
-- POST the bodies of a file (one JSON document a line) in turn, each with its own
-- Idempotency-Key; print the figures as one JSON line at the end.
local made = 0
function setup(thread)
  made = made + 1
  thread:set("thread_no", made)
end
local counter, bodies, prefix, token = 0, {}, "", ""
function init(args)
  prefix = args[1] .. "-" .. thread_no
  token = args[2]
  for line in io.lines(args[3]) do bodies[#bodies + 1] = line end
end
function request()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = prefix .. "-" .. counter
  if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", nil, headers, bodies[(counter % #bodies) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Load:
    conn_max_age: int
    endpoint: str
    concurrency: int
    requests: int
    seconds: float
    errors: str  # by kind (wrk counts non-2xx/3xx answers as "status")
    p50_ms: float
    p95_ms: float
    p99_ms: float
    app_cpu_ms: float = 0.0  # CPU per request of the gunicorn processes
    db_cpu_ms: float = 0.0  # the rest of the machine's, wrk's taken out: PostgreSQL, kernel

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.app_cpu_ms + self.db_cpu_ms


def cpu_ticks() -> dict[str, int]:
    """CPU ticks so far: the machine's busy time (/proc/stat; Linux, zeros elsewhere) and,
    of it, the gunicorn processes'. Throughput ratios swing with how wrk's connections fall
    on the workers; CPU per request does not, so it is reported beside them. wrk's own CPU
    is taken out by the caller (it is a child: resource usage of children)."""
    ticks = {"busy": 0, "app": 0}
    proc = Path("/proc")
    if not proc.is_dir():
        return ticks
    user, nice, system, _idle, _iowait, irq, softirq = (
        int(v) for v in (proc / "stat").read_text().split()[1:8]
    )
    ticks["busy"] = user + nice + system + irq + softirq
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in command:
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks["app"] += int(fields[11]) + int(fields[12])
    return ticks


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _work_dir() -> Path:
    path = Path(settings.VAR_DIR) / "benchmarks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_bodies(project_id: int, count: int, seed: int) -> list[dict[str, Any]]:
    """Create requests as the desk sends them: real owner + unit pairs of the project."""
    from anju.owners.models import Ownership
    from anju.servicedesk.models import Category

    rng = random.Random(seed)
    pairs = list(
        Ownership.objects.filter(unit__project_id=project_id)
        .order_by("pk")
        .values_list("owner_id", "unit_id")[:5_000]
    )
    leaves = list(Category.objects.filter(children__isnull=True).select_related("parent"))
    service = [c.pk for c in leaves if c.parent and c.parent.name == "服务"]
    parts = [c.pk for c in leaves if c.parent and c.parent.name != "服务"]
    types = [kind for kind, weight in TYPE_MIX for _ in range(weight)]
    bodies = []
    for _ in range(count):
        owner, unit = rng.choice(pairs)
        kind = rng.choice(types)
        urgent = kind == "repair" and rng.random() < 0.06
        bodies.append(
            {
                "project": project_id,
                "type": kind,
                "channel": "phone",
                "urgency": "urgent" if urgent else "normal",
                "owner": owner,
                "unit": unit,
                "category": rng.choice(parts if kind == "repair" else service),
                "location": "卫生间" if kind == "repair" else "",
                "description": "卫生间地漏反水，楼下天花板有水渍"
                if kind == "repair"
                else "咨询办证进度",
            }
        )
    return bodies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(*, workers: int, threads: int, conn_max_age: int) -> Iterator[str]:
    """gunicorn on a free loopback port; yields its base URL; stops it afterwards.

    `conn_max_age` goes into DATABASE_URL (django-environ reads it as CONN_MAX_AGE), always
    explicitly, since the app's settings default to persistent connections: 0 opens a
    database connection per request. The run whose value is the app's own (settings, see
    app_conn_max_age) is the app as configured; report() marks it."""
    port = free_port()
    url = os.environ["DATABASE_URL"].split("?")[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{url}?conn_max_age={conn_max_age}",
        "DJANGO_SETTINGS_MODULE": "benchmarks.desk_settings",
        "DJANGO_DEBUG": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "anju.wsgi",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--bind=127.0.0.1:{port}",
        "--timeout=120",
        "--log-level=warning",
    ]
    log_path = _work_dir() / "desk-gunicorn.log"
    with log_path.open("a") as log:
        log.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n")
        log.flush()
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(port, process, log_path)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def app_conn_max_age() -> int:
    """CONN_MAX_AGE as the app configures it (settings), without the benchmark's override."""
    return int(settings.DATABASES["default"].get("CONN_MAX_AGE", 0))


def age_label(conn_max_age: int) -> str:
    default = " (app default)" if conn_max_age == app_conn_max_age() else ""
    return f"{conn_max_age}{default}"


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/bench/noauth/", body=b"{}")
            if conn.getresponse().status == 201:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within 90 s; see {log}")


def wrk(
    url: str, *, concurrency: int, seconds: float, token: str, bodies: Path, prefix: str
) -> dict[str, Any]:
    program = shutil.which("wrk")
    if program is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    script = _work_dir() / "desk-post.lua"
    script.write_text(LUA)
    command = [
        program,
        f"--threads={min(2, concurrency)}",
        f"--connections={concurrency}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=60s",
        f"--script={script}",
        url,
        "--",
        prefix,
        token or "-",
        str(bodies),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


def measure(
    base: str,
    *,
    conn_max_age: int,
    token: str,
    bodies: Path,
    concurrencies: tuple[int, ...],
    seconds: float,
    warmup: float,
) -> list[Load]:
    loads = []
    run_id = f"{KEY_PREFIX}{int(time.time())}"
    for concurrency in concurrencies:
        for label, path in ENDPOINTS:
            prefix = f"{run_id}-c{concurrency}-{path.strip('/').replace('/', '_')}"
            options: dict[str, Any] = {"token": token, "bodies": bodies}
            if warmup:
                wrk(
                    base + path,
                    concurrency=concurrency,
                    seconds=warmup,
                    prefix=f"{prefix}-w",
                    **options,
                )
            before, wrk_before = cpu_ticks(), children_cpu_seconds()
            result = wrk(
                base + path, concurrency=concurrency, seconds=seconds, prefix=prefix, **options
            )
            after, wrk_seconds = cpu_ticks(), children_cpu_seconds() - wrk_before
            tick = 1000 / os.sysconf("SC_CLK_TCK")
            requests = max(1, result["requests"])
            app_ms = (after["app"] - before["app"]) * tick
            rest_ms = (after["busy"] - before["busy"]) * tick - app_ms - wrk_seconds * 1000
            load = Load(
                conn_max_age=conn_max_age,
                endpoint=label,
                concurrency=concurrency,
                requests=result["requests"],
                seconds=result["duration_us"] / 1e6,
                errors=_errors(result),
                p50_ms=result["p50_us"] / 1000,
                p95_ms=result["p95_us"] / 1000,
                p99_ms=result["p99_us"] / 1000,
                app_cpu_ms=app_ms / requests,
                db_cpu_ms=max(0.0, rest_ms) / requests,
            )
            print(
                f"  {label:<26} c={concurrency:<3} {load.per_second:8.1f} req/s  "
                f"p95 {load.p95_ms:8.1f} ms  CPU/request {load.app_cpu_ms:5.2f} app "
                f"+ {load.db_cpu_ms:5.2f} db and rest ms  errors {load.errors}",
                flush=True,
            )
            loads.append(load)
    return loads


def _errors(result: dict[str, Any]) -> str:
    kinds = ("connect", "read", "write", "status", "timeout")
    return ", ".join(f"{kind} {result[kind]}" for kind in kinds if result[kind]) or "0"


def report(loads: list[Load]) -> str:
    rows = [
        [
            age_label(load.conn_max_age),
            load.endpoint,
            load.concurrency,
            load.requests,
            round(load.per_second, 1),
            round(load.p50_ms, 1),
            round(load.p95_ms, 1),
            round(load.app_cpu_ms, 2),
            round(load.db_cpu_ms, 2),
            load.errors,
        ]
        for load in loads
    ]
    headers = ["CONN_MAX_AGE", "endpoint", "concurrency", "requests", "req/s", "p50 ms"]
    text = table([*headers, "p95 ms", "app CPU ms", "db + rest CPU ms", "errors"], rows)
    for age, concurrency in sorted({(load.conn_max_age, load.concurrency) for load in loads}):
        by = {
            load.endpoint: load
            for load in loads
            if (load.conn_max_age, load.concurrency) == (age, concurrency)
        }
        api = by.get("API create")
        for label, _path in ENDPOINTS[:2]:
            base = by.get(label)
            if api and base and base.per_second:
                ratio = api.per_second / base.per_second
                by_cpu = base.cpu_ms / api.cpu_ms if api.cpu_ms else 0.0
                text += (
                    f"\nCONN_MAX_AGE={age_label(age)}, c={concurrency}: "
                    f"API create / {label} = {ratio:.2f} (by CPU per request {by_cpu:.2f})"
                )
    return text
