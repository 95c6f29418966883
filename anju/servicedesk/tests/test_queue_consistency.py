"""The queues as a user works them: the API's queues mean the pages' tabs, filters and
the sort survive working in place, the page size is ours, local days bound the dates,
the back button gets a whole page, saved views keep what is set."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.servicedesk import services
from anju.servicedesk.filters import TABS
from anju.servicedesk.models import Milestone, SavedView, WorkOrder
from anju.servicedesk.sla import refresh_sla_summary

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORDERS = "/api/v1/work-orders/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def accept(actor, project, **fields):
    data = {"type": "enquiry", "channel": "phone", "description": "咨询", **fields}
    order, _ = services.work_order_accept(
        actor=actor, data=services.WorkOrderInput(project_id=project.pk, **data)
    )
    return order


def page_rows(client, **params) -> list[int]:
    response = client.get(reverse("servicedesk:queue"), params)
    assert response.status_code == 200
    return [row.record.pk for row in response.context["table"].page.object_list]


def api_rows(client, **params) -> list[int]:
    response = client.get(ORDERS, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def orders(desk, supervisor, project, make_user):
    """An order in each state a tab tells apart, taken by the desk or by someone else."""
    colleague = make_user("front_desk", projects=[project])
    now = timezone.now()
    taken = accept(desk, project)
    theirs = accept(colleague, project)
    dispatched = accept(colleague, project)
    services.work_order_dispatch(
        actor=desk, order=dispatched, department="engineering", assignee=supervisor
    )
    mine = accept(colleague, project)
    services.work_order_dispatch(
        actor=desk, order=mine, department="customer_service", assignee=desk
    )
    held = accept(desk, project)
    services.work_order_dispatch(actor=desk, order=held, department="engineering", assignee=desk)
    services.work_order_hold(actor=desk, order=held, reason="owner")
    closed = accept(desk, project)
    services.work_order_dispatch(actor=desk, order=closed, department="engineering", assignee=desk)
    services.work_order_resolve(actor=desk, order=closed, note="已答复")
    services.work_order_close(actor=desk, order=closed)
    Milestone.objects.filter(work_order=theirs, kind="dispatch").update(
        due_at=now - timedelta(minutes=1)
    )
    Milestone.objects.filter(work_order=taken, kind="dispatch").update(
        at_risk_at=now - timedelta(minutes=1), due_at=now + timedelta(minutes=5)
    )
    refresh_sla_summary(WorkOrder.objects.all())
    return {"taken": taken, "theirs": theirs, "mine": mine, "held": held, "closed": closed}


@pytest.mark.parametrize("tab", [code for code, _label in TABS])
def test_each_api_queue_lists_what_its_tab_shows(client, api_client_for, desk, orders, tab):
    # given the desk's orders in every state
    client.force_login(desk)
    # when the page's tab and the API's queue are asked for
    shown = page_rows(client, tab=tab)
    listed = api_rows(api_client_for(desk), queue=tab, ordering="-received_at")
    # then they hold the same orders, in the same order
    assert listed == shown


def test_mine_is_what_i_am_responsible_for_and_first_what_i_took(api_client_for, desk, orders):
    api = api_client_for(desk)
    assert set(api_rows(api, queue="mine")) == {orders["mine"].pk, orders["held"].pk}
    assert set(api_rows(api, queue="first")) == {orders["taken"].pk, orders["held"].pk}
    assert set(api_rows(api, queue="unassigned")) == {orders["taken"].pk, orders["theirs"].pk}


def test_next_due_sorts_running_clocks_first_and_the_reverse_puts_them_last(
    client, api_client_for, desk, orders
):
    client.force_login(desk)
    forward = page_rows(client, tab="all", sort="next_due")
    backward = page_rows(client, tab="all", sort="-next_due")
    assert backward == forward[::-1]
    api = api_client_for(desk)
    assert api_rows(api, queue="all", ordering="next_due") == forward
    assert api_rows(api, queue="all", ordering="-next_due") == backward
    # the overdue order's clock is the earliest due
    assert forward[0] == orders["theirs"].pk


def test_only_indexed_columns_sort(client, desk, orders):
    client.force_login(desk)
    html = client.get(reverse("servicedesk:queue"), {"tab": "all"}).content.decode()
    assert "sort=type" not in html and "sort=status" not in html
    assert "sort=received_at" in html and "sort=next_due" in html
    # a sort by another column, typed into the URL, is ignored
    assert page_rows(client, tab="all", sort="type") == page_rows(client, tab="all")


@pytest.mark.parametrize("per_page", ["-1", "0", "10000", "abc"])
def test_the_page_size_is_ours(client, desk, orders, settings, per_page):
    settings.ANJU_PAGE_SIZE = 2
    client.force_login(desk)
    for headers in ({}, HTMX):
        response = client.get(
            reverse("servicedesk:queue"), {"tab": "all", "per_page": per_page}, **headers
        )
        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == 2


@pytest.mark.parametrize(
    "url",
    ["owners:list", "properties:project_list", "properties:unit_list", "audit:change_log"],
)
def test_other_lists_keep_their_page_size_too(client, make_user, project, url):
    client.force_login(make_user("administrator", projects=[project]))
    response = client.get(reverse(url), {"per_page": "-1"})
    assert response.status_code == 200


def test_a_filter_chosen_in_place_is_kept_by_the_tabs_and_keeps_the_sort(
    client, desk, orders, project
):
    client.force_login(desk)
    # when the desk, sorted by next due, picks a project in place (htmx)
    response = client.get(
        reverse("servicedesk:queue"),
        {"tab": "all", "sort": "next_due", "project": project.pk},
        **HTMX,
    )
    html = response.content.decode()
    # then the tabs come with the table, out of band, carrying the filter and the sort
    assert 'id="queue-tabs" hx-swap-oob="true"' in html
    assert f"project={project.pk}" in html.split('id="queue-tabs"')[1]
    assert "sort=next_due" in html.split('id="queue-tabs"')[1]
    # and the full page's filter form carries the sort
    page = client.get(reverse("servicedesk:queue"), {"tab": "all", "sort": "next_due"})
    assert '<input type="hidden" name="sort" value="next_due">' in page.content.decode()


def test_the_back_button_gets_the_whole_page(client, desk, orders):
    client.force_login(desk)
    restore = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    response = client.get(reverse("servicedesk:queue"), {"tab": "all"}, **restore)
    assert 'id="queue-filter"' in response.content.decode()
    partial = client.get(reverse("servicedesk:queue"), {"tab": "all"}, **HTMX)
    assert 'id="queue-filter"' not in partial.content.decode()
    assert "HX-Request" in partial["Vary"] and "HX-Request" in response["Vary"]


def test_dates_are_local_days(client, desk, project):
    # given orders reported late on 11-20 and just after midnight on 11-21 (Shanghai)
    late = accept(desk, project, received_at=datetime(2026, 11, 20, 23, 30, tzinfo=SHANGHAI))
    early = accept(desk, project, received_at=datetime(2026, 11, 21, 0, 10, tzinfo=SHANGHAI))
    client.force_login(desk)
    # when filtering by day
    day = date(2026, 11, 20).isoformat()
    next_day = date(2026, 11, 21).isoformat()
    # then each order is on its own local day
    assert page_rows(client, tab="all", received_from=day, received_to=day) == [late.pk]
    assert page_rows(client, tab="all", received_from=next_day, received_to=next_day) == [early.pk]


def test_a_saved_view_keeps_only_what_is_set(client, desk):
    client.force_login(desk)
    query = "tab=all&project=&building=&type=repair&q=&status=&page=3"
    client.post(reverse("servicedesk:saved_view_create"), {"name": "报修", "query": query})
    assert SavedView.objects.get(user=desk).query == "tab=all&type=repair"


def test_a_long_search_is_saved_and_a_too_long_one_says_why(client, desk):
    client.force_login(desk)
    long_text = "漏水" * 60  # 120 characters: over a thousand once percent-encoded
    client.post(reverse("servicedesk:saved_view_create"), {"name": "长", "query": f"q={long_text}"})
    assert SavedView.objects.get(user=desk, name="长")
    response = client.post(
        reverse("servicedesk:saved_view_create"),
        {"name": "太长", "query": f"q={'漏' * 400}"},
        follow=True,
    )
    assert "筛选条件太长" in response.content.decode()
    assert not SavedView.objects.filter(name="太长").exists()
