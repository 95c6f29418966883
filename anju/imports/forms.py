"""The upload form: which import, for which project, which file."""

from typing import Any, cast

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from anju.imports.models import ImportJob
from anju.imports.services import can_import
from anju.properties.models import Project

MAX_UPLOAD_BYTES = 64 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"))
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        validators=[FileExtensionValidator(["xlsx"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [
            (value, label) for value, label in ImportJob.Kind.choices if can_import(user, value)
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds
        projects = cast(forms.ModelChoiceField, self.fields["project"])
        projects.queryset = Project.objects.visible_to(user)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="file_too_large",
            )
        return upload
