"""OwnerProject: which projects each owner belongs to, kept in step with its sources.

An owner belongs to the project its file is registered in and to every project in which it
holds or held a unit (an ended ownership still makes the owner that project's former
owner). Nothing deletes owners or ownerships, and an ownership's unit and a unit's project
never change, so pairs are only ever added, except when a file moves to another project:

* owner_create and ownership_create add their pair (`add_owner_project`: one INSERT that
  a pair already there, or added by a concurrent request, leaves alone);
* owner_update, when the registered project changes, and the Excel import recompute the
  owners' pairs (`link_owner_projects`).
"""

from collections.abc import Iterable

from django.db import connection, transaction

from anju.owners.models import Owner, OwnerProject, Ownership
from anju.properties.models import Unit

# Owners per round of link_owner_projects: three reads, then the INSERT and any DELETE.
_ROUND = 2000

# Every pair, from scratch (as migration owners/0005 fills the table). The outer SELECT
# with its WHERE lets SQLite parse ON CONFLICT after a compound SELECT.
_FILL_ALL = """
    INSERT INTO {reach} (owner_id, project_id)
    SELECT owner_id, project_id FROM (
        SELECT id AS owner_id, project_id FROM {owner}
        UNION
        SELECT s.owner_id, u.project_id FROM {ownership} s JOIN {unit} u ON u.id = s.unit_id
    ) pairs WHERE true
    ON CONFLICT DO NOTHING
"""


def add_owner_project(owner_id: int, project_id: int) -> None:
    """The owner belongs to the project (registered there, or a unit there)."""
    OwnerProject.objects.bulk_create(
        [OwnerProject(owner_id=owner_id, project_id=project_id)], ignore_conflicts=True
    )


def link_owner_projects(owner_ids: Iterable[int]) -> None:
    """Make the owners' OwnerProject rows exactly the pairs their sources give."""
    ids = sorted(set(owner_ids))
    for start in range(0, len(ids), _ROUND):
        _link(ids[start : start + _ROUND])


def _link(ids: list[int]) -> None:
    # The pairs held are read first: a pair that a concurrent ownership_create commits
    # later is then either among those wanted (and its INSERT is ignored) or unseen, and
    # never deleted as stale.
    held = {
        (owner_id, project_id): pk
        for pk, owner_id, project_id in OwnerProject.objects.filter(owner_id__in=ids)
        .order_by()
        .values_list("pk", "owner_id", "project_id")
    }
    wanted = set(Owner.objects.filter(pk__in=ids).values_list("pk", "project_id"))
    wanted |= set(
        Ownership.objects.filter(owner_id__in=ids)
        .order_by()
        .values_list("owner_id", "unit__project_id")
    )
    stale = [pk for pair, pk in held.items() if pair not in wanted]
    if stale:
        OwnerProject.objects.filter(pk__in=stale).delete()
    missing = sorted(wanted - held.keys())
    if missing:
        OwnerProject.objects.bulk_create(
            [OwnerProject(owner_id=o, project_id=p) for o, p in missing],
            ignore_conflicts=True,  # a concurrent writer added the same pair first
        )


def relink_all_owner_projects() -> int:
    """Rebuild every owner's pairs in one transaction (readers see the old pairs until it
    commits): for rows written around the services (the benchmarks' COPY loads), or to
    repair the table (`manage.py relink_owner_projects`). Returns the number of pairs."""
    tables = {
        "reach": OwnerProject._meta.db_table,
        "owner": Owner._meta.db_table,
        "ownership": Ownership._meta.db_table,
        "unit": Unit._meta.db_table,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['reach']}")
        cursor.execute(_FILL_ALL.format(**tables))
    return OwnerProject.objects.count()
