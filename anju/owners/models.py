"""Owner files (业主档案): people and companies, their phones, and what they own.

ID numbers and phones are stored three ways: ciphertext (`*_cipher`, Fernet), a keyed
blind index for exact look-up (`*_index`), and a masked form for screens (`*_masked`).
The clear value exists only in memory, during a write or an audited reveal.
"""

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from anju.owners.rules.idtypes import IdType
from anju.security.scoping import ScopedQuerySet, visible_project_ids


class OwnerQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        """Owners registered in, or owning a unit in, one of the user's projects: one
        look-up in OwnerProject, which holds exactly those pairs (D19)."""
        ids = visible_project_ids(user)
        if ids is None:
            return self
        reached = OwnerProject.objects.filter(owner=OuterRef("pk"), project_id__in=ids)
        return self.filter(Exists(reached))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Owner(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    project = models.ForeignKey(
        "properties.Project",
        verbose_name=_("registered in project"),
        on_delete=models.PROTECT,
        related_name="owners",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=300, editable=False, blank=True)
    # The usual reading's initials (张三 -> zs): search ranks usual readings first
    # without running pypinyin over every candidate.
    name_initials = models.CharField(max_length=100, editable=False, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_type = models.CharField(
        _("ID type"), max_length=30, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number_cipher = models.TextField(editable=False, blank=True)
    id_number_index = models.CharField(max_length=32, editable=False, null=True, blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=30, editable=False, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    preferences = models.TextField(_("preferences"), blank=True)
    special_needs = models.TextField(_("special needs"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="owners")
    consent_sms = models.BooleanField(_("contact by SMS"), default=False)
    consent_phone = models.BooleanField(_("contact by phone"), default=False)
    consent_wechat = models.BooleanField(_("contact by WeChat"), default=False)
    consent_email = models.BooleanField(_("contact by email"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OwnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["-id"]
        constraints = [
            # One file per person: the same ID number cannot be registered twice.
            models.UniqueConstraint(fields=["id_number_index"], name="owner_unique_id_number"),
        ]
        indexes = [
            models.Index(fields=["project", "-id"]),
            # The list sorted by name reads its page from here, not from a sort of every owner.
            models.Index(fields=["name_pinyin", "id"], name="owner_by_name"),
        ]
        permissions = [
            ("reveal_personal_data", _("Can reveal full ID numbers and phones")),
            ("export_owners", _("Can export owner lists")),
            ("export_personal_data_clear", _("Can export personal data in clear")),
            ("import_owners", _("Can import owners from Excel")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.COMPANY


class OwnerPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        LANDLINE = "landline", _("Landline")
        SERVICE = "service", _("Service number")

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=30, blank=True)
    number_cipher = models.TextField(editable=False)
    number_index = models.CharField(max_length=32, editable=False, db_index=True)
    number_masked = models.CharField(_("phone"), max_length=20, editable=False)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "number_index"], name="phone_unique_number"),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_primary=True), name="phone_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return self.number_masked


class OwnerSearchKey(models.Model):
    """Prefix-searchable keys for the one search box: name, pinyin, initials, suffixes."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # On PostgreSQL `key` is in the "C" collation (migration 0003, not expressible
            # in the model for SQLite): this plain b-tree then serves both LIKE 'prefix%'
            # and ORDER BY key, owner_id, so a prefix search stops after its LIMIT instead
            # of sorting every match. An AlterField on `key` would drop that collation.
            models.Index(fields=["key", "owner"], name="owner_search_key_order"),
        ]

    def __str__(self) -> str:
        return self.key


class OwnershipQuerySet(ScopedQuerySet):
    project_field = "unit__project_id"

    def active(self) -> Self:
        return self.exclude(status__in=Ownership.ENDED)


class Ownership(models.Model):
    """产权/持有: an owner's share in a unit and the transaction dates."""

    class Status(models.TextChoices):
        SUBSCRIBED = "subscribed", _("Subscribed")
        CONTRACTED = "contracted", _("Contract signed")
        HANDED_OVER = "handed_over", _("Handed over")
        CANCELLED = "cancelled", _("Cancelled")
        TRANSFERRED = "transferred", _("Transferred")

    ENDED = (Status.CANCELLED, Status.TRANSFERRED)

    owner = models.ForeignKey(
        Owner, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ownerships"
    )
    unit = models.ForeignKey(
        "properties.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="ownerships",
    )
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, default=100)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONTRACTED
    )
    subscription_date = models.DateField(_("subscription date"), null=True, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    handover_date = models.DateField(_("handover date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        ordering = ["unit_id", "-share"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "unit"],
                condition=~Q(status__in=["cancelled", "transferred"]),
                name="ownership_unique_active",
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0, share__lte=100), name="ownership_share_range"
            ),
        ]
        indexes = [models.Index(fields=["handover_date"])]

    def __str__(self) -> str:
        return f"{self.owner} · {self.unit}"


class OwnerProject(models.Model):
    """A project an owner belongs to: the one the file is registered in, and each one in
    which the owner holds or held a unit. Derived from Owner.project and the ownerships
    by owners.reach (never edited by hand); it is what makes an owner file visible to a
    project's staff (OwnerQuerySet.visible_to), as one index look-up instead of an OR
    over the ownerships and their units (D19)."""

    # Both look-ups lead the two composite keys below: no single-column indexes.
    owner = models.ForeignKey(
        Owner, on_delete=models.CASCADE, related_name="project_links", db_index=False
    )
    project = models.ForeignKey(
        "properties.Project", on_delete=models.CASCADE, related_name="owner_links", db_index=False
    )

    class Meta:
        verbose_name = _("owner's project")
        verbose_name_plural = _("owners' projects")
        constraints = [
            models.UniqueConstraint(fields=["owner", "project"], name="owner_project_unique"),
        ]
        indexes = [models.Index(fields=["project", "owner"], name="owner_project_by_project")]

    def __str__(self) -> str:
        return f"{self.owner_id} · {self.project_id}"


class OwnerEvent(models.Model):
    """The owner's own typed timeline; other apps add theirs through core.timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", _("File created")
        UPDATED = "updated", _("File updated")
        IMPORTED = "imported", _("Imported from Excel")
        PHONE_ADDED = "phone_added", _("Phone added")
        PHONE_REMOVED = "phone_removed", _("Phone removed")
        OWNERSHIP_ADDED = "ownership_added", _("Unit added")
        OWNERSHIP_CHANGED = "ownership_changed", _("Ownership changed")
        PERSONAL_DATA_REVEALED = "revealed", _("Personal data revealed")

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Never personal data here: names of changed fields, unit codes, reasons.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["owner", "-at"])]

    def __str__(self) -> str:
        return self.get_kind_display()
