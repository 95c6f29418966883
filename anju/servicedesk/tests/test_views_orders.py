"""The order page and every step on it: permissions, scoping, events, service errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from anju.servicedesk import services
from anju.servicedesk.durations import humanize
from anju.servicedesk.models import ComplaintPlan, Milestone, WorkOrder, WorkOrderEvent

Kind = WorkOrderEvent.Kind
# session, user, permissions (user + group), scope, order, its 6 prefetches (photos,
# related, milestones, events, plans, feedback), the names of the people the events name
# (the dispatch's assignee), the navbar summary, the dispatch form's people and their roles
# (the option labels: 刘洋（维修主管）)
DETAIL_QUERIES = 16


def as_user(client, user):
    client.force_login(user)
    return client


def accept(actor, project, **fields):
    data = {"type": "repair", "channel": "phone", "description": "卫生间漏水", **fields}
    order, _ = services.work_order_accept(
        actor=actor, data=services.WorkOrderInput(project_id=project.pk, **data)
    )
    return order


@pytest.fixture
def repair(desk, project, owner, unit, leak):
    return accept(desk, project, owner_id=owner.pk, unit_id=unit.pk, category_id=leak.pk)


@pytest.fixture
def complaint(desk, project, owner, unit, leak):
    return accept(
        desk, project, type="complaint", owner_id=owner.pk, unit_id=unit.pk, category_id=leak.pk
    )


def dispatched(order, actor, assignee, department="engineering"):
    services.work_order_dispatch(actor=actor, order=order, department=department, assignee=assignee)
    return order


def plan_for(order, actor):
    return services.complaint_propose_plan(
        actor=actor,
        order=order,
        content="更换防水层",
        department="engineering",
        responsible=actor,
        deadline=timezone.localdate() + timedelta(days=3),
    )


# --- permissions and scoping, for the page and every step --------------------------------

ACTION_NAMES = [
    "dispatch",
    "start",
    "escalate",
    "hold",
    "resume",
    "merge",
    "link",
    "resolve",
    "close",
    "reopen",
    "investigate",
    "plan_propose",
    "plan_decide",
    "feedback",
]


def test_anonymous_is_sent_to_login_from_the_page(client, repair):
    response = client.get(reverse("servicedesk:detail", args=[repair.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ACTION_NAMES)
def test_anonymous_is_sent_to_login_from_every_step(client, repair, name):
    response = client.post(reverse(f"servicedesk:{name}", args=[repair.pk]), {"note": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert repair.events.count() == 1


@pytest.mark.parametrize("name", ["detail", *ACTION_NAMES])
def test_without_permission_is_forbidden(client, project, make_user, repair, name):
    # given a user of the project without any role
    nobody = make_user(None, projects=[project])
    as_user(client, nobody)
    # when
    url = reverse(f"servicedesk:{name}", args=[repair.pk])
    response = client.get(url) if name == "detail" else client.post(url, {"note": "x"})
    # then
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("sales_consultant", "hold"),  # may log orders but not work them
        ("sales_consultant", "dispatch"),
        ("front_desk", "plan_decide"),  # only managers decide plans
    ],
)
def test_each_step_needs_its_own_permission(client, project, make_user, complaint, role, name):
    user = make_user(role, projects=[project])
    response = as_user(client, user).post(reverse(f"servicedesk:{name}", args=[complaint.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["detail", *ACTION_NAMES])
def test_another_projects_order_is_not_found(client, make_user, other_project, repair, name):
    # given a manager of another project (every permission, other scope)
    stranger = make_user("manager", projects=[other_project])
    as_user(client, stranger)
    # when
    url = reverse(f"servicedesk:{name}", args=[repair.pk])
    response = client.get(url) if name == "detail" else client.post(url, {"note": "x"})
    # then
    assert response.status_code == 404
    assert repair.events.count() == 1


def test_a_get_of_a_step_opens_the_order_and_changes_nothing(client, desk, repair):
    # (the address a refused step was shown at: reloaded, or after a change of language)
    response = as_user(client, desk).get(reverse("servicedesk:dispatch", args=[repair.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("servicedesk:detail", args=[repair.pk])
    assert repair.events.count() == 1
    put = client.put(reverse("servicedesk:dispatch", args=[repair.pk]))
    assert put.status_code == 405


# --- every step writes its event ----------------------------------------------------------


def _prepare(name, order, desk, supervisor, manager, project):
    """Bring the order to a state where the step is allowed; returns (order, data, actor)."""
    if name == "dispatch":
        return order, {"department": "engineering", "assignee": supervisor.pk}, desk
    if name in {"investigate", "plan_propose", "plan_decide", "feedback"}:
        order = dispatched(order, desk, desk, "customer_service")
    elif name != "escalate" and name not in {"merge", "link"}:
        order = dispatched(order, desk, supervisor)
    if name == "resume":
        services.work_order_hold(actor=supervisor, order=order, reason="owner")
    if name in {"close", "reopen"}:
        services.work_order_resolve(actor=supervisor, order=order, note="修好了")
    if name == "merge":  # a duplicate: the same request of the same owner
        other = accept(
            desk,
            project,
            owner_id=order.owner_id,
            unit_id=order.unit_id,
            category_id=order.category_id,
        )
        return order, {"into": other.number}, desk
    if name == "link":
        other = accept(desk, project, type="enquiry")
        return order, {"other": other.number}, desk
    if name == "plan_decide":
        plan = plan_for(order, desk)
        return order, {"decision": "approve", "plan": plan.pk}, manager
    data = {
        "note": "说明",
        "hold_reason": "materials",
        "content": "已告知业主整改安排",
        "department": "engineering",
        "responsible": desk.pk,
        "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "channel": "phone",
        "owner_satisfied": "true",
    }
    return order, data, desk


STEPS = [
    ("dispatch", "repair", Kind.DISPATCHED, "dispatched"),
    ("start", "repair", Kind.STARTED, "in_progress"),
    ("escalate", "repair", Kind.ESCALATED, "accepted"),
    ("hold", "repair", Kind.HELD, "on_hold"),
    ("resume", "repair", Kind.RESUMED, "dispatched"),
    ("merge", "repair", Kind.MERGED, "merged"),
    ("link", "repair", Kind.LINKED, "accepted"),
    ("resolve", "repair", Kind.RESOLVED, "resolved"),
    ("close", "repair", Kind.CLOSED, "closed"),
    ("reopen", "repair", Kind.REOPENED, "dispatched"),
    ("investigate", "complaint", Kind.INVESTIGATION_STARTED, "in_progress"),
    ("plan_propose", "complaint", Kind.PLAN_PROPOSED, "dispatched"),
    ("plan_decide", "complaint", Kind.PLAN_APPROVED, "dispatched"),
    ("feedback", "complaint", Kind.FEEDBACK_GIVEN, "dispatched"),
]


@pytest.mark.parametrize(("name", "fixture", "kind", "status"), STEPS)
def test_each_step_writes_its_event(
    client, request, desk, supervisor, manager, project, name, fixture, kind, status
):
    # given an order in a state that allows the step
    order, data, actor = _prepare(
        name, request.getfixturevalue(fixture), desk, supervisor, manager, project
    )
    # when
    response = as_user(client, actor).post(reverse(f"servicedesk:{name}", args=[order.pk]), data)
    # then the page comes back with the order, and the timeline has the event by the actor
    assert response.status_code == 302
    assert response["Location"] == reverse("servicedesk:detail", args=[order.pk])
    event = order.events.filter(kind=kind).latest("id")
    assert event.actor == actor
    assert WorkOrder.objects.get(pk=order.pk).status == status


def test_a_plan_is_rejected_with_a_note(client, complaint, desk, manager):
    # given
    plan = plan_for(dispatched(complaint, desk, desk), desk)
    url = reverse("servicedesk:plan_decide", args=[complaint.pk])
    # when rejecting without a note, then with one
    refused = as_user(client, manager).post(url, {"decision": "reject", "plan": plan.pk})
    accepted = client.post(
        url, {"decision": "reject", "decision_note": "方案不完整", "plan": plan.pk}
    )
    # then the service's rule shows on the form first
    assert refused.status_code == 400
    assert refused.context["failed_form"].has_error("decision_note", code="required")
    assert accepted.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ComplaintPlan.Status.REJECTED


# --- service errors land on the form ------------------------------------------------------


def test_reopening_needs_a_note_from_the_service(client, repair, desk, supervisor):
    # given a resolved order
    dispatched(repair, desk, supervisor)
    services.work_order_resolve(actor=supervisor, order=repair, note="修好了")
    # when
    response = as_user(client, desk).post(reverse("servicedesk:reopen", args=[repair.pk]), {})
    # then
    assert response.status_code == 400
    assert response.context["failed_form"].has_error("note", code="required")
    assert 'id="reopen-form"' in response.content.decode()
    assert WorkOrder.objects.get(pk=repair.pk).status == "resolved"


def test_a_step_not_allowed_now_is_a_form_error(client, repair, desk):
    # when starting work on an order not dispatched yet
    response = as_user(client, desk).post(reverse("servicedesk:start", args=[repair.pk]))
    # then
    assert response.status_code == 400
    errors = response.context["failed_form"].non_field_errors()
    assert errors and not repair.events.filter(kind=Kind.STARTED).exists()


def test_merging_into_an_unknown_or_foreign_order_is_refused(
    client, repair, desk, make_user, other_project
):
    # given an order of another project
    foreign = accept(make_user("manager", projects=[other_project]), other_project, type="enquiry")
    url = reverse("servicedesk:merge", args=[repair.pk])
    # when / then: it is not found from here, like a number that does not exist
    for number in (foreign.number, "GD99999999"):
        response = as_user(client, desk).post(url, {"into": number})
        assert response.status_code == 400
        assert "into" in response.context["failed_form"].errors
    assert WorkOrder.objects.get(pk=repair.pk).status == "accepted"


def test_dispatch_offers_only_people_of_the_project(client, repair, desk, make_user, other_project):
    outsider = make_user("repair_supervisor", projects=[other_project])
    url = reverse("servicedesk:dispatch", args=[repair.pk])
    response = as_user(client, desk).post(
        url, {"department": "engineering", "assignee": outsider.pk}
    )
    assert response.status_code == 400
    assert "assignee" in response.context["failed_form"].errors


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_order_and_the_dispatch_form(client, repair, desk, owner, supervisor):
    response = as_user(client, desk).get(reverse("servicedesk:detail", args=[repair.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert repair.number in html and "GD0000" in html
    assert reverse("owners:detail", args=[owner.pk]) in html
    assert "防水渗漏 › 卫生间渗漏" in html
    assert 'id="dispatch-form"' in html and 'id="dispatch-button"' in html
    assert 'name="department"' in html and 'name="assignee"' in html
    assert f'<option value="{supervisor.pk}">' in html
    assert 'data-kind="dispatch" data-state="running"' in html


def test_the_page_offers_only_permitted_steps(client, repair, make_user, project):
    seller = make_user("sales_consultant", projects=[project])
    html = as_user(client, seller).get(reverse("servicedesk:detail", args=[repair.pk])).content
    assert b'id="dispatch-form"' not in html and b'id="hold-form"' not in html
    assert b'id="no-actions"' in html


def test_milestone_states_and_provisional_badge(client, repair, desk):
    # given a breached dispatch milestone and a provisional completion deadline
    now = timezone.now()
    dispatch = repair.milestones.get(kind="dispatch")
    Milestone.objects.filter(pk=dispatch.pk).update(
        started_at=now - timedelta(hours=3),
        due_at=now - timedelta(hours=2, minutes=50),
        at_risk_at=now - timedelta(hours=2, minutes=52),
    )
    repair.milestones.filter(kind="completion").update(provisional=True)
    # when
    html = as_user(client, desk).get(reverse("servicedesk:detail", args=[repair.pk])).content
    # then
    page = html.decode()
    assert 'data-kind="dispatch" data-state="breached"' in page
    assert "provisional-badge" in page and 'title="' in page


def test_a_held_milestone_shows_paused(client, repair, desk, supervisor):
    dispatched(repair, desk, supervisor)
    services.work_order_hold(actor=supervisor, order=repair, reason="owner")
    html = as_user(client, desk).get(reverse("servicedesk:detail", args=[repair.pk])).content
    assert b'data-kind="response" data-state="paused"' in html
    assert b'id="resume-form"' in html


def test_the_timeline_is_newest_first_with_actor_and_note(client, repair, desk, supervisor):
    dispatched(repair, desk, supervisor)
    services.work_order_escalate(actor=desk, order=repair, note="业主很着急")
    html = as_user(client, desk).get(reverse("servicedesk:detail", args=[repair.pk])).content
    page = html.decode()
    timeline = page[page.index('id="order-timeline"') :]
    assert timeline.index('data-kind="escalated"') < timeline.index('data-kind="accepted"')
    assert "业主很着急" in timeline and str(desk) in timeline


def test_a_complaint_shows_plans_and_the_manager_decides(client, complaint, desk, manager):
    plan_for(dispatched(complaint, desk, desk), desk)
    html = as_user(client, manager).get(reverse("servicedesk:detail", args=[complaint.pk]))
    page = html.content.decode()
    assert 'id="plan-list"' in page and "更换防水层" in page
    assert 'id="plan-decide-form"' in page and 'id="plan-propose-form"' not in page


def test_the_page_query_count_is_pinned(
    client, repair, desk, supervisor, django_assert_num_queries
):
    # given a dispatched order with events and milestones, and a warm calendar cache
    dispatched(repair, desk, supervisor)
    services.work_order_escalate(actor=desk, order=repair, note="催办")
    url = reverse("servicedesk:detail", args=[repair.pk])
    as_user(client, desk).get(url)
    # when / then
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=20), "under a minute"),
        (timedelta(minutes=5), "5 minutes"),
        (timedelta(hours=2, minutes=15), "2 hours 15 minutes"),
        (timedelta(days=1, hours=3, minutes=7), "1 day 3 hours"),
    ],
)
def test_durations_read_like_people_say_them(delta, text):
    with translation.override("en"):
        assert humanize(delta) == text
