"""Staff forms for the steps on a work order and the queue's saved views. They check the
shape of the input only, call the services (the one write path) and put the services'
field errors back on the form. The intake form is in forms_intake.py."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from anju.owners.forms import apply_service_errors, style_fields
from anju.security.models import User
from anju.security.roles import ROLE_BY_CODE
from anju.servicedesk import services
from anju.servicedesk.models import ComplaintPlan, WorkOrder
from anju.servicedesk.models.work_orders import QUERY_MAX_LENGTH
from anju.servicedesk.people import working_on

_NUMBER_RE = re.compile(r"^\s*(?:GD)?0*(\d{1,12})\s*$", re.IGNORECASE)


def _note(required: bool = False, label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def project_people(order: WorkOrder) -> QuerySet[User]:
    """Who may be made responsible: active users assigned to the order's project who may
    open work orders (people.py), with their roles for the label."""
    return working_on(order.project_id).prefetch_related("groups").order_by("name", "username")


def parse_order_number(text: str) -> int | None:
    """GD00000012, gd12 or 12 → 12."""
    match = _NUMBER_RE.match(text or "")
    return int(match.group(1)) if match else None


class PersonChoiceField(forms.ModelChoiceField):
    """A person with their roles (刘洋（维修主管）): the desk sees whom it dispatches to."""

    def label_from_instance(self, obj: Any) -> str:
        roles = [
            str(ROLE_BY_CODE[g.name].label) for g in obj.groups.all() if g.name in ROLE_BY_CODE
        ]
        return f"{obj}（{'、'.join(roles)}）" if roles else str(obj)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.path)


# --- actions on an order ----------------------------------------------------------------


class ActionForm(forms.Form):
    """A step on one order. ``submit`` calls the service; False (with errors) if refused."""

    def __init__(self, *args: Any, order: WorkOrder, user: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.order, self.user = order, user
        self.setup()
        style_fields(self)

    def setup(self) -> None:
        """Querysets and initial values that depend on the order."""

    def run(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def submit(self) -> bool:
        try:
            self.run(self.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(self, exc)
            return False
        return True


class NoteForm(ActionForm):
    note = _note()


class RequiredNoteForm(ActionForm):
    note = _note(required=True)


class DispatchForm(ActionForm):
    department = forms.ChoiceField(label=_("Department"), choices=WorkOrder.Department.choices)
    assignee = PersonChoiceField(label=_("Responsible person"), queryset=User.objects.none())
    note = _note()

    def setup(self) -> None:
        self.fields["assignee"].queryset = project_people(self.order)  # type: ignore[attr-defined]
        self.initial.setdefault("department", self.order.department or None)
        self.initial.setdefault("assignee", self.order.assignee_id)

    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_dispatch(
            actor=self.user,
            order=self.order,
            department=data["department"],
            assignee=data["assignee"],
            note=data["note"],
        )


class StartForm(NoteForm):
    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_start(actor=self.user, order=self.order, note=data["note"])


class EscalateForm(RequiredNoteForm):
    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_escalate(actor=self.user, order=self.order, note=data["note"])


class HoldForm(ActionForm):
    hold_reason = forms.ChoiceField(label=_("Waiting for"), choices=WorkOrder.HoldReason.choices)
    note = _note()

    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_hold(
            actor=self.user, order=self.order, reason=data["hold_reason"], note=data["note"]
        )


class ResumeForm(NoteForm):
    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_resume(actor=self.user, order=self.order, note=data["note"])


class _OtherOrderForm(ActionForm):
    """Names another order of the user's projects by its number."""

    other_field = "into"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        text = data.get(self.other_field) or ""
        number = parse_order_number(text)
        other = (
            WorkOrder.objects.visible_to(self.user).filter(pk=number).first() if number else None
        )
        if text and other is None:
            self.add_error(self.other_field, _("No work order with this number."))
        data["other_order"] = other
        return data


class MergeForm(_OtherOrderForm):
    into = forms.CharField(label=_("Merge into order number"), max_length=20)
    note = _note()

    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_merge(
            actor=self.user, duplicate=self.order, into=data["other_order"], note=data["note"]
        )


class LinkForm(_OtherOrderForm):
    other_field = "other"
    other = forms.CharField(label=_("Related order number"), max_length=20)
    note = _note()

    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_link(
            actor=self.user, order=self.order, other=data["other_order"], note=data["note"]
        )


class ResolveForm(ActionForm):
    note = _note(required=True, label=_("What was done"))

    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_resolve(actor=self.user, order=self.order, note=data["note"])


class CloseForm(NoteForm):
    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_close(actor=self.user, order=self.order, note=data["note"])


class ReopenForm(NoteForm):
    # Required by the service (its message is shown), so the form leaves it optional.
    note = _note(label=_("Why is it reopened?"))

    def run(self, data: dict[str, Any]) -> Any:
        return services.work_order_reopen(actor=self.user, order=self.order, note=data["note"])


class InvestigateForm(NoteForm):
    def run(self, data: dict[str, Any]) -> Any:
        return services.complaint_start_investigation(
            actor=self.user, order=self.order, note=data["note"]
        )


class PlanProposeForm(ActionForm):
    findings = forms.CharField(
        label=_("Investigation findings"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    content = forms.CharField(
        label=_("Handling plan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.ChoiceField(
        label=_("Responsible department"), choices=WorkOrder.Department.choices
    )
    responsible = PersonChoiceField(label=_("Responsible person"), queryset=User.objects.none())
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def setup(self) -> None:
        self.fields["responsible"].queryset = project_people(self.order)  # type: ignore[attr-defined]
        self.initial.setdefault("department", self.order.department or None)
        self.initial.setdefault("responsible", self.order.assignee_id)

    def run(self, data: dict[str, Any]) -> Any:
        return services.complaint_propose_plan(
            actor=self.user,
            order=self.order,
            content=data["content"],
            department=data["department"],
            responsible=data["responsible"],
            deadline=data["deadline"],
            findings=data["findings"],
        )


class PlanDecideForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    decision_note = _note(label=_("Note (required to reject)"))
    # The plan the manager read: a decision never lands on a plan proposed after the page
    # was loaded.
    plan = forms.IntegerField(widget=forms.HiddenInput)

    def setup(self) -> None:
        pending = self.pending_plan()
        self.fields["plan"].initial = pending.pk if pending else None

    def pending_plan(self) -> ComplaintPlan | None:
        return self.order.plans.filter(status=ComplaintPlan.Status.PROPOSED).first()

    def run(self, data: dict[str, Any]) -> Any:
        plan = self.pending_plan()
        if plan is None:
            raise ValidationError(_("No plan waits for a decision."), code="invalid_transition")
        if plan.pk != data["plan"]:
            raise ValidationError(
                _("Another plan was proposed since this page was loaded: read it, then decide."),
                code="invalid_transition",
            )
        return services.complaint_decide_plan(
            actor=self.user,
            plan=plan,
            approve=data["decision"] == "approve",
            note=data["decision_note"],
        )


class FeedbackForm(ActionForm):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=WorkOrder.Channel.choices, initial=WorkOrder.Channel.PHONE
    )
    content = forms.CharField(
        label=_("What the owner was told"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner_response = forms.CharField(
        label=_("Owner's response"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner_satisfied = forms.NullBooleanField(
        label=_("Owner accepts"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Not said")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )

    def run(self, data: dict[str, Any]) -> Any:
        return services.complaint_give_feedback(
            actor=self.user,
            order=self.order,
            channel=data["channel"],
            content=data["content"],
            owner_response=data["owner_response"],
            owner_satisfied=data["owner_satisfied"],
        )


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    # Not part of a saved view: the page number.
    TRANSIENT = ("page",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_query(self) -> str:
        """The filters that are set (the form sends every empty one too), without the
        page; refused when still too long to keep."""
        params = QueryDict(self.cleaned_data.get("query", ""), mutable=True)
        for name in [*self.TRANSIENT, *(k for k, v in params.lists() if not any(v))]:
            params.pop(name, None)
        query = params.urlencode()
        if len(query) > QUERY_MAX_LENGTH:
            raise ValidationError(
                _("These filters are too long to save: shorten the search text."),
                code="max_length",
            )
        return query
