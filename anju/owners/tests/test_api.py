"""/api/v1/owners/ and /api/v1/ownerships/: token auth, scoping, masking, error shape."""

import json
from datetime import date

import pytest
from rest_framework.test import APIClient

from anju.audit.models import PersonalDataAccess
from anju.core.testing.factories import make_owner
from anju.core.testing.fixtures import PASSWORD
from anju.owners.models import Owner, Ownership
from anju.owners.services import ownership_create
from anju.owners.tests.conftest import ID_18, MOBILE

OWNERS = "/api/v1/owners/"
OWNERSHIPS = "/api/v1/ownerships/"

# Pinned: permissions x2, scope, count, rows (+ owners: phones, units and tags prefetches).
OWNER_LIST_QUERIES = 8
OWNERSHIP_LIST_QUERIES = 5


def error_codes(response) -> dict[str, list[str]]:
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    return {field: [e["code"] for e in errors] for field, errors in body["errors"].items()}


# --- token auth ------------------------------------------------------------------------


def test_token_then_bearer(desk, zhang):
    # given
    client = APIClient()
    # when
    response = client.post(
        "/api/v1/auth/token", {"username": desk.username, "password": PASSWORD}, format="json"
    )
    # then
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = client.get(OWNERS)
    assert listed.status_code == 200 and listed.json()["count"] == 1


def test_wrong_password_is_a_400_with_a_code(desk):
    # when
    response = APIClient().post(
        "/api/v1/auth/token", {"username": desk.username, "password": "wrong"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": ["invalid_credentials"]}


def test_anonymous_and_bad_token_are_401(zhang):
    assert APIClient().get(OWNERS).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    response = client.get(OWNERS)
    assert response.status_code == 401 and response.json()["code"]


# --- owners: read ----------------------------------------------------------------------


def test_list_is_masked_and_scoped(api_client_for, desk, stranger, zhang):
    # when
    mine = api_client_for(desk).get(OWNERS)
    theirs = api_client_for(stranger).get(OWNERS)
    # then
    row = mine.json()["results"][0]
    assert row["name"] == "张三" and row["primary_phone_masked"] == "138****5678"
    assert row["id_number_masked"] == zhang.id_number_masked and row["units"] == ["3-2-1801"]
    assert row["tags"] == ["VIP"] and row["stage"] in {"running_in", "stable"}
    assert "id_number" not in row
    assert MOBILE not in mine.content.decode() and ID_18 not in mine.content.decode()
    assert theirs.json()["count"] == 0


def test_list_filters(api_client_for, desk, zhang, project):
    # given
    make_owner(project, name="李四")
    client = api_client_for(desk)
    # when / then
    assert [r["name"] for r in client.get(OWNERS, {"q": "zs"}).json()["results"]] == ["张三"]
    assert [r["name"] for r in client.get(OWNERS, {"q": MOBILE}).json()["results"]] == ["张三"]
    assert client.get(OWNERS, {"kind": "company"}).json()["count"] == 0
    assert client.get(OWNERS, {"page_size": 1}).json()["next"]


def test_without_permission_is_403(api_client_for, project, make_user, zhang):
    # given a user of the project with no role
    client = api_client_for(make_user(None, projects=[project]))
    ownership = zhang.ownerships.get()
    # when / then
    for url in (OWNERS, f"{OWNERS}{zhang.pk}/", OWNERSHIPS, f"{OWNERSHIPS}{ownership.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.post(OWNERS, {"name": "x"}, format="json").status_code == 403
    assert APIClient().get(OWNERSHIPS).status_code == 401


def test_read_only_role_cannot_write(api_client_for, project, make_user, zhang):
    # given a repair supervisor: may view owners, not change them
    client = api_client_for(make_user("repair_supervisor", projects=[project]))
    # when / then
    assert client.get(f"{OWNERS}{zhang.pk}/").status_code == 200
    assert client.patch(f"{OWNERS}{zhang.pk}/", {"name": "x"}, format="json").status_code == 403
    response = client.patch(
        f"{OWNERSHIPS}{zhang.ownerships.get().pk}/", {"share": "50"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("rows", [2, 10])
def test_list_query_count_is_pinned(
    api_client_for, desk, project, make_unit, rows, django_assert_num_queries
):
    # given
    for index in range(rows):
        owner = make_owner(project, tags=["VIP"])
        ownership_create(actor=None, owner=owner, unit=make_unit(project, f"9-1-{index + 1}01"))
    client = api_client_for(desk)
    # when / then
    with django_assert_num_queries(OWNER_LIST_QUERIES):
        response = client.get(OWNERS)
    assert len(response.json()["results"]) == rows


def test_retrieve_shows_phones_masked_and_ownerships(api_client_for, desk, zhang):
    # when
    body = api_client_for(desk).get(f"{OWNERS}{zhang.pk}/").json()
    # then
    assert body["phones"] == [
        {
            "id": zhang.phones.get().pk,
            "kind": "mobile",
            "label": "",
            "number_masked": "138****5678",
            "is_primary": True,
        }
    ]
    assert body["ownerships"][0]["unit_code"] == "3-2-1801"
    assert body["ownerships"][0]["status"] == "handed_over"
    assert MOBILE not in json.dumps(body) and ID_18 not in json.dumps(body)


def test_another_projects_owner_is_404(api_client_for, stranger, zhang):
    client = api_client_for(stranger)
    response = client.get(f"{OWNERS}{zhang.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.patch(f"{OWNERS}{zhang.pk}/", {"name": "x"}, format="json").status_code == 404


# --- owners: write ---------------------------------------------------------------------


def test_create_owner(api_client_for, desk, project):
    # when
    response = api_client_for(desk).post(
        OWNERS,
        {
            "project": project.pk,
            "name": "王小明",
            "id_number": ID_18,
            "phones": [
                {"number": "139 0000 1111", "label": "本人", "is_primary": True},
                {"number": "0755-86012345"},
            ],
            "tags": ["VIP"],
            "consent_sms": True,
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["gender"] == "M" and body["birth_date"] == "1985-03-12"
    assert [p["number_masked"] for p in body["phones"]] == ["139****1111", "0755-****2345"]
    assert "id_number" not in body and ID_18 not in response.content.decode()
    assert Owner.objects.get(pk=body["id"]).events.get().actor == desk


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"id_number": ID_18[:-1] + ("0" if ID_18[-1] != "0" else "1")},
            {"id_number": ["id_checksum"]},
        ),
        ({"phones": [{"number": "12345678901"}]}, {"phones": ["phone_unallocated_prefix"]}),
        ({"gender": "F"}, {"gender": ["id_gender_mismatch"]}),
        ({"kind": "company"}, {"id_type": ["id_type"]}),
        ({"name": ""}, {"name": ["blank"]}),
        ({"phones": [{"label": "x"}]}, {"phones.0.number": ["required"]}),
    ],
)
def test_create_errors_carry_field_codes(api_client_for, desk, project, payload, expected):
    # when
    response = api_client_for(desk).post(
        OWNERS,
        {"project": project.pk, "name": "王小明", "id_number": ID_18, **payload},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert error_codes(response) == expected


def test_create_in_an_invisible_project_is_refused(api_client_for, desk, other_project):
    response = api_client_for(desk).post(
        OWNERS, {"project": other_project.pk, "name": "王小明", "id_number": ID_18}, format="json"
    )
    assert error_codes(response) == {"project": ["does_not_exist"]}


def test_partial_update_keeps_what_is_not_sent(api_client_for, desk, zhang):
    # given
    cipher = zhang.id_number_cipher
    # when
    response = api_client_for(desk).patch(
        f"{OWNERS}{zhang.pk}/", {"name": "张三丰", "special_needs": "轮椅"}, format="json"
    )
    # then
    assert response.status_code == 200, response.json()
    zhang.refresh_from_db()
    assert (zhang.name, zhang.special_needs, zhang.gender) == ("张三丰", "轮椅", "M")
    assert zhang.birth_date == date(1985, 3, 12) and zhang.id_number_cipher == cipher
    assert zhang.phones.get().number_masked == "138****5678"
    assert list(zhang.tags.values_list("name", flat=True)) == ["VIP"]


def test_update_replaces_phones(api_client_for, desk, zhang, project):
    response = api_client_for(desk).put(
        f"{OWNERS}{zhang.pk}/",
        {"project": project.pk, "name": "张三", "phones": [{"number": "13900001111"}]},
        format="json",
    )
    assert response.status_code == 200
    assert [p["number_masked"] for p in response.json()["phones"]] == ["139****1111"]


# --- reveal ----------------------------------------------------------------------------


def test_reveal_returns_clear_values_and_logs(api_client_for, desk, zhang):
    # when
    response = api_client_for(desk).post(
        f"{OWNERS}{zhang.pk}/reveal/", {"reason": "业主来电核对"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"id_number": ID_18, "phones": [{"label": "", "number": MOBILE}]}
    assert response["Cache-Control"] == "no-store"
    assert PersonalDataAccess.objects.get().reason == "业主来电核对"


def test_reveal_rules(api_client_for, project, make_user, desk, stranger, zhang):
    url = f"{OWNERS}{zhang.pk}/reveal/"
    sales = make_user("sales_consultant", projects=[project])
    assert api_client_for(sales).post(url, {"reason": "x x"}).status_code == 403
    assert api_client_for(stranger).post(url, {"reason": "核对"}).status_code == 404
    assert error_codes(api_client_for(desk).post(url, {"reason": " "})) == {"reason": ["blank"]}
    assert error_codes(api_client_for(desk).post(url, {"reason": "x"})) == {
        "reason": ["reason_required"]
    }
    assert not PersonalDataAccess.objects.exists()


# --- ownerships ------------------------------------------------------------------------


def test_ownership_list_filters_and_scoping(
    api_client_for, desk, stranger, zhang, project, make_unit
):
    # given
    other = make_owner(project)
    ownership_create(actor=None, owner=other, unit=make_unit(project, "3-2-1802"))
    client = api_client_for(desk)
    # when / then
    assert client.get(OWNERSHIPS).json()["count"] == 2
    rows = client.get(OWNERSHIPS, {"owner": zhang.pk}).json()["results"]
    assert [r["unit_code"] for r in rows] == ["3-2-1801"]
    assert client.get(OWNERSHIPS, {"status": "handed_over"}).json()["count"] == 1
    assert api_client_for(stranger).get(OWNERSHIPS).json()["count"] == 0
    ownership = zhang.ownerships.get()
    assert api_client_for(stranger).get(f"{OWNERSHIPS}{ownership.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [2, 10])
def test_ownership_list_query_count_is_pinned(
    api_client_for, desk, project, make_unit, rows, django_assert_num_queries
):
    owner = make_owner(project)
    for index in range(rows):
        ownership_create(
            actor=None, owner=owner, unit=make_unit(project, f"9-1-{index + 1}01"), share=10
        )
    with django_assert_num_queries(OWNERSHIP_LIST_QUERIES):
        response = api_client_for(desk).get(OWNERSHIPS)
    assert response.json()["count"] == rows


def test_create_and_update_an_ownership(api_client_for, desk, zhang, project, make_unit):
    # given
    unit = make_unit(project, "5-1-0601")
    client = api_client_for(desk)
    # when
    created = client.post(
        OWNERSHIPS,
        {"owner": zhang.pk, "unit": unit.pk, "share": "50", "contract_date": "2024-01-05"},
        format="json",
    )
    # then
    assert created.status_code == 201, created.json()
    assert created.json()["unit_code"] == "5-1-0601" and created.json()["share"] == "50.00"
    updated = client.patch(
        f"{OWNERSHIPS}{created.json()['id']}/",
        {"status": "handed_over", "handover_date": "2025-01-10"},
        format="json",
    )
    assert updated.status_code == 200 and updated.json()["status"] == "handed_over"
    assert Ownership.objects.get(pk=created.json()["id"]).handover_date == date(2025, 1, 10)


def test_ownership_errors(api_client_for, desk, zhang, project, other_project, make_unit):
    # given
    client = api_client_for(desk)
    taken = zhang.ownerships.get().unit
    invisible = make_unit(other_project, "1-1-0101")
    # when / then
    response = client.post(
        OWNERSHIPS,
        {"owner": make_owner(project).pk, "unit": taken.pk, "share": "10"},
        format="json",
    )
    assert error_codes(response) == {"share": ["share_exceeded"]}
    response = client.post(OWNERSHIPS, {"owner": zhang.pk, "unit": invisible.pk}, format="json")
    assert error_codes(response) == {"unit": ["does_not_exist"]}
    response = client.patch(
        f"{OWNERSHIPS}{zhang.ownerships.get().pk}/", {"contract_date": "2025-12-01"}, format="json"
    )
    assert error_codes(response) == {"handover_date": ["date_order"]}


# --- schema ----------------------------------------------------------------------------


def test_schema_documents_the_owner_api(api_client_for, desk):
    # when
    response = api_client_for(desk).get("/api/schema/", {"format": "json"})
    # then
    schema = json.loads(response.content)
    paths = schema["paths"]
    for path in (
        "/api/v1/owners/",
        "/api/v1/owners/{id}/",
        "/api/v1/owners/{id}/reveal/",
        "/api/v1/ownerships/",
        "/api/v1/ownerships/{id}/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/owners/"]["get"]["parameters"]}
    assert {"q", "stage", "project", "building", "page", "page_size"} <= params
    request = schema["components"]["schemas"]["OwnerWriteRequest"]["properties"]
    assert "id_number" in request and "phones" in request
    read = schema["components"]["schemas"]["OwnerDetail"]["properties"]
    assert "id_number_masked" in read and "id_number" not in read
