"""The life of a demo work order, as a script of service calls at simulated times.

A story is written in full (dispatch, start, hold, resolve, close …) with plausible delays
after the report; the loader replays the steps whose time has come, so recent orders are
still open at the step they have reached, and older ones are closed. A staged scene stops
the story after a named step (e.g. never resolved, so its completion is breached).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from anju.core.demo import desk_texts as texts
from anju.core.demo.desk_texts import Grievance, Issue, Request
from anju.security.models import User
from anju.servicedesk.models import ComplaintPlan, WorkOrder
from anju.servicedesk.services import (
    complaint_decide_plan,
    complaint_give_feedback,
    complaint_propose_plan,
    complaint_start_investigation,
    work_order_close,
    work_order_dispatch,
    work_order_escalate,
    work_order_hold,
    work_order_reopen,
    work_order_resolve,
    work_order_resume,
    work_order_start,
)

Action = Callable[[WorkOrder], object]
DAY_STARTS, DAY_ENDS = time(8, 30), time(19, 30)  # when staff visit owners


@dataclass(frozen=True)
class Staff:
    desk: User  # 前台: takes most requests, answers enquiries, calls owners back
    service: User  # 客服专员: complaints, e-mail and property-company requests
    supervisor: User  # 维修主管: every repair
    manager: User  # 客服经理: approves complaint handling plans


@dataclass(frozen=True)
class Step:
    name: str
    at: datetime
    action: Action


@dataclass
class Script:
    """Steps at increasing times; nothing is added after the `stop` step."""

    rng: random.Random
    at: datetime
    stop: str | None = None
    steps: list[Step] = field(default_factory=list)
    stopped: bool = False

    def __post_init__(self) -> None:
        self.stopped = self.stop == "accept"

    @property
    def calm(self) -> bool:
        """A staged scene: no random delays or detours, so it reaches its stop on time."""
        return self.stop is not None

    def then(self, name: str, minutes: float, action: Action, *, daytime: bool = False) -> None:
        if self.stopped:
            return
        self.at += timedelta(minutes=minutes)
        if daytime:
            self.at = self._daytime(self.at)
        self.steps.append(Step(name, self.at, action))
        self.stopped = name == self.stop

    def _daytime(self, at: datetime) -> datetime:
        local = timezone.localtime(at)
        if DAY_STARTS <= local.time() <= DAY_ENDS:
            return at
        day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
        opening = datetime.combine(day, DAY_STARTS, tzinfo=local.tzinfo)
        return opening + timedelta(minutes=self.rng.uniform(0, 90))


class Storyteller:
    def __init__(self, rng: random.Random, staff: Staff) -> None:
        self.rng, self.staff = rng, staff

    def _minutes(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def _hours(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high) * 60

    def _chance(self, odds: float) -> bool:
        return self.rng.random() < odds

    def _late(self, s: Script, odds: float) -> bool:
        """A slow step or a detour (re-dispatch, escalation, reopening), never in a scene."""
        return not s.calm and self._chance(odds)

    def dispatch(
        self, s: Script, taker: User, department: str, assignee: User, urgent: bool
    ) -> None:
        # Mostly within the 10 minutes; a busy line (or a night-time report) makes it late.
        if urgent:
            delay = self._minutes(1, 4)
        else:
            delay = self._minutes(12, 75) if self._late(s, 0.15) else self._minutes(1, 7)
        note = texts.DISPATCH_NOTES[department]
        s.then(
            "dispatch",
            delay,
            lambda o: work_order_dispatch(
                actor=taker, order=o, department=department, assignee=assignee, note=note
            ),
        )

    # --- Repairs ---------------------------------------------------------------------
    def repair(
        self, s: Script, issue: Issue, room: str, taker: User, urgent: bool, hold: bool | None
    ) -> None:
        rng, fixer = self.rng, self.staff.supervisor
        department = rng.choices(
            (texts.ENGINEERING, texts.CONTRACTOR, texts.PROPERTY), (55, 38, 7)
        )[0]
        self.dispatch(s, taker, department, fixer, urgent)
        if department == texts.ENGINEERING and self._late(s, 0.08):
            s.then(
                "redispatch",
                self._hours(1, 4),
                lambda o: work_order_dispatch(
                    actor=taker,
                    order=o,
                    department=texts.CONTRACTOR,
                    assignee=fixer,
                    note=texts.REDISPATCH_NOTE,
                ),
            )
        started = rng.choice(texts.START_NOTES)

        def start(order: WorkOrder) -> object:
            return work_order_start(actor=fixer, order=order, note=started)

        if urgent:
            s.then(
                "start",
                self._minutes(130, 300) if self._late(s, 0.1) else self._minutes(20, 100),
                start,
            )
        else:
            s.then(
                "start",
                self._hours(30, 80) if self._late(s, 0.15) else self._hours(1, 20),
                start,
                daytime=True,
            )
        if hold is None:
            hold = not urgent and self._late(s, 0.25)
        if hold:
            self._hold(s, fixer)
        if self._late(s, 0.04):
            s.then(
                "escalate",
                self._hours(20, 60),
                lambda o: work_order_escalate(actor=taker, order=o, note=texts.ESCALATE_NOTE),
            )
        fix = issue.fix.format(room=room)
        work = self._hours(1, 6) if urgent else self._hours(2, 70)
        if self._late(s, 0.1):
            work += self._hours(150, 260)
        s.then(
            "resolve",
            work,
            lambda o: work_order_resolve(actor=fixer, order=o, note=fix),
            daytime=True,
        )
        self._close(s, taker)
        if self._late(s, 0.03):
            s.then(
                "reopen",
                self._hours(48, 200),
                lambda o: work_order_reopen(actor=taker, order=o, note=texts.REOPEN_NOTE),
            )
            s.then(
                "resolve",
                self._hours(20, 70),
                lambda o: work_order_resolve(actor=fixer, order=o, note=fix),
                daytime=True,
            )
            self._close(s, taker)

    def _hold(self, s: Script, fixer: User) -> None:
        reason = "materials" if s.calm or self._chance(0.8) else "owner"
        note = self.rng.choice(texts.HOLD_NOTES[reason])
        s.then(
            "hold",
            self._hours(0.5, 5),
            lambda o: work_order_hold(actor=fixer, order=o, reason=reason, note=note),
            daytime=True,
        )
        resumed = texts.RESUME_NOTES[reason]
        s.then(
            "resume",
            self._hours(20, 130),
            lambda o: work_order_resume(actor=fixer, order=o, note=resumed),
            daytime=True,
        )

    def _close(self, s: Script, closer: User, note: str = "") -> None:
        note = note or self.rng.choice(texts.CLOSE_NOTES)
        s.then(
            "close",
            self._hours(18, 72),
            lambda o: work_order_close(actor=closer, order=o, note=note),
            daytime=True,
        )

    # --- Complaints ------------------------------------------------------------------
    def complaint(self, s: Script, grievance: Grievance, taker: User, urgent: bool) -> None:
        service = self.staff.service
        responsible = self.staff.supervisor if grievance.by_engineering else service
        self.dispatch(s, taker, texts.CUSTOMER_SERVICE, service, urgent)
        s.then(
            "investigate",
            self._hours(26, 40) if self._late(s, 0.1) else self._hours(1, 16),
            lambda o: complaint_start_investigation(
                actor=service, order=o, note=texts.INVESTIGATION_NOTE
            ),
            daytime=True,
        )
        s.then(
            "feedback",
            self._hours(30, 50) if self._late(s, 0.1) else self._hours(2, 20),
            lambda o: complaint_give_feedback(
                actor=service,
                order=o,
                channel=WorkOrder.Channel.PHONE,
                content=texts.FIRST_FEEDBACK,
                owner_response=texts.FIRST_RESPONSE,
            ),
            daytime=True,
        )
        days = self.rng.randint(3, 10)
        self._propose(s, grievance, responsible, days)
        if self._late(s, 0.15):
            self._decide(s, approve=False)
            self._propose(s, grievance, responsible, days, revised=True)
        self._decide(s, approve=True)
        outcome = grievance.outcome
        s.then(
            "resolve",
            self._hours(20, days * 20),
            lambda o: work_order_resolve(actor=responsible, order=o, note=outcome),
            daytime=True,
        )
        satisfied = not self._chance(0.15)
        response = self.rng.choice(texts.SATISFIED if satisfied else texts.UNSATISFIED)
        channel = self.rng.choice((WorkOrder.Channel.PHONE, WorkOrder.Channel.WECHAT))
        s.then(
            "final_feedback",
            self._hours(2, 24),
            lambda o: complaint_give_feedback(
                actor=service,
                order=o,
                channel=channel,
                content=f"{texts.FINAL_FEEDBACK}：{outcome}",
                owner_response=response,
                owner_satisfied=satisfied,
            ),
            daytime=True,
        )
        self._close(s, service, note=response)

    def _propose(
        self, s: Script, g: Grievance, responsible: User, days: int, *, revised: bool = False
    ) -> None:
        content = g.plan + (texts.REVISED if revised else "")
        s.then(
            "propose",
            self._hours(4, 30),
            lambda o: complaint_propose_plan(
                actor=self.staff.service,
                order=o,
                content=content,
                department=g.department,
                responsible=responsible,
                # The replayed clock makes "today" the day the plan is written.
                deadline=timezone.localdate() + timedelta(days=days),
                findings=g.findings,
            ),
            daytime=True,
        )

    def _decide(self, s: Script, *, approve: bool) -> None:
        note = texts.APPROVE_NOTE if approve else texts.REJECT_NOTE
        s.then(
            "decide",
            self._hours(1, 8),
            lambda o: complaint_decide_plan(
                actor=self.staff.manager,
                plan=o.plans.get(status=ComplaintPlan.Status.PROPOSED),
                approve=approve,
                note=note,
            ),
            daytime=True,
        )

    # --- Enquiries, suggestions, praise ----------------------------------------------
    def request(self, s: Script, request: Request, taker: User, kind: str) -> None:
        staff = self.staff
        if kind == WorkOrder.Type.ENQUIRY:
            # The front desk answers most enquiries itself (its own "my orders").
            answerer = staff.desk if s.calm or self._chance(0.6) else staff.service
            wait = self._minutes(10, 300)
        else:
            answerer, wait = staff.service, self._hours(4, 72)
        self.dispatch(s, taker, texts.CUSTOMER_SERVICE, answerer, urgent=False)
        answer = request.answer
        s.then(
            "resolve",
            wait,
            lambda o: work_order_resolve(actor=answerer, order=o, note=answer),
            daytime=True,
        )
        self._close(s, taker, note=answer)
