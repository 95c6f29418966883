"""Cursors for the app's own SQL on its hottest paths."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


@contextmanager
def hot_cursor(using: str = "default") -> Iterator[CursorWrapper]:
    """A cursor whose statements PostgreSQL prepares once per connection (D16).

    The ORM binds parameters in the client, so PostgreSQL parses and plans every statement
    again; for a statement that joins five tables on every create, planning costs more
    than running it. This cursor binds on the server, and the connection's
    prepare_threshold (settings: ANJU_DB_PREPARED_STATEMENTS) keeps the plan. Without
    that setting, or on SQLite, it is an ordinary cursor. Statements are logged and
    counted like any other.
    """
    connection = connections[using]
    prepared = connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None
    with connection.cursor() as ordinary:  # health check, connection, thread check
        if connection.vendor != "postgresql" or not prepared:
            yield ordinary
            return
        import psycopg  # PostgreSQL only

        raw = psycopg.Cursor(connection.connection)  # binds on the server
        wrapper = _LoggedAsWritten if connection.queries_logged else CursorWrapper
        with wrapper(raw, connection) as cursor:
            yield cursor


class _LoggedAsWritten(CursorDebugWrapper):
    """Logs the statement as written, with its parameters beside it: psycopg keeps no
    text of a prepared execution for Django to log."""

    @contextmanager
    def debug_sql(self, *args: Any, **kwargs: Any) -> Iterator[None]:
        kwargs["use_last_executed_query"] = False
        with super().debug_sql(*args, **kwargs):
            yield
