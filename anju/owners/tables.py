"""The owner list table. Rows come from selectors.owner_list_queryset, whose prefetches
(`primary_phones`, `active_ownerships`) keep the query count fixed."""

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from anju.owners.lifecycle import owner_stage
from anju.owners.models import Owner


def masked(value: str) -> SafeString:
    return format_html('<span class="masked">{}</span>', value) if value else SafeString("—")


def stage_badge(stage: Any) -> SafeString:
    if stage is None:
        return SafeString("—")
    return format_html(
        '<span class="badge stage-badge" data-stage="{}">{}</span>', stage.value, stage.label
    )


def active_stage(owner: Owner) -> Any:
    dates = [o.handover_date for o in getattr(owner, "active_ownerships", [])]
    return owner_stage(dates, today=timezone.localdate())


class OwnerTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), order_by=("name_pinyin", "id"))
    # Kind and project are filters, not sort keys: a million owners sorted by either is a
    # full sort on every page. Name sorts on its own index.
    kind = tables.Column(verbose_name=_("Kind"), orderable=False)
    phone = tables.Column(verbose_name=_("Primary phone"), empty_values=(), orderable=False)
    id_number_masked = tables.Column(verbose_name=_("ID number"), orderable=False)
    units = tables.Column(verbose_name=_("Units"), empty_values=(), orderable=False)
    stage = tables.Column(verbose_name=_("Stage"), empty_values=(), orderable=False)
    project = tables.Column(verbose_name=_("Project"), accessor="project__name", orderable=False)

    class Meta:
        model = Owner
        fields = ("name", "kind", "phone", "id_number_masked", "units", "stage", "project")
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-sm table-hover align-middle", "id": "owner-table-grid"}
        empty_text = _("No owner matches.")
        orderable = True

    def render_name(self, record: Owner) -> SafeString:
        url = reverse("owners:detail", args=[record.pk])
        return format_html('<a href="{}" class="owner-link">{}</a>', url, record.name)

    def render_kind(self, record: Owner) -> str:
        return str(record.get_kind_display())

    def render_phone(self, record: Owner) -> SafeString:
        phones = getattr(record, "primary_phones", [])
        return masked(phones[0].number_masked if phones else "")

    def render_id_number_masked(self, value: str) -> SafeString:
        return masked(value)

    def render_units(self, record: Owner) -> SafeString:
        ownerships = getattr(record, "active_ownerships", [])
        if not ownerships:
            return SafeString("—")
        return format_html_join(
            " ",
            '<span class="badge text-bg-light">{}</span>',
            ((o.unit.code,) for o in ownerships),
        )

    def render_stage(self, record: Owner) -> SafeString:
        return stage_badge(active_stage(record))
