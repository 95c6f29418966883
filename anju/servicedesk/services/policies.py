"""SLA policies and their targets: the administrators' write path.

A policy's targets are written as a whole (the edit page shows them all): targets given
are created or updated by milestone, the others are removed. An edit applies to orders
accepted from now on. Orders already accepted keep their milestones (each stores its own
copy of the target), and some of their clocks start later (investigation at dispatch; the
response, completion and feedback again on reopening) from their policy's targets: so
when orders were accepted under a policy, an edit of its targets writes a new version and
retires the old one (replaced_by), which those orders keep.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from anju.audit.services import log_change, snapshot
from anju.servicedesk.models import Category, SlaPolicy, SlaTarget, WorkOrder
from anju.servicedesk.models.sla import ClockKind, MilestoneKind

MAX_MINUTES = 60 * 24 * 365
MAX_WORKING_DAYS = 250


@dataclass
class TargetInput:
    milestone: str
    clock: str
    amount: int
    at_risk_share: Decimal = Decimal("0.80")
    pauses_on_hold: bool = True


@dataclass
class PolicyInput:
    name: str
    work_order_type: str
    urgency: str = ""  # blank: any urgency
    category_id: int | None = None  # None: any category
    is_active: bool = True
    targets: list[TargetInput] = field(default_factory=list)


def policy_view(policy: SlaPolicy) -> dict[str, Any]:
    """The policy and its targets as one JSON value for the change log."""
    targets = sorted(policy.targets.all(), key=lambda t: t.milestone)
    return {
        **snapshot(policy),
        "targets": [snapshot(t, exclude={"id", "policy"}) for t in targets],
    }


@transaction.atomic
def sla_policy_create(*, actor: Any, data: PolicyInput) -> SlaPolicy:
    _validate(data, policy=None)
    policy = SlaPolicy()
    _apply(policy, data)
    policy.save()
    _write_targets(policy, data.targets)
    log_change(
        actor=actor, instance=policy, action="create", before=None, after=policy_view(policy)
    )
    return policy


@transaction.atomic
def sla_policy_update(*, actor: Any, policy: SlaPolicy, data: PolicyInput) -> SlaPolicy:
    """The policy as edited: itself, or its new version when orders were accepted under
    it and its targets change."""
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    if policy.replaced_by_id is not None:
        raise ValidationError(
            _("This version was replaced: edit the current one."), code="replaced"
        )
    before = policy_view(policy)
    _validate(data, policy=policy)
    if _targets_change(policy, data) and WorkOrder.objects.filter(sla_policy=policy).exists():
        return _new_version(actor, policy, before, data)
    _apply(policy, data)
    policy.save()
    _write_targets(policy, data.targets)
    log_change(
        actor=actor, instance=policy, action="update", before=before, after=policy_view(policy)
    )
    return policy


def _targets_change(policy: SlaPolicy, data: PolicyInput) -> bool:
    def key(milestone: str, clock: str, amount: int, share: Any, pauses: bool) -> tuple[Any, ...]:
        return (milestone, clock, int(amount), Decimal(share).quantize(Decimal("0.01")), pauses)

    now = {
        key(t.milestone, t.clock, t.amount, t.at_risk_share, t.pauses_on_hold)
        for t in policy.targets.all()
    }
    wanted = {
        key(t.milestone, t.clock, t.amount, t.at_risk_share, t.pauses_on_hold) for t in data.targets
    }
    return now != wanted


def _new_version(
    actor: Any, old: SlaPolicy, before: dict[str, Any], data: PolicyInput
) -> SlaPolicy:
    new = SlaPolicy()
    _apply(new, data)
    new.save()
    _write_targets(new, data.targets)
    old.is_active, old.replaced_by = False, new
    old.save(update_fields=["is_active", "replaced_by"])
    log_change(actor=actor, instance=new, action="create", before=None, after=policy_view(new))
    log_change(actor=actor, instance=old, action="update", before=before, after=policy_view(old))
    return new


def _apply(policy: SlaPolicy, data: PolicyInput) -> None:
    policy.name = data.name.strip()
    policy.work_order_type = data.work_order_type
    policy.urgency = data.urgency
    policy.category_id = data.category_id
    policy.is_active = data.is_active


def _write_targets(policy: SlaPolicy, targets: list[TargetInput]) -> None:
    existing = {t.milestone: t for t in SlaTarget.objects.filter(policy=policy)}
    wanted = {t.milestone for t in targets}
    SlaTarget.objects.filter(policy=policy).exclude(milestone__in=wanted).delete()
    for given in targets:
        target = existing.get(given.milestone) or SlaTarget(policy=policy)
        target.milestone, target.clock, target.amount = given.milestone, given.clock, given.amount
        target.at_risk_share = given.at_risk_share
        target.pauses_on_hold = given.pauses_on_hold
        target.save()


def _validate(data: PolicyInput, *, policy: SlaPolicy | None) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def fail(name: str, message: str, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    if not data.name.strip():
        fail("name", _("Name the policy."), "required")
    if data.work_order_type not in WorkOrder.Type.values:
        fail("work_order_type", _("Choose a request type."), "invalid_choice")
    if data.urgency and data.urgency not in WorkOrder.Urgency.values:
        fail("urgency", _("Choose urgent, normal or any."), "invalid_choice")
    if data.category_id is not None and not Category.objects.filter(pk=data.category_id).exists():
        fail("category", _("Choose a category."), "does_not_exist")
    for message, code in _target_problems(data.targets):
        fail("targets", message, code)
    if not errors and data.is_active and _overlapping(data, policy):
        fail(
            "__all__",
            _("Another active policy already covers this type, urgency and category."),
            "duplicate",
        )
    if errors:
        raise ValidationError(errors)


def _target_problems(targets: list[TargetInput]) -> list[tuple[str, str]]:
    problems = []
    if not targets:
        problems.append((_("Give the policy at least one target."), "required"))
    seen: set[str] = set()
    for target in targets:
        if target.milestone not in MilestoneKind.values:
            problems.append((_("Choose a milestone."), "invalid_choice"))
        elif target.milestone in seen:
            problems.append((_("Each milestone may appear only once."), "duplicate"))
        seen.add(target.milestone)
        if target.clock not in ClockKind.values:
            problems.append((_("Choose a clock."), "invalid_choice"))
        limit = MAX_WORKING_DAYS if target.clock == ClockKind.WORKING_DAYS else MAX_MINUTES
        if not 1 <= target.amount <= limit:
            problems.append(
                (_("The amount must be between 1 and %(limit)s.") % {"limit": limit}, "range")
            )
        if not Decimal("0.01") <= Decimal(target.at_risk_share) <= Decimal("1"):
            problems.append((_("The at-risk share must be between 0.01 and 1."), "range"))
    return problems


def _overlapping(data: PolicyInput, policy: SlaPolicy | None) -> bool:
    """Two active policies for the same type, urgency and category make the choice arbitrary."""
    same = SlaPolicy.objects.filter(
        is_active=True,
        work_order_type=data.work_order_type,
        urgency=data.urgency,
        category__isnull=data.category_id is None,
    )
    if data.category_id is not None:
        same = same.filter(category_id=data.category_id)
    if policy is not None:
        same = same.exclude(pk=policy.pk)
    return same.exists()


def policies_hidden_by(policy: SlaPolicy) -> list[SlaPolicy]:
    """The active urgency-specific policies an any-urgency category policy now overrides
    for its category (the more specific category wins, D6): an administrator who adds
    "防水渗漏, any urgency" should know that urgent leaks no longer get "紧急报修"."""
    if not policy.is_active or policy.urgency or policy.category_id is None:
        return []
    broader = _ancestors(policy.category_id)[1:]
    # an urgency the category has its own policy for keeps it: nothing is overridden there
    covered = SlaPolicy.objects.filter(
        is_active=True,
        work_order_type=policy.work_order_type,
        category_id=policy.category_id,
        urgency__gt="",
    ).values_list("urgency", flat=True)
    return list(
        SlaPolicy.objects.filter(
            is_active=True, work_order_type=policy.work_order_type, urgency__gt=""
        )
        .filter(Q(category__isnull=True) | Q(category_id__in=broader))
        .exclude(urgency__in=list(covered))
        .order_by("urgency", "name")
    )


def _ancestors(category_id: int) -> list[int]:
    """The category and the ones above it, nearest first."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    found: list[int] = []
    current: int | None = category_id
    while current is not None:
        found.append(current)
        current = parents.get(current)
    return found
