"""Notifications and system notes are written in the site's language, whoever sent them."""

from django.utils import translation

from anju.servicedesk.models import ComplaintPlan, Notification
from anju.servicedesk.services import (
    complaint_propose_plan,
    work_order_dispatch,
    work_order_merge,
)


def test_a_step_taken_in_english_tells_the_supervisor_in_chinese(
    accept, desk, supervisor, django_capture_on_commit_callbacks
):
    # given a dispatcher whose console is in English
    order = accept()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    # then the supervisor reads the notification in the site's language
    note = Notification.objects.get(recipient=supervisor, kind="dispatched")
    assert note.text == f"工单 {order.number} 已派给您。"


def test_a_withdrawn_plan_says_why_in_the_site_language(
    accept, desk, supervisor, manager, django_capture_on_commit_callbacks
):
    complaint = accept(type="complaint")
    duplicate = accept(type="complaint")
    for order in (complaint, duplicate):
        work_order_dispatch(
            actor=desk, order=order, department="customer_service", assignee=supervisor
        )
    plan = complaint_propose_plan(
        actor=desk,
        order=duplicate,
        content="更换防水层",
        department="engineering",
        responsible=supervisor,
        deadline=duplicate.received_at.date(),
    )
    with translation.override("en"):
        work_order_merge(actor=desk, duplicate=duplicate, into=complaint)
    plan.refresh_from_db()
    assert plan.status == ComplaintPlan.Status.REJECTED
    assert complaint.number in plan.decision_note
    assert plan.decision_note.startswith("已撤回")
