"""The front desk's one search box: phone, ID number, unit, name, pinyin, company."""

import pytest

from anju.core.testing.factories import make_owner
from anju.owners.inputs import OwnerInput
from anju.owners.rules.idtypes import IdType
from anju.owners.selectors import search_owners
from anju.owners.services import owner_create, ownership_create
from anju.owners.tests.conftest import ID_18, resident_id

ID_15 = "110105850312123"  # the same man's legacy number
ID_X = resident_id(county="440305", birth="19900101", sequence="019")  # ends in X


@pytest.fixture
def others(project):
    return [
        make_owner(project, name="李四"),
        make_owner(project, name="王五", phones=["13900001111"]),
        make_owner(project, name="张珊珊"),
    ]


def found(user, query):
    result = search_owners(user, query)
    return result.kind, [owner.name for owner in result.owners]


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("13812345678", "phone"),
        ("138 1234 5678", "phone"),
        ("+86 138-1234-5678", "phone"),
        (ID_18, "id_number"),
        (ID_18.lower(), "id_number"),
        (ID_15, "id_number"),
        ("3-2-1801", "unit"),
        ("3栋2单元1801", "unit"),
        ("3栋2单元1801室", "unit"),
        ("张三", "name"),
        ("zhangsan", "name"),
        ("ZhangSan", "name"),
        ("zs", "name"),
    ],
)
def test_each_kind_of_search_finds_zhang_san(desk, zhang, others, query, kind):
    # when
    result_kind, names = found(desk, query)
    # then
    assert result_kind == kind
    assert "张三" in names
    if kind != "name":
        assert names == ["张三"]


def test_initials_find_every_matching_owner(desk, zhang, others):
    # when / then: "zs" is also the start of 张珊珊's initials (zss)
    assert set(found(desk, "zs")[1]) == {"张三", "张珊珊"}
    assert found(desk, "zhangshan")[1] == ["张珊珊"]
    assert found(desk, "ls")[1] == ["李四"]


def test_an_id_ending_in_x(desk, project):
    # given
    assert ID_X.endswith("X")
    make_owner(project, name="赵六", id_number=ID_X)
    # when / then
    assert found(desk, ID_X.lower()) == ("id_number", ["赵六"])


def test_company_name_substring(desk, project):
    # given
    owner_create(
        actor=None,
        data=OwnerInput(
            project_id=project.pk,
            name="深圳市万科物业服务有限公司",
            kind="company",
            id_type=IdType.BUSINESS_LICENCE,
            id_number="91440305JURQ283FQP",
        ),
    )
    # when / then
    for query in ("万科", "万科物业", "深圳市万科", "shenzhenshiwanke"):
        assert found(desk, query)[1] == ["深圳市万科物业服务有限公司"], query


def test_nothing_found(desk, zhang):
    assert found(desk, "13700000000") == ("phone", [])
    assert found(desk, "9-9-9999")[1] == []
    assert found(desk, "欧阳") == ("name", [])
    assert found(desk, "  ") == ("empty", [])


def test_a_user_of_another_project_finds_nothing(other_project, make_user, zhang, others):
    # given
    stranger = make_user("front_desk", projects=[other_project])
    # when / then
    for query in ("13812345678", ID_18, ID_15, "3-2-1801", "张三", "zhangsan", "zs"):
        assert found(stranger, query)[1] == [], query


def test_an_owner_with_a_unit_in_my_project_is_found(project, other_project, make_user, make_unit):
    # given an owner registered elsewhere who owns a unit here
    owner = make_owner(other_project, name="钱七")
    ownership_create(actor=None, owner=owner, unit=make_unit(project, "8-1-0101"))
    desk = make_user("front_desk", projects=[project])
    # when / then
    assert found(desk, "qianqi")[1] == ["钱七"]
    assert found(desk, "8-1-0101")[1] == ["钱七"]


def test_limit(desk, project):
    # given
    for _ in range(5):
        make_owner(project, name="周杰")
    # when
    result = search_owners(desk, "zhoujie", limit=3)
    # then
    assert len(result.owners) == 3


def test_a_common_prefix_is_scoped_before_the_limit(project, other_project, desk):
    # given many 张 in another project, sorted before mine, and one in my project
    for index in range(25):
        make_owner(other_project, name="张" + "阿" * (index % 3 + 1), phones=[])
    mine = make_owner(project, name="张云", phones=[])

    # when I search a prefix every one of them shares
    result = search_owners(desk, "zh", limit=5)

    # then my owner is found even though the other project's owners come first in key order
    assert [owner.pk for owner in result.owners] == [mine.pk]


def test_usual_readings_come_before_rare_ones(desk, project):
    # given 丁思, whose 丁 can also be read zheng, registered before 张三
    make_owner(project, name="丁思", phones=[])
    zhang = make_owner(project, name="张三", phones=[])

    # when the front desk types the initials zs
    result = search_owners(desk, "zs")

    # then 张三 (usual reading) is listed first
    assert result.owners[0].pk == zhang.pk
