"""Field encryption and keyed blind indexes for personal data.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the first key of
ANJU_FIELD_KEYS; every listed key can decrypt, which is what makes rotation possible.
Exact-match search uses an HMAC of the normalised value under a separate key, so the
database can find a phone or ID number without ever holding it in clear.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ANJU_FIELD_KEYS))


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("no configured key decrypts this value") from exc


def rotate(token: str) -> str:
    """Re-encrypt under the current (first) key."""
    return _current().rotate(token.encode()).decode()


def blind_index(purpose: str, normalized_value: str) -> str:
    """Keyed, purpose-separated digest for exact look-ups (128 bits, hex)."""
    key = settings.ANJU_BLIND_INDEX_KEY.encode()
    message = f"{purpose}:{normalized_value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
