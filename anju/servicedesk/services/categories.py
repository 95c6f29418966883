"""The category tree administrators configure (e.g. 土建 › 墙体/梁).

Categories are never deleted (orders and policies point at them): they are renamed or
deactivated. A deactivated category is no longer offered for new orders; deactivating a
parent deactivates its whole branch.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from anju.audit.services import log_change, snapshot
from anju.servicedesk.models import Category
from anju.servicedesk.services.common import refuse

SEPARATOR = "›"
_PATH_LENGTH = Category._meta.get_field("path").max_length or 200


@transaction.atomic
def category_create(*, actor: Any, parent: Category | None, name: str) -> Category:
    name = _clean_name(name, parent, category=None)
    if parent is not None and not parent.is_active:
        raise refuse("parent", _("Choose an active parent category."), "inactive")
    last = Category.objects.filter(parent=parent).aggregate(last=Max("sort_order"))["last"]
    category = Category(parent=parent, name=name, sort_order=0 if last is None else last + 1)
    category.save()
    log_change(
        actor=actor, instance=category, action="create", before=None, after=snapshot(category)
    )
    return category


@transaction.atomic
def category_rename(*, actor: Any, category: Category, name: str) -> Category:
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = snapshot(category)
    category.name = _clean_name(name, category.parent, category=category)
    category.save()
    _refresh_descendant_paths(category)
    log_change(
        actor=actor, instance=category, action="update", before=before, after=snapshot(category)
    )
    return category


@transaction.atomic
def category_set_active(*, actor: Any, category: Category, is_active: bool) -> int:
    """Activate one category, or deactivate it and its branch; returns how many changed."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    if is_active and category.parent is not None and not category.parent.is_active:
        raise refuse("parent", _("Activate the parent category first."), "inactive")
    branch = [category] if is_active else [category, *_descendants(category)]
    changed = 0
    for node in branch:
        if node.is_active == is_active:
            continue
        before = snapshot(node)
        node.is_active = is_active
        node.save(update_fields=["is_active", "path"])
        log_change(actor=actor, instance=node, action="update", before=before, after=snapshot(node))
        changed += 1
    return changed


def _clean_name(name: str, parent: Category | None, *, category: Category | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise refuse("name", _("Name the category."), "required")
    if SEPARATOR in name:
        raise refuse("name", _("A name cannot contain “›”."), "invalid")
    if len(name) > 50:
        raise refuse("name", _("Use at most 50 characters."), "max_length")
    path = f"{parent.path} {SEPARATOR} {name}" if parent else name
    if len(path) > _PATH_LENGTH:
        raise refuse("name", _("The full category path is too long."), "max_length")
    siblings = Category.objects.filter(parent=parent, name=name)
    if category is not None:
        siblings = siblings.exclude(pk=category.pk)
    if siblings.exists():
        raise ValidationError(
            {"name": [ValidationError(_("This category already exists here."), code="unique")]}
        )
    return name


def _descendants(category: Category) -> list[Category]:
    found: list[Category] = []
    level = list(Category.objects.filter(parent=category))
    while level:
        found.extend(level)
        level = list(Category.objects.filter(parent__in=level))
    return found


def _refresh_descendant_paths(category: Category) -> None:
    """Children's paths embed the parent's name; re-derive them level by level."""
    parents = {category.pk: category}
    level = list(Category.objects.filter(parent=category))
    while level:
        for child in level:
            child.parent = parents[child.parent_id]  # type: ignore[index]
            child.save(update_fields=["path"])
        parents = {child.pk: child for child in level}
        level = list(Category.objects.filter(parent__in=level))
