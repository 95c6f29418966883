"""The current request's id and client, available to services and log records."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""


current: ContextVar[RequestContext] = ContextVar("anju_request", default=RequestContext())  # noqa: B039 (frozen)
