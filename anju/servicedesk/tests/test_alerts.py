"""群诉预警 end to end: the threshold through work_order_accept, and the alert pages."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from anju.core.testing.factories import BuildingFactory, UnitFactory, make_owner
from anju.servicedesk.models import Category, GroupComplaintAlert, WorkOrder
from anju.servicedesk.services import WorkOrderInput, group_alert_close, work_order_accept

OPEN = GroupComplaintAlert.Status.OPEN


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.ANJU_GROUP_COMPLAINT_OWNERS = 5
    settings.ANJU_GROUP_COMPLAINT_DAYS = 7


@pytest.fixture
def building(unit):
    return unit.building


@pytest.fixture
def neighbours(project, building):
    """Seven owners, each in their own unit of the same building."""
    return [
        (make_owner(project, name=f"业主{n}"), UnitFactory(building=building)) for n in range(7)
    ]


@pytest.fixture
def complain(desk, project, leak):
    def complain(owner, unit, *, days_ago=0, category=None):
        order, _ = work_order_accept(
            actor=desk,
            data=WorkOrderInput(
                project_id=project.pk,
                type="complaint",
                channel="phone",
                description="卫生间渗漏一直没修好",
                owner_id=owner.pk,
                unit_id=unit.pk,
                category_id=(category or leak).pk,
                received_at=timezone.now() - timedelta(days=days_ago, minutes=1),
            ),
        )
        return order

    return complain


def _alerts():
    return list(GroupComplaintAlert.objects.all())


# --- the threshold -------------------------------------------------------------------


def test_the_fifth_distinct_owner_raises_one_alert(neighbours, complain, building, leak):
    # given four owners of one building complaining about leaks
    orders = [complain(owner, unit) for owner, unit in neighbours[:4]]
    assert _alerts() == []
    # when a fifth owner complains
    orders.append(complain(*neighbours[4]))
    # then exactly one alert is raised, for the building, with the five orders
    [alert] = _alerts()
    assert (alert.status, alert.owner_count, alert.category) == (OPEN, 5, leak)
    assert alert.building == building and alert.scope_key == f"building:{building.pk}"
    assert set(alert.orders.all()) == set(orders)


def test_a_sixth_owner_joins_the_same_alert(neighbours, complain):
    # given an alert raised by five owners
    for owner, unit in neighbours[:5]:
        complain(owner, unit)
    # when a sixth complains
    sixth = complain(*neighbours[5])
    # then the same alert counts six owners and links the sixth order
    [alert] = _alerts()
    assert alert.owner_count == 6
    assert alert.orders.count() == 6 and alert.orders.filter(pk=sixth.pk).exists()


def test_an_open_alert_takes_its_place_s_complaints_without_counting(neighbours, complain):
    # given an alert raised by five owners, still open when their complaints have left the
    # window (as if ten days had passed)
    first = [complain(owner, unit) for owner, unit in neighbours[:5]]
    [alert] = _alerts()
    WorkOrder.objects.filter(pk__in=[o.pk for o in first]).update(
        received_at=F("received_at") - timedelta(days=10)
    )
    # when one of them complains again and a new owner too
    again = complain(*neighbours[0])
    new = complain(*neighbours[5])
    # then both join the open alert; only the new owner adds to its count
    alert.refresh_from_db()
    assert alert.owner_count == 6
    assert {again.pk, new.pk} <= set(alert.orders.values_list("pk", flat=True))
    assert len(_alerts()) == 1


def test_complaints_older_than_the_window_do_not_count(neighbours, complain):
    # given four owners who complained eight days ago
    for owner, unit in neighbours[:4]:
        complain(owner, unit, days_ago=8)
    # when a fifth complains today
    complain(*neighbours[4])
    # then nothing is raised: only one owner within seven days
    assert _alerts() == []


def test_the_same_owner_twice_counts_once(neighbours, complain):
    # given four owners, one of whom complains twice
    for owner, unit in neighbours[:4]:
        complain(owner, unit)
    complain(*neighbours[3])
    # then five complaints from four owners raise nothing
    assert _alerts() == []
    # when a fifth distinct owner complains, the alert counts five owners
    complain(*neighbours[4])
    [alert] = _alerts()
    assert alert.owner_count == 5 and alert.orders.count() == 6


def test_another_category_does_not_count(neighbours, complain):
    windows = Category.objects.get(path="土建 › 门窗")
    for owner, unit in neighbours[:4]:
        complain(owner, unit)
    complain(*neighbours[4], category=windows)
    assert _alerts() == []


def test_a_closed_alert_lets_a_new_one_be_raised(neighbours, complain, manager):
    # given an alert that a manager closed
    for owner, unit in neighbours[:5]:
        complain(owner, unit)
    [first] = _alerts()
    group_alert_close(actor=manager, alert=first, note="已统一维修")
    # when another owner complains while the window still holds five owners
    complain(*neighbours[5])
    # then a new open alert is raised and the closed one stays closed
    first.refresh_from_db()
    assert first.status == GroupComplaintAlert.Status.CLOSED and first.owner_count == 5
    [new] = GroupComplaintAlert.objects.filter(status=OPEN)
    assert new.pk != first.pk and new.owner_count == 6


def test_complaints_across_buildings_raise_a_phase_alert(project, building, complain):
    # given three owners in one building and two in another building of the same phase
    other = BuildingFactory(phase=building.phase, project=project)
    places = [building] * 3 + [other] * 2
    for n, place in enumerate(places):
        complain(make_owner(project, name=f"住户{n}"), UnitFactory(building=place))
    # then one alert is raised, for the phase
    [alert] = _alerts()
    assert alert.phase_id == building.phase_id and alert.building is None
    assert alert.owner_count == 5


# --- the pages -----------------------------------------------------------------------


@pytest.fixture
def alert(neighbours, complain):
    for owner, unit in neighbours[:5]:
        complain(owner, unit)
    return GroupComplaintAlert.objects.get()


@pytest.fixture
def outsider(make_user, other_project):
    return make_user("manager", projects=[other_project])


def test_anonymous_is_sent_to_login(client, alert):
    for url in (reverse("desk_admin:alerts"), reverse("desk_admin:alert_detail", args=[alert.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_user_without_the_permission_gets_403(client, make_user, project, alert):
    client.force_login(make_user(None, projects=[project]))
    assert client.get(reverse("desk_admin:alerts")).status_code == 403
    assert client.get(reverse("desk_admin:alert_detail", args=[alert.pk])).status_code == 403


def test_the_manager_sees_the_alert_and_its_orders(client, manager, alert):
    client.force_login(manager)
    # when the manager opens the open tab and the alert
    listing = client.get(reverse("desk_admin:alerts"))
    detail = client.get(reverse("desk_admin:alert_detail", args=[alert.pk]))
    # then the alert is listed and its five orders link to their pages
    assert f'data-alert="{alert.pk}"' in listing.content.decode()
    page = detail.content.decode()
    for order in alert.orders.all():
        assert f'href="/desk/{order.pk}/"' in page
    assert 'id="take-form"' in page and 'id="close-form"' in page


def test_another_projects_manager_gets_404_and_an_empty_list(client, outsider, alert):
    client.force_login(outsider)
    listing = client.get(reverse("desk_admin:alerts"))
    assert f'data-alert="{alert.pk}"' not in listing.content.decode()
    assert client.get(reverse("desk_admin:alert_detail", args=[alert.pk])).status_code == 404
    take = client.post(reverse("desk_admin:alert_take", args=[alert.pk]))
    assert take.status_code == 404
    assert GroupComplaintAlert.objects.get(pk=alert.pk).status == OPEN


def test_the_front_desk_may_look_but_not_take_or_close(client, desk, alert):
    client.force_login(desk)
    page = client.get(reverse("desk_admin:alert_detail", args=[alert.pk])).content.decode()
    assert 'id="take-form"' not in page
    assert client.post(reverse("desk_admin:alert_take", args=[alert.pk])).status_code == 403
    close = client.post(reverse("desk_admin:alert_close", args=[alert.pk]), {"close-note": "x"})
    assert close.status_code == 403
    assert GroupComplaintAlert.objects.get(pk=alert.pk).status == OPEN


def test_the_manager_takes_then_closes_with_a_note(client, manager, alert):
    client.force_login(manager)
    # when the manager takes the alert
    client.post(reverse("desk_admin:alert_take", args=[alert.pk]), {"take-note": "组织排查"})
    alert.refresh_from_db()
    assert (alert.status, alert.handled_by, alert.note) == ("handling", manager, "组织排查")
    # then closing without a note is refused, and with a note it closes
    client.post(reverse("desk_admin:alert_close", args=[alert.pk]), {"close-note": ""})
    alert.refresh_from_db()
    assert alert.status == "handling"
    client.post(reverse("desk_admin:alert_close", args=[alert.pk]), {"close-note": "已统一维修"})
    alert.refresh_from_db()
    assert (alert.status, alert.note) == ("closed", "已统一维修") and alert.closed_at
    # and the closed tab lists it
    closed = client.get(reverse("desk_admin:alerts"), {"status": "closed"}).content.decode()
    assert f'data-alert="{alert.pk}"' in closed


def test_taking_twice_is_refused_with_a_message(client, manager, alert):
    client.force_login(manager)
    client.post(reverse("desk_admin:alert_take", args=[alert.pk]))
    response = client.post(reverse("desk_admin:alert_take", args=[alert.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"


def test_the_alert_list_query_count_does_not_grow(
    client, manager, project, leak, django_assert_num_queries
):
    # given two open alerts, then ten
    def raise_alerts(count):
        for _ in range(count):
            building = BuildingFactory(phase__project=project, project=project)
            GroupComplaintAlert.objects.create(
                project=project,
                building=building,
                scope_key=f"building:{building.pk}",
                category=leak,
                owner_count=5,
            )

    client.force_login(manager)
    url = reverse("desk_admin:alerts")
    raise_alerts(2)
    client.get(url)  # warm the session
    with django_assert_num_queries(ALERT_LIST_QUERIES):
        assert client.get(url).status_code == 200
    raise_alerts(8)
    with django_assert_num_queries(ALERT_LIST_QUERIES):
        assert client.get(url).content.decode().count("data-alert=") == 10


# session, user, perms (user + group), projects, tab counts, page count, page, context processor
ALERT_LIST_QUERIES = 9
