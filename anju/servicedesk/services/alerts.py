"""群诉预警: raise, follow and close group-complaint alerts."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.audit.services import log_change, snapshot
from anju.servicedesk.models import GroupComplaintAlert, WorkOrder
from anju.servicedesk.services.common import notify, project_managers, refuse, require


def _complaints(category_id: int, **place: Any) -> list[tuple[int, int]]:
    """(order, owner) of the place's complaints of the category in the window."""
    since = timezone.now() - timedelta(days=settings.ANJU_GROUP_COMPLAINT_DAYS)
    return list(
        WorkOrder.objects.filter(
            type=WorkOrder.Type.COMPLAINT,
            category_id=category_id,
            received_at__gte=since,
            owner__isnull=False,
            **place,
        )
        .exclude(status=WorkOrder.Status.MERGED)
        .order_by()
        .values_list("pk", "owner_id")
    )


def check_group_complaint(order: WorkOrder) -> list[GroupComplaintAlert]:
    """After a complaint is accepted: does its building or phase now pass the threshold?

    The most specific place wins: when the building passes, its alert is raised (or joined)
    and the phase is not checked, so one cluster of complaints raises one alert. While the
    building's alert is open, a new complaint there joins it without counting again. Each
    count is a range of the index on (building, category, received_at): the building's
    own, then one per building of the phase.
    """
    category_id = order.category_id
    if category_id is None or order.building_id is None:
        return []
    building = order.building
    assert building is not None
    joined = _join_open_alert(order, category_id, f"building:{building.pk}")
    if joined is not None:
        return [joined]
    places = (
        (f"building:{building.pk}", {"building": building}, {"building_id": building.pk}),
        (
            f"phase:{building.phase_id}",
            {"phase_id": building.phase_id},
            {"building__phase_id": building.phase_id},
        ),
    )
    for scope_key, fields, place in places:
        found = _complaints(category_id, **place)
        owners = {owner_id for _pk, owner_id in found}
        if len(owners) >= settings.ANJU_GROUP_COMPLAINT_OWNERS:
            orders = [pk for pk, _owner in found]
            return [_raise(order, category_id, scope_key, fields, orders, len(owners))]
    return []


def _join_open_alert(
    order: WorkOrder, category_id: int, scope_key: str
) -> GroupComplaintAlert | None:
    """Link the complaint to the place's open alert, if there is one; the owner count grows
    when the owner is new to it.

    The window count is what raises an alert; once raised, the alert is the cluster that
    its handlers follow, so a complaint of its place and category belongs to it whatever
    the window now holds. Counting is then skipped: at scale it reads every complaint of
    the category in the window (tens of milliseconds), where joining reads the alert.
    A complaint without an owner counts for no one and takes the counting path.
    """
    if order.owner_id is None:
        return None
    alert = (
        GroupComplaintAlert.objects.select_for_update()
        .exclude(status=GroupComplaintAlert.Status.CLOSED)
        .filter(scope_key=scope_key, category_id=category_id)
        .first()
    )
    if alert is None:
        return None
    if not alert.orders.filter(owner_id=order.owner_id).exists():
        alert.owner_count += 1
        alert.save(update_fields=["owner_count"])
    alert.orders.add(order)
    return alert


def _raise(
    order: WorkOrder,
    category_id: int,
    scope_key: str,
    fields: dict[str, Any],
    orders: list[int],
    owner_count: int,
) -> GroupComplaintAlert:
    alert = (
        GroupComplaintAlert.objects.select_for_update()
        .exclude(status=GroupComplaintAlert.Status.CLOSED)
        .filter(scope_key=scope_key, category_id=category_id)
        .first()
    )
    created = alert is None
    if alert is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent complaint may raise it first
                alert = GroupComplaintAlert.objects.create(
                    project_id=order.project_id,
                    scope_key=scope_key,
                    category_id=category_id,
                    owner_count=owner_count,
                    **fields,
                )
        except IntegrityError:  # group_alert_one_open: join the alert the other one raised
            created = False
            alert = (
                GroupComplaintAlert.objects.select_for_update()
                .exclude(status=GroupComplaintAlert.Status.CLOSED)
                .get(scope_key=scope_key, category_id=category_id)
            )
    if not created and alert.owner_count != owner_count:
        alert.owner_count = owner_count
        alert.save(update_fields=["owner_count"])
    alert.orders.add(*orders)
    if created:
        log_change(actor=None, instance=alert, action="create", before=None, after=snapshot(alert))
        notify(
            project_managers(order),
            "group_complaint",
            order,
            gettext_lazy("Group-complaint alert: %(count)s owners about %(category)s."),
            count=owner_count,
            category=order.category,
        )
    return alert


@transaction.atomic
def group_alert_take(*, actor: Any, alert: GroupComplaintAlert, note: str = "") -> None:
    alert = GroupComplaintAlert.objects.select_for_update().get(pk=alert.pk)
    require(alert.status == GroupComplaintAlert.Status.OPEN)
    before = snapshot(alert)
    alert.status, alert.handled_by, alert.note = GroupComplaintAlert.Status.HANDLING, actor, note
    alert.save()
    log_change(actor=actor, instance=alert, action="update", before=before, after=snapshot(alert))


@transaction.atomic
def group_alert_close(*, actor: Any, alert: GroupComplaintAlert, note: str) -> None:
    alert = GroupComplaintAlert.objects.select_for_update().get(pk=alert.pk)
    require(alert.status != GroupComplaintAlert.Status.CLOSED)
    if not note.strip():
        raise refuse("note", _("Say how the group complaint was resolved."), "required")
    before = snapshot(alert)
    alert.status, alert.closed_at = GroupComplaintAlert.Status.CLOSED, timezone.now()
    alert.note = note.strip()
    alert.handled_by = alert.handled_by or actor
    alert.save()
    log_change(actor=actor, instance=alert, action="update", before=before, after=snapshot(alert))
