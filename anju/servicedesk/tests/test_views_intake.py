"""Intake page: the front desk logs a request fast, with the owner found by phone."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anju.core.testing.factories import UnitFactory
from anju.servicedesk.models import WorkOrder, WorkOrderEvent

PAGES = ["servicedesk:create", "servicedesk:owner_options", "servicedesk:unit_options"]


def as_user(client, user):
    client.force_login(user)
    return client


def post_data(project, owner, unit, category, **overrides):
    data = {
        "project": project.pk,
        "owner": owner.pk if owner else "",
        "unit": unit.pk if unit else "",
        "type": "repair",
        "channel": "phone",
        "category": category.pk if category else "",
        "location": "主卫",
        "urgency": "normal",
        "description": "卫生间天花板漏水",
        "idempotency_key": "web-test-1",
    }
    data.update(overrides)
    return data


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_without_permission_is_forbidden(client, project, make_user, name):
    # given a user of the project with a role that may not log orders
    contractor = make_user("contractor", projects=[project])
    # when / then
    assert as_user(client, contractor).get(reverse(name)).status_code == 403


def test_starting_from_another_projects_owner_is_not_found(client, make_user, other_project, owner):
    stranger = make_user("front_desk", projects=[other_project])
    response = as_user(client, stranger).get(reverse("servicedesk:create"), {"owner": owner.pk})
    assert response.status_code == 404


# --- the form ----------------------------------------------------------------------------


def test_the_form_opens_ready_for_a_phone_call(client, desk, project):
    # when
    response = as_user(client, desk).get(reverse("servicedesk:create"))
    # then the project, channel and type are preset and the desk is the first responder
    html = response.content.decode()
    form = response.context["form"]
    assert response.status_code == 200
    assert form["project"].value() == project.pk and form["channel"].value() == "phone"
    assert form["type"].value() == "repair" and form["received_at"].value() is not None
    for marker in ('id="work-order-form"', 'id="owner-search"', 'id="accept-button"'):
        assert marker in html
    assert f'id="first-responder">{desk}<' in html


def test_starting_from_an_owner_preselects_owner_and_unit(client, desk, owner, unit):
    response = as_user(client, desk).get(reverse("servicedesk:create"), {"owner": owner.pk})
    html = response.content.decode()
    assert f'value="{owner.pk}"' in html and "owner-option" in html and " checked" in html
    assert response.context["form"]["unit"].value() == unit.pk


def test_owner_search_by_phone_renders_radio_options(client, desk, owner):
    # when the desk types the caller's number
    response = as_user(client, desk).get(
        reverse("servicedesk:owner_options"), {"owner_q": "138 0013 8000"}
    )
    # then the owner comes back as a radio option, phone masked
    html = response.content.decode()
    assert 'class="form-check-input mt-1 owner-option"' in html
    assert f'value="{owner.pk}"' in html and "张三" in html
    assert "13800138000" not in html


def test_owner_search_by_name_and_scoping(client, desk, make_user, other_project, owner):
    found = as_user(client, desk).get(reverse("servicedesk:owner_options"), {"owner_q": "张三"})
    assert f'value="{owner.pk}"' in found.content.decode()
    stranger = make_user("front_desk", projects=[other_project])
    hidden = as_user(client, stranger).get(
        reverse("servicedesk:owner_options"), {"owner_q": "13800138000"}
    )
    assert "owner-option" not in hidden.content.decode()


def test_unit_options_list_the_owners_units(client, desk, owner, unit):
    response = as_user(client, desk).get(reverse("servicedesk:unit_options"), {"owner": owner.pk})
    html = response.content.decode()
    assert f'value="{unit.pk}"' in html and unit.code in html and "selected" in html


# --- accepting ---------------------------------------------------------------------------


def test_accepting_a_phone_repair_goes_to_the_order(client, desk, project, owner, unit, leak):
    # when
    response = as_user(client, desk).post(
        reverse("servicedesk:create"), post_data(project, owner, unit, leak)
    )
    # then
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("servicedesk:detail", args=[order.pk])
    assert (order.owner, order.unit, order.category) == (owner, unit, leak)
    assert order.first_responder == desk and order.channel == "phone"
    assert order.events.filter(kind=WorkOrderEvent.Kind.ACCEPTED).exists()


def test_a_double_submit_makes_one_order(client, desk, project, owner, unit, leak):
    as_user(client, desk)
    data = post_data(project, owner, unit, leak)
    first = client.post(reverse("servicedesk:create"), data)
    second = client.post(reverse("servicedesk:create"), data)
    assert WorkOrder.objects.count() == 1 and first["Location"] == second["Location"]


def test_a_unit_can_be_given_by_its_number(client, desk, project, leak):
    # given a unit nobody owns yet
    other = UnitFactory(building__phase__project=project, building__project=project)
    # when
    as_user(client, desk).post(
        reverse("servicedesk:create"), post_data(project, None, None, leak, unit_code=other.code)
    )
    # then
    assert WorkOrder.objects.get().unit == other


def test_an_unknown_unit_number_is_an_error(client, desk, project, leak):
    response = as_user(client, desk).post(
        reverse("servicedesk:create"), post_data(project, None, None, leak, unit_code="99-9-9")
    )
    assert response.status_code == 400 and "unit_code" in response.context["form"].errors


def test_photos_are_attached(client, desk, project, owner, unit, leak, settings, tmp_path):
    # given
    settings.MEDIA_ROOT = tmp_path
    photos = [
        SimpleUploadedFile(f"leak{i}.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
        for i in range(2)
    ]
    # when
    as_user(client, desk).post(
        reverse("servicedesk:create"), {**post_data(project, owner, unit, leak), "photos": photos}
    )
    # then
    assert WorkOrder.objects.get().attachments.count() == 2


def test_a_file_that_is_not_a_photo_is_refused(client, desk, project, owner, unit, leak):
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = as_user(client, desk).post(
        reverse("servicedesk:create"), {**post_data(project, owner, unit, leak), "photos": [bad]}
    )
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    assert not WorkOrder.objects.exists()


def test_a_report_time_in_the_future_is_refused_by_the_service(
    client, desk, project, owner, unit, leak
):
    # given a report time an hour ahead
    later = timezone.localtime() + timedelta(hours=1)
    data = post_data(project, owner, unit, leak, received_at=later.strftime("%Y-%m-%dT%H:%M"))
    # when
    response = as_user(client, desk).post(reverse("servicedesk:create"), data)
    # then the service's error is on the field and nothing was created
    form = response.context["form"]
    assert response.status_code == 400
    assert form.has_error("received_at", code="future_time")
    assert not WorkOrder.objects.exists()
    assert 'id="work-order-form"' in response.content.decode()


def test_an_earlier_report_time_is_kept(client, desk, project, owner, unit, leak):
    earlier = (timezone.localtime() - timedelta(hours=2)).replace(second=0, microsecond=0)
    data = post_data(project, owner, unit, leak, received_at=earlier.strftime("%Y-%m-%dT%H:%M"))
    as_user(client, desk).post(reverse("servicedesk:create"), data)
    assert WorkOrder.objects.get().received_at == earlier


def test_a_repair_without_category_is_refused(client, desk, project, owner, unit):
    response = as_user(client, desk).post(
        reverse("servicedesk:create"), post_data(project, owner, unit, None)
    )
    form = response.context["form"]
    assert response.status_code == 400 and form.has_error("category", code="required")
    # the chosen owner stays chosen on the re-rendered form
    assert f'value="{owner.pk}" data-owner-id="{owner.pk}" checked' in response.content.decode()


def test_an_enquiry_needs_no_category_nor_owner(client, desk, project):
    data = post_data(project, None, None, None, type="enquiry", channel="wechat")
    response = as_user(client, desk).post(reverse("servicedesk:create"), data)
    assert response.status_code == 302
    assert WorkOrder.objects.get().type == "enquiry"


def test_another_projects_project_cannot_be_chosen(client, desk, other_project, leak):
    data = post_data(other_project, None, None, leak)
    response = as_user(client, desk).post(reverse("servicedesk:create"), data)
    assert response.status_code == 400 and "project" in response.context["form"].errors
