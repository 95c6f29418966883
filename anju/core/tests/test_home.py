"""The home page: a dashboard of the user's projects, quick links and the search box."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.core.testing.factories import (
    BuildingFactory,
    ProjectFactory,
    UnitFactory,
    make_owner,
)
from anju.core.views import project_summaries
from anju.owners.models import Ownership
from anju.owners.rules.lifecycle import Stage
from anju.owners.services import ownership_create


def _own(owner, unit, handover=None, share=100):
    status = Ownership.Status.HANDED_OVER if handover else Ownership.Status.CONTRACTED
    return ownership_create(
        actor=None,
        owner=owner,
        unit=unit,
        share=Decimal(share),
        status=status,
        handover_date=handover,
    )


@pytest.fixture
def registry(project, other_project):
    """Two buildings and four units in `project`; one handed-over unit elsewhere.

    Owners of `project`: A running-in (latest handover 30 days ago, an older one too),
    B stable (18 months), C prospective (not handed over), D long-standing (4 years,
    co-owner of A's unit).
    """
    today = timezone.localdate()
    b1 = BuildingFactory(phase__project=project)
    b2 = BuildingFactory(phase=b1.phase)
    u1, u2, u3 = (UnitFactory(building=b1) for _ in range(3))
    u4 = UnitFactory(building=b2)
    a, b, c, d = (make_owner(project) for _ in range(4))
    _own(a, u1, today - timedelta(days=30), share=50)
    _own(d, u1, today - timedelta(days=4 * 365), share=50)
    _own(a, u2, today - timedelta(days=3 * 365))
    _own(b, u3, today - timedelta(days=545))
    _own(c, u4)
    elsewhere = UnitFactory(building__phase__project=other_project)
    _own(make_owner(other_project), elsewhere, today - timedelta(days=10))
    return project


def _row(summaries, project):
    return next(s for s in summaries if s.project == project)


def test_summary_counts_and_stage_distribution(registry, other_project, make_user):
    # given the registry above and a user who sees every project
    user = make_user("administrator")
    # when the summaries are computed
    summaries = project_summaries(user, today=timezone.localdate())
    # then each project has its own figures
    row = _row(summaries, registry)
    assert (row.buildings, row.units, row.units_handed_over, row.owners) == (2, 4, 3, 4)
    assert {s.stage: s.count for s in row.stages} == {
        Stage.PROSPECTIVE: 1,
        Stage.RUNNING_IN: 1,
        Stage.STABLE: 1,
        Stage.OLD: 1,
    }
    assert [s.percent for s in row.stages] == [25, 25, 25, 25]
    other = _row(summaries, other_project)
    assert (other.buildings, other.units, other.units_handed_over, other.owners) == (1, 1, 1, 1)


def test_ended_ownerships_do_not_count(project, make_user):
    # given a unit whose only ownership was cancelled
    from anju.owners.services import ownership_update

    unit = UnitFactory(building__phase__project=project)
    ownership = _own(make_owner(project), unit, timezone.localdate() - timedelta(days=5))
    ownership_update(actor=None, ownership=ownership, status=Ownership.Status.CANCELLED)
    # then neither the owner nor the handover counts
    row = _row(project_summaries(make_user("administrator"), today=timezone.localdate()), project)
    assert (row.units, row.units_handed_over, row.owners) == (1, 0, 0)


def test_front_desk_sees_only_their_project(client, registry, other_project, make_user):
    # given a front-desk user of one project
    client.force_login(make_user("front_desk", projects=[registry]))
    # when they open the home page
    response = client.get(reverse("home"))
    # then their project's row is there, the other project's is not
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-project="{registry.code}"' in html
    assert f'data-project="{other_project.code}"' not in html
    assert 'data-figure="owners">4<' in html
    assert 'id="figures-as-of"' in html


def test_home_shows_the_search_box_and_links_by_role(client, project, make_user):
    # given a front-desk user
    client.force_login(make_user("front_desk", projects=[project]))
    html = client.get(reverse("home")).content.decode()
    # then the big search box uses the quick search, and owner links show
    assert 'id="home-search"' in html
    assert f'hx-get="{reverse("owners:quick_search")}"' in html
    assert reverse("owners:list") in html
    # but not the administrator's links
    assert reverse("security:user_list") not in html


def test_auditor_home_has_audit_links_and_no_dashboard(client, project, make_user):
    # given an auditor (no registry or owner permission)
    client.force_login(make_user("auditor"))
    html = client.get(reverse("home")).content.decode()
    # then the access-log link shows, the search box and dashboard do not
    assert reverse("audit:access_log") in html
    assert 'id="home-search"' not in html
    assert 'id="dashboard"' not in html


def test_unassigned_user_is_told_so(client, db, make_user):
    client.force_login(make_user("front_desk"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="no-projects"' in html


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_login_and_logout_routes(client, make_user, project):
    # given a user / when they sign in through the login form
    make_user("front_desk", projects=[project], username="desk")
    from anju.core.testing.fixtures import PASSWORD

    response = client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    # then they land on the home page, and signing out goes back to login
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_query_count_is_constant_in_the_number_of_projects(
    client, make_user, django_assert_num_queries
):
    # given a manager of one project with some data
    def populate(project):
        unit = UnitFactory(building__phase__project=project)
        _own(make_owner(project), unit, timezone.localdate() - timedelta(days=40))

    first = ProjectFactory()
    populate(first)
    user = make_user("manager", projects=[first])
    client.force_login(user)
    with django_assert_num_queries(8):
        client.get(reverse("home"))
    # then, its owner figures being cached, the next visit does not count them again
    with django_assert_num_queries(7):
        client.get(reverse("home"))
    # when they are assigned to four more projects / then one count for the four
    for _ in range(4):
        project = ProjectFactory()
        populate(project)
        user.projects.add(project)
    response = None
    with django_assert_num_queries(8):
        response = client.get(reverse("home"))
    assert response.content.decode().count("data-project=") == 5


def test_owner_figures_are_counted_once_per_period(registry, make_user, settings):
    # given the dashboard counted by an administrator
    user = make_user("administrator")
    today = timezone.localdate()
    first = _row(project_summaries(user, today=today), registry)
    # when another owner takes a unit of the project meanwhile
    unit = UnitFactory(building__phase__project=registry)
    _own(make_owner(registry), unit, today - timedelta(days=1))
    # then, within ANJU_DASHBOARD_CACHE_SECONDS, the figures are the ones counted, and when
    again = _row(project_summaries(user, today=today), registry)
    assert (again.owners, again.as_of) == (first.owners, first.as_of) == (4, first.as_of)
    assert first.as_of is not None and first.as_of <= timezone.now()
    # and without the cache they are counted on every visit
    settings.ANJU_DASHBOARD_CACHE_SECONDS = 0
    assert _row(project_summaries(user, today=today), registry).owners == 5


def test_error_pages_render(rf, db):
    # given the error templates / when rendered the way Django's handlers do
    from django.contrib.auth.models import AnonymousUser
    from django.template import loader

    request = rf.get("/missing/")
    request.user = AnonymousUser()
    assert "404" in loader.render_to_string("404.html", request=request)
    assert "403" in loader.render_to_string("403.html", request=request)
    # then 500 needs no context at all
    assert "500" in loader.get_template("500.html").render()


def test_out_of_scope_404_page_is_the_friendly_one(client, make_user, project, settings):
    # given DEBUG off / when a missing page is requested
    settings.DEBUG = False
    client.force_login(make_user("front_desk", projects=[project]))
    response = client.get("/no-such-page/")
    # then the console's own 404 page is shown
    assert response.status_code == 404
    assert 'id="error-404"' in response.content.decode()
