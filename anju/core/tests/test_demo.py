"""The demo loader: realistic data, one login per role, scoping shown, idempotent."""

import os
from collections.abc import Iterator
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from anju.audit.models import ChangeLog
from anju.core.demo import DEMO_CODES, PASSWORD_ENV, demo_counts, load_demo
from anju.owners.models import Owner, OwnerEvent, OwnerSearchKey, Ownership
from anju.owners.selectors import search_owners
from anju.properties.models import Project, Unit
from anju.security.models import User

OWNERS = 60
PASSWORD = "demo-test-password"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One `manage.py load_demo` for the whole module, rolled back at its end.

    Like Django's setUpTestData: each test runs in a savepoint on top of the load.
    """
    out = StringIO()
    with (
        django_db_blocker.unblock(),
        mock.patch.dict(os.environ, {PASSWORD_ENV: PASSWORD}),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        call_command("load_demo", "--owners", str(OWNERS), "--seed", "7", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded: str, db: Any) -> dict[str, int]:
    """The loaded demo's counts; the test itself runs in its own savepoint."""
    return demo_counts()


def _totals() -> dict[str, int]:
    return {
        "projects": Project.objects.count(),
        "units": Unit.objects.count(),
        "owners": Owner.objects.count(),
        "ownerships": Ownership.objects.count(),
        "users": User.objects.count(),
        "changes": ChangeLog.objects.count(),
        "events": OwnerEvent.objects.count(),
    }


def test_demo_loads_the_registry_and_owner_files(demo: dict[str, int]) -> None:
    # then
    assert demo["projects"] == 3
    assert demo["buildings"] == 40
    assert 3800 <= demo["units"] <= 4200
    assert demo["owners"] == OWNERS
    assert demo["co_owned_units"] > 0
    assert demo["companies"] >= 1
    # every file is complete, as the services make it
    owners = Owner.objects.all()
    assert not owners.filter(id_number_index__isnull=True).exists()
    assert not owners.filter(phones__isnull=True).exists()
    assert OwnerSearchKey.objects.values("owner").distinct().count() == OWNERS
    assert OwnerEvent.objects.filter(kind=OwnerEvent.Kind.CREATED).count() == OWNERS
    assert ChangeLog.objects.filter(object_repr="张三").exists()


def test_co_owners_share_a_unit_half_and_half(demo: dict[str, int]) -> None:
    # when
    unit = Unit.objects.filter(ownerships__share=50).first()
    # then
    assert unit is not None
    shares = sorted(o.share for o in unit.ownerships.all())
    assert [str(s) for s in shares] == ["50.00", "50.00"]


def test_purchase_dates_follow_the_phase(demo: dict[str, int]) -> None:
    # given
    today = timezone.localdate()
    ownerships = Ownership.objects.select_related("unit")
    # then
    for ownership in ownerships:
        dates = [ownership.subscription_date, ownership.contract_date, ownership.handover_date]
        known = [d for d in dates if d is not None]
        assert known == sorted(known) and known[-1] <= today
        delivery = ownership.unit.delivery_date
        if ownership.handover_date is not None:
            assert delivery is not None and ownership.handover_date >= delivery
        if delivery is not None and delivery > today:
            assert ownership.status != Ownership.Status.HANDED_OVER
    assert ownerships.filter(unit__delivery_date__gt=today).exists()  # 准业主 among them


def test_front_desk_finds_zhang_san_by_initials(demo: dict[str, int]) -> None:
    # given
    front_desk = User.objects.get(username="frontdesk")
    # when
    result = search_owners(front_desk, "zs")
    # then
    zhang = next(owner for owner in result.owners if owner.name == "张三")
    assert [o.unit.code for o in zhang.ownerships.all()] == ["3-2-1801"]
    assert zhang.id_number_masked == "110***********005X"


def test_sales_consultant_sees_only_the_first_project(demo: dict[str, int]) -> None:
    # given
    sales = User.objects.get(username="sales")
    first = Project.objects.get(code=DEMO_CODES[0])
    # when
    projects = list(Project.objects.visible_to(sales))
    units = Unit.objects.visible_to(sales)
    owners = Owner.objects.visible_to(sales)
    # then
    assert projects == [first]
    assert not units.exclude(project=first).exists()
    assert 0 < owners.count() < Owner.objects.count()
    assert "张三" in [o.name for o in search_owners(sales, "zhangsan").owners]


def test_every_role_has_a_login_with_the_demo_password(demo: dict[str, int]) -> None:
    # when
    result = load_demo(password=PASSWORD)
    # then
    usernames = [login.username for login in result.logins]
    assert usernames == [
        "admin",
        "manager",
        "frontdesk",
        "service",
        "sales",
        "supervisor",
        "auditor",
    ]
    admin = User.objects.get(username="admin")
    assert not admin.is_superuser
    assert admin.groups.filter(name="administrator").exists()
    assert all(User.objects.get(username=name).check_password(PASSWORD) for name in usernames)


def test_loading_twice_duplicates_nothing(demo: dict[str, int]) -> None:
    # given
    before = _totals()
    # when
    again = load_demo(owners=OWNERS, seed=7, password=PASSWORD)
    # then
    assert not again.created
    assert _totals() == before
    assert again.counts == demo
    assert [login.password for login in again.logins] == [PASSWORD] * 7


def test_a_changed_password_is_kept_unless_reset(demo: dict[str, int]) -> None:
    # given
    sales = User.objects.get(username="sales")
    sales.set_password("my-own-password")
    sales.save()
    # when
    kept = load_demo(password=PASSWORD)
    reset = load_demo(password=PASSWORD, reset_passwords=True)
    # then
    assert next(x for x in kept.logins if x.username == "sales").password == ""
    assert next(x for x in reset.logins if x.username == "sales").password == PASSWORD
    sales.refresh_from_db()
    assert sales.check_password(PASSWORD)


def test_command_prints_the_logins(loaded: str) -> None:
    # then
    assert "Demo data loaded" in loaded
    assert "frontdesk" in loaded
    assert PASSWORD in loaded
    assert "http://127.0.0.1:8000" in loaded
