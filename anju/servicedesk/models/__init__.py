"""Service-desk models, one module per concept."""

from anju.servicedesk.models.alerts import GroupComplaintAlert
from anju.servicedesk.models.calendar import CalendarDay, CalendarYear, DeadlineRecompute
from anju.servicedesk.models.categories import Category
from anju.servicedesk.models.complaints import ComplaintFeedback, ComplaintPlan
from anju.servicedesk.models.duty import DutyShift
from anju.servicedesk.models.notifications import Notification
from anju.servicedesk.models.sla import Milestone, SlaPolicy, SlaTarget
from anju.servicedesk.models.work_orders import (
    SavedView,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Category",
    "ComplaintFeedback",
    "ComplaintPlan",
    "DeadlineRecompute",
    "DutyShift",
    "GroupComplaintAlert",
    "Milestone",
    "Notification",
    "SavedView",
    "SlaPolicy",
    "SlaTarget",
    "WorkOrder",
    "WorkOrderAttachment",
    "WorkOrderEvent",
]
