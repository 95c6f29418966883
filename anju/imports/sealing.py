"""Keep a validated plan between the dry run and the commit, encrypted.

The plan holds clear ID numbers and phones, so it is stored like them: encrypted with
the field key (Fernet, which also authenticates it: only this application can have
written what `unseal` unpickles).

A plan is a dataclass of large dicts and lists. It is written as a stream of sealed
frames, never as one blob: each frame is a small pickle of up to 1,000 items or 1 MB
(fresh memo each time), compressed, then encrypted on its own, and written to the file
as soon as it is made. Memory does not depend on the plan's size on either side, beyond
the plan itself. Each frame carries its sequence number and the last one says how many
came before it, so frames cannot be dropped, repeated or reordered unnoticed.
"""

import base64
import dataclasses
import pickle
import struct
import zlib
from collections.abc import Iterator
from operator import attrgetter
from typing import IO, Any, TypeVar, cast

from anju.security import crypto

CHUNK = 1_000
FRAME_BYTES = 1 << 20
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_MAGIC = b"ANJUPLAN2\n"
_LENGTH = struct.Struct(">I")
_END = "end"
T = TypeVar("T")


def compact(cls: type[T]) -> type[T]:
    """Pickle a slotted dataclass as its constructor arguments.

    The default for slots goes through a Python `__getstate__` / `__setstate__` pair per
    object; a plan holds hundreds of thousands of records, so this halves sealing time.
    """
    getter = attrgetter(*(field.name for field in dataclasses.fields(cast(Any, cls))))

    def reduce(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, getter(self)

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls


class SealError(Exception):
    """The stored plan is not a complete plan written by `seal`."""


class _Sink:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.count = 0

    def frame(self, kind: str, payload: Any) -> None:
        raw = pickle.dumps((self.count, kind, payload), _PROTOCOL)
        text = base64.b64encode(zlib.compress(raw, 1)).decode("ascii")
        token = crypto.encrypt(text).encode("ascii")
        self.out.write(_LENGTH.pack(len(token)))
        self.out.write(token)
        self.count += 1


def seal(plan: Any, out: IO[bytes]) -> None:
    """Write `plan` (a dataclass instance) to the binary file `out`, encrypted."""
    out.write(_MAGIC)
    sink = _Sink(out)
    sink.frame("type", type(plan))
    for field in dataclasses.fields(plan):
        value = getattr(plan, field.name)
        if isinstance(value, dict):
            sink.frame("dict", len(value))
            items: Iterator[Any] = iter(value.items())
        elif isinstance(value, list):
            sink.frame("list", len(value))
            items = iter(value)
        else:
            sink.frame("value", value)
            continue
        for chunk in _pieces(items):
            sink.frame("items", chunk)
    sink.frame(_END, sink.count)


def _pieces(items: Iterator[Any]) -> Iterator[list[Any]]:
    """Up to CHUNK items a frame, fewer when they are blobs (compressed records)."""
    chunk: list[Any] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item) if isinstance(item, bytes) else 0
        if len(chunk) >= CHUNK or size >= FRAME_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _frames(source: IO[bytes]) -> Iterator[tuple[str, Any]]:
    if source.read(len(_MAGIC)) != _MAGIC:
        raise SealError("not a sealed plan")
    expected = 0
    while header := source.read(_LENGTH.size):
        if len(header) != _LENGTH.size:
            raise SealError("truncated")
        size = _LENGTH.unpack(header)[0]
        token = source.read(size)
        if len(token) != size:
            raise SealError("truncated")
        try:
            text = crypto.decrypt(token.decode("ascii"))
        except (crypto.DecryptionError, UnicodeDecodeError) as exc:
            raise SealError("not sealed with a configured key") from exc
        raw = zlib.decompress(base64.b64decode(text))
        # Safe to unpickle: Fernet authenticated the frame, only `seal` can have made it.
        number, kind, payload = pickle.loads(raw)
        if number != expected:
            raise SealError("frames out of order")
        expected += 1
        yield kind, payload
        if kind == _END:
            if payload != number:
                raise SealError("frames missing")
            return
    raise SealError("truncated")


def unseal(source: IO[bytes]) -> Any:
    """Read back what `seal` wrote to `source` (a binary file open for reading)."""
    frames = _frames(source)
    kind, plan_type = next(frames)
    if kind != "type":
        raise SealError("no plan type")
    values = {field.name: _read_value(frames) for field in dataclasses.fields(plan_type)}
    if next(frames, (None, None))[0] != _END:
        raise SealError("unexpected frame")
    return plan_type(**values)


def _read_value(frames: Iterator[tuple[str, Any]]) -> Any:
    kind, size = next(frames)
    if kind == "value":
        return size
    if kind not in ("dict", "list"):
        raise SealError(f"unexpected frame {kind}")
    items: list[Any] = []
    mapping: dict[Any, Any] = {}
    while (len(mapping) if kind == "dict" else len(items)) < size:
        chunk_kind, chunk = next(frames)
        if chunk_kind != "items":
            raise SealError("missing items")
        if kind == "dict":
            mapping.update(chunk)
        else:
            items.extend(chunk)
    return mapping if kind == "dict" else items
