"""visible_project_ids: who sees which projects."""

from django.contrib.auth.models import AnonymousUser

from anju.core.testing.factories import UnitFactory
from anju.properties.models import Project, Unit
from anju.security.scoping import forget_project_ids, visible_project_ids


def test_anonymous_sees_no_project(db):
    # given an anonymous visitor / when asked / then the empty set
    assert visible_project_ids(AnonymousUser()) == frozenset()


def test_superuser_sees_every_project(make_user, project):
    # given a superuser without any assignment
    user = make_user(is_superuser=True)
    # then None means "all projects"
    assert visible_project_ids(user) is None


def test_all_projects_permission_sees_every_project(make_user, project):
    # given an auditor (whose role holds security.access_all_projects)
    user = make_user("auditor")
    # then None
    assert visible_project_ids(user) is None


def test_assigned_user_sees_their_projects_only(make_user, project, other_project):
    # given a front-desk user assigned to one project
    user = make_user("front_desk", projects=[project])
    # then only that id
    assert visible_project_ids(user) == frozenset({project.pk})
    assert list(Project.objects.visible_to(user)) == [project]


def test_unassigned_user_sees_nothing(make_user, project):
    # given a role without all-projects access and no assignment
    user = make_user("manager")
    # then the empty set, and scoped querysets are empty
    assert visible_project_ids(user) == frozenset()
    assert not Project.objects.visible_to(user).exists()


def test_scoped_queryset_filters_by_project(make_user, project, other_project):
    # given units in two projects and a user of the first
    mine = UnitFactory(building__phase__project=project)
    UnitFactory(building__phase__project=other_project)
    user = make_user("front_desk", projects=[project])
    # then only the first project's unit is visible
    assert list(Unit.objects.visible_to(user)) == [mine]


def test_result_is_cached_until_forgotten(
    make_user, project, other_project, django_assert_num_queries
):
    # given a user whose ids were computed once
    user = make_user("front_desk", projects=[project])
    visible_project_ids(user)
    # when asked again / then no query
    with django_assert_num_queries(0):
        assert visible_project_ids(user) == frozenset({project.pk})
    # when the assignment changes and the cache is dropped / then the new ids show
    user.projects.add(other_project)
    forget_project_ids(user)
    assert visible_project_ids(user) == frozenset({project.pk, other_project.pk})
