"""Staff forms for owner files. They validate the shape of the input, build the service
input and map the services' field errors (with their codes) back onto the form."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anju.owners.inputs import OwnerInput, PhoneInput
from anju.owners.models import Owner, OwnerPhone, Ownership
from anju.owners.rules.idtypes import IdType
from anju.owners.services import owner_create, owner_update, ownership_create, ownership_update
from anju.properties.models import Project, Unit
from anju.security import crypto

PHONE_ROWS = 4
_TAG_SPLIT_RE = re.compile("[,;\u3001\uff0c\uff1b]")  # also full-width , ; and 、
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the matching fields (others: non-field)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes on the widgets, so templates can render `{{ field }}` as is."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def unit_label(unit: Unit) -> str:
    return f"{unit.project.name} · {unit.code}"


class OwnerForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Owner.Kind.choices,
        initial=Owner.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Owner.Gender.choices], required=False
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=_DATE)
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    primary_phone = forms.TypedChoiceField(
        label=_("Primary phone"),
        coerce=int,
        required=False,
        choices=[(i, str(i + 1)) for i in range(PHONE_ROWS)],
        initial=0,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    preferences = forms.CharField(
        label=_("Preferences"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    special_needs = forms.CharField(
        label=_("Special needs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=_("Separate tags with commas."),
    )
    consent_sms = forms.BooleanField(label=_("Contact by SMS"), required=False)
    consent_phone = forms.BooleanField(label=_("Contact by phone"), required=False)
    consent_wechat = forms.BooleanField(label=_("Contact by WeChat"), required=False)
    consent_email = forms.BooleanField(label=_("Contact by email"), required=False)

    def __init__(self, *args: Any, user: Any, instance: Owner | None = None, **kw: Any) -> None:
        self.user = user
        self.instance = instance
        self.existing_phones: list[OwnerPhone] = list(instance.phones.all()) if instance else []
        if instance is not None:
            kw.setdefault("initial", self._initial_from(instance))
        super().__init__(*args, **kw)
        projects = Project.objects.visible_to(user)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        if instance is None and not self.is_bound and "project" not in self.initial:
            self.initial["project"] = projects.values_list("pk", flat=True).first()
        self._add_phone_fields()
        if instance is not None and instance.id_number_masked:
            self.fields["id_number"].help_text = _(
                "Current: %(masked)s. Leave blank to keep it."
            ) % {"masked": instance.id_number_masked}
        style_fields(self)

    def _initial_from(self, owner: Owner) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(owner, name)
            for name in (
                "kind",
                "name",
                "gender",
                "birth_date",
                "id_type",
                "email",
                "address",
                "preferences",
                "special_needs",
                "consent_sms",
                "consent_phone",
                "consent_wechat",
                "consent_email",
            )
        }
        initial["project"] = owner.project_id
        initial["tags"] = ", ".join(tag.name for tag in owner.tags.all())
        primary = next((i for i, p in enumerate(self.existing_phones) if p.is_primary), 0)
        initial["primary_phone"] = primary
        for index, phone in enumerate(self.existing_phones[:PHONE_ROWS]):
            initial[f"phone_{index}_label"] = phone.label
        return initial

    def _add_phone_fields(self) -> None:
        for index in range(PHONE_ROWS):
            existing = self._existing_phone(index)
            number = forms.CharField(
                label=_("Phone %(n)s") % {"n": index + 1},
                max_length=30,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
            )
            if existing is not None:
                number.widget.attrs["placeholder"] = existing.number_masked
                number.help_text = _("Blank keeps %(masked)s.") % {"masked": existing.number_masked}
            self.fields[f"phone_{index}_number"] = number
            self.fields[f"phone_{index}_label"] = forms.CharField(
                label=_("Label"), max_length=30, required=False
            )
            if existing is not None:
                self.fields[f"phone_{index}_remove"] = forms.BooleanField(
                    label=_("Remove"), required=False
                )

    def _existing_phone(self, index: int) -> OwnerPhone | None:
        return self.existing_phones[index] if index < len(self.existing_phones) else None

    def phone_rows(self) -> list[dict[str, Any]]:
        """Bound fields per phone row, for the template."""
        return [
            {
                "index": index,
                "number": self[f"phone_{index}_number"],
                "label": self[f"phone_{index}_label"],
                "remove": self[f"phone_{index}_remove"]
                if f"phone_{index}_remove" in self.fields
                else None,
                "checked": str(self["primary_phone"].value()) == str(index),
            }
            for index in range(PHONE_ROWS)
        ]

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return list(dict.fromkeys(t.strip() for t in _TAG_SPLIT_RE.split(raw) if t.strip()))

    def _phones(self) -> list[PhoneInput] | None:
        """The phone list for the service; None when nothing about the phones changed."""
        data, primary = self.cleaned_data, self.cleaned_data.get("primary_phone") or 0
        phones: list[PhoneInput] = []
        changed = False
        for index in range(PHONE_ROWS):
            typed = (data.get(f"phone_{index}_number") or "").strip()
            label = data.get(f"phone_{index}_label") or ""
            existing = self._existing_phone(index)
            if existing is not None and data.get(f"phone_{index}_remove"):
                changed = True
                continue
            if typed:
                changed = True
                number = typed
            elif existing is not None:
                # Kept as is: the clear number only travels back to the service.
                number = crypto.decrypt(existing.number_cipher)
                changed |= label != existing.label or existing.is_primary != (index == primary)
            else:
                continue
            phones.append(PhoneInput(number=number, label=label, is_primary=index == primary))
        if self.instance is not None and not changed:
            return None
        return phones

    def to_input(self) -> OwnerInput:
        data = self.cleaned_data
        return OwnerInput(
            project_id=data["project"].pk,
            name=data["name"],
            kind=data["kind"],
            gender=data.get("gender") or "",
            birth_date=data.get("birth_date"),
            id_type=data["id_type"],
            id_number=data.get("id_number") or "",
            phones=self._phones(),
            email=data.get("email") or "",
            address=data.get("address") or "",
            preferences=data.get("preferences") or "",
            special_needs=data.get("special_needs") or "",
            tags=data.get("tags") or [],
            consent_sms=data.get("consent_sms", False),
            consent_phone=data.get("consent_phone", False),
            consent_wechat=data.get("consent_wechat", False),
            consent_email=data.get("consent_email", False),
        )

    def save(self, *, actor: Any) -> Owner | None:
        """Create or update through the services; None (with form errors) if refused."""
        try:
            if self.instance is None:
                return owner_create(actor=actor, data=self.to_input())
            return owner_update(actor=actor, owner=self.instance, data=self.to_input())
        except ValidationError as exc:
            apply_service_errors(self, exc)
            return None


class OwnershipForm(forms.Form):
    # The select lists only the chosen unit; the unit search (htmx) fills in matches.
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    share = forms.DecimalField(
        label=_("Share (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        initial=Decimal(100),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Ownership.Status.choices,
        initial=Ownership.Status.CONTRACTED,
    )
    subscription_date = forms.DateField(label=_("Subscription date"), required=False, widget=_DATE)
    contract_date = forms.DateField(label=_("Contract date"), required=False, widget=_DATE)
    handover_date = forms.DateField(label=_("Handover date"), required=False, widget=_DATE)

    VALUE_FIELDS = ("share", "status", "subscription_date", "contract_date", "handover_date")

    def __init__(
        self, *args: Any, user: Any, owner: Owner, instance: Ownership | None = None, **kw: Any
    ) -> None:
        self.user, self.owner, self.instance = user, owner, instance
        if instance is not None:
            kw.setdefault("initial", {name: getattr(instance, name) for name in self.VALUE_FIELDS})
        super().__init__(*args, **kw)
        style_fields(self)
        if instance is not None:
            del self.fields["unit"]
            return
        units = Unit.objects.visible_to(user).select_related("project")
        field = self.fields["unit"]
        field.queryset = units  # type: ignore[attr-defined]
        field.widget.choices = [("", _("Search a unit number first"))] + [
            (unit.pk, unit_label(unit)) for unit in self._chosen_units(units)
        ]

    def _chosen_units(self, units: Any) -> list[Unit]:
        value = self.data.get("unit") if self.is_bound else None
        if not value or not str(value).isdigit():
            return []
        return list(units.filter(pk=value))

    def save(self, *, actor: Any) -> Ownership | None:
        values = {name: self.cleaned_data.get(name) for name in self.VALUE_FIELDS}
        try:
            if self.instance is None:
                return ownership_create(
                    actor=actor, owner=self.owner, unit=self.cleaned_data["unit"], **values
                )
            return ownership_update(actor=actor, ownership=self.instance, **values)
        except ValidationError as exc:
            apply_service_errors(self, exc)
            return None


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why do you need the full ID number and phones? This access is logged."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
