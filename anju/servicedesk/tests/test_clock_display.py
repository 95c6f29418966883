"""What the order page and the API show of an order's clocks agrees with what the queues
and the sweep read: the stored due and at-risk times (a hold never counts as time used),
and a clock cancelled when its order closed or merged keeps its breach."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from anju.servicedesk.models import Milestone, WorkOrder
from anju.servicedesk.services import (
    work_order_close,
    work_order_dispatch,
    work_order_hold,
    work_order_merge,
    work_order_resolve,
    work_order_resume,
    work_order_start,
)
from anju.servicedesk.services.policies import PolicyInput, TargetInput, sla_policy_create
from anju.servicedesk.sla import cancelled_at
from anju.servicedesk.sweep import sweep_milestones
from anju.servicedesk.views.orders import milestone_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)  # an ordinary Tuesday morning
ORDERS = "/api/v1/work-orders/"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def at(self, **since_t0: float) -> datetime:
        self.now = T0 + timedelta(**since_t0)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(T0)
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def page_state(client: Any, user: Any, order: WorkOrder, kind: str) -> str:
    """The data-state of the milestone's row on the order page."""
    client.force_login(user)
    html = client.get(reverse("servicedesk:detail", args=[order.pk])).content.decode()
    marker = f'data-kind="{kind}" data-state="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def api_milestone(api: Any, order: WorkOrder, kind: str) -> dict[str, Any]:
    body = api.get(f"{ORDERS}{order.pk}/").json()
    (found,) = [m for m in body["milestones"] if m["kind"] == kind]
    return found


def at_risk_tab(api: Any) -> list[int]:
    return [row["id"] for row in api.get(ORDERS, {"queue": "at_risk"}).json()["results"]]


def dispatched(order: WorkOrder, desk: Any, supervisor: Any) -> WorkOrder:
    return work_order_dispatch(
        actor=desk, order=order, department="customer_service", assignee=supervisor
    )


# --- a hold is not time used (item: at risk after a hold) ----------------------------------


@pytest.fixture
def held_complaint(accept, desk, supervisor, clock) -> WorkOrder:
    """A complaint received at T0 (initial handling: 24 h wall clock, at risk at 75 %),
    dispatched at once, on hold from +1 h to +21 h."""
    order = accept(type="complaint")
    clock.at(minutes=5)
    dispatched(order, desk, supervisor)
    clock.at(hours=1)
    work_order_hold(actor=supervisor, order=order, reason="owner")
    clock.at(hours=21)
    work_order_resume(actor=supervisor, order=order)
    return order


def test_after_a_hold_the_page_and_the_api_agree_with_the_stored_at_risk_time(
    held_complaint, client, desk, api_client_for, clock
):
    # given the complaint's initial handling, moved by the 20 h hold: due +44 h, at risk +38 h
    order = held_complaint
    handling = order.milestones.get(kind="initial_handling")
    assert handling.due_at == T0 + timedelta(hours=44)
    assert handling.at_risk_at == T0 + timedelta(hours=38)
    api = api_client_for(desk)
    # when read at +34 h (14 of its 24 h used)
    clock.at(hours=34)
    # then the page and the API say running, as the at-risk tab does
    assert page_state(client, desk, order, "initial_handling") == "running"
    shown = api_milestone(api, order, "initial_handling")
    assert (shown["state"], shown["seconds_left"]) == ("running", 10 * 3600)
    assert order.pk not in at_risk_tab(api)
    # and when read at +38 h (18 of 24 h used), all three say at risk
    clock.at(hours=38)
    assert page_state(client, desk, order, "initial_handling") == "at_risk"
    assert api_milestone(api, order, "initial_handling")["state"] == "at_risk"
    assert order.pk in at_risk_tab(api)


def test_the_sweep_warns_when_the_page_turns_at_risk(held_complaint, api_client_for, desk, clock):
    # given the held complaint
    order = held_complaint
    api = api_client_for(desk)
    # when the sweep runs at +34 h, then it warns of nothing the page shows as running
    sweep_milestones(clock.at(hours=34))
    assert not order.milestones.filter(at_risk_notified_at__isnull=False).exists()
    # and when it runs at +38 h it warns of the clock the page now shows at risk
    sweep_milestones(clock.at(hours=38))
    warned = order.milestones.get(at_risk_notified_at__isnull=False)
    assert warned.kind == "initial_handling"
    assert api_milestone(api, order, "initial_handling")["state"] == "at_risk"


def test_a_held_clock_is_read_at_the_moment_its_hold_began(
    accept, desk, supervisor, client, api_client_for, clock
):
    # given a complaint dispatched at once and held at +2 h (initial handling at risk +18 h)
    order = accept(type="complaint")
    clock.at(minutes=5)
    dispatched(order, desk, supervisor)
    clock.at(hours=2)
    work_order_hold(actor=supervisor, order=order, reason="owner")
    api = api_client_for(desk)
    # when read during the hold, long after the at-risk and due times it had before it
    clock.at(hours=30)
    shown = api_milestone(api, order, "initial_handling")
    # then the clock stands where the hold stopped it: running, 22 h left, and paused
    assert (shown["state"], shown["paused"], shown["seconds_left"]) == ("running", True, 22 * 3600)
    assert page_state(client, desk, order, "initial_handling") == "paused"


def test_a_clock_held_after_its_at_risk_time_stays_at_risk_during_the_hold(
    accept, desk, supervisor, api_client_for, clock
):
    # given a complaint held at +19 h, after its initial handling turned at risk (+18 h)
    order = accept(type="complaint")
    clock.at(minutes=5)
    dispatched(order, desk, supervisor)
    clock.at(hours=19)
    work_order_hold(actor=supervisor, order=order, reason="owner")
    # when read during the hold, then it shows at risk with the 5 h it had left
    clock.at(hours=30)
    shown = api_milestone(api_client_for(desk), order, "initial_handling")
    assert (shown["state"], shown["seconds_left"]) == ("at_risk", 5 * 3600)


# --- a cancellation does not hide a breach ---------------------------------------------------


def test_a_merged_order_shows_the_dispatch_it_breached(accept, desk, client, api_client_for, clock):
    # given two reports of the same repair at T0; the dispatch clock is 10 minutes
    kept, duplicate = accept(), accept()
    # when the duplicate is merged at +30 min, its dispatch 20 minutes overdue
    clock.at(minutes=30)
    work_order_merge(actor=desk, duplicate=duplicate, into=kept)
    dispatch = duplicate.milestones.get(kind="dispatch")
    assert dispatch.cancelled and dispatch.breached_at is None  # the sweep did not run
    # then the page and the API show it breached by 20 minutes, not just cancelled
    assert page_state(client, desk, duplicate, "dispatch") == "breached"
    shown = api_milestone(api_client_for(desk), duplicate, "dispatch")
    assert (shown["state"], shown["cancelled"], shown["seconds_overdue"]) == (
        "breached",
        True,
        20 * 60,
    )
    # and a clock cancelled before its due time is simply cancelled
    response = api_milestone(api_client_for(desk), duplicate, "response")
    assert (response["state"], response["seconds_overdue"]) == ("cancelled", None)
    assert page_state(client, desk, duplicate, "response") == "cancelled"


def test_the_row_text_says_by_how_much(accept, desk, clock):
    kept, duplicate = accept(), accept()
    clock.at(minutes=30)
    work_order_merge(actor=desk, duplicate=duplicate, into=kept)
    clock.at(days=3)  # read much later: the breach is as of the merge
    order = WorkOrder.objects.get(pk=duplicate.pk)
    with translation.override("en"):
        rows = {row.milestone.kind: row for row in milestone_rows(order, timezone.now())}
    assert (rows["dispatch"].state, rows["dispatch"].text) == ("breached", "breached by 20 minutes")
    assert (rows["response"].state, rows["response"].text) == ("cancelled", "")


@pytest.fixture
def repair_with_feedback(make_user, leak):
    """Repairs of the leak category get a 60-minute feedback clock nothing meets: closing
    the order cancels it."""
    admin = make_user("administrator", username="sla-admin")
    sla_policy_create(
        actor=admin,
        data=PolicyInput(
            name="渗漏回复",
            work_order_type="repair",
            category_id=leak.pk,
            targets=[TargetInput("feedback", "wall", 60)],
        ),
    )


@pytest.mark.parametrize(
    ("closed_after", "swept_at", "state", "overdue"),
    [
        (timedelta(minutes=50), None, "cancelled", None),
        (timedelta(minutes=90), None, "breached", 30 * 60),
        (timedelta(minutes=90), timedelta(minutes=61), "breached", 30 * 60),
    ],
    ids=["closed in time", "closed overdue", "closed after the sweep marked it"],
)
def test_a_closed_order_keeps_the_breach_of_its_cancelled_clock(
    repair_with_feedback,
    accept,
    desk,
    supervisor,
    api_client_for,
    clock,
    closed_after,
    swept_at,
    state,
    overdue,
):
    # given a repair resolved at +20 min, its feedback clock (60 min) still running
    order = accept()
    clock.at(minutes=5)
    dispatched(order, desk, supervisor)
    work_order_start(actor=supervisor, order=order)
    clock.at(minutes=20)
    work_order_resolve(actor=supervisor, order=order, note="已修复")
    if swept_at is not None:
        sweep_milestones(T0 + swept_at)
    # when the order is closed (its feedback clock cancelled), and read a day later
    clock.now = T0 + closed_after
    work_order_close(actor=desk, order=order)
    clock.at(days=1)
    # then the API shows the feedback clock breached by its lateness at the close, or
    # cancelled when it was closed in time
    shown = api_milestone(api_client_for(desk), order, "feedback")
    assert shown["cancelled"]
    assert (shown["state"], shown["seconds_overdue"]) == (state, overdue)


# --- when a cancelled clock stopped ---------------------------------------------------------


def _milestone(started: datetime, **order: Any) -> Milestone:
    return Milestone(work_order=WorkOrder(**order), started_at=started, cancelled=True)


@pytest.mark.parametrize(
    ("started", "order", "expected"),
    [
        (T0, {"closed_at": T0 + timedelta(hours=2)}, T0 + timedelta(hours=2)),
        (T0, {}, None),
        # a clock of this round (started at the reopening) cancelled by the close after it
        (
            T0 + timedelta(hours=3),
            {"closed_at": T0 + timedelta(hours=5), "reopened_at": T0 + timedelta(hours=3)},
            T0 + timedelta(hours=5),
        ),
        # a clock of an earlier round: cancelled at the reopening or a close before it
        (
            T0,
            {"closed_at": T0 + timedelta(hours=5), "reopened_at": T0 + timedelta(hours=3)},
            None,
        ),
        # started after the order was closed: not cancelled by that close
        (T0 + timedelta(hours=3), {"closed_at": T0 + timedelta(hours=2)}, None),
    ],
    ids=["closed", "reopened since", "this round's", "an earlier round's", "after the close"],
)
def test_the_cancellation_instant_is_the_close_of_the_milestones_round(started, order, expected):
    assert cancelled_at(_milestone(started, **order)) == expected
