"""Name search: which owners the key walk finds, in which order, for whom, at what cost.

The candidates come from the key index in (key, owner) order, scoped before the window
is cut; usual readings are moved first from the stored name, pinyin and initials; list
rows are loaded only for the owners shown.
"""

import itertools
import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.core.testing.factories import make_owner
from anju.owners import selectors
from anju.owners.fakes import fake_credit_code
from anju.owners.inputs import OwnerInput
from anju.owners.models import Owner
from anju.owners.rules.idtypes import IdType
from anju.owners.selectors import search_owner_ids, search_owners
from anju.owners.services import owner_update, ownership_create
from anju.security.scoping import visible_project_ids

# What a search costs once the user's permissions and projects are known (a request
# asks for them anyway): the key walk, the readings of its owners, then the list rows
# (owners with their project, primary phones, active ownerships with their units).
NAME_SEARCH_QUERIES = 5
PHONE_SEARCH_QUERIES = 4  # the blind-index look-up, then the same three list queries


_mobiles = itertools.count(1)


def person(project, name):
    """A person known by a mobile only: random ID numbers may collide across many owners."""
    return make_owner(project, name=name, id_number="", phones=[f"139{next(_mobiles):08d}"])


def company(project, name, seed):
    return make_owner(
        project,
        name=name,
        kind=Owner.Kind.COMPANY,
        id_type=IdType.BUSINESS_LICENCE,
        id_number=fake_credit_code(random.Random(seed)),
        phones=[],
    )


def names(user, query, **kwargs):
    return [owner.name for owner in search_owners(user, query, **kwargs).owners]


def pks(user, query, **kwargs):
    return [owner.pk for owner in search_owners(user, query, **kwargs).owners]


@pytest.fixture
def admin(make_user):
    return make_user("administrator")


# --- usual readings first, for every kind of name query ---------------------------------


def test_initials_list_usual_readings_before_rare_ones(desk, project):
    # given 丁思 (丁 can be read zheng: a rare "zs") registered before 张三
    person(project, "丁思")
    person(project, "张三")
    # when / then
    assert names(desk, "zs") == ["张三", "丁思"]


def test_full_pinyin_lists_usual_readings_before_rare_ones(desk, project):
    # given 丁思 (rare reading zhengsi) registered before 郑思 (zhengsi): the same key
    person(project, "丁思")
    person(project, "郑思")
    # when / then
    assert names(desk, "zhengsi") == ["郑思", "丁思"]


def test_a_chinese_name_lists_name_prefixes_before_company_name_parts(desk, project):
    # given 老张三 (a company: its key 张三 is a part of the name, and sorts first)
    company(project, "老张三", seed=1)
    person(project, "张三丰")
    # when / then
    assert names(desk, "张三") == ["张三丰", "老张三"]


def test_a_company_part_lists_names_starting_with_it_first(desk, project):
    # given 深圳万科 (found by its part 万科, an exact key) registered first
    company(project, "深圳万科", seed=2)
    company(project, "万科物业", seed=3)
    # when / then
    assert names(desk, "万科") == ["万科物业", "深圳万科"]


def test_exact_keys_come_before_longer_ones(desk, project):
    # given 周杰伦 registered before two 周杰
    longer = person(project, "周杰伦")
    first, second = person(project, "周杰"), person(project, "周杰")
    # when / then: the exact key zhoujie sorts before zhoujielun
    assert pks(desk, "zhoujie") == [first.pk, second.pk, longer.pk]


def test_owners_with_the_same_key_keep_the_order_they_were_registered_in(admin, project):
    # given five owners of the same name, the first three shown
    created = [person(project, "王芳").pk for _ in range(5)]
    # when / then: the same order every time
    assert pks(admin, "wangfang", limit=3) == created[:3]
    assert pks(admin, "王芳", limit=3) == created[:3]
    assert pks(admin, "wf", limit=3) == created[:3]


def test_the_window_ranks_more_owners_than_it_shows(desk, project):
    # given three rare "zs" before one usual one, and room for two
    for _ in range(3):
        person(project, "丁思")
    zhang = person(project, "张三")
    # when / then: 张三 is inside the window (limit x factor) and moves first
    assert pks(desk, "zs", limit=2)[0] == zhang.pk


def test_a_phone_shared_by_two_owners_lists_them_in_registration_order(desk, project):
    # given a family phone on two files
    first = make_owner(project, name="刘一", phones=["13700001111"])
    second = make_owner(project, name="刘二", phones=["13700001111"])
    # when / then
    assert pks(desk, "13700001111") == [first.pk, second.pk]


# --- scoping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounds", "first_chunk"),
    [
        (3, 20),  # found in the first round
        (3, 1),  # a first round of other projects' keys only, found in the second
        (1, 1),  # the rounds end first: the scoped query finishes the walk
    ],
)
def test_a_common_prefix_never_shows_other_projects_and_finds_mine(
    monkeypatch, project, other_project, desk, rounds, first_chunk
):
    # given forty 张 in another project, all sorted before mine
    monkeypatch.setattr(selectors, "_WALK_ROUNDS", rounds)
    monkeypatch.setattr(selectors, "_SCOPED_FIRST_CHUNK", first_chunk)
    for index in range(40):
        person(other_project, "张" + "阿" * (index % 4 + 1))
    mine = person(project, "张云")
    # when / then
    assert pks(desk, "zh", limit=5) == [mine.pk]
    assert search_owner_ids(desk, "zh", limit=5) == ("name", [mine.pk])


def test_out_of_scope_owners_are_never_returned(project, other_project, make_user, make_unit):
    # given the same name, phone and house number in two projects
    mine = make_owner(project, name="陈晨", phones=["13600002222"])
    ownership_create(actor=None, owner=mine, unit=make_unit(project, "5-1-0501"))
    theirs = make_owner(other_project, name="陈晨", phones=["13600002222"])
    ownership_create(actor=None, owner=theirs, unit=make_unit(other_project, "5-1-0501"))
    desk = make_user("front_desk", projects=[project])
    # when / then: limit 1 too, so scoping must come before the cut
    for query in ("陈晨", "chenchen", "cc", "13600002222", "5-1-0501"):
        assert pks(desk, query) == [mine.pk], query
        assert pks(desk, query, limit=1) == [mine.pk], query


def test_an_owner_registered_elsewhere_is_found_through_a_unit_here(
    project, other_project, make_user, make_unit
):
    # given 钱七, registered in another project, owning a unit in mine
    owner = person(other_project, "钱七")
    ownership_create(actor=None, owner=owner, unit=make_unit(project, "8-1-0101"))
    desk = make_user("front_desk", projects=[project])
    # when / then
    assert pks(desk, "qq") == [owner.pk]


# --- list rows: only the owners shown, in a fixed number of queries ----------------------


@pytest.mark.parametrize("user_fixture", ["admin", "desk"])
@pytest.mark.parametrize("count", [1, 12])
def test_list_rows_come_with_phone_and_units_in_a_fixed_number_of_queries(
    request, project, make_unit, django_assert_num_queries, user_fixture, count
):
    # given `count` 张 owning a unit each, and a user whose projects are already known
    user = request.getfixturevalue(user_fixture)
    for index in range(count):
        owner = make_owner(project, name="张" + "一二三四五六七八九十百千"[index])
        ownership_create(actor=None, owner=owner, unit=make_unit(project, f"6-1-{index + 1}01"))
    visible_project_ids(user)
    # when
    with django_assert_num_queries(NAME_SEARCH_QUERIES):
        owners = search_owners(user, "zhang", limit=10).owners
        rows = [
            (o.primary_phones[0].number_masked, [s.unit.code for s in o.active_ownerships])
            for o in owners
        ]
    # then
    assert len(rows) == min(count, 10)
    assert all(phone.startswith("1") and len(units) == 1 for phone, units in rows)


def test_a_phone_search_takes_a_fixed_number_of_queries(desk, project, django_assert_num_queries):
    # given
    make_owner(project, name="孙八", phones=["13500003333"])
    visible_project_ids(desk)
    # when / then
    with django_assert_num_queries(PHONE_SEARCH_QUERIES):
        owners = search_owners(desk, "13500003333").owners
        assert [o.primary_phones[0].number_masked for o in owners] == ["135****3333"]


def test_list_rows_are_loaded_for_the_owners_shown_only(admin, project):
    # given 12 matches and room for 4
    for index in range(12):
        make_owner(project, name="李" + "一二三四五六七八九十百千"[index])
    # when
    with CaptureQueriesContext(connection) as captured:
        shown = search_owners(admin, "li", limit=4).owners
    # then: the phones are fetched for the 4 owners shown, not for the 12 candidates
    assert len(shown) == 4
    (phones,) = [q["sql"] for q in captured.captured_queries if "owners_ownerphone" in q["sql"]]
    listed = phones.split(" IN (")[1].split(")")[0]
    assert len(listed.split(",")) == 4


def test_search_owner_ids_loads_no_list_rows(desk, project, django_assert_num_queries):
    # given
    owner = person(project, "周杰")
    visible_project_ids(desk)
    # when / then: the key walk and the readings only
    with django_assert_num_queries(2):
        assert search_owner_ids(desk, "zj") == ("name", [owner.pk])


# --- the stored initials that the ranking reads -----------------------------------------


def test_name_initials_are_stored_on_create(project):
    # when
    zeng = person(project, "曾国藩")
    shan = person(project, "单田芳")
    firm = company(project, "单元科技", seed=4)
    # then: the usual reading, with surname readings for people only
    stored = dict(Owner.objects.values_list("pk", "name_initials"))
    assert (stored[zeng.pk], stored[shan.pk], stored[firm.pk]) == ("zgf", "stf", "dykj")


def test_name_initials_follow_a_rename(admin, project):
    # given
    owner = person(project, "张三")
    # when
    owner_update(
        actor=None,
        owner=owner,
        data=OwnerInput(project_id=project.pk, name="李四", phones=None),
        today=date(2026, 11, 22),
    )
    # then
    owner.refresh_from_db()
    assert (owner.name_pinyin, owner.name_initials) == ("lisi", "ls")
    assert pks(admin, "ls") == [owner.pk]


# --- the plan the walk relies on (PostgreSQL) -------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans only")
@pytest.mark.parametrize("after", [None, ("zhangsan", 7)])
def test_the_key_walk_is_an_ordered_range_scan_of_the_key_index(db, after):
    # given the query the walk sends, and a planner that may not read the whole table
    rows = selectors._key_rows("zh", after).values_list("key", "owner_id")[:60]
    sql, params = rows.query.sql_with_params()
    # when
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then: the "C" collation (migration 0003) lets the (key, owner) index bound the
    # prefix range and give the order, so the LIMIT stops the scan: no sort of all matches
    assert "owner_search_key_order" in plan, plan
    assert "(key >= 'zh'::text) AND (key < 'zi'::text)" in plan, plan
    assert "Sort" not in plan, plan
