"""Two copies of one request (same user, same Idempotency-Key) accepted at the same moment.

No look-up precedes the INSERT, so both copies get as far as inserting: each runs
work_order_accept in its own thread and connection, and a barrier holds both just before
the INSERT. The unique (created_by, idempotency_key) lets one in; the other waits on the
index until the first commits, is refused, and answers with the first order. Row-level
waits need PostgreSQL; SQLite is skipped.
"""

import threading

import pytest
from django.db import connection, connections

from anju.servicedesk.models import Category, WorkOrder
from anju.servicedesk.services import WorkOrderInput, intake, work_order_accept

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the race needs two real transactions waiting on a unique index (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("same_body", [True, False])
def test_two_copies_racing_make_one_order(project, make_user, monkeypatch, same_body):
    # given a desk user and one request, sent twice at once (a client's retry racing)
    desk = make_user("front_desk", projects=[project])
    leak = Category.objects.create(name="卫生间渗漏(并发测试)")
    barrier = threading.Barrier(2, timeout=30)
    original = intake.summarize

    def summarize_together(milestones):  # the last step before the INSERT
        barrier.wait()
        return original(milestones)

    monkeypatch.setattr(intake, "summarize", summarize_together)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def accept(description: str, fingerprint: str) -> None:
        data = WorkOrderInput(
            project_id=project.pk,
            type="repair",
            channel="phone",
            description=description,
            category_id=leak.pk,
        )
        try:
            order, created = work_order_accept(
                actor=desk, data=data, idempotency_key="retry-1", fingerprint=fingerprint
            )
            results.append((order.pk, created))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    bodies = [("卫生间漏水", "f1"), ("卫生间漏水", "f1") if same_body else ("厨房漏水", "f2")]
    threads = [threading.Thread(target=accept, args=body) for body in bodies]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one order exists; the copy answers with it, or (another body) is a conflict
    assert WorkOrder.objects.filter(idempotency_key="retry-1").count() == 1
    order = WorkOrder.objects.get(idempotency_key="retry-1")
    if same_body:
        assert errors == []
        assert sorted(results, key=lambda r: r[1]) == [(order.pk, False), (order.pk, True)]
    else:
        assert results == [(order.pk, True)]
        assert [exc.error_dict["idempotency_key"][0].code for exc in errors] == [  # type: ignore[attr-defined]
            "idempotency_conflict"
        ]
