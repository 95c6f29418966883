"""Secrets for the embedded mode, generated once per installation into var/.

Secrets never live in the repository. In embedded mode, any secret missing from the
environment is read from (or first written to) a private file under var/; production
mode never calls this and fails loudly if a secret is missing.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

_GENERATORS = {
    "DJANGO_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "ANJU_FIELD_KEYS": lambda: Fernet.generate_key().decode(),
    "ANJU_BLIND_INDEX_KEY": lambda: secrets.token_urlsafe(32),
}


def load_embedded_secrets(path: Path) -> None:
    """Put each missing secret into os.environ, creating the file on first use."""
    stored = _read(path)
    missing = {
        name: gen()
        for name, gen in _GENERATORS.items()
        if name not in stored and name not in os.environ
    }
    if missing:
        stored.update(missing)
        _write(path, stored)
    for name, value in stored.items():
        os.environ.setdefault(name, value)


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _write(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
