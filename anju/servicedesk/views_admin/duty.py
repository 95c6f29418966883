"""The duty roster (值班): who answers urgent complaints of each project, and when."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anju.security.scoping import visible_project_ids
from anju.servicedesk.forms_admin import DutyShiftForm
from anju.servicedesk.models import DutyShift
from anju.servicedesk.services.duty import duty_shift_add, duty_shift_remove
from anju.servicedesk.views.common import staff
from anju.servicedesk.views_admin.common import add_errors

# The roster shows the shifts still to come and those of the last week.
PAST_DAYS = 7
SHOWN = 200


def _shifts(user: Any) -> QuerySet[DutyShift]:
    shifts = DutyShift.objects.select_related("project", "person")
    ids = visible_project_ids(user)
    return shifts if ids is None else shifts.filter(project_id__in=ids)


@login_required
@permission_required("servicedesk.view_dutyshift", raise_exception=True)
def duty_roster(request: HttpRequest) -> HttpResponse:
    form = DutyShiftForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not request.user.has_perm("servicedesk.add_dutyshift"):
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                shift = duty_shift_add(
                    actor=staff(request),
                    project_id=data["project"].pk,
                    person=data["person"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    note=data["note"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, _("%(person)s is on duty then.") % {"person": shift.person}
                )
                return redirect("desk_admin:duty")
    now = timezone.now()
    shifts = list(
        _shifts(request.user).filter(ends_at__gte=now - timedelta(days=PAST_DAYS))[:SHOWN]
    )
    for shift in shifts:
        shift.current = shift.starts_at <= now < shift.ends_at  # type: ignore[attr-defined]
    context = {"form": form, "shifts": shifts, "section": "duty"}
    return render(
        request, "servicedesk/admin/duty.html", context, status=400 if form.errors else 200
    )


@login_required
@permission_required("servicedesk.delete_dutyshift", raise_exception=True)
@require_POST
def duty_shift_delete(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(_shifts(request.user), pk=pk)
    duty_shift_remove(actor=staff(request), shift=shift)
    messages.success(request, _("The shift was removed."))
    return redirect("desk_admin:duty")
