"""Shared pytest fixtures: projects, users per role, API clients."""

from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db.models.signals import post_migrate
from rest_framework.test import APIClient

from anju.properties.models import Project
from anju.security.models import User
from anju.security.services import sync_roles, user_create

PASSWORD = "correct-horse-battery"


def _reseed_after_flush(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Put the migrations' seed (categories, SLA policies, official calendar) back.

    After a transactional test pytest-django empties every table (flush) and sends
    post_migrate; the tests that run next in the same process would find no seed. Roles
    and permissions come back through their own post_migrate handlers.
    """
    if sender.name != "anju.servicedesk":
        return
    from anju.servicedesk.models import Category

    if Category.objects.using(using).exists():
        return
    seed = import_module("anju.servicedesk.migrations.0002_seed").seed
    seed(django_apps, None)


post_migrate.connect(_reseed_after_flush, dispatch_uid="anju-tests-reseed-after-flush")


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Nothing a test leaves in the cache reaches the next one: tests roll the database back,
    and SQLite hands the same ids out again (a project's cached dashboard figures, say)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def project(db: Any) -> Project:
    return Project.objects.create(name="安居花园", code="anju-garden", city="深圳")


@pytest.fixture
def other_project(db: Any) -> Project:
    return Project.objects.create(name="翠湖苑", code="cuihu", city="杭州")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    sync_roles()
    counter = iter(range(10_000))

    def make(role: str | None = None, projects: Iterable[Project] = (), **kw: Any) -> User:
        return user_create(
            actor=None,
            username=kw.pop("username", f"{role or 'nobody'}{next(counter)}"),
            password=PASSWORD,
            roles=[role] if role else [],
            project_ids=[p.pk for p in projects],
            **kw,
        )

    return make


@pytest.fixture
def api_client_for() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
