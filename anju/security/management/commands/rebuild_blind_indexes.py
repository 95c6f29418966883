"""Recompute every blind index (`*_index`) from the decrypted value.

Run it after changing ANJU_BLIND_INDEX_KEY: until then, exact search by phone or ID
number finds nothing, because the stored digests were made with the old key. The masked
twins (`*_masked`) do not depend on any key and are left as they are.

The mapping from cipher column to index column and digest function is explicit: each
index has its own normalisation and purpose, so it cannot be guessed from a name.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction

from anju.owners.models import Owner, OwnerPhone
from anju.owners.personal_data import id_number_index, phone_index
from anju.security import crypto


@dataclass(frozen=True)
class BlindIndex:
    model: type[models.Model]
    cipher: str
    index: str
    digest: Callable[[str], str]


BLIND_INDEXES = (
    BlindIndex(Owner, "id_number_cipher", "id_number_index", id_number_index),
    BlindIndex(OwnerPhone, "number_cipher", "number_index", phone_index),
)


def rebuild(spec: BlindIndex, *, batch_size: int) -> tuple[int, int]:
    """Recompute one index in pk-ordered batches; returns (rows seen, rows changed)."""
    seen = changed = 0
    last_pk = None
    manager = spec.model._default_manager
    while True:
        with transaction.atomic():
            rows = manager.order_by("pk").select_for_update()
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.only("pk", spec.cipher, spec.index)[:batch_size])
            if not batch:
                return seen, changed
            dirty = []
            for row in batch:
                token = getattr(row, spec.cipher)
                digest = spec.digest(crypto.decrypt(token)) if token else None
                if digest != getattr(row, spec.index):
                    setattr(row, spec.index, digest)
                    dirty.append(row)
            manager.bulk_update(dirty, [spec.index])
            seen, changed = seen + len(batch), changed + len(dirty)
        last_pk = batch[-1].pk


class Command(BaseCommand):
    help = "Recompute the blind indexes of ID numbers and phones with ANJU_BLIND_INDEX_KEY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        for spec in BLIND_INDEXES:
            seen, changed = rebuild(spec, batch_size=batch_size)
            label = f"{spec.model._meta.label}.{spec.index}"
            self.stdout.write(f"{label}: {seen} rows checked, {changed} updated")
        self.stdout.write(self.style.SUCCESS("Done."))
