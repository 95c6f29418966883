"""Settings for the test suite: the embedded defaults with test-only secrets and eager tasks.

pytest-django imports settings before any conftest runs, so the environment is prepared
here rather than in conftest.py.
"""

import os

from cryptography.fernet import Fernet

os.environ.setdefault("ANJU_TESTING", "1")
os.environ.setdefault("ANJU_TASKS_EAGER", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("ANJU_FIELD_KEYS", Fernet.generate_key().decode())
os.environ.setdefault("ANJU_BLIND_INDEX_KEY", "test-only-blind-index-key")

from anju.settings import *  # noqa: F403

# Each test process keeps its own cache: the suite clears it between tests, and a shared
# file cache would let parallel workers clear each other's.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
