"""A repair and a complaint from intake to closure through the services."""

from datetime import timedelta

from django.utils import timezone

from anju.servicedesk.models import Milestone, WorkOrder, WorkOrderEvent
from anju.servicedesk.services import (
    WorkOrderInput,
    complaint_decide_plan,
    complaint_give_feedback,
    complaint_propose_plan,
    complaint_start_investigation,
    work_order_accept,
    work_order_close,
    work_order_dispatch,
    work_order_hold,
    work_order_resolve,
    work_order_resume,
    work_order_start,
)


def test_a_repair_goes_from_intake_to_closure(project, owner, unit, desk, supervisor, leak):
    # given a phone repair logged by the front desk
    order, created = work_order_accept(
        actor=desk,
        data=WorkOrderInput(
            project_id=project.pk,
            type="repair",
            channel="phone",
            description="卫生间漏水",
            owner_id=owner.pk,
            unit_id=unit.pk,
            category_id=leak.pk,
        ),
        idempotency_key="k1",
    )
    assert created and order.first_responder == desk
    assert {m.kind for m in order.milestones.all()} == {"dispatch", "response", "completion"}
    # when it is dispatched, started, held, resumed, resolved and closed
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    work_order_start(actor=supervisor, order=order)
    work_order_hold(actor=supervisor, order=order, reason="materials")
    work_order_resume(actor=supervisor, order=order)
    work_order_resolve(actor=supervisor, order=order, note="已修复")
    work_order_close(actor=desk, order=order)
    # then the timeline tells the story and a retried create returns the same order
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.CLOSED
    kinds = list(order.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[:2] == ["accepted", "dispatched"] and kinds[-1] == "closed"
    assert Milestone.objects.get(work_order=order, kind="dispatch").met_at is not None
    again, created = work_order_accept(
        actor=desk,
        data=WorkOrderInput(
            project_id=project.pk,
            type="repair",
            channel="phone",
            description="卫生间漏水",
            category_id=leak.pk,
        ),
        idempotency_key="k1",
    )
    assert (again.pk, created) == (order.pk, False)


def test_a_complaint_needs_an_approved_plan_and_feedback(project, owner, unit, desk, manager, leak):
    order, _ = work_order_accept(
        actor=desk,
        data=WorkOrderInput(
            project_id=project.pk,
            type="complaint",
            channel="walk_in",
            description="维修太慢",
            owner_id=owner.pk,
            unit_id=unit.pk,
            category_id=leak.pk,
            urgency="urgent",
            received_at=timezone.now() - timedelta(minutes=5),
        ),
    )
    assert order.events.filter(kind=WorkOrderEvent.Kind.EMERGENCY).exists()
    work_order_dispatch(actor=manager, order=order, department="customer_service", assignee=desk)
    assert order.milestones.filter(kind="investigation_start").exists()
    complaint_start_investigation(actor=desk, order=order)
    plan = complaint_propose_plan(
        actor=desk,
        order=order,
        content="更换防水层",
        department="engineering",
        responsible=desk,
        deadline=timezone.localdate() + timedelta(days=3),
    )
    complaint_decide_plan(actor=manager, plan=plan, approve=True)
    work_order_resolve(actor=desk, order=order, note="已整改")
    complaint_give_feedback(
        actor=desk, order=order, channel="phone", content="已整改完毕", owner_satisfied=True
    )
    work_order_close(actor=desk, order=order)
    assert WorkOrder.objects.get(pk=order.pk).status == "closed"
