"""REST API for owners and ownerships (/api/v1/owners/, /api/v1/ownerships/).

Querysets are scoped to the user's projects (out of scope: 404), personal data is
masked, and every write goes through the services; their field errors come back in
the shared error shape (core.api_errors) with the same codes as the forms.
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response

from anju.core.api import ModelPermissions
from anju.owners import services
from anju.owners.filters import OwnerFilter
from anju.owners.models import Owner, Ownership
from anju.owners.selectors import owner_list_queryset
from anju.owners.serializers import (
    OwnerDetailSerializer,
    OwnerListSerializer,
    OwnershipCreateSerializer,
    OwnershipSerializer,
    OwnershipValuesSerializer,
    OwnerWriteSerializer,
    RevealedSerializer,
    RevealRequestSerializer,
)

T = TypeVar("T")


def call_service(func: Callable[..., T], **kwargs: Any) -> T:
    """Run a service; its django ValidationError becomes a DRF one with field codes."""
    try:
        return func(**kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(get_error_detail(exc)) from exc


class CanRevealPersonalData(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.has_perm("owners.view_owner")
            and user.has_perm(services.REVEAL_PERM)
        )


_ERRORS = {400: OpenApiResponse(description="Validation error (see the error shape)")}


@extend_schema_view(
    list=extend_schema(summary="List owners", responses=OwnerListSerializer(many=True)),
    retrieve=extend_schema(
        summary="Owner with phones (masked) and ownerships", responses=OwnerDetailSerializer
    ),
    create=extend_schema(
        summary="Create an owner",
        request=OwnerWriteSerializer,
        responses={201: OwnerDetailSerializer, **_ERRORS},
    ),
    update=extend_schema(
        summary="Update an owner",
        request=OwnerWriteSerializer,
        responses={200: OwnerDetailSerializer, **_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Update some fields of an owner",
        request=OwnerWriteSerializer,
        responses={200: OwnerDetailSerializer, **_ERRORS},
    ),
)
class OwnerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Owner.objects.none()
    filterset_class = OwnerFilter

    def get_queryset(self) -> QuerySet[Owner]:
        user = self.request.user
        if self.action == "list":
            return owner_list_queryset(user).prefetch_related("tags")
        ownerships = Ownership.objects.select_related("unit")
        return Owner.objects.visible_to(user).prefetch_related(
            "phones", "tags", Prefetch("ownerships", queryset=ownerships)
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return OwnerListSerializer
        if self.action in {"create", "update", "partial_update"}:
            return OwnerWriteSerializer
        if self.action == "reveal":
            return RevealRequestSerializer
        return OwnerDetailSerializer

    def _detail(self, owner: Owner, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=owner.pk)
        return Response(
            OwnerDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = cast(OwnerWriteSerializer, self.get_serializer(data=request.data))
        serializer.is_valid(raise_exception=True)
        owner = call_service(
            services.owner_create, actor=request.user, data=serializer.to_owner_input()
        )
        return self._detail(owner, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        owner = self.get_object()
        serializer = cast(
            OwnerWriteSerializer,
            self.get_serializer(owner, data=request.data, partial=kwargs.get("partial", False)),
        )
        serializer.is_valid(raise_exception=True)
        owner = call_service(
            services.owner_update,
            actor=request.user,
            owner=owner,
            data=serializer.to_owner_input(owner),
        )
        return self._detail(owner)

    @extend_schema(
        summary="Reveal the full ID number and phones (logged)",
        request=RevealRequestSerializer,
        responses={200: RevealedSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[CanRevealPersonalData])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        owner = self.get_object()
        serializer = RevealRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revealed = call_service(
            services.owner_reveal_personal_data,
            actor=request.user,
            owner=owner,
            reason=serializer.validated_data["reason"],
        )
        response = Response(RevealedSerializer(revealed).data)
        response["Cache-Control"] = "no-store"
        return response

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Filters belong to the list; detail and reveal look the object up as is.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


class OwnershipFilter(django_filters.FilterSet):
    owner = django_filters.NumberFilter(field_name="owner_id")
    unit = django_filters.NumberFilter(field_name="unit_id")
    status = django_filters.ChoiceFilter(choices=Ownership.Status.choices)

    class Meta:
        model = Ownership
        fields = ["owner", "unit", "status"]


@extend_schema_view(
    list=extend_schema(summary="List ownerships"),
    retrieve=extend_schema(summary="One ownership"),
    create=extend_schema(
        summary="Link an owner to a unit",
        request=OwnershipCreateSerializer,
        responses={201: OwnershipSerializer, **_ERRORS},
    ),
    update=extend_schema(
        summary="Update an ownership",
        request=OwnershipValuesSerializer,
        responses={200: OwnershipSerializer, **_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Update some fields of an ownership",
        request=OwnershipValuesSerializer,
        responses={200: OwnershipSerializer, **_ERRORS},
    ),
)
class OwnershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Ownership.objects.none()
    filterset_class = OwnershipFilter
    permission_classes = [ModelPermissions]

    def get_queryset(self) -> QuerySet[Ownership]:
        return (
            Ownership.objects.visible_to(self.request.user)
            .select_related("unit")
            .order_by("unit__code", "-share", "id")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return OwnershipCreateSerializer
        if self.action in {"update", "partial_update"}:
            return OwnershipValuesSerializer
        return OwnershipSerializer

    def _read(self, ownership: Ownership, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=ownership.pk)
        return Response(OwnershipSerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        ownership = call_service(
            services.ownership_create,
            actor=request.user,
            owner=values.pop("owner"),
            unit=values.pop("unit"),
            **values,
        )
        return self._read(ownership, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ownership = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ownership = call_service(
            services.ownership_update,
            actor=request.user,
            ownership=ownership,
            **serializer.validated_data,
        )
        return self._read(ownership)
