"""OwnerProject holds exactly the projects an owner belongs to, through every write path,
and the scope of owner files reads it."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.core.testing.factories import make_owner
from anju.owners import reach
from anju.owners.inputs import OwnerInput
from anju.owners.models import Owner, OwnerProject, Ownership
from anju.owners.reach import link_owner_projects, relink_all_owner_projects
from anju.owners.services import owner_update, ownership_create
from anju.owners.tests.conftest import as_user

pytestmark = pytest.mark.django_db


def reached(owner: Owner) -> set[int]:
    return set(OwnerProject.objects.filter(owner=owner).values_list("project_id", flat=True))


def by_the_rule(owner: Owner) -> set[int]:
    """Registered in, or holding or having held a unit in: the rule, read from its sources."""
    units = Ownership.objects.filter(owner=owner).values_list("unit__project_id", flat=True)
    return {owner.project_id, *units}


def move(owner: Owner, project) -> Owner:
    """owner_update with the same data but the registered project."""
    data = OwnerInput(
        project_id=project.pk,
        name=owner.name,
        kind=owner.kind,
        gender=owner.gender,
        birth_date=owner.birth_date,
        id_type=owner.id_type,
        id_number="",  # blank keeps the stored number
    )
    return owner_update(actor=None, owner=owner, data=data, today=date(2026, 11, 22))


def test_a_new_owner_belongs_to_the_project_it_is_registered_in(project):
    owner = make_owner(project)
    assert reached(owner) == {project.pk}


def test_a_unit_elsewhere_makes_the_owner_that_projects_too(
    client, project, other_project, make_unit, stranger
):
    # given an owner of the project, unseen by the other project's front desk
    owner = make_owner(project, name="王五")
    assert "王五" not in as_user(client, stranger).get("/owners/").content.decode()
    # when the owner buys a unit in the other project
    ownership_create(actor=None, owner=owner, unit=make_unit(other_project, "1-1-0101"))
    # then the owner belongs to both, and that front desk sees the file
    assert reached(owner) == {project.pk, other_project.pk} == by_the_rule(owner)
    assert "王五" in client.get("/owners/").content.decode()


def test_moving_the_file_keeps_a_project_only_while_a_unit_is_there(
    project, other_project, make_unit
):
    # given an owner registered in the project, holding a unit there
    owner = make_owner(project)
    ownership_create(actor=None, owner=owner, unit=make_unit(project, "2-1-0101"))
    # when the file moves to the other project, the unit keeps the first one
    owner = move(owner, other_project)
    assert reached(owner) == {project.pk, other_project.pk} == by_the_rule(owner)
    # and an owner without a unit leaves its old project entirely
    lone = move(make_owner(project, name="孤单"), other_project)
    assert reached(lone) == {other_project.pk} == by_the_rule(lone)


def test_a_moved_file_leaves_the_old_projects_list(client, project, other_project, desk):
    # given a file the project's front desk sees
    owner = make_owner(project, name="搬走")
    assert "搬走" in as_user(client, desk).get("/owners/").content.decode()
    # when it moves to the other project, then the front desk no longer finds it
    move(owner, other_project)
    assert "搬走" not in client.get("/owners/").content.decode()
    assert client.get(f"/owners/{owner.pk}/").status_code == 404


def test_an_edit_that_keeps_the_project_leaves_the_pairs_alone(project):
    # given
    owner = make_owner(project)
    # when the file is saved again in the same project, no pair is read or written
    with CaptureQueriesContext(connection) as captured:
        move(owner, project)
    assert not [q for q in captured.captured_queries if "ownerproject" in q["sql"]]
    assert reached(owner) == {project.pk}


def test_linking_again_repairs_missing_and_stale_pairs(project, other_project, make_unit):
    # given an owner whose pairs were damaged by hand
    owner = make_owner(project)
    ownership_create(actor=None, owner=owner, unit=make_unit(other_project, "1-1-0101"))
    OwnerProject.objects.filter(owner=owner, project=project).delete()
    third = type(project).objects.create(code="P3", name="第三项目")
    OwnerProject.objects.create(owner=owner, project=third)
    # when
    link_owner_projects([owner.pk])
    # then
    assert reached(owner) == {project.pk, other_project.pk}


def test_linking_many_owners_goes_round_by_round(project, other_project, make_unit, monkeypatch):
    # given three owners, rounds of two, and every pair lost
    monkeypatch.setattr(reach, "_ROUND", 2)
    owners = [make_owner(project) for _ in range(3)]
    ownership_create(actor=None, owner=owners[2], unit=make_unit(other_project, "1-1-0101"))
    OwnerProject.objects.all().delete()
    # when
    link_owner_projects(owner.pk for owner in owners)
    # then every round linked its owners
    assert [reached(owner) for owner in owners] == [by_the_rule(owner) for owner in owners]
    assert reached(owners[2]) == {project.pk, other_project.pk}


def test_the_full_rebuild_matches_the_rule(project, other_project, make_unit):
    # given owners with units in one, both or none of the projects, and an ended ownership
    owners = [make_owner(project) for _ in range(3)]
    ownership_create(actor=None, owner=owners[0], unit=make_unit(project, "1-1-0101"))
    ownership_create(actor=None, owner=owners[1], unit=make_unit(other_project, "1-1-0201"))
    ended = ownership_create(actor=None, owner=owners[2], unit=make_unit(other_project, "1-1-0301"))
    Ownership.objects.filter(pk=ended.pk).update(status=Ownership.Status.TRANSFERRED)
    OwnerProject.objects.all().delete()
    # when
    relink_all_owner_projects()
    # then every owner's pairs are the rule's, the ended ownership's project included
    for owner in owners:
        assert reached(owner) == by_the_rule(owner)
    assert reached(owners[2]) == {project.pk, other_project.pk}


def test_the_command_rebuilds_the_pairs(project, other_project, make_unit):
    # given an owner whose pairs were all lost
    owner = make_owner(project)
    ownership_create(actor=None, owner=owner, unit=make_unit(other_project, "1-1-0101"))
    OwnerProject.objects.all().delete()
    # when
    out = StringIO()
    call_command("relink_owner_projects", stdout=out)
    # then
    assert reached(owner) == {project.pk, other_project.pk}
    assert out.getvalue().startswith("2 ")
