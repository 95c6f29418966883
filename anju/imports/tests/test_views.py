import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from anju.core.testing.fixtures import PASSWORD
from anju.imports.columns import OWNER_COLUMNS, UNIT_COLUMNS
from anju.imports.models import ImportJob
from anju.imports.tests.helpers import OWNER_HEADERS, owner_row, resident_id, upload, xlsx
from anju.owners.models import Owner

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make_job(project: Any, **fields: Any) -> ImportJob:
    values = {"kind": "owners", "file_name": "业主.xlsx", "status": ImportJob.Status.VALIDATED}
    return ImportJob.objects.create(project=project, **{**values, **fields})


@pytest.fixture
def officer_client(importer: Any) -> Client:
    return client_for(importer)


@pytest.mark.parametrize("name", ["imports:list", "imports:upload"])
def test_anonymous_users_are_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("imports:list"),
        reverse("imports:upload"),
        reverse("imports:template", args=["owners"]),
    ],
)
def test_users_without_an_import_permission_are_refused(
    make_user: Any, project: Any, url: str
) -> None:
    front_desk = make_user("front_desk", projects=[project])
    assert client_for(front_desk).get(url).status_code == 403


def test_list_shows_only_jobs_of_the_users_projects(
    officer_client: Client, project: Any, other_project: Any
) -> None:
    # given a job here and one in another project
    mine = make_job(project, file_name="mine.xlsx")
    make_job(other_project, file_name="theirs.xlsx")
    # when
    response = officer_client.get(reverse("imports:list"))
    # then
    assert response.status_code == 200
    assert list(response.context["page"]) == [mine]
    assert "theirs.xlsx" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("imports:detail", "get"),
        ("imports:progress", "get"),
        ("imports:commit", "post"),
    ],
)
def test_a_job_of_another_project_answers_404(
    officer_client: Client, other_project: Any, name: str, method: str
) -> None:
    job = make_job(other_project)
    response = getattr(officer_client, method)(reverse(name, args=[job.pk]))
    assert response.status_code == 404


def test_a_job_of_a_kind_the_user_may_not_import_answers_404(
    officer_client: Client, project: Any
) -> None:
    job = make_job(project, kind="units")
    assert officer_client.get(reverse("imports:detail", args=[job.pk])).status_code == 404


def test_list_queries_do_not_grow_with_jobs(
    officer_client: Client, project: Any, importer: Any, django_assert_num_queries: Any
) -> None:
    # session, user, permissions (2), projects, count, page of jobs with project and user
    for _ in range(2):
        make_job(project, created_by=importer)
    with django_assert_num_queries(8):
        officer_client.get(reverse("imports:list"))
    for _ in range(8):
        make_job(project, created_by=importer)
    with django_assert_num_queries(8):
        response = officer_client.get(reverse("imports:list"))
    assert len(response.context["page"]) == 10


def test_list_answers_only_the_table_to_htmx(officer_client: Client, project: Any) -> None:
    make_job(project)
    response = officer_client.get(reverse("imports:list"), HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "imports/_job_table.html"


def test_upload_checks_the_file_and_shows_errors_per_row_and_column(
    officer_client: Client,
    project: Any,
    building: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a file with an unknown building
    content = xlsx(OWNER_HEADERS, [owner_row(**{"楼栋": "99"})])
    # when it is uploaded (the validation task runs eagerly after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("imports:upload"),
            {
                "kind": "owners",
                "project": project.pk,
                "file": upload(content),
            },
        )
    # then the job page lists the error, and offers no import button
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    page = officer_client.get(response["Location"])
    html = page.content.decode()
    assert job.status == ImportJob.Status.VALIDATED and job.error_count == 1
    assert 'id="job-errors"' in html and "楼栋" in html and "unknown_building" in html
    assert not page.context["may_commit"] and 'id="commit-form"' not in html


def test_upload_rejects_a_project_out_of_scope(officer_client: Client, other_project: Any) -> None:
    content = xlsx(OWNER_HEADERS, [owner_row()])
    response = officer_client.post(
        reverse("imports:upload"),
        {
            "kind": "owners",
            "project": other_project.pk,
            "file": upload(content),
        },
    )
    assert response.status_code == 200 and "project" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_upload_rejects_other_file_types(officer_client: Client, project: Any) -> None:
    response = officer_client.post(
        reverse("imports:upload"),
        {
            "kind": "owners",
            "project": project.pk,
            "file": upload(b"a,b", name="owners.csv"),
        },
    )
    assert "file" in response.context["form"].errors


def test_commit_button_imports_a_clean_file_once(
    officer_client: Client,
    project: Any,
    building: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a clean, checked file
    content = xlsx(
        OWNER_HEADERS,
        [
            owner_row(),
            owner_row(
                **{"房号": "1802", "姓名/名称": "李四", "证件号码": resident_id("19870101", "004")}
            ),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            reverse("imports:upload"),
            {"kind": "owners", "project": project.pk, "file": upload(content)},
        )
    job = ImportJob.objects.get()
    detail = officer_client.get(reverse("imports:detail", args=[job.pk]))
    assert 'id="commit-form"' in detail.content.decode()
    # when the import button is pressed twice
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.post(reverse("imports:commit", args=[job.pk]))
        assert response.status_code == 302
    # then the owners exist once and the page shows the summary
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED and job.committed_by is not None
    assert Owner.objects.count() == 2
    page = officer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="job-summary"' in page


def test_progress_polls_while_running_and_reloads_the_page_when_done(
    officer_client: Client, project: Any
) -> None:
    job = make_job(
        project,
        status=ImportJob.Status.VALIDATING,
        phase="reading",
        total_rows=4000,
        processed_rows=1000,
    )
    url = reverse("imports:progress", args=[job.pk])
    running = officer_client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "25%" in running.content.decode() and "HX-Refresh" not in running
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATED)
    done = officer_client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "every 1s" not in done.content.decode()


@pytest.mark.parametrize(
    ("kind", "columns", "perm"),
    [
        ("owners", OWNER_COLUMNS, None),
        ("units", UNIT_COLUMNS, "import_units"),
    ],
)
def test_template_download_has_the_headers_an_example_and_the_notes(
    make_user: Any, project: Any, kind: str, columns: Any, perm: str | None
) -> None:
    from django.contrib.auth.models import Permission

    user = make_user("cs_officer", projects=[project])
    if perm:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    response = client_for(user).get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    data, notes = book.worksheets
    assert [c.value for c in data[1]] == [c.header for c in columns]
    assert data[2][0].value is not None  # the example row
    assert notes.title == "说明"
    assert [row[0].value for row in notes.iter_rows(min_row=2, max_row=len(columns) + 1)] == [
        c.header for c in columns
    ]


def test_template_of_a_kind_the_user_may_not_import_is_refused(
    officer_client: Client,
) -> None:
    assert officer_client.get(reverse("imports:template", args=["units"])).status_code == 403
    assert officer_client.get(reverse("imports:template", args=["cars"])).status_code == 404
