"""Owner forms and actions: create, edit, reveal, ownerships, export."""

import io

import pytest
from django.urls import reverse

from anju.audit.models import PersonalDataAccess
from anju.core.testing.factories import make_owner
from anju.owners.models import Owner, OwnerEvent, Ownership
from anju.owners.services import ownership_create
from anju.owners.tests.conftest import ID_18, MOBILE, as_user, grant

# --- create and edit -------------------------------------------------------------------


def owner_post(project, **overrides):
    data = {
        "project": project.pk,
        "kind": "person",
        "name": "王小明",
        "gender": "",
        "birth_date": "",
        "id_type": "resident_id",
        "id_number": ID_18,
        "phone_0_number": MOBILE,
        "phone_0_label": "本人",
        "primary_phone": "0",
        "email": "",
        "address": "深圳市南山区",
        "preferences": "",
        "special_needs": "轮椅",
        "tags": "VIP\uff0c老人",
        "consent_sms": "on",
    }
    data.update(overrides)
    return data


def test_create_owner(client, desk, project):
    # when
    response = as_user(client, desk).post(reverse("owners:create"), owner_post(project))
    # then
    owner = Owner.objects.get(name="王小明")
    assert response.status_code == 302
    assert response["Location"] == reverse("owners:detail", args=[owner.pk])
    assert owner.gender == "M" and owner.consent_sms and not owner.consent_email
    assert sorted(owner.tags.values_list("name", flat=True)) == ["VIP", "老人"]
    assert owner.phones.get().label == "本人"
    assert owner.events.get().actor == desk


def test_create_shows_the_service_errors_on_the_fields(client, desk, project):
    # when
    bad_id = ID_18[:-1] + ("0" if ID_18[-1] != "0" else "1")
    response = as_user(client, desk).post(
        reverse("owners:create"), owner_post(project, id_number=bad_id, gender="F")
    )
    # then
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors.as_data()["id_number"][0].code == "id_checksum"
    assert not Owner.objects.exists()


def test_create_in_another_project_is_refused(client, desk, other_project):
    response = as_user(client, desk).post(reverse("owners:create"), owner_post(other_project))
    assert response.status_code == 200 and "project" in response.context["form"].errors


def test_edit_never_prefills_the_id_and_keeps_it_when_blank(client, desk, zhang, project):
    # given
    as_user(client, desk)
    url = reverse("owners:edit", args=[zhang.pk])
    page = client.get(url).content.decode()
    assert ID_18 not in page and MOBILE not in page and zhang.id_number_masked in page
    cipher = zhang.id_number_cipher
    # when
    response = client.post(
        url,
        owner_post(
            project,
            name="张三",
            id_number="",
            phone_0_number="",
            phone_1_number="13900001111",
            gender="M",
            birth_date="1985-03-12",
        ),
    )
    # then
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.id_number_cipher == cipher
    assert list(zhang.phones.values_list("number_masked", "label", "is_primary")) == [
        ("138****5678", "本人", True),
        ("139****1111", "", False),
    ]


def test_edit_can_remove_a_phone(client, desk, zhang, project):
    # given
    as_user(client, desk)
    # when
    client.post(
        reverse("owners:edit", args=[zhang.pk]),
        owner_post(
            project,
            name="张三",
            id_number="",
            phone_0_number="",
            phone_0_remove="on",
            phone_1_number="13900001111",
            primary_phone="1",
            gender="M",
            birth_date="1985-03-12",
        ),
    )
    # then
    assert list(zhang.phones.values_list("number_masked", "is_primary")) == [("139****1111", True)]


# --- reveal ----------------------------------------------------------------------------


def test_reveal_asks_for_a_reason_then_shows_the_clear_values_once(client, desk, zhang):
    # given
    as_user(client, desk)
    url = reverse("owners:reveal", args=[zhang.pk])
    form_page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="reveal-form"' in form_page and 'name="reason"' in form_page
    # when
    response = client.post(url, {"reason": "业主来电核对身份"}, HTTP_HX_REQUEST="true")
    # then
    html = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert 'id="revealed-id-number"' in html and ID_18 in html and MOBILE in html
    assert "本次查看已记录" in html
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.reason, access.subject_id) == (
        desk,
        "业主来电核对身份",
        str(zhang.pk),
    )
    assert zhang.events.filter(kind=OwnerEvent.Kind.PERSONAL_DATA_REVEALED).exists()


def test_reveal_without_htmx_renders_a_page(client, desk, zhang):
    response = as_user(client, desk).post(
        reverse("owners:reveal", args=[zhang.pk]), {"reason": "核对"}
    )
    assert "<html" in response.content.decode() and ID_18 in response.content.decode()


def test_reveal_without_a_reason_is_refused(client, desk, zhang):
    # when
    response = as_user(client, desk).post(
        reverse("owners:reveal", args=[zhang.pk]), {"reason": " "}
    )
    # then
    assert ID_18 not in response.content.decode()
    assert "reason" in response.context["form"].errors
    assert not PersonalDataAccess.objects.exists()


def test_reveal_of_another_projects_owner_is_not_found(client, stranger, zhang):
    response = as_user(client, stranger).post(
        reverse("owners:reveal", args=[zhang.pk]), {"reason": "核对"}
    )
    assert response.status_code == 404 and not PersonalDataAccess.objects.exists()


# --- ownerships ------------------------------------------------------------------------


def test_unit_options_lists_visible_units_by_prefix(
    client, desk, project, other_project, make_unit
):
    # given
    mine = make_unit(project, "3-2-1801")
    theirs = make_unit(other_project, "3-2-1802")
    # when
    html = (
        as_user(client, desk)
        .get(reverse("owners:unit_options"), {"unit_q": "3-2-18"})
        .content.decode()
    )
    # then
    assert f'value="{mine.pk}"' in html and f'value="{theirs.pk}"' not in html


def test_add_and_edit_an_ownership(client, desk, zhang, project, make_unit):
    # given
    unit = make_unit(project, "3-2-1802")
    as_user(client, desk)
    # when
    response = client.post(
        reverse("owners:ownership_add", args=[zhang.pk]),
        {
            "unit": unit.pk,
            "share": "100",
            "status": "contracted",
            "contract_date": "2024-03-01",
        },
    )
    # then
    assert response.status_code == 302
    ownership = Ownership.objects.get(unit=unit)
    response = client.post(
        reverse("owners:ownership_edit", args=[ownership.pk]),
        {
            "share": "100",
            "status": "handed_over",
            "contract_date": "2024-03-01",
            "handover_date": "2025-01-10",
        },
    )
    assert response.status_code == 302
    ownership.refresh_from_db()
    assert ownership.status == "handed_over"


def test_ownership_form_shows_service_errors(client, desk, zhang, project, make_unit):
    # given a unit fully held by someone else
    unit = make_unit(project, "3-2-1803")
    ownership_create(actor=None, owner=make_owner(project), unit=unit)
    # when
    response = as_user(client, desk).post(
        reverse("owners:ownership_add", args=[zhang.pk]),
        {"unit": unit.pk, "share": "10", "status": "contracted"},
    )
    # then
    assert response.context["form"].errors.as_data()["share"][0].code == "share_exceeded"


def test_ownership_of_an_invisible_unit_is_refused(client, desk, zhang, other_project, make_unit):
    unit = make_unit(other_project, "3-2-1801")
    response = as_user(client, desk).post(
        reverse("owners:ownership_add", args=[zhang.pk]),
        {"unit": unit.pk, "share": "100", "status": "contracted"},
    )
    assert "unit" in response.context["form"].errors
    assert not Ownership.objects.filter(unit=unit).exists()


def test_ownership_edit_of_another_project_is_not_found(client, stranger, zhang):
    ownership = zhang.ownerships.get()
    response = as_user(client, stranger).get(reverse("owners:ownership_edit", args=[ownership.pk]))
    assert response.status_code == 404


# --- export ----------------------------------------------------------------------------


def test_export_needs_the_permission(client, desk):
    response = as_user(client, desk).get(reverse("owners:export"))
    assert response.status_code == 403


def test_export_downloads_the_filtered_list_masked(client, desk, zhang, project):
    openpyxl = pytest.importorskip("openpyxl")
    # given
    make_owner(project, name="李四")
    grant(desk, "owners.export_owners")
    # when
    response = as_user(client, desk).get(
        reverse("owners:export"), {"q": MOBILE, "reason": "月度回访"}
    )
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "张三" in cells and "李四" not in cells
    assert "138****5678" in cells and MOBILE not in cells and ID_18 not in cells
    access = PersonalDataAccess.objects.get(action="export")
    assert (access.reason, access.in_clear, access.record_count) == ("月度回访", False, 1)
    assert MOBILE not in access.subject_repr


def test_export_in_clear_needs_a_reason(client, desk, zhang):
    # given
    grant(desk, "owners.export_owners", "owners.export_personal_data_clear")
    # when
    response = as_user(client, desk).get(reverse("owners:export"), {"kind": "person"})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("owners:list") + "?kind=person"
    assert not PersonalDataAccess.objects.exists()


def test_export_of_another_project_contains_none_of_ours(client, stranger, zhang):
    openpyxl = pytest.importorskip("openpyxl")
    grant(stranger, "owners.export_owners")
    response = as_user(client, stranger).get(reverse("owners:export"), {"reason": "核对"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1
