"""The owner timeline: the shared extension point every capability adds events to.

Each app registers a source in its AppConfig.ready(): a function that returns that
app's events for one owner, newest first, as TimelineEntry values, limited to what the
viewing user may see (their permissions and projects: the owner may be visible through
one project and have work orders in another). The 360° page merges
the sources, so a new capability (work orders, return visits, care, surveys) appears on
the timeline without the owners app knowing about it.
"""

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    source: str  # registering app, e.g. "owners", "servicedesk"
    kind: str  # machine code of the event, e.g. "ownership_added"
    title: str  # already translated, no personal data
    actor: str = ""
    detail: str = ""
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


TimelineSource = Callable[[Any, Any, int], Iterable[TimelineEntry]]
_sources: dict[str, TimelineSource] = {}


def register_timeline_source(name: str, source: TimelineSource) -> None:
    _sources[name] = source


def owner_timeline(owner: Any, viewer: Any, *, limit: int = 50) -> list[TimelineEntry]:
    """The newest `limit` entries over every registered source that `viewer` may see."""
    streams = [source(owner, viewer, limit) for source in _sources.values()]
    merged = heapq.merge(*streams, key=lambda entry: entry.at, reverse=True)
    return list(itertools.islice(merged, limit))
