"""Intake page: the front desk logs a request fast, with the owner found by phone."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anju.core.testing.factories import UnitFactory, hand_over, make_owner
from anju.properties.models import Project
from anju.security.models import User
from anju.servicedesk.models import WorkOrder, WorkOrderEvent

PAGES = ["servicedesk:create", "servicedesk:owner_options", "servicedesk:unit_options"]
# Pinned: session, user, permissions x2, the user's projects, the owner (with phones and
# ownerships, for its option), the owner's units, the navbar's notifications, projects (the
# <select>), the first responders, categories. Neither units nor people add any.
PAGE_QUERIES = 13


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


def own(owner, unit):
    hand_over(owner, unit)


def inactive(user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    return user


def third_project():
    """A project the desk does not work on."""
    return Project.objects.create(name="云栖里", code="yunqi", city="杭州")


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
    assert form["first_responder"].value() == desk.pk
    assert f'<option value="{desk.pk}" selected>{desk}</option>' in html


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


# --- the owner's units carry their project ---------------------------------------------------


@pytest.fixture
def second_unit(desk, owner, other_project):
    """The owner's unit in a second project, which the desk also works on."""
    desk.projects.add(other_project)
    unit = UnitFactory(building__phase__project=other_project, building__project=other_project)
    own(owner, unit)
    return unit


OPTION = re.compile(r'<option value="\d+"[^>]*>[^<]*</option>')


def unit_options(html):
    """The unit <option>s of the intake page (or all of a partial's)."""
    if 'id="id_unit"' in html:
        html = html.split('id="id_unit"')[1].split("</select>")[0]
    return OPTION.findall(html)


def test_starting_from_an_owner_of_two_projects_gives_each_unit_its_project(
    client, desk, owner, unit, second_unit, other_project
):
    # given an owner with a unit in each of two projects
    # when the desk starts from the owner
    response = as_user(client, desk).get(reverse("servicedesk:create"), {"owner": owner.pk})
    # then every unit option carries the project the page's script switches to
    html = response.content.decode()
    assert f'<option value="{second_unit.pk}" data-project="{other_project.pk}">' in html
    assert f'<option value="{unit.pk}" data-project="{unit.project_id}">' in html
    # and the options are those the htmx partial renders for the owner
    partial = as_user(client, desk).get(reverse("servicedesk:unit_options"), {"owner": owner.pk})
    assert unit_options(html) == unit_options(partial.content.decode())


def test_a_form_sent_back_keeps_the_units_projects_and_the_chosen_unit(
    client, desk, owner, unit, second_unit, other_project
):
    # given the desk chose the owner's unit in the second project, but no category
    data = post_data(other_project, owner, second_unit, None)
    # when the form comes back with the error
    response = as_user(client, desk).post(reverse("servicedesk:create"), data)
    # then the units still carry their projects and the chosen one stays chosen
    html = response.content.decode()
    assert response.status_code == 400
    assert f'value="{second_unit.pk}" data-project="{other_project.pk}" selected>' in html
    assert f'value="{unit.pk}" data-project="{unit.project_id}">' in html


def test_a_unit_of_the_owners_second_project_is_accepted(
    client, desk, owner, second_unit, other_project, leak
):
    # when the desk picks the second project's unit (the script set its project)
    response = as_user(client, desk).post(
        reverse("servicedesk:create"), post_data(other_project, owner, second_unit, leak)
    )
    # then the order is for that unit, in that project
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert (order.project, order.unit) == (other_project, second_unit)


def test_without_an_owner_the_unit_select_invites_a_choice(client, desk):
    html = as_user(client, desk).get(reverse("servicedesk:create")).content.decode()
    assert (
        '<select name="unit" class="form-select" id="id_unit"><option value="">—</option>' in html
    )


# --- the first responder -------------------------------------------------------------------


@pytest.fixture
def sales(make_user, project):
    return make_user("sales_consultant", projects=[project], name="王销售")


def test_the_first_responders_are_the_people_of_the_chosen_project(
    client, desk, sales, make_user, project, other_project
):
    # given a colleague of both of the desk's projects, one of the other project only, and
    # someone of a project the desk does not see, or no longer active
    desk.projects.add(other_project)
    both = make_user("cs_officer", projects=[project, other_project], name="赵客服")
    elsewhere = make_user("sales_consultant", projects=[other_project], name="钱销售")
    stranger = make_user("sales_consultant", projects=[third_project()], name="孙陌生")
    gone = inactive(make_user("sales_consultant", projects=[project], name="李离职"))
    # when the desk opens the form (on the first project)
    html = as_user(client, desk).get(reverse("servicedesk:create")).content.decode()
    # then the desk comes first and chosen, the project's people follow, the other
    # project's people are there for the script but hidden
    options = html.split('id="id_first_responder"')[1].split("</select>")[0]
    assert options.index(f'value="{desk.pk}" selected') < options.index(f'value="{sales.pk}"')
    assert f'<option value="{sales.pk}" data-projects="{project.pk}">王销售</option>' in options
    projects = f"{project.pk} {other_project.pk}"
    assert f'<option value="{both.pk}" data-projects="{projects}">赵客服</option>' in options
    assert (
        f'<option value="{elsewhere.pk}" data-projects="{other_project.pk}" hidden disabled>'
        in options
    )
    assert f'value="{stranger.pk}"' not in options and f'value="{gone.pk}"' not in options


def test_a_call_taken_by_a_colleague_records_the_colleague(
    client, desk, sales, project, owner, unit, leak
):
    # given a sales consultant took the owner's call; the front desk logs it
    data = post_data(project, owner, unit, leak, first_responder=sales.pk)
    # when
    response = as_user(client, desk).post(reverse("servicedesk:create"), data)
    # then the consultant is the first responder, the desk the one who logged it
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and order.first_responder == sales
    assert order.events.get(kind=WorkOrderEvent.Kind.ACCEPTED).actor == desk


def test_a_blank_first_responder_is_the_desk(client, desk, project, owner, unit, leak):
    data = post_data(project, owner, unit, leak, first_responder="")
    as_user(client, desk).post(reverse("servicedesk:create"), data)
    assert WorkOrder.objects.get().first_responder == desk


@pytest.mark.parametrize("who", ["other_projects_only", "unseen_project", "inactive"])
def test_a_first_responder_outside_the_chosen_project_is_refused(
    client, desk, make_user, project, other_project, owner, unit, leak, who
):
    # given someone who does not work on the chosen project (or has left)
    desk.projects.add(other_project)
    person = {
        "other_projects_only": lambda: make_user("sales_consultant", projects=[other_project]),
        "unseen_project": lambda: make_user("sales_consultant", projects=[third_project()]),
        "inactive": lambda: inactive(make_user("sales_consultant", projects=[project])),
    }[who]()
    data = post_data(project, owner, unit, leak, first_responder=person.pk)
    # when
    response = as_user(client, desk).post(reverse("servicedesk:create"), data)
    # then the form comes back with the error on the field, and nothing is created
    assert response.status_code == 400
    assert "first_responder" in response.context["form"].errors
    assert not WorkOrder.objects.exists()


# --- speed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 4])
def test_the_page_query_count_is_pinned(
    client, make_user, project, other_project, scale, django_assert_num_queries
):
    # given an owner with units in two projects and colleagues in both, more of each at scale 4
    desk = make_user("front_desk", projects=[project, other_project])
    owner = make_owner(project, name="张三")
    for _ in range(scale):
        make_user("sales_consultant", projects=[project])
        make_user("cs_officer", projects=[project, other_project])
        for where in (project, other_project):
            own(owner, UnitFactory(building__phase__project=where, building__project=where))
    as_user(client, User.objects.get(pk=desk.pk))
    # when / then
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("servicedesk:create"), {"owner": owner.pk})
    assert len(unit_options(response.content.decode())) == 2 * scale
