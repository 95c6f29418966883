"""The stage filter (SQL over handover dates) agrees with lifecycle.owner_stage (Python)."""

import itertools
import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from anju.core.testing.factories import make_owner
from anju.owners.filters import OwnerFilter
from anju.owners.lifecycle import owner_stage
from anju.owners.models import Owner, Ownership
from anju.owners.rules.lifecycle import Stage, add_months
from anju.owners.selectors import owner_list_queryset
from anju.owners.services import ownership_create

_codes = itertools.count(1)


@pytest.fixture
def desk(project, make_user):
    return make_user("front_desk", projects=[project])


@pytest.fixture
def add_owner(project, make_unit):
    def add(handovers: list[date | None], status: str = "handed_over") -> Owner:
        owner = make_owner(project)
        for handover in handovers:
            unit = make_unit(project, f"1-1-{next(_codes):04d}")
            ownership_create(
                actor=None,
                owner=owner,
                unit=unit,
                handover_date=handover,
                status=status if handover else "contracted",
            )
        return owner

    return add


def filtered(user, stage: str) -> set[int]:
    filterset = OwnerFilter({"stage": stage}, queryset=owner_list_queryset(user), user=user)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def expected(stage: Stage) -> set[int]:
    today = timezone.localdate()
    owners = Owner.objects.prefetch_related("ownerships")
    return {
        owner.pk
        for owner in owners
        if owner_stage(
            [o.handover_date for o in owner.ownerships.all() if o.status not in Ownership.ENDED],
            today=today,
        )
        == stage
    }


def boundary_cases(today: date) -> list[list[date | None]]:
    day = timedelta(days=1)
    cases: list[list[date | None]] = [[None], [today + day], [today], [today - day]]
    for months in (12, 24):
        edge = add_months(today, -months)
        cases += [[edge], [edge + day], [edge - day]]
    cases += [
        [add_months(today, -60), today - 10 * day],  # the latest handover counts
        [add_months(today, -60), None],  # a unit still to come does not make it prospective
        [None, today + 30 * day],
        [add_months(today, -30), add_months(today, -13)],
    ]
    return cases


def test_stage_filter_agrees_with_owner_stage_on_boundaries(desk, add_owner):
    # given
    today = timezone.localdate()
    owners = [add_owner(case) for case in boundary_cases(today)]
    # when / then
    for stage in Stage:
        assert filtered(desk, stage.value) == expected(stage), stage
    # and every owner with a unit has exactly one stage
    stages = [filtered(desk, stage.value) for stage in Stage]
    assert sorted(itertools.chain.from_iterable(stages)) == sorted(o.pk for o in owners)


def test_stage_filter_agrees_on_random_dates(desk, add_owner):
    # given
    today = timezone.localdate()
    rng = random.Random(20261122)
    for _ in range(25):
        handovers = [
            None if rng.random() < 0.2 else today + timedelta(days=rng.randint(-1500, 200))
            for _ in range(rng.randint(1, 3))
        ]
        add_owner(handovers)
    # when / then
    for stage in Stage:
        assert filtered(desk, stage.value) == expected(stage), stage


def test_owners_without_active_units_have_no_stage(desk, add_owner, project):
    # given
    make_owner(project)  # no unit at all
    ended = add_owner([date(2020, 1, 1)], status="cancelled")
    # when / then
    for stage in Stage:
        assert ended.pk not in filtered(desk, stage.value)
    assert all(not filtered(desk, stage.value) for stage in Stage)
