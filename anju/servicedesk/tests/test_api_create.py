"""POST /api/v1/work-orders/ answers from what it just wrote: the body is the retrieve's,
the order is written once with its SLA summary, and the statements are pinned."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from anju.servicedesk import calendar, sla
from anju.servicedesk.calendar import working_calendar
from anju.servicedesk.models import Category, SlaPolicy, WorkOrder
from anju.servicedesk.services import WorkOrderInput, work_order_accept
from anju.servicedesk.sla import refresh_sla_summary, sla_config

ORDERS = "/api/v1/work-orders/"
SUMMARY = ("next_due_at", "sla_at_risk_from", "sla_breach_from")
# Pinned, as the benchmark's requests run them (bearer token, nothing cached on the user):
# the token with its user (1), permissions (2), SAVEPOINT, the links (unit
# with its building, owner, project and owner visibility: one statement), INSERT order,
# INSERT milestones, change log, event, RELEASE (outside a test: BEGIN … COMMIT instead of
# the savepoint pair). The category, its ancestors and the SLA policies come from the
# process's configuration (sla_config).
REPAIR_CREATE_QUERIES = 10
# + the building's open group-complaint alert (none here), then the complaints in the
# group-complaint window of the building and, as it does not pass, of its phase (each an
# index range, D14); the building comes with the unit.
COMPLAINT_CREATE_QUERIES = 13


@pytest.fixture
def bearer(desk) -> APIClient:
    """A client that authenticates as the benchmark does: each request loads the user."""
    _row, token = AuthToken.objects.create(desk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def frozen_now():
    """One `now` for the create and the retrieve, so the clocks' seconds agree."""
    now = timezone.now().replace(microsecond=123456)
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield now


def _complaint(payload: dict[str, Any], **fields: Any) -> dict[str, Any]:
    service = Category.objects.filter(children__isnull=True, path__startswith="服务").first()
    return {**payload, "type": "complaint", "category": service.pk, **fields}


@pytest.mark.parametrize(
    "kind", ["repair", "urgent_complaint", "enquiry_without_links", "urgent_repair"]
)
def test_the_create_answers_the_body_a_retrieve_shows(
    api_client_for, desk, manager, payload, frozen_now, kind
):
    # given
    client = api_client_for(desk)
    body = {
        "repair": payload,
        "urgent_complaint": _complaint(payload, urgency="urgent"),
        "enquiry_without_links": {
            "project": payload["project"],
            "type": "enquiry",
            "channel": "wechat",
            "description": "咨询办证进度",
        },
        "urgent_repair": {**payload, "urgency": "urgent", "received_at": "2025-01-06T09:00:00Z"},
    }[kind]
    # when
    created = client.post(ORDERS, body, format="json", headers={"Idempotency-Key": kind})
    # then
    assert created.status_code == 201, created.content
    retrieved = client.get(f"{ORDERS}{created.json()['id']}/")
    assert created.json() == retrieved.json()
    if kind == "urgent_complaint":
        assert [e["kind"] for e in created.json()["events"]] == ["emergency", "accepted"]


@pytest.mark.parametrize("type", ["repair", "complaint", "enquiry"])
def test_the_stored_sla_summary_is_the_one_refresh_computes(desk, project, owner, unit, leak, type):
    # given a request accepted (its policy's milestones start with it)
    category = leak if type == "repair" else None
    order, _ = work_order_accept(
        actor=desk,
        data=WorkOrderInput(
            project_id=project.pk,
            type=type,
            channel="phone",
            description="卫生间漏水",
            owner_id=owner.pk,
            unit_id=unit.pk,
            category_id=category.pk if category else None,
        ),
    )
    stored = WorkOrder.objects.values(*SUMMARY).get(pk=order.pk)
    # when the summary is recomputed from the milestones in the database
    refresh_sla_summary(WorkOrder.objects.filter(pk=order.pk))
    # then it is what the create stored
    assert WorkOrder.objects.values(*SUMMARY).get(pk=order.pk) == stored
    assert stored["next_due_at"] is not None and stored["sla_at_risk_from"] is not None


def test_the_order_is_written_once_with_its_policy(bearer, payload):
    # when
    with CaptureQueriesContext(connection) as captured:
        response = bearer.post(ORDERS, payload, format="json")
    # then no UPDATE follows the INSERT, and nothing is read back after the writes
    assert response.status_code == 201
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    assert "UPDATE" not in statements
    assert statements[-1] in ("RELEASE", "COMMIT")
    order = WorkOrder.objects.get(pk=response.json()["id"])
    assert order.sla_policy is not None and response.json()["sla_policy"] == order.sla_policy_id


def _warm() -> None:
    """The process's configuration and calendar are loaded, as after its first create."""
    sla_config()
    working_calendar()


def test_a_repair_create_runs_the_pinned_statements(bearer, payload, django_assert_num_queries):
    _warm()
    with django_assert_num_queries(REPAIR_CREATE_QUERIES):
        response = bearer.post(ORDERS, payload, format="json", headers={"Idempotency-Key": "k1"})
    assert response.status_code == 201


def test_a_complaint_create_runs_the_pinned_statements(bearer, payload, django_assert_num_queries):
    _warm()
    body = _complaint(payload)
    with django_assert_num_queries(COMPLAINT_CREATE_QUERIES):
        response = bearer.post(ORDERS, body, format="json", headers={"Idempotency-Key": "k2"})
    assert response.status_code == 201


def test_a_create_reads_the_calendar_once_for_its_deadlines_and_its_answer(bearer, payload):
    # given the calendar's version is read through the shared cache (Redis at scale)
    _warm()
    version = mock.patch.object(calendar, "calendar_version", wraps=calendar.calendar_version)
    # when a repair with clocks is created through the API
    with version as read:
        response = bearer.post(ORDERS, payload, format="json")
    # then its deadlines and the answer's milestone states share one read
    assert response.status_code == 201
    assert response.json()["milestones"]
    assert read.call_count == 1


# --- the configuration cache --------------------------------------------------------------


def test_a_policy_change_reaches_the_next_create(api_client_for, desk, payload, leak):
    # given a create that loaded the configuration
    client = api_client_for(desk)
    first = client.post(ORDERS, payload, format="json").json()
    # when an administrator adds a policy for this very category
    policy = SlaPolicy.objects.create(name="卫生间渗漏", work_order_type="repair", category=leak)
    policy.targets.create(milestone="completion", clock="working_days", amount=2)
    # then the next create uses it
    second = client.post(ORDERS, payload, format="json").json()
    assert second["sla_policy"] == policy.pk != first["sla_policy"]
    assert [m["kind"] for m in second["milestones"]] == ["completion"]


def test_a_deactivated_category_is_refused_at_once(api_client_for, desk, payload, leak):
    # given
    client = api_client_for(desk)
    assert client.post(ORDERS, payload, format="json").status_code == 201
    # when
    leak.is_active = False
    leak.save()
    # then
    refused = client.post(ORDERS, payload, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["category"][0]["code"] == "does_not_exist"


def test_a_change_committed_elsewhere_is_seen_through_the_shared_token(db):
    # given this process's configuration
    before = sla_config()
    assert sla_config() is before
    # when another process commits a change (its commit puts a new token in the cache)
    sla._new_config_token()
    # then this process reloads
    assert sla_config() is not before


def test_the_configuration_is_reloaded_after_its_maximum_age(db):
    # given a copy older than CONFIG_MAX_AGE (with a cache per process, a change made in
    # another process never reaches this one's token)
    before = sla_config()
    assert sla._cached is not None
    token, loaded_at, config = sla._cached
    sla._cached = (token, loaded_at - sla.CONFIG_MAX_AGE - 1, config)
    # then
    assert sla_config() is not before


def test_a_future_report_time_is_still_refused(api_client_for, desk, payload):
    response = api_client_for(desk).post(
        ORDERS,
        {**payload, "received_at": (timezone.now() + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400


def test_the_schema_of_the_answer_is_unchanged(api_client_for, desk):
    # when
    schema = api_client_for(desk).get("/api/schema/", {"format": "json"}).json()
    # then next_due_at (now a stored column) is documented as before, and the read
    # serializers' shared base lends them no description
    detail = schema["components"]["schemas"]["WorkOrderDetail"]
    assert detail["properties"]["next_due_at"] == {
        "type": "string",
        "format": "date-time",
        "readOnly": True,
        "nullable": True,
    }
    create = schema["paths"][ORDERS]["post"]["responses"]
    assert create["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WorkOrderDetail"
    }
    assert "description" not in schema["components"]["schemas"]["Event"]
