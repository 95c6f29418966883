"""受理: the intake form. It checks the shape of the input, builds the service input and
puts the service's field errors (future report time, repair without category …) back on
the form."""

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.owners.forms import apply_service_errors, style_fields
from anju.owners.models import Owner, Ownership
from anju.owners.selectors import owner_list_queryset
from anju.properties.models import Project, Unit
from anju.servicedesk import services
from anju.servicedesk.forms import CategoryChoiceField
from anju.servicedesk.models import Category, WorkOrder

PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "heic", "webp"]
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_COUNT = 10
_LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; an empty input is an empty list."""

    default_validators = [FileExtensionValidator(PHOTO_EXTENSIONS)]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = []
        for item in files:
            if item:
                cleaned.append(super().clean(item, initial))
        if len(cleaned) > PHOTO_MAX_COUNT:
            raise ValidationError(
                _("At most %(count)d photos."), code="too_many", params={"count": PHOTO_MAX_COUNT}
            )
        if any(photo.size > PHOTO_MAX_BYTES for photo in cleaned):
            raise ValidationError(_("A photo may be at most 10 MB."), code="too_large")
        return cleaned


class WorkOrderForm(forms.Form):
    """受理: what the front desk types while the owner is on the phone."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    # The owner's radio options are rendered by the one-box search (htmx), not the widget.
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Owner.objects.none(), required=False, widget=forms.HiddenInput
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    unit_code = forms.CharField(
        label=_("or unit number in the project"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "3-2-1801", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=WorkOrder.Type.choices,
        initial=WorkOrder.Type.REPAIR,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=WorkOrder.Channel.choices, initial=WorkOrder.Channel.PHONE
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    location = forms.CharField(label=_("Defect location"), max_length=200, required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=WorkOrder.Urgency.choices,
        initial=WorkOrder.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)
    received_at = forms.DateTimeField(
        label=_("Reported at"),
        required=False,
        input_formats=[_LOCAL_MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_MINUTE),
        help_text=_("When the owner reported it; earlier for a call logged late."),
    )
    # A double submit (or a retried POST) returns the first order, never a second one.
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, owner: Owner | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.user = user
        projects = Project.objects.visible_to(user)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        self.fields["owner"].queryset = Owner.objects.visible_to(user)  # type: ignore[attr-defined]
        units = Unit.objects.visible_to(user).select_related("project")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if not self.is_bound:
            self._set_initial(projects, owner)
        self.owner_choice = self._chosen_owner(owner)
        self.unit_choices = owner_units(user, self.owner_choice) if self.owner_choice else []
        self.fields["unit"].widget.choices = [("", "—")] + [
            (unit.pk, f"{unit.project.name} · {unit.code}") for unit in self.unit_choices
        ]
        style_fields(self)

    def _set_initial(self, projects: QuerySet[Project], owner: Owner | None) -> None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.initial.setdefault("received_at", now)
        self.initial.setdefault("idempotency_key", _new_key())
        units = owner_units(self.user, owner) if owner else []
        project_id = units[0].project_id if units else None
        if owner is not None:
            self.initial["owner"] = owner.pk
            project_id = project_id or owner.project_id
            if len(units) == 1:
                self.initial["unit"] = units[0].pk
        visible = projects.values_list("pk", flat=True)
        if project_id is None or project_id not in visible:
            project_id = visible.first()
        self.initial.setdefault("project", project_id)

    def _chosen_owner(self, owner: Owner | None) -> Owner | None:
        if not self.is_bound:
            return owner
        value = self.data.get("owner")
        if not value or not str(value).isdigit():
            return None
        return owner_list_queryset(self.user).filter(pk=value).first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        code = (data.get("unit_code") or "").strip()
        if code and not data.get("unit") and data.get("project"):
            data["unit"] = Unit.objects.filter(project=data["project"], code=code).first()
            if data["unit"] is None:
                self.add_error("unit_code", _("No unit with this number in the project."))
        return data

    def to_input(self) -> services.WorkOrderInput:
        data = self.cleaned_data
        return services.WorkOrderInput(
            project_id=data["project"].pk,
            type=data["type"],
            channel=data["channel"],
            description=data["description"],
            urgency=data["urgency"],
            owner_id=data["owner"].pk if data.get("owner") else None,
            unit_id=data["unit"].pk if data.get("unit") else None,
            category_id=data["category"].pk if data.get("category") else None,
            location=data.get("location") or "",
            received_at=data.get("received_at"),
            first_responder_id=self.user.pk,
            photos=data.get("photos") or [],
        )

    def save(self, *, actor: Any) -> WorkOrder | None:
        try:
            order, _created = services.work_order_accept(
                actor=actor,
                data=self.to_input(),
                idempotency_key=self.cleaned_data.get("idempotency_key") or None,
            )
        except ValidationError as exc:
            apply_service_errors(self, exc)
            return None
        return order


def _new_key() -> str:
    return f"web-{uuid.uuid4()}"


def owner_units(user: Any, owner: Owner | None) -> list[Unit]:
    """The units an owner actively owns, among those the user may see."""
    if owner is None:
        return []
    ownerships = (
        Ownership.objects.active()
        .filter(owner=owner, unit__in=Unit.objects.visible_to(user))
        .select_related("unit__project")
        .order_by("unit__project_id", "unit__code")
    )
    return [ownership.unit for ownership in ownerships]
