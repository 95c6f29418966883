"""/api/v1/work-orders/ (list, retrieve, transitions), group-complaint-alerts/,
service-categories/, calendar/: filters, scoping, permissions, conflicts."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from anju.core.testing.factories import UnitFactory
from anju.security.models import User
from anju.servicedesk.models import (
    Category,
    ComplaintPlan,
    GroupComplaintAlert,
    Milestone,
    WorkOrder,
)
from anju.servicedesk.services import (
    WorkOrderInput,
    complaint_propose_plan,
    work_order_accept,
    work_order_close,
    work_order_dispatch,
    work_order_hold,
    work_order_resolve,
)
from anju.servicedesk.sla import refresh_sla_summary

ORDERS = "/api/v1/work-orders/"
ALERTS = "/api/v1/group-complaint-alerts/"
# Pinned: permissions x2, scope, count, rows (owner, unit, category, users joined),
# milestones prefetch.
ORDER_LIST_QUERIES = 6


class Desk:
    """Orders in the states a test needs, made through the services."""

    def __init__(self, project: Any, desk: Any, supervisor: Any, manager: Any, leak: Any) -> None:
        self.project, self.desk, self.supervisor = project, desk, supervisor
        self.manager, self.leak = manager, leak

    def accept(self, type: str = "repair", **fields: Any) -> WorkOrder:
        data = WorkOrderInput(
            project_id=fields.pop("project_id", self.project.pk),
            type=type,
            channel=fields.pop("channel", "phone"),
            description=fields.pop("description", "卫生间漏水"),
            category_id=fields.pop("category_id", self.leak.pk),
            **fields,
        )
        order, _ = work_order_accept(actor=self.desk, data=data)
        return order

    def dispatched(self, type: str = "repair", **fields: Any) -> WorkOrder:
        order = self.accept(type, **fields)
        department = "engineering" if type == "repair" else "customer_service"
        return work_order_dispatch(
            actor=self.desk, order=order, department=department, assignee=self.supervisor
        )

    def held(self) -> WorkOrder:
        return work_order_hold(actor=self.supervisor, order=self.dispatched(), reason="materials")

    def resolved(self) -> WorkOrder:
        return work_order_resolve(actor=self.supervisor, order=self.dispatched(), note="已修复")

    def closed(self) -> WorkOrder:
        return work_order_close(actor=self.desk, order=self.resolved())

    def plan(self, order: WorkOrder) -> ComplaintPlan:
        return complaint_propose_plan(
            actor=self.desk,
            order=order,
            content="更换防水层",
            department="engineering",
            responsible=self.supervisor,
            deadline=timezone.localdate() + timedelta(days=3),
        )


@pytest.fixture
def make(project, desk, supervisor, manager, leak) -> Desk:
    return Desk(project, desk, supervisor, manager, leak)


@pytest.fixture
def stranger(make_user, other_project):
    return make_user("front_desk", projects=[other_project])


@pytest.fixture
def client(api_client_for, desk) -> APIClient:
    return api_client_for(desk)


def url(order: WorkOrder, step: str = "") -> str:
    return f"{ORDERS}{order.pk}/{step}/" if step else f"{ORDERS}{order.pk}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- list and retrieve ---------------------------------------------------------------------


def test_list_is_scoped_and_shows_the_clocks(client, api_client_for, stranger, make, owner):
    # given
    order = make.accept(owner_id=owner.pk)
    # when
    mine = client.get(ORDERS)
    theirs = api_client_for(stranger).get(ORDERS)
    # then
    row = mine.json()["results"][0]
    assert row["id"] == order.pk and row["number"] == order.number
    assert row["owner_name"] == "张三" and row["category_path"] == "防水渗漏 › 卫生间渗漏"
    assert row["status"] == "accepted" and row["next_due_at"]
    assert {m["kind"] for m in row["milestones"]} == {"dispatch", "response", "completion"}
    assert theirs.json()["count"] == 0
    assert api_client_for(stranger).get(url(order)).status_code == 404


def test_anonymous_is_401_and_no_permission_is_403(api_client_for, make_user, project, make):
    # given
    order = make.accept()
    nobody = api_client_for(make_user(None, projects=[project]))
    # when / then
    assert APIClient().get(ORDERS).status_code == 401
    for path in (ORDERS, url(order), ALERTS, "/api/v1/service-categories/", "/api/v1/calendar/"):
        assert nobody.get(path).status_code == 403, path
    assert nobody.post(url(order, "start")).status_code == 403


def test_retrieve_shows_milestones_events_plans_feedback(client, make):
    # given a complaint with a plan, and its dispatch milestone overdue
    order = make.dispatched("complaint")
    make.plan(order)
    Milestone.objects.filter(work_order=order, kind="initial_handling").update(
        due_at=timezone.now() - timedelta(minutes=30)
    )
    # when
    body = client.get(url(order)).json()
    # then
    milestones = {m["kind"]: m for m in body["milestones"]}
    assert milestones["dispatch"]["state"] == "met" and milestones["dispatch"]["met_at"]
    late = milestones["initial_handling"]
    assert late["state"] == "breached" and late["seconds_overdue"] >= 30 * 60
    assert late["seconds_left"] is None and late["provisional"] is False
    feedback = milestones["feedback"]
    assert feedback["state"] == "running" and 0 < feedback["seconds_left"] <= 48 * 3600
    kinds = [event["kind"] for event in body["events"]]
    assert kinds[-1] == "accepted" and kinds[0] == "plan_proposed"
    assert body["plans"][0]["status"] == "proposed" and body["feedback"] == []


@pytest.mark.parametrize("rows", [2, 10])
def test_list_query_count_is_pinned(
    api_client_for, make, desk, owner, rows, django_assert_num_queries
):
    # given orders, and the desk user as a request loads it (no cached permissions)
    for _ in range(rows):
        make.dispatched(owner_id=owner.pk, unit_id=owner.ownerships.get().unit_id)
    client = api_client_for(User.objects.get(pk=desk.pk))
    # when / then
    with django_assert_num_queries(ORDER_LIST_QUERIES):
        response = client.get(ORDERS)
    assert len(response.json()["results"]) == rows


def test_a_status_filter_lists_without_distinct(client, make):
    # given orders in two states
    dispatched, held = make.dispatched(), make.held()
    make.accept()
    # when the list is filtered by status
    with CaptureQueriesContext(connection) as captured:
        response = client.get(ORDERS, {"status": ["dispatched", "on_hold"]})
    # then the page is cut from the orders as they are: a status is a column of the order,
    # so no DISTINCT sorts every matching row with its joins first
    assert set(ids(response)) == {dispatched.pk, held.pk}
    assert response.json()["count"] == 2
    orders = [q["sql"] for q in captured.captured_queries if "servicedesk_workorder" in q["sql"]]
    assert orders and not any("DISTINCT" in sql for sql in orders)


def test_filters(client, make, owner, unit, desk, supervisor, project):
    # given
    repair = make.dispatched(owner_id=owner.pk, unit_id=unit.pk)
    other_unit = UnitFactory(building__phase__project=project, building__project=project)
    urgent = make.accept(urgency="urgent", unit_id=other_unit.pk)
    enquiry = make.accept("enquiry", category_id=None)
    held = make.held()
    old = make.accept(received_at=timezone.now() - timedelta(days=10))
    door = Category.objects.get(path="土建 › 门窗")
    civil = make.accept(category_id=door.pk)
    # when / then
    assert ids(client.get(ORDERS, {"type": "enquiry"})) == [enquiry.pk]
    assert ids(client.get(ORDERS, {"urgency": "urgent"})) == [urgent.pk]
    assert set(ids(client.get(ORDERS, {"status": ["dispatched", "on_hold"]}))) == {
        repair.pk,
        held.pk,
    }
    assert ids(client.get(ORDERS, {"building": other_unit.building_id})) == [urgent.pk]
    assert ids(client.get(ORDERS, {"owner": owner.pk})) == [repair.pk]
    assert ids(client.get(ORDERS, {"category": door.parent_id})) == [civil.pk]
    assert set(ids(client.get(ORDERS, {"assignee": supervisor.pk}))) == {repair.pk, held.pk}
    assert len(ids(client.get(ORDERS, {"first_responder": desk.pk}))) == 6
    assert len(ids(client.get(ORDERS, {"project": project.pk}))) == 6
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert old.pk not in ids(client.get(ORDERS, {"received_after": since}))
    assert ids(client.get(ORDERS, {"received_before": since})) == [old.pk]
    assert client.get(ORDERS, {"page_size": 2}).json()["next"]


def test_queues(api_client_for, client, make, supervisor):
    # given
    assigned = make.dispatched()
    held = make.held()
    waiting = make.accept()
    at_risk = make.accept()
    now = timezone.now()
    Milestone.objects.filter(work_order=at_risk, kind="dispatch").update(
        at_risk_at=now - timedelta(minutes=1), due_at=now + timedelta(minutes=1)
    )
    Milestone.objects.filter(work_order=waiting, kind="dispatch").update(
        due_at=now - timedelta(minutes=1)
    )
    # (the services store the SLA summary whenever they change milestones; so does the test)
    refresh_sla_summary(WorkOrder.objects.filter(pk__in=[at_risk.pk, waiting.pk]))
    make.closed()
    # when / then
    assert set(ids(api_client_for(supervisor).get(ORDERS, {"queue": "mine"}))) == {
        assigned.pk,
        held.pk,
    }
    assert set(ids(client.get(ORDERS, {"queue": "unassigned"}))) == {waiting.pk, at_risk.pk}
    assert ids(client.get(ORDERS, {"queue": "at_risk"})) == [at_risk.pk]
    assert ids(client.get(ORDERS, {"queue": "breached"})) == [waiting.pk]
    assert ids(client.get(ORDERS, {"queue": "on_hold"})) == [held.pk]


def test_ordering(client, make):
    # given
    first = make.accept(received_at=timezone.now() - timedelta(hours=2))
    second = make.accept(received_at=timezone.now() - timedelta(hours=1))
    closed = make.closed()
    Milestone.objects.filter(work_order=second, kind="dispatch").update(
        due_at=timezone.now() - timedelta(days=1)
    )
    refresh_sla_summary(WorkOrder.objects.filter(pk=second.pk))
    # when / then
    assert ids(client.get(ORDERS, {"ordering": "received_at"}))[:2] == [first.pk, second.pk]
    assert ids(client.get(ORDERS, {"ordering": "-received_at"}))[0] == closed.pk
    by_due = client.get(ORDERS, {"ordering": "next_due", "queue": "all"})
    assert ids(by_due) == [second.pk, first.pk]
    assert client.get(ORDERS, {"ordering": "sideways"}).status_code == 400
    # next due orders open orders: closed ones have none, and sorting them all is slow
    refused = client.get(ORDERS, {"ordering": "next_due"})
    assert refused.status_code == 400
    assert refused.json()["errors"]["ordering"][0]["code"] == "open_orders_only"
    assert client.get(ORDERS, {"ordering": "next_due", "status": "closed"}).status_code == 400
    on_hold = client.get(ORDERS, {"ordering": "-next_due", "status": "on_hold"})
    assert on_hold.status_code == 200


def test_the_count_stops_at_the_cap_and_pages_end_there(client, make, settings):
    # given three orders and a cap of two
    for _ in range(3):
        make.accept()
    settings.ANJU_LIST_COUNT_CAP = 2
    # when the list is read a row a page
    first = client.get(ORDERS, {"page_size": 1}).json()
    # then the count says "at least two", and pages end at the cap
    assert (first["count"], first["count_capped"]) == (2, True)
    assert client.get(ORDERS, {"page_size": 1, "page": 2}).status_code == 200
    beyond = client.get(ORDERS, {"page_size": 1, "page": 3})
    assert beyond.status_code == 404
    settings.ANJU_LIST_COUNT_CAP = 10
    exact = client.get(ORDERS).json()
    assert (exact["count"], exact["count_capped"]) == (3, False)


# --- transitions ---------------------------------------------------------------------------

Body = Callable[[Desk, WorkOrder], dict[str, Any]]


def _deadline() -> str:
    return (timezone.localdate() + timedelta(days=3)).isoformat()


# step: (prepare an order the step suits, body, check the answer)
HAPPY: dict[str, tuple[Callable[[Desk], WorkOrder], Body, Callable[[dict], bool]]] = {
    "dispatch": (
        lambda d: d.accept(),
        lambda d, o: {"department": "engineering", "assignee": d.supervisor.pk},
        lambda b: b["status"] == "dispatched" and b["department"] == "engineering",
    ),
    "start": (lambda d: d.dispatched(), lambda d, o: {}, lambda b: b["status"] == "in_progress"),
    "escalate": (
        lambda d: d.accept(),
        lambda d, o: {"note": "业主很着急"},
        lambda b: b["escalated"] is True,
    ),
    "hold": (
        lambda d: d.dispatched(),
        lambda d, o: {"reason": "owner", "note": "业主出差"},
        lambda b: b["status"] == "on_hold" and b["hold_reason"] == "owner",
    ),
    "resume": (lambda d: d.held(), lambda d, o: {}, lambda b: b["status"] == "dispatched"),
    "merge": (
        lambda d: d.accept(),
        lambda d, o: {"into": d.accept().pk},
        lambda b: b["status"] == "merged" and b["merged_into"],
    ),
    "link": (
        lambda d: d.accept(),
        lambda d, o: {"other": d.accept().pk},
        lambda b: len(b["related"]) == 1,
    ),
    "resolve": (
        lambda d: d.dispatched(),
        lambda d, o: {"note": "已修复"},
        lambda b: b["status"] == "resolved",
    ),
    "close": (lambda d: d.resolved(), lambda d, o: {}, lambda b: b["status"] == "closed"),
    "reopen": (
        lambda d: d.closed(),
        lambda d, o: {"note": "又漏了"},
        lambda b: b["status"] == "dispatched" and b["closed_at"] is None,
    ),
    "investigate": (
        lambda d: d.dispatched("complaint"),
        lambda d, o: {},
        lambda b: "investigation_started" in {e["kind"] for e in b["events"]},
    ),
    "plans": (
        lambda d: d.dispatched("complaint"),
        lambda d, o: {
            "content": "更换防水层",
            "department": "engineering",
            "responsible": d.supervisor.pk,
            "deadline": _deadline(),
        },
        lambda b: b["plans"][0]["status"] == "proposed",
    ),
    "feedback": (
        lambda d: d.dispatched("complaint"),
        lambda d, o: {"channel": "phone", "content": "已告知处理方案", "owner_satisfied": True},
        lambda b: b["feedback"][0]["owner_satisfied"] is True,
    ),
}

# step: (an order in a state where the step is not allowed, body)
NOT_NOW: dict[str, tuple[Callable[[Desk], WorkOrder], Body]] = {
    "dispatch": (
        lambda d: d.closed(),
        lambda d, o: {"department": "engineering", "assignee": d.supervisor.pk},
    ),
    "start": (lambda d: d.accept(), lambda d, o: {}),
    "escalate": (lambda d: d.closed(), lambda d, o: {"note": "x"}),
    "hold": (lambda d: d.accept(), lambda d, o: {"reason": "materials"}),
    "resume": (lambda d: d.dispatched(), lambda d, o: {}),
    "merge": (lambda d: d.closed(), lambda d, o: {"into": d.accept().pk}),
    "link": (lambda d: d.accept(), lambda d, o: {"other": o.pk}),
    "resolve": (lambda d: d.accept(), lambda d, o: {"note": "x"}),
    "close": (lambda d: d.dispatched(), lambda d, o: {}),
    "reopen": (lambda d: d.dispatched(), lambda d, o: {"note": "x"}),
    "investigate": (lambda d: d.dispatched(), lambda d, o: {}),
    "plans": (lambda d: d.dispatched(), HAPPY["plans"][1]),
    "feedback": (lambda d: d.dispatched(), HAPPY["feedback"][1]),
}


@pytest.mark.parametrize("step", sorted(HAPPY))
def test_step_happy_path(client, make, step):
    # given
    prepare, body, check = HAPPY[step]
    order = prepare(make)
    # when
    response = client.post(url(order, step), body(make, order), format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["id"] == order.pk and check(response.json())


@pytest.mark.parametrize("step", sorted(NOT_NOW))
def test_step_not_allowed_now_is_409(client, make, step):
    # given
    prepare, body = NOT_NOW[step]
    order = prepare(make)
    # when
    response = client.post(url(order, step), body(make, order), format="json")
    # then
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_transition" and response.json()["message"]


@pytest.mark.parametrize("step", sorted(HAPPY))
def test_step_on_another_project_is_404(api_client_for, stranger, make, step):
    # given
    prepare, body, _ = HAPPY[step]
    order = prepare(make)
    # when
    response = api_client_for(stranger).post(url(order, step), body(make, order), format="json")
    # then
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("step", sorted(HAPPY))
def test_step_without_permission_is_403(api_client_for, make_user, project, make, step):
    # given a sales consultant: may view and log orders, not work them
    prepare, body, _ = HAPPY[step]
    order = prepare(make)
    sales = api_client_for(make_user("sales_consultant", projects=[project]))
    # when
    response = sales.post(url(order, step), body(make, order), format="json")
    # then
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert sales.get(url(order)).status_code == 200


def test_step_field_errors_keep_the_api_names(client, make, supervisor):
    # given
    order = make.dispatched()
    # when
    bad_dispatch = client.post(url(order, "dispatch"), {"department": "x"}, format="json")
    bad_hold = client.post(url(order, "hold"), {"reason": "lunch"}, format="json")
    no_reason = client.post(url(make.closed(), "reopen"), {}, format="json")
    # then
    codes = {f: [e["code"] for e in es] for f, es in bad_dispatch.json()["errors"].items()}
    assert codes == {"department": ["invalid_choice"], "assignee": ["required"]}
    assert bad_hold.json()["errors"]["reason"][0]["code"] == "invalid_choice"
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"]["note"][0]["code"] == "required"


def test_merge_into_an_order_of_another_project_is_a_field_error(
    client, make, make_user, other_project, leak
):
    # given
    outsider = make_user("front_desk", projects=[other_project])
    theirs, _ = work_order_accept(
        actor=outsider,
        data=WorkOrderInput(
            project_id=other_project.pk,
            type="repair",
            channel="phone",
            description="x",
            category_id=leak.pk,
        ),
    )
    # when
    response = client.post(url(make.accept(), "merge"), {"into": theirs.pk}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["into"][0]["code"] == "does_not_exist"


def test_decide_plan(api_client_for, client, make, manager, stranger):
    # given
    order = make.dispatched("complaint")
    plan = make.plan(order)
    path = f"{url(order)}plans/{plan.pk}/decide/"
    boss = api_client_for(manager)
    # when / then: the desk may not approve; a reject needs a note; the manager approves
    assert client.post(path, {"approve": True}, format="json").status_code == 403
    assert api_client_for(stranger).post(path, {"approve": True}, format="json").status_code == 403
    rejected = boss.post(path, {"approve": False}, format="json")
    assert rejected.json()["errors"]["note"][0]["code"] == "required"
    approved = boss.post(path, {"approve": True, "note": "同意"}, format="json")
    assert approved.status_code == 200 and approved.json()["plans"][0]["status"] == "approved"
    again = boss.post(path, {"approve": True}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    other = make.dispatched("complaint")
    assert boss.post(f"{url(other)}plans/{plan.pk}/decide/", {"approve": True}).status_code == 404


def test_decide_plan_of_another_project_is_404(api_client_for, make, make_user, other_project):
    # given a manager of another project
    order = make.dispatched("complaint")
    plan = make.plan(order)
    boss = api_client_for(make_user("manager", projects=[other_project]))
    # when
    response = boss.post(f"{url(order)}plans/{plan.pk}/decide/", {"approve": True})
    # then
    assert response.status_code == 404


# --- group-complaint alerts, categories, calendar ------------------------------------------


@pytest.fixture
def alert(project, unit, leak, make):
    alert = GroupComplaintAlert.objects.create(
        project=project,
        building=unit.building,
        category=leak,
        scope_key=f"building:{unit.building_id}",
        owner_count=5,
    )
    alert.orders.add(make.accept("complaint"))
    return alert


def test_alerts_list_retrieve_and_scope(api_client_for, manager, stranger, alert):
    # when
    listed = api_client_for(manager).get(ALERTS, {"status": "open"})
    theirs = api_client_for(stranger)
    # then
    row = listed.json()["results"][0]
    assert row["id"] == alert.pk and row["owner_count"] == 5 and len(row["orders"]) == 1
    assert row["category_path"] == "防水渗漏 › 卫生间渗漏"
    assert api_client_for(manager).get(f"{ALERTS}{alert.pk}/").status_code == 200
    assert theirs.get(ALERTS).json()["count"] == 0
    assert theirs.get(f"{ALERTS}{alert.pk}/").status_code == 404


def test_alert_take_and_close(api_client_for, client, manager, make_user, other_project, alert):
    # given
    boss = api_client_for(manager)
    path = f"{ALERTS}{alert.pk}/"
    outsider = api_client_for(make_user("manager", projects=[other_project]))
    # when / then
    assert client.post(f"{path}take/").status_code == 403  # the desk only sees alerts
    assert outsider.post(f"{path}take/").status_code == 404
    taken = boss.post(f"{path}take/", {"note": "约业主代表面谈"}, format="json")
    assert taken.status_code == 200 and taken.json()["status"] == "handling"
    assert boss.post(f"{path}take/").json()["code"] == "invalid_transition"
    closed = boss.post(f"{path}close/", {"note": "已整改"}, format="json")
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert boss.post(f"{path}close/").status_code == 409


def test_service_categories(client):
    # when
    response = client.get("/api/v1/service-categories/")
    # then
    paths = [row["path"] for row in response.json()]
    assert "防水渗漏 › 卫生间渗漏" in paths and paths == sorted(paths)


def test_calendar(client):
    # when
    everything = client.get("/api/v1/calendar/").json()
    year = client.get("/api/v1/calendar/", {"year": 2025}).json()
    unknown = client.get("/api/v1/calendar/", {"year": 2031}).json()
    bad = client.get("/api/v1/calendar/", {"year": "soon"})
    # then
    assert [y["year"] for y in everything if y["loaded"]] == list(range(2020, 2027))
    assert len(year) == 1 and year[0]["loaded"] and year[0]["source"]
    days = {d["date"]: d["kind"] for d in year[0]["days"]}
    assert days["2025-10-01"] == "holiday" and days["2025-09-28"] == "makeup_workday"
    assert unknown == [{"year": 2031, "loaded": False, "source": "", "loaded_at": None, "days": []}]
    assert bad.status_code == 400 and bad.json()["errors"]["year"][0]["code"] == "invalid"
