"""The queues: tabs, filters, sorting, scoping, pinned query counts, htmx, saved views."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anju.core.testing.factories import UnitFactory, make_owner
from anju.servicedesk import services
from anju.servicedesk.filters import TABS, QueueFilter, queue_queryset
from anju.servicedesk.models import Category, Milestone, SavedView, WorkOrder
from anju.servicedesk.models.work_orders import OPEN
from anju.servicedesk.sla import refresh_sla_summary

# The htmx partial: session, user, permissions (user + group), project scope, count, rows.
PARTIAL_QUERIES = 7
# The page adds the filter choices (projects, buildings, categories), the saved views and
# the navbar's notification summary (context processor).
PAGE_QUERIES = PARTIAL_QUERIES + 5


def as_user(client, user):
    client.force_login(user)
    return client


def accept(actor, project, **fields):
    data = {"type": "enquiry", "channel": "phone", "description": "咨询", **fields}
    order, _ = services.work_order_accept(
        actor=actor, data=services.WorkOrderInput(project_id=project.pk, **data)
    )
    return order


def queue(client, **params):
    return client.get(reverse("servicedesk:queue"), params)


def shown_count(response):
    match = re.search(r'id="queue-count">\D*(\d+\+?)', response.content.decode())
    return match.group(1) if match else None


def numbers(response):
    return {row.record.number for row in response.context["table"].page.object_list}


def dispatch(order, actor, assignee, department="engineering"):
    services.work_order_dispatch(actor=actor, order=order, department=department, assignee=assignee)


def set_clocks(order, *clocks):
    """Replace the order's milestones by (kind, due, at_risk, paused) and store the SLA
    summary again, as the services do when milestones change."""
    Milestone.objects.filter(work_order=order).delete()
    for kind, due, risk, paused in clocks:
        Milestone.objects.create(
            work_order=order,
            kind=kind,
            clock="wall",
            amount=10,
            started_at=due - timedelta(minutes=10),
            due_at=due,
            at_risk_at=risk,
            paused_at=paused,
        )
    refresh_sla_summary(WorkOrder.objects.filter(pk=order.pk))


@pytest.fixture
def repair(desk, project, owner, unit, leak):
    return accept(
        desk, project, type="repair", owner_id=owner.pk, unit_id=unit.pk, category_id=leak.pk
    )


# --- permissions and scoping ------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("servicedesk:queue"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_without_permission_is_forbidden(client, project, make_user):
    nobody = make_user(None, projects=[project])
    assert queue(as_user(client, nobody)).status_code == 403


def test_other_projects_orders_are_absent(client, repair, make_user, other_project):
    stranger = make_user("manager", projects=[other_project])
    response = queue(as_user(client, stranger), tab="all")
    assert response.status_code == 200 and numbers(response) == set()
    assert str(response.context["table"].empty_text) in response.content.decode()


def test_the_navbar_links_the_queue(client, desk):
    html = queue(as_user(client, desk)).content.decode()
    assert f'href="{reverse("servicedesk:queue")}" id="nav-servicedesk"' in html


# --- tabs ----------------------------------------------------------------------------------


def test_my_orders_is_the_default_tab(client, repair, desk, supervisor):
    # given an order dispatched to the supervisor and one left unassigned
    dispatch(repair, desk, supervisor)
    waiting = accept(desk, repair.project)
    # when
    response = queue(as_user(client, supervisor))
    # then
    html = response.content.decode()
    assert numbers(response) == {repair.number}
    assert waiting.number not in html
    assert 'id="tab-mine"' in html and 'id="queue-table"' in html


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("mine", {"dispatched"}),
        ("first", {"dispatched", "unassigned", "held"}),
        ("team", {"dispatched", "team"}),
        ("unassigned", {"unassigned"}),
        ("on_hold", {"held"}),
        ("all", {"dispatched", "unassigned", "held", "team"}),
    ],
)
def test_tabs(client, desk, supervisor, make_user, project, tab, expected):
    # given orders in several situations, taken by the desk or by a colleague
    colleague_desk = make_user("front_desk", projects=[project])
    colleague = make_user("repair_supervisor", projects=[project])
    orders = {
        "dispatched": accept(desk, project),
        "unassigned": accept(desk, project),
        "held": accept(desk, project),
        "team": accept(colleague_desk, project),
    }
    dispatch(orders["dispatched"], desk, supervisor)
    dispatch(orders["held"], desk, colleague, department="contractor")
    services.work_order_hold(actor=colleague, order=orders["held"], reason="materials")
    dispatch(orders["team"], desk, colleague)
    # when the supervisor (engineering) looks, or the desk for "first"
    viewer = desk if tab == "first" else supervisor
    response = queue(as_user(client, viewer), tab=tab)
    # then
    assert numbers(response) == {orders[name].number for name in expected}


def test_at_risk_and_breached_tabs(client, desk, project):
    # given orders whose clocks are at risk, past due, both, paused, or calm
    now = timezone.now()
    minutes = lambda n: now + timedelta(minutes=n)  # noqa: E731
    orders = {name: accept(desk, project) for name in ("risky", "late", "both", "calm")}
    orders |= {name: accept(desk, project) for name in ("held", "held_late", "risky_held")}
    set_clocks(orders["risky"], ("dispatch", minutes(2), minutes(-1), None))
    set_clocks(orders["late"], ("dispatch", minutes(-5), minutes(-7), None))
    set_clocks(
        orders["both"],
        ("dispatch", minutes(-5), minutes(-7), None),
        ("response", minutes(30), minutes(-1), None),
    )
    set_clocks(orders["calm"], ("dispatch", minutes(120), minutes(60), None))
    # a paused clock is neither at risk nor breached, unless it was paused after its due time
    set_clocks(orders["held"], ("response", minutes(-5), minutes(-7), minutes(-6)))
    set_clocks(orders["held_late"], ("response", minutes(-5), minutes(-7), minutes(-3)))
    set_clocks(
        orders["risky_held"],
        ("dispatch", minutes(5), minutes(-1), None),
        ("response", minutes(-5), minutes(-7), minutes(-6)),
    )
    as_user(client, desk)
    # when
    at_risk, breached = queue(client, tab="at_risk"), queue(client, tab="breached")
    # then an order both at risk and breached shows under breached only
    expected = {name: orders[name].number for name in orders}
    assert numbers(at_risk) == {expected["risky"], expected["risky_held"]}
    assert numbers(breached) == {expected["late"], expected["both"], expected["held_late"]}
    assert 'data-state="breached"' in breached.content.decode()
    assert 'data-state="at_risk"' in at_risk.content.decode()


def test_every_tab_keeps_the_open_condition_of_the_partial_indexes(desk, supervisor, project):
    # PostgreSQL uses a partial index only when the query repeats its predicate. (The
    # supervisor has a department, so the team tab is a query too.)
    dispatch(accept(desk, project), desk, supervisor)
    open_sql = str(WorkOrder.objects.filter(OPEN).order_by().query).split(" WHERE ", 1)[1]
    now = timezone.now()
    for tab, _label in TABS:
        queryset = queue_queryset(supervisor, tab, now)
        queryset = QueueFilter(None, queryset=queryset, user=supervisor).qs
        assert open_sql in str(queryset.query), tab


# --- filters and sorting -------------------------------------------------------------------


def test_filters(client, desk, project, repair, unit, leak):
    # given an urgent complaint elsewhere and a closed enquiry
    elsewhere = UnitFactory(building__phase__project=project, building__project=project)
    other_owner = make_owner(project, name="李四")
    urgent = accept(
        desk,
        project,
        type="complaint",
        urgency="urgent",
        unit_id=elsewhere.pk,
        owner_id=other_owner.pk,
        category_id=Category.objects.get(path="土建 › 门窗").pk,
    )
    closed = accept(desk, project, received_at=timezone.now() - timedelta(days=10))
    WorkOrder.objects.filter(pk=closed.pk).update(status="closed")
    as_user(client, desk)
    # when / then
    assert numbers(queue(client, tab="all", type="complaint")) == {urgent.number}
    assert numbers(queue(client, tab="all", urgency="normal")) == {repair.number}
    assert numbers(queue(client, tab="all", building=unit.building_id)) == {repair.number}
    assert numbers(queue(client, tab="all", project=project.pk)) == {repair.number, urgent.number}
    assert numbers(queue(client, tab="all", status="closed")) == {closed.number}
    parent = Category.objects.get(path="防水渗漏")
    assert numbers(queue(client, tab="all", category=parent.pk)) == {repair.number}
    assert numbers(queue(client, tab="all", q="李四")) == {urgent.number}
    assert numbers(queue(client, tab="all", q=repair.number)) == {repair.number}
    old = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert numbers(queue(client, tab="all", status="closed", received_to=old)) == {closed.number}
    today = timezone.localdate().isoformat()
    assert numbers(queue(client, tab="all", received_from=today)) == {
        repair.number,
        urgent.number,
    }


def test_sorting_by_next_due(client, desk, project):
    # given orders whose next milestone falls due in a different order than received
    now = timezone.now()
    first, second, third = (accept(desk, project) for _ in range(3))
    for order, minutes in ((first, 50), (second, 5), (third, 20)):
        order.milestones.update(due_at=now + timedelta(minutes=minutes), at_risk_at=now)
        refresh_sla_summary(WorkOrder.objects.filter(pk=order.pk))
    # when
    response = queue(as_user(client, desk), tab="all", sort="next_due")
    # then
    rows = [row.record.number for row in response.context["table"].page.object_list]
    assert rows == [second.number, third.number, first.number]
    received = queue(client, tab="all", sort="-received_at").context["table"].page.object_list
    assert [row.record.number for row in received] == [third.number, second.number, first.number]


def test_rows_show_the_next_milestone(client, desk, repair):
    html = queue(as_user(client, desk), tab="all").content.decode()
    assert 'data-state="running"' in html and repair.number in html


# --- query counts, htmx ------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 10])
def test_query_count_is_pinned(client, desk, supervisor, project, rows, django_assert_num_queries):
    # given rows with owners, units, categories, assignees and milestones
    leak = Category.objects.get(path="防水渗漏 › 卫生间渗漏")
    for _ in range(rows):
        unit = UnitFactory(building__phase__project=project, building__project=project)
        owner = make_owner(project)
        order = accept(
            desk, project, type="repair", unit_id=unit.pk, owner_id=owner.pk, category_id=leak.pk
        )
        dispatch(order, desk, supervisor)
    as_user(client, desk)
    # when / then
    with django_assert_num_queries(PAGE_QUERIES):
        page = queue(client, tab="all", sort="next_due")
    with django_assert_num_queries(PARTIAL_QUERIES):
        partial = client.get(reverse("servicedesk:queue"), {"tab": "all"}, HTTP_HX_REQUEST="true")
    assert len(numbers(page)) == rows and len(numbers(partial)) == rows


def test_the_team_tab_reads_the_departments_once(client, desk, supervisor, project):
    # given a supervisor dispatched three engineering orders
    for _ in range(3):
        dispatch(accept(desk, project), desk, supervisor)
    as_user(client, supervisor)
    # when the team tab polls
    with CaptureQueriesContext(connection) as captured:
        partial = client.get(reverse("servicedesk:queue"), {"tab": "team"}, HTTP_HX_REQUEST="true")
    # then one statement more than the all tab reads the departments, one row per
    # department (no ordering: it would make DISTINCT keep one row per order)
    assert len(numbers(partial)) == 3
    assert len(captured) == PARTIAL_QUERIES + 1
    departments = [
        q["sql"] for q in captured if 'DISTINCT "servicedesk_workorder"."department"' in q["sql"]
    ]
    assert len(departments) == 1 and "ORDER BY" not in departments[0]


def test_the_team_tab_of_someone_without_assignments_is_empty(client, desk, project):
    accept(desk, project)
    as_user(client, desk)
    assert numbers(queue(client, tab="team")) == set()


def test_a_big_tab_counts_up_to_the_cap(client, desk, project, settings):
    # given three open orders and a cap of two
    settings.ANJU_LIST_COUNT_CAP = 2
    for _ in range(3):
        accept(desk, project)
    # when
    response = queue(as_user(client, desk), tab="all")
    # then the count, and the pages, stop at the cap
    assert shown_count(response) == "2+"
    assert len(numbers(response)) == 2
    settings.ANJU_LIST_COUNT_CAP = 3
    assert shown_count(queue(client, tab="all")) == "3"


def test_htmx_gets_only_the_table_which_polls(client, desk, repair, settings):
    # given
    settings.ANJU_QUEUE_POLL_SECONDS = 7
    as_user(client, desk)
    # when
    response = client.get(reverse("servicedesk:queue"), {"tab": "all"}, HTTP_HX_REQUEST="true")
    # then
    html = response.content.decode()
    assert "<html" not in html and html.count('id="queue-table"') == 1
    assert 'hx-trigger="every 7s"' in html and "tab=all" in html
    assert repair.number in html


# --- saved views -------------------------------------------------------------------------------


def test_a_saved_view_round_trip(client, desk, make_user, project, repair):
    as_user(client, desk)
    # when the desk saves the current filters (the page number is dropped)
    response = client.post(
        reverse("servicedesk:saved_view_create"),
        {"name": "紧急投诉", "query": "tab=all&type=complaint&urgency=urgent&page=3"},
    )
    # then it goes back to the queue with those filters, and the view is listed
    view = SavedView.objects.get(user=desk)
    assert view.query == "tab=all&type=complaint&urgency=urgent"
    assert response["Location"] == f"{reverse('servicedesk:queue')}?{view.query}"
    page = client.get(response["Location"])
    assert "紧急投诉" in page.content.decode() and numbers(page) == set()
    # saving the same name again replaces it
    client.post(reverse("servicedesk:saved_view_create"), {"name": "紧急投诉", "query": "tab=all"})
    assert SavedView.objects.get(user=desk).query == "tab=all"
    # another user can neither see nor delete it
    other = make_user("front_desk", projects=[project])
    assert list(queue(as_user(client, other)).context["saved_views"]) == []
    delete = reverse("servicedesk:saved_view_delete", args=[view.pk])
    assert client.post(delete).status_code == 404
    # the owner deletes it
    as_user(client, desk).post(delete)
    assert not SavedView.objects.exists()


def test_a_saved_view_needs_a_name(client, desk):
    response = as_user(client, desk).post(
        reverse("servicedesk:saved_view_create"), {"name": "", "query": "tab=all"}
    )
    assert response.status_code == 302 and not SavedView.objects.exists()
