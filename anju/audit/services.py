"""Write path for the audit logs. Services call these inside their own transaction."""

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from anju.audit.context import current
from anju.audit.models import ChangeLog, PersonalDataAccess

# Columns that hold ciphertext or keyed digests never enter the change log; models keep
# a masked twin (e.g. id_number_masked) that does.
_SECRET_SUFFIXES = ("_cipher", "_index")


def snapshot(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """JSON-safe values of the concrete fields, without secrets."""
    skipped = set(exclude)
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped or field.name.endswith(_SECRET_SUFFIXES):
            continue
        data[field.name] = _json_value(field.value_from_object(instance))
    return data


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def log_change(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> ChangeLog | None:
    if action == ChangeLog.Action.UPDATE and before == after:
        return None
    return ChangeLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        request_id=current.get().request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def log_personal_data_access(
    *,
    actor: Any,
    action: str,
    fields: str,
    reason: str,
    subject: models.Model | None = None,
    subject_repr: str = "",
    record_count: int = 1,
    in_clear: bool = True,
) -> PersonalDataAccess:
    context = current.get()
    return PersonalDataAccess.objects.create(
        actor=actor,
        action=action,
        fields=fields,
        reason=reason,
        subject_type=ContentType.objects.get_for_model(subject) if subject else None,
        subject_id=str(subject.pk) if subject else "",
        subject_repr=(subject_repr or str(subject or ""))[:200],
        record_count=record_count,
        in_clear=in_clear,
        ip=context.ip,
        user_agent=context.user_agent,
        request_id=context.request_id,
    )
