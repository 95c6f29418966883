"""Owner pages: permissions, scoping (404), masking, htmx partials, pinned query counts."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.core.testing.factories import make_owner
from anju.owners.lifecycle import stage_of
from anju.owners.services import ownership_create
from anju.owners.tests.conftest import ID_18, MOBILE, as_user

# Pinned query counts (session, user, permissions, scope + the page's own queries).
LIST_QUERIES = 13  # + unread notes, count, filter choices (3), rows, 2 prefetches
QUICK_SEARCH_QUERIES = 10  # + key walk, readings, owners, 2 prefetches
DETAIL_QUERIES = 12  # + owner, phones, tags, ownerships, 2 timeline sources, unread notes


def owners_with_units(project, make_unit, count):
    for index in range(count):
        owner = make_owner(project)
        ownership_create(actor=None, owner=owner, unit=make_unit(project, f"9-1-{index + 1:02d}01"))


# --- permissions and scoping, for every page -------------------------------------------

PAGES = [
    ("owners:list", False, "view_owner"),
    ("owners:detail", True, "view_owner"),
    ("owners:edit", True, "change_owner"),
    ("owners:reveal", True, "reveal_personal_data"),
    ("owners:ownership_add", True, "add_ownership"),
    ("owners:create", False, "add_owner"),
    ("owners:quick_search", False, "view_owner"),
    ("owners:unit_options", False, "add_ownership"),
    ("owners:export", False, "export_owners"),
]


@pytest.mark.parametrize(("name", "needs_pk", "perm"), PAGES)
def test_anonymous_is_sent_to_login(client, zhang, name, needs_pk, perm):
    response = client.get(reverse(name, args=[zhang.pk] if needs_pk else []))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(("name", "needs_pk", "perm"), PAGES)
def test_without_permission_is_forbidden(client, project, make_user, zhang, name, needs_pk, perm):
    # given a user of the project with no role
    nobody = make_user(None, projects=[project])
    # when
    response = as_user(client, nobody).get(reverse(name, args=[zhang.pk] if needs_pk else []))
    # then
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "needs_pk", "perm"), [p for p in PAGES if p[1]])
def test_another_projects_owner_is_not_found(client, stranger, zhang, name, needs_pk, perm):
    response = as_user(client, stranger).get(reverse(name, args=[zhang.pk]))
    assert response.status_code == 404


# --- list ------------------------------------------------------------------------------


def test_list_shows_masked_rows(client, desk, zhang):
    # when
    response = as_user(client, desk).get(reverse("owners:list"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html and "138****5678" in html and zhang.id_number_masked in html
    assert "3-2-1801" in html and 'class="masked"' in html and "stage-badge" in html
    assert MOBILE not in html and ID_18 not in html
    assert "<html" in html


def test_list_filters_and_answers_htmx_with_the_table_only(client, desk, zhang, project):
    # given
    make_owner(project, name="李四")
    # when
    stage = stage_of(date(2025, 6, 30), today=timezone.localdate())
    response = as_user(client, desk).get(
        reverse("owners:list"), {"q": "zs", "stage": stage.value}, HTTP_HX_REQUEST="true"
    )
    # then
    html = response.content.decode()
    assert "<html" not in html and 'id="owner-table"' in html
    assert "张三" in html and "李四" not in html


def test_list_hides_other_projects(client, stranger, zhang):
    html = as_user(client, stranger).get(reverse("owners:list")).content.decode()
    assert "张三" not in html


@pytest.mark.parametrize("rows", [2, 10])
def test_list_query_count_is_pinned(
    client, desk, project, make_unit, rows, django_assert_num_queries
):
    # given
    owners_with_units(project, make_unit, rows)
    as_user(client, desk)
    # when / then
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("owners:list"), {"kind": "person"})
    assert response.status_code == 200


def shown_count(html: str) -> str:
    """The number the list shows above its rows ("2+" past the cap)."""
    found = re.search(r'id="owner-count">\D*([\d,]+\+?)', html)
    assert found, html
    return found.group(1)


def test_a_long_list_counts_up_to_the_cap(client, desk, project, settings):
    # given three owners and a cap of two
    settings.ANJU_LIST_COUNT_CAP = 2
    for name in ("甲", "乙", "丙"):
        make_owner(project, name=name)
    # when
    response = as_user(client, desk).get(reverse("owners:list"), HTTP_HX_REQUEST="true")
    # then the count, and the pages, stop at the cap
    html = response.content.decode()
    assert shown_count(html) == "2+" and html.count('class="owner-link"') == 2
    settings.ANJU_LIST_COUNT_CAP = 3
    html = client.get(reverse("owners:list"), HTTP_HX_REQUEST="true").content.decode()
    assert shown_count(html) == "3" and html.count('class="owner-link"') == 3


def test_the_list_sorts_by_name_only(client, desk, project):
    # given owners whose pinyin orders them otherwise than their registration
    for name in ("赵六", "安七", "李四"):
        make_owner(project, name=name)
    as_user(client, desk)
    # when sorted by name, either way
    up = client.get(reverse("owners:list"), {"sort": "name"}).content.decode()
    down = client.get(reverse("owners:list"), {"sort": "-name"}).content.decode()
    # then by pinyin (an, li, zhao), and kind and project offer no sort
    assert up.index("安七") < up.index("李四") < up.index("赵六")
    assert down.index("赵六") < down.index("李四") < down.index("安七")
    assert "sort=kind" not in up and "sort=project" not in up


# --- quick search ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "label"),
    [
        (MOBILE, "按电话号码"),
        (ID_18, "按证件号码"),
        ("3-2-1801", "按房号"),
        ("zs", "按姓名或拼音"),
    ],
)
def test_quick_search_lists_hits_and_says_how(client, desk, zhang, query, label):
    # when
    response = as_user(client, desk).get(
        reverse("owners:quick_search"), {"q": query}, HTTP_HX_REQUEST="true"
    )
    # then
    html = response.content.decode()
    assert "search-hit" in html and reverse("owners:detail", args=[zhang.pk]) in html
    assert "138****5678" in html and "3-2-1801" in html and label in html
    assert MOBILE not in html and ID_18 not in html


def test_quick_search_with_an_empty_query_is_empty(client, desk):
    response = as_user(client, desk).get(reverse("owners:quick_search"), {"q": "  "})
    assert response.status_code == 200 and response.content == b""


def test_quick_search_of_another_project_finds_nothing(client, stranger, zhang):
    html = (
        as_user(client, stranger)
        .get(reverse("owners:quick_search"), {"q": "zhangsan"})
        .content.decode()
    )
    assert "search-hit" not in html


@pytest.mark.parametrize("rows", [2, 10])
def test_quick_search_query_count_is_pinned(
    client, desk, project, make_unit, rows, django_assert_num_queries
):
    # given owners whose keys all start with "zh"
    for index in range(rows):
        owner = make_owner(project, name="张" + "三四五六七八九十百千"[index])
        ownership_create(actor=None, owner=owner, unit=make_unit(project, f"7-1-{index + 1}01"))
    as_user(client, desk)
    # when / then
    with django_assert_num_queries(QUICK_SEARCH_QUERIES):
        html = client.get(reverse("owners:quick_search"), {"q": "zhang"}).content.decode()
    assert html.count("search-hit") == rows


# --- the 360° page ---------------------------------------------------------------------


def test_detail_shows_the_owner_360(client, desk, zhang):
    # when
    response = as_user(client, desk).get(reverse("owners:detail", args=[zhang.pk]))
    # then
    html = response.content.decode()
    for element_id in (
        "owner-identity",
        "owner-id-number",
        "reveal-button",
        "owner-timeline",
        "owner-units",
        "owner-preferences",
    ):
        assert f'id="{element_id}"' in html, element_id
    assert zhang.id_number_masked in html and "138****5678" in html
    assert MOBILE not in html and ID_18 not in html
    assert "3-2-1801" in html and "只接受微信联系" in html and "VIP" in html
    assert 'data-kind="ownership_added"' in html and 'data-kind="created"' in html
    assert "1985-03-12" in html


def test_detail_hides_the_reveal_button_without_the_permission(client, project, make_user, zhang):
    sales = make_user("sales_consultant", projects=[project])
    html = as_user(client, sales).get(reverse("owners:detail", args=[zhang.pk])).content.decode()
    assert 'id="owner-identity"' in html and "reveal-button" not in html


def test_detail_query_count_does_not_grow_with_units(
    client, desk, zhang, project, make_unit, django_assert_num_queries
):
    # given
    for index in range(5):
        ownership_create(
            actor=None, owner=zhang, unit=make_unit(project, f"6-1-{index + 1}01"), share=50
        )
    as_user(client, desk)
    # when / then
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("owners:detail", args=[zhang.pk]))
