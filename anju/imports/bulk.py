"""Bulk writing for imports: value rows, batched inserts, one change-log row per object.

A large import is written as a pipeline (`write_batches`): a worker thread builds the
next batch of 2,000 records (model values, encryption, pinyin keys, change-log views:
CPU work that needs no database) while the main thread writes the previous one. Only
two batches exist at a time, so memory does not grow with the file. The worker never
touches the database: everything it needs (primary keys, content types, tag ids) is
looked up before it starts, and primary keys are taken from the table's sequence up
front (`allocate_ids`), so children can refer to rows not yet written.

Rows are written with `COPY` on PostgreSQL (one statement per table and batch; an
INSERT per row costs a round trip each) and with one `executemany` per table and batch
elsewhere. Values go through each field's `get_db_prep_save`, as `bulk_create` does (in
COPY, psycopg adapts dates, datetimes and decimals itself).
On PostgreSQL the foreign keys are checked as each batch is written (SET CONSTRAINTS
ALL IMMEDIATE) instead of all at COMMIT, so that work overlaps with the next batch too.

Keeping PostgreSQL busy: the main thread shares the interpreter lock with the busy
worker, and each COPY waits on the network a few times and must then get the lock back;
meanwhile PostgreSQL waits for data. So the worker also turns the rows into COPY's text
format (`Batch.add`) and the main thread only streams bytes, and while a pipeline runs
the interpreter switches threads every 0.5 ms instead of every 5 ms. Together they took
a 100,000-row commit from 24-25 s to 21-22 s (formatting in the main thread with the
short interval: 27 s). Building owner batches further ahead, while the units are
written, did not help: the builder then slowed the units' COPY the same way.
"""

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any, TypeVar, cast

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone
from psycopg._copy_base import TextFormatter  # see Table.copy_text
from psycopg.adapt import Transformer

from anju.audit.models import ChangeLog
from anju.audit.services import snapshot

BATCH_SIZE = 2_000
PIPELINE_SWITCH_INTERVAL = 0.0005  # seconds; see the module doc
_TIMESTAMPS = {"created_at", "updated_at"}
_PLAIN_TYPES = frozenset({
    "CharField", "TextField", "SlugField", "EmailField", "BooleanField", "IntegerField",
    "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "AutoField", "BigAutoField", "ForeignKey",
})  # fmt: skip
_NATIVE_IN_COPY = frozenset({"DateField", "DateTimeField", "DecimalField"})

T = TypeVar("T")


def batches(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def copy_supported() -> bool:
    """COPY FROM STDIN: PostgreSQL through psycopg 3."""
    return connection.vendor == "postgresql"


def _prep(field: Any) -> Callable[[Any], Any] | None:
    """How a value becomes a database value; None when it already is one.

    psycopg adapts dates, datetimes and decimals itself in COPY (Django's PostgreSQL
    adapters return them unchanged): only JSON is left to prepare there, and COPY takes
    it as text, encoded as Django's other backends encode it (`_json_text`).
    """
    kind = field.get_internal_type()
    if kind in _PLAIN_TYPES or (kind in _NATIVE_IN_COPY and copy_supported()):
        return None
    if kind == "JSONField" and copy_supported():
        return partial(_json_text, encoder=field.encoder)
    # The connection itself, not the `connection` proxy (thread-local, and slower).
    return partial(field.get_db_prep_save, connection=connections[DEFAULT_DB_ALIAS])


def _json_text(value: Any, encoder: type[json.JSONEncoder] | None) -> str | None:
    """A JSONField value as COPY text: None is SQL NULL, as in JSONField.get_db_prep_save;
    the rest is what DatabaseOperations.adapt_json_value makes of it on SQLite (PostgreSQL's
    Jsonb adapter dumps the same way, only later, through one more wrapper per value)."""
    return None if value is None else json.dumps(value, cls=encoder)


class _Values:
    """A row's values read like a model instance, so `audit.snapshot` can view them."""

    def __init__(self, meta: Any, values: Mapping[str, Any]) -> None:
        self._meta = meta
        self.__dict__.update(values)


def _isoformat(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _text(value: Any) -> Any:
    return None if value is None else str(value)


# How audit.snapshot makes a value JSON-safe, by field type (checked by the tests).
_VIEW_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "DateField": _isoformat, "DateTimeField": _isoformat, "TimeField": _isoformat,
    "DecimalField": _text, "UUIDField": _text,
}  # fmt: skip


class Table:
    """The columns of one model, for rows built without model instances.

    Build it in the main thread (it holds that thread's connection for the value
    adapters); its methods may then run in the pipeline's worker.
    `fields`: the attnames to write, in order; default: every concrete field (the
    primary key included, for rows whose id was allocated).
    """

    def __init__(
        self, model: type[models.Model], fields: Sequence[str] | None = None, **view: Any
    ) -> None:
        meta = model._meta
        by_attname = {column.attname: column for column in meta.concrete_fields}
        chosen = list(meta.concrete_fields) if fields is None else [by_attname[f] for f in fields]
        self.meta = meta
        self.name = meta.db_table
        # The psycopg connection whose adapters COPY uses, taken in the main thread.
        self._copy_context = _copy_context()
        self.columns = [str(column.column) for column in chosen]
        self.attnames = [column.attname for column in chosen]
        # Only the columns whose values need adapting (most need none).
        self._preps = [
            (index, prep)
            for index, column in enumerate(chosen)
            if (prep := _prep(column)) is not None
        ]
        self._defaults = {
            column.attname: column.get_default for column in chosen if column.has_default()
        }
        self.stamped = [
            column.attname
            for column in chosen
            if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False)
        ]
        # The fields audit.snapshot shows (it leaves secrets out), and their converters.
        shown = snapshot(
            cast(Any, _Values(meta, dict.fromkeys(by_attname))), exclude=view.get("exclude", ())
        )
        self._view = [
            (name, field.attname, _VIEW_CONVERTERS.get(field.get_internal_type()))
            for name in shown
            for field in [cast(models.Field, meta.get_field(name))]
        ]

    def prepared(self, values: Sequence[Any]) -> list[Any]:
        """Values in `attnames` order, adapted for the database."""
        row = list(values)
        if len(row) != len(self.attnames):
            raise ValueError(f"{self.name}: {len(row)} values for {len(self.attnames)} columns")
        for index, prep in self._preps:
            row[index] = prep(row[index])
        return row

    def copy_text(self, rows: Iterable[Sequence[Any]]) -> bytes:
        """Prepared rows in COPY's text format: what `Copy.write_row` would send. Needs no
        database round trip, so a worker thread can do it while the main one writes.

        It uses the formatter of `Copy.write_row` (psycopg's C code), which psycopg does
        not export: an upgrade may move it, and the COPY tests on PostgreSQL would fail.
        """
        formatter = TextFormatter(Transformer(self._copy_context))
        chunks = [formatter.write_row(row) for row in rows]
        chunks.append(formatter.end())
        return b"".join(chunks)

    def complete(self, values: Mapping[str, Any], now: Any) -> dict[str, Any]:
        """Every attname: the given values, else auto_now(_add) = now, else the field's
        default, else None."""
        full = dict.fromkeys(self.attnames)
        full.update(dict.fromkeys(self.stamped, now))
        for name, default in self._defaults.items():
            if name not in values:
                full[name] = default()
        full.update(values)
        return full

    def row(self, values: Mapping[str, Any]) -> list[Any]:
        return self.prepared([values.get(name) for name in self.attnames])

    def view(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The change-log view of a complete row: what audit.snapshot makes of it."""
        return {
            name: values[attname] if convert is None else convert(values[attname])
            for name, attname, convert in self._view
        }


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys, reserved now for rows written later in this transaction.

    PostgreSQL: from the table's sequence. SQLite: past both the highest id and the
    AUTOINCREMENT counter (so ids of deleted rows are never reused), and the counter is
    moved on; the transaction holds the write lock from there on, so nobody else can
    take the same ids.
    """
    if count <= 0:
        return []
    meta = model._meta
    table, pk = meta.db_table, str(meta.pk.column)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if copy_supported():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), pk, count],
            )
            return [value for (value,) in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}")
        (highest,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        (counter,) = cursor.fetchone()
        first = max(highest, counter) + 1
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
        cursor.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first + count - 1]
        )
    return list(range(first, first + count))


def _copy_context() -> Any:
    """The open psycopg connection (PostgreSQL), or None where COPY is not used."""
    if not copy_supported():
        return None
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    return wrapper.connection


Rows = Sequence[Sequence[Any]]


@dataclass
class Batch:
    """Rows ready to insert, table by table, in the order they must be written: as COPY
    text on PostgreSQL (formatted by whoever builds the batch), else as value rows."""

    parts: list[tuple[Table, Rows | bytes]] = field(default_factory=list)

    def add(self, table: Table, rows: list[list[Any]]) -> None:
        if rows:
            self.parts.append((table, table.copy_text(rows) if copy_supported() else rows))


def insert(table: Table, rows: Rows | bytes) -> None:
    """Write prepared rows (or their COPY text): COPY on PostgreSQL, executemany elsewhere."""
    quote = connection.ops.quote_name
    names = ", ".join(map(quote, table.columns))
    with connection.cursor() as cursor:
        if copy_supported():
            data = rows if isinstance(rows, bytes) else table.copy_text(rows)
            with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                copy.write(data)
            return
        assert not isinstance(rows, bytes), "COPY text is only made where COPY is used"
        marks = ", ".join(["%s"] * len(table.columns))
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)


@contextmanager
def _prompt_thread_switching() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, PIPELINE_SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def write_batches(produced: Iterable[Batch]) -> None:
    """Write each batch while a worker thread builds the next one (see the module doc)."""
    if copy_supported():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    iterator = iter(produced)
    with (
        _prompt_thread_switching(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-rows") as worker,
    ):
        pending: Future[Batch | None] = worker.submit(next, iterator, None)
        while (batch := pending.result()) is not None:
            pending = worker.submit(next, iterator, None)
            for table, rows in batch.parts:
                insert(table, rows)


@dataclass(frozen=True)
class WriteContext:
    """Who commits which job: every created row is attributed to them."""

    project_id: int
    actor: Any
    job_id: int

    @property
    def request_id(self) -> str:
        return f"import-{self.job_id}"


class CreationLog:
    """Change-log rows ("create") of one model's new records, as value rows.

    Build it in the main thread (it looks the content type up); `rows` may run in the
    pipeline's worker.
    """

    table: Table

    def __init__(self, model: type[models.Model], context: WriteContext) -> None:
        self.table = Table(ChangeLog, ("at", "actor_id", "request_id", "action",
                                       "content_type_id", "object_id", "object_repr",
                                       "before", "after"))  # fmt: skip
        actor = context.actor if getattr(context.actor, "pk", None) else None
        self._same = (
            actor.pk if actor else None,
            context.request_id,
            ChangeLog.Action.CREATE.value,
            ContentType.objects.get_for_model(model).pk,
        )

    def rows(self, entries: Iterable[tuple[Any, str, dict[str, Any]]]) -> list[list[Any]]:
        """One row per (pk, label, view)."""
        now = timezone.now()
        return [
            self.table.prepared((now, *self._same, str(pk), label[:200], None, view))
            for pk, label, view in entries
        ]


def plain_view(instance: models.Model) -> dict[str, Any]:
    """The change-log view of a registry object (same as the property services)."""
    return snapshot(instance, exclude=_TIMESTAMPS)


def create_logged(
    model: type[models.Model],
    objects: Sequence[models.Model],
    context: WriteContext,
    *,
    view: Callable[[Any], dict[str, Any]] = plain_view,
) -> list[int]:
    """Insert a few unsaved instances (phases, buildings, layouts) and log each one;
    returns their new ids, in order. Runs in the calling thread."""
    ids = allocate_ids(model, len(objects))
    if not ids:
        return ids
    table, log = Table(model), CreationLog(model, context)
    now = timezone.now()
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        for name in table.stamped:
            setattr(obj, name, now)
    rows = [table.prepared([getattr(obj, name) for name in table.attnames]) for obj in objects]
    insert(table, rows)
    insert(log.table, log.rows((obj.pk, str(obj), view(obj)) for obj in objects))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return ids
