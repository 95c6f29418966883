"""Sealed plans: encrypted frame by frame, read back whole, tampering detected."""

import io
import struct
from dataclasses import dataclass, field
from typing import Any

import pytest

from anju.imports.sealing import SealError, seal, unseal


@dataclass
class Plan:
    owners: dict[str, Any] = field(default_factory=dict)
    rows: list[Any] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    count: int = 0


def sealed(plan: Plan) -> bytes:
    buffer = io.BytesIO()
    seal(plan, buffer)
    return buffer.getvalue()


def frames(content: bytes) -> tuple[bytes, list[bytes]]:
    """Split a sealed plan into its header and its length-prefixed frames."""
    header, rest, found = content[:10], content[10:], []
    while rest:
        (size,) = struct.unpack(">I", rest[:4])
        found.append(rest[: 4 + size])
        rest = rest[4 + size :]
    return header, found


def a_plan() -> Plan:
    return Plan(
        owners={f"11010519850312{n:04d}": ("张三", n) for n in range(2_500)},
        rows=[(n, "已签约") for n in range(1_001)],
        blobs=[bytes(700_000), b"x"],
        tags={"VIP"},
        count=3_501,
    )


def test_a_plan_reads_back_equal_and_holds_no_clear_text() -> None:
    plan = a_plan()
    content = sealed(plan)
    assert unseal(io.BytesIO(content)) == plan
    assert b"110105" not in content and "张三".encode() not in content
    assert unseal(io.BytesIO(sealed(Plan()))) == Plan()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda header, parts: header + b"".join(parts[:-1]),  # end frame dropped
        lambda header, parts: header + b"".join(parts[:3] + parts[4:]),  # a frame dropped
        lambda header, parts: header + b"".join([parts[0], parts[2], parts[1], *parts[3:]]),
        lambda header, parts: b"NOTAPLAN!\n" + b"".join(parts),
        lambda header, parts: header + b"".join(parts)[:-5],  # truncated
    ],
)
def test_a_tampered_or_truncated_plan_is_refused(tamper: Any) -> None:
    header, parts = frames(sealed(a_plan()))
    with pytest.raises(SealError):
        unseal(io.BytesIO(tamper(header, parts)))
