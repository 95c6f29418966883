"""A user's own in-console notifications: marking them read."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.servicedesk.models import Notification


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> bool:
    """Mark one of the actor's notifications read; returns whether it was unread."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    return bool(
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


@transaction.atomic
def notifications_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
