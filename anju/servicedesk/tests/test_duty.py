"""The duty roster (值班): an urgent complaint notifies the manager on duty at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from anju.audit.models import ChangeLog
from anju.servicedesk.models import DutyShift, Notification, WorkOrderEvent
from anju.servicedesk.services.duty import duty_shift_add, on_duty


@pytest.fixture
def managers(make_user, project):
    return [make_user("manager", projects=[project]) for _ in range(2)]


def shift(actor, project, person, *, starts=-1, hours=12, note=""):
    now = timezone.now()
    return duty_shift_add(
        actor=actor,
        project_id=project.pk,
        person=person,
        starts_at=now + timedelta(hours=starts),
        ends_at=now + timedelta(hours=starts + hours),
        note=note,
    )


def emergency(order):
    return order.events.get(kind=WorkOrderEvent.Kind.EMERGENCY)


def test_an_urgent_complaint_notifies_the_manager_on_duty_only(
    accept, project, managers, django_capture_on_commit_callbacks
):
    # given the first manager on duty now, the second tomorrow
    on, off = managers
    shift(on, project, on)
    shift(on, project, off, starts=20)
    # when an urgent complaint is logged
    with django_capture_on_commit_callbacks(execute=True):
        order = accept(type="complaint", urgency="urgent")
    # then the manager on duty is told, and the timeline says so
    told = Notification.objects.filter(kind="emergency").values_list("recipient", flat=True)
    assert list(told) == [on.pk]
    assert emergency(order).data == {"notified": [on.pk], "on_duty": True}


def test_with_nobody_on_duty_every_manager_of_the_project_is_told(
    accept, project, managers, django_capture_on_commit_callbacks
):
    first = managers[0]
    shift(first, project, first, starts=-30, hours=10)  # ended yesterday
    with django_capture_on_commit_callbacks(execute=True):
        order = accept(type="complaint", urgency="urgent")
    assert sorted(emergency(order).data["notified"]) == sorted(m.pk for m in managers)
    assert "on_duty" not in emergency(order).data


def test_only_a_manager_of_the_project_can_be_on_duty(
    project, other_project, managers, make_user, desk
):
    manager = managers[0]
    elsewhere = make_user("manager", projects=[other_project])
    with pytest.raises(ValidationError) as refused:
        shift(manager, project, elsewhere)
    assert refused.value.error_dict["person"][0].code == "not_on_project"
    with pytest.raises(ValidationError) as refused:
        shift(manager, project, desk)  # front desk may not approve plans
    assert refused.value.error_dict["person"][0].code == "not_on_project"
    with pytest.raises(ValidationError) as backwards:
        shift(manager, project, manager, hours=-2)
    assert backwards.value.error_dict["ends_at"][0].code == "order"
    with pytest.raises(ValidationError) as foreign:
        shift(elsewhere, project, manager)  # a manager of another project
    assert foreign.value.error_dict["project"][0].code == "does_not_exist"
    assert not DutyShift.objects.exists()


def test_on_duty_reads_the_shift_covering_the_instant(project, managers):
    manager = managers[0]
    made = shift(manager, project, manager, starts=1, hours=8)
    assert on_duty(project.pk, timezone.now()) == []
    assert on_duty(project.pk, made.starts_at) == [manager]
    assert on_duty(project.pk, made.ends_at) == []
    assert ChangeLog.objects.filter(object_id=str(made.pk), action="create").exists()


def test_the_roster_page_adds_shows_and_removes_shifts(client, project, managers):
    manager = managers[0]
    client.force_login(manager)
    now = timezone.localtime()
    data = {
        "project": project.pk,
        "person": manager.pk,
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=11)).strftime("%Y-%m-%dT%H:%M"),
        "note": "夜班",
    }
    added = client.post(reverse("desk_admin:duty"), data, follow=True)
    assert added.status_code == 200
    html = added.content.decode()
    made = DutyShift.objects.get()
    assert "夜班" in html and f'data-shift-id="{made.pk}"' in html
    assert "table-success" in html  # on duty now
    client.post(reverse("desk_admin:duty_delete", args=[made.pk]))
    assert not DutyShift.objects.exists()


def test_the_roster_is_scoped_and_needs_its_permission(
    client, project, other_project, managers, make_user, desk
):
    made = shift(managers[0], project, managers[0])
    stranger = make_user("manager", projects=[other_project])
    client.force_login(stranger)
    roster = client.get(reverse("desk_admin:duty")).content.decode()
    assert f'data-shift-id="{made.pk}"' not in roster
    assert client.post(reverse("desk_admin:duty_delete", args=[made.pk])).status_code == 404
    client.force_login(desk)
    assert client.get(reverse("desk_admin:duty")).status_code == 403
    assert DutyShift.objects.filter(pk=made.pk).exists()
