"""Rows of the service-desk dataset: an order, its milestones, events and notifications.

Times are epoch seconds until a row is written; see desk_dataset for the rules.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from benchmarks.desk_dataset import (
    DAY,
    DEPARTMENTS,
    DESCRIPTIONS,
    ESCALATED_SHARE,
    HOLD_REASONS,
    HOUR,
    LOCATIONS,
    MARK_DELAY,
    MINUTE,
    SWEEP_LAG,
    UNIT_SHARE,
    Core,
    Target,
    World,
    pick_channel,
)

_LATEST_EVENT = {
    "dispatched": "dispatched",
    "in_progress": "started",
    "on_hold": "held",
    "resolved": "resolved",
    "closed": "closed",
    "merged": "merged",
}


def ts(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def sla_summary(milestones: list[tuple[Any, ...]]) -> tuple[datetime | None, ...]:
    """WorkOrder.next_due_at, sla_at_risk_from and sla_breach_from, by the rule of
    anju.servicedesk.sla.summarize, from milestone rows in MILESTONE column order."""
    due, at_risk, paused, met, cancelled = 7, 8, 10, 12, 13
    running = [m for m in milestones if m[met] is None and not m[cancelled]]
    ticking = [m for m in running if m[paused] is None]
    breaching = [m for m in running if m[paused] is None or m[paused] > m[due]]
    return (
        min((m[due] for m in running), default=None),
        min((m[at_risk] for m in ticking), default=None),
        min((m[due] for m in breaching), default=None),
    )


@dataclass
class Rows:
    """Rows of one chunk, per table, in the COPY column order of desk_generate.COLUMNS."""

    orders: list[tuple[Any, ...]] = field(default_factory=list)
    milestones: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    notifications: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Counters:
    milestones: int = 0
    events: int = 0
    notifications: int = 0
    running: int = 0  # met_at null and not cancelled
    sweepable: int = 0  # running and not paused
    overdue_unmarked: int = 0
    at_risk_unmarked: int = 0
    escalation_due: int = 0

    def add(self, other: "Counters") -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


class OrderRows:
    """Appends one order and everything hanging off it to a chunk's Rows."""

    def __init__(self, world: World, rng: random.Random, counters: Counters) -> None:
        self.world = world
        self.rng = rng
        self.counters = counters
        self.last_id: dict[int, int] = {}  # per project: a merged duplicate's original

    def after(self, start: float, low: float, high: float) -> float:
        """A moment `low`..`high` seconds after `start`, squeezed to stay before now."""
        room = max(0.0, self.world.now - MINUTE - start)
        return start + min(self.rng.uniform(low, high), room * self.rng.uniform(0.3, 0.9))

    def add(self, order_id: int, core: Core, rows: Rows) -> None:
        received, p, type_, urgency, status = core
        world, rng = self.world, self.rng
        policy = world.policy(type_, urgency)
        logger = rng.choice(world.desk[p])
        units = world.units[p]
        unit = rng.choice(units) if units and rng.random() < UNIT_SHARE.get(type_, 0.5) else None
        categories = world.categories.get(type_)
        category = rng.choice(categories) if categories else None
        times = self._times(received, type_, status)
        department, assignee = "", None
        if times["dispatch"] is not None:
            department = rng.choice(DEPARTMENTS[type_])
            staff = world.desk if department in ("customer_service", "sales") else world.engineers
            assignee = rng.choice(staff[p])
        merged_into = self.last_id.get(p) if status == "merged" else None
        if status != "merged":
            self.last_id[p] = order_id
        on_hold = times["hold"]
        created = self.after(received, 0, 5 * MINUTE)
        order_row = (
            order_id,
            world.project_ids[p],
            type_,
            pick_channel(rng),
            unit,  # the owner of unit i is owner i
            unit,
            world.unit_buildings[unit] if unit else None,
            category,
            rng.choice(LOCATIONS) if type_ == "repair" else "",
            urgency,
            rng.choice(DESCRIPTIONS[type_]),
            ts(received),
            ts(created),
            logger,
            logger,
            status,
            department,
            assignee,
            assignee is not None and rng.random() < ESCALATED_SHARE,
            rng.choice(HOLD_REASONS) if on_hold else "",
            ts(on_hold),
            merged_into,
            policy.id if policy else None,
            ts(times["completion"]),
            ts(times["closed"]),
        )
        channel = order_row[3]
        self._events(
            order_id, status, (logger, assignee), channel, created, times, rows, merged_into
        )
        first_milestone = len(rows.milestones)
        if policy is not None:
            responsible = assignee or logger
            for target in policy.targets:
                self._milestone(order_id, p, target, received, status, times, responsible, rows)
        rows.orders.append(order_row + sla_summary(rows.milestones[first_milestone:]))

    def _times(self, received: float, type_: str, status: str) -> dict[str, float | None]:
        """When each step happened (None: not yet); milestones are met at these moments."""
        t: dict[str, float | None] = dict.fromkeys(
            ("dispatch", "start", "hold", "completion", "closed", "merged")
        )
        if status == "merged":
            t["merged"] = self.after(received, 5 * MINUTE, 2 * DAY)
            return t
        if status == "accepted":
            return t
        t["dispatch"] = dispatch = self.after(received, 2 * MINUTE, 12 * MINUTE)
        if status == "dispatched":
            return t
        t["start"] = start = self.after(dispatch, 10 * MINUTE, DAY)
        if status == "on_hold":
            t["hold"] = self.after(start, HOUR, 5 * DAY)
        if status in ("resolved", "closed"):
            span = 10 * DAY if type_ == "repair" else 2 * DAY
            t["completion"] = done = self.after(start, HOUR, span)
            if status == "closed":
                t["closed"] = self.after(done, HOUR, 3 * DAY)
        return t

    def _events(
        self,
        order_id: int,
        status: str,
        people: tuple[int, int | None],
        channel: str,
        created: float,
        times: dict[str, float | None],
        rows: Rows,
        merged_into: int | None,
    ) -> None:
        logger, assignee = people
        data = {"channel": channel, "first_responder": logger}
        self._event(order_id, "accepted", created, logger, data, rows)
        kind = _LATEST_EVENT.get(status)
        if kind is None:
            return
        at = {
            "dispatched": times["dispatch"],
            "started": times["start"],
            "held": times["hold"],
            "resolved": times["completion"],
            "closed": times["closed"],
            "merged": times["merged"],
        }[kind]
        extra: dict[str, Any] = {}
        if kind == "dispatched":
            extra = {"assignee": assignee}
        elif kind == "merged":
            extra = {"into": merged_into}
        actor = assignee if kind in ("started", "held", "resolved") else logger
        self._event(order_id, kind, at, actor, extra, rows)

    def _event(
        self,
        order_id: int,
        kind: str,
        at: float | None,
        actor: int | None,
        data: dict[str, Any],
        rows: Rows,
    ) -> None:
        self.counters.events += 1
        rows.events.append((order_id, kind, ts(at), actor, "", data))

    def _milestone(
        self,
        order_id: int,
        p: int,
        target: Target,
        received: float,
        status: str,
        times: dict[str, float | None],
        responsible: int,
        rows: Rows,
    ) -> None:
        if target.starts_at_dispatch and times["dispatch"] is None and status != "merged":
            return  # not started yet
        started = times["dispatch"] if target.starts_at_dispatch else received
        started = started if started is not None else received
        due = started + target.seconds
        at_risk = started + target.share_value * target.seconds
        met = self._met_at(target.kind, status, times)
        cancelled = status == "merged"
        paused = times["hold"] if (met is None and target.pauses and not cancelled) else None
        now = self.world.now
        ended = met or times["merged"] or paused or now
        limit = min(ended, now - SWEEP_LAG)  # marks made by the sweeps up to then
        notified = at_risk + MARK_DELAY if at_risk + MARK_DELAY <= min(limit, due) else None
        breached = due + MARK_DELAY if due + MARK_DELAY <= limit else None
        late = breached + self.world.escalate_after if breached is not None else None
        escalated = late if late is not None and late <= limit else None
        c = self.counters
        c.milestones += 1
        rows.milestones.append(
            (
                order_id,
                target.kind,
                target.clock,
                target.amount,
                target.share,
                target.pauses,
                ts(started),
                ts(due),
                ts(at_risk),
                False,
                ts(paused),
                [],
                ts(met),
                cancelled,
                ts(notified),
                ts(breached),
                ts(escalated),
            )
        )
        if met is not None or cancelled:
            return
        c.running += 1
        if paused is not None:
            return
        c.sweepable += 1
        c.overdue_unmarked += due < now and breached is None
        c.at_risk_unmarked += at_risk <= now <= due and notified is None
        c.escalation_due += (
            breached is not None
            and breached <= now - self.world.escalate_after
            and escalated is None
        )
        marks = (("at_risk", notified), ("breached", breached), ("escalated", escalated))
        for kind, at in marks:
            if at is not None:
                recipients = self.world.managers[p] if kind == "escalated" else [responsible]
                self._notify(order_id, kind, target.kind, at, recipients, rows)

    @staticmethod
    def _met_at(kind: str, status: str, times: dict[str, float | None]) -> float | None:
        if status == "merged":
            return None
        if kind == "dispatch":
            return times["dispatch"]
        if kind in ("response", "initial_handling", "investigation_start"):
            return times["start"] if status != "dispatched" else None
        return times["completion"]  # feedback, completion

    def _notify(
        self, order_id: int, kind: str, milestone: str, at: float, recipients: list[int], rows: Rows
    ) -> None:
        text = self.world.texts[kind] % {
            "number": f"GD{order_id:08d}",
            "milestone": self.world.labels[milestone],
        }
        read = at + self.rng.uniform(10 * MINUTE, 8 * HOUR)
        read_at = read if read < self.world.now and self.rng.random() < 0.9 else None
        for recipient in recipients:
            self.counters.notifications += 1
            rows.notifications.append(
                (
                    recipient,
                    kind,
                    text[:300],
                    order_id,
                    ts(at),
                    ts(read_at),
                )
            )
