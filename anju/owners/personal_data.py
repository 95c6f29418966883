"""Turn a clear, normalised ID number or phone into what the database may hold."""

from dataclasses import dataclass

from anju.security import crypto
from anju.security.masking import mask_id_number, mask_phone

ID_PURPOSE = "id_number"
PHONE_PURPOSE = "phone"


@dataclass(frozen=True)
class Protected:
    cipher: str
    index: str
    masked: str


def protect_id_number(normalized: str) -> Protected:
    return Protected(
        cipher=crypto.encrypt(normalized),
        index=id_number_index(normalized),
        masked=mask_id_number(normalized),
    )


def protect_phone(normalized: str) -> Protected:
    return Protected(
        cipher=crypto.encrypt(normalized),
        index=phone_index(normalized),
        masked=mask_phone(normalized),
    )


def id_number_index(normalized: str) -> str:
    return crypto.blind_index(ID_PURPOSE, normalized)


def phone_index(normalized: str) -> str:
    return crypto.blind_index(PHONE_PURPOSE, normalized)
