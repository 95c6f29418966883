"""The configurable category tree of requests (e.g. 土建 › 墙体/梁)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=50)
    path = models.CharField(_("category"), max_length=200, editable=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.path

    def save(self, *args: object, **kwargs: object) -> None:
        # The path is derived from the parent's, so the tree reads "土建 › 门窗" in lists.
        self.path = f"{self.parent.path} › {self.name}" if self.parent else self.name
        super().save(*args, **kwargs)  # type: ignore[arg-type]
