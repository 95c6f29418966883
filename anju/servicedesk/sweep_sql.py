"""One sweep batch on PostgreSQL as a single statement: claim, mark, events, notifications.

    WITH claimed AS (SELECT id … ORDER BY <walked column> LIMIT n FOR UPDATE SKIP LOCKED),
         marked AS (UPDATE … SET <mark> = now … WHERE <mark> IS NULL RETURNING …),
         events AS (INSERT INTO servicedesk_workorderevent SELECT … FROM marked …),
         notes AS (INSERT INTO servicedesk_notification SELECT … FROM marked …)
    SELECT count(*), max(<walked column>) FROM marked

The claim is the portable path's own ORM query, compiled. Events and notifications are
made only from the rows the UPDATE marked. Nothing comes back to Python per milestone: the
notification text is the pass's template, translated once in Python with stand-ins for the
order number and the milestone's name that SQL replaces, so it reads as
`template % {"number": order.number, "milestone": milestone.get_kind_display()}` does.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Field, Model, QuerySet
from django.utils import timezone

from anju.servicedesk.models import Milestone, Notification, WorkOrder, WorkOrderEvent

if TYPE_CHECKING:
    from anju.servicedesk.sweep import Stage

# Stand-ins for the order number and the milestone's name in the translated template:
# private-use characters, which no translation contains.
NUMBER_SLOT = "\ue000"
LABEL_SLOT = "\ue001"


def claim_batch(
    claim: QuerySet[Milestone],
    limit: int,
    mark: str,
    now: datetime,
    stage: "Stage",
) -> tuple[int, datetime | None]:
    """Run one batch in the caller's transaction: (milestones marked, last walked value)."""
    claim_sql, claim_params = claim.values("pk")[:limit].query.sql_with_params()
    recipients_sql, recipients_params = _recipients(stage)
    data, data_join = _event_data(stage)
    written_at = timezone.now()  # the events' and notifications' auto_now_add
    text = stage.template % {"number": NUMBER_SLOT, "milestone": LABEL_SLOT}
    sql = f"""
        WITH claimed (id) AS ({claim_sql}),
        marked AS (
            UPDATE {_table(Milestone)} AS m SET {_col(Milestone, mark)} = %s
            FROM claimed
            WHERE m.id = claimed.id AND m.{_col(Milestone, mark)} IS NULL
            RETURNING m.id, m.work_order_id, m.kind, m.due_at, m.{_col(Milestone, stage.walk)}
                AS walked
        ),
        batch AS (
            SELECT marked.*, o.project_id,
                COALESCE(o.assignee_id, o.first_responder_id) AS responsible,
                {_number("o.id")} AS number,
                COALESCE(labels.label, marked.kind) AS label
            FROM marked
            JOIN {_table(WorkOrder)} AS o ON o.id = marked.work_order_id
            LEFT JOIN unnest(%s::text[], %s::text[]) AS labels(kind, label)
                ON labels.kind = marked.kind
        ),
        recipients AS ({recipients_sql}),
        events AS (
            INSERT INTO {_table(WorkOrderEvent)} (work_order_id, kind, at, actor_id, note, data)
            SELECT batch.work_order_id, %s, %s, NULL, '', {data}
            FROM batch {data_join} ORDER BY batch.walked, batch.id
        ),
        notes AS (
            INSERT INTO {_table(Notification)}
                (recipient_id, kind, text, work_order_id, created_at, read_at)
            SELECT r.user_id, %s,
                left(replace(replace(%s, %s, batch.number), %s, batch.label), 300),
                batch.work_order_id, %s, NULL
            FROM batch JOIN recipients AS r ON r.id = batch.id
            ORDER BY batch.walked, batch.id, r.user_id
        )
        SELECT count(*), max(walked) FROM marked
    """
    params: list[Any] = [*claim_params, now, list(stage.labels), list(stage.labels.values())]
    params += [*recipients_params, stage.event, written_at]
    params += [stage.notification, text, NUMBER_SLOT, LABEL_SLOT, written_at]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        marked, last = cursor.fetchone()
    return marked, last


def _recipients(stage: "Stage") -> tuple[str, tuple[Any, ...]]:
    """(milestone id, user id) of each notification: the order's assignee, else its first
    responder; for an escalation the active managers of the order's project."""
    if not stage.to_managers:
        return (
            "SELECT batch.id, batch.responsible AS user_id FROM batch "
            "WHERE batch.responsible IS NOT NULL",
            (),
        )
    from anju.servicedesk.sweep import administrators_query, managers_query

    managers, params = (
        managers_query()
        .filter(projects__isnull=False)
        .values_list("projects", "pk")
        .distinct()
        .query.sql_with_params()
    )
    admins, admin_params = administrators_query().values_list("pk").query.sql_with_params()
    # A project without managers: the administrators, flagged (the event says so).
    return (
        "SELECT batch.id, pm.user_id, false AS fallback "
        f"FROM batch JOIN ({managers}) AS pm (project_id, user_id) USING (project_id) "
        "UNION ALL "
        "SELECT batch.id, a.user_id, true "
        f"FROM batch CROSS JOIN ({admins}) AS a (user_id) "
        f"WHERE NOT EXISTS (SELECT 1 FROM ({managers}) AS pm (project_id, user_id) "
        "WHERE pm.project_id = batch.project_id)",
        (*params, *admin_params, *params),
    )


def _event_data(stage: "Stage") -> tuple[str, str]:
    """The event's data: the milestone and its due time, or (escalation) whom it told;
    and the join that brings the latter."""
    if stage.to_managers:
        return (
            "jsonb_build_object('milestone', batch.kind, "
            "'notified', COALESCE(notified.ids, '[]'::jsonb)) "
            '|| CASE WHEN notified.fallback THEN \'{"fallback": "administrators"}\'::jsonb '
            "ELSE '{}'::jsonb END",
            "LEFT JOIN (SELECT id, jsonb_agg(user_id ORDER BY user_id) AS ids, "
            "bool_or(fallback) AS fallback FROM recipients "
            "GROUP BY id) AS notified ON notified.id = batch.id",
        )
    return (
        f"jsonb_build_object('milestone', batch.kind, 'due_at', {_isoformat('batch.due_at')})",
        "",
    )


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return connection.ops.quote_name(field.column)


def _number(order_id: str) -> str:
    """WorkOrder.number in SQL: f"GD{pk:08d}" (zero-padded to 8 digits, never cut)."""
    return (
        f"'GD' || CASE WHEN {order_id} < 100000000 THEN lpad({order_id}::text, 8, '0') "
        f"ELSE {order_id}::text END"
    )


def _isoformat(column: str) -> str:
    """datetime.isoformat() of the UTC datetime Django reads: microseconds only when there
    are some, and +00:00."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = "
        f"'000000' THEN '' ELSE '.' || to_char({utc}, 'US') END || '+00:00'"
    )
