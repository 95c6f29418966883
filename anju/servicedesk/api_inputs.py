"""What the service-desk API accepts: the create's body and each transition's input.

They check the shape only; the services decide everything else, and their errors come
back with codes (api.call_service). The read shapes are in serializers.py.
"""

import hashlib
import json
from datetime import UTC
from typing import Any

from rest_framework import serializers

from anju.security.models import User
from anju.servicedesk.models import WorkOrder
from anju.servicedesk.people import colleagues
from anju.servicedesk.serializers import HoldReasonField
from anju.servicedesk.services import WorkOrderInput

# --- write side: intake ------------------------------------------------------------------


class WorkOrderCreateSerializer(serializers.Serializer):
    """What the desk logs. Send the `Idempotency-Key` header (or `idempotency_key`) so that
    a retried request returns the first order instead of creating a second one."""

    project = serializers.IntegerField()
    type = serializers.ChoiceField(choices=WorkOrder.Type.choices)
    channel = serializers.ChoiceField(choices=WorkOrder.Channel.choices)
    description = serializers.CharField()
    urgency = serializers.ChoiceField(
        choices=WorkOrder.Urgency.choices, default=WorkOrder.Urgency.NORMAL
    )
    owner = serializers.IntegerField(required=False, allow_null=True, default=None)
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    category = serializers.IntegerField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    received_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the owner reported it; default now, never in the future.",
    )
    first_responder = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Default: the caller."
    )
    idempotency_key = serializers.CharField(
        max_length=100, required=False, allow_blank=True, write_only=True
    )

    def to_input(self) -> WorkOrderInput:
        data = self.validated_data
        return WorkOrderInput(
            project_id=data["project"],
            type=data["type"],
            channel=data["channel"],
            description=data["description"],
            urgency=data["urgency"],
            owner_id=data["owner"],
            unit_id=data["unit"],
            category_id=data["category"],
            location=data["location"],
            received_at=data["received_at"],
            first_responder_id=data["first_responder"],
        )

    def fingerprint(self) -> str:
        """A hash of the request's meaning (the key itself excluded)."""
        values = {k: v for k, v in self.validated_data.items() if k != "idempotency_key"}
        if values.get("received_at") is not None:
            values["received_at"] = values["received_at"].astimezone(UTC).isoformat()
        canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


# --- write side: transitions -------------------------------------------------------------


def _scoped(serializer: serializers.Serializer, name: str, queryset: Any) -> None:
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    serializer.fields[name].queryset = queryset.visible_to(user)  # type: ignore[attr-defined]


def _people(serializer: serializers.Serializer, name: str) -> None:
    """Only the people of the user's projects: an id from elsewhere answers as a missing
    one, so the API tells nobody who works where."""
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        serializer.fields[name].queryset = colleagues(user)  # type: ignore[attr-defined]


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DispatchInput(NoteInput):
    department = serializers.ChoiceField(choices=WorkOrder.Department.choices)
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self, "assignee")


class HoldInput(NoteInput):
    reason = HoldReasonField()


class MergeInput(NoteInput):
    into = serializers.PrimaryKeyRelatedField(
        queryset=WorkOrder.objects.none(), help_text="The order this duplicate is merged into."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scoped(self, "into", WorkOrder.objects.all())


class LinkInput(NoteInput):
    other = serializers.PrimaryKeyRelatedField(queryset=WorkOrder.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scoped(self, "other", WorkOrder.objects.all())


class PlanInput(serializers.Serializer):
    content = serializers.CharField()
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    department = serializers.ChoiceField(choices=WorkOrder.Department.choices)
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    deadline = serializers.DateField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self, "responsible")


class DecisionInput(NoteInput):
    approve = serializers.BooleanField()


class FeedbackInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=WorkOrder.Channel.choices)
    content = serializers.CharField()
    owner_response = serializers.CharField(required=False, allow_blank=True, default="")
    owner_satisfied = serializers.BooleanField(required=False, allow_null=True, default=None)
