"""The plan of an owner import: what the checked rows will create.

The plan of a 100,000-row file stays in memory while the sheet is read, and again during
the commit, so it is kept small: slotted records, tuples instead of lists, repeated values
(dates, shares, unit keys) shared through `Shared`, and the owner records (the bulk of
it: names, addresses, ID numbers, phones) pickled and compressed in chunks of 1,000 as
they come. Only an index (key -> first row, name) stays plain: it is what the in-file
duplicate check and the commit look up. About 60 MB for 100,000 rows instead of 95.
"""

import pickle
import zlib
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from anju.imports.sealing import compact
from anju.owners.inputs import CleanPhone
from anju.owners.models import Ownership
from anju.properties.importer import UnitKey, UnitRecord

H = TypeVar("H", bound=Hashable)
# The same ID number = the same owner; without one, (name, primary phone) or (kind, name).
OwnerKey = str | tuple[str, ...]
Phone = tuple[str, str]  # kind, normalised number (clear); the first phone is the primary
OWNER_CHUNK = 1_000
_PROTOCOL = pickle.HIGHEST_PROTOCOL


@compact
@dataclass(slots=True)
class OwnerRecord:
    row: int
    kind: str
    name: str
    gender: str
    birth_date: date | None
    id_type: str
    id_number: str | None  # normalised and clear: the plan is only ever stored encrypted
    phones: tuple[Phone, ...]
    email: str
    address: str
    preferences: str
    special_needs: str
    tags: tuple[str, ...]
    consents: tuple[bool, ...]  # sms, phone, wechat, email

    def clean_phones(self) -> list[CleanPhone]:
        """The phones as the owner services take them (no label; the first is primary)."""
        return [
            CleanPhone(kind, number, "", index == 0)
            for index, (kind, number) in enumerate(self.phones)
        ]


@compact
@dataclass(slots=True)
class OwnershipRecord:
    row: int
    owner_key: OwnerKey
    unit_key: UnitKey
    share: Decimal | None  # None: split what the unit's other owners leave
    status: str
    subscription_date: date | None
    contract_date: date | None
    handover_date: date | None

    @property
    def is_active(self) -> bool:
        return self.status not in Ownership.ENDED


@dataclass
class OwnerPlan:
    """Owners (compressed, see the module doc), ownerships in row order, new units."""

    owner_index: dict[OwnerKey, tuple[int, str]] = field(default_factory=dict)
    owner_chunks: list[bytes] = field(default_factory=list)
    owner_buffer: list[tuple[OwnerKey, OwnerRecord]] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    ownerships: list[OwnershipRecord] = field(default_factory=list)
    units: dict[UnitKey, UnitRecord] = field(default_factory=dict)  # first row of each unit
    rows: int = 0

    def add_owner(self, key: OwnerKey, record: OwnerRecord) -> tuple[int, str] | None:
        """Keep the first record of each key; for a later one, the first's (row, name)."""
        first = self.owner_index.get(key)
        if first is not None:
            return first
        self.owner_index[key] = (record.row, record.name)
        self.tags.update(record.tags)
        self.owner_buffer.append((key, record))
        if len(self.owner_buffer) >= OWNER_CHUNK:
            self.flush()
        return None

    def flush(self) -> None:
        if self.owner_buffer:
            raw = pickle.dumps(self.owner_buffer, _PROTOCOL)
            self.owner_chunks.append(zlib.compress(raw, 1))
            self.owner_buffer = []

    def owners(self) -> Iterator[tuple[OwnerKey, OwnerRecord]]:
        """Every owner (key, record) in row order, decompressed a chunk at a time."""
        for chunk in self.owner_chunks:
            # Safe to unpickle: written by `flush` in this process, or read back from a
            # sealed (authenticated) plan.
            yield from pickle.loads(zlib.decompress(chunk))
        yield from self.owner_buffer

    def owner_count(self) -> int:
        return len(self.owner_index)


class Shared:
    """Hands out one object per distinct value (dates, shares, unit keys, tag tuples)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, value: H) -> H:
        if value is None:
            return value
        shared: H = self._values.setdefault(value, value)
        return shared
