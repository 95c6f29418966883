import io
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from anju.audit.models import PersonalDataAccess
from anju.core.testing.factories import UnitFactory, make_owner
from anju.owners.exporter import HEADERS, owners_export
from anju.owners.models import Owner, Ownership
from anju.owners.selectors import owner_list_queryset

pytestmark = pytest.mark.django_db

ID_NUMBER = "110105198503120039"
MOBILE = "13812345678"


@pytest.fixture
def owner(project: Any) -> Owner:
    owner = make_owner(
        project,
        name="张三",
        id_number=ID_NUMBER,
        phones=[MOBILE, "0755-86012345"],
        tags=["VIP"],
        consent_sms=True,
    )
    Ownership.objects.create(
        owner=owner,
        unit=UnitFactory(building__phase__project=project),
        share=100,
        handover_date=date(2024, 6, 30),
    )
    return owner


def read(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_export_is_masked_without_the_clear_permission(
    make_user: Any, project: Any, owner: Owner
) -> None:
    # given a customer-service officer (may export, not in clear)
    officer = make_user("cs_officer", projects=[project])
    # when the owner list is exported
    name, content = owners_export(
        actor=officer, queryset=owner_list_queryset(officer), description="楼栋 1"
    )
    # then ID and phones are masked, and the export is logged as masked
    rows = read(content)
    assert name.endswith(".xlsx")
    assert rows[0] == HEADERS
    data = dict(zip(HEADERS, rows[1], strict=True))
    assert data["证件号码"] == "110***********0039"
    assert data["手机号"] == "138****5678"
    assert data["其他电话"] == "0755-****2345"
    assert (data["姓名/名称"], data["标签"], data["短信联系同意"]) == ("张三", "VIP", "是")
    assert data["份额(%)"] == "100"
    assert ID_NUMBER not in str(rows) and MOBILE not in str(rows)
    log = PersonalDataAccess.objects.get()
    assert (log.action, log.in_clear, log.record_count, log.subject_repr) == (
        "export",
        False,
        1,
        "楼栋 1",
    )
    assert log.actor == officer


def test_export_in_clear_needs_a_reason_and_is_logged(
    make_user: Any, project: Any, owner: Owner
) -> None:
    # given an administrator, who holds the export-in-clear permission
    admin = make_user("administrator")
    # when exporting without a reason
    with pytest.raises(ValidationError) as refused:
        owners_export(actor=admin, queryset=owner_list_queryset(admin))
    # then it is refused and nothing is logged
    assert refused.value.error_dict["reason"][0].code == "reason_required"
    assert not PersonalDataAccess.objects.exists()
    # when exporting with a reason
    _name, content = owners_export(
        actor=admin, queryset=owner_list_queryset(admin), reason="产权核对"
    )
    # then the values are decrypted and the access is logged with the reason
    data = dict(zip(HEADERS, read(content)[1], strict=True))
    assert (data["证件号码"], data["手机号"]) == (ID_NUMBER, MOBILE)
    log = PersonalDataAccess.objects.get()
    assert (log.in_clear, log.reason, log.fields) == (True, "产权核对", "id_number,phones")


def test_a_clear_permission_holder_may_ask_for_a_masked_export(
    make_user: Any, project: Any, owner: Owner
) -> None:
    admin = make_user("administrator")
    _name, content = owners_export(actor=admin, queryset=Owner.objects.all(), in_clear=False)
    assert dict(zip(HEADERS, read(content)[1], strict=True))["手机号"] == "138****5678"
    assert PersonalDataAccess.objects.get().in_clear is False


@pytest.mark.parametrize(
    ("role", "options"),
    [
        ("front_desk", {}),
        ("cs_officer", {"in_clear": True, "reason": "核对"}),
    ],
)
def test_export_permissions(
    make_user: Any, project: Any, owner: Owner, role: str, options: dict[str, Any]
) -> None:
    user = make_user(role, projects=[project])
    with pytest.raises(PermissionDenied):
        owners_export(actor=user, queryset=owner_list_queryset(user), **options)
    assert not PersonalDataAccess.objects.exists()


def test_export_rows_are_capped(make_user: Any, project: Any, settings: Any) -> None:
    settings.ANJU_EXPORT_MAX_ROWS = 2
    for _ in range(3):
        make_owner(project)
    officer = make_user("cs_officer", projects=[project])
    _name, content = owners_export(actor=officer, queryset=owner_list_queryset(officer))
    assert len(read(content)) == 1 + 2
    assert PersonalDataAccess.objects.get().record_count == 2


def test_export_queries_do_not_grow_with_owners(
    make_user: Any, project: Any, django_assert_num_queries: Any
) -> None:
    officer = make_user("cs_officer", projects=[project])
    for _ in range(2):
        make_owner(project)
    owners_export(actor=officer, queryset=owner_list_queryset(officer))  # warm caches
    # owners, phones, ownerships with units, tags; then the log row in a savepoint (3)
    with django_assert_num_queries(7):
        owners_export(actor=officer, queryset=owner_list_queryset(officer))
    for _ in range(8):
        make_owner(project)
    with django_assert_num_queries(7):
        owners_export(actor=officer, queryset=owner_list_queryset(officer))
