"""What a user reads on the desk's pages: late clocks said late, people with their roles,
targets as people say them, languages by their own names, a kept photo asked again for."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anju.servicedesk.forms_admin import CalendarEnterForm
from anju.servicedesk.services import work_order_dispatch


def test_a_clock_met_late_says_by_how_much_on_the_timeline(client, accept, desk, supervisor):
    # given a repair reported 25 minutes ago and dispatched now: 15 minutes late
    order = accept(received_at=timezone.now() - timedelta(minutes=25))
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    client.force_login(desk)
    html = client.get(reverse("servicedesk:detail", args=[order.pk])).content.decode()
    # then the timeline does not say "met" alone
    assert "派单 · 超时 15 分钟" in html


def test_the_dispatch_list_names_roles_and_only_people_who_can_open_orders(
    client, accept, desk, supervisor, make_user, project
):
    auditor = make_user("auditor", projects=[project])
    order = accept()
    client.force_login(desk)
    html = client.get(reverse("servicedesk:detail", args=[order.pk])).content.decode()
    assert f"{supervisor}（维修主管）" in html
    assert f'value="{auditor.pk}"' not in html


def test_targets_read_as_people_say_them(client, accept, desk):
    order = accept()
    client.force_login(desk)
    html = client.get(reverse("servicedesk:detail", args=[order.pk])).content.decode()
    assert "10 分钟" in html and "7 个工作日" in html


def test_languages_are_named_in_their_own_language(client, desk):
    client.force_login(desk)
    html = client.get(reverse("servicedesk:queue")).content.decode()
    assert ">English</option>" in html and ">简体中文</option>" in html
    assert "favicon.svg" in html


def test_a_refused_intake_asks_for_the_photos_again(client, desk, project, owner, unit):
    client.force_login(desk)
    photo = SimpleUploadedFile("leak.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")
    data = {
        "project": project.pk,
        "owner": owner.pk,
        "unit": unit.pk,
        "type": "repair",
        "channel": "phone",
        "urgency": "normal",
        "description": "",  # missing: refused
        "photos": [photo],
    }
    response = client.post(reverse("servicedesk:create"), data)
    assert response.status_code == 400
    assert "请重新选择照片" in response.content.decode()


def test_a_weekday_is_not_a_make_up_working_day():
    form = CalendarEnterForm(
        data={
            "year": 2028,
            "holidays": "2028-01-01",
            "makeup_workdays": "2028-01-05",  # a Wednesday
            "source": "国务院办公厅关于2028年部分节假日安排的通知",
        }
    )
    assert not form.is_valid()
    assert form.errors.as_data()["__all__"][0].code == "makeup_weekday"
