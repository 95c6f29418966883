"""The one-statement look-up of a new request's links answers as the ORM's scoping does."""

from datetime import date

import pytest

from anju.core.testing.factories import UnitFactory, make_owner
from anju.owners.models import Owner
from anju.owners.services import ownership_create
from anju.security.scoping import visible_project_ids
from anju.servicedesk.services.intake_links import read_links


@pytest.fixture
def elsewhere(other_project):
    return UnitFactory(building__phase__project=other_project, building__project=other_project)


@pytest.fixture
def owners(project, other_project, unit, elsewhere):
    """Registered here; registered elsewhere but owning a unit here; only elsewhere."""
    here = make_owner(project, name="本项目业主")
    buyer = make_owner(other_project, name="外项目购房人")
    ownership_create(
        actor=None,
        owner=buyer,
        unit=unit,
        share=100,
        status="contracted",
        contract_date=date(2024, 3, 1),
    )
    stranger = make_owner(other_project, name="外项目业主")
    return {"here": here, "owns_here": buyer, "stranger": stranger}


@pytest.mark.parametrize("who", ["desk", "admin"])
@pytest.mark.parametrize("kind", ["here", "owns_here", "stranger", "missing"])
def test_the_owner_is_found_exactly_when_they_belong_to_the_project(
    make_user, project, owners, unit, who, kind
):
    # given a front desk of one project, or a user of every project
    actor = (
        make_user("front_desk", projects=[project]) if who == "desk" else make_user("administrator")
    )
    owner_id = owners[kind].pk if kind in owners else 10**9
    # when
    links = read_links(actor, project_id=project.pk, unit_id=unit.pk, owner_id=owner_id)
    # then
    in_scope = (
        Owner.objects.visible_to(actor).filter(pk=owner_id, project_links__project=project).exists()
    )
    assert (links.owner is not None) == in_scope
    # and both readers give the rule itself: the two owners of this project, nobody else,
    # even for a user of every project (the order's people see its owner)
    assert in_scope == (kind in ("here", "owns_here"))
    if links.owner is not None:
        assert (links.owner.pk, links.owner.name) == (owner_id, owners[kind].name)


def test_the_unit_comes_with_its_building_only_in_its_project(
    make_user, project, other_project, unit, elsewhere, django_assert_num_queries
):
    actor = make_user("front_desk", projects=[project])
    actor.get_all_permissions()  # loaded by the API's permission check before the create
    # when the unit is in the project
    with django_assert_num_queries(1):
        links = read_links(actor, project_id=project.pk, unit_id=unit.pk, owner_id=None)
        # then its code and building (phase, number) are read without another query
        assert links.unit is not None and links.unit.code == unit.code
        assert links.unit.building.phase_id == unit.building.phase_id
        assert links.unit.building.number == unit.building.number
    # when the unit is in another project, it is not found
    other = read_links(actor, project_id=project.pk, unit_id=elsewhere.pk, owner_id=None)
    assert other.unit is None


def test_a_field_not_read_loads_when_touched(make_user, project, unit):
    actor = make_user("front_desk", projects=[project])
    links = read_links(actor, project_id=project.pk, unit_id=unit.pk, owner_id=None)
    assert links.unit is not None and links.unit.floor == unit.floor


@pytest.mark.parametrize("who", ["desk", "admin"])
def test_the_project_is_visible_as_the_assignments_say(make_user, project, other_project, who):
    actor = (
        make_user("front_desk", projects=[project]) if who == "desk" else make_user("administrator")
    )
    for candidate in (project, other_project):
        links = read_links(actor, project_id=candidate.pk, unit_id=None, owner_id=None)
        ids = visible_project_ids(actor)
        assert links.project_visible == (ids is None or candidate.pk in ids)
    assert not read_links(actor, project_id=10**9, unit_id=None, owner_id=None).project_visible
