"""Keep a validated plan between the dry run and the commit, encrypted.

The plan holds clear ID numbers and phones, so it is stored like them: encrypted with
the field key (Fernet, which also authenticates it: only this application can have
written what `unseal` unpickles).

A plan is a dataclass of large dicts and lists. Pickling it in one go would keep a memo
entry for each of its millions of objects, on both sides; it is written instead as a
series of small pickles of 1,000 items each (fresh memo each time), streamed through gzip.
Objects stay shared within a chunk (the same "contracted" string, the same unit key), so
the plan read back is about as small as the plan written.
"""

import base64
import dataclasses
import gzip
import io
import pickle
from itertools import islice
from typing import Any

from anju.security import crypto

CHUNK = 1_000
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def seal(plan: Any) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1) as sink:
        pickle.dump(type(plan), sink, _PROTOCOL)
        for field in dataclasses.fields(plan):
            _write_value(sink, getattr(plan, field.name))
    text = base64.b64encode(buffer.getbuffer()).decode("ascii")
    del buffer
    return crypto.encrypt(text).encode("ascii")


def unseal(token: bytes) -> Any:
    blob = base64.b64decode(crypto.decrypt(token.decode("ascii")))
    with gzip.GzipFile(fileobj=io.BytesIO(blob), mode="rb") as source:
        del blob
        plan_type = pickle.load(source)  # safe: the token was authenticated by Fernet
        values = {field.name: _read_value(source) for field in dataclasses.fields(plan_type)}
    return plan_type(**values)


def _write_value(sink: gzip.GzipFile, value: Any) -> None:
    if isinstance(value, dict):
        pickle.dump(("dict", len(value)), sink, _PROTOCOL)
        items = iter(value.items())
    elif isinstance(value, list):
        pickle.dump(("list", len(value)), sink, _PROTOCOL)
        items = iter(value)
    else:
        pickle.dump(("value", 0), sink, _PROTOCOL)
        pickle.dump(value, sink, _PROTOCOL)
        return
    while chunk := list(islice(items, CHUNK)):
        pickle.dump(chunk, sink, _PROTOCOL)


def _read_value(source: gzip.GzipFile) -> Any:
    kind, size = pickle.load(source)
    if kind == "value":
        return pickle.load(source)
    items: list[Any] = []
    mapping: dict[Any, Any] = {}
    collected = mapping if kind == "dict" else items
    while len(collected) < size:
        chunk = pickle.load(source)
        if kind == "dict":
            mapping.update(chunk)
        else:
            items.extend(chunk)
    return collected
