from pathlib import Path
from typing import Any

import pytest

from anju.core.testing.factories import BuildingFactory, PhaseFactory
from anju.properties.models import Building, Project


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def building(project: Project) -> Building:
    return BuildingFactory(phase=PhaseFactory(project=project, name="一期"), number="1", floors=33)


@pytest.fixture
def importer(make_user: Any, project: Project) -> Any:
    return make_user("cs_officer", projects=[project])
