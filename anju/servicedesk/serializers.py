"""What the service-desk API shows: an order with its milestones (state and time left
computed with sla.stored_milestone_state), events, plans and feedback; alerts,
categories, the calendar. What it accepts is in api_inputs.py.
"""

import copy
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anju.security.models import User
from anju.servicedesk.calendar import Clocks, current_clocks
from anju.servicedesk.models import (
    CalendarDay,
    Category,
    ComplaintFeedback,
    ComplaintPlan,
    GroupComplaintAlert,
    Milestone,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)
from anju.servicedesk.rules.clocks import MilestoneStatus
from anju.servicedesk.sla import stored_milestone_state

MILESTONE_STATES = [
    ("running", "running"),
    ("at_risk", "at_risk"),
    ("met", "met"),
    ("breached", "breached"),
    ("cancelled", "cancelled"),
]
_SECONDS = serializers.IntegerField(allow_null=True)


class ReadModelSerializer(serializers.ModelSerializer):
    # A read-only ModelSerializer whose fields are built once per class (a comment, not a
    # docstring: the OpenAPI schema would show it on every subclass without its own).
    #
    # DRF builds a ModelSerializer's fields from the model for every instance (model
    # introspection and a translated label per field): most of the CPU of a create's
    # answer. They depend only on the class (labels stay lazy), so they are built once and
    # each instance gets copies: a field with children (nested serializer, many=True
    # relation) a deep one, as DRF makes them, since its children are bound to it; a plain
    # field a shallow one, which reading never mutates (binding sets attributes of the copy).

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        template: dict[str, serializers.Field] | None = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()  # never bound itself
            cls._fields_template = template  # type: ignore[attr-defined]
        return {name: _copy(field) for name, field in template.items()}


def _copy(field: serializers.Field) -> serializers.Field:
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    if hasattr(field, "child"):  # ListField, DictField
        return copy.deepcopy(field)
    clone: serializers.Field = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


def user_name(user: User | None) -> str:
    return str(user) if user is not None else ""


class _EnumChoiceField(serializers.ChoiceField):
    choice_set: list[tuple[str, Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.choice_set, **kwargs)


def enum_field(
    name: str, choices: list[tuple[str, Any]], *, blank: bool = False
) -> type[_EnumChoiceField]:
    """A ChoiceField documented as the named enum component `name`: the choice sets of
    several models share the field name "status", and named components keep them apart."""
    values = [value for value, _label in choices] + ([""] if blank else [])
    field = type(f"{name.removesuffix('Enum')}Field", (_EnumChoiceField,), {"choice_set": choices})
    return extend_schema_field({"type": "string", "enum": values}, component_name=name)(field)


WorkOrderStatusField = enum_field("WorkOrderStatusEnum", WorkOrder.Status.choices)
WorkOrderHoldReasonField = enum_field(
    "WorkOrderHoldReasonEnum", WorkOrder.HoldReason.choices, blank=True
)
HoldReasonField = enum_field("HoldReasonEnum", WorkOrder.HoldReason.choices)
PlanStatusField = enum_field("ComplaintPlanStatusEnum", ComplaintPlan.Status.choices)
AlertStatusField = enum_field("GroupComplaintAlertStatusEnum", GroupComplaintAlert.Status.choices)


# --- read side: milestones ---------------------------------------------------------------


class MilestoneSerializer(ReadModelSerializer):
    """A milestone with its state now; seconds are wall-clock."""

    state = serializers.SerializerMethodField()
    paused = serializers.SerializerMethodField()
    seconds_left = serializers.SerializerMethodField()
    seconds_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "kind",
            "clock",
            "amount",
            "started_at",
            "due_at",
            "at_risk_at",
            "provisional",
            "paused",
            "met_at",
            "breached_at",
            "cancelled",
            "state",
            "seconds_left",
            "seconds_overdue",
        ]
        read_only_fields = fields

    def _status(self, obj: Milestone) -> MilestoneStatus:
        statuses: dict[int, MilestoneStatus] = self.__dict__.setdefault("_statuses", {})
        if obj.pk not in statuses:
            statuses[obj.pk] = milestone_status(obj, _clock(self))
        return statuses[obj.pk]

    @extend_schema_field(serializers.ChoiceField(choices=MILESTONE_STATES))
    def get_state(self, obj: Milestone) -> str:
        """The state now; a milestone cancelled (order closed or merged) when already overdue
        stays breached."""
        return self._status(obj).state

    @extend_schema_field(serializers.BooleanField())
    def get_paused(self, obj: Milestone) -> bool:
        return obj.paused_at is not None and obj.met_at is None and not obj.cancelled

    @extend_schema_field(_SECONDS)
    def get_seconds_left(self, obj: Milestone) -> int | None:
        """Time left while running or at risk."""
        status = self._status(obj)
        if status.state not in ("running", "at_risk"):
            return None
        return int(status.delta.total_seconds())

    @extend_schema_field(_SECONDS)
    def get_seconds_overdue(self, obj: Milestone) -> int | None:
        """How late: overdue now, or met late."""
        status = self._status(obj)
        if status.state != "breached":
            return None
        return int(status.delta.total_seconds())


def response_clock() -> tuple[datetime, Clocks]:
    """`now`, the working calendar and the business periods: one per response."""
    return timezone.now(), current_clocks()


def milestone_status(obj: Milestone, clock: tuple[datetime, Clocks]) -> MilestoneStatus:
    """The milestone's state at the clock's `now`: read off its stored due and at-risk
    times, so the calendar in `clock` is not consulted again."""
    return stored_milestone_state(obj, clock[0])


def _clock(serializer: serializers.BaseSerializer) -> tuple[datetime, Clocks]:
    """One `now` and one calendar for a whole response."""
    root = serializer.root
    if not hasattr(root, "_sla_clock"):
        root._sla_clock = response_clock()  # type: ignore[attr-defined]
    clock: tuple[datetime, Clocks] = root._sla_clock  # type: ignore[attr-defined]
    return clock


# --- read side: orders -------------------------------------------------------------------

ORDER_FIELDS = [
    "id",
    "number",
    "project",
    "type",
    "channel",
    "urgency",
    "status",
    "description",
    "owner",
    "owner_name",
    "unit",
    "unit_code",
    "category",
    "category_path",
    "location",
    "department",
    "assignee",
    "assignee_name",
    "first_responder",
    "first_responder_name",
    "escalated",
    "hold_reason",
    "received_at",
    "created_at",
    "next_due_at",
    "milestones",
]


class WorkOrderListSerializer(ReadModelSerializer):
    """A queue row (the list prefetches milestones; owner, unit, category are joined)."""

    number = serializers.CharField(read_only=True)
    status = WorkOrderStatusField(read_only=True)
    hold_reason = WorkOrderHoldReasonField(read_only=True)
    owner_name = serializers.SerializerMethodField()
    unit_code = serializers.SerializerMethodField()
    category_path = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    first_responder_name = serializers.SerializerMethodField()
    # The earliest due time among the milestones still running, stored on the order.
    next_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = ORDER_FIELDS
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_owner_name(self, obj: WorkOrder) -> str:
        return obj.owner.name if obj.owner else ""

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_unit_code(self, obj: WorkOrder) -> str:
        return obj.unit.code if obj.unit else ""

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_category_path(self, obj: WorkOrder) -> str:
        return obj.category.path if obj.category else ""

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_assignee_name(self, obj: WorkOrder) -> str:
        return user_name(obj.assignee)

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_first_responder_name(self, obj: WorkOrder) -> str:
        return user_name(obj.first_responder)


class EventSerializer(ReadModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrderEvent
        fields = ["id", "kind", "at", "actor", "actor_name", "note", "data"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_actor_name(self, obj: WorkOrderEvent) -> str:
        return user_name(obj.actor)


class PlanSerializer(ReadModelSerializer):
    department = serializers.ChoiceField(choices=WorkOrder.Department.choices, read_only=True)
    status = PlanStatusField(read_only=True)
    responsible_name = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintPlan
        fields = [
            "id",
            "findings",
            "content",
            "department",
            "responsible",
            "responsible_name",
            "deadline",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_responsible_name(self, obj: ComplaintPlan) -> str:
        return user_name(obj.responsible)


class FeedbackSerializer(ReadModelSerializer):
    channel = serializers.ChoiceField(choices=WorkOrder.Channel.choices, read_only=True)

    class Meta:
        model = ComplaintFeedback
        fields = [
            "id",
            "channel",
            "content",
            "owner_response",
            "owner_satisfied",
            "given_at",
            "given_by",
        ]
        read_only_fields = fields


class PhotoSerializer(ReadModelSerializer):
    # The photo through its order's scope (servicedesk.photos), never the storage's URL.
    file = serializers.SerializerMethodField(help_text="The photo's address in this API.")

    class Meta:
        model = WorkOrderAttachment
        fields = ["id", "file", "uploaded_at"]
        read_only_fields = fields

    def get_file(self, photo: WorkOrderAttachment) -> str:
        path = reverse("work-order-photo", kwargs={"pk": photo.work_order_id, "photo_pk": photo.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    related: serializers.Field = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    plans = PlanSerializer(many=True, read_only=True)
    feedback = FeedbackSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True, source="attachments")

    class Meta:
        model = WorkOrder
        fields = [
            *ORDER_FIELDS,
            "created_by",
            "sla_policy",
            "on_hold_since",
            "merged_into",
            "related",
            "resolved_at",
            "closed_at",
            "events",
            "plans",
            "feedback",
            "photos",
        ]
        read_only_fields = fields


# --- alerts, categories, calendar --------------------------------------------------------


class GroupComplaintAlertSerializer(ReadModelSerializer):
    category_path = serializers.CharField(source="category.path", read_only=True)
    orders: serializers.Field = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    status = AlertStatusField(read_only=True)

    class Meta:
        model = GroupComplaintAlert
        fields = [
            "id",
            "project",
            "building",
            "phase",
            "category",
            "category_path",
            "owner_count",
            "orders",
            "status",
            "raised_at",
            "handled_by",
            "closed_at",
            "note",
        ]
        read_only_fields = fields


class CategorySerializer(ReadModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "parent", "name", "path", "sort_order", "is_active"]
        read_only_fields = fields


class CalendarDaySerializer(ReadModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        read_only_fields = fields


class CalendarYearSerializer(serializers.Serializer):
    """A year: loaded from the official calendar or not (then deadlines are provisional)."""

    year = serializers.IntegerField()
    loaded = serializers.BooleanField()
    source = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    loaded_at = serializers.DateTimeField(allow_null=True)
    days = CalendarDaySerializer(many=True)
