"""SLA policies: the list with their targets, and the create/edit page (targets inline)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from anju.servicedesk.forms_admin import SlaPolicyForm, SlaTargetFormSet, policy_input
from anju.servicedesk.models import SlaPolicy, SlaTarget, WorkOrder
from anju.servicedesk.models.sla import MilestoneKind
from anju.servicedesk.services.policies import (
    policies_hidden_by,
    sla_policy_create,
    sla_policy_update,
)
from anju.servicedesk.views_admin.common import add_errors, humane_amount

_MILESTONE_ORDER = {kind: n for n, kind in enumerate(MilestoneKind.values)}


def _sorted_targets(policy: SlaPolicy) -> list[SlaTarget]:
    targets = sorted(policy.targets.all(), key=lambda t: _MILESTONE_ORDER.get(t.milestone, 99))
    for target in targets:
        target.humane = humane_amount(target.clock, target.amount)  # type: ignore[attr-defined]
        target.risk_percent = round(target.at_risk_share * 100)  # type: ignore[attr-defined]
    return targets


@login_required
@permission_required("servicedesk.view_slapolicy", raise_exception=True)
def sla_list(request: HttpRequest) -> HttpResponse:
    # Retired versions stay with the orders accepted under them, out of the list.
    policies = (
        SlaPolicy.objects.filter(replaced_by__isnull=True)
        .select_related("category")
        .prefetch_related("targets")
    )
    types, urgencies = dict(WorkOrder.Type.choices), dict(WorkOrder.Urgency.choices)
    rows = [
        {
            "policy": policy,
            "type": types.get(policy.work_order_type, policy.work_order_type),
            "urgency": urgencies.get(policy.urgency, _("any")),
            "targets": _sorted_targets(policy),
        }
        for policy in policies
    ]
    return render(request, "servicedesk/admin/sla_list.html", {"rows": rows})


def _initial(policy: SlaPolicy) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fields = {
        "name": policy.name,
        "work_order_type": policy.work_order_type,
        "urgency": policy.urgency,
        "category": policy.category_id,
        "is_active": policy.is_active,
    }
    targets = [
        {
            "milestone": t.milestone,
            "clock": t.clock,
            "amount": t.amount,
            "at_risk_share": t.at_risk_share,
            "pauses_on_hold": t.pauses_on_hold,
        }
        for t in _sorted_targets(policy)
    ]
    return fields, targets


def _policy_form(request: HttpRequest, policy: SlaPolicy | None) -> HttpResponse:
    fields, targets = _initial(policy) if policy else ({"is_active": True}, [])
    form = SlaPolicyForm(request.POST or None, initial=fields)
    formset = SlaTargetFormSet(request.POST or None, initial=targets, prefix="targets")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = policy_input(form, formset)
        try:
            if policy is None:
                policy = sla_policy_create(actor=request.user, data=data)
            else:
                policy = sla_policy_update(actor=request.user, policy=policy, data=data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Policy “%(name)s” saved.") % {"name": policy.name})
            hidden = policies_hidden_by(policy)
            if hidden:
                messages.warning(
                    request,
                    _(
                        "For this category it now takes the place of %(names)s: add a policy "
                        "for the category with that urgency to keep their targets."
                    )
                    % {"names": "、".join(f"“{p.name}”" for p in hidden)},
                )
            return redirect("desk_admin:sla_list")
    return render(
        request,
        "servicedesk/admin/sla_form.html",
        {"form": form, "formset": formset, "policy": policy},
    )


@login_required
@permission_required("servicedesk.add_slapolicy", raise_exception=True)
def sla_create(request: HttpRequest) -> HttpResponse:
    return _policy_form(request, None)


@login_required
@permission_required("servicedesk.change_slapolicy", raise_exception=True)
def sla_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy.objects.prefetch_related("targets"), pk=pk)
    if policy.replaced_by_id is not None:  # an old link: the current version
        current = policy
        while current.replaced_by_id is not None:
            current = SlaPolicy.objects.get(pk=current.replaced_by_id)
        if request.method == "POST":
            messages.warning(request, _("This version was replaced: edit the current one."))
        return redirect("desk_admin:sla_edit", pk=current.pk)
    return _policy_form(request, policy)
