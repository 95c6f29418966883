"""What a form or serializer hands to work_order_accept."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class WorkOrderInput:
    project_id: int
    type: str
    channel: str
    description: str
    urgency: str = "normal"
    owner_id: int | None = None
    unit_id: int | None = None
    category_id: int | None = None
    location: str = ""
    received_at: datetime | None = None  # default: now; never in the future
    first_responder_id: int | None = None  # default: the actor (首问负责制)
    photos: list[Any] = field(default_factory=list)
