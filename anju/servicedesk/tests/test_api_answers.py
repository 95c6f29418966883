"""The create's hand-built answer (api_answers, D15) is the detail serializer's body."""

import json
from datetime import datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from anju.servicedesk.api import WorkOrderViewSet
from anju.servicedesk.api_answers import accepted_body
from anju.servicedesk.models import Category
from anju.servicedesk.serializers import WorkOrderDetailSerializer
from anju.servicedesk.services.intake import work_order_accept_in_hand

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def frozen_now():
    now = timezone.now().replace(microsecond=654321)
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield now


@pytest.fixture
def context(desk) -> dict[str, Any]:
    request = APIRequestFactory().get("/api/v1/work-orders/")
    request.user = desk
    return {"request": request}


def _service_category() -> int:
    leaf = Category.objects.filter(children__isnull=True, path__startswith="服务").first()
    assert leaf is not None
    return leaf.pk


CASES: dict[str, dict[str, Any]] = {
    "repair": {},
    "urgent repair, met late by now": {
        "urgency": "urgent",
        "received_at": datetime(2025, 1, 6, 9, 0, tzinfo=SHANGHAI),
    },
    # chinese-calendar knows no year before 2004: the deadlines are provisional
    "repair in a year the calendar does not hold": {
        "received_at": datetime(2003, 5, 6, 10, 0, tzinfo=SHANGHAI),
    },
    "urgent complaint, with its emergency event": {"type": "complaint", "urgency": "urgent"},
    "enquiry without owner, unit or category": {
        "type": "enquiry",
        "channel": "wechat",
        "owner_id": None,
        "unit_id": None,
        "category_id": None,
    },
    "another first responder": {"first_responder": True},
    "with photos": {"photos": 2},
}


@pytest.mark.parametrize("case", CASES)
def test_the_answer_is_the_detail_serializers_body(
    case, desk, supervisor, repair_input, frozen_now, context, settings, tmp_path
):
    # given a request of each shape
    settings.MEDIA_ROOT = tmp_path
    fields = dict(CASES[case])
    if fields.get("type") == "complaint":
        fields["category_id"] = _service_category()
    if fields.pop("first_responder", False):
        fields["first_responder_id"] = supervisor.pk
    photos = fields.pop("photos", 0)
    fields["photos"] = [
        SimpleUploadedFile(f"p{i}.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")
        for i in range(photos)
    ]
    # when the order is accepted and answered from memory
    accepted = work_order_accept_in_hand(actor=desk, data=repair_input(**fields))
    answer = accepted_body(accepted, context)
    # then it is what the detail serializer shows of the stored order
    view = WorkOrderViewSet(request=context["request"], action="retrieve", format_kwarg=None)
    stored = view._read_queryset(detail=True).get(pk=accepted.order.pk)
    expected = WorkOrderDetailSerializer(stored, context=context).data
    assert json.loads(json.dumps(answer)) == json.loads(json.dumps(expected))
    assert list(answer) == list(expected)  # the same keys in the same order
    states = {(m["state"], m["provisional"]) for m in answer["milestones"]}
    if "met late" in case:
        assert ("breached", False) in states
    if "does not hold" in case:
        assert ("breached", True) in states  # a working-day clock; wall-clock ones are sure
    assert len(answer["photos"]) == photos
