"""The demo service desk: work orders of the last 60 days, replayed through the services.

Every order is accepted with `work_order_accept` and taken through its steps with the
service functions, each under a replayed clock (`django.utils.timezone.now` answers the
step's own time), so events, milestones met or missed, change-log rows and resolution
times all fall where they would have. A handful of staged scenes make sure the queues
show something: unassigned orders, breached and at-risk milestones, orders on hold, a
plan waiting for the manager, a merged duplicate and a group-complaint alert (5 owners
of one building about 外墙渗漏 this week). The SLA sweep then runs (two hours ago and
now) so breaches, escalations and their notifications exist; once the load commits,
notifications about what is long finished are filed as read.

Demo orders carry an idempotency key starting with `demo-`: when one exists, none are
made again.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from unittest import mock

from django.db.models import Q
from django.utils import timezone

from anju.core.demo import desk_texts as texts
from anju.core.demo.desk_stories import Script, Staff, Step, Storyteller
from anju.core.demo.desk_texts import Grievance, Issue, Request
from anju.owners.models import Ownership
from anju.properties.models import Unit
from anju.security.models import User
from anju.servicedesk.models import (
    Category,
    ComplaintPlan,
    GroupComplaintAlert,
    Notification,
    WorkOrder,
)
from anju.servicedesk.services import WorkOrderInput, work_order_accept, work_order_merge
from anju.servicedesk.sweep import sweep_milestones

DEFAULT_ORDERS = 400
HISTORY_DAYS = 60
KEY_PREFIX = "demo-"
Type, Channel = WorkOrder.Type, WorkOrder.Channel
TYPE_WEIGHTS: dict[str, int] = {
    Type.REPAIR: 62,
    Type.COMPLAINT: 15,
    Type.ENQUIRY: 15,
    Type.SUGGESTION: 4,
    Type.PRAISE: 4,
}
OTHER_CHANNELS: dict[str, int] = {Channel.WALK_IN: 8, Channel.PROPERTY: 8, Channel.SMS: 4}
CHANNEL_WEIGHTS: dict[str, dict[str, int]] = {
    Type.REPAIR: {Channel.PHONE: 40, Channel.WECHAT: 22, Channel.PORTAL: 18},
    Type.COMPLAINT: {Channel.PHONE: 45, Channel.WALK_IN: 20, Channel.WECHAT: 12},
    Type.ENQUIRY: {Channel.PHONE: 45, Channel.WECHAT: 25, Channel.PORTAL: 15},
    Type.SUGGESTION: {Channel.PORTAL: 40, Channel.WECHAT: 30, Channel.EMAIL: 20},
    Type.PRAISE: {Channel.PHONE: 40, Channel.WECHAT: 30, Channel.EMAIL: 15},
}
URGENT_ODDS: dict[str, float] = {Type.REPAIR: 0.14, Type.COMPLAINT: 0.12}
REQUESTS: dict[str, tuple[Request, ...]] = {
    Type.ENQUIRY: texts.ENQUIRIES,
    Type.SUGGESTION: texts.SUGGESTIONS,
    Type.PRAISE: texts.PRAISE,
}
MESSAGES = {Channel.WECHAT, Channel.PORTAL, Channel.EMAIL, Channel.SMS}
SERVICE_CHANNELS = {Channel.EMAIL, Channel.PROPERTY}  # the customer-service officer's inbox
GROUP_OWNERS = 5
Subject = Issue | Grievance | Request


@dataclass(frozen=True)
class Caller:
    owner_id: int
    unit: Unit


@dataclass
class Plan:
    key: str
    taker: User
    data: WorkOrderInput
    logged_at: datetime
    steps: list[Step] = field(default_factory=list)


class Clock:
    """What `timezone.now()` answers while the orders are replayed."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        assert self.at is not None
        return self.at


@contextmanager
def replayed_clock() -> Iterator[Clock]:
    clock = Clock()
    with mock.patch.object(timezone, "now", clock):
        yield clock


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def demo_orders_exist() -> bool:
    return WorkOrder.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists()


def demo_staff() -> Staff:
    users = User.objects.in_bulk(
        ["frontdesk", "service", "supervisor", "manager"], field_name="username"
    )
    return Staff(users["frontdesk"], users["service"], users["supervisor"], users["manager"])


def handed_over_callers(project_ids: list[int]) -> list[Caller]:
    """Owners who have their keys, with the unit they would call about."""
    ownerships = (
        Ownership.objects.filter(
            status=Ownership.Status.HANDED_OVER, unit__project_id__in=project_ids
        )
        .select_related("unit__building")
        .order_by("pk")
    )
    return [Caller(o.owner_id, o.unit) for o in ownerships]


class DeskLoader:
    def __init__(
        self, rng: random.Random, staff: Staff, callers: list[Caller], now: datetime
    ) -> None:
        self.rng, self.staff, self.callers, self.now = rng, staff, callers, now
        self.tell = Storyteller(rng, staff)
        self.categories = dict(Category.objects.filter(is_active=True).values_list("path", "pk"))
        self.plans: list[Plan] = []
        self.orders: dict[str, WorkOrder] = {}

    # --- Planning ----------------------------------------------------------------------
    def plan(
        self,
        key: str,
        kind: str,
        caller: Caller,
        received: datetime,
        *,
        channel: str,
        subject: Subject,
        urgent: bool = False,
        stop: str | None = None,
        text: str = "",
    ) -> Plan:
        rng = self.rng
        taker = self.staff.service if channel in SERVICE_CHANNELS else self.staff.desk
        if channel == Channel.PHONE and stop is None and rng.random() < 0.2:
            taker = self.staff.service
        logged = min(received + timedelta(minutes=rng.uniform(0.5, 3)), self.now)
        script = Script(rng, logged, stop)
        room = rng.choice(subject.rooms) if isinstance(subject, Issue | Grievance) else ""
        if isinstance(subject, Issue):
            self.tell.repair(script, subject, room, taker, urgent, hold=stop == "hold" or None)
        elif isinstance(subject, Grievance):
            self.tell.complaint(script, subject, taker, urgent)
        else:
            self.tell.request(script, subject, taker, kind)
        data = WorkOrderInput(
            project_id=caller.unit.project_id,
            type=kind,
            channel=channel,
            description=(text or subject.text).format(room=room),
            urgency=WorkOrder.Urgency.URGENT if urgent else WorkOrder.Urgency.NORMAL,
            owner_id=caller.owner_id,
            unit_id=caller.unit.pk,
            category_id=self.categories.get(subject.category),
            location=room,
            received_at=received,
        )
        plan = Plan(KEY_PREFIX + key, taker, data, logged, script.steps)
        self.plans.append(plan)
        return plan

    def random_orders(self, count: int) -> None:
        rng = self.rng
        for number in range(1, count + 1):
            kind = _pick(rng, TYPE_WEIGHTS)
            channel = _pick(rng, {**OTHER_CHANNELS, **CHANNEL_WEIGHTS[kind]})
            urgent = rng.random() < URGENT_ODDS.get(kind, 0.0)
            self.plan(
                f"{number:04d}",
                kind,
                rng.choice(self.callers),
                self._received(channel),
                channel=channel,
                subject=self._subject(kind, urgent),
                urgent=urgent,
            )

    def _subject(self, kind: str, urgent: bool) -> Subject:
        if kind == Type.REPAIR:
            issues = texts.URGENT_REPAIRS if urgent else texts.REPAIRS
            return self.rng.choices(issues, [issue.weight for issue in issues])[0]
        if kind == Type.COMPLAINT:
            return self.rng.choice(texts.COMPLAINTS)
        return self.rng.choice(REQUESTS[kind])

    def _received(self, channel: str) -> datetime:
        """Some time in the last 60 days: office hours, messages also early and late."""
        rng = self.rng
        day = timezone.localdate(self.now) - timedelta(days=rng.randrange(HISTORY_DAYS))
        opens, hours = (7.0, 16.0) if channel in MESSAGES else (8.5, 11.5)
        midnight = datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())
        at = midnight + timedelta(hours=opens + rng.uniform(0, hours))
        return at if at < self.now - timedelta(minutes=10) else at - timedelta(days=1)

    # --- Replaying ---------------------------------------------------------------------
    def run(self) -> None:
        with replayed_clock() as clock:
            for plan in sorted(self.plans, key=lambda p: p.data.received_at or p.logged_at):
                clock.at = plan.logged_at
                order, _created = work_order_accept(
                    actor=plan.taker, data=plan.data, idempotency_key=plan.key
                )
                self.orders[plan.key] = order
                for step in plan.steps:
                    if step.at > self.now:
                        break
                    clock.at = step.at
                    step.action(order)
            # The periodic sweep, as it would have run two hours ago: breaches it found
            # then are escalated by the sweep of now.
            clock.at = self.now - timedelta(hours=2)
            sweep_milestones(clock.at)
        sweep_milestones()

    def merge_into(self, plan: Plan, original: Plan) -> None:
        def merge(order: WorkOrder) -> object:
            into = self.orders[original.key]
            return work_order_merge(
                actor=self.staff.desk, duplicate=order, into=into, note=texts.MERGE_NOTE
            )

        plan.steps.append(Step("merge", plan.logged_at + timedelta(minutes=12), merge))


def file_past_notifications(project_ids: list[int]) -> int:
    """Mark as read what the staff would long have read: notices of finished business."""
    Status = WorkOrder.Status
    open_order = ~Q(work_order__status__in=(*WorkOrder.DONE, Status.RESOLVED))
    live = (
        Q(kind__in=("at_risk", "breached", "escalated", "emergency", "group_complaint"))
        & open_order
        | Q(kind="dispatched", work_order__status=Status.DISPATCHED)
        | Q(kind="plan_proposed", work_order__plans__status=ComplaintPlan.Status.PROPOSED)
    )
    unread = Notification.objects.filter(
        read_at__isnull=True, work_order__project_id__in=project_ids
    )
    return unread.exclude(live).update(read_at=timezone.now())


def desk_counts(project_ids: list[int]) -> dict[str, int]:
    orders = WorkOrder.objects.filter(project_id__in=project_ids)
    breached = orders.filter(
        milestones__breached_at__isnull=False,
        milestones__met_at__isnull=True,
        milestones__cancelled=False,
    )
    return {
        "work_orders": orders.count(),
        "open_orders": orders.open().count(),
        "breached_orders": breached.distinct().count(),
        "group_alerts": GroupComplaintAlert.objects.filter(project_id__in=project_ids).count(),
    }
