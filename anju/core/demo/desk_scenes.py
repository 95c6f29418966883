"""Staged scenes of the demo service desk, and the whole desk load.

The scenes are set relative to now so the queues always show something: orders nobody
has dispatched yet, milestones at risk and breached, repairs waiting for materials, a
plan waiting for the manager, a duplicate merged into the first call, 张三's own orders,
and a group-complaint alert: five owners of one building about 外墙渗漏 this week.
"""

import random
from datetime import datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from anju.core.demo import desk_texts as texts
from anju.core.demo.desk import (
    GROUP_OWNERS,
    Caller,
    DeskLoader,
    demo_staff,
    file_past_notifications,
    handed_over_callers,
)
from anju.core.demo.desk_texts import Issue
from anju.core.demo.people import ZHANG_SAN_UNIT
from anju.servicedesk.calendar import current_clocks
from anju.servicedesk.models import SlaTarget, WorkOrder
from anju.servicedesk.models.sla import MilestoneKind
from anju.servicedesk.sla import deadline_for

Type, Channel = WorkOrder.Type, WorkOrder.Channel
# The group complaint: (days ago, hours more, channel, the last step taken so far).
GROUP_SCENES = (
    (6, 2, Channel.PHONE, "feedback"),
    (5, 4, Channel.WALK_IN, "feedback"),
    (4, 1, Channel.WECHAT, "investigate"),
    (2, 3, Channel.PHONE, "dispatch"),
    (1, 5, Channel.PROPERTY, "dispatch"),
)


def _issue(category: str, index: int = 0) -> Issue:
    return [issue for issue in texts.REPAIRS if issue.category == category][index]


def stage_scenes(loader: DeskLoader, zhang: Caller) -> None:
    rng, now, plan = loader.rng, loader.now, loader.plan

    def ago(**span: float) -> datetime:
        return now - timedelta(**span)

    def anyone() -> Caller:
        return rng.choice(loader.callers)

    def repair() -> Issue:
        return rng.choice(texts.REPAIRS)

    # 张三, the owner of every demo: a leak fixed last month, a window handle in progress.
    leak, handle = _issue("防水渗漏 › 卫生间渗漏"), _issue("土建 › 门窗", 1)
    plan(
        "zhang-leak", Type.REPAIR, zhang, ago(days=45, hours=3), channel=Channel.PHONE, subject=leak
    )
    plan(
        "zhang-window",
        Type.REPAIR,
        zhang,
        ago(days=2, hours=1),
        channel=Channel.WECHAT,
        subject=handle,
        stop="start",
    )
    # Not dispatched yet (the last three are past their 10 minutes).
    unassigned = (
        ("new-repair", Type.REPAIR, ago(minutes=2), Channel.PHONE, repair()),
        ("new-enquiry", Type.ENQUIRY, ago(minutes=20), Channel.WECHAT, texts.ENQUIRIES[0]),
        ("new-portal", Type.REPAIR, ago(minutes=50), Channel.PORTAL, repair()),
        ("new-email", Type.COMPLAINT, ago(hours=3), Channel.EMAIL, texts.COMPLAINTS[3]),
    )
    for key, kind, received, channel, subject in unassigned:
        plan(key, kind, anyone(), received, channel=channel, subject=subject, stop="accept")
    # The front desk answers an enquiry itself: in its own "my orders".
    plan(
        "desk-enquiry",
        Type.ENQUIRY,
        anyone(),
        ago(minutes=40),
        channel=Channel.PHONE,
        subject=texts.ENQUIRIES[1],
        stop="dispatch",
    )
    # Repairs: completion and response breached, urgent response at risk, two on hold.
    repairs = [
        ("late-completion", ago(days=20), Channel.PHONE, repair(), False, "start"),
        ("late-response", ago(days=5), Channel.PROPERTY, repair(), False, "dispatch"),
        ("urgent-open", ago(minutes=95), Channel.PHONE, texts.URGENT_REPAIRS[2], True, "dispatch"),
        ("on-hold", ago(days=6), Channel.PHONE, _issue("土建 › 楼地面/屋面/顶棚"), False, "hold"),
        ("on-hold-long", ago(days=10), Channel.WECHAT, _issue("土建 › 门窗"), False, "hold"),
    ]
    at_risk = _completion_at_risk_since(now)
    if at_risk is not None:
        issue = _issue("装修 › 墙面/顶棚抹灰")
        repairs.append(("repair-at-risk", at_risk, Channel.PHONE, issue, False, "start"))
    for key, received, channel, issue, urgent, stop in repairs:
        plan(
            key,
            Type.REPAIR,
            anyone(),
            received,
            channel=channel,
            subject=issue,
            urgent=urgent,
            stop=stop,
        )
    # Complaints: initial handling at risk, feedback breached, a plan awaiting approval.
    complaints = (
        ("complaint-at-risk", ago(hours=20), Channel.PHONE, texts.COMPLAINTS[1], "dispatch"),
        ("complaint-late", ago(days=3), Channel.WALK_IN, texts.COMPLAINTS[0], "investigate"),
        ("complaint-feedback", ago(hours=40), Channel.SMS, texts.COMPLAINTS[6], "investigate"),
        ("complaint-plan", ago(days=4), Channel.PHONE, texts.COMPLAINTS[5], "propose"),
    )
    for key, received, channel, grievance, stop in complaints:
        plan(key, Type.COMPLAINT, anyone(), received, channel=channel, subject=grievance, stop=stop)
    # One complaint seen through to the end: plan approved, owner told, closed.
    plan(
        "complaint-closed",
        Type.COMPLAINT,
        anyone(),
        ago(days=30, hours=5),
        channel=Channel.WALK_IN,
        subject=texts.COMPLAINTS[7],
    )
    # The same leak reported twice: the WeChat message is merged into the phone call.
    caller, door_leak = anyone(), _issue("防水渗漏 › 门窗渗漏")
    first = plan(
        "leak-call",
        Type.REPAIR,
        caller,
        ago(hours=30),
        channel=Channel.PHONE,
        subject=door_leak,
        stop="start",
    )
    again = plan(
        "leak-message",
        Type.REPAIR,
        caller,
        ago(hours=3),
        channel=Channel.WECHAT,
        subject=door_leak,
        stop="accept",
    )
    loader.merge_into(again, first)
    _group_complaint(loader)


def _completion_at_risk_since(now: datetime) -> datetime | None:
    """A morning report whose repair completion is at risk now (not yet due), if any."""
    target = SlaTarget.objects.filter(
        policy__is_active=True,
        policy__work_order_type=Type.REPAIR,
        policy__urgency=WorkOrder.Urgency.NORMAL,
        policy__category__isnull=True,
        milestone=MilestoneKind.COMPLETION,
    ).first()
    if target is None:
        return None
    today, clocks = timezone.localdate(now), current_clocks()
    for days in range(1, 30):
        start = datetime.combine(
            today - timedelta(days=days), time(10), tzinfo=timezone.get_current_timezone()
        )
        due, at_risk = deadline_for(
            target.clock, start, target.amount, target.at_risk_share, clocks
        )
        if at_risk <= now - timedelta(hours=1) and due.at > now + timedelta(hours=2):
            return start
    return None


def _group_callers(callers: list[Caller]) -> list[Caller]:
    """Five owners of the building with the most owners (topped up from its phase)."""
    by_building: dict[int, dict[int, Caller]] = {}
    for caller in callers:
        by_building.setdefault(caller.unit.building_id, {}).setdefault(caller.owner_id, caller)
    building = max(by_building, key=lambda pk: (len(by_building[pk]), -pk))
    chosen = list(by_building[building].values())[:GROUP_OWNERS]
    phase = chosen[0].unit.building.phase_id
    owners = {caller.owner_id for caller in chosen}
    for caller in callers:
        if len(chosen) >= GROUP_OWNERS:
            break
        if caller.unit.building.phase_id == phase and caller.owner_id not in owners:
            chosen.append(caller)
            owners.add(caller.owner_id)
    return chosen if len(chosen) >= GROUP_OWNERS else []


def _group_complaint(loader: DeskLoader) -> None:
    callers = _group_callers(loader.callers)
    scenes = zip(callers, GROUP_SCENES, texts.FACADE_TEXTS, strict=False)
    for number, (caller, (days, hours, channel, stop), text) in enumerate(scenes, start=1):
        loader.plan(
            f"facade-{number}",
            Type.COMPLAINT,
            caller,
            loader.now - timedelta(days=days, hours=hours),
            channel=channel,
            subject=texts.FACADE_COMPLAINT,
            stop=stop,
            text=text,
        )


def load_orders(
    rng: random.Random, project_ids: list[int], orders: int, now: datetime | None = None
) -> int:
    """The scenes and random orders up to `orders` in all; return how many were made."""
    callers = handed_over_callers(project_ids)
    if not callers or orders < 1:
        return 0
    loader = DeskLoader(rng, demo_staff(), callers, now or timezone.now())
    first_project = project_ids[0]
    zhang = [
        c for c in callers if (c.unit.project_id, c.unit.code) == (first_project, ZHANG_SAN_UNIT)
    ]
    stage_scenes(loader, zhang[0] if zhang else callers[0])
    loader.random_orders(max(orders - len(loader.plans), 0))
    loader.run()
    transaction.on_commit(partial(file_past_notifications, project_ids))
    return len(loader.orders)
