"""Log filters: tag records with the request id and redact personal data.

Redaction is a safety net under the rule that code never logs personal data: anything
shaped like a mainland mobile or an ID number is masked before a handler writes it.
"""

import logging
import re

from anju.audit.context import current

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE_LIKE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    text = _ID_LIKE.sub(lambda m: f"{m.group(1)}{'*' * 11}{m.group(2)}", text)
    return _MOBILE_LIKE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get().request_id or "-"
        return True


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
