"""Periodic jobs of the core (Celery)."""

from celery import shared_task
from django.utils import timezone
from knox.models import AuthToken


@shared_task(name="core.purge_expired_tokens", ignore_result=True)
def purge_expired_tokens() -> int:
    """Delete the API tokens past their expiry (authentication only checks its own)."""
    deleted, _by_model = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
