"""Review D: a sweep mark set while a recompute batch runs is written back to NULL."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from anju.servicedesk import recompute as recompute_module
from anju.servicedesk.calendar import calendar_amend_day
from anju.servicedesk.models import CalendarDay, Milestone, Notification, WorkOrderEvent
from anju.servicedesk.services import work_order_dispatch
from anju.servicedesk.sweep import SweepResult, sweep_milestones

SH = ZoneInfo("Asia/Shanghai")


def at(*a):
    return datetime(*a, tzinfo=SH)


@pytest.mark.django_db(transaction=True)
def test_sweep_mark_lost_during_recompute(accept, desk, supervisor, make_user, monkeypatch):
    admin = make_user("administrator")
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 11, 23, 10, 0))
    order = accept()
    work_order_dispatch(actor=desk, order=order, department="engineering", assignee=supervisor)
    completion = Milestone.objects.get(work_order=order, kind="completion")
    assert completion.due_at == at(2026, 12, 2, 23, 59, 59, 999999)
    now = at(2026, 12, 10, 9, 0)  # long overdue
    monkeypatch.setattr(timezone, "now", lambda: now)
    # the calendar change, its recompute not run yet
    monkeypatch.setattr(recompute_module.transaction, "on_commit", lambda *a, **k: None)
    calendar_amend_day(actor=admin, date=date(2026, 11, 25), kind=CalendarDay.Kind.EXTRA_DAY_OFF)
    real = recompute_module.recomputed_deadline
    fired = []

    def with_concurrent_sweep(milestone, clocks):
        if not fired:
            fired.append(1)
            if connection.vendor == "postgresql":
                t = threading.Thread(target=lambda: (sweep_milestones(now), connection.close()))
                t.start()
                t.join()
            else:  # what the other process's committed sweep leaves
                Milestone.objects.filter(breached_at__isnull=True, due_at__lt=now).update(
                    breached_at=now
                )
        return real(milestone, clocks)

    monkeypatch.setattr(recompute_module, "recomputed_deadline", with_concurrent_sweep)
    assert Milestone.objects.filter(work_order=order, breached_at__isnull=True).count() >= 1
    recompute_module.recompute_requested(now)
    completion.refresh_from_db()
    print("due", completion.due_at, "breached_at", completion.breached_at)
    assert completion.due_at == at(2026, 12, 3, 23, 59, 59, 999999)  # moved, still overdue
    # the sweep's breach mark, set meanwhile, is gone
    assert completion.breached_at is None
    # so the next sweep breaches it a second time: two events, two notifications
    assert sweep_milestones(now) == SweepResult(breached=1)
    events = WorkOrderEvent.objects.filter(
        work_order=order, kind=WorkOrderEvent.Kind.MILESTONE_BREACHED, data__milestone="completion"
    ).count()
    notes = Notification.objects.filter(kind="breached", work_order=order).count()
    print("breach events for completion", events, "breach notifications", notes)
    assert events == 2
