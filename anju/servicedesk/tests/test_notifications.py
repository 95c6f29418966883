"""My notifications page, the navbar badge and the administrators' calendar warning."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from anju.servicedesk.context_processors import (
    CALENDAR_PERM,
    CalendarWarning,
    desk,
    desk_summary,
    years_to_check,
)
from anju.servicedesk.models import Milestone, Notification
from anju.servicedesk.services import WorkOrderInput, work_order_accept

NOVEMBER = dt.date(2026, 11, 22)
JUNE = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="warned-admin")


@pytest.fixture
def order(desk, project, owner, unit, leak):
    order, _ = work_order_accept(
        actor=desk,
        data=WorkOrderInput(
            project_id=project.pk,
            type="repair",
            channel="phone",
            description="漏水",
            owner_id=owner.pk,
            unit_id=unit.pk,
            category_id=leak.pk,
        ),
    )
    return order


def _notify(user, count, order=None, read=False):
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind="breached",
                text=f"GD{n}: overdue",
                work_order=order,
                read_at=timezone.now() if read else None,
            )
            for n in range(count)
        ]
    )


# --- the context processor -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "years"),
    [(JUNE, (2026,)), (dt.date(2026, 10, 31), (2026,)), (NOVEMBER, (2026, 2027))],
)
def test_next_year_is_checked_from_november(today, years):
    assert years_to_check(today) == years


def test_an_administrator_is_warned_in_one_query(admin, desk, order, django_assert_num_queries):
    # given a provisional milestone, two unread notifications and a loaded 2026 only
    order.milestones.filter(kind="completion").update(provisional=True)
    _notify(admin, 2)
    _notify(admin, 1, read=True)
    admin.has_perm(CALENDAR_PERM)  # permissions are loaded once per request anyway
    # when the summary is computed in November
    with django_assert_num_queries(1):
        summary = desk_summary(admin, NOVEMBER)
    # then 2027 is missing, one milestone is provisional, two notifications are unread
    assert summary.warning == CalendarWarning(missing_years=(2027,), provisional=1)
    assert summary.unread == 2


def test_no_warning_when_the_years_are_loaded_and_nothing_is_provisional(admin):
    assert desk_summary(admin, JUNE).warning is None


def test_a_provisional_deadline_alone_warns(admin, order):
    Milestone.objects.filter(work_order=order).update(provisional=True)
    warning = desk_summary(admin, JUNE).warning
    assert warning == CalendarWarning(missing_years=(), provisional=order.milestones.count())


def test_in_january_the_current_year_must_be_loaded(admin):
    assert desk_summary(admin, dt.date(2027, 1, 5)).warning.missing_years == (2027,)


def test_the_front_desk_gets_the_badge_but_no_warning(desk, django_assert_num_queries):
    _notify(desk, 3)
    desk.has_perm(CALENDAR_PERM)
    with django_assert_num_queries(1):
        summary = desk_summary(desk, NOVEMBER)
    assert (summary.unread, summary.warning) == (3, None)


def test_the_context_is_lazy_and_shares_one_query(admin, django_assert_num_queries):
    # given a request of a signed-in administrator
    request = RequestFactory().get("/")
    request.user = admin
    admin.has_perm(CALENDAR_PERM)
    # when the context is built, nothing is asked yet
    with django_assert_num_queries(0):
        context = desk(request)
    # then reading both values costs one query
    with django_assert_num_queries(1):
        assert context["desk_unread"] == 0
        assert bool(context["desk_calendar_warning"]) in (True, False)


def test_anonymous_visitors_get_nothing(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert desk(request) == {}


def test_the_banner_and_the_badge_on_a_page(client, admin, desk, monkeypatch):
    # given November 2026 (2027 not loaded) and two unread notifications for the admin
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: NOVEMBER)
    _notify(admin, 2)
    # when the administrator opens any page
    client.force_login(admin)
    page = client.get(reverse("desk_admin:sla_list")).content.decode()
    # then the banner warns about 2027 and the badge counts two
    assert 'id="calendar-warning"' in page and "official holidays of 2027" in page
    assert '<span class="badge text-bg-danger" id="unread-count">2</span>' in page
    # and the front desk sees no banner
    client.force_login(desk)
    assert (
        'id="calendar-warning"' not in client.get(reverse("desk_admin:sla_list")).content.decode()
    )


# --- my notifications ----------------------------------------------------------------


def test_i_see_only_my_unread_notifications(client, desk, manager, order):
    # given mine (two unread, one read) and a manager's
    mine = _notify(desk, 2, order=order)
    _notify(desk, 1, read=True)
    theirs = _notify(manager, 1)
    client.force_login(desk)
    # when I open my notifications
    page = client.get(reverse("desk_admin:notifications")).content.decode()
    # then my unread ones are listed with a way to open the order
    assert page.count("data-notification=") == 2
    assert f'data-notification="{mine[0].pk}"' in page
    assert f'data-notification="{theirs[0].pk}"' not in page
    everything = client.get(reverse("desk_admin:notifications"), {"show": "all"})
    assert everything.content.decode().count("data-notification=") == 3


def test_marking_read_and_opening_the_order(client, desk, order):
    [note] = _notify(desk, 1, order=order)
    client.force_login(desk)
    url = reverse("desk_admin:notification_read", args=[note.pk])
    # when I open it from the list
    response = client.post(url, {"open": "1"})
    # then it is read and I land on the order
    assert response["Location"] == f"/desk/{order.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_404(client, desk, manager):
    [note] = _notify(manager, 1)
    client.force_login(desk)
    url = reverse("desk_admin:notification_read", args=[note.pk])
    assert client.post(url).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_all_read(client, desk, manager):
    _notify(desk, 3)
    _notify(manager, 2)
    client.force_login(desk)
    client.post(reverse("desk_admin:notifications_read_all"))
    assert not Notification.objects.filter(recipient=desk, read_at=None).exists()
    assert Notification.objects.filter(recipient=manager, read_at=None).count() == 2


def test_the_notification_list_query_count_does_not_grow(
    client, desk, order, django_assert_num_queries
):
    client.force_login(desk)
    url = reverse("desk_admin:notifications")
    _notify(desk, 2, order=order)
    client.get(url)
    # session, user, perms (user + group), page count, page, context processor
    with django_assert_num_queries(7):
        client.get(url)
    _notify(desk, 8, order=order)
    with django_assert_num_queries(7):
        assert client.get(url).content.decode().count("data-notification=") == 10


def test_the_bell_refreshes_itself_with_the_unread_count(
    client, desk, django_assert_max_num_queries
):
    client.force_login(desk)
    _notify(desk, 2)
    # session, user, permissions (user + group: the calendar warning's), the unread count
    with django_assert_max_num_queries(5):
        response = client.get(reverse("desk_admin:notification_bell"))
    html = response.content.decode()
    assert 'id="notification-bell"' in html and 'hx-trigger="every 30s"' in html
    assert '<span class="badge text-bg-danger" id="unread-count">2</span>' in html
    client.logout()
    assert client.get(reverse("desk_admin:notification_bell")).status_code == 286
