"""Bulk writing for imports: batched inserts and one change-log row per created object.

Everything is written batch by batch (2,000 objects): model instances of one batch are
built, inserted, logged and dropped before the next batch is built, so memory does not
grow with the file.

Two ways in, each with a PostgreSQL path and a portable fallback:
- `create_logged` / `save_new` for rows whose primary keys are needed afterwards (owners,
  units, ownerships). On PostgreSQL the ids are taken from the table's sequence first
  (one query per batch) and the rows are loaded with `COPY`; elsewhere `bulk_create`
  returns them (SQLite >= 3.35). Field values go through `pre_save` (auto_now …) and
  `get_db_prep_save` exactly as `bulk_create` does.
- `insert_rows` for child rows nobody refers to (search keys, phones, tag links, events,
  change-log rows): value tuples, no model instances; `COPY` on PostgreSQL, one
  `executemany` per batch elsewhere.
On PostgreSQL an INSERT per row (which is what `executemany` sends) costs a round trip
and a statement each; `COPY` streams the batch in one statement, about ten times faster.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from anju.audit.models import ChangeLog
from anju.audit.services import snapshot

BATCH_SIZE = 2_000
_TIMESTAMPS = {"created_at", "updated_at"}
_PLAIN_TYPES = frozenset({
    "CharField", "TextField", "SlugField", "EmailField", "BooleanField", "IntegerField",
    "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField",
})  # fmt: skip

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


def batches(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def copy_supported() -> bool:
    """COPY FROM STDIN: PostgreSQL through psycopg 3."""
    return connection.vendor == "postgresql"


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(quote(table), ", ".join(map(quote, columns)))
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    same: Mapping[str, Any] | None = None,
) -> int:
    """INSERT value tuples (in `fields` order) in batches; returns the row count.

    `same` holds columns with one value for every row (adapted once). Values of text,
    number and boolean columns are passed as they are; dates, datetimes, decimals, JSON
    and foreign keys go through the field's `get_db_prep_save`.
    """
    meta = model._meta
    same = same or {}
    columns: list[Any] = [meta.get_field(name) for name in (*fields, *same)]
    preps = [_prep(column) for column in columns[: len(fields)]]
    fixed = [
        value if prep is None else prep(value)
        for prep, value in zip(map(_prep, columns[len(fields) :]), same.values(), strict=True)
    ]

    def values(row: Sequence[Any]) -> list[Any]:
        prepared = [value if prep is None else prep(value) for prep, value in zip(preps, row)]
        return prepared + fixed

    count = 0
    for chunk in batches(rows):
        _write(meta.db_table, [column.column for column in columns], map(values, chunk))
        count += len(chunk)
    return count


def _write(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    if copy_supported():
        _copy(table, columns, rows)
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(table), ", ".join(map(quote, columns)), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def _prep(field: Any) -> Callable[[Any], Any] | None:
    if field.get_internal_type() in _PLAIN_TYPES:
        return None
    # The connection itself, not the `connection` proxy: this runs once per value.
    return partial(field.get_db_prep_save, connection=connections[DEFAULT_DB_ALIAS])


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys from the table's sequence (PostgreSQL)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def save_new(model: type[M], objects: list[M]) -> list[M]:
    """Insert one batch of unsaved objects and set their primary keys (like bulk_create)."""
    if not objects:
        return objects
    if not copy_supported():
        return model._default_manager.bulk_create(objects)
    meta = model._meta
    fields = list(meta.concrete_fields)
    preps = [_prep(field) for field in fields]
    for obj, pk in zip(objects, _next_ids(model, len(objects)), strict=True):
        obj.pk = pk
    _copy(
        meta.db_table,
        [field.column for field in fields],
        (
            [
                value if prep is None else prep(value)
                for prep, value in zip(preps, (field.pre_save(obj, True) for field in fields))
            ]
            for obj in objects
        ),
    )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def plain_view(instance: models.Model) -> dict[str, Any]:
    """The change-log view of a registry object (same as the property services)."""
    return snapshot(instance, exclude=_TIMESTAMPS)


@dataclass(frozen=True)
class WriteContext:
    """Who commits which job: every created row is attributed to them."""

    project_id: int
    actor: Any
    job_id: int

    @property
    def request_id(self) -> str:
        return f"import-{self.job_id}"


class AuditTrail:
    """Writes the change-log rows of created objects: one statement per batch."""

    def __init__(self, context: WriteContext) -> None:
        self.actor = context.actor if getattr(context.actor, "pk", None) else None
        self.actor_id = self.actor.pk if self.actor else None
        self.request_id = context.request_id

    def created(
        self,
        objects: Sequence[models.Model],
        *,
        view: Callable[[Any], dict[str, Any]] = plain_view,
        label: Callable[[Any], str] = str,
    ) -> None:
        if not objects:
            return
        same = {
            "at": timezone.now(), "actor": self.actor_id, "request_id": self.request_id,
            "action": ChangeLog.Action.CREATE.value, "before": None,
            "content_type": ContentType.objects.get_for_model(objects[0]).pk,
        }  # fmt: skip
        insert_rows(ChangeLog, ("object_id", "object_repr", "after"), (
            (str(obj.pk), label(obj)[:200], view(obj)) for obj in objects
        ), same=same)  # fmt: skip


def create_logged(
    model: type[M],
    objects: Iterable[M],
    trail: AuditTrail,
    **log_options: Any,
) -> list[int]:
    """Insert in batches and log each created object; returns the new ids, in order.

    The instances of a batch are dropped once it is written: pass a generator to keep
    memory flat.
    """
    ids: list[int] = []
    for chunk in batches(objects):
        save_new(model, chunk)
        trail.created(chunk, **log_options)
        ids.extend(obj.pk for obj in chunk)
    return ids
