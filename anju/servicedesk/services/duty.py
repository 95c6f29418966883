"""The duty roster's write path, and who is on duty for a project now.

Whoever is on duty answers an urgent complaint (the emergency path, intake): a manager, or
anyone allowed to approve complaint plans, who works on the project. Shifts may overlap
(two people on duty) and leave gaps: with nobody on duty the project's managers are told,
and with no manager the administrators (services.common.managers_or_administrators).
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anju.audit.services import log_change, snapshot
from anju.security.models import User
from anju.security.scoping import visible_project_ids
from anju.servicedesk.models import DutyShift
from anju.servicedesk.people import working_on

# Who may be on duty: whoever may approve complaint plans (a manager, by role).
DUTY_PERM = "servicedesk.approve_complaintplan"
# A shift is a day, a night, a weekend, a holiday block: not a season.
MAX_SHIFT_DAYS = 31


def duty_people(project_id: int) -> Any:
    """The people who may be put on duty for the project."""
    return working_on(project_id).filter(pk__in=User.objects.with_perm(DUTY_PERM).values("pk"))


def on_duty(project_id: int, at: datetime) -> list[User]:
    """Who is on duty for the project at ``at`` (active, may still be on duty)."""
    person_ids = DutyShift.objects.filter(
        project_id=project_id, starts_at__lte=at, ends_at__gt=at
    ).values("person_id")
    return list(duty_people(project_id).filter(pk__in=person_ids).order_by("pk"))


@transaction.atomic
def duty_shift_add(
    *,
    actor: User,
    project_id: int,
    person: User,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
) -> DutyShift:
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    ids = visible_project_ids(actor)
    if ids is not None and project_id not in ids:
        fail("project", _("Choose one of your projects."), "does_not_exist")
    elif not duty_people(project_id).filter(pk=person.pk).exists():
        fail("person", _("Choose a manager who works on the project."), "not_on_project")
    if ends_at <= starts_at:
        fail("ends_at", _("The shift must end after it starts."), "order")
    elif (ends_at - starts_at).days >= MAX_SHIFT_DAYS:
        fail("ends_at", _("A shift lasts less than a month."), "too_long")
    if errors:
        raise ValidationError(errors)
    shift = DutyShift.objects.create(
        project_id=project_id,
        person=person,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note.strip(),
        created_by=actor,
    )
    log_change(actor=actor, instance=shift, action="create", before=None, after=snapshot(shift))
    return shift


@transaction.atomic
def duty_shift_remove(*, actor: User, shift: DutyShift) -> None:
    log_change(actor=actor, instance=shift, action="delete", before=snapshot(shift), after=None)
    shift.delete()
