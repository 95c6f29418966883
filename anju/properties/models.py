"""The developer's property registry: project → phase → building → unit."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anju.security.scoping import ScopedQuerySet


class ProjectQuerySet(ScopedQuerySet):
    project_field = "id"


class Project(models.Model):
    """楼盘/项目: one development, the unit of staff assignment."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """分期/批次: a purchase batch, the stratum of satisfaction surveys."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="phases"
    )
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    launched_on = models.DateField(_("sales launch"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["project_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="phase_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Layout(models.Model):
    """户型: a unit type, e.g. 'A1 三室两厅'."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="layouts"
    )
    name = models.CharField(_("name"), max_length=50)
    bedrooms = models.PositiveSmallIntegerField(_("bedrooms"), default=0)
    living_rooms = models.PositiveSmallIntegerField(_("living rooms"), default=0)
    bathrooms = models.PositiveSmallIntegerField(_("bathrooms"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("layout")
        verbose_name_plural = _("layouts")
        ordering = ["project_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="layout_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    """楼栋. `project` repeats phase.project so scoping is one indexed comparison."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="buildings"
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="buildings"
    )
    number = models.CharField(_("building number"), max_length=20)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    delivery_date = models.DateField(_("planned delivery"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="building_unique_number")
        ]

    def __str__(self) -> str:
        return gettext("Building %(number)s") % {"number": self.number}


def unit_code(building_number: str, entrance: str, room: str) -> str:
    """The house number as people say it: 3-2-1801 (building-entrance-room) or 3-1801."""
    parts = [building_number, entrance, room] if entrance else [building_number, room]
    return "-".join(parts)


class Unit(models.Model):
    """房屋: one dwelling. `code` is derived (see unit_code) and indexed for search."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="units"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="units"
    )
    entrance = models.CharField(_("entrance (单元)"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=20)
    code = models.CharField(_("unit number"), max_length=50, editable=False)
    floor = models.SmallIntegerField(_("floor"))
    layout = models.ForeignKey(
        Layout,
        verbose_name=_("layout"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    building_area = models.DecimalField(
        _("building area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    warranty_start = models.DateField(_("warranty start"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["project_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "room"], name="unit_unique_room"
            )
        ]
        permissions = [("import_units", _("Can import units from Excel"))]
        indexes = [
            models.Index(fields=["project", "code"]),
            models.Index(fields=["code"], name="unit_code_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.code

    def refresh_code(self, building_number: str) -> None:
        self.code = unit_code(building_number, self.entrance, self.room)
