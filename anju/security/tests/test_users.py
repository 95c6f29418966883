"""User administration pages: list, create, edit access; roles page; change log."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from anju.audit.models import ChangeLog
from anju.core.testing.fixtures import PASSWORD
from anju.security.models import User

NEW_PASSWORD = "another-horse-staple-9"


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="admin", name="管理员")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _create_data(project, **overrides):
    data = {
        "username": "zhangsan",
        "name": "张三",
        "email": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "roles": ["front_desk"],
        "projects": [project.pk],
    }
    data.update(overrides)
    return data


def _user_changes(user):
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    )


# --- permissions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["security:user_list", "security:user_create", "security:role_list"]
)
def test_anonymous_is_sent_to_login(client, db, url_name):
    # when an anonymous visitor opens the page / then the login page
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "url_name", ["security:user_list", "security:user_create", "security:role_list"]
)
def test_non_admin_gets_403(client, make_user, project, url_name):
    # given a front-desk user
    client.force_login(make_user("front_desk", projects=[project]))
    # when they open a user-admin page / then 403
    assert client.get(reverse(url_name)).status_code == 403


def test_non_admin_cannot_edit_or_post(client, make_user, project):
    # given a manager and another user
    client.force_login(make_user("manager", projects=[project]))
    other = make_user("front_desk", projects=[project])
    url = reverse("security:user_edit", args=[other.pk])
    # then neither the edit page nor a POST is allowed, and nothing changes
    assert client.get(url).status_code == 403
    assert client.post(url, {"roles": ["administrator"]}).status_code == 403
    assert list(other.groups.values_list("name", flat=True)) == ["front_desk"]
    response = client.post(reverse("security:user_create"), _create_data(project))
    assert response.status_code == 403
    assert not User.objects.filter(username="zhangsan").exists()


# --- list ----------------------------------------------------------------------------------


def test_list_shows_users_with_roles_and_projects(admin_client, make_user, project):
    # given a front-desk user of a project
    make_user("front_desk", projects=[project], username="qiantai", name="李前台")
    # when the list is opened
    response = admin_client.get(reverse("security:user_list"))
    # then the row shows the username, name, the role's label and the project
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="user-table"' in html
    assert "qiantai" in html and "李前台" in html and "安居花园" in html
    assert "Front desk" in html or "前台" in html


def test_list_filters_by_role_and_project(admin_client, make_user, project, other_project):
    # given users of two roles and two projects
    make_user("front_desk", projects=[project], username="desk-a")
    make_user("front_desk", projects=[other_project], username="desk-b")
    make_user("manager", projects=[project], username="boss-a")
    # when filtered by role and project (htmx partial)
    response = admin_client.get(
        reverse("security:user_list"),
        {"role": "front_desk", "project": project.pk},
        HTTP_HX_REQUEST="true",
    )
    # then only the matching user, as a table partial
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-user="desk-a"' in html
    assert 'data-user="desk-b"' not in html
    assert 'data-user="boss-a"' not in html


def test_list_query_count_does_not_grow(
    admin_client, make_user, project, other_project, django_assert_num_queries
):
    # given 2 users (plus the admin)
    for i in range(2):
        make_user("front_desk", projects=[project, other_project], username=f"u{i}")
    url = reverse("security:user_list")
    admin_client.get(url)  # warm the session and content-type caches
    # then the page costs a fixed number of queries
    with django_assert_num_queries(11):
        admin_client.get(url)
    # when there are 10 more users / then the same number
    for i in range(2, 12):
        make_user("cs_officer", projects=[project], username=f"u{i}")
    with django_assert_num_queries(11):
        admin_client.get(url)


def test_scoped_admin_sees_only_users_of_their_projects(client, make_user, project, other_project):
    # given an administrator-like user limited to one project (change_user without all)
    scoped = make_user("front_desk", projects=[project], username="scoped")
    from django.contrib.auth.models import Permission

    scoped.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="security", codename__in=["view_user", "change_user"]
        )
    )
    outsider = make_user("front_desk", projects=[other_project], username="outsider")
    client.force_login(scoped)
    # then the outsider is absent from the list and their edit page answers 404
    html = client.get(reverse("security:user_list")).content.decode()
    assert 'data-user="scoped"' in html
    assert 'data-user="outsider"' not in html
    assert client.get(reverse("security:user_edit", args=[outsider.pk])).status_code == 404


# --- create ----------------------------------------------------------------------------------


def test_admin_creates_a_user_with_roles_and_projects(admin_client, admin, project, client):
    # when the administrator submits the form
    response = admin_client.post(reverse("security:user_create"), _create_data(project))
    # then the user exists with the role and project, and can sign in
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.name == "张三"
    assert list(user.groups.values_list("name", flat=True)) == ["front_desk"]
    assert list(user.projects.all()) == [project]
    assert user.check_password(NEW_PASSWORD)
    # and a change-log row records it, without the password hash
    entry = _user_changes(user).get()
    assert entry.action == "create"
    assert entry.actor == admin
    assert entry.after["roles"] == ["front_desk"]
    assert entry.after["projects"] == [project.pk]
    assert "password" not in entry.after
    assert user.password not in str(entry.after)


def test_create_form_lists_roles_with_labels(admin_client):
    # when the form is opened / then every role is offered
    html = admin_client.get(reverse("security:user_create")).content.decode()
    for code in ["administrator", "front_desk", "cs_officer", "auditor"]:
        assert f'value="{code}"' in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "something-else-77"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"username": "admin"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"roles": ["no_such_role"]}, "roles"),
    ],
)
def test_create_rejects_bad_input(admin_client, project, overrides, field):
    # when the form is posted with a bad value
    response = admin_client.post(
        reverse("security:user_create"), _create_data(project, **overrides)
    )
    # then it is shown again with an error on that field, and nobody is created
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="zhangsan").exists()


# --- edit ----------------------------------------------------------------------------------


def _edit_data(user, **overrides):
    data = {
        "name": user.name,
        "email": user.email,
        "roles": list(user.groups.values_list("name", flat=True)),
        "projects": list(user.projects.values_list("pk", flat=True)),
        "is_active": "on" if user.is_active else "",
        "new_password1": "",
        "new_password2": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_admin_edits_roles_projects_and_active(
    admin_client, admin, make_user, project, other_project
):
    # given a front-desk user of one project
    user = make_user("front_desk", projects=[project])
    # when the administrator changes the role, projects and deactivates them
    response = admin_client.post(
        reverse("security:user_edit", args=[user.pk]),
        _edit_data(user, roles=["cs_officer"], projects=[other_project.pk], is_active=""),
    )
    # then the access is updated
    assert response.status_code == 302
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == ["cs_officer"]
    assert list(user.projects.all()) == [other_project]
    assert user.is_active is False
    # and change-log rows tell what changed, by whom
    changes = _user_changes(user).filter(action="update")
    assert {f for entry in changes for f in entry.changed_fields()} >= {
        "roles",
        "projects",
        "is_active",
    }
    assert all(entry.actor == admin for entry in changes)


def test_admin_sets_a_new_password_without_logging_the_hash(admin_client, make_user, project):
    # given a user
    user = make_user("front_desk", projects=[project])
    # when a new password is set
    admin_client.post(
        reverse("security:user_edit", args=[user.pk]),
        _edit_data(user, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD),
    )
    # then it works, and the change log only says that it changed
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    entry = _user_changes(user).get(action="update")
    assert entry.changed_fields() == ["password"]
    assert user.password not in str(entry.before) + str(entry.after)
    assert NEW_PASSWORD not in str(entry.before) + str(entry.after)
    assert "md5$" not in str(entry.after)


def test_unchanged_edit_logs_nothing(admin_client, make_user, project):
    # given a user / when the form is saved unchanged
    user = make_user("front_desk", projects=[project])
    admin_client.post(reverse("security:user_edit", args=[user.pk]), _edit_data(user))
    # then no update row
    assert not _user_changes(user).filter(action="update").exists()


def test_admin_cannot_deactivate_themselves(admin_client, admin):
    # when the administrator unticks their own active flag
    response = admin_client.post(
        reverse("security:user_edit", args=[admin.pk]), _edit_data(admin, is_active="")
    )
    # then the form refuses
    assert response.status_code == 200
    assert "is_active" in response.context["form"].errors
    admin.refresh_from_db()
    assert admin.is_active


def test_edit_unknown_user_is_404(admin_client):
    assert admin_client.get(reverse("security:user_edit", args=[999_999])).status_code == 404


def test_deactivated_user_cannot_sign_in(admin_client, make_user, project, client):
    # given a user deactivated by the administrator
    user = make_user("front_desk", projects=[project], username="leaver")
    admin_client.post(reverse("security:user_edit", args=[user.pk]), _edit_data(user, is_active=""))
    # when they try to sign in / then the login page shows again
    from django.test import Client

    response = Client().post(reverse("login"), {"username": "leaver", "password": PASSWORD})
    assert response.status_code == 200


# --- roles ---------------------------------------------------------------------------------


def test_role_list_shows_each_role_and_its_permissions(admin_client):
    # when the roles page is opened
    response = admin_client.get(reverse("security:role_list"))
    # then every role is listed with its permissions
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-role="auditor"' in html
    assert "audit.view_personaldataaccess" in html
    assert 'data-role="contractor"' in html
