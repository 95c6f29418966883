"""Bulk writing for imports: batched inserts and one change-log row per created object.

Two paths, both one statement per batch of 2,000:
- `create_logged` uses `bulk_create` for rows whose primary keys are needed afterwards
  (owners, units, ownerships: PostgreSQL and SQLite >= 3.35 return them);
- `insert_rows` skips model instances altogether for child rows nobody refers to (search
  keys, phones, tag links, events, change-log rows). Building a model instance and
  compiling it cost about ten times the INSERT itself; values still go through each
  field's `get_db_prep_save`, so JSON, datetimes and foreign keys are adapted as usual.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
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
    names = [*fields, *same]
    columns: list[Any] = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(column.column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    preps = [_prep(column) for column in columns[: len(fields)]]
    fixed = [
        value if prep is None else prep(value)
        for prep, value in zip(map(_prep, columns[len(fields) :]), same.values(), strict=True)
    ]
    count = 0
    with connection.cursor() as cursor:
        for chunk in batches(rows):
            cursor.executemany(sql, [
                [value if prep is None else prep(value)
                 for prep, value in zip(preps, row, strict=True)] + fixed
                for row in chunk
            ])  # fmt: skip
            count += len(chunk)
    return count


def _prep(field: Any) -> Callable[[Any], Any] | None:
    if field.get_internal_type() in _PLAIN_TYPES:
        return None
    return partial(field.get_db_prep_save, connection=connection)


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
    """Writes the change-log rows of created objects: one INSERT per batch."""

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
) -> list[M]:
    """Insert in batches and log each created object; returns the saved objects."""
    saved: list[M] = []
    for chunk in batches(objects):
        model._default_manager.bulk_create(chunk)
        trail.created(chunk, **log_options)
        saved.extend(chunk)
    return saved
