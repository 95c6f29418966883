"""Forms of the user administration pages. They validate; services.py writes."""

from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anju.properties.models import Project
from anju.security.models import User
from anju.security.roles import ROLE_BY_CODE, ROLES
from anju.security.scoping import ALL_PROJECTS_PERM, visible_project_ids


def role_label(code: str) -> str:
    role = ROLE_BY_CODE.get(code)
    return str(role.label) if role else code


def role_choices(actor: Any) -> list[tuple[str, str]]:
    """The roles the actor may hand out.

    An actor limited to some projects cannot grant a role that sees every project (that
    would widen their own reach through someone else). Groups created by administrators
    outside ROLES are offered under their own names.
    """
    sees_all = visible_project_ids(actor) is None
    choices = [
        (role.code, str(role.label))
        for role in ROLES
        if sees_all or ALL_PROJECTS_PERM not in role.permissions
    ]
    if sees_all:
        extra = Group.objects.exclude(name__in=ROLE_BY_CODE).order_by("name")
        choices += [(name, name) for name in extra.values_list("name", flat=True)]
    return choices


def style_widgets(form: forms.Form, *, small: bool = False) -> None:
    """Bootstrap classes on text inputs and selects (checkboxes render themselves)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        base = "form-select" if isinstance(widget, forms.Select) else "form-control"
        css = f"{base} {base}-sm" if small else base
        widget.attrs["class"] = css


class _AccessFields(forms.Form):
    """Name, roles and projects: shared by the create and edit forms."""

    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("Assigned projects"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Roles that see every project (administrator, auditor) ignore this."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["roles"].choices = role_choices(actor)  # type: ignore[attr-defined]
        self.fields["projects"].queryset = Project.objects.visible_to(actor)  # type: ignore[attr-defined]
        style_widgets(self)

    def role_codes(self) -> list[str]:
        return list(self.cleaned_data["roles"])

    def project_ids(self) -> list[int]:
        return [project.pk for project in self.cleaned_data["projects"]]


def _check_passwords(form: forms.Form, first: str, second: str, user: User) -> None:
    password = form.cleaned_data.get(first) or ""
    if password != (form.cleaned_data.get(second) or ""):
        form.add_error(second, ValidationError(_("The two passwords differ."), code="mismatch"))
        return
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            form.add_error(first, exc)


class UserCreateForm(_AccessFields):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only; used to sign in."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "name", "email", "password1", "password2", "roles", "projects"]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is already taken."), code="duplicate")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        probe = User(
            username=cleaned.get("username", ""),
            name=cleaned.get("name", ""),
            email=cleaned.get("email", ""),
        )
        _check_passwords(self, "password1", "password2", probe)
        return cleaned


class UserEditForm(_AccessFields):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive users cannot sign in; their history stays."),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, actor: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault(
            "initial",
            {
                "name": user.name,
                "email": user.email,
                "is_active": user.is_active,
                "roles": [group.name for group in user.groups.all()],
                "projects": list(user.projects.all()),
            },
        )
        super().__init__(*args, actor=actor, **kwargs)

    def clean_is_active(self) -> bool:
        is_active: bool = self.cleaned_data["is_active"]
        if not is_active and self.user.pk == self.actor.pk:
            raise ValidationError(_("You cannot deactivate yourself."), code="self")
        return is_active

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_passwords(self, "new_password1", "new_password2", self.user)
        return cleaned

    def project_ids(self) -> list[int]:
        """Selected projects, plus any the actor cannot see (they are not theirs to drop)."""
        visible = visible_project_ids(self.actor)
        kept: list[int] = []
        if visible is not None:
            kept = [
                pk for pk in self.user.projects.values_list("pk", flat=True) if pk not in visible
            ]
        return sorted(set(super().project_ids()) | set(kept))

    def role_codes(self) -> list[str]:
        """Selected roles, plus any the actor may not hand out (likewise kept)."""
        offered = {code for code, _label in self.fields["roles"].choices}  # type: ignore[attr-defined]
        kept = [
            name for name in self.user.groups.values_list("name", flat=True) if name not in offered
        ]
        return sorted(set(super().role_codes()) | set(kept))


class UserFilterForm(forms.Form):
    """The filters above the user list (GET)."""

    q = forms.CharField(label=_("Username or name"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("All")), ("yes", _("Active")), ("no", _("Inactive"))],
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *role_choices(actor)]  # type: ignore[attr-defined]
        self.fields["project"].queryset = Project.objects.visible_to(actor)  # type: ignore[attr-defined]
        style_widgets(self, small=True)
