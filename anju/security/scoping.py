"""Project scoping: every queryset a user reaches is limited to their projects.

Out-of-scope objects simply are not in the queryset, so views and the API answer 404
for them, never 403-with-a-hint.
"""

from typing import Any, Self

from django.db import models

ALL_PROJECTS_PERM = "security.access_all_projects"


def visible_project_ids(user: Any) -> frozenset[int] | None:
    """The ids of the projects the user may see, or None for every project.

    Cached on the user object: a request asks several times.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if hasattr(user, "_anju_project_ids"):
        cached: frozenset[int] | None = user._anju_project_ids
        return cached
    ids: frozenset[int] | None
    if sees_every_project(user):
        ids = None
    else:
        ids = frozenset(user.projects.values_list("id", flat=True))
    user._anju_project_ids = ids
    return ids


def sees_every_project(user: Any) -> bool:
    """A user of every project (superuser or access_all_projects): no assignment to read."""
    if hasattr(user, "_anju_project_ids"):
        return user._anju_project_ids is None
    return bool(user.is_superuser or user.has_perm(ALL_PROJECTS_PERM))


def forget_project_ids(user: Any) -> None:
    """Drop the cache after assignments change."""
    if hasattr(user, "_anju_project_ids"):
        del user._anju_project_ids


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which field ties its rows to a project."""

    project_field = "project_id"

    def visible_to(self, user: Any) -> Self:
        ids = visible_project_ids(user)
        if ids is None:
            return self
        return self.filter(self.scope_q(ids))

    def scope_q(self, project_ids: frozenset[int]) -> models.Q:
        return models.Q(**{f"{self.project_field}__in": project_ids})
