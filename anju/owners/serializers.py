"""API shapes for owners and ownerships.

Read serializers show personal data masked only. Write serializers validate the shape
and hand an OwnerInput (or ownership values) to the services; the clear ID number and
phones are write-only and never serialised back.
"""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anju.owners.inputs import OwnerInput, PhoneInput
from anju.owners.lifecycle import owner_stage, stage_of
from anju.owners.models import Owner, OwnerPhone, Ownership
from anju.owners.rules.idtypes import IdType
from anju.owners.rules.lifecycle import Stage
from anju.properties.models import Project, Unit

_STAGE_FIELD = serializers.ChoiceField(choices=Stage.choices, allow_null=True)


def _request_user(serializer: serializers.BaseSerializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- read side -------------------------------------------------------------------------


class PhoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = OwnerPhone
        fields = ["id", "kind", "label", "number_masked", "is_primary"]
        read_only_fields = fields


class OwnershipSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    project = serializers.IntegerField(source="unit.project_id", read_only=True)
    stage = serializers.SerializerMethodField()

    class Meta:
        model = Ownership
        fields = [
            "id",
            "owner",
            "unit",
            "unit_code",
            "project",
            "share",
            "status",
            "subscription_date",
            "contract_date",
            "handover_date",
            "stage",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Stage.choices))
    def get_stage(self, obj: Ownership) -> str:
        return stage_of(obj.handover_date, today=timezone.localdate()).value


class _OwnerBase(serializers.ModelSerializer):
    tags = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()

    OWNER_FIELDS = [
        "id",
        "project",
        "kind",
        "name",
        "gender",
        "birth_date",
        "id_type",
        "id_number_masked",
        "email",
        "address",
        "preferences",
        "special_needs",
        "tags",
        "consent_sms",
        "consent_phone",
        "consent_wechat",
        "consent_email",
        "stage",
        "created_at",
        "updated_at",
    ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, obj: Owner) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @extend_schema_field(_STAGE_FIELD)
    def get_stage(self, obj: Owner) -> str | None:
        dates = [o.handover_date for o in self._active_ownerships(obj)]
        stage = owner_stage(dates, today=timezone.localdate())
        return stage.value if stage else None

    def _active_ownerships(self, obj: Owner) -> list[Ownership]:
        raise NotImplementedError


class OwnerListSerializer(_OwnerBase):
    """A list row: the primary phone and the unit codes (owner_list_queryset prefetches)."""

    primary_phone_masked = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    class Meta:
        model = Owner
        fields = [*_OwnerBase.OWNER_FIELDS, "primary_phone_masked", "units"]
        read_only_fields = fields

    def _active_ownerships(self, obj: Owner) -> list[Ownership]:
        return list(getattr(obj, "active_ownerships", []))

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_primary_phone_masked(self, obj: Owner) -> str:
        phones = getattr(obj, "primary_phones", [])
        return phones[0].number_masked if phones else ""

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_units(self, obj: Owner) -> list[str]:
        return [o.unit.code for o in self._active_ownerships(obj)]


class OwnerDetailSerializer(_OwnerBase):
    phones = PhoneSerializer(many=True, read_only=True)
    ownerships = OwnershipSerializer(many=True, read_only=True)

    class Meta:
        model = Owner
        fields = [*_OwnerBase.OWNER_FIELDS, "phones", "ownerships"]
        read_only_fields = fields

    def _active_ownerships(self, obj: Owner) -> list[Ownership]:
        return [o for o in obj.ownerships.all() if o.status not in Ownership.ENDED]


class RevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class RevealedPhoneSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    number = serializers.CharField()


class RevealedSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phones = RevealedPhoneSerializer(many=True)


# --- write side ------------------------------------------------------------------------


class PhoneWriteSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30, write_only=True)
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=30, required=False, default="", allow_blank=True
    )
    is_primary = serializers.BooleanField(required=False, default=False)


class OwnerWriteSerializer(serializers.Serializer):
    """Owner payload. On update, absent fields keep their value; `id_number` "" keeps the
    stored number and an absent `phones` keeps the stored phones."""

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    kind = serializers.ChoiceField(choices=Owner.Kind.choices, required=False)
    name = serializers.CharField(max_length=100)
    gender = serializers.ChoiceField(choices=Owner.Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False)
    id_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, write_only=True
    )
    phones = PhoneWriteSerializer(many=True, required=False, write_only=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    preferences = serializers.CharField(required=False, allow_blank=True)
    special_needs = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=30
    )
    consent_sms = serializers.BooleanField(required=False)
    consent_phone = serializers.BooleanField(required=False)
    consent_wechat = serializers.BooleanField(required=False)
    consent_email = serializers.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.fields["project"]
        project.queryset = Project.objects.visible_to(_request_user(self))  # type: ignore[attr-defined]

    def to_owner_input(self, owner: Owner | None = None) -> OwnerInput:
        """The service input: validated values over the owner's current ones."""
        data = dict(self.validated_data)
        base = _input_from_owner(owner) if owner is not None else {}
        project = data.pop("project", None)
        phones = data.pop("phones", None)
        values = {**base, **data}
        values["project_id"] = project.pk if project is not None else base["project_id"]
        values["phones"] = None if phones is None else [PhoneInput(**p) for p in phones]
        values["birth_date"] = values.get("birth_date")
        values["gender"] = values.get("gender") or ""
        return OwnerInput(**values)


_KEPT_FIELDS = (
    "kind",
    "name",
    "gender",
    "birth_date",
    "id_type",
    "email",
    "address",
    "preferences",
    "special_needs",
    "consent_sms",
    "consent_phone",
    "consent_wechat",
    "consent_email",
)


def _input_from_owner(owner: Owner) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(owner, name) for name in _KEPT_FIELDS}
    values["project_id"] = owner.project_id
    values["tags"] = [tag.name for tag in owner.tags.all()]
    return values


class OwnershipValuesSerializer(serializers.Serializer):
    share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        required=False,
    )
    status = serializers.ChoiceField(choices=Ownership.Status.choices, required=False)
    subscription_date = serializers.DateField(required=False, allow_null=True)
    contract_date = serializers.DateField(required=False, allow_null=True)
    handover_date = serializers.DateField(required=False, allow_null=True)


class OwnershipCreateSerializer(OwnershipValuesSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Owner.objects.none())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        self.fields["owner"].queryset = Owner.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.visible_to(user)  # type: ignore[attr-defined]
