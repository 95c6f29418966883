"""受理: the intake form. It checks the shape of the input, builds the service input and
puts the service's field errors (future report time, repair without category …) back on
the form."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
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
from anju.security.models import User
from anju.security.scoping import visible_project_ids
from anju.servicedesk import services
from anju.servicedesk.forms import CategoryChoiceField
from anju.servicedesk.models import Category, WorkOrder
from anju.servicedesk.people import VIEW_ORDERS

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


class UnitSelect(forms.Select):
    """The owner's units, rendered by the template of the htmx partial that replaces them
    when another owner is picked (_unit_options.html): each <option> carries the
    data-project the page's script reads to choose the unit's project."""

    template_name = "servicedesk/_unit_select.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.units: list[Unit] = []
        self.no_owner = True

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # Not Select's: its options would be the field's queryset (every unit visible).
        context = forms.Widget.get_context(self, name, value, attrs)
        context["units"], context["no_owner"] = self.units, self.no_owner
        context["selected"] = context["widget"]["value"]  # the value as strings, in a list
        return context


@dataclass(frozen=True)
class Person:
    """A first-responder choice: projects None for the signed-in user (any project)."""

    pk: int
    label: str
    projects: frozenset[int] | None


class ResponderSelect(forms.Select):
    """The first responder: the signed-in user, then the active users of the user's
    projects, each with the projects they work on (data-projects) so that the page shows
    those of the chosen project only. One template, no per-option rendering."""

    template_name = "servicedesk/_responder_select.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.people: Callable[[], list[Person]] = list
        self.project_id: Callable[[], int | None] = lambda: None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        project_id, selected = self.project_id(), context["widget"]["value"]
        context["people"] = [
            {
                "pk": person.pk,
                "label": person.label,
                "projects": None
                if person.projects is None
                else " ".join(map(str, sorted(person.projects))),
                "fits": person.projects is None or project_id in person.projects,
                "selected": str(person.pk) in selected,
            }
            for person in self.people()
        ]
        return context


class WorkOrderForm(forms.Form):
    """受理: what the front desk types while the owner is on the phone."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    # The owner's radio options are rendered by the one-box search (htmx), not the widget.
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Owner.objects.none(), required=False, widget=forms.HiddenInput
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, widget=UnitSelect
    )
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
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        help_text=_("Required for a repair."),
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
    # 首问负责人: who took the call, when the front desk logs it for them (default: the
    # signed-in user). An id among the people of ResponderSelect, checked in clean.
    first_responder = forms.IntegerField(
        label=_("First responder"),
        required=False,
        widget=ResponderSelect,
        help_text=_("Who took the call, if not you (e.g. a sales consultant)."),
    )
    # A double submit (or a retried POST) returns the first order, never a second one.
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, owner: Owner | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.user = user
        self._people: list[Person] | None = None
        projects = Project.objects.visible_to(user)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        self.fields["owner"].queryset = Owner.objects.visible_to(user)  # type: ignore[attr-defined]
        units = Unit.objects.visible_to(user).select_related("project")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.owner_choice = self._chosen_owner(owner)
        self.unit_choices = owner_units(user, self.owner_choice) if self.owner_choice else []
        if not self.is_bound:
            self._set_initial(projects, owner, self.unit_choices)
        unit_widget: UnitSelect = self.fields["unit"].widget
        unit_widget.units, unit_widget.no_owner = self.unit_choices, self.owner_choice is None
        responder_widget: ResponderSelect = self.fields["first_responder"].widget
        responder_widget.people, responder_widget.project_id = self.people, self._project_id
        style_fields(self)

    def _set_initial(
        self, projects: QuerySet[Project], owner: Owner | None, units: list[Unit]
    ) -> None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.initial.setdefault("received_at", now)
        self.initial.setdefault("idempotency_key", _new_key())
        self.initial.setdefault("first_responder", self.user.pk)
        project_id = units[0].project_id if units else None
        if owner is not None:
            self.initial["owner"] = owner.pk
            project_id = project_id or owner.project_id
            self.initial["unit"] = preselected_unit(units)
        visible = visible_project_ids(self.user)  # read once per request
        if project_id is None or (visible is not None and project_id not in visible):
            project_id = projects.values_list("pk", flat=True).first()
        self.initial.setdefault("project", project_id)

    def _chosen_owner(self, owner: Owner | None) -> Owner | None:
        if not self.is_bound:
            return owner
        value = self.data.get("owner")
        if not value or not str(value).isdigit():
            return None
        return owner_list_queryset(self.user).filter(pk=value).first()

    def people(self) -> list[Person]:
        """Who may be chosen as first responder: the signed-in user first, then the active
        users assigned to the user's projects, by name; one query, read once."""
        if self._people is None:
            self._people = [Person(self.user.pk, str(self.user), None)]
            self._people += people_of_projects(self.user, exclude=self.user.pk)
        return self._people

    def _project_id(self) -> int | None:
        value = self["project"].value()
        return int(value) if str(value).isdigit() else None

    def clean_first_responder(self) -> int:
        chosen: int | None = self.cleaned_data.get("first_responder")
        if chosen is None or chosen == self.user.pk:
            return int(self.user.pk)  # the default, without a query
        if not any(person.pk == chosen for person in self.people()):
            raise ValidationError(_("Choose an active user of your projects."), code="invalid")
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        code = (data.get("unit_code") or "").strip()
        if code and not data.get("unit") and data.get("project"):
            data["unit"] = Unit.objects.filter(project=data["project"], code=code).first()
            if data["unit"] is None:
                self.add_error("unit_code", _("No unit with this number in the project."))
        responder, project = data.get("first_responder"), data.get("project")
        if responder not in (None, self.user.pk) and project is not None:
            person = next(person for person in self.people() if person.pk == responder)
            if person.projects is not None and project.pk not in person.projects:
                self.add_error(
                    "first_responder", _("Choose someone who works on the chosen project.")
                )
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
            first_responder_id=data.get("first_responder") or self.user.pk,
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


def preselected_unit(units: list[Unit]) -> int | None:
    """An owner's only unit is chosen for the desk; among several, none."""
    return units[0].pk if len(units) == 1 else None


def people_of_projects(user: Any, *, exclude: int | None = None) -> list[Person]:
    """The active users assigned to the projects the user sees who may open work orders,
    with those projects."""
    ids = visible_project_ids(user)
    rows = User.objects.with_perm(VIEW_ORDERS)  # who may open the orders (people.py)
    rows = rows.filter(projects__isnull=False) if ids is None else rows.filter(projects__in=ids)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    found: dict[int, tuple[str, set[int]]] = {}
    pairs = rows.order_by("name", "username", "pk").values_list(
        "pk", "name", "username", "projects"
    )
    for pk, name, username, project_id in pairs:
        found.setdefault(pk, (name or username, set()))[1].add(project_id)
    return [Person(pk, label, frozenset(projects)) for pk, (label, projects) in found.items()]


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
