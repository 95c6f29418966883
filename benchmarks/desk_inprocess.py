"""CPU per request in this process: the three endpoints through Django's WSGI handler.

The HTTP figures (desk_http) put gunicorn, wrk and PostgreSQL on the same two cores, and
their throughput ratio swings with how connections land on the workers. Here each
endpoint is called as gunicorn calls it (the app's middleware and the benchmark's routes),
one request after another on one persistent connection, and two clocks are read: this
process's CPU time and the CPU time of the PostgreSQL backend serving the connection
(/proc/<pid>/stat of pg_backend_pid(); Linux with the server on this machine, else 0).
What remains between the two and the HTTP figures is gunicorn's and the kernel's share.
"""

import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from benchmarks import desk_http


def _backend() -> tuple[int, int]:
    """(pid, CPU ticks so far) of the PostgreSQL backend serving this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return pid, 0
    fields = stat[stat.rindex(")") + 2 :].split()
    return pid, int(fields[11]) + int(fields[12])


class _Caller:
    def __init__(self, token: str, bodies: list[bytes]) -> None:
        self.app = WSGIHandler()
        self.token, self.bodies, self.count = token, bodies, 0

    def post(self, path: str) -> None:
        self.count += 1
        body = self.bodies[self.count % len(self.bodies)]
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "HTTP_IDEMPOTENCY_KEY": f"{desk_http.KEY_PREFIX}in-process-{time.time()}-{self.count}",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []

        def start_response(code: str, headers: Any, *rest: Any) -> Any:
            status.append(code)

        answer = self.app(environ, start_response)
        b"".join(answer)
        answer.close()
        if not status[0].startswith("201"):
            raise SystemExit(f"{path} answered {status[0]}")

    def cpu_ms(self, path: str, requests: int) -> tuple[float, float]:
        """(this process, PostgreSQL) CPU milliseconds per request."""
        pid, ticks = _backend()
        began = time.process_time()
        for _ in range(requests):
            self.post(path)
        app = (time.process_time() - began) * 1000 / requests
        pid_after, ticks_after = _backend()
        if pid_after != pid:
            raise SystemExit("the database connection changed during the measurement")
        return app, (ticks_after - ticks) * 1000 / os.sysconf("SC_CLK_TCK") / requests


def measure(token: str, bodies: list[dict[str, Any]], *, requests: int = 200) -> str:
    """A table of CPU per request; the orders it creates carry the benchmark's key prefix."""
    encoded = [json.dumps(body, ensure_ascii=False).encode() for body in bodies]
    if settings.ROOT_URLCONF != "benchmarks.desk_urls":
        # Not override_settings: every settings read would then cost a fallback lookup.
        raise SystemExit("run with DJANGO_SETTINGS_MODULE=benchmarks.desk_settings")
    lines = [f"  in process, {requests} requests each, one persistent connection:"]
    # A connection older than CONN_MAX_AGE is closed at the end of a request: start a
    # fresh one and keep it for the whole measurement.
    connection.close()
    age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = None
    try:
        figures = _measure_all(token, encoded, requests, lines)
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = age
        connection.close()
    create, minimal = figures["API create"], figures["minimal view, bearer auth"]
    lines.append(f"    minimal (bearer auth) / create by CPU: {minimal / create:.2f}")
    return "\n".join(lines)


def _measure_all(
    token: str, encoded: list[bytes], requests: int, lines: list[str]
) -> dict[str, float]:
    caller = _Caller(token, encoded)
    for _label, path in desk_http.ENDPOINTS:
        caller.cpu_ms(path, max(1, requests // 10))  # warm-up
    endpoints = [*desk_http.ENDPOINTS, ("minimal DRF view, bearer auth", "/bench/minimal-drf/")]
    figures = {}
    for label, path in endpoints:
        app, database = caller.cpu_ms(path, requests)
        figures[label] = app + database
        lines.append(
            f"    {label:<30} {app:6.2f} ms Python + {database:5.2f} ms PostgreSQL "
            f"= {app + database:6.2f} ms"
        )
    return figures
