"""The service desk's write path (one module per stage of an order)."""

from anju.servicedesk.services.alerts import group_alert_close, group_alert_take
from anju.servicedesk.services.complaints import (
    complaint_decide_plan,
    complaint_give_feedback,
    complaint_propose_plan,
    complaint_start_investigation,
)
from anju.servicedesk.services.inputs import WorkOrderInput
from anju.servicedesk.services.intake import work_order_accept
from anju.servicedesk.services.transitions import (
    work_order_close,
    work_order_dispatch,
    work_order_escalate,
    work_order_hold,
    work_order_link,
    work_order_merge,
    work_order_reopen,
    work_order_resolve,
    work_order_resume,
    work_order_start,
)

__all__ = [
    "WorkOrderInput",
    "complaint_decide_plan",
    "complaint_give_feedback",
    "complaint_propose_plan",
    "complaint_start_investigation",
    "group_alert_close",
    "group_alert_take",
    "work_order_accept",
    "work_order_close",
    "work_order_dispatch",
    "work_order_escalate",
    "work_order_hold",
    "work_order_link",
    "work_order_merge",
    "work_order_reopen",
    "work_order_resolve",
    "work_order_resume",
    "work_order_start",
]
