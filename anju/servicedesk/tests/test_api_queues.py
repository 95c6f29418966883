"""/api/v1/work-orders/?queue=team and ?q=: the queue pages' "my team" tab and text search,
with the same meaning and scoping (filters.team_q, filters.text_q), documented in the
schema, the list's query count pinned."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.core.testing.factories import make_owner
from anju.security.models import User
from anju.servicedesk import services
from anju.servicedesk.filters import TEAM_WINDOW_DAYS
from anju.servicedesk.models import WorkOrder

ORDERS = "/api/v1/work-orders/"
# Pinned: permissions x2, scope, the user's departments (one statement, as on the queue
# page), count, rows, milestones prefetch: the list's six plus the departments.
TEAM_LIST_QUERIES = 7
# No department yet: the departments are read, the empty queue needs neither count nor rows.
EMPTY_TEAM_QUERIES = 4


def accept(actor, project, **fields):
    data = {"type": "enquiry", "channel": "phone", "description": "咨询", **fields}
    order, _ = services.work_order_accept(
        actor=actor, data=services.WorkOrderInput(project_id=project.pk, **data)
    )
    return order


def dispatch(order, actor, assignee, department="engineering"):
    return services.work_order_dispatch(
        actor=actor, order=order, department=department, assignee=assignee
    )


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def page_numbers(client, user, **params):
    """The order numbers the queue page shows the user."""
    client.force_login(user)
    response = client.get(reverse("servicedesk:queue"), params)
    return {row.record.number for row in response.context["table"].page.object_list}


def numbers(orders):
    return {WorkOrder.objects.get(pk=pk).number for pk in orders}


@pytest.fixture
def colleague(make_user, project):
    return make_user("repair_supervisor", projects=[project])


@pytest.fixture
def team(desk, supervisor, colleague, project):
    """Orders of the supervisor's department (engineering), of another department, closed,
    and engineering's in a project the supervisor does not see."""
    orders = {
        "mine": dispatch(accept(desk, project), desk, supervisor),
        "colleagues": dispatch(accept(desk, project), desk, colleague),
        "waiting": accept(desk, project),
        "design": dispatch(accept(desk, project), desk, colleague, department="design"),
        "closed": dispatch(accept(desk, project), desk, colleague),
    }
    WorkOrder.objects.filter(pk=orders["closed"].pk).update(status="closed")
    return orders


# --- queue=team ----------------------------------------------------------------------------


def test_the_team_queue_lists_the_open_orders_of_my_departments(
    api_client_for, client, supervisor, team
):
    # given orders of engineering (the supervisor's), of design, unassigned and closed
    # when the supervisor asks for the team queue
    response = api_client_for(supervisor).get(ORDERS, {"queue": "team"})
    # then the open engineering orders come back, as on the queue page's team tab
    found = ids(response)
    assert found == {team["mine"].pk, team["colleagues"].pk}
    assert numbers(found) == page_numbers(client, supervisor, tab="team")


def test_the_team_queue_follows_recent_assignments_only(api_client_for, desk, supervisor, project):
    # given the supervisor was made responsible in design only for an order received
    # before the window, and in engineering within it
    old = timezone.now() - timedelta(days=TEAM_WINDOW_DAYS + 1)
    designed = dispatch(accept(desk, project, received_at=old), desk, supervisor, "design")
    engineered = dispatch(accept(desk, project), desk, supervisor)
    # when
    found = ids(api_client_for(supervisor).get(ORDERS, {"queue": "team"}))
    # then design is no longer the supervisor's team
    assert found == {engineered.pk} and designed.pk not in found


def test_the_team_queue_keeps_to_my_projects(
    api_client_for, desk, supervisor, make_user, project, other_project
):
    # given engineering orders in the supervisor's project and in another one
    dispatch(accept(desk, project), desk, supervisor)
    elsewhere_desk = make_user("front_desk", projects=[other_project])
    elsewhere_supervisor = make_user("repair_supervisor", projects=[other_project])
    hidden = dispatch(accept(elsewhere_desk, other_project), elsewhere_desk, elsewhere_supervisor)
    # when
    found = ids(api_client_for(supervisor).get(ORDERS, {"queue": "team"}))
    # then the other project's order is absent
    assert len(found) == 1 and hidden.pk not in found


def test_someone_never_made_responsible_has_an_empty_team_queue(
    api_client_for, desk, team, django_assert_num_queries
):
    # given the desk was never made responsible for an order
    client = api_client_for(User.objects.get(pk=desk.pk))
    # when / then the empty queue is answered without counting nor reading orders
    with django_assert_num_queries(EMPTY_TEAM_QUERIES):
        response = client.get(ORDERS, {"queue": "team"})
    assert ids(response) == set() and response.json()["count"] == 0


@pytest.mark.parametrize("rows", [2, 10])
def test_the_team_queue_query_count_is_pinned(
    api_client_for, desk, supervisor, colleague, project, rows, django_assert_num_queries
):
    # given engineering orders with owners, dispatched to the supervisor or a colleague
    for index in range(rows):
        owner = make_owner(project)
        assignee = supervisor if index % 2 else colleague
        dispatch(accept(desk, project, owner_id=owner.pk), desk, assignee)
    client = api_client_for(User.objects.get(pk=supervisor.pk))
    # when / then
    with django_assert_num_queries(TEAM_LIST_QUERIES):
        response = client.get(ORDERS, {"queue": "team"})
    assert len(ids(response)) == rows


# --- q= ------------------------------------------------------------------------------------


def test_text_search_finds_by_owner_name_or_order_number(
    api_client_for, client, desk, project, repair_input
):
    # given orders of 张三 and 李四, and one without an owner
    zhang = services.work_order_accept(actor=desk, data=repair_input())[0]
    li = accept(desk, project, owner_id=make_owner(project, name="李四").pk)
    anonymous = accept(desk, project)
    api = api_client_for(desk)
    # when / then: a part of the name, the order number in any of its spellings
    assert ids(api.get(ORDERS, {"q": "李"})) == {li.pk}
    assert ids(api.get(ORDERS, {"q": anonymous.number})) == {anonymous.pk}
    assert ids(api.get(ORDERS, {"q": anonymous.number.lower()})) == {anonymous.pk}
    assert ids(api.get(ORDERS, {"q": str(zhang.pk)})) == {zhang.pk}
    assert ids(api.get(ORDERS, {"q": "  "})) == {zhang.pk, li.pk, anonymous.pk}
    # and the queue page's search means the same
    assert numbers(ids(api.get(ORDERS, {"q": "李"}))) == page_numbers(
        client, desk, tab="all", q="李"
    )


def test_text_search_keeps_to_my_projects_and_combines_with_the_queue(
    api_client_for, desk, supervisor, make_user, project, other_project
):
    # given 张三's order in each of two projects, one dispatched to the supervisor
    mine = dispatch(
        accept(desk, project, owner_id=make_owner(project, name="张三").pk), desk, supervisor
    )
    waiting = accept(desk, project, owner_id=make_owner(project, name="张三丰").pk)
    stranger_desk = make_user("front_desk", projects=[other_project])
    hidden = accept(
        stranger_desk, other_project, owner_id=make_owner(other_project, name="张三").pk
    )
    api = api_client_for(supervisor)
    # when / then another project's order is found neither by name nor by number
    assert ids(api.get(ORDERS, {"q": "张三"})) == {mine.pk, waiting.pk}
    assert ids(api.get(ORDERS, {"q": hidden.number})) == set()
    # and the search narrows a queue
    assert ids(api.get(ORDERS, {"q": "张三", "queue": "team"})) == {mine.pk}
    assert ids(api.get(ORDERS, {"q": "张三", "queue": "unassigned"})) == {waiting.pk}


# --- schema --------------------------------------------------------------------------------


def test_the_schema_documents_the_team_queue_and_the_text_search(api_client_for, desk):
    # when
    response = api_client_for(desk).get(reverse("api-schema"), {"format": "json"})
    # then
    assert response.status_code == 200
    operation = json.loads(response.content)["paths"][ORDERS]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    queue = parameters["queue"]
    assert "team" in queue["schema"]["enum"] and "mine" in queue["schema"]["enum"]
    assert f"{TEAM_WINDOW_DAYS}" in queue["description"]
    assert parameters["q"]["schema"]["type"] == "string" and parameters["q"]["description"]
