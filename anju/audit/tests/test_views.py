"""Audit pages: the access log for auditors, the change log and its diff view."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.audit.models import ChangeLog, PersonalDataAccess
from anju.core.testing.factories import make_owner
from anju.owners.services import owner_reveal_personal_data

LOG_PAGES = ["audit:access_log", "audit:change_log"]


@pytest.fixture
def auditor(make_user):
    return make_user("auditor", username="auditor", name="审计员")


@pytest.fixture
def desk(make_user, project):
    return make_user("front_desk", projects=[project], username="desk", name="王前台")


def _reveal(desk, project, n=1):
    for _ in range(n):
        owner = make_owner(project, actor=desk)
        owner_reveal_personal_data(actor=desk, owner=owner, reason="业主来电核实身份")


# --- who may read -------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["audit:index", *LOG_PAGES])
def test_anonymous_is_sent_to_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("url_name", ["audit:index", *LOG_PAGES])
def test_front_desk_is_refused(client, desk, url_name):
    # given a front-desk user (no audit permission)
    client.force_login(desk)
    # when they open an audit page / then 403
    assert client.get(reverse(url_name)).status_code == 403


def test_project_limited_manager_cannot_read_the_logs(client, make_user, project):
    # given a manager limited to one project (the logs span every project)
    client.force_login(make_user("manager", projects=[project]))
    # then every audit page refuses
    for name in ("audit:index", "audit:change_log", "audit:access_log"):
        assert client.get(reverse(name)).status_code == 403


def test_view_changelog_alone_does_not_open_the_log_without_all_projects(
    client, make_user, project
):
    # given a user granted view_changelog but limited to one project
    from anju.owners.tests.conftest import grant

    user = make_user("manager", projects=[project])
    grant(user, "audit.view_changelog")
    client.force_login(user)
    # then the index explains, and the log pages refuse
    index = client.get(reverse("audit:index"))
    assert index.status_code == 200
    assert 'id="link-change-log"' not in index.content.decode()
    assert client.get(reverse("audit:change_log")).status_code == 403


def test_auditor_sees_both_links(client, auditor):
    client.force_login(auditor)
    html = client.get(reverse("audit:index")).content.decode()
    assert 'id="link-access-log"' in html
    assert 'id="link-change-log"' in html


# --- access log ---------------------------------------------------------------------------


def test_auditor_sees_the_reveal_in_the_access_log(client, auditor, desk, project):
    # given a front-desk user revealed an owner's ID with a reason
    _reveal(desk, project)
    access = PersonalDataAccess.objects.get()
    # when the auditor opens the access log
    client.force_login(auditor)
    response = client.get(reverse("audit:access_log"))
    # then the row says who, what, whose, why, from where and the request id
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="access-log"' in html
    assert f'data-id="{access.pk}"' in html
    assert "王前台" in html
    assert access.subject_repr in html
    assert "业主来电核实身份" in html
    assert "id_number,phones" in html


def test_access_log_filters_by_actor_and_action_as_htmx_partial(
    client, auditor, desk, make_user, project
):
    # given reveals by two users
    _reveal(desk, project)
    other = make_user("front_desk", projects=[project], username="other")
    _reveal(other, project)
    mine = PersonalDataAccess.objects.get(actor=desk)
    client.force_login(auditor)
    # when filtered by actor and action through htmx
    response = client.get(
        reverse("audit:access_log"),
        {"actor": desk.pk, "action": "reveal"},
        HTTP_HX_REQUEST="true",
    )
    # then only the table partial with that user's row comes back
    html = response.content.decode()
    assert "<html" not in html
    assert f'data-id="{mine.pk}"' in html
    assert html.count("data-id=") == 1


def test_access_log_filters_by_date_range(client, auditor, desk, project):
    # given a reveal today
    _reveal(desk, project)
    client.force_login(auditor)
    url = reverse("audit:access_log")
    # then a range ending yesterday finds nothing, a range including today finds it
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    none = client.get(url, {"until": yesterday.isoformat()}, HTTP_HX_REQUEST="true")
    assert "data-id=" not in none.content.decode()
    some = client.get(
        url, {"since": today.isoformat(), "until": today.isoformat()}, HTTP_HX_REQUEST="true"
    )
    assert some.content.decode().count("data-id=") == 1


def test_access_log_query_count_is_pinned(
    client, auditor, desk, project, django_assert_num_queries
):
    # given 2 access rows
    _reveal(desk, project, n=2)
    client.force_login(auditor)
    url = reverse("audit:access_log")
    client.get(url)
    # then a fixed number of queries
    with django_assert_num_queries(9):
        client.get(url)
    # when there are 10 more / then the same
    _reveal(desk, project, n=10)
    with django_assert_num_queries(9):
        client.get(url)


# --- change log ---------------------------------------------------------------------------


def test_auditor_reads_the_change_log_and_filters_by_model(client, auditor, desk, project):
    # given an owner created by the front desk (one owner change, one user change)
    owner = make_owner(project, actor=desk)
    entry = ChangeLog.objects.get(object_id=str(owner.pk), content_type__model="owner")
    client.force_login(auditor)
    # when the change log is filtered by record type and id
    response = client.get(
        reverse("audit:change_log"),
        {
            "content_type": entry.content_type_id,
            "object_id": str(owner.pk),
        },
    )
    # then the owner's creation is listed, and nothing else
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="change-log"' in html
    assert f'data-id="{entry.pk}"' in html
    assert html.count("data-id=") == 1


def test_change_log_filters_by_actor(client, auditor, desk, project):
    make_owner(project, actor=desk)
    make_owner(project, actor=None)
    client.force_login(auditor)
    response = client.get(reverse("audit:change_log"), {"actor": desk.pk}, HTTP_HX_REQUEST="true")
    ids = set(ChangeLog.objects.filter(actor=desk).values_list("pk", flat=True))
    html = response.content.decode()
    assert html.count("data-id=") == len(ids) == 1


def test_change_log_query_count_is_pinned(
    client, auditor, desk, project, django_assert_num_queries
):
    # given 2 owners' creations in the log
    for _ in range(2):
        make_owner(project, actor=desk)
    client.force_login(auditor)
    url = reverse("audit:change_log")
    client.get(url)
    # then a fixed number of queries
    with django_assert_num_queries(10):
        client.get(url)
    # when there are 10 more / then the same
    for _ in range(10):
        make_owner(project, actor=desk)
    with django_assert_num_queries(10):
        client.get(url)


def test_change_detail_shows_the_diff_with_masked_personal_data(client, auditor, desk, project):
    # given an owner whose phone changed
    from anju.owners.inputs import OwnerInput, PhoneInput
    from anju.owners.services import owner_update

    owner = make_owner(project, actor=desk, phones=["13800001111"])
    owner_update(
        actor=desk,
        owner=owner,
        data=OwnerInput(
            project_id=project.pk,
            name=owner.name,
            gender=owner.gender,
            birth_date=owner.birth_date,
            phones=[PhoneInput(number="13922223333")],
            address="深圳市南山区",
        ),
    )
    entry = ChangeLog.objects.filter(action="update", content_type__model="owner").get()
    client.force_login(auditor)
    # when the auditor opens the entry
    response = client.get(reverse("audit:change_detail", args=[entry.pk]))
    # then changed fields are marked with before and after values, masked
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="change-diff"' in html
    assert 'data-field="phones" class="table-warning"' in html
    assert 'data-field="address" class="table-warning"' in html
    assert "138****1111" in html and "139****3333" in html
    assert "13800001111" not in html and "13922223333" not in html
    assert 'data-field="name">' in html  # unchanged, not highlighted
    assert "id_number_cipher" not in html


def test_change_detail_refused_to_front_desk_and_404_when_missing(client, auditor, desk, project):
    owner = make_owner(project, actor=desk)
    entry = ChangeLog.objects.get(object_id=str(owner.pk), content_type__model="owner")
    client.force_login(desk)
    assert client.get(reverse("audit:change_detail", args=[entry.pk])).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("audit:change_detail", args=[999_999])).status_code == 404
