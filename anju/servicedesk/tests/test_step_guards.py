"""Guards of the steps between orders and people: merge, link, escalate, first responder,
the emergency path without a manager, and the owner's 360° page across projects."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from anju.core.testing.factories import UnitFactory, make_owner
from anju.owners.services import ownership_create
from anju.servicedesk import services
from anju.servicedesk.models import Notification, WorkOrderEvent

Kind = WorkOrderEvent.Kind


def codes(exc: ValidationError) -> set[str]:
    return {error.code for errors in exc.error_dict.values() for error in errors}


# --- merge and link ------------------------------------------------------------------------


def test_orders_of_another_type_or_owner_are_not_merged(accept, desk, project):
    # given a repair, an enquiry of the same owner, and a repair of another owner
    repair = accept()
    enquiry = accept(type="enquiry")
    neighbour = make_owner(project, name="李四")
    other_owners = accept(owner_id=neighbour.pk, unit_id=None)
    # when / then
    for into, code in ((enquiry, "other_type"), (other_owners, "other_owner")):
        with pytest.raises(ValidationError) as refused:
            services.work_order_merge(actor=desk, duplicate=repair, into=into)
        assert codes(refused.value) == {code}
    repair.refresh_from_db()
    assert repair.status == "accepted" and not repair.events.filter(kind=Kind.MERGED).exists()


def test_a_duplicate_merges_into_its_twin(accept, desk):
    duplicate, twin = accept(), accept()
    services.work_order_merge(actor=desk, duplicate=duplicate, into=twin)
    duplicate.refresh_from_db()
    assert duplicate.status == "merged" and duplicate.merged_into == twin


def test_orders_are_linked_once(accept, desk):
    # given two linked orders
    first, second = accept(), accept(type="enquiry")
    services.work_order_link(actor=desk, order=first, other=second)
    # when linking them again, either way round
    for order, other in ((first, second), (second, first)):
        with pytest.raises(ValidationError) as refused:
            services.work_order_link(actor=desk, order=order, other=other)
        assert codes(refused.value) == {"already_linked"}
    # then each has one link event
    assert first.events.filter(kind=Kind.LINKED).count() == 1
    assert second.events.filter(kind=Kind.LINKED).count() == 1


def test_a_closed_order_can_be_linked_to_a_new_one(accept, desk, supervisor):
    # given a closed repair and the same defect reported again
    old = accept()
    services.work_order_dispatch(
        actor=desk, order=old, department="engineering", assignee=supervisor
    )
    services.work_order_resolve(actor=supervisor, order=old, note="已修")
    services.work_order_close(actor=desk, order=old)
    new = accept()
    # when / then
    services.work_order_link(actor=desk, order=new, other=old)
    assert list(new.related.all()) == [old]
    # but the closed one is not the one that acts
    with pytest.raises(ValidationError):
        services.work_order_link(actor=desk, order=old, other=accept())


# --- people --------------------------------------------------------------------------------


def test_an_escalation_says_why(accept, desk):
    order = accept()
    with pytest.raises(ValidationError) as refused:
        services.work_order_escalate(actor=desk, order=order, note="  ")
    assert codes(refused.value) == {"required"}
    assert not order.escalated


def test_the_first_responder_works_on_the_project(
    repair_input, desk, make_user, project, other_project
):
    # given a colleague of the project and someone of another project
    colleague = make_user("sales_consultant", projects=[project])
    stranger = make_user("sales_consultant", projects=[other_project])
    # when the desk logs a call that the colleague took, then they stay accountable
    order, _ = services.work_order_accept(
        actor=desk, data=repair_input(first_responder_id=colleague.pk)
    )
    assert order.first_responder == colleague
    # when the call names the stranger, then it is refused
    with pytest.raises(ValidationError) as refused:
        services.work_order_accept(actor=desk, data=repair_input(first_responder_id=stranger.pk))
    assert codes(refused.value) == {"does_not_exist"}


def test_the_emergency_path_without_a_manager_tells_the_administrators(
    accept, desk, make_user, django_capture_on_commit_callbacks
):
    # given a project with no manager, and an administrator
    admin = make_user("administrator")
    # when an urgent complaint is accepted
    with django_capture_on_commit_callbacks(execute=True):
        order = accept(type="complaint", urgency="urgent")
    # then the administrators are told, and the timeline says why
    event = order.events.get(kind=Kind.EMERGENCY)
    assert event.data == {"notified": [admin.pk], "fallback": "administrators"}
    assert Notification.objects.filter(recipient=admin, kind="emergency").exists()


def test_the_emergency_path_tells_the_projects_managers(
    accept, manager, make_user, django_capture_on_commit_callbacks
):
    make_user("administrator")
    with django_capture_on_commit_callbacks(execute=True):
        order = accept(type="complaint", urgency="urgent")
    assert order.events.get(kind=Kind.EMERGENCY).data == {"notified": [manager.pk]}


def test_reopening_tells_the_first_responder(
    accept, desk, supervisor, django_capture_on_commit_callbacks
):
    order = accept()
    services.work_order_dispatch(
        actor=desk, order=order, department="engineering", assignee=supervisor
    )
    services.work_order_resolve(actor=supervisor, order=order, note="已修")
    with django_capture_on_commit_callbacks(execute=True):
        services.work_order_reopen(actor=supervisor, order=order, note="又漏了")
    told = set(Notification.objects.filter(kind="reopened").values_list("recipient", flat=True))
    assert told == {desk.pk, supervisor.pk}


# --- the owner's 360° page -----------------------------------------------------------------


def test_the_owner_page_shows_only_orders_of_the_viewers_projects(
    client, accept, desk, owner, make_user, other_project
):
    # given the owner also holds a unit in another project, with a complaint there
    elsewhere = UnitFactory(building__phase__project=other_project, building__project=other_project)
    ownership_create(actor=None, owner=owner, unit=elsewhere, share=100)
    colleague = make_user("front_desk", projects=[other_project])
    hidden, _ = services.work_order_accept(
        actor=colleague,
        data=services.WorkOrderInput(
            project_id=other_project.pk,
            type="complaint",
            channel="phone",
            description="物业费争议",
            owner_id=owner.pk,
            unit_id=elsewhere.pk,
        ),
    )
    shown = accept()
    # when this project's desk opens the owner
    client.force_login(desk)
    page = client.get(reverse("owners:detail", args=[owner.pk])).content.decode()
    # then only this project's order is on the timeline
    assert shown.number in page
    assert hidden.number not in page and "物业费争议" not in page


def test_the_timeline_names_the_person_and_the_other_order(client, accept, desk, supervisor):
    # given a dispatched order merged into its twin
    order, twin = accept(), accept()
    services.work_order_dispatch(
        actor=desk, order=order, department="engineering", assignee=supervisor
    )
    services.work_order_merge(actor=desk, duplicate=order, into=twin)
    # when
    client.force_login(desk)
    page = client.get(reverse("servicedesk:detail", args=[order.pk])).content.decode()
    # then
    assert str(supervisor) in page
    assert twin.number in page


def test_resolving_tells_the_first_responder(
    accept, desk, supervisor, django_capture_on_commit_callbacks
):
    # given an order the desk took first, dispatched to the supervisor
    order = accept()
    services.work_order_dispatch(
        actor=desk, order=order, department="engineering", assignee=supervisor
    )
    # when the supervisor resolves it
    with django_capture_on_commit_callbacks(execute=True):
        services.work_order_resolve(actor=supervisor, order=order, note="已修")
    # then the desk, accountable to the owner, is told
    told = Notification.objects.filter(kind="resolved")
    assert list(told.values_list("recipient", flat=True)) == [desk.pk]
