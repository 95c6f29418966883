"""OwnerProject: which projects each owner belongs to, kept in step with its sources.

An owner belongs to the project its file is registered in and to every project in which it
holds or held a unit (an ended ownership still makes the owner that project's former
owner). The write paths that change either source call `link_owner_projects` in their
transaction: owner_create and owner_update (the registered project), ownership_create (a
unit), and the Excel import for the owners it wrote.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from anju.owners.models import Owner, OwnerProject, Ownership
from anju.properties.models import Unit

# Owners per round: three statements each, whatever the import's size.
_ROUND = 2000

# Every pair, from scratch (as migration owners/0005 fills the table).
_FILL_ALL = """
    INSERT INTO {reach} (owner_id, project_id)
    SELECT id, project_id FROM {owner}
    UNION
    SELECT s.owner_id, u.project_id FROM {ownership} s JOIN {unit} u ON u.id = s.unit_id
"""


def link_owner_projects(owner_ids: Iterable[int]) -> None:
    """Make the owners' OwnerProject rows exactly the pairs their sources give."""
    ids = sorted(set(owner_ids))
    for start in range(0, len(ids), _ROUND):
        _link(ids[start : start + _ROUND])


def _link(ids: list[int]) -> None:
    wanted = set(Owner.objects.filter(pk__in=ids).values_list("pk", "project_id"))
    wanted |= set(
        Ownership.objects.filter(owner_id__in=ids)
        .order_by()
        .values_list("owner_id", "unit__project_id")
    )
    held = set(OwnerProject.objects.filter(owner_id__in=ids).values_list("owner_id", "project_id"))
    stale = held - wanted
    if stale:
        pairs = Q()
        for owner_id, project_id in stale:
            pairs |= Q(owner_id=owner_id, project_id=project_id)
        OwnerProject.objects.filter(pairs).delete()
    missing = wanted - held
    if missing:
        OwnerProject.objects.bulk_create(
            [OwnerProject(owner_id=o, project_id=p) for o, p in sorted(missing)],
            ignore_conflicts=True,  # a concurrent writer linked the same pair first
        )


def relink_all_owner_projects() -> None:
    """Rebuild every owner's pairs in two statements: for rows written around the services
    (the benchmarks' COPY loads), or to repair the table."""
    tables = {
        "reach": OwnerProject._meta.db_table,
        "owner": Owner._meta.db_table,
        "ownership": Ownership._meta.db_table,
        "unit": Unit._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['reach']}")
        cursor.execute(_FILL_ALL.format(**tables))
