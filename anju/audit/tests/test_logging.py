"""The log safety net: personal data is masked in records; request ids travel."""

import logging

import pytest
from django.test import RequestFactory

from anju.audit.context import RequestContext, current
from anju.audit.logging import RedactPersonalDataFilter, RequestIdFilter, redact
from anju.audit.middleware import RequestIdMiddleware

MOBILE = "13812345678"
ID_NUMBER = "11010519491231002X"


def _record(msg, *args):
    return logging.LogRecord("anju.test", logging.INFO, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"call {MOBILE} now", "call 138****5678 now"),
        (f"id {ID_NUMBER}.", "id 110***********002X."),
        ("id 110105194912310021", "id 110***********0021"),
        (f"{MOBILE},{ID_NUMBER}", "138****5678,110***********002X"),
        ("order 12345 costs 99", "order 12345 costs 99"),
        ("not a mobile 1381234567", "not a mobile 1381234567"),
    ],
)
def test_redact_masks_mobiles_and_id_numbers(text, expected):
    # given a message / when redacted / then only personal data shapes are masked
    assert redact(text) == expected


def test_filter_masks_the_message():
    # given a record whose message holds a mobile
    record = _record(f"owner phone {MOBILE}")
    # when filtered
    assert RedactPersonalDataFilter().filter(record) is True
    # then the clear number is gone
    assert MOBILE not in record.getMessage()
    assert "138****5678" in record.getMessage()


def test_filter_masks_the_args():
    # given a record that carries personal data in its args
    record = _record("lookup %s for %s", ID_NUMBER, MOBILE)
    # when filtered
    RedactPersonalDataFilter().filter(record)
    # then neither value survives formatting, and formatting still works
    message = record.getMessage()
    assert ID_NUMBER not in message
    assert MOBILE not in message
    assert message == "lookup 110***********002X for 138****5678"


def test_filter_leaves_clean_records_untouched():
    # given a record without personal data
    record = _record("imported %d rows", 42)
    # when filtered / then msg and args are kept as they were
    RedactPersonalDataFilter().filter(record)
    assert record.msg == "imported %d rows"
    assert record.args == (42,)


def test_request_id_filter_tags_records():
    # given a current request context
    token = current.set(RequestContext(request_id="req-12345678"))
    try:
        record = _record("hello")
        # when filtered / then the record carries the id
        RequestIdFilter().filter(record)
        assert record.request_id == "req-12345678"
    finally:
        current.reset(token)
    # and outside a request it is "-"
    record = _record("hello")
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def _middleware(seen):
    def view(request):
        seen.append((request.request_id, current.get().request_id))
        from django.http import HttpResponse

        return HttpResponse("ok")

    return RequestIdMiddleware(view)


def test_middleware_echoes_a_valid_incoming_request_id():
    # given a request with a well-formed X-Request-ID
    seen = []
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abcdef12-3456")
    # when it passes the middleware
    response = _middleware(seen)(request)
    # then the same id is exposed to the view and echoed in the response
    assert seen == [("abcdef12-3456", "abcdef12-3456")]
    assert response["X-Request-ID"] == "abcdef12-3456"
    # and the context is reset afterwards
    assert current.get().request_id == ""


@pytest.mark.parametrize("incoming", ["", "short", "bad id with spaces", "x" * 65])
def test_middleware_replaces_a_missing_or_malformed_id(incoming):
    # given a missing or malformed X-Request-ID
    seen = []
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=incoming)
    # when it passes the middleware
    response = _middleware(seen)(request)
    # then a fresh 32-hex id is used and echoed
    request_id = response["X-Request-ID"]
    assert request_id != incoming
    assert len(request_id) == 32
    assert seen == [(request_id, request_id)]


def test_full_stack_echoes_request_id(client, db):
    # given the real middleware stack / when any page is requested
    response = client.get("/login/", HTTP_X_REQUEST_ID="trace-00000001")
    # then the id comes back
    assert response["X-Request-ID"] == "trace-00000001"
