"""Who an order may name: its owner belongs to its project, and whoever is made
responsible can open it; the API tells nobody who works where."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from anju.core.testing.factories import make_owner
from anju.servicedesk.models import WorkOrder
from anju.servicedesk.services import work_order_accept, work_order_dispatch

ORDERS = "/api/v1/work-orders/"


@pytest.fixture
def auditor(make_user: Any) -> Any:
    return make_user("auditor")


@pytest.fixture
def order(accept: Any) -> WorkOrder:
    return accept()


def test_an_owner_of_another_project_cannot_be_the_owner_of_an_order(
    make_user, project, other_project, repair_input
):
    # given a front desk of two projects, and an owner registered only in the other one
    desk = make_user("front_desk", projects=[project, other_project])
    elsewhere = make_owner(other_project, name="外项目业主")
    # when the desk logs an order in this project for that owner
    with pytest.raises(ValidationError) as refused:
        work_order_accept(actor=desk, data=repair_input(owner_id=elsewhere.pk))
    # then it is refused on the owner field, as a missing owner would be
    assert refused.value.message_dict["owner"] == ["请选择本项目的业主。"]
    assert not WorkOrder.objects.exists()


def test_the_owner_of_the_project_is_accepted(desk, repair_input, owner):
    order, created = work_order_accept(actor=desk, data=repair_input())
    assert created and order.owner_id == owner.pk


def test_an_auditor_cannot_be_made_responsible(
    api_client_for, desk, order, auditor, payload, repair_input
):
    # given an auditor: every project in sight, but no right to open work orders
    client = api_client_for(desk)
    # when the desk names them first responder, or dispatches to them
    created = client.post(ORDERS, {**payload, "first_responder": auditor.pk}, format="json")
    dispatched = client.post(
        f"{ORDERS}{order.pk}/dispatch/",
        {"department": "engineering", "assignee": auditor.pk},
        format="json",
    )
    # then both are refused: they would be told about an order they cannot open
    assert created.status_code == 400, created.content
    assert "first_responder" in created.json()["errors"]
    assert dispatched.status_code == 400, dispatched.content
    assert "assignee" in dispatched.json()["errors"]
    with pytest.raises(ValidationError) as refused:
        work_order_dispatch(actor=desk, order=order, department="engineering", assignee=auditor)
    assert "assignee" in refused.value.message_dict


def test_the_api_answers_a_person_of_another_project_as_a_missing_id(
    api_client_for, desk, order, make_user, other_project
):
    # given a supervisor of a project the desk does not work on
    elsewhere = make_user("repair_supervisor", projects=[other_project])
    client = api_client_for(desk)

    def dispatch_to(person_id: int) -> Any:
        body = {"department": "engineering", "assignee": person_id}
        return client.post(f"{ORDERS}{order.pk}/dispatch/", body, format="json")

    # when the desk dispatches to them, and to an id nobody has
    theirs, missing = dispatch_to(elsewhere.pk), dispatch_to(10**9)
    # then the two answers say the same, apart from the id
    assert theirs.status_code == missing.status_code == 400
    codes = [error["code"] for error in theirs.json()["errors"]["assignee"]]
    assert codes == [error["code"] for error in missing.json()["errors"]["assignee"]]
    assert codes == ["does_not_exist"]


def test_a_colleague_of_the_project_can_be_dispatched_to(api_client_for, desk, order, supervisor):
    body = {"department": "engineering", "assignee": supervisor.pk}
    response = api_client_for(desk).post(f"{ORDERS}{order.pk}/dispatch/", body, format="json")
    assert response.status_code == 200, response.content


def test_an_inactive_first_responder_is_refused(desk, repair_input, make_user, project):
    gone = make_user("front_desk", projects=[project])
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        work_order_accept(actor=desk, data=repair_input(first_responder_id=gone.pk))
    assert "first_responder" in refused.value.message_dict


def test_a_colleague_first_responder_is_recorded(desk, repair_input, make_user, project):
    consultant = make_user("sales_consultant", projects=[project])
    order, _ = work_order_accept(actor=desk, data=repair_input(first_responder_id=consultant.pk))
    assert order.first_responder_id == consultant.pk
