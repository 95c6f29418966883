"""Registry pages: permissions, scoping, htmx partials, pinned query counts, forms."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from anju.core.testing.factories import (
    BuildingFactory,
    LayoutFactory,
    PhaseFactory,
    ProjectFactory,
    UnitFactory,
    make_owner,
)
from anju.owners.services import ownership_create
from anju.properties.models import Phase, Project, Unit
from anju.properties.tests.factories import CLERK_PERMS, Tree, grant, make_tree

pytestmark = pytest.mark.django_db

# (url name, attribute of the tree whose pk the url takes, or None)
VIEW_PAGES = [
    ("project_list", None, "view_project"),
    ("project_detail", "project", "view_project"),
    ("building_detail", "building", "view_building"),
    ("unit_list", None, "view_unit"),
    ("unit_detail", "unit", "view_unit"),
]
EDIT_PAGES = [
    ("project_create", None),
    ("project_edit", "project"),
    ("phase_create", None),
    ("phase_edit", "phase"),
    ("layout_create", None),
    ("layout_edit", "layout"),
    ("building_create", None),
    ("building_edit", "building"),
    ("unit_create", None),
    ("unit_edit", "unit"),
]
OBJECT_PAGES = [(name, attr) for name, attr, _ in VIEW_PAGES if attr] + [
    (name, attr) for name, attr in EDIT_PAGES if attr
]


def url(tree: Tree, name: str, attr: str | None) -> str:
    args = [getattr(tree, attr).pk] if attr else []
    return reverse(f"properties:{name}", args=args)


@pytest.fixture
def tree(project: Project) -> Tree:
    return make_tree(project)


@pytest.fixture
def other_tree(other_project: Project) -> Tree:
    return make_tree(other_project)


@pytest.fixture
def login(client: Client) -> Callable[[Any], Client]:
    def sign_in(user: Any) -> Client:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def clerk(make_user: Any, project: Project) -> Any:
    """May view and edit the registry of `project` only."""
    return grant(make_user(None, projects=[project]), *CLERK_PERMS)


# --- permissions and scoping -------------------------------------------------------------


@pytest.mark.parametrize(("name", "attr"), [(n, a) for n, a, _ in VIEW_PAGES] + EDIT_PAGES)
def test_anonymous_is_sent_to_login(client: Client, tree: Tree, name: str, attr: str) -> None:
    # when
    response = client.get(url(tree, name, attr))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "attr"), [(n, a) for n, a, _ in VIEW_PAGES] + EDIT_PAGES)
def test_without_permission_is_forbidden(
    login: Any, make_user: Any, tree: Tree, name: str, attr: str
) -> None:
    # given
    client = login(make_user(None, projects=[tree.project]))

    # when
    response = client.get(url(tree, name, attr))

    # then
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "attr", "_perm"), VIEW_PAGES)
def test_front_desk_sees_the_registry(
    login: Any, make_user: Any, tree: Tree, name: str, attr: str, _perm: str
) -> None:
    # given
    client = login(make_user("front_desk", projects=[tree.project]))

    # when
    response = client.get(url(tree, name, attr))

    # then
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "attr"), EDIT_PAGES)
def test_front_desk_cannot_edit(
    login: Any, make_user: Any, tree: Tree, name: str, attr: str
) -> None:
    # given
    client = login(make_user("front_desk", projects=[tree.project]))

    # when
    response = client.get(url(tree, name, attr))

    # then
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "attr"), [p for p in EDIT_PAGES if p[0] != "project_create"])
def test_clerk_opens_the_forms(login: Any, clerk: Any, tree: Tree, name: str, attr: str) -> None:
    # when
    response = login(clerk).get(url(tree, name, attr))

    # then
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content


@pytest.mark.parametrize(("name", "attr"), OBJECT_PAGES)
def test_another_projects_objects_are_not_found(
    login: Any, clerk: Any, tree: Tree, other_tree: Tree, name: str, attr: str
) -> None:
    # when
    response = login(clerk).get(url(other_tree, name, attr))

    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "shown", "hidden"),
    [
        ("project_list", lambda t: t.project.name, lambda t: t.project.name),
        ("unit_list", lambda t: t.unit.code + "<", lambda t: f"/units/{t.unit.pk}/"),
    ],
)
def test_lists_leave_out_other_projects(
    login: Any, clerk: Any, tree: Tree, other_tree: Tree, name: str, shown: Any, hidden: Any
) -> None:
    # when
    response = login(clerk).get(reverse(f"properties:{name}"))

    # then
    html = response.content.decode()
    assert shown(tree) in html
    assert hidden(other_tree) not in html


def test_form_choices_are_limited_to_visible_objects(
    login: Any, clerk: Any, tree: Tree, other_tree: Tree
) -> None:
    # when
    response = login(clerk).get(reverse("properties:unit_create"))

    # then
    form = response.context["form"]
    assert list(form.fields["building"].queryset) == [tree.building]
    assert list(form.fields["layout"].queryset) == [tree.layout]


def test_administrator_creates_a_project(login: Any, make_user: Any) -> None:
    # given
    client = login(make_user("administrator"))

    # when
    response = client.post(
        reverse("properties:project_create"), {"code": "lake", "name": "湖畔", "city": "杭州"}
    )

    # then
    project = Project.objects.get(code="lake")
    assert response.status_code == 302
    assert response["Location"] == reverse("properties:project_detail", args=[project.pk])


# --- htmx and query counts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "attr"),
    [
        ("project_list", None),
        ("unit_list", None),
        ("project_detail", "project"),
        ("building_detail", "building"),
    ],
)
def test_htmx_gets_the_table_only(login: Any, clerk: Any, tree: Tree, name: str, attr: str) -> None:
    # when
    response = login(clerk).get(url(tree, name, attr), HTTP_HX_REQUEST="true")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<table" in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_unit_list_filters(login: Any, clerk: Any, tree: Tree) -> None:
    # given
    high = UnitFactory(building=tree.building, entrance="2", room="2501", floor=25)

    # when
    response = login(clerk).get(
        reverse("properties:unit_list"),
        {"q": f"{tree.building.number}-2-", "floor_min": 20, "project": tree.project.pk},
        HTTP_HX_REQUEST="true",
    )

    # then
    assert [u.pk for u in response.context["table"].data] == [high.pk]


def _grow(tree: Tree, user: Any, rows: int) -> None:
    """Add rows to every list a page shows: projects, buildings, units, phases, layouts."""
    for _ in range(rows):
        user.projects.add(make_tree(ProjectFactory()).project)
        BuildingFactory(phase=tree.phase)
        UnitFactory(building=tree.building, layout=tree.layout)
        PhaseFactory(project=tree.project)
        LayoutFactory(project=tree.project)


@pytest.mark.parametrize(
    ("name", "attr", "queries"),
    [
        ("project_list", None, 8),
        ("unit_list", None, 12),
        ("project_detail", "project", 11),
        ("building_detail", "building", 9),
    ],
)
def test_list_pages_have_a_fixed_query_count(
    login: Any,
    clerk: Any,
    tree: Tree,
    django_assert_num_queries: Any,
    name: str,
    attr: str,
    queries: int,
) -> None:
    # given
    client = login(clerk)
    page = url(tree, name, attr)
    _grow(tree, clerk, 1)

    # when / then: the same count with 2 rows and with 10
    with django_assert_num_queries(queries):
        client.get(page)
    _grow(tree, clerk, 8)
    with django_assert_num_queries(queries):
        response = client.get(page)
    assert len(response.context["table"].rows) >= 10


# --- forms call the services ---------------------------------------------------------


def test_unit_create_form_derives_the_code(login: Any, clerk: Any, tree: Tree) -> None:
    # when
    response = login(clerk).post(
        reverse("properties:unit_create"),
        {
            "building": tree.building.pk,
            "entrance": "2",
            "room": "1801",
            "floor": 18,
            "building_area": "120.5",
            "delivery_date": "2025-06-30",
        },
    )

    # then
    unit = Unit.objects.get(code=f"{tree.building.number}-2-1801")
    assert response["Location"] == reverse("properties:unit_detail", args=[unit.pk])
    assert unit.warranty_start == date(2025, 6, 30)


def test_service_errors_show_on_their_fields(login: Any, clerk: Any, tree: Tree) -> None:
    # when
    response = login(clerk).post(
        reverse("properties:unit_edit", args=[tree.unit.pk]),
        {"building": tree.building.pk, "entrance": "1", "room": "9901", "floor": 99},
    )

    # then
    assert response.status_code == 200
    assert response.context["form"].has_error("floor", "floor_out_of_range")
    tree.unit.refresh_from_db()
    assert tree.unit.floor != 99


def test_editing_the_delivery_date_moves_a_warranty_that_followed_it(
    login: Any, clerk: Any, tree: Tree
) -> None:
    # given: delivered and under warranty since 2024-06-30
    unit = tree.unit
    form = {
        "building": unit.building_id,
        "entrance": unit.entrance,
        "room": unit.room,
        "floor": unit.floor,
        "layout": unit.layout_id,
        "building_area": unit.building_area,
        "delivery_date": "2024-08-01",
        "warranty_start": "2024-06-30",
    }

    # when
    response = login(clerk).post(reverse("properties:unit_edit", args=[unit.pk]), form)

    # then
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.delivery_date, unit.warranty_start) == (date(2024, 8, 1), date(2024, 8, 1))


def test_a_foreign_project_is_not_a_choice(
    login: Any, clerk: Any, tree: Tree, other_project: Project
) -> None:
    # when
    response = login(clerk).post(
        reverse("properties:phase_create"),
        {"project": other_project.pk, "name": "三期", "sort_order": 3},
    )

    # then
    assert response.context["form"].has_error("project", "invalid_choice")
    assert not Phase.objects.filter(name="三期").exists()


def test_unit_detail_lists_current_owners(login: Any, make_user: Any, tree: Tree) -> None:
    # given
    owner = make_owner(tree.project, name="张三")
    ownership_create(actor=None, owner=owner, unit=tree.unit, share=100)
    client = login(make_user("front_desk", projects=[tree.project]))

    # when
    response = client.get(reverse("properties:unit_detail", args=[tree.unit.pk]))

    # then
    html = response.content.decode()
    assert "张三" in html
    assert reverse("owners:detail", args=[owner.pk]) in html
