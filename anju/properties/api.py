"""REST API of the registry: list (filters, pagination), retrieve, create, update.

Querysets start from visible_to(user), so another project's rows are 404; writes go
through the services, whose ValidationErrors come back as the API's error JSON with the
same field names and codes. There is no delete: the registry only grows.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings

from anju.properties import filters, services
from anju.properties.models import Building, Layout, Phase, Project, Unit
from anju.properties.serializers import (
    BuildingSerializer,
    LayoutSerializer,
    PhaseSerializer,
    ProjectSerializer,
    UnitSerializer,
)


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's django ValidationError into DRF's, keeping fields and codes."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = get_error_detail(exc)
        if isinstance(detail, dict) and NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise serializers.ValidationError(detail) from exc


class RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    base_queryset: QuerySet[Any]
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    update_kwarg: str

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset.visible_to(self.request.user)  # type: ignore[attr-defined]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with service_errors():
            serializer.instance = type(self).create_service(
                actor=self.request.user, **serializer.validated_data
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        instance = serializer.instance
        data = services.changed_only(instance, serializer.validated_data)
        with service_errors():
            serializer.instance = type(self).update_service(
                actor=self.request.user, data=data, **{self.update_kwarg: instance}
            )


_ERROR = inline_serializer(
    "RegistryError",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
        ),
    },
)


def _docs(one: str, many: str, serializer: type) -> Callable[[type], type]:
    """Summaries and the error responses of the five actions."""
    read_errors = {403: _ERROR, 404: _ERROR}
    write_errors = {400: _ERROR, **read_errors}
    tags = ["registry"]
    return extend_schema_view(
        list=extend_schema(
            summary=f"List the {many} you may see (filtered, paginated)",
            tags=tags,
            responses={200: serializer(many=True), 400: _ERROR, 403: _ERROR},
        ),
        retrieve=extend_schema(
            summary=f"One {one} (404 outside your projects)",
            tags=tags,
            responses={200: serializer, **read_errors},
        ),
        create=extend_schema(
            summary=f"Create a {one}", tags=tags, responses={201: serializer, **write_errors}
        ),
        update=extend_schema(
            summary=f"Replace the editable fields of a {one}",
            tags=tags,
            responses={200: serializer, **write_errors},
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of a {one}",
            tags=tags,
            responses={200: serializer, **write_errors},
        ),
    )


@_docs("project", "projects", ProjectSerializer)
class ProjectViewSet(RegistryViewSet):
    """Projects (楼盘). Creating one needs properties.add_project (administrators)."""

    base_queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = filters.ProjectFilter
    create_service = services.project_create
    update_service = services.project_update
    update_kwarg = "project"


@_docs("phase", "phases", PhaseSerializer)
class PhaseViewSet(RegistryViewSet):
    """Phases (分期/批次). A phase's project is fixed once created."""

    base_queryset = Phase.objects.all()
    serializer_class = PhaseSerializer
    filterset_class = filters.PhaseFilter
    create_service = services.phase_create
    update_service = services.phase_update
    update_kwarg = "phase"


@_docs("layout", "layouts", LayoutSerializer)
class LayoutViewSet(RegistryViewSet):
    """Layouts (户型) of a project."""

    base_queryset = Layout.objects.all()
    serializer_class = LayoutSerializer
    filterset_class = filters.LayoutFilter
    create_service = services.layout_create
    update_service = services.layout_update
    update_kwarg = "layout"


@_docs("building", "buildings", BuildingSerializer)
class BuildingViewSet(RegistryViewSet):
    """Buildings (楼栋). `project` follows the phase; a new number renames the units."""

    base_queryset = Building.objects.select_related("phase")
    serializer_class = BuildingSerializer
    filterset_class = filters.BuildingFilter
    create_service = services.building_create
    update_service = services.building_update
    update_kwarg = "building"


@_docs("unit", "units", UnitSerializer)
class UnitViewSet(RegistryViewSet):
    """Units (房屋). `code` and `project` are derived from the building; the warranty
    starts on the delivery date unless given."""

    base_queryset = Unit.objects.select_related("building", "layout")
    serializer_class = UnitSerializer
    filterset_class = filters.UnitFilter
    create_service = services.unit_create
    update_service = services.unit_update
    update_kwarg = "unit"
