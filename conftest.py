"""Test-wide fixtures; the environment is prepared in anju/test_settings.py."""

pytest_plugins = ["anju.core.testing.fixtures", "anju.core.testing.browser"]
