"""Registry pages. Every queryset starts from visible_to(user): out-of-scope rows are 404.

Lists are django-tables2 + django-filter and answer htmx with the table alone; forms
validate, then call the services, which own every write.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from anju.core.htmx import wants_partial
from anju.core.paging import FixedPageSizeMixin
from anju.owners.models import Ownership
from anju.properties import services
from anju.properties.filters import ProjectFilter, UnitFilter
from anju.properties.forms import (
    BuildingForm,
    LayoutForm,
    PhaseForm,
    ProjectForm,
    RegistryForm,
    UnitForm,
    add_service_errors,
)
from anju.properties.models import Building, Layout, Phase, Project, Unit
from anju.properties.tables import BuildingTable, ProjectTable, UnitTable

PAGE_SIZE = 50
Crumbs = list[tuple[str, str | None]]


def breadcrumbs(
    project: Project | None = None,
    phase: Phase | None = None,
    building: Building | None = None,
    unit: Unit | None = None,
) -> Crumbs:
    """Properties > project > phase > building > unit, as far as given."""
    items: Crumbs = [(str(_("Properties")), reverse("properties:project_list"))]
    if project is not None:
        items.append((project.name, reverse("properties:project_detail", args=[project.pk])))
    if phase is not None:
        url = reverse("properties:project_detail", args=[phase.project_id])
        items.append((phase.name, f"{url}#phase-{phase.pk}"))
    if building is not None:
        items.append((str(building), reverse("properties:building_detail", args=[building.pk])))
    if unit is not None:
        items.append((unit.code, reverse("properties:unit_detail", args=[unit.pk])))
    return items


def _count(model: type[Model], parent_field: str) -> Coalesce:
    """A correlated COUNT(*) (no join fan-out when several counts sit side by side)."""
    rows = (
        model._default_manager.filter(**{parent_field: OuterRef("pk")})
        .order_by()
        .values(parent_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class HtmxTableMixin(FixedPageSizeMixin):
    """htmx asks for the table only (pagination, sorting, filtering in place)."""

    request: HttpRequest
    partial_template_name = "properties/_table.html"
    table_pagination = {"per_page": PAGE_SIZE}

    def wants_partial(self) -> bool:
        return wants_partial(self.request)

    def get_template_names(self) -> list[str]:
        if self.wants_partial():
            return [self.partial_template_name]
        return super().get_template_names()  # type: ignore[misc]

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().render_to_response(context, **kwargs)  # type: ignore[misc]
        patch_vary_headers(response, ("HX-Request",))
        return response


# --- Lists and details -------------------------------------------------------------------


class ProjectListView(PermissionRequiredMixin, HtmxTableMixin, SingleTableMixin, FilterView):
    permission_required = "properties.view_project"
    template_name = "properties/project_list.html"
    table_class = ProjectTable
    filterset_class = ProjectFilter

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.visible_to(self.request.user).annotate(
            phase_count=_count(Phase, "project"),
            building_count=_count(Building, "project"),
            unit_count=_count(Unit, "project"),
        )


class ProjectDetailView(PermissionRequiredMixin, HtmxTableMixin, SingleTableMixin, DetailView):
    permission_required = "properties.view_project"
    template_name = "properties/project_detail.html"
    table_class = BuildingTable

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.visible_to(self.request.user)

    def get_table_data(self) -> QuerySet[Building]:
        return (
            Building.objects.filter(project=self.object)
            .select_related("phase")
            .annotate(unit_count=_count(Unit, "building"))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = self.object
        return super().get_context_data(
            phases=project.phases.annotate(building_count=_count(Building, "phase")),
            layouts=project.layouts.annotate(unit_count=_count(Unit, "layout")),
            breadcrumbs=breadcrumbs(project),
            **kwargs,
        )


class BuildingDetailView(PermissionRequiredMixin, HtmxTableMixin, SingleTableMixin, DetailView):
    permission_required = "properties.view_building"
    template_name = "properties/building_detail.html"
    table_class = UnitTable

    def get_queryset(self) -> QuerySet[Building]:
        return Building.objects.visible_to(self.request.user).select_related("project", "phase")

    def get_table_data(self) -> QuerySet[Unit]:
        return Unit.objects.filter(building=self.object).select_related("layout")

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"exclude": ("project", "phase", "building")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        building = self.object
        crumbs = breadcrumbs(building.project, building.phase, building)
        return super().get_context_data(breadcrumbs=crumbs, **kwargs)


class UnitListView(PermissionRequiredMixin, HtmxTableMixin, SingleTableMixin, FilterView):
    permission_required = "properties.view_unit"
    template_name = "properties/unit_list.html"
    table_class = UnitTable
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.visible_to(self.request.user).select_related(
            "project", "building__phase", "layout"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        crumbs = [*breadcrumbs(), (str(_("Units")), None)]
        return super().get_context_data(breadcrumbs=crumbs, **kwargs)


class UnitDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "properties.view_unit"
    template_name = "properties/unit_detail.html"

    def get_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.visible_to(self.request.user).select_related(
            "project", "building__phase", "layout"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        unit = self.object
        ownerships = None
        if self.request.user.has_perm("owners.view_ownership"):
            ownerships = (
                Ownership.objects.active()
                .filter(unit=unit)
                .select_related("owner")
                .order_by("-share", "owner__name")
            )
        crumbs = breadcrumbs(unit.project, unit.building.phase, unit.building, unit)
        return super().get_context_data(ownerships=ownerships, breadcrumbs=crumbs, **kwargs)


# --- Create and edit ----------------------------------------------------------------------


class RegistryFormView(PermissionRequiredMixin, FormView):
    """One form page: loads the (scoped) object, calls a service, shows its errors."""

    template_name = "properties/form.html"
    model: type[Model]
    form_class: type[RegistryForm]
    title: Any = ""
    initial_params: tuple[str, ...] = ()
    object: Any = None

    def get_object(self) -> Any:
        if "pk" not in self.kwargs:
            return None
        scoped = self.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
        return get_object_or_404(scoped, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        params = self.request.GET
        return {name: params[name] for name in self.initial_params if params.get(name)}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        if self.object is not None:
            data = services.changed_only(self.object, data)
        try:
            saved = self.save(data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.url_for(saved))

    def save(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def url_for(self, saved: Any) -> str:
        raise NotImplementedError

    def crumbs(self) -> Crumbs:
        return breadcrumbs()

    def parent(self, queryset: Any, param: str) -> Any:
        """The visible parent named in the query string (?building=…), if any."""
        pk = self.request.GET.get(param, "")
        if not pk.isdigit():
            return None
        return queryset.visible_to(self.request.user).filter(pk=pk).first()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=self.title,
            object=self.object,
            breadcrumbs=self.crumbs(),
            cancel_url=self.crumbs()[-1][1],
            **kwargs,
        )


class _ProjectChildUrl:
    def url_for(self, saved: Any) -> str:
        return reverse("properties:project_detail", args=[saved.project_id])


class ProjectCreateView(RegistryFormView):
    permission_required = "properties.add_project"
    model = Project
    form_class = ProjectForm
    title = _("New project")

    def save(self, data: dict[str, Any]) -> Project:
        return services.project_create(actor=self.request.user, **data)

    def url_for(self, saved: Project) -> str:
        return reverse("properties:project_detail", args=[saved.pk])


class ProjectEditView(ProjectCreateView):
    permission_required = "properties.change_project"
    title = _("Edit project")

    def save(self, data: dict[str, Any]) -> Project:
        return services.project_update(actor=self.request.user, project=self.object, data=data)

    def crumbs(self) -> Crumbs:
        return breadcrumbs(self.object)


class PhaseCreateView(_ProjectChildUrl, RegistryFormView):
    permission_required = "properties.add_phase"
    model = Phase
    form_class = PhaseForm
    title = _("New phase")
    initial_params = ("project",)

    def save(self, data: dict[str, Any]) -> Phase:
        return services.phase_create(actor=self.request.user, **data)

    def crumbs(self) -> Crumbs:
        return breadcrumbs(self.parent(Project.objects.all(), "project"))


class PhaseEditView(PhaseCreateView):
    permission_required = "properties.change_phase"
    title = _("Edit phase")

    def save(self, data: dict[str, Any]) -> Phase:
        return services.phase_update(actor=self.request.user, phase=self.object, data=data)

    def crumbs(self) -> Crumbs:
        return breadcrumbs(self.object.project, self.object)


class LayoutCreateView(_ProjectChildUrl, RegistryFormView):
    permission_required = "properties.add_layout"
    model = Layout
    form_class = LayoutForm
    title = _("New layout")
    initial_params = ("project",)

    def save(self, data: dict[str, Any]) -> Layout:
        return services.layout_create(actor=self.request.user, **data)

    def crumbs(self) -> Crumbs:
        return breadcrumbs(self.parent(Project.objects.all(), "project"))


class LayoutEditView(LayoutCreateView):
    permission_required = "properties.change_layout"
    title = _("Edit layout")

    def save(self, data: dict[str, Any]) -> Layout:
        return services.layout_update(actor=self.request.user, layout=self.object, data=data)

    def crumbs(self) -> Crumbs:
        return breadcrumbs(self.object.project)


class BuildingCreateView(RegistryFormView):
    permission_required = "properties.add_building"
    model = Building
    form_class = BuildingForm
    title = _("New building")
    initial_params = ("phase",)

    def save(self, data: dict[str, Any]) -> Building:
        return services.building_create(actor=self.request.user, **data)

    def url_for(self, saved: Building) -> str:
        return reverse("properties:building_detail", args=[saved.pk])

    def crumbs(self) -> Crumbs:
        phase = self.parent(Phase.objects.select_related("project"), "phase")
        return breadcrumbs(phase.project, phase) if phase else breadcrumbs()


class BuildingEditView(BuildingCreateView):
    permission_required = "properties.change_building"
    title = _("Edit building")

    def save(self, data: dict[str, Any]) -> Building:
        return services.building_update(actor=self.request.user, building=self.object, data=data)

    def crumbs(self) -> Crumbs:
        building = self.object
        return breadcrumbs(building.project, building.phase, building)


class UnitCreateView(RegistryFormView):
    permission_required = "properties.add_unit"
    model = Unit
    form_class = UnitForm
    title = _("New unit")
    initial_params = ("building", "layout")

    def save(self, data: dict[str, Any]) -> Unit:
        return services.unit_create(actor=self.request.user, **data)

    def url_for(self, saved: Unit) -> str:
        return reverse("properties:unit_detail", args=[saved.pk])

    def crumbs(self) -> Crumbs:
        building = self.parent(Building.objects.select_related("project", "phase"), "building")
        if building is None:
            return breadcrumbs()
        return breadcrumbs(building.project, building.phase, building)


class UnitEditView(UnitCreateView):
    permission_required = "properties.change_unit"
    title = _("Edit unit")

    def save(self, data: dict[str, Any]) -> Unit:
        return services.unit_update(actor=self.request.user, unit=self.object, data=data)

    def crumbs(self) -> Crumbs:
        unit = self.object
        return breadcrumbs(unit.project, unit.building.phase, unit.building, unit)
