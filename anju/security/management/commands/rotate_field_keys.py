"""Re-encrypt every encrypted column under the current (first) key of ANJU_FIELD_KEYS.

Rotation, step by step (docs and settings.py say the same):
1. prepend a new key: ANJU_FIELD_KEYS=<new>,<old>  (the old one still decrypts);
2. run `manage.py rotate_field_keys`;
3. drop the old key from ANJU_FIELD_KEYS.

Encrypted columns are found generically: every concrete field whose name ends in
`_cipher`, in every installed model. Each batch is one transaction; the command can be
re-run safely (a value already under the first key is simply re-encrypted).
"""

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction

from anju.security import crypto

CIPHER_SUFFIX = "_cipher"


def encrypted_columns() -> Iterator[tuple[type[models.Model], list[str]]]:
    """(model, [cipher field names]) for every model with at least one `*_cipher` column."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if f.name.endswith(CIPHER_SUFFIX)]
        if names and not model._meta.proxy:
            yield model, names


def rotate_model(model: type[models.Model], names: list[str], *, batch_size: int) -> int:
    """Re-encrypt the model's cipher columns in pk order; returns the values rotated."""
    rotated, last_pk = 0, None
    while True:
        with transaction.atomic():
            rows = model._default_manager.order_by("pk").select_for_update()
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.only("pk", *names)[:batch_size])
            if not batch:
                return rotated
            for row in batch:
                for name in names:
                    token = getattr(row, name)
                    if token:
                        setattr(row, name, crypto.rotate(token))
                        rotated += 1
            model._default_manager.bulk_update(batch, names)
        last_pk = batch[-1].pk


class Command(BaseCommand):
    help = "Re-encrypt every *_cipher column with the first key of ANJU_FIELD_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        total = 0
        for model, names in encrypted_columns():
            count = rotate_model(model, names, batch_size=batch_size)
            total += count
            self.stdout.write(
                f"{model._meta.label}: {count} values re-encrypted ({', '.join(names)})"
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} values re-encrypted."))
