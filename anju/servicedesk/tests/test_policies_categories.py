"""SLA policy and category services, the category page, and humane amounts."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from anju.audit.models import ChangeLog
from anju.servicedesk.models import Category, SlaPolicy, WorkOrder
from anju.servicedesk.services.categories import (
    category_create,
    category_rename,
    category_set_active,
)
from anju.servicedesk.services.policies import (
    PolicyInput,
    TargetInput,
    sla_policy_create,
    sla_policy_update,
)
from anju.servicedesk.sla import choose_policy
from anju.servicedesk.views_admin.common import humane_amount


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="policy-admin")


@pytest.fixture
def civil(db):
    return Category.objects.get(path="土建")


def _codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {name: [e.code for e in errors] for name, errors in exc.error_dict.items()}


# --- humane amounts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "amount", "text"),
    [
        ("wall", 10, "10 minutes"),
        ("wall", 60, "1 hour"),
        ("wall", 24 * 60, "24 hours"),
        ("wall", 90, "1 h 30 min"),
        ("business_hours", 120, "2 business hours"),
        ("business_hours", 30, "30 business minutes"),
        ("working_days", 1, "1 working day"),
        ("working_days", 2, "2 working days"),
    ],
)
def test_amounts_read_like_people_say_them(clock, amount, text):
    with translation.override("en"):
        assert humane_amount(clock, amount) == text


# --- SLA policies --------------------------------------------------------------------


def _policy(**overrides):
    data = {
        "name": "门窗报修",
        "work_order_type": "repair",
        "urgency": "normal",
        "targets": [
            TargetInput("dispatch", "wall", 15),
            TargetInput("completion", "working_days", 3),
        ],
    }
    data.update(overrides)
    return PolicyInput(**data)


def test_a_category_policy_is_chosen_for_its_orders(admin, project, civil):
    # given a policy for civil-works repairs
    policy = sla_policy_create(actor=admin, data=_policy(category_id=civil.pk))
    # then a normal repair in a sub-category of 土建 gets it, and the change is logged
    order = WorkOrder(
        project=project,
        type="repair",
        urgency="normal",
        category=Category.objects.get(path="土建 › 门窗"),
    )
    assert choose_policy(order) == policy
    entry = ChangeLog.objects.get(object_id=str(policy.pk), action="create")
    assert [t["milestone"] for t in entry.after["targets"]] == ["completion", "dispatch"]


def test_updating_a_policy_logs_before_and_after(admin, civil):
    policy = sla_policy_create(actor=admin, data=_policy(category_id=civil.pk))
    # when the completion target becomes five days and dispatch is dropped
    sla_policy_update(
        actor=admin,
        policy=policy,
        data=_policy(category_id=civil.pk, targets=[TargetInput("completion", "working_days", 5)]),
    )
    # then the targets are replaced and the log holds both versions
    assert list(policy.targets.values_list("milestone", "amount")) == [("completion", 5)]
    entry = ChangeLog.objects.get(object_id=str(policy.pk), action="update")
    assert len(entry.before["targets"]) == 2 and entry.after["targets"][0]["amount"] == 5


def test_two_active_policies_for_the_same_case_are_refused(admin):
    # the seeded "一般报修" already covers normal repairs of any category
    with pytest.raises(ValidationError) as raised:
        sla_policy_create(actor=admin, data=_policy())
    assert _codes(raised.value) == {"__all__": ["duplicate"]}
    # an inactive one is fine
    assert sla_policy_create(actor=admin, data=_policy(is_active=False)).pk


@pytest.mark.parametrize(
    ("targets", "code"),
    [
        ([], "required"),
        ([TargetInput("dispatch", "wall", 0)], "range"),
        ([TargetInput("dispatch", "working_days", 400)], "range"),
        ([TargetInput("dispatch", "wall", 10, Decimal("1.5"))], "range"),
        ([TargetInput("dispatch", "wall", 10), TargetInput("dispatch", "wall", 5)], "duplicate"),
        ([TargetInput("lunch", "wall", 10)], "invalid_choice"),
    ],
)
def test_invalid_targets_are_refused(admin, civil, targets, code):
    with pytest.raises(ValidationError) as raised:
        sla_policy_create(actor=admin, data=_policy(category_id=civil.pk, targets=targets))
    assert code in _codes(raised.value)["targets"]
    assert not SlaPolicy.objects.filter(name="门窗报修").exists()


# --- categories ----------------------------------------------------------------------


def test_renaming_a_parent_renames_its_branch(admin, civil):
    category_rename(actor=admin, category=civil, name="土建工程")
    paths = set(Category.objects.filter(parent=civil).values_list("path", flat=True))
    assert "土建工程 › 门窗" in paths and all(p.startswith("土建工程 › ") for p in paths)


def test_a_sibling_name_must_be_unique(admin, civil):
    with pytest.raises(ValidationError) as raised:
        category_create(actor=admin, parent=civil, name=" 门窗 ")
    assert _codes(raised.value) == {"name": ["unique"]}
    with pytest.raises(ValidationError):
        category_create(actor=admin, parent=civil, name="A › B")


def test_deactivating_a_parent_deactivates_its_branch(admin, civil):
    # when 土建 is deactivated
    changed = category_set_active(actor=admin, category=civil, is_active=False)
    # then its children are too, and a child cannot come back alone
    assert changed == 1 + Category.objects.filter(parent=civil).count()
    assert not Category.objects.filter(parent=civil, is_active=True).exists()
    child = Category.objects.get(path="土建 › 门窗")
    with pytest.raises(ValidationError) as raised:
        category_set_active(actor=admin, category=child, is_active=True)
    assert _codes(raised.value) == {"parent": ["inactive"]}
    category_set_active(actor=admin, category=civil, is_active=True)
    assert category_set_active(actor=admin, category=child, is_active=True) == 1


def test_the_category_page_adds_renames_and_deactivates(client, admin, civil):
    client.force_login(admin)
    # when the administrator adds 土建 › 栏杆, renames it and deactivates it
    client.post(reverse("desk_admin:category_add"), {"parent": civil.pk, "name": "栏杆"})
    railing = Category.objects.get(path="土建 › 栏杆")
    client.post(reverse("desk_admin:category_rename", args=[railing.pk]), {"name": "栏杆/扶手"})
    client.post(reverse("desk_admin:category_toggle", args=[railing.pk]))
    # then the page shows it inactive under its new name
    railing.refresh_from_db()
    assert (railing.path, railing.is_active) == ("土建 › 栏杆/扶手", False)
    page = client.get(reverse("desk_admin:categories")).content.decode()
    assert f'data-category="{railing.pk}" class="text-muted"' in page


def test_a_refused_category_says_why(client, admin, civil):
    client.force_login(admin)
    response = client.post(
        reverse("desk_admin:category_add"), {"parent": civil.pk, "name": "门窗"}, follow=True
    )
    [message] = list(response.context["messages"])
    assert message.level_tag == "error" and "already exists" in str(message)


def test_the_category_page_query_count_does_not_grow(
    client, admin, civil, django_assert_num_queries
):
    client.force_login(admin)
    url = reverse("desk_admin:categories")
    client.get(url)
    # session, user, perms (user + group), categories, context processor
    with django_assert_num_queries(6):
        client.get(url)
    for n in range(10):
        category_create(actor=admin, parent=civil, name=f"新类{n}")
    with django_assert_num_queries(6):
        client.get(url)
