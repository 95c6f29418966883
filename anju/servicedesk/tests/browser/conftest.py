"""Service-desk browser tests: the desk's seed replayed after each flush.

The seeded categories, SLA policies and official calendar come from a data migration. A
live-server test runs on a transactional database that is flushed after every test, so the
seed is gone for the next one; `serialized_rollback` would restore it, but fails as soon as
a transactional test without it ran earlier in the process (the flush's post_migrate has
recreated the role groups, and restoring them again breaks auth_group.name's uniqueness).
So `desk_seed` replays the migration's own seed function when the tables are empty.
The browser fixtures themselves come from the plugin anju.core.testing.browser.
"""

import importlib

import pytest
from django.apps import apps

from anju.servicedesk.models import CalendarYear, Category, SlaPolicy


@pytest.fixture(autouse=True)
def desk_seed(transactional_db: None) -> None:
    """The migration's categories, SLA policies and calendar years, replayed after a flush."""
    tables = (Category, SlaPolicy, CalendarYear)
    if all(model.objects.exists() for model in tables):
        return
    assert not any(model.objects.exists() for model in tables), "a partial desk seed"
    importlib.import_module("anju.servicedesk.migrations.0002_seed").seed(apps, None)
