"""django-tables2 tables of the registry pages (dense, sortable, paginated)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from anju.properties.models import Building, Project, Unit

# Sorting links (thead) and pagination are htmx-boosted: the table swaps in place.
_ATTRS = {"class": "table table-sm table-hover align-middle mb-0", "thead": {"hx-boost": "true"}}
TEMPLATE = "properties/_tables2.html"


class ProjectTable(tables.Table):
    name = tables.Column(linkify=("properties:project_detail", [tables.A("pk")]))
    code = tables.Column()
    city = tables.Column()
    phase_count = tables.Column(verbose_name=_("Phases"), attrs={"td": {"class": "text-end"}})
    building_count = tables.Column(verbose_name=_("Buildings"), attrs={"td": {"class": "text-end"}})
    unit_count = tables.Column(verbose_name=_("Units"), attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Project
        fields = ("name", "code", "city")
        attrs = _ATTRS
        template_name = TEMPLATE
        empty_text = _("No projects.")


class BuildingTable(tables.Table):
    number = tables.Column(linkify=("properties:building_detail", [tables.A("pk")]))
    phase = tables.Column(
        accessor="phase__name",
        verbose_name=_("Phase"),
        order_by=("phase__sort_order", "phase__name"),
    )
    floors = tables.Column(attrs={"td": {"class": "text-end"}})
    delivery_date = tables.DateColumn(format="Y-m-d")
    unit_count = tables.Column(verbose_name=_("Units"), attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Building
        fields = ("number", "phase", "floors", "delivery_date")
        attrs = _ATTRS
        template_name = TEMPLATE
        empty_text = _("No buildings yet.")


class UnitTable(tables.Table):
    code = tables.Column(
        linkify=("properties:unit_detail", [tables.A("pk")]),
        attrs={"a": {"class": "fw-semibold"}},
    )
    project = tables.Column(accessor="project__name", verbose_name=_("Project"))
    phase = tables.Column(accessor="building__phase__name", verbose_name=_("Phase"))
    building = tables.Column(
        linkify=("properties:building_detail", [tables.A("building_id")]),
        accessor="building__number",
        verbose_name=_("Building"),
    )
    floor = tables.Column(attrs={"td": {"class": "text-end"}})
    layout = tables.Column(accessor="layout__name", verbose_name=_("Layout"))
    building_area = tables.Column(attrs={"td": {"class": "text-end"}})
    delivery_date = tables.DateColumn(format="Y-m-d")
    warranty_start = tables.DateColumn(format="Y-m-d")

    class Meta:
        model = Unit
        fields = (
            "code",
            "project",
            "phase",
            "building",
            "entrance",
            "room",
            "floor",
            "layout",
            "building_area",
            "delivery_date",
            "warranty_start",
        )
        attrs = _ATTRS
        template_name = TEMPLATE
        empty_text = _("No units match.")
