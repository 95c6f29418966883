"""Instants of the company's time zone, written as people read them, for tests."""

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    """An aware instant in Asia/Shanghai."""
    return datetime(y, mo, d, h, mi, s, us, tzinfo=SHANGHAI)
