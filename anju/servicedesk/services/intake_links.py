"""The links of a new request (unit, owner, project) read in one statement.

Accepting a request checks three things the actor sent: the unit is in the project, the
project is one of the actor's, the owner belongs to the project. As ORM queries that
was three statements whose compilation cost more CPU than everything else a create does
(decision D13); here it is one plain SQL statement, portable between SQLite and
PostgreSQL, with table and column names taken from the models.

The owner must belong to the order's project (registered in it, or owning a unit in it: a
pair in OwnerProject, D19), not merely to one of the actor's projects: everyone working on
the order sees its owner's name, and an owner of another project is out of their scope.
With the project one of the actor's, such an owner is also one `Owner.objects.visible_to`
shows the actor; a test holds the two readers to the same answers.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection

from anju.core.db import hot_cursor
from anju.owners.models import Owner, OwnerProject
from anju.properties.models import Building, Project, Unit
from anju.security.models import User
from anju.security.scoping import sees_every_project

_UNIT_FIELDS = ["id", "project_id", "building_id", "code"]
_BUILDING_FIELDS = ["id", "project_id", "phase_id", "number"]


@dataclass(frozen=True)
class Links:
    unit: Unit | None  # in the project; its building (phase, number) comes with it
    owner: Owner | None  # belongs to the project
    project_visible: bool


def read_links(actor: User, *, project_id: int, unit_id: int | None, owner_id: int | None) -> Links:
    every = sees_every_project(actor)
    params: dict[str, Any] = {
        "unit": unit_id,
        "project": project_id,
        "owner": owner_id,
        "user": actor.pk,
    }
    with hot_cursor() as cursor:  # planned once per connection
        cursor.execute(_sql(every), params)
        row = cursor.fetchone()
    return Links(
        unit=_unit(row[0:7]) if row[0] is not None else None,
        owner=_owner(row[7:10]) if row[7] is not None and row[10] else None,
        project_visible=bool(row[11]),
    )


def _unit(values: tuple[Any, ...]) -> Unit:
    """The unit with what a create reads of it; other fields load when touched."""
    unit_id, project_id, building_id, code, building_project_id, phase_id, number = values
    db = connection.alias
    unit = Unit.from_db(db, _UNIT_FIELDS, [unit_id, project_id, building_id, code])
    building = Building.from_db(
        db, _BUILDING_FIELDS, [building_id, building_project_id, phase_id, number]
    )
    Unit._meta.get_field("building").set_cached_value(unit, building)
    return unit


def _owner(values: tuple[Any, ...]) -> Owner:
    return Owner.from_db(connection.alias, ["id", "project_id", "name"], list(values))


@cache
def _sql(every_project: bool) -> str:
    unit, building, owner = (m._meta.db_table for m in (Unit, Building, Owner))
    reach, project = OwnerProject._meta.db_table, Project._meta.db_table
    assignments = User.projects.through._meta.db_table
    q = connection.ops.quote_name
    owner_in_project = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {q(reach)} r "
        "WHERE r.owner_id = o.id AND r.project_id = %(project)s) THEN 1 ELSE 0 END"
    )
    if every_project:
        project_visible = f"EXISTS (SELECT 1 FROM {q(project)} WHERE id = %(project)s)"
    else:
        mine = f"SELECT project_id FROM {q(assignments)} WHERE user_id = %(user)s"
        project_visible = f"EXISTS ({mine} AND project_id = %(project)s)"
    return (
        "SELECT u.id, u.project_id, u.building_id, u.code, b.project_id, b.phase_id, b.number, "
        f"o.id, o.project_id, o.name, {owner_in_project}, {project_visible} "
        "FROM (SELECT 1 AS one) base "
        f"LEFT JOIN {q(unit)} u ON u.id = %(unit)s AND u.project_id = %(project)s "
        f"LEFT JOIN {q(building)} b ON b.id = u.building_id "
        f"LEFT JOIN {q(owner)} o ON o.id = %(owner)s"
    )
