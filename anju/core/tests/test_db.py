"""hot_cursor: prepared once per connection on PostgreSQL, ordinary elsewhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.core.db import hot_cursor

STATEMENT = "SELECT CAST(%(n)s AS INTEGER) * 2 AS twice"


def _twice(n: int) -> int:
    with hot_cursor() as cursor:
        cursor.execute(STATEMENT, {"n": n})
        value: int = cursor.fetchone()[0]
        return value


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if "twice" in row[0]]


@pytest.mark.django_db
def test_statements_answer_and_are_logged_and_counted():
    # when
    with CaptureQueriesContext(connection) as captured:
        answers = [_twice(n) for n in (1, 2, 3)]
    # then
    assert answers == [2, 4, 6]
    logged = [q["sql"] for q in captured.captured_queries]
    assert len(logged) == 3 and all(sql.startswith("SELECT CAST(") for sql in logged)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_postgresql_prepares_a_statement_once_per_connection():
    # given/when three executions
    for n in (1, 2, 3):
        _twice(n)
    # then the server holds one prepared statement for it
    assert _prepared() == ["SELECT CAST($1 AS INTEGER) * 2 AS twice"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_without_the_setting_nothing_is_prepared(monkeypatch):
    # given prepared statements switched off (ANJU_DB_PREPARED_STATEMENTS=false)
    options = dict(connection.settings_dict["OPTIONS"])
    options.pop("prepare_threshold", None)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    # when
    assert _twice(5) == 10
    # then
    assert _prepared() == []
