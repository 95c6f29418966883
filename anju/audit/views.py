"""Read-only pages over the two compliance logs.

Who may read them: the logs carry no project, so they cannot be scoped row by row the
way registry and owner pages are. The rule is therefore simple and strict: a log page
needs its view permission (``audit.view_personaldataaccess`` for the access log,
``audit.view_changelog`` for the change log) *and* access to every project
(``security.access_all_projects``, or a superuser) — the auditor and administrator
roles. Anyone else gets 403, whatever the row. A change-log entry that does not exist
answers 404.
"""

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from anju.audit.filters import AccessLogFilter, ChangeLogFilter
from anju.audit.models import ChangeLog, PersonalDataAccess
from anju.audit.tables import AccessLogTable, ChangeLogTable, field_label
from anju.core.htmx import wants_partial
from anju.core.paging import FixedPageSizeMixin
from anju.security.scoping import visible_project_ids

ACCESS_LOG_PERM = "audit.view_personaldataaccess"
CHANGE_LOG_PERM = "audit.view_changelog"


def can_read_log(user: Any, perm: str) -> bool:
    """The rule of this module: the log's view permission and sight of every project."""
    return bool(user.has_perm(perm)) and visible_project_ids(user) is None


class _LogPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    def has_permission(self) -> bool:
        return can_read_log(self.request.user, self.permission_required)  # type: ignore[attr-defined]


class AuditIndexView(LoginRequiredMixin, TemplateView):
    template_name = "audit/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        if not (user.has_perm(ACCESS_LOG_PERM) or user.has_perm(CHANGE_LOG_PERM)):
            raise PermissionDenied
        return super().get_context_data(
            can_access_log=can_read_log(user, ACCESS_LOG_PERM),
            can_change_log=can_read_log(user, CHANGE_LOG_PERM),
            **kwargs,
        )


class _LogListView(_LogPermissionMixin, FixedPageSizeMixin, SingleTableMixin, FilterView):
    """A filtered, paginated log; only the table when htmx asks (filters, pages)."""

    paginate_by = settings.ANJU_PAGE_SIZE
    partial_template_name = "audit/_table.html"

    def get_template_names(self) -> list[str]:
        if wants_partial(self.request):
            return [self.partial_template_name]
        return [self.template_name]

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response


class AccessLogView(_LogListView):
    permission_required = ACCESS_LOG_PERM
    template_name = "audit/access_log.html"
    table_class = AccessLogTable
    filterset_class = AccessLogFilter

    def get_queryset(self) -> QuerySet[PersonalDataAccess]:
        return PersonalDataAccess.objects.select_related("actor")


class ChangeLogView(_LogListView):
    permission_required = CHANGE_LOG_PERM
    template_name = "audit/change_log.html"
    table_class = ChangeLogTable
    filterset_class = ChangeLogFilter

    def get_queryset(self) -> QuerySet[ChangeLog]:
        return ChangeLog.objects.select_related("actor", "content_type")


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def diff_rows(entry: ChangeLog) -> list[dict[str, Any]]:
    """One row per logged field: label, before, after, changed (before/after as shown)."""
    before, after = entry.before or {}, entry.after or {}
    changed = set(entry.changed_fields())
    return [
        {
            "name": name,
            "label": field_label(entry.content_type, name),
            "before": _display(before.get(name)) if entry.before is not None else "",
            "after": _display(after.get(name)) if entry.after is not None else "",
            "changed": name in changed,
        }
        for name in sorted(before.keys() | after.keys())
    ]


class ChangeDetailView(_LogPermissionMixin, DetailView):
    permission_required = CHANGE_LOG_PERM
    template_name = "audit/change_detail.html"
    context_object_name = "entry"

    def get_queryset(self) -> QuerySet[ChangeLog]:
        return ChangeLog.objects.select_related("actor", "content_type")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entry = self.object
        return super().get_context_data(
            rows=diff_rows(entry),
            model_label=field_label_model(entry),
            **kwargs,
        )


def field_label_model(entry: ChangeLog) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model else entry.content_type.model
