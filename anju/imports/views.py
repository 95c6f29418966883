"""Import pages: job list, upload, job page with live progress, commit, templates.

Jobs are scoped like everything else: a job of a project the user is not assigned to, or
of a kind they may not import, answers 404. Mutations only on POST.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anju.imports.forms import UploadForm
from anju.imports.models import ImportJob
from anju.imports.services import (
    IMPORTERS,
    ImportStateError,
    can_import,
    import_job_create,
    import_job_request_commit,
)
from anju.imports.tasks import commit_import, validate_import
from anju.imports.workbook import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY_LABELS = {
    "owners": gettext_lazy("Owners"),
    "ownerships": gettext_lazy("Ownerships"),
    "units": gettext_lazy("Units"),
    "phases": gettext_lazy("Phases"),
    "buildings": gettext_lazy("Buildings"),
    "layouts": gettext_lazy("Layouts"),
}


def _jobs(user: Any) -> QuerySet[ImportJob]:
    kinds = [kind for kind in IMPORTERS if can_import(user, kind)]
    if not kinds:
        raise PermissionDenied
    return (
        ImportJob.objects.visible_to(user)
        .filter(kind__in=kinds)
        .select_related("project", "created_by")
    )


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(_jobs(request.user), pk=pk)


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_jobs(request.user), settings.ANJU_PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = [
        (kind, label) for kind, label in ImportJob.Kind.choices if can_import(request.user, kind)
    ]
    template = "imports/_job_table.html" if request.htmx else "imports/job_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"page": page, "kinds": kinds})


@login_required
@require_http_methods(["GET", "POST"])
def job_upload(request: HttpRequest) -> HttpResponse:
    _jobs(request.user)  # 403 without any import permission
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"kind": request.GET.get("kind")},
    )
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            actor=request.user,
            project=form.cleaned_data["project"],
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
        transaction.on_commit(lambda: validate_import.delay(job.pk))
        return redirect("imports:detail", pk=job.pk)
    return render(request, "imports/upload.html", {"form": form})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    summary = [(SUMMARY_LABELS.get(name, name), count) for name, count in job.summary.items()]
    return render(
        request,
        "imports/job_detail.html",
        {
            "job": job,
            "summary": summary,
            "may_commit": job.can_commit and can_import(request.user, job.kind),
        },
    )


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The polled progress bar; once the job stops running, htmx reloads the page."""
    job = _job(request, pk)
    response = render(request, "imports/_progress.html", {"job": job})
    if request.htmx and not job.is_running:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        job = import_job_request_commit(actor=request.user, job=job)
    except ImportStateError:
        messages.error(request, _("Only a checked file without errors can be imported, once."))
    else:
        transaction.on_commit(lambda: commit_import.delay(job.pk))
        messages.info(request, _("The import has started."))
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in IMPORTERS:
        raise Http404
    if not can_import(request.user, kind):
        raise PermissionDenied
    importer = IMPORTERS[kind]
    content = template_workbook(
        title=importer.sheet_title,
        columns=importer.columns,
        notes=[str(note) for note in importer.notes],
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{importer.sheet_title}模板.xlsx"
    )
    return response
