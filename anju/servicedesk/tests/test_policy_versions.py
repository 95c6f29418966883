"""An edit of a policy applies to orders accepted from now on: the orders accepted under
it keep starting their later clocks on the targets they were accepted with."""

import pytest
from django.urls import reverse

from anju.servicedesk.models import Milestone, SlaPolicy, WorkOrder
from anju.servicedesk.services import work_order_dispatch, work_order_reopen, work_order_resolve
from anju.servicedesk.services.policies import (
    PolicyInput,
    TargetInput,
    policies_hidden_by,
    sla_policy_create,
    sla_policy_update,
)
from anju.servicedesk.sla import choose_policy


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="policy-admin")


def complaint_policy() -> SlaPolicy:
    return SlaPolicy.objects.get(work_order_type="complaint", is_active=True)


def edited(policy: SlaPolicy, investigation_days: int) -> PolicyInput:
    targets = [
        TargetInput(t.milestone, t.clock, t.amount, t.at_risk_share, t.pauses_on_hold)
        for t in policy.targets.all()
        if t.milestone != "investigation_start"
    ]
    targets.append(TargetInput("investigation_start", "working_days", investigation_days))
    return PolicyInput(
        name=policy.name,
        work_order_type=policy.work_order_type,
        urgency=policy.urgency,
        category_id=policy.category_id,
        targets=targets,
    )


def test_an_order_accepted_before_an_edit_starts_its_later_clock_on_its_own_targets(
    accept, desk, supervisor, admin
):
    # given a complaint accepted while investigations start within 2 working days
    before = accept(type="complaint")
    old = complaint_policy()
    # when the administrator makes it 9 days, then both orders are dispatched
    new = sla_policy_update(actor=admin, policy=old, data=edited(old, 9))
    after = accept(type="complaint")
    for order in (before, after):
        work_order_dispatch(
            actor=desk, order=order, department="customer_service", assignee=supervisor
        )

    # then the earlier order's investigation clock has the 2 days it was accepted with,
    # the later one's the 9 days of the new version
    def investigation(order):
        return Milestone.objects.get(work_order=order, kind="investigation_start").amount

    assert (investigation(before), investigation(after)) == (2, 9)
    # and the old version is retired, kept for its orders, out of the list
    old.refresh_from_db()
    assert (old.is_active, old.replaced_by_id) == (False, new.pk)
    assert before.sla_policy_id == old.pk and after.sla_policy_id == new.pk


def test_reopening_restarts_the_clocks_the_order_was_accepted_with(accept, desk, supervisor, admin):
    order = accept()
    policy = order.sla_policy
    targets = [
        TargetInput(t.milestone, t.clock, 30 if t.milestone == "completion" else t.amount)
        for t in policy.targets.all()
    ]
    data = PolicyInput(policy.name, policy.work_order_type, policy.urgency, None, True, targets)
    sla_policy_update(actor=admin, policy=policy, data=data)
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    work_order_resolve(actor=supervisor, order=order, note="已修复")
    work_order_reopen(actor=desk, order=order, note="又漏了")
    completion = Milestone.objects.get(work_order=order, kind="completion", met_at__isnull=True)
    assert completion.amount == 7


def test_a_policy_no_order_used_is_edited_in_place(admin):
    policy = sla_policy_create(
        actor=admin,
        data=PolicyInput(
            "门窗报修", "repair", "", None, True, [TargetInput("completion", "working_days", 3)]
        ),
    )
    # (an any-urgency repair policy without category is hidden by the seeded ones' urgency)
    same = sla_policy_update(
        actor=admin,
        policy=policy,
        data=PolicyInput(
            "门窗报修", "repair", "", None, False, [TargetInput("completion", "working_days", 4)]
        ),
    )
    assert same.pk == policy.pk and same.replaced_by_id is None


def test_renaming_a_used_policy_keeps_it(accept, admin):
    accept(type="complaint")
    policy = complaint_policy()
    data = edited(policy, 9)
    data.targets = [
        TargetInput(t.milestone, t.clock, t.amount, t.at_risk_share, t.pauses_on_hold)
        for t in policy.targets.all()
    ]
    data.name = "投诉（新）"
    assert sla_policy_update(actor=admin, policy=policy, data=data).pk == policy.pk


def test_the_edit_page_of_a_replaced_version_opens_the_current_one(client, accept, admin):
    accept(type="complaint")
    old = complaint_policy()
    new = sla_policy_update(actor=admin, policy=old, data=edited(old, 5))
    client.force_login(admin)
    response = client.get(reverse("desk_admin:sla_edit", args=[old.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("desk_admin:sla_edit", args=[new.pk])
    listed = client.get(reverse("desk_admin:sla_list")).content.decode()
    assert reverse("desk_admin:sla_edit", args=[old.pk]) not in listed


def test_a_category_policy_of_any_urgency_says_which_policies_it_overrides(
    client, admin, leak, project
):
    # given the seeded urgent and normal repair policies
    client.force_login(admin)
    data = {
        "name": "渗漏报修",
        "work_order_type": "repair",
        "urgency": "",
        "category": leak.pk,
        "is_active": "on",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-milestone": "completion",
        "targets-0-clock": "working_days",
        "targets-0-amount": "3",
        "targets-0-at_risk_share": "0.7",
        "targets-0-pauses_on_hold": "on",
    }
    # when an administrator adds a leak policy for any urgency
    response = client.post(reverse("desk_admin:sla_create"), data, follow=True)
    # then urgent leaks take it instead of 紧急报修, and the page says so
    policy = SlaPolicy.objects.get(name="渗漏报修")
    assert {p.name for p in policies_hidden_by(policy)} == {"紧急报修", "一般报修"}
    assert "紧急报修" in response.content.decode()
    urgent_leak = WorkOrder(project=project, type="repair", urgency="urgent", category=leak)
    assert choose_policy(urgent_leak) == policy
