"""API shapes of the registry. Serializers check shapes and scope foreign keys; the
services (called by the viewsets) own every rule and every write."""

from typing import Any

from rest_framework import serializers

from anju.properties.models import Building, Layout, Phase, Project, Unit


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the user may only point at rows they can see: a foreign project's
    phase answers "does not exist", exactly like a missing one."""

    def get_queryset(self) -> Any:
        queryset: Any = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(request.user if request else None)


class ProjectSerializer(serializers.ModelSerializer):
    code = serializers.SlugField(max_length=30)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "city", "address", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class PhaseSerializer(serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())

    class Meta:
        model = Phase
        fields = ["id", "project", "name", "sort_order", "launched_on"]
        validators: list = []


class LayoutSerializer(serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())

    class Meta:
        model = Layout
        fields = ["id", "project", "name", "bedrooms", "living_rooms", "bathrooms"]
        validators: list = []


class BuildingSerializer(serializers.ModelSerializer):
    phase = VisibleRelatedField(queryset=Phase.objects.all())
    phase_name = serializers.CharField(source="phase.name", read_only=True)

    class Meta:
        model = Building
        fields = ["id", "project", "phase", "phase_name", "number", "floors", "delivery_date"]
        read_only_fields = ["project"]
        validators: list = []


class UnitSerializer(serializers.ModelSerializer):
    building = VisibleRelatedField(queryset=Building.objects.all())
    building_number = serializers.CharField(source="building.number", read_only=True)
    layout = VisibleRelatedField(queryset=Layout.objects.all(), allow_null=True, required=False)
    layout_name = serializers.CharField(source="layout.name", read_only=True, default=None)

    class Meta:
        model = Unit
        fields = [
            "id",
            "project",
            "building",
            "building_number",
            "entrance",
            "room",
            "code",
            "floor",
            "layout",
            "layout_name",
            "building_area",
            "delivery_date",
            "warranty_start",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["project", "code", "created_at", "updated_at"]
        extra_kwargs = {
            "warranty_start": {
                "help_text": "Defaults to the delivery date (the warranty runs from delivery)."
            },
        }
        validators: list = []
