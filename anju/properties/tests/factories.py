"""Registry test data: one small tree per project, and a registry clerk user."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission

from anju.core.testing.factories import (
    BuildingFactory,
    LayoutFactory,
    PhaseFactory,
    UnitFactory,
)
from anju.properties.models import Building, Layout, Phase, Project, Unit
from anju.security.roles import EDIT_REGISTRY, VIEW_REGISTRY

# Everything a registry clerk needs, without the import link (another app's page).
CLERK_PERMS = tuple(p for p in VIEW_REGISTRY + EDIT_REGISTRY if not p.endswith("import_units"))


@dataclass
class Tree:
    project: Project
    phase: Phase
    layout: Layout
    building: Building
    unit: Unit


def make_tree(project: Project, *, units: int = 1) -> Tree:
    """project → phase → building with `units` units (the first is returned), + a layout."""
    phase = PhaseFactory(project=project)
    layout = LayoutFactory(project=project)
    building = BuildingFactory(phase=phase)
    made = [UnitFactory(building=building, layout=layout) for _ in range(units)]
    return Tree(project, phase, layout, building, made[0])


def grant(user: Any, *perms: str) -> Any:
    """Give a user extra model permissions ("app.codename")."""
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user
