"""Point Django at the benchmark database, create it when missing, and migrate it.

The benchmark truncates and reloads the registry and owner tables, so it refuses any
database whose name does not contain "bench" (never the app's `anju` or a test database).
"""

import os
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/anju_bench"


class UnsafeDatabase(Exception):
    """The URL names a database the benchmark must not touch."""


def database_url(explicit: str | None = None) -> str:
    """The URL to use: --database-url, else ANJU_BENCH_DATABASE_URL, else the default.

    DATABASE_URL is deliberately not read: it usually names the app's own database.
    """
    url = explicit or os.environ.get("ANJU_BENCH_DATABASE_URL") or DEFAULT_URL
    name = database_name(url)
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise UnsafeDatabase(f"the benchmark needs PostgreSQL, not {parts.scheme!r}")
    if "bench" not in name or name == "anju" or name.startswith("test"):
        raise UnsafeDatabase(f"refusing database {name!r}: its name must contain 'bench'")
    return url


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _server_url(url: str) -> str:
    """The same server, database `postgres`, for CREATE DATABASE."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; True when it was created."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(_server_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def setup_django(url: str) -> None:
    """Configure settings for the benchmark database and call django.setup()."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings")
    # The test client's default host; the HTTP benchmark goes through it.
    hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["DJANGO_ALLOWED_HOSTS"] = f"{hosts},testserver"
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
