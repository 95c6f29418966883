"""Who may be made responsible for a work order, in one query each.

Someone made responsible (assignee, a plan's responsible person, a first responder other
than the person logging the call) is notified about the order and must be able to open
it: an active user who holds the permission to view work orders (through a role or
directly) and works on the order's project (assigned to it, or a user of every project).
An auditor sees every project but cannot open orders, so is never one of them.
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from anju.security.models import User
from anju.security.scoping import ALL_PROJECTS_PERM, visible_project_ids

VIEW_ORDERS = "servicedesk.view_workorder"
_Assignment = User.projects.through


def _every_project() -> Q:
    return Q(pk__in=User.objects.with_perm(ALL_PROJECTS_PERM).values("pk"))


def _assigned(project_ids: Iterable[int]) -> Exists:
    return Exists(
        _Assignment.objects.filter(user_id=OuterRef("pk"), project_id__in=list(project_ids))
    )


def working_on(project_id: int) -> QuerySet[User]:
    """The users who may be made responsible for an order of this project."""
    return User.objects.with_perm(VIEW_ORDERS).filter(_assigned([project_id]) | _every_project())


def colleagues(user: User) -> QuerySet[User]:
    """The users who may be made responsible for an order of one of ``user``'s projects:
    what an API input may name (anyone else answers as a missing id)."""
    people = User.objects.with_perm(VIEW_ORDERS)
    ids = visible_project_ids(user)
    if ids is None:
        return people
    return people.filter(_assigned(ids) | _every_project())
