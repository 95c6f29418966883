"""The front desk's phone repair in a real browser: intake, dispatch, the supervisor's queue.

Covers issue 3's browser test: the front desk logs a repair for an owner found by phone
number, dispatches it in under a minute, and the repair supervisor sees it in their queue.
And the intake page's script: a unit of the owner's second project chooses that project
and the first responders who work on it, also on a form sent back with an error.
The desk's seed (categories, SLA policies, calendar) is replayed by conftest.desk_seed.
"""

import re
import time
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse
from playwright.sync_api import Page, expect

from anju.core.testing.factories import BuildingFactory, PhaseFactory, UnitFactory
from anju.core.testing.fixtures import PASSWORD
from anju.owners.models import Owner
from anju.owners.services import ownership_create
from anju.properties.models import Project, Unit, unit_code
from anju.security.models import User
from anju.servicedesk.models import Category, WorkOrder

PHONE = "13800138000"
UNIT_CODE = "3-2-1801"
DESCRIPTION = "主卫淋浴区地面渗水，楼下1701天花板有水迹"
# The product requirement from the issue; the real figure is a few seconds.
DISPATCH_LIMIT_SECONDS = 60
INTAKE_SCREENSHOT = "/tmp/desk-intake.png"
ORDER_SCREENSHOT = "/tmp/desk-order.png"


@pytest.fixture
def unit(project: Project) -> Unit:
    """3-2-1801: building 3, entrance 2, room 1801 (the conftest's owner 张三 owns it)."""
    building = BuildingFactory(phase=PhaseFactory(project=project), project=project, number="3")
    return UnitFactory.create(
        building=building, project=project, entrance="2", room="1801", floor=18,
        code=unit_code("3", "2", "1801"),
    )  # fmt: skip


def sign_in(page: Page, user: User) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: reverse("login") not in url)


def submit(page: Page, button: str) -> None:
    """Click a form's button and wait for the page that answers (the next one, or the form)."""
    with page.expect_navigation():
        page.click(button)


def form_errors(page: Page) -> list[str]:
    """The errors of a form sent back, for the failure message."""
    return page.locator(".invalid-feedback, .alert-danger").all_inner_texts()


def order_id(page: Page) -> int:
    match = resolve(urlsplit(page.url).path)
    assert match.view_name == "servicedesk:detail", form_errors(page)
    return int(match.kwargs["pk"])


def test_front_desk_logs_and_dispatches_a_phone_repair_the_supervisor_sees_it(
    new_page: Callable[..., Page],
    project: Project,
    unit: Unit,
    owner: Owner,
    desk: User,
    supervisor: User,
    leak: Category,
) -> None:
    # given 张三 owning 3-2-1801, a front desk and a repair supervisor of the project
    assert unit.code == UNIT_CODE
    page = new_page()
    sign_in(page, desk)

    # when the front desk opens the intake page from the navbar, as the phone rings
    page.click("#nav-servicedesk")
    page.wait_for_url(f"**{reverse('servicedesk:queue')}")
    started = time.monotonic()
    page.click("#order-create")
    page.wait_for_url(f"**{reverse('servicedesk:create')}")
    # then it speaks Chinese
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # when they type the caller's number and pick the hit
    page.fill("#owner-search", PHONE)
    hit = page.locator("#owner-hits .owner-hit", has_text="张三")
    expect(hit).to_have_count(1)
    # then the hit shows the masked number only
    assert PHONE not in page.locator("#owner-hits").inner_html()
    hit.locator(".owner-option").check()
    # and the owner's one unit fills in
    expect(page.locator("#id_unit")).to_have_value(str(unit.pk))
    assert UNIT_CODE in page.locator("#id_unit option:checked").inner_text()

    # when they choose the category, describe the leak, keep the phone channel and accept
    page.select_option("#id_category", label=leak.path)
    page.fill("#id_description", DESCRIPTION)
    expect(page.locator("#id_channel")).to_have_value(WorkOrder.Channel.PHONE)
    expect(page.locator("#id_type_0")).to_be_checked()  # repair, the default type
    page.screenshot(path=INTAKE_SCREENSHOT, full_page=True)
    submit(page, "#accept-button")
    # then the order page opens, the order accepted for 张三's unit
    pk = order_id(page)
    expect(page.locator("#order-status")).to_have_attribute("data-status", "accepted")
    assert "张三" in page.locator("#order-owner").inner_text()
    assert UNIT_CODE in page.locator("#order-unit").inner_text()
    assert leak.path in page.locator("#order-category").inner_text()

    # when they dispatch it to engineering with the supervisor responsible
    form = page.locator("#dispatch-form")
    form.locator("[name=department]").select_option(WorkOrder.Department.ENGINEERING)
    form.locator("[name=assignee]").select_option(str(supervisor.pk))
    submit(page, "#dispatch-button")
    # then the order is dispatched and the dispatch milestone met, all within a minute
    status = page.locator("#order-status[data-status=dispatched]")
    assert status.count() == 1, form_errors(page)
    elapsed = time.monotonic() - started
    print(f"\nphone repair: intake page to dispatched in {elapsed:.1f} s")
    assert elapsed < DISPATCH_LIMIT_SECONDS
    dispatch = page.locator("#milestone-table tr.milestone-row[data-kind=dispatch]")
    expect(dispatch).to_have_attribute("data-state", "met")
    # (the official calendar is loaded: no deadline is provisional)
    expect(page.locator("#milestone-table .provisional-badge")).to_have_count(0)
    assert str(supervisor) in page.locator("#order-assignee").inner_text()
    page.screenshot(path=ORDER_SCREENSHOT, full_page=True)

    # when the supervisor signs in and opens the queue
    other = new_page()
    sign_in(other, supervisor)
    other.goto(reverse("servicedesk:queue"))
    # then it speaks Chinese, "my orders" is the tab shown, and the order is in it
    assert other.locator("html").get_attribute("lang") == "zh-hans"
    expect(other.locator("#tab-mine")).to_have_class(re.compile(r"\bactive\b"))
    row = other.locator(f"#queue-table tr.queue-row[data-order-id='{pk}']")
    expect(row).to_have_count(1)
    assert UNIT_CODE in row.inner_text()
    assert "张三" in row.inner_text()


def test_a_unit_of_the_owners_second_project_sets_the_project_and_its_first_responders(
    new_page: Callable[..., Page],
    project: Project,
    other_project: Project,
    unit: Unit,
    owner: Owner,
    desk: User,
    leak: Category,
    make_user: Callable[..., User],
) -> None:
    # given 张三 also owns a unit of a second project the desk works on, a sales consultant
    # of each project, and a repair of the first unit sent back for its missing category
    desk.projects.add(other_project)
    second: Unit = UnitFactory.create(
        building__phase__project=other_project, building__project=other_project
    )
    ownership_create(
        actor=None, owner=owner, unit=second, share=100, status="handed_over",
        contract_date=date(2023, 1, 5), handover_date=date(2024, 6, 30),
    )  # fmt: skip
    here = make_user("sales_consultant", projects=[project], name="王销售")
    there = make_user("sales_consultant", projects=[other_project], name="钱销售")
    page = new_page()
    sign_in(page, desk)
    page.goto(f"{reverse('servicedesk:create')}?owner={owner.pk}")
    page.select_option("#id_unit", str(unit.pk))
    page.fill("#id_description", DESCRIPTION)
    submit(page, "#accept-button")
    assert reverse("servicedesk:create") in page.url and form_errors(page)
    expect(page.locator("#id_project")).to_have_value(str(project.pk))
    responder = page.locator("#id_first_responder")
    expect(responder.locator(f"option[value='{there.pk}']")).to_be_disabled()

    # when the desk picks the unit of the second project on the form sent back
    page.select_option("#id_unit", str(second.pk))
    # then the project follows the unit, and so do the first responders offered
    expect(page.locator("#id_project")).to_have_value(str(other_project.pk))
    expect(responder.locator(f"option[value='{here.pk}']")).to_be_disabled()
    expect(responder.locator(f"option[value='{there.pk}']")).to_be_enabled()

    # when the call was the consultant's, and the desk accepts with the category
    responder.select_option(str(there.pk))
    page.select_option("#id_category", label=leak.path)
    submit(page, "#accept-button")
    # then the order is for the second unit and project, the consultant its first responder
    order = WorkOrder.objects.get(pk=order_id(page))
    assert (order.project_id, order.unit_id) == (other_project.pk, second.pk)
    assert order.first_responder_id == there.pk
