"""Search keys in the "C" collation on PostgreSQL, and the usual initials stored.

The old index used varchar_pattern_ops: it served LIKE 'prefix%' but not ORDER BY key,
so every prefix match was fetched and sorted (137,549 rows for "sh" at a million
owners). A plain b-tree over a "C"-collated column serves both. SQLite has no "C"
collation and needs none (its LIKE never uses an index).
"""

from django.db import migrations, models

BATCH = 2000


def key_to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE owners_ownersearchkey ALTER COLUMN "key" TYPE varchar(64) COLLATE "C"'
        )


def key_to_default_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE owners_ownersearchkey ALTER COLUMN "key" TYPE varchar(64) '
            'COLLATE "default"'
        )


def fill_name_initials(apps, schema_editor):
    from anju.owners.rules.names import name_initials

    Owner = apps.get_model("owners", "Owner")
    rows = Owner.objects.order_by("pk").values_list("pk", "name", "kind")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        owners = [
            Owner(pk=pk, name_initials=name_initials(name, is_company=kind == "company"))
            for pk, name, kind in batch
        ]
        Owner.objects.bulk_update(owners, ["name_initials"])
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("owners", "0002_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ownersearchkey",
            name="owner_search_key_idx",
        ),
        migrations.RunPython(key_to_c_collation, key_to_default_collation),
        migrations.AddIndex(
            model_name="ownersearchkey",
            index=models.Index(fields=["key", "owner"], name="owner_search_key_order"),
        ),
        migrations.AddField(
            model_name="owner",
            name="name_initials",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.RunPython(fill_name_initials, migrations.RunPython.noop),
    ]
