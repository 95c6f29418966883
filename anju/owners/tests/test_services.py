"""The owner write path: validation codes, encryption, change log, typed events."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from anju.audit.models import ChangeLog, PersonalDataAccess
from anju.core.testing.factories import make_owner
from anju.owners.inputs import OwnerInput, PhoneInput
from anju.owners.models import Owner, OwnerEvent, OwnerPhone, Ownership
from anju.owners.rules.idtypes import IdType
from anju.owners.services import (
    owner_create,
    owner_reveal_personal_data,
    owner_update,
    ownership_create,
    ownership_update,
)
from anju.owners.tests.conftest import resident_id

TODAY = date(2026, 11, 22)
MOBILE = "13812345678"
ID_18 = resident_id(birth="19850312", sequence="123")


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def person(project, **fields) -> OwnerInput:
    values = {
        "project_id": project.pk,
        "name": "张三",
        "id_number": ID_18,
        "phones": [PhoneInput(MOBILE, "本人", True)],
        **fields,
    }
    return OwnerInput(**values)


def changelog_text() -> str:
    rows = ChangeLog.objects.values_list("before", "after", "object_repr")
    return json.dumps(list(rows), ensure_ascii=False)


def test_create_person_derives_identity_and_protects_personal_data(project, make_user):
    # given
    actor = make_user("front_desk", projects=[project])
    # when
    owner = owner_create(actor=actor, data=person(project), today=TODAY)
    # then
    owner.refresh_from_db()
    assert (owner.gender, owner.birth_date) == ("M", date(1985, 3, 12))
    assert owner.id_number_masked == ID_18[:3] + "*" * 11 + ID_18[-4:]
    assert ID_18 not in owner.id_number_cipher
    phone = owner.phones.get()
    assert (phone.number_masked, phone.is_primary, phone.kind) == ("138****5678", True, "mobile")
    assert owner.name_pinyin == "zhangsan"
    assert set(owner.search_keys.values_list("key", flat=True)) >= {"张三", "zhangsan", "zs"}
    assert list(owner.events.values_list("kind", "actor")) == [("created", actor.pk)]
    log = ChangeLog.objects.get(content_type__model="owner", object_id=owner.pk, action="create")
    assert log.actor == actor
    assert log.after["id_number_masked"] == owner.id_number_masked
    assert log.after["phones"] == ["138****5678"]


def test_fifteen_digit_id_is_upgraded(project):
    # given a legacy number for a man born 1985-03-12
    legacy = "110105850312123"
    # when
    owner = owner_create(actor=None, data=person(project, id_number=legacy), today=TODAY)
    # then the stored number is the 18-digit form
    assert owner.id_number_masked == ID_18[:3] + "*" * 11 + ID_18[-4:]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"id_number": ID_18[:-1] + ("0" if ID_18[-1] != "0" else "1")},
            {"id_number": ["id_checksum"]},
        ),
        ({"phones": [PhoneInput("12345678901")]}, {"phones": ["phone_unallocated_prefix"]}),
        (
            {"phones": [PhoneInput(MOBILE), PhoneInput("138 1234 5678")]},
            {"phones": ["duplicate_phone"]},
        ),
        ({"name": "  "}, {"name": ["required"]}),
        ({"gender": "F"}, {"gender": ["id_gender_mismatch"]}),
        ({"birth_date": date(1990, 1, 1)}, {"birth_date": ["id_birth_date_mismatch"]}),
        ({"kind": "company"}, {"id_type": ["id_type"]}),
        ({"id_number": "", "phones": []}, {"id_number": ["required"]}),
    ],
)
def test_create_rejects_bad_input_with_field_codes(project, fields, expected):
    # when
    with pytest.raises(ValidationError) as caught:
        owner_create(actor=None, data=person(project, **fields), today=TODAY)
    # then
    assert codes(caught.value) == expected
    assert not Owner.objects.exists()


def test_the_same_id_number_cannot_be_registered_twice(project, other_project):
    # given
    owner_create(actor=None, data=person(project), today=TODAY)
    # when
    with pytest.raises(ValidationError) as caught:
        owner_create(actor=None, data=person(other_project, name="李四"), today=TODAY)
    # then
    assert codes(caught.value) == {"id_number": ["duplicate_owner"]}


def test_company_with_credit_code(project):
    # given
    data = OwnerInput(
        project_id=project.pk,
        name="深圳市万科物业有限公司",
        kind="company",
        id_type=IdType.BUSINESS_LICENCE,
        id_number="91440305JURQ283FQP",
    )
    # when
    owner = owner_create(actor=None, data=data, today=TODAY)
    # then
    assert owner.is_company and owner.id_number_masked.startswith("914")
    assert owner.search_keys.filter(key="万科物业有限公司").exists()


def test_update_keeps_id_and_phones_when_left_out(project, make_user):
    # given
    actor = make_user("front_desk", projects=[project])
    owner = owner_create(actor=actor, data=person(project), today=TODAY)
    cipher = owner.id_number_cipher
    # when
    owner_update(
        actor=actor,
        owner=owner,
        data=person(
            project,
            name="张三丰",
            id_number="",
            phones=None,
            tags=["VIP"],
            gender="M",
            birth_date=date(1985, 3, 12),
        ),
        today=TODAY,
    )
    # then
    owner.refresh_from_db()
    assert owner.id_number_cipher == cipher
    assert owner.phones.get().number_masked == "138****5678"
    assert owner.search_keys.filter(key="zhangsanfeng").exists()
    assert (
        not owner.search_keys.filter(key="zhangsan").exclude(key__startswith="zhangsanf").exists()
    )
    event = owner.events.get(kind=OwnerEvent.Kind.UPDATED)
    assert event.data["fields"] == ["name", "tags"]
    log = ChangeLog.objects.get(content_type__model="owner", object_id=owner.pk, action="update")
    assert (log.before["name"], log.after["name"]) == ("张三", "张三丰")


def test_update_without_changes_writes_no_event(project):
    # given
    owner = owner_create(actor=None, data=person(project), today=TODAY)
    # when
    same = person(project, id_number="", phones=None, gender="M", birth_date=date(1985, 3, 12))
    owner_update(actor=None, owner=owner, data=same, today=TODAY)
    # then
    assert list(owner.events.values_list("kind", flat=True)) == ["created"]


def test_update_replaces_phones(project):
    # given
    owner = owner_create(actor=None, data=person(project), today=TODAY)
    # when
    owner_update(
        actor=None,
        owner=owner,
        data=person(
            project,
            id_number="",
            phones=[PhoneInput("13900001111", "家人"), PhoneInput("0755-86012345", "办公", True)],
        ),
        today=TODAY,
    )
    # then
    assert list(owner.phones.values_list("number_masked", "is_primary")) == [
        ("0755-****2345", True),
        ("139****1111", False),
    ]


def test_reveal_returns_clear_values_and_logs_the_access(project, make_user):
    # given
    actor = make_user("front_desk", projects=[project])
    owner = owner_create(actor=None, data=person(project), today=TODAY)
    # when
    revealed = owner_reveal_personal_data(actor=actor, owner=owner, reason="业主来电核对身份")
    # then
    assert revealed == {"id_number": ID_18, "phones": [{"label": "本人", "number": MOBILE}]}
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.action, access.reason, access.subject_id) == (
        actor,
        "reveal",
        "业主来电核对身份",
        str(owner.pk),
    )
    event = owner.events.get(kind=OwnerEvent.Kind.PERSONAL_DATA_REVEALED)
    assert event.data == {"reason": "业主来电核对身份"}


def test_reveal_needs_the_permission_and_a_reason(project, make_user):
    # given
    owner = owner_create(actor=None, data=person(project), today=TODAY)
    sales = make_user("sales_consultant", projects=[project])
    desk = make_user("front_desk", projects=[project])
    # when / then
    with pytest.raises(PermissionDenied):
        owner_reveal_personal_data(actor=sales, owner=owner, reason="想看看")
    with pytest.raises(ValidationError) as caught:
        owner_reveal_personal_data(actor=desk, owner=owner, reason=" ")
    assert codes(caught.value) == {"reason": ["reason_required"]}
    assert not PersonalDataAccess.objects.exists()


def test_ownership_rules(project, make_unit):
    # given
    unit = make_unit(project, "3-2-1801")
    first, second = make_owner(project), make_owner(project)
    # when
    ownership_create(
        actor=None, owner=first, unit=unit, share=Decimal(60), contract_date=date(2024, 1, 5)
    )
    # then
    assert first.events.filter(kind="ownership_added", data__unit="3-2-1801").exists()
    with pytest.raises(ValidationError) as caught:
        ownership_create(actor=None, owner=second, unit=unit, share=Decimal(50))
    assert codes(caught.value) == {"share": ["share_exceeded"]}
    with pytest.raises(ValidationError) as caught:
        ownership_create(actor=None, owner=first, unit=unit, share=Decimal(10))
    assert codes(caught.value) == {"unit": ["duplicate_ownership"]}
    with pytest.raises(ValidationError) as caught:
        ownership_create(
            actor=None,
            owner=second,
            unit=unit,
            share=Decimal(40),
            contract_date=date(2024, 2, 1),
            handover_date=date(2024, 1, 1),
        )
    assert codes(caught.value) == {"handover_date": ["date_order"]}
    co_owner = ownership_create(actor=None, owner=second, unit=unit, share=Decimal(40))
    assert Ownership.objects.filter(unit=unit).count() == 2 and co_owner.share == 40


def test_ownership_update_logs_and_records_an_event(project, make_unit, make_user):
    # given
    actor = make_user("front_desk", projects=[project])
    unit = make_unit(project, "5-1-0601")
    ownership = ownership_create(actor=actor, owner=make_owner(project), unit=unit)
    # when
    ownership_update(
        actor=actor, ownership=ownership, status="handed_over", handover_date=date(2025, 6, 30)
    )
    # then
    event = OwnerEvent.objects.get(kind="ownership_changed")
    assert event.data["unit"] == "5-1-0601"
    assert {"status", "handover_date"} <= set(event.data["fields"])
    log = ChangeLog.objects.get(
        content_type__model="ownership", object_id=ownership.pk, action="update"
    )
    assert log.after["status"] == "handed_over"
    with pytest.raises(ValidationError) as caught:
        ownership_update(
            actor=actor, ownership=ownership, share=Decimal(100), contract_date=date(2025, 7, 1)
        )
    assert codes(caught.value) == {"handover_date": ["date_order"]}


def _all_rows_text(*tables: str) -> str:
    with connection.cursor() as cursor:
        chunks = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_database_never_holds_clear_personal_data(project, make_user, make_unit):
    # given every write path touched once
    actor = make_user("front_desk", projects=[project])
    owner = owner_create(actor=actor, data=person(project), today=TODAY)
    owner_update(
        actor=actor,
        owner=owner,
        today=TODAY,
        data=person(
            project, id_number=ID_18, phones=[PhoneInput(MOBILE), PhoneInput("13900001111")]
        ),
    )
    ownership_create(actor=actor, owner=owner, unit=make_unit(project))
    owner_reveal_personal_data(actor=actor, owner=owner, reason="核对")
    # when
    text = _all_rows_text(
        Owner._meta.db_table,
        OwnerPhone._meta.db_table,
        "owners_ownersearchkey",
        OwnerEvent._meta.db_table,
        ChangeLog._meta.db_table,
        PersonalDataAccess._meta.db_table,
    )
    # then
    for clear in (ID_18, ID_18[6:14] + ID_18[14:17], MOBILE, "13900001111", "12345678"):
        assert clear not in text
    assert "138****5678" in changelog_text()


@pytest.mark.parametrize(
    ("gender", "birth_date", "expected"),
    [
        ("", None, None),  # left blank: the values derived from the number stay
        ("F", None, "gender"),
        ("", date(1990, 1, 1), "birth_date"),
    ],
)
def test_keeping_the_id_number_keeps_what_it_decides(project, gender, birth_date, expected):
    # given an owner whose resident ID says: male, born 1985-03-12
    owner = owner_create(actor=None, data=person(project), today=TODAY)
    data = person(project, id_number="", phones=None, gender=gender, birth_date=birth_date)

    if expected is None:
        # when the update leaves sex and birth date blank
        owner_update(actor=None, owner=owner, data=data, today=TODAY)
        # then they are still the number's
        owner.refresh_from_db()
        assert (owner.gender, owner.birth_date) == ("M", date(1985, 3, 12))
    else:
        # when it contradicts the stored number, then the field is refused
        with pytest.raises(ValidationError) as caught:
            owner_update(actor=None, owner=owner, data=data, today=TODAY)
        assert expected in caught.value.message_dict
