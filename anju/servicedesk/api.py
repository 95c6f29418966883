"""REST API of the service desk (/api/v1/work-orders/, group-complaint-alerts/,
service-categories/, calendar/).

Querysets are scoped to the user's projects (out of scope: 404). Every write goes through
the services: their field errors come back in the shared error shape (core.api_errors)
with the same codes as the forms, and a step the order's state does not allow
(`invalid_transition`) or a reused idempotency key with another body
(`idempotency_conflict`) answers 409.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from anju.core.api import ModelPermissions
from anju.core.api_schema import ErrorResponse
from anju.servicedesk import services
from anju.servicedesk.api_answers import accepted_body
from anju.servicedesk.api_filters import GroupComplaintAlertFilter, WorkOrderFilter
from anju.servicedesk.api_inputs import (
    DecisionInput,
    DispatchInput,
    FeedbackInput,
    HoldInput,
    LinkInput,
    MergeInput,
    NoteInput,
    PlanInput,
    WorkOrderCreateSerializer,
)
from anju.servicedesk.models import (
    CalendarDay,
    CalendarYear,
    Category,
    ComplaintPlan,
    GroupComplaintAlert,
    Milestone,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)
from anju.servicedesk.photos import AnyMediaRenderer, photo_response
from anju.servicedesk.serializers import (
    CalendarYearSerializer,
    CategorySerializer,
    GroupComplaintAlertSerializer,
    WorkOrderDetailSerializer,
    WorkOrderListSerializer,
)
from anju.servicedesk.services.intake import work_order_accept_in_hand

T = TypeVar("T")
VIEW = "servicedesk.view_workorder"
CHANGE = "servicedesk.change_workorder"
DISPATCH = "servicedesk.dispatch_workorder"
APPROVE = "servicedesk.approve_complaintplan"
VIEW_ALERTS = "servicedesk.view_groupcomplaintalert"
MANAGE_ALERTS = "servicedesk.manage_groupcomplaintalert"
CONFLICT_CODES = frozenset({"invalid_transition", "idempotency_conflict"})
IDEMPOTENCY_HEADER = "Idempotency-Key"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


def call_service(func: Callable[..., T], renamed: dict[str, str] | None = None, **kw: Any) -> T:
    """Run a service: state conflicts become 409, field errors a 400 with codes
    (`renamed` maps a service's field name to the API's)."""
    try:
        return func(**kw)
    except DjangoValidationError as exc:
        for errors in getattr(exc, "error_dict", {}).values():
            for error in errors:
                if error.code in CONFLICT_CODES:
                    raise Conflict(detail=error.messages[0], code=error.code) from exc
        detail = get_error_detail(exc)
        if renamed and isinstance(detail, dict):
            detail = {renamed.get(field, field): value for field, value in detail.items()}
        raise serializers.ValidationError(detail) from exc


class ActionPermissions(ModelPermissions):
    """Model permissions; a custom action requires the permissions the view names for it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        perms = getattr(view, "action_perms", {}).get(getattr(view, "action", None))
        if perms is None:
            return super().has_permission(request, view)
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(perms))


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorResponse, description=description)


_NOT_FOUND = {404: _error("Not found, or not in your projects")}
_ACTION = {
    400: _error("Invalid fields (see the error shape)"),
    403: _error("Missing permission"),
    **_NOT_FOUND,
    409: _error("Not possible in the order's current state (code invalid_transition)"),
}


def _steps(*names: str) -> dict[str, tuple[str, str]]:
    return dict.fromkeys(names, (VIEW, CHANGE))


def _transition(summary: str, request: Any = NoteInput) -> Callable[[Any], Any]:
    return extend_schema(
        summary=summary, request=request, responses={200: WorkOrderDetailSerializer, **_ACTION}
    )


def _post(url_path: str) -> Callable[[Any], Any]:
    return action(detail=True, methods=["post"], url_path=url_path, url_name=url_path)


@extend_schema_view(
    list=extend_schema(
        summary="List work orders (queues, filters, ordering)",
        responses=WorkOrderListSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="A work order with milestones, events, plans and feedback",
        responses={200: WorkOrderDetailSerializer, **_NOT_FOUND},
    ),
)
class WorkOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = WorkOrder.objects.none()
    filterset_class = WorkOrderFilter
    permission_classes = [ActionPermissions]
    action_perms = {
        "dispatch_order": (VIEW, DISPATCH),
        "photo": (VIEW,),
        "decide_plan": (VIEW, APPROVE),
        **_steps("start", "escalate", "hold", "resume", "merge", "link", "resolve"),
        **_steps("close", "reopen", "investigate", "propose_plan", "give_feedback"),
    }

    def get_queryset(self) -> QuerySet[WorkOrder]:
        if self.action == "create":
            # The permission check needs only the model; the service scopes what it reads.
            return WorkOrder.objects.none()
        if self.action in self.action_perms:
            # A transition re-reads the order under a lock; the answer reads it in full.
            return WorkOrder.objects.visible_to(self.request.user)
        return self._read_queryset(detail=self.action != "list")

    def _read_queryset(self, *, detail: bool) -> QuerySet[WorkOrder]:
        milestones = Prefetch("milestones", queryset=Milestone.objects.order_by("due_at", "id"))
        orders = (
            WorkOrder.objects.visible_to(self.request.user)
            .for_queue()
            .select_related("first_responder")
            .prefetch_related(milestones)
        )
        if not detail:
            return orders
        return orders.prefetch_related(
            "related",
            "attachments",
            "feedback",
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
            Prefetch("plans", queryset=ComplaintPlan.objects.select_related("responsible")),
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Filters belong to the list; the other actions look the order up as is.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return WorkOrderListSerializer
        if self.action == "create":
            return WorkOrderCreateSerializer
        return WorkOrderDetailSerializer

    def _detail(self, order: WorkOrder, code: int = status.HTTP_200_OK) -> Response:
        fresh = get_object_or_404(self._read_queryset(detail=True), pk=order.pk)
        data = WorkOrderDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(
        summary="Accept a request (idempotent with the Idempotency-Key header)",
        request=WorkOrderCreateSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A retry with the same key returns the first order (200); "
                "the same key with a different body is a 409 idempotency_conflict.",
            )
        ],
        responses={
            201: WorkOrderDetailSerializer,
            200: OpenApiResponse(
                WorkOrderDetailSerializer, description="A retry: the order the key created"
            ),
            400: _error("Invalid fields (see the error shape)"),
            403: _error("Missing permission"),
            409: _error("Idempotency key reused with another body (idempotency_conflict)"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = WorkOrderCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        key = _idempotency_key(request, serializer)
        accepted = call_service(
            work_order_accept_in_hand,
            actor=request.user,
            data=serializer.to_input(),
            idempotency_key=key,
            fingerprint=serializer.fingerprint() if key else None,
        )
        if accepted.created:
            # Everything the detail shows is in hand: the retrieve's body, nothing read back.
            body = accepted_body(accepted, self.get_serializer_context())
            response = Response(body, status=status.HTTP_201_CREATED)
        else:
            response = self._detail(accepted.order)
        response["Location"] = request.build_absolute_uri(
            reverse("work-order-detail", args=[accepted.order.pk])
        )
        return response

    def _act(
        self,
        request: Request,
        service: Callable[..., Any],
        input_class: type[serializers.Serializer] = NoteInput,
        target: str = "order",
        renamed: dict[str, str] | None = None,
    ) -> Response:
        order = self.get_object()
        values = self._input(request, input_class)
        call_service(service, renamed, actor=request.user, **{target: order}, **values)
        return self._detail(order)

    def _input(self, request: Request, input_class: type[serializers.Serializer]) -> Any:
        serializer = input_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @_transition("Dispatch, or re-dispatch, to a department and a person", DispatchInput)
    @_post("dispatch")
    def dispatch_order(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_dispatch, DispatchInput)

    @_transition("The responsible person starts (responds)")
    @_post("start")
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_start)

    @_transition("Escalate to the project's managers")
    @_post("escalate")
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_escalate)

    @_transition("Put on hold (pauses the clocks that pause on hold)", HoldInput)
    @_post("hold")
    def hold(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_hold, HoldInput, renamed=_HOLD_FIELDS)

    @_transition("Resume after a hold (due times shift by the paused span)")
    @_post("resume")
    def resume(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_resume)

    @_transition("Merge this duplicate into another order", MergeInput)
    @_post("merge")
    def merge(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_merge, MergeInput, target="duplicate")

    @_transition("Link a related order", LinkInput)
    @_post("link")
    def link(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_link, LinkInput)

    @_transition("Resolve")
    @_post("resolve")
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_resolve)

    @_transition("Close a resolved order")
    @_post("close")
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_close)

    @_transition("Reopen (say why in the note)")
    @_post("reopen")
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.work_order_reopen)

    @_transition("Start the investigation of a complaint")
    @_post("investigate")
    def investigate(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.complaint_start_investigation)

    @_transition("Propose a handling plan for a complaint", PlanInput)
    @_post("plans")
    def propose_plan(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.complaint_propose_plan, PlanInput)

    @extend_schema(
        summary="Approve or reject a handling plan",
        request=DecisionInput,
        parameters=[OpenApiParameter("plan_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: WorkOrderDetailSerializer, **_ACTION},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"plans/(?P<plan_id>[0-9]+)/decide",
        url_name="decide-plan",
    )
    def decide_plan(
        self, request: Request, pk: str | None = None, plan_id: str | None = None
    ) -> Response:
        order = self.get_object()
        plan = get_object_or_404(ComplaintPlan, pk=plan_id, work_order=order)
        values = self._input(request, DecisionInput)
        call_service(
            services.complaint_decide_plan,
            {"decision_note": "note"},
            actor=request.user,
            plan=plan,
            **values,
        )
        return self._detail(order)

    @_transition("Record feedback given to the owner of a complaint", FeedbackInput)
    @_post("feedback")
    def give_feedback(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.complaint_give_feedback, FeedbackInput)

    @extend_schema(
        summary="A photo of the order (its bytes)",
        responses={(200, "image/*"): OpenApiTypes.BINARY, **_NOT_FOUND},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"photos/(?P<photo_pk>\d+)",
        renderer_classes=[JSONRenderer, AnyMediaRenderer],
    )
    def photo(self, request: Request, pk: str | None = None, photo_pk: str = "") -> Any:
        photos = WorkOrderAttachment.objects.filter(
            work_order__in=self.get_queryset()
        ).select_related("work_order")
        # DRF's get_object_or_404: an id that is not a number is a 404 too, not a 500
        return photo_response(generics.get_object_or_404(photos, pk=photo_pk, work_order_id=pk))


_HOLD_FIELDS = {"hold_reason": "reason"}


def _idempotency_key(request: Request, serializer: WorkOrderCreateSerializer) -> str | None:
    header = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    body = serializer.validated_data.get("idempotency_key", "").strip()
    if header and body and header != body:
        message = gettext("The header and the body carry different idempotency keys.")
        raise serializers.ValidationError({"idempotency_key": [message]}, code="mismatch")
    key = header or body
    if len(key) > 100:
        message = gettext("Use an idempotency key of at most 100 characters.")
        raise serializers.ValidationError({"idempotency_key": [message]}, code="max_length")
    return key or None


# --- group-complaint alerts, categories, calendar -----------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List group-complaint alerts (群诉预警)"),
    retrieve=extend_schema(
        summary="A group-complaint alert with its orders",
        responses={200: GroupComplaintAlertSerializer, **_NOT_FOUND},
    ),
)
class GroupComplaintAlertViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = GroupComplaintAlert.objects.none()
    serializer_class = GroupComplaintAlertSerializer
    filterset_class = GroupComplaintAlertFilter
    permission_classes = [ActionPermissions]
    action_perms = {"take": (VIEW_ALERTS, MANAGE_ALERTS), "close": (VIEW_ALERTS, MANAGE_ALERTS)}

    def get_queryset(self) -> QuerySet[GroupComplaintAlert]:
        return (
            GroupComplaintAlert.objects.visible_to(self.request.user)
            .select_related("category")
            .prefetch_related("orders")
            .order_by("-raised_at", "-id")
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _act(self, request: Request, service: Callable[..., Any]) -> Response:
        alert = self.get_object()
        serializer = NoteInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(service, actor=request.user, alert=alert, **serializer.validated_data)
        fresh = self.get_queryset().get(pk=alert.pk)
        return Response(GroupComplaintAlertSerializer(fresh).data)

    @extend_schema(
        summary="Take an open alert in hand",
        request=NoteInput,
        responses={200: GroupComplaintAlertSerializer, **_ACTION},
    )
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.group_alert_take)

    @extend_schema(
        summary="Close an alert",
        request=NoteInput,
        responses={200: GroupComplaintAlertSerializer, **_ACTION},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, services.group_alert_close)


@extend_schema_view(list=extend_schema(summary="The category tree (e.g. 土建 › 门窗)"))
class ServiceCategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Category.objects.order_by("path")
    serializer_class = CategorySerializer
    pagination_class = None


class CalendarViewSet(viewsets.GenericViewSet):
    """The working calendar: loaded official years, their days and company amendments."""

    queryset = CalendarDay.objects.none()  # permissions: servicedesk.view_calendarday
    serializer_class = CalendarYearSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="Calendar years (loaded or not) and their days",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="Only this year")],
        responses={200: CalendarYearSerializer(many=True), 400: _error("Invalid year")},
    )
    def list(self, request: Request) -> Response:
        year = _year(request)
        loaded = {entry.year: entry for entry in CalendarYear.objects.all()}
        days = CalendarDay.objects.order_by("date", "kind")
        if year is not None:
            days = days.filter(date__year=year)
        by_year: dict[int, list[CalendarDay]] = defaultdict(list)
        for day in days:
            by_year[day.date.year].append(day)
        years = [year] if year is not None else sorted(set(loaded) | set(by_year))
        rows = [
            {
                "year": y,
                "loaded": y in loaded,
                "source": loaded[y].source if y in loaded else "",
                "loaded_at": loaded[y].loaded_at if y in loaded else None,
                "days": by_year[y],
            }
            for y in years
        ]
        return Response(CalendarYearSerializer(rows, many=True).data)


def _year(request: Request) -> int | None:
    raw = request.query_params.get("year", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
        raise serializers.ValidationError({"year": [gettext("Give a year like 2025.")]})
    return int(raw)
