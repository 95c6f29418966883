"""Administration pages: calendar, SLA policies, categories; permissions and query counts."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from anju.servicedesk.calendar import working_calendar
from anju.servicedesk.models import CalendarDay, CalendarYear, Category, SlaPolicy, SlaTarget

ADMIN_PAGES = ["calendar", "calendar_enter", "sla_list", "sla_create", "categories"]
VIEW_PAGES = ["calendar", "sla_list", "categories"]
ADMIN_ONLY_PAGES = ["calendar_enter", "sla_create"]
POSTS = ["calendar_load", "calendar_amend", "category_add"]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="desk-admin")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _url(name, *args):
    return reverse(f"desk_admin:{name}", args=args)


# --- permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [*ADMIN_PAGES, "notifications"])
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(_url(name))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("name", VIEW_PAGES)
def test_a_user_without_a_role_gets_403(client, make_user, project, name):
    client.force_login(make_user(None, projects=[project]))
    assert client.get(_url(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_administrator_opens_every_page(admin_client, name):
    assert admin_client.get(_url(name)).status_code == 200


@pytest.mark.parametrize("name", VIEW_PAGES)
def test_the_front_desk_may_look_without_actions(client, desk, name):
    client.force_login(desk)
    page = client.get(_url(name)).content.decode()
    assert '<form method="post"' not in page


@pytest.mark.parametrize("name", ADMIN_ONLY_PAGES)
def test_the_front_desk_gets_403_on_edit_pages(client, desk, name):
    client.force_login(desk)
    assert client.get(_url(name)).status_code == 403


@pytest.mark.parametrize("name", POSTS)
def test_the_front_desk_cannot_post_changes(client, desk, name):
    # given the front desk
    client.force_login(desk)
    before = (CalendarYear.objects.count(), CalendarDay.objects.count(), Category.objects.count())
    # when they post a change / then 403 and nothing changed
    data = {"year": 2026, "date": "2026-06-09", "kind": "extra_day_off", "name": "X"}
    assert client.post(_url(name), data).status_code == 403
    after = (CalendarYear.objects.count(), CalendarDay.objects.count(), Category.objects.count())
    assert after == before


def test_the_front_desk_cannot_edit_a_policy_or_category(client, desk):
    client.force_login(desk)
    policy, category = SlaPolicy.objects.first(), Category.objects.first()
    assert client.get(_url("sla_edit", policy.pk)).status_code == 403
    assert client.post(_url("category_rename", category.pk), {"name": "X"}).status_code == 403
    assert client.post(_url("category_toggle", category.pk)).status_code == 403
    day = CalendarDay.objects.create(date=dt.date(2026, 6, 9), kind="extra_day_off")
    assert client.post(_url("calendar_remove", day.pk)).status_code == 403


def test_changes_need_post(admin_client):
    assert admin_client.get(_url("calendar_load")).status_code == 405


# --- the working calendar ------------------------------------------------------------


def test_the_calendar_lists_years_and_marks_days(admin_client):
    # given a company day off in 2026
    CalendarDay.objects.create(date=dt.date(2026, 6, 9), kind="extra_day_off", name="团建")
    # when the administrator opens 2026
    response = admin_client.get(_url("calendar"), {"year": 2026})
    page = response.content.decode()
    # then the loaded years show their working days, and the days their kind
    row = next(r for r in response.context["years"] if r["entry"].year == 2026)
    assert row["working_days"] == working_calendar().working_days_in_year(2026)
    assert row["holidays"] > 0 and row["makeup"] == 6
    assert 'data-date="2026-10-01" data-kind="holiday" data-workday="0"' in page
    assert 'data-date="2026-10-10" data-kind="makeup" data-workday="1"' in page
    assert 'data-date="2026-06-09" data-kind="extra_off"' in page
    assert 'data-date="2026-06-13" data-kind="weekend"' in page
    assert "团建" in page


def test_an_unloaded_year_is_shown_as_provisional(admin_client):
    page = admin_client.get(_url("calendar"), {"year": 2027}).content.decode()
    assert "2027 is not loaded" in page
    assert 'cal-workday cal-provisional" data-date="2027-01-01"' in page
    assert _url("calendar_enter") + "?year=2027" in page


def test_loading_2027_explains_that_it_must_be_entered_by_hand(admin_client):
    # when the administrator loads 2027 from the package
    response = admin_client.post(_url("calendar_load"), {"year": 2027}, follow=True)
    # then the page says why, and nothing is stored
    [message] = list(response.context["messages"])
    assert message.level_tag == "error"
    assert "no holiday arrangement for 2027" in str(message) and "by hand" in str(message)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_loading_an_official_year(admin_client, django_capture_on_commit_callbacks):
    CalendarYear.objects.filter(year=2025).delete()
    CalendarDay.objects.filter(date__year=2025).delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_url("calendar_load"), {"year": 2025})
    assert response["Location"] == _url("calendar") + "?year=2025"
    assert working_calendar().is_loaded(2025)


def test_entering_a_year_from_the_notice(admin_client, django_capture_on_commit_callbacks):
    # when the administrator types in the 2027 notice with a range
    data = {
        "year": 2027,
        "holidays": "2027-01-01\n2027-02-06~2027-02-12",
        "makeup_workdays": "2027-02-20, 2027-02-21",
        "source": "国办发明电〔2026〕N号",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_url("calendar_enter"), data)
    # then the year is loaded with those days
    assert response.status_code == 302
    cal = working_calendar()
    assert not cal.is_workday(dt.date(2027, 2, 10)) and cal.is_workday(dt.date(2027, 2, 21))
    assert len(cal.years[2027].holidays) == 8


@pytest.mark.parametrize(
    ("holidays", "error"),
    [
        ("2027-13-01", "is not a date"),
        ("2026-12-31", "not in 2027"),
        ("2027-02-21", "both a holiday and a make-up"),
    ],
)
def test_a_wrong_notice_is_refused(admin_client, holidays, error):
    data = {"year": 2027, "holidays": holidays, "makeup_workdays": "2027-02-21", "source": "n"}
    response = admin_client.post(_url("calendar_enter"), data)
    assert response.status_code == 200 and error in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_enter_form_shows_a_loaded_year(admin_client):
    form = admin_client.get(_url("calendar_enter"), {"year": 2026}).context["form"]
    assert "2026-10-01" in form.initial["holidays"]
    assert form.initial["source"].startswith("chinesecalendar")


def test_amending_and_removing_a_day(admin_client, django_capture_on_commit_callbacks):
    # when the administrator adds a company working day on National Day
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            _url("calendar_amend"), {"date": "2026-10-01", "kind": "extra_workday", "name": "值班"}
        )
    day = CalendarDay.objects.get(date=dt.date(2026, 10, 1), kind="extra_workday")
    assert working_calendar().is_workday(day.date)
    # then removing it makes National Day a holiday again
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(_url("calendar_remove", day.pk))
    assert not working_calendar().is_workday(dt.date(2026, 10, 1))


def test_official_days_cannot_be_removed_as_amendments(admin_client):
    holiday = CalendarDay.objects.filter(kind="holiday").first()
    assert admin_client.post(_url("calendar_remove", holiday.pk)).status_code == 404


def test_the_calendar_page_query_count(admin_client, django_assert_num_queries):
    admin_client.get(_url("calendar"))  # warm the session and the calendar
    # session, user, perms (user + group), year counts, years, amendments, context processor
    with django_assert_num_queries(8):
        admin_client.get(_url("calendar"), {"year": 2026})


# --- SLA policies --------------------------------------------------------------------


def test_the_policy_list_shows_humane_targets(admin_client):
    page = admin_client.get(_url("sla_list")).content.decode()
    assert "10 minutes" in page and "24 hours" in page and "2 working days" in page
    assert "at risk after 75%" in page


def test_the_policy_list_query_count_does_not_grow(admin_client, django_assert_num_queries):
    # given the six seeded policies, then ten more
    admin_client.get(_url("sla_list"))
    with django_assert_num_queries(SLA_LIST_QUERIES):
        admin_client.get(_url("sla_list"))
    for n in range(10):
        policy = SlaPolicy.objects.create(name=f"p{n}", work_order_type="praise", is_active=False)
        SlaTarget.objects.create(policy=policy, milestone="dispatch", clock="wall", amount=5)
    with django_assert_num_queries(SLA_LIST_QUERIES):
        assert admin_client.get(_url("sla_list")).content.decode().count("data-policy=") == 16


# session, user, perms (user + group), policies with categories, targets, context processor
SLA_LIST_QUERIES = 7


def _policy_post(**overrides):
    data = {
        "name": "渗漏报修",
        "work_order_type": "repair",
        "urgency": "",
        "category": Category.objects.get(path="防水渗漏 › 卫生间渗漏").pk,
        "is_active": "on",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-0-milestone": "dispatch",
        "targets-0-clock": "wall",
        "targets-0-amount": "10",
        "targets-0-at_risk_share": "0.80",
        "targets-1-milestone": "completion",
        "targets-1-clock": "working_days",
        "targets-1-amount": "5",
        "targets-1-at_risk_share": "0.50",
        "targets-1-pauses_on_hold": "on",
        "targets-2-at_risk_share": "0.80",
        "targets-2-pauses_on_hold": "on",
    }
    data.update(overrides)
    return data


def test_creating_a_policy_with_targets(admin_client):
    response = admin_client.post(_url("sla_create"), _policy_post())
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(name="渗漏报修")
    targets = {t.milestone: (t.clock, t.amount, t.pauses_on_hold) for t in policy.targets.all()}
    assert targets == {"dispatch": ("wall", 10, False), "completion": ("working_days", 5, True)}


def test_a_policy_with_the_same_milestone_twice_is_refused(admin_client):
    data = _policy_post(**{"targets-1-milestone": "dispatch"})
    response = admin_client.post(_url("sla_create"), data)
    assert response.status_code == 200
    assert "only once" in response.content.decode()
    assert not SlaPolicy.objects.filter(name="渗漏报修").exists()


def test_editing_a_policy_replaces_its_targets(admin_client):
    # given the seeded complaint policy
    policy = SlaPolicy.objects.get(name="投诉")
    form = admin_client.get(_url("sla_edit", policy.pk)).context["formset"]
    assert len(form.initial) == 4
    # when the administrator keeps only dispatch within 15 minutes
    data = _policy_post(
        name="投诉",
        work_order_type="complaint",
        category="",
        **{"targets-TOTAL_FORMS": "1", "targets-0-amount": "15"},
    )
    assert admin_client.post(_url("sla_edit", policy.pk), data).status_code == 302
    # then the policy has that single target
    assert list(policy.targets.values_list("milestone", "amount")) == [("dispatch", 15)]


def _as_browser_posts(form, formset):
    """The POST a browser sends for the rendered page: every field with its shown value."""
    data = {}
    for bound in [*form, *(field for row in formset for field in row)]:
        value = bound.value()
        if value is None and bound.field.widget.input_type == "select":
            value = next(iter(bound.field.widget.choices))[0]  # a select sends its first option
        if bound.field.widget.input_type == "checkbox":
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = value.pk if hasattr(value, "pk") else str(value)
    management = formset.management_form
    data.update({f.html_name: f.value() for f in management})
    return data


def test_saving_the_edit_page_unchanged_keeps_the_policy(admin_client):
    # given the edit page of the urgent-repair policy, with its empty extra row
    policy = SlaPolicy.objects.get(name="紧急报修")
    before = sorted(policy.targets.values_list("milestone", "clock", "amount", "pauses_on_hold"))
    page = admin_client.get(_url("sla_edit", policy.pk)).context
    # when the administrator saves it as shown
    data = _as_browser_posts(page["form"], page["formset"])
    response = admin_client.post(_url("sla_edit", policy.pk), data)
    # then it saves, and the targets are unchanged
    assert response.status_code == 302
    after = sorted(policy.targets.values_list("milestone", "clock", "amount", "pauses_on_hold"))
    assert after == before
