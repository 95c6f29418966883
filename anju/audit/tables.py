"""The two audit logs as tables (django-tables2)."""

from typing import Any

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from anju.audit.models import ChangeLog, PersonalDataAccess


def field_label(content_type: Any, name: str) -> str:
    """The verbose name of a logged field, or its code name for non-field keys."""
    model = content_type.model_class()
    if model is None:
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.is_relation and field.auto_created:  # reverse relation, e.g. an owner's phones
        return str(field.related_model._meta.verbose_name_plural)
    return str(field.verbose_name)


_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
_ATTRS = {"class": "table table-sm table-hover align-middle"}


class AccessLogTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("When"), format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name=_("Who"), order_by=("actor__username",))
    action = tables.Column(verbose_name=_("Action"))
    fields = tables.Column(verbose_name=_("What"), orderable=False)
    subject_repr = tables.Column(verbose_name=_("Whose"))
    record_count = tables.Column(verbose_name=_("Records"), attrs={"td": {"class": "text-end"}})
    reason = tables.Column(verbose_name=_("Why"), orderable=False)
    ip = tables.Column(verbose_name=_("From where"), orderable=False)
    request_id = tables.Column(verbose_name=_("Request id"), orderable=False)

    class Meta:
        model = PersonalDataAccess
        fields = (
            "at",
            "actor",
            "action",
            "fields",
            "subject_repr",
            "record_count",
            "reason",
            "ip",
            "request_id",
        )
        template_name = _TEMPLATE
        attrs = {**_ATTRS, "id": "access-log"}
        row_attrs = {"data-id": lambda record: record.pk}
        empty_text = _("No access matches these filters.")

    def render_action(self, record: PersonalDataAccess) -> str:
        label = record.get_action_display()
        if not record.in_clear:
            return format_html('{} <small class="text-muted">({})</small>', label, _("masked"))
        return str(label)

    def render_request_id(self, value: str) -> str:
        return format_html('<code class="small">{}</code>', value)


class ChangeLogTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("When"), format="Y-m-d H:i:s")
    actor = tables.Column(
        verbose_name=_("Actor"), order_by=("actor__username",), default=_("system")
    )
    action = tables.Column(verbose_name=_("Action"))
    content_type = tables.Column(verbose_name=_("Record type"), orderable=False)
    object_repr = tables.Column(verbose_name=_("Record"), orderable=False)
    changed = tables.Column(verbose_name=_("Changed fields"), accessor="pk", orderable=False)
    request_id = tables.Column(verbose_name=_("Request id"), orderable=False)

    class Meta:
        model = ChangeLog
        fields = (
            "at",
            "actor",
            "action",
            "content_type",
            "object_repr",
            "changed",
            "request_id",
        )
        template_name = _TEMPLATE
        attrs = {**_ATTRS, "id": "change-log"}
        row_attrs = {"data-id": lambda record: record.pk}
        empty_text = _("No change matches these filters.")

    def render_at(self, value: Any, record: ChangeLog) -> str:
        url = reverse("audit:change_detail", args=[record.pk])
        when = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
        return format_html('<a href="{}">{}</a>', url, when)

    def render_content_type(self, value: Any) -> str:
        model = value.model_class()
        return str(model._meta.verbose_name) if model else value.model

    def render_object_repr(self, value: str, record: ChangeLog) -> str:
        return format_html('{} <small class="text-muted">#{}</small>', value, record.object_id)

    def render_changed(self, record: ChangeLog) -> str:
        if record.action != ChangeLog.Action.UPDATE:
            return "—"
        return ", ".join(field_label(record.content_type, f) for f in record.changed_fields())

    def render_request_id(self, value: str) -> str:
        return format_html('<code class="small">{}</code>', value)
