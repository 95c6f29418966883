"""The front desk's story in a real browser: find an owner, reveal the ID, the auditor sees it.

Covers issue 2's browser test: sign in (Chinese UI by default), one-box quick search by
pinyin initials, the owner 360° page with the ID masked, a reveal with a reason, and the
access-log row read by an auditor. A second test pins the other search kinds and scoping.
"""

from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, Response

from anju.core.testing.factories import (
    BuildingFactory,
    PhaseFactory,
    UnitFactory,
    hand_over,
    make_owner,
)
from anju.core.testing.fixtures import PASSWORD
from anju.owners.models import Owner
from anju.properties.models import Project, unit_code
from anju.security.models import User

ID_NUMBER = "11010119850312005X"
ID_MASKED = "110***********005X"
PHONE = "13800138000"
UNIT_CODE = "3-2-1801"
REASON = "业主来电核对身份"
SCREENSHOT = "/tmp/anju-360.png"


@pytest.fixture
def zhang(project: Project) -> Owner:
    """张三, handed the keys of 3-2-1801 in 2025, with a known ID number and mobile."""
    owner = make_owner(
        project,
        name="张三",
        id_number=ID_NUMBER,
        phones=[PHONE],
        gender="M",
        birth_date=date(1985, 3, 12),
    )
    building = BuildingFactory(phase=PhaseFactory(project=project), project=project, number="3")
    unit = UnitFactory.create(
        building=building, project=project, entrance="2", room="1801", floor=18,
        code=unit_code("3", "2", "1801"),
    )  # fmt: skip
    hand_over(owner, unit, contract_date=date(2024, 1, 15), handover_date=date(2025, 6, 30))
    return owner


def sign_in(page: Page, user: User) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: reverse("login") not in url)


def sign_out(page: Page) -> None:
    page.click(f"nav form[action='{reverse('logout')}'] button")
    page.wait_for_url(f"**{reverse('login')}*")


def quick_search(page: Page, text: str) -> Locator:
    """Type into the navbar box; returns the results list once htmx has shown them for `text`."""
    page.eval_on_selector("#global-search-results", "box => { box.innerHTML = ''; }")
    path = reverse("owners:quick_search")

    def answers_text(response: Response) -> bool:
        url = urlsplit(response.url)
        return url.path == path and parse_qs(url.query).get("q") == [text]

    with page.expect_response(answers_text) as response:
        page.fill("#global-search", text)
    assert response.value.ok
    results = page.locator("#global-search-results #quick-search-results")
    results.wait_for()
    return results


def test_front_desk_finds_owner_reveals_id_and_auditor_sees_the_access(
    new_page: Callable[..., Page],
    project: Project,
    make_user: Callable[..., User],
    zhang: Owner,
) -> None:
    # given a front-desk user of the project and an auditor
    desk = make_user("front_desk", projects=[project], name="前台李娜")
    auditor = make_user("auditor", name="审计王芳")
    page = new_page()

    # when the front desk opens the console
    page.goto(reverse("login"))
    # then it speaks Chinese
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # when they sign in and type the owner's pinyin initials in the navbar search box
    sign_in(page, desk)
    results = quick_search(page, "zs")
    # then 张三 is offered, and clicking the hit opens the 360° page
    results.locator(".search-hit", has_text="张三").click()
    page.wait_for_url(f"**{reverse('owners:detail', args=[zhang.pk])}")
    # and the ID number is masked, the clear value nowhere in the HTML
    assert page.locator("#owner-id-number").inner_text().strip() == ID_MASKED
    html = page.content()
    assert ID_NUMBER not in html
    assert PHONE not in html
    assert UNIT_CODE in page.locator("#owner-units").inner_text()

    # when they reveal the ID number with a reason
    page.click("#reveal-button")
    page.fill("#reveal-form textarea[name=reason]", REASON)
    page.click("#reveal-form button[type=submit]")
    # then the clear number is shown
    revealed = page.locator("#revealed-id-number")
    revealed.wait_for()
    assert revealed.inner_text().strip() == ID_NUMBER
    page.screenshot(path=SCREENSHOT, full_page=True)

    # when they sign out and the auditor opens the access log
    sign_out(page)
    sign_in(page, auditor)
    page.goto(reverse("audit:access_log"))
    # then the reveal is there: who, whose, why
    row = page.locator("#access-log tbody tr", has_text=REASON)
    assert row.count() == 1
    text = row.inner_text()
    assert str(desk) in text
    assert "张三" in text
    assert ID_NUMBER not in page.content()


def test_quick_search_by_phone_and_unit_stays_within_the_users_projects(
    new_page: Callable[..., Page],
    project: Project,
    other_project: Project,
    make_user: Callable[..., User],
    zhang: Owner,
) -> None:
    # given a front-desk user of the project and one of another project
    desk = make_user("front_desk", projects=[project])
    stranger = make_user("front_desk", projects=[other_project])
    page = new_page()
    sign_in(page, desk)

    for text in (PHONE, UNIT_CODE):
        # when the front desk types a full phone number or a unit number
        results = quick_search(page, text)
        # then 张三 is the one hit
        hits = results.locator(".search-hit")
        assert hits.count() == 1
        assert "张三" in hits.inner_text()
        assert hits.get_attribute("href") == reverse("owners:detail", args=[zhang.pk])

    # when the user of another project types the same
    other = new_page(locale="fr-FR")  # no language the site offers: the default applies
    sign_in(other, stranger)
    assert other.locator("html").get_attribute("lang") == "zh-hans"
    for text in (PHONE, UNIT_CODE, "zs"):
        results = quick_search(other, text)
        # then nothing is found
        assert results.locator(".search-hit").count() == 0
        assert "张三" not in results.inner_text()
