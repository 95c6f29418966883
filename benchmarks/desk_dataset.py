"""The service-desk dataset: its mixes, its time rules, and the core of each order.

Pure functions of a random generator and a `World` (the ids already in the database).
Times are epoch seconds.

Due times are placed, not computed with the working calendar: the sweep and the queues
only read the stored times. A working day counts as 1.4 calendar days (weekends).
The marks follow one rule: the sweep last ran SWEEP_LAG before the reference time
`now` (it was down, or behind), and every threshold crossed before that run is marked
30 s after the crossing, as a sweep every minute would have done. So at `now` the
milestones that crossed a threshold within the lag are unmarked: the breach sweep
claims them, and the breaches of the hour before the lag are due for escalation.

An open order's first running milestone draws its state (DUE_STATES): running (the
elapsed share of its time drawn uniformly), overdue within the lag, breached within the
hour before the lag, or long overdue (up to 30 days). Its received time follows from that;
its other milestones run from the same start.
"""

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

DAY = 86_400.0
HOUR = 3_600.0
MINUTE = 60.0
SWEEP_LAG = 2 * HOUR
MARK_DELAY = 30.0
HISTORY = 3 * 365 * DAY  # closed orders were received over the last three years

TYPES = ("repair", "complaint", "enquiry", "suggestion", "praise")
TYPE_WEIGHTS = (60, 12, 20, 4, 4)
URGENT_SHARE = {"repair": 0.06, "complaint": 0.08}
OPEN_STATUSES = ("accepted", "dispatched", "in_progress", "on_hold", "resolved")
OPEN_WEIGHTS = (3, 25, 53, 7, 12)
MERGED_SHARE = 0.03  # of the done orders; the rest are closed
CHANNELS = ("phone", "wechat", "portal", "walk_in", "property", "sms", "email")
CHANNEL_WEIGHTS = (45, 20, 12, 10, 8, 3, 2)
DUE_STATES = ("running", "overdue_unmarked", "recently_breached", "long_overdue")
DUE_WEIGHTS = (86.9, 2.7, 0.4, 10.0)
ESCALATED_SHARE = 0.02
UNIT_SHARE = {"repair": 0.97, "complaint": 0.9, "enquiry": 0.7}
HOLD_REASONS = ("owner", "materials", "other")
DESCRIPTIONS = {
    "repair": (
        "卫生间地漏反水，楼下天花板有水渍",
        "主卧窗户关不严，下雨渗水",
        "客厅墙面开裂，裂缝约一米长",
        "厨房下水管堵塞",
        "入户门锁芯损坏，钥匙打不开",
        "阳台地面空鼓，踩上去有响声",
        "空调冷凝水管漏水",
        "卫生间墙砖脱落",
        "电梯按钮失灵",
        "楼道灯不亮",
    ),
    "complaint": (
        "维修师傅约好上门却没来",
        "交付时承诺的绿化没有兑现",
        "报修一周无人处理",
        "物业收费不透明",
        "楼上装修噪音影响休息",
    ),
    "enquiry": ("咨询办证进度", "咨询保修期限", "咨询车位租售", "咨询交房时间", "咨询装修备案"),
    "suggestion": ("建议小区增加快递柜", "建议延长会所开放时间", "建议增加儿童游乐设施"),
    "praise": ("感谢维修师傅耐心细致", "表扬前台服务热情", "感谢管家及时回复"),
}
LOCATIONS = ("主卧", "次卧", "客厅", "厨房", "卫生间", "阳台", "入户门", "公共区域")
DEPARTMENTS = {
    "repair": ("engineering", "engineering", "engineering", "contractor"),
    "complaint": ("customer_service",),
    "enquiry": ("customer_service", "customer_service", "sales"),
    "suggestion": ("customer_service",),
    "praise": ("customer_service",),
}
ALL_KINDS = (
    "dispatch",
    "response",
    "initial_handling",
    "investigation_start",
    "feedback",
    "completion",
)
# Milestones met once an order has reached a status (the services' MET_BY, in short).
_MET_WHEN_STARTED = {
    "repair": {"dispatch", "response"},
    "complaint": {"dispatch", "initial_handling", "investigation_start"},
}
WORKING_DAY = 1.4 * DAY
BUSINESS_MINUTE = MINUTE * 24 / 8 * 1.4  # 8 business hours a working day


@dataclass(frozen=True)
class Target:
    kind: str
    clock: str
    amount: int
    share: Decimal  # at_risk_share
    pauses: bool

    @property
    def share_value(self) -> float:
        return float(self.share)

    @property
    def seconds(self) -> float:
        if self.clock == "working_days":
            return self.amount * WORKING_DAY
        if self.clock == "business_hours":
            return self.amount * BUSINESS_MINUTE
        return self.amount * MINUTE

    @property
    def starts_at_dispatch(self) -> bool:
        return self.kind == "investigation_start"


@dataclass(frozen=True)
class Policy:
    id: int
    targets: tuple[Target, ...]


@dataclass
class World:
    """What the rows refer to: ids per project index (0 is the hot project)."""

    now: float
    escalate_after: float
    project_ids: tuple[int, ...]
    units: list[list[int]]  # unit ids per project; the owner of unit i is owner i
    unit_buildings: dict[int, int]  # unit id -> its building id
    desk: list[list[int]]  # front-desk users: they log orders and handle non-repairs
    engineers: list[list[int]]  # repair supervisors: they handle repairs
    managers: list[list[int]]  # escalations go to them
    policies: dict[tuple[str, str], Policy]  # (type, urgency) -> the seeded policy
    categories: dict[str, list[int]]  # type -> leaf category ids
    labels: dict[str, str]  # milestone kind -> label, as the sweep writes it
    texts: dict[str, str]  # notification kind -> template, as the sweep writes it

    def policy(self, type_: str, urgency: str) -> Policy | None:
        return self.policies.get((type_, urgency)) or self.policies.get((type_, ""))


class Picker:
    """Weighted choice by one uniform draw."""

    def __init__(self, values: Sequence[str], weights: Sequence[float]) -> None:
        self.values = tuple(values)
        total = float(sum(weights))
        self.bounds = [w / total for w in accumulate(weights)][:-1]

    def __call__(self, rng: random.Random) -> str:
        return self.values[bisect(self.bounds, rng.random())]


pick_type = Picker(TYPES, TYPE_WEIGHTS)
pick_open_status = Picker(OPEN_STATUSES, OPEN_WEIGHTS)
pick_channel = Picker(CHANNELS, CHANNEL_WEIGHTS)
pick_due_state = Picker(DUE_STATES, DUE_WEIGHTS)

# (received, project index, type, urgency, status): what orders are sorted by.
Core = tuple[float, int, str, str, str]


def met_kinds(type_: str, status: str) -> set[str]:
    """The milestones an open or done order has met in its status."""
    if status in ("resolved", "closed"):
        return set(ALL_KINDS)
    if status in ("in_progress", "on_hold"):
        return _MET_WHEN_STARTED.get(type_, {"dispatch"})
    return {"dispatch"} if status == "dispatched" else set()


def running_targets(policy: Policy | None, type_: str, status: str) -> list[Target]:
    if policy is None or status == "merged":
        return []
    met = met_kinds(type_, status)
    return [
        t
        for t in policy.targets
        if t.kind not in met and not (t.starts_at_dispatch and status == "accepted")
    ]


def _type_urgency(rng: random.Random) -> tuple[str, str]:
    type_ = pick_type(rng)
    return type_, "urgent" if rng.random() < URGENT_SHARE.get(type_, 0.0) else "normal"


def open_core(rng: random.Random, world: World, k: int, hot: int) -> Core:
    """An open order: its received time follows from its first running milestone."""
    project = 0 if k < hot else 1 + k % (len(world.project_ids) - 1)
    type_, urgency = _type_urgency(rng)
    status = pick_open_status(rng)
    now = world.now
    running = [
        t
        for t in running_targets(world.policy(type_, urgency), type_, status)
        if not t.starts_at_dispatch
    ]
    if status == "on_hold":
        return now - rng.uniform(2 * DAY, 45 * DAY), project, type_, urgency, status
    if not running:
        days = 20 if status == "resolved" else 10
        return now - rng.uniform(HOUR, days * DAY), project, type_, urgency, status
    seconds = min(t.seconds for t in running)
    state = pick_due_state(rng)
    if state == "running":
        due = now + (1 - rng.random()) * seconds
    elif state == "overdue_unmarked":
        due = now - rng.uniform(0, SWEEP_LAG)
    elif state == "recently_breached":
        due = now - SWEEP_LAG - MARK_DELAY - rng.uniform(0, world.escalate_after)
    else:
        due = now - SWEEP_LAG - world.escalate_after - rng.uniform(MINUTE, 30 * DAY)
    return due - seconds, project, type_, urgency, status


def closed_core(rng: random.Random, world: World, received: float, hot_share: float) -> Core:
    others = len(world.project_ids) - 1
    project = 0 if rng.random() < hot_share else 1 + rng.randrange(others)
    type_, urgency = _type_urgency(rng)
    status = "merged" if rng.random() < MERGED_SHARE else "closed"
    return received, project, type_, urgency, status
