"""POST /api/v1/work-orders/: a retried request never makes a second order; the error
shape of a refused one carries field codes."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from anju.audit.models import ChangeLog
from anju.servicedesk.models import WorkOrder
from anju.servicedesk.services import WorkOrderInput, work_order_accept

ORDERS = "/api/v1/work-orders/"


@pytest.fixture
def client(api_client_for, desk) -> APIClient:
    return api_client_for(desk)


def post(client: APIClient, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(ORDERS, body, format="json", headers=headers)


def error_codes(response) -> dict[str, list[str]]:
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    return {field: [e["code"] for e in errors] for field, errors in body["errors"].items()}


# --- idempotency ---------------------------------------------------------------------------


def test_create_answers_201_with_the_location_of_the_order(client, payload, desk):
    # when
    response = post(client, payload, key="call-0001")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    order = WorkOrder.objects.get()
    assert body["id"] == order.pk and body["status"] == "accepted"
    assert response["Location"].endswith(f"{ORDERS}{order.pk}/")
    assert body["first_responder"] == desk.pk and body["location"] == "主卫"
    assert {m["kind"] for m in body["milestones"]} == {"dispatch", "response", "completion"}
    assert [e["kind"] for e in body["events"]] == ["accepted"]


def test_a_retry_with_the_same_key_returns_the_first_order(client, payload):
    # given
    first = post(client, payload, key="call-0002")
    # when
    retries = [post(client, payload, key="call-0002") for _ in range(2)]
    # then
    assert [r.status_code for r in retries] == [200, 200]
    assert {r.json()["id"] for r in retries} == {first.json()["id"]}
    assert WorkOrder.objects.count() == 1
    logged = ChangeLog.objects.filter(action="create", object_id=str(first.json()["id"]))
    assert logged.filter(content_type__model="workorder").count() == 1
    assert "idempotency_fingerprint" not in logged.get(content_type__model="workorder").after


def test_the_key_may_come_in_the_body(client, payload):
    # when
    first = post(client, {**payload, "idempotency_key": "body-key"})
    again = post(client, {**payload, "idempotency_key": "body-key"})
    same_in_header = post(client, payload, key="body-key")
    # then
    assert (first.status_code, again.status_code, same_in_header.status_code) == (201, 200, 200)
    assert first.json()["id"] == again.json()["id"] == same_in_header.json()["id"]


def test_a_retry_still_returns_the_order_after_it_moved_on(client, payload, supervisor):
    # given
    order_id = post(client, payload, key="call-0003").json()["id"]
    client.post(
        f"{ORDERS}{order_id}/dispatch/",
        {"department": "engineering", "assignee": supervisor.pk},
        format="json",
    )
    # when
    retry = post(client, payload, key="call-0003")
    # then
    assert retry.status_code == 200 and retry.json()["status"] == "dispatched"


def test_the_same_key_with_another_body_is_409(client, payload):
    # given
    post(client, payload, key="call-0004")
    # when
    response = post(client, {**payload, "description": "厨房漏水"}, key="call-0004")
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "idempotency_conflict" and body["message"]
    assert WorkOrder.objects.count() == 1


def test_without_a_key_two_posts_make_two_orders(client, payload):
    # when
    responses = [post(client, payload) for _ in range(2)]
    # then
    assert [r.status_code for r in responses] == [201, 201]
    assert WorkOrder.objects.count() == 2


def test_keys_belong_to_their_user(client, api_client_for, make_user, project, payload):
    # given
    colleague = api_client_for(make_user("front_desk", projects=[project]))
    first = post(client, payload, key="call-0005")
    # when
    theirs = post(colleague, payload, key="call-0005")
    # then
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]


def test_header_and_body_keys_must_agree(client, payload):
    # when
    response = post(client, {**payload, "idempotency_key": "a"}, key="b")
    # then
    assert response.status_code == 400
    assert error_codes(response) == {"idempotency_key": ["mismatch"]}
    assert post(client, payload, key="k" * 101).status_code == 400


def _input(project, leak, description: str = "卫生间漏水") -> WorkOrderInput:
    return WorkOrderInput(
        project_id=project.pk,
        type="repair",
        channel="phone",
        description=description,
        category_id=leak.pk,
    )


def test_a_second_request_with_the_key_falls_back_on_the_unique_key(desk, project, leak):
    # given a first order (no look-up precedes an INSERT: a retry, like a racing copy,
    # is refused by the unique key and then finds the first order)
    first, created = work_order_accept(
        actor=desk, data=_input(project, leak), idempotency_key="race", fingerprint="f1"
    )
    with CaptureQueriesContext(connection) as captured:
        # when
        again, created_again = work_order_accept(
            actor=desk, data=_input(project, leak), idempotency_key="race", fingerprint="f1"
        )
    # then
    assert created and not created_again and again.pk == first.pk
    assert WorkOrder.objects.count() == 1
    assert any(q["sql"].startswith("INSERT") for q in captured.captured_queries)


def test_a_second_request_with_the_key_and_another_body_is_a_conflict(desk, project, leak):
    # given
    work_order_accept(
        actor=desk, data=_input(project, leak), idempotency_key="race2", fingerprint="f1"
    )
    # when
    with pytest.raises(ValidationError) as refused:
        work_order_accept(
            actor=desk,
            data=_input(project, leak, "别的事"),
            idempotency_key="race2",
            fingerprint="f2",
        )
    # then
    assert refused.value.error_dict["idempotency_key"][0].code == "idempotency_conflict"
    assert WorkOrder.objects.count() == 1


def test_a_retry_that_would_now_be_refused_still_returns_the_first_order(client, payload, leak):
    # given an order, then its category deactivated
    first = post(client, payload, key="call-0007")
    leak.is_active = False
    leak.save()
    # when the same request is retried
    retry = post(client, payload, key="call-0007")
    # then the key's order answers, as before the change
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("key", [None, "fresh-key"])
def test_a_new_request_looks_nothing_up_by_key(desk, project, leak, key):
    with CaptureQueriesContext(connection) as captured:
        work_order_accept(actor=desk, data=_input(project, leak), idempotency_key=key)
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if "idempotency_key" in sql]


# --- refused requests ----------------------------------------------------------------------


def test_a_future_report_time_is_a_field_error(client, payload):
    # when
    response = post(
        client, {**payload, "received_at": (timezone.now() + timedelta(hours=1)).isoformat()}
    )
    # then
    assert response.status_code == 400
    assert error_codes(response) == {"received_at": ["future_time"]}
    assert response.json()["errors"]["received_at"][0]["message"]


def test_missing_and_invalid_fields_have_codes(client, payload, other_project):
    # when
    empty = post(client, {})
    wrong = post(client, {**payload, "type": "wish", "urgency": "now"})
    no_category = post(client, {**payload, "category": None})
    elsewhere = post(client, {**payload, "project": other_project.pk, "unit": None})
    # then
    assert error_codes(empty) == {
        "project": ["required"],
        "type": ["required"],
        "channel": ["required"],
        "description": ["required"],
    }
    assert error_codes(wrong) == {"type": ["invalid_choice"], "urgency": ["invalid_choice"]}
    assert error_codes(no_category) == {"category": ["required"]}
    assert error_codes(elsewhere)["project"] == ["does_not_exist"]
    assert WorkOrder.objects.count() == 0


def test_a_refused_request_with_a_key_can_be_corrected_and_retried(client, payload):
    # given a first attempt refused for a field: nothing was stored under the key
    refused = post(client, {**payload, "category": None}, key="call-0006")
    # when
    retried = post(client, payload, key="call-0006")
    # then
    assert refused.status_code == 400 and retried.status_code == 201


def test_create_permissions(api_client_for, make_user, project, payload):
    # given
    nobody = api_client_for(make_user(None, projects=[project]))
    sales = api_client_for(make_user("sales_consultant", projects=[project]))
    # when / then
    assert APIClient().post(ORDERS, payload, format="json").status_code == 401
    assert post(nobody, payload).status_code == 403
    assert post(sales, payload).status_code == 201
