"""What a form, serializer or import row hands to the owner services."""

from dataclasses import dataclass, field
from datetime import date

from anju.owners.rules.idtypes import IdType


@dataclass
class PhoneInput:
    number: str
    label: str = ""
    is_primary: bool = False


@dataclass
class OwnerInput:
    project_id: int
    name: str
    kind: str = "person"
    gender: str = ""
    birth_date: date | None = None
    id_type: str = IdType.RESIDENT_ID
    # Clear ID number as typed. On update, "" keeps the stored number.
    id_number: str = ""
    # None keeps the stored phones on update; a list replaces them.
    phones: list[PhoneInput] | None = None
    email: str = ""
    address: str = ""
    preferences: str = ""
    special_needs: str = ""
    tags: list[str] = field(default_factory=list)
    consent_sms: bool = False
    consent_phone: bool = False
    consent_wechat: bool = False
    consent_email: bool = False


@dataclass(frozen=True)
class CleanPhone:
    kind: str
    number: str  # normalised, clear; lives only in memory
    label: str
    is_primary: bool


@dataclass(frozen=True)
class CleanOwner:
    """Validated input: normalised ID number and phones, derived birth date and gender."""

    data: OwnerInput
    id_number: str | None  # None = unchanged
    gender: str
    birth_date: date | None
    phones: list[CleanPhone] | None
