"""Registry forms. They validate input and limit choices to the user's projects; the views
hand `cleaned_data` to the services, which own every write."""

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from anju.properties.models import Building, Layout, Phase, Project, Unit

_SELECTS = (forms.Select, forms.SelectMultiple)


def bootstrapify(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class (no template tags needed)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, _SELECTS):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the matching fields (others at the top)."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    for field, field_errors in errors.items():
        target = field if field in form.fields else None
        for error in field_errors:
            form.add_error(target, error)


def _scope(form: forms.BaseForm, name: str, queryset: Any) -> None:
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ProjectLabelledChoiceField(forms.ModelChoiceField):
    """Choices that span projects read 'Project · Phase · Building'."""

    def label_from_instance(self, obj: Any) -> str:
        parts = [obj.project.name]
        if isinstance(obj, Building):
            parts.append(obj.phase.name)
        parts.append(str(obj))
        return " · ".join(parts)


class RegistryForm(forms.ModelForm):
    """A model form that knows its user; subclasses scope their choices with it."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope_choices()
        bootstrapify(self)

    def scope_choices(self) -> None:
        pass

    def _post_clean(self) -> None:
        """Never touch the instance: the services copy cleaned_data onto a fresh row and
        check uniqueness, so every channel gives the same message and code."""


class ProjectForm(RegistryForm):
    class Meta:
        model = Project
        fields = ["code", "name", "city", "address"]


class PhaseForm(RegistryForm):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())

    class Meta:
        model = Phase
        fields = ["project", "name", "sort_order", "launched_on"]
        widgets = {"launched_on": _DateInput()}

    def scope_choices(self) -> None:
        if self.instance.pk:
            del self.fields["project"]  # a phase never changes project
        else:
            _scope(self, "project", Project.objects.visible_to(self.user))


class LayoutForm(RegistryForm):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())

    class Meta:
        model = Layout
        fields = ["project", "name", "bedrooms", "living_rooms", "bathrooms"]

    def scope_choices(self) -> None:
        if self.instance.pk:
            del self.fields["project"]
        else:
            _scope(self, "project", Project.objects.visible_to(self.user))


class BuildingForm(RegistryForm):
    phase = ProjectLabelledChoiceField(label=_("Phase"), queryset=Phase.objects.none())

    class Meta:
        model = Building
        fields = ["phase", "number", "floors", "delivery_date"]
        widgets = {"delivery_date": _DateInput()}

    def scope_choices(self) -> None:
        phases = Phase.objects.visible_to(self.user).select_related("project")
        if self.instance.pk:
            phases = phases.filter(project_id=self.instance.project_id)
        _scope(self, "phase", phases)


class UnitForm(RegistryForm):
    building = ProjectLabelledChoiceField(label=_("Building"), queryset=Building.objects.none())
    layout = ProjectLabelledChoiceField(
        label=_("Layout"), queryset=Layout.objects.none(), required=False
    )

    class Meta:
        model = Unit
        fields = [
            "building",
            "entrance",
            "room",
            "floor",
            "layout",
            "building_area",
            "delivery_date",
            "warranty_start",
        ]
        widgets = {"delivery_date": _DateInput(), "warranty_start": _DateInput()}
        help_texts = {
            "warranty_start": _("Leave empty to start the warranty on the delivery date."),
        }

    def scope_choices(self) -> None:
        buildings = Building.objects.visible_to(self.user).select_related("project", "phase")
        layouts = Layout.objects.visible_to(self.user).select_related("project")
        if self.instance.pk:
            buildings = buildings.filter(project_id=self.instance.project_id)
            layouts = layouts.filter(project_id=self.instance.project_id)
        _scope(self, "building", buildings)
        _scope(self, "layout", layouts)
