"""Registry API: permissions, scoping, service errors as JSON, pinned query counts."""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from anju.audit.models import ChangeLog
from anju.core.testing.factories import (
    BuildingFactory,
    LayoutFactory,
    PhaseFactory,
    ProjectFactory,
    UnitFactory,
)
from anju.properties.models import Building, Layout, Phase, Project, Unit
from anju.properties.tests.factories import CLERK_PERMS, Tree, grant, make_tree
from anju.security.models import User

pytestmark = pytest.mark.django_db

BASENAMES = ["project", "phase", "layout", "building", "unit"]


def list_url(basename: str) -> str:
    return reverse(f"{basename}-list")


def detail_url(basename: str, pk: int) -> str:
    return reverse(f"{basename}-detail", args=[pk])


def error_codes(response: Any) -> dict[str, list[str]]:
    body = response.json()
    assert body["code"] == "validation_error"
    return {field: [e["code"] for e in errors] for field, errors in body["errors"].items()}


@pytest.fixture
def tree(project: Project) -> Tree:
    return make_tree(project)


@pytest.fixture
def other_tree(other_project: Project) -> Tree:
    return make_tree(other_project)


@pytest.fixture
def clerk(make_user: Any, project: Project) -> Any:
    return grant(make_user(None, projects=[project]), *CLERK_PERMS)


@pytest.fixture
def clerk_api(api_client_for: Any, clerk: Any) -> Any:
    return api_client_for(clerk)


# --- permissions and scoping ---------------------------------------------------------


@pytest.mark.parametrize("basename", BASENAMES)
def test_anonymous_gets_401_json(client: Any, basename: str) -> None:
    # when
    response = client.get(list_url(basename))

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("basename", BASENAMES)
def test_without_view_permission_is_403(
    api_client_for: Any, make_user: Any, project: Project, basename: str
) -> None:
    # given
    api = api_client_for(make_user(None, projects=[project]))

    # when
    response = api.get(list_url(basename))

    # then
    assert response.status_code == 403


@pytest.mark.parametrize("basename", BASENAMES)
def test_lists_and_details_are_scoped(
    api_client_for: Any, make_user: Any, tree: Tree, other_tree: Tree, basename: str
) -> None:
    # given
    api = api_client_for(make_user("front_desk", projects=[tree.project]))
    mine, theirs = getattr(tree, basename), getattr(other_tree, basename)

    # when
    listed = api.get(list_url(basename))
    own = api.get(detail_url(basename, mine.pk))
    foreign = api.get(detail_url(basename, theirs.pk))

    # then
    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]
    assert own.status_code == 200
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "not_found"


def test_reading_is_not_writing(api_client_for: Any, make_user: Any, tree: Tree) -> None:
    # given
    api = api_client_for(make_user("front_desk", projects=[tree.project]))

    # when
    response = api.patch(detail_url("unit", tree.unit.pk), {"floor": 2}, format="json")

    # then
    assert response.status_code == 403


def test_there_is_no_delete(clerk: Any, api_client_for: Any, tree: Tree) -> None:
    # given: even the delete permission does not help
    api = api_client_for(grant(clerk, "properties.delete_unit"))

    # when
    response = api.delete(detail_url("unit", tree.unit.pk))

    # then
    assert response.status_code == 405
    assert Unit.objects.filter(pk=tree.unit.pk).exists()


def test_foreign_objects_cannot_be_updated(clerk_api: Any, tree: Tree, other_tree: Tree) -> None:
    # when
    response = clerk_api.patch(detail_url("unit", other_tree.unit.pk), {"floor": 2})

    # then
    assert response.status_code == 404


# --- create and update through the services --------------------------------------------


def test_unit_create_derives_code_project_and_warranty(clerk_api: Any, tree: Tree) -> None:
    # when
    response = clerk_api.post(
        list_url("unit"),
        {
            "building": tree.building.pk,
            "entrance": "2",
            "room": "1801",
            "floor": 18,
            "layout": tree.layout.pk,
            "building_area": "120.50",
            "delivery_date": "2025-06-30",
        },
        format="json",
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == f"{tree.building.number}-2-1801"
    assert body["project"] == tree.project.pk
    assert body["warranty_start"] == "2025-06-30"
    assert body["layout_name"] == tree.layout.name
    unit = Unit.objects.get(pk=body["id"])
    assert ChangeLog.objects.filter(action="create", object_id=str(unit.pk)).exists()


@pytest.mark.parametrize(
    ("basename", "payload"),
    [
        ("unit", lambda t: {"building": t.building.pk, "room": "101", "floor": 1}),
        ("unit", lambda t: {"building": 0, "room": "101", "floor": 1}),
        ("building", lambda t: {"phase": t.phase.pk, "number": "88"}),
        ("phase", lambda t: {"project": t.project.pk, "name": "九期"}),
        ("layout", lambda t: {"project": t.project.pk, "name": "Z9"}),
    ],
)
def test_foreign_keys_outside_your_projects_do_not_exist(
    clerk_api: Any, tree: Tree, other_tree: Tree, basename: str, payload: Any
) -> None:
    # given
    model = {"unit": Unit, "building": Building, "phase": Phase, "layout": Layout}[basename]
    before = model.objects.count()

    # when
    response = clerk_api.post(list_url(basename), payload(other_tree), format="json")

    # then
    assert response.status_code == 400
    field = next(iter(error_codes(response)))
    assert error_codes(response) == {field: ["does_not_exist"]}
    assert model.objects.count() == before


def test_foreign_layout_does_not_exist(clerk_api: Any, tree: Tree, other_tree: Tree) -> None:
    # when
    response = clerk_api.post(
        list_url("unit"),
        {"building": tree.building.pk, "room": "101", "floor": 1, "layout": other_tree.layout.pk},
        format="json",
    )

    # then
    assert error_codes(response) == {"layout": ["does_not_exist"]}


def test_service_errors_keep_their_fields_and_codes(clerk_api: Any, tree: Tree) -> None:
    # when
    response = clerk_api.post(
        list_url("unit"),
        {
            "building": tree.building.pk,
            "room": "9901",
            "floor": 99,
            "building_area": "0",
            "delivery_date": "2025-06-30",
            "warranty_start": "2025-01-01",
        },
        format="json",
    )

    # then
    assert response.status_code == 400
    assert error_codes(response) == {
        "floor": ["floor_out_of_range"],
        "building_area": ["not_positive"],
        "warranty_start": ["before_delivery"],
    }
    assert all(e["message"] for e in response.json()["errors"]["floor"])


def test_shape_errors_come_from_the_serializer(clerk_api: Any, tree: Tree) -> None:
    # when
    response = clerk_api.post(list_url("unit"), {"building": tree.building.pk}, format="json")

    # then
    assert error_codes(response) == {"room": ["required"], "floor": ["required"]}


def test_unique_errors_come_from_the_service(clerk_api: Any, tree: Tree) -> None:
    # when
    response = clerk_api.post(
        list_url("phase"), {"project": tree.project.pk, "name": tree.phase.name}, format="json"
    )

    # then
    assert error_codes(response) == {"name": ["unique"]}


def test_patch_unit_moves_it_and_renames_it(clerk_api: Any, tree: Tree) -> None:
    # given
    target = BuildingFactory(phase=tree.phase, number="99")

    # when
    response = clerk_api.patch(
        detail_url("unit", tree.unit.pk), {"building": target.pk}, format="json"
    )

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["code"].startswith("99-")
    assert ChangeLog.objects.filter(action="update", object_id=str(tree.unit.pk)).exists()


def test_put_phase_with_its_own_project_is_fine(clerk_api: Any, tree: Tree) -> None:
    # when
    response = clerk_api.put(
        detail_url("phase", tree.phase.pk),
        {"project": tree.project.pk, "name": "一期", "sort_order": 1, "launched_on": None},
        format="json",
    )

    # then
    assert response.status_code == 200, response.json()
    tree.phase.refresh_from_db()
    assert tree.phase.name == "一期"


def test_a_phase_cannot_change_project(
    api_client_for: Any, make_user: Any, tree: Tree, other_project: Project
) -> None:
    # given
    api = api_client_for(make_user("administrator"))

    # when
    response = api.patch(
        detail_url("phase", tree.phase.pk), {"project": other_project.pk}, format="json"
    )

    # then
    assert error_codes(response) == {"project": ["not_editable"]}


def test_administrator_creates_a_project(api_client_for: Any, make_user: Any) -> None:
    # given
    api = api_client_for(make_user("administrator"))

    # when
    response = api.post(list_url("project"), {"code": "lake", "name": "湖畔"}, format="json")
    again = api.post(list_url("project"), {"code": "lake", "name": "湖畔"}, format="json")

    # then
    assert response.status_code == 201
    assert error_codes(again) == {"code": ["unique"]}


def test_clerk_cannot_create_projects(api_client_for: Any, make_user: Any, project: Any) -> None:
    # given: a manager sees the registry but does not keep it
    api = api_client_for(make_user("manager", projects=[project]))

    # when
    response = api.post(list_url("project"), {"code": "lake", "name": "湖畔"}, format="json")

    # then
    assert response.status_code == 403


# --- filters -----------------------------------------------------------------------------


def test_unit_filters(clerk_api: Any, tree: Tree) -> None:
    # given
    high = UnitFactory(
        building=tree.building,
        entrance="2",
        room="2501",
        floor=25,
        delivery_date=date(2026, 1, 10),
    )

    # when
    response = clerk_api.get(
        list_url("unit"),
        {
            "q": f"{tree.building.number}-2",
            "floor_min": 20,
            "floor_max": 30,
            "delivery_from": "2026-01-01",
            "building": tree.building.pk,
        },
    )

    # then
    assert [row["id"] for row in response.json()["results"]] == [high.pk]


def test_filtering_by_a_foreign_project_is_an_error(
    clerk_api: Any, tree: Tree, other_tree: Tree
) -> None:
    # when
    response = clerk_api.get(list_url("unit"), {"project": other_tree.project.pk})

    # then
    assert error_codes(response) == {"project": ["invalid_choice"]}


# --- query counts --------------------------------------------------------------------


def _grow(tree: Tree, rows: int) -> None:
    for _ in range(rows):
        project = ProjectFactory()
        make_tree(project)
        BuildingFactory(phase=tree.phase)
        UnitFactory(building=tree.building, layout=tree.layout)
        PhaseFactory(project=tree.project)
        LayoutFactory(project=tree.project)


@pytest.mark.parametrize("basename", BASENAMES)
def test_list_apis_have_a_fixed_query_count(
    api_client_for: Any,
    make_user: Any,
    tree: Tree,
    django_assert_num_queries: Any,
    basename: str,
) -> None:
    # given: an administrator sees every project; each request loads the user afresh
    admin = make_user("administrator")
    _grow(tree, 1)

    def fetch() -> Any:
        api = api_client_for(User.objects.get(pk=admin.pk))
        with django_assert_num_queries(4):  # 2 for permissions, COUNT, the page
            return api.get(list_url(basename))

    # when / then: the same count with 2 rows and with 10
    first = fetch()
    _grow(tree, 8)
    second = fetch()
    assert len(first.json()["results"]) >= 2
    assert len(second.json()["results"]) >= 10


# --- schema ------------------------------------------------------------------------------


def test_schema_documents_every_route(api_client_for: Any, make_user: Any) -> None:
    # given
    api = api_client_for(make_user("administrator"))

    # when
    response = api.get(reverse("api-schema"), {"format": "json"})

    # then
    paths = response.json()["paths"]
    for name in ("projects", "phases", "layouts", "buildings", "units"):
        assert set(paths[f"/api/v1/{name}/"]) == {"get", "post"}
        assert set(paths[f"/api/v1/{name}/{{id}}/"]) == {"get", "put", "patch"}
    params = {p["name"] for p in paths["/api/v1/units/"]["get"]["parameters"]}
    assert {"q", "project", "floor_min", "delivery_to", "page", "page_size"} <= params
