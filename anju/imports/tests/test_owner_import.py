from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from anju.audit.models import ChangeLog
from anju.core.testing.factories import UnitFactory, make_owner
from anju.imports import services
from anju.imports.models import ImportJob
from anju.imports.services import ImportStateError, import_job_commit, import_job_request_commit
from anju.imports.tasks import commit_import
from anju.imports.tests.helpers import (
    OWNER_HEADERS,
    codes,
    fake_owner_rows,
    owner_row,
    resident_id,
    run_job,
    xlsx,
)
from anju.owners.models import Owner, OwnerEvent, OwnerPhone, Ownership
from anju.owners.selectors import search_owners
from anju.properties.models import Unit

pytestmark = pytest.mark.django_db


def owners_file(*rows: dict[str, Any]) -> bytes:
    return xlsx(OWNER_HEADERS, rows)


def test_clean_file_commits_every_row_and_owners_are_searchable(
    importer: Any, project: Any, building: Any
) -> None:
    # given two co-owners on an existing unit and a company on a unit still to be created
    UnitFactory(building=building, entrance="1", room="1801", floor=18)
    content = owners_file(
        owner_row(),
        owner_row(
            **{
                "姓名/名称": "李四",
                "证件号码": resident_id("19870101", "004"),
                "手机号": "13912345678",
                "其他电话": "0755-86012345",
                "标签": "VIP、投资客",
            }
        ),
        owner_row(
            **{
                "房号": "2302",
                "业主类型": "企业",
                "姓名/名称": "深圳市万家贸易有限公司",
                "证件号码": "",
                "手机号": "",
                "其他电话": "400-123-4567",
                "户型": "A1",
                "建筑面积": 98.5,
            }
        ),
    )
    # when the file is checked and committed
    job = run_job(actor=importer, project=project, content=content, commit=True)
    # then everything is saved once, with the change log and the owner events
    assert job.status == ImportJob.Status.COMMITTED
    assert job.summary == {"owners": 3, "ownerships": 3, "units": 1, "layouts": 1}
    assert Owner.objects.count() == 3
    assert sorted(Ownership.objects.values_list("share", flat=True)) == [
        Decimal(50),
        Decimal(50),
        Decimal(100),
    ]
    new_unit = Unit.objects.get(room="2302")
    assert (new_unit.code, new_unit.floor, new_unit.project_id) == ("1-1-2302", 23, project.pk)
    assert new_unit.layout.name == "A1"
    assert ChangeLog.objects.filter(content_type__model="owner", action="create").count() == 3
    assert ChangeLog.objects.filter(content_type__model="ownership").count() == 3
    assert OwnerEvent.objects.filter(kind=OwnerEvent.Kind.IMPORTED).count() == 3
    lisi = Owner.objects.get(name="李四")
    assert sorted(lisi.tags.values_list("name", flat=True)) == ["VIP", "投资客"]
    assert lisi.phones.get(is_primary=True).number_masked == "139****5678"
    assert lisi.gender == "F" and str(lisi.birth_date) == "1987-01-01"
    assert "13912345678" not in str(ChangeLog.objects.filter(object_id=str(lisi.pk)).values())
    assert [o.name for o in search_owners(importer, "13912345678").owners] == ["李四"]
    assert [o.name for o in search_owners(importer, "zhangsan").owners] == ["张三"]
    assert [o.name for o in search_owners(importer, "万家").owners] == ["深圳市万家贸易有限公司"]
    # and the clear upload and the encrypted plan are gone from storage
    assert not job.file and not job.plan


def test_rows_with_the_same_id_number_are_one_owner_on_several_units(
    importer: Any, project: Any, building: Any
) -> None:
    # given one owner on two units
    content = owners_file(owner_row(), owner_row(**{"房号": "1802"}))
    # when
    job = run_job(actor=importer, project=project, content=content, commit=True)
    # then
    owner = Owner.objects.get()
    assert job.summary["owners"] == 1
    assert sorted(owner.ownerships.values_list("unit__code", flat=True)) == ["1-1-1801", "1-1-1802"]
    assert OwnerPhone.objects.count() == 1


def test_explicit_shares_of_co_owners_are_kept(importer: Any, project: Any, building: Any) -> None:
    content = owners_file(
        owner_row(**{"份额(%)": 70}),
        owner_row(
            **{"姓名/名称": "李四", "证件号码": resident_id("19870101", "004"), "份额(%)": "30%"}
        ),
    )
    run_job(actor=importer, project=project, content=content, commit=True)
    assert dict(Ownership.objects.values_list("owner__name", "share")) == {
        "张三": Decimal(70),
        "李四": Decimal(30),
    }


def _bad_checksum() -> str:
    good = resident_id()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"证件号码": "_bad_checksum"}, ("id_number", "证件号码", "id_checksum")),
        (
            {"证件号码": resident_id("19850230", "003")},
            ("id_number", "证件号码", "id_birth_date_invalid"),
        ),
        ({"出生日期": "1985-02-30"}, ("birth_date", "出生日期", "invalid_date")),
        ({"出生日期": "1990-01-01"}, ("birth_date", "出生日期", "id_birth_date_mismatch")),
        ({"手机号": "+1 415 555 0100"}, ("mobile", "手机号", "phone_not_mainland_mobile")),
        ({"手机号": "0755-86012345"}, ("mobile", "手机号", "phone_not_mainland_mobile")),
        ({"楼栋": "99"}, ("building", "楼栋", "unknown_building")),
        (
            {"认购日期": "2023-06-01", "签约日期": "2023-05-20"},
            ("contract_date", "签约日期", "date_order"),
        ),
        ({"份额(%)": 120}, ("share", "份额(%)", "out_of_range")),
        ({"姓名/名称": ""}, ("name", "姓名/名称", "required")),
        ({"状态": "卖掉了"}, ("status", "状态", "invalid_choice")),
    ],
)
def test_dry_run_reports_each_error_on_its_row_and_column(
    importer: Any,
    project: Any,
    building: Any,
    values: dict[str, Any],
    error: tuple[str, str, str],
) -> None:
    # given a file whose second data row is wrong in one way
    values = {k: _bad_checksum() if v == "_bad_checksum" else v for k, v in values.items()}
    second = owner_row(
        **{
            "房号": "1802",
            "姓名/名称": "李四",
            "证件号码": resident_id("19870101", "004"),
            "手机号": "13912345678",
            **values,
        }
    )
    # when it is checked
    job = run_job(actor=importer, project=project, content=owners_file(owner_row(), second))
    # then the error names the Excel row (header = 1), the field and the Chinese column
    assert job.status == ImportJob.Status.VALIDATED
    assert codes(job) == [(3, *error)]
    assert job.errors[0]["message"]
    assert not job.can_commit and not job.plan


def test_duplicate_owner_already_in_the_database(
    importer: Any, project: Any, building: Any
) -> None:
    make_owner(project, id_number=resident_id())
    job = run_job(actor=importer, project=project, content=owners_file(owner_row()))
    assert codes(job) == [(2, "id_number", "证件号码", "duplicate_owner")]
    assert job.errors[0]["message"] == "An owner with this ID number already exists."


def test_duplicate_owner_twice_in_the_file_with_another_name(
    importer: Any, project: Any, building: Any
) -> None:
    content = owners_file(owner_row(), owner_row(**{"房号": "1802", "姓名/名称": "张三丰"}))
    job = run_job(actor=importer, project=project, content=content)
    assert codes(job) == [(3, "id_number", "证件号码", "duplicate_owner")]
    assert "Row 2" in job.errors[0]["message"]


def test_shares_of_a_unit_over_100_percent(importer: Any, project: Any, building: Any) -> None:
    # given a unit already 50 % held, and a file adding 30 % and 40 %
    unit = UnitFactory(building=building, entrance="1", room="1801", floor=18)
    Ownership.objects.create(owner=make_owner(project), unit=unit, share=50)
    content = owners_file(
        owner_row(**{"份额(%)": 30}),
        owner_row(
            **{"姓名/名称": "李四", "证件号码": resident_id("19870101", "004"), "份额(%)": 40}
        ),
    )
    job = run_job(actor=importer, project=project, content=content)
    assert codes(job) == [(3, "share", "份额(%)", "share_exceeded")]
    assert "80" in job.errors[0]["message"]


def test_messages_follow_the_uploaders_language(importer: Any, project: Any, building: Any) -> None:
    # given a translated message for the uploader's language
    content = owners_file(owner_row(**{"楼栋": "99"}))
    with translation.override("zh-hans"):
        expected = str(
            translation.gettext("Building %(number)s does not exist in this project.")
            % {"number": "99"}
        )
    # when the job was uploaded from a zh-hans page
    job = run_job(actor=importer, project=project, content=content, language="zh-hans")
    # then the stored message is the zh-hans rendering of a translatable string
    assert job.errors[0]["message"] == expected


def test_one_bad_row_commits_nothing(importer: Any, project: Any, building: Any) -> None:
    # given two good rows and one bad one
    content = owners_file(
        owner_row(),
        owner_row(
            **{"房号": "1802", "姓名/名称": "李四", "证件号码": resident_id("19870101", "004")}
        ),
        owner_row(
            **{
                "房号": "1803",
                "姓名/名称": "王五",
                "证件号码": _bad_checksum(),
                "手机号": "13712345678",
            }
        ),
    )
    job = run_job(actor=importer, project=project, content=content)
    # when a commit is asked for anyway
    with pytest.raises(ImportStateError):
        import_job_request_commit(actor=importer, job=job)
    # then nothing at all was written
    assert job.error_count == 1
    assert Owner.objects.count() == 0 and Ownership.objects.count() == 0


def test_commit_rechecks_the_registry_and_writes_nothing_when_it_changed(
    importer: Any, project: Any, building: Any
) -> None:
    # given a clean dry run, then someone registers the same owner by hand
    job = run_job(actor=importer, project=project, content=owners_file(owner_row()))
    assert job.can_commit
    make_owner(project, id_number=resident_id(), name="张三")
    # when the commit runs
    import_job_request_commit(actor=importer, job=job)
    job = import_job_commit(job_id=job.pk)
    # then the whole job fails and nothing was imported
    assert job.status == ImportJob.Status.FAILED
    assert codes(job) == [(2, "id_number", "证件号码", "duplicate_owner")]
    assert Owner.objects.count() == 1 and Ownership.objects.count() == 0


def test_a_committed_job_cannot_be_committed_again(
    importer: Any, project: Any, building: Any
) -> None:
    # given a committed job
    job = run_job(actor=importer, project=project, content=owners_file(owner_row()), commit=True)
    # when the commit is asked for again, and a late duplicate task arrives
    with pytest.raises(ImportStateError):
        import_job_request_commit(actor=importer, job=job)
    with pytest.raises(ImportStateError):
        import_job_commit(job_id=job.pk)
    commit_import(job.pk)
    # then nothing was duplicated
    assert Owner.objects.count() == 1 and Ownership.objects.count() == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.COMMITTED


def test_progress_moves_every_thousand_rows(
    importer: Any, project: Any, building: Any, monkeypatch: Any
) -> None:
    # given a 1,200-row file
    seen: list[dict[str, Any]] = []
    original = services._progress
    monkeypatch.setattr(
        services,
        "_progress",
        lambda job_id, **fields: (seen.append(fields), original(job_id, **fields)),
    )
    content = owners_file(*fake_owner_rows(1200))
    # when it is checked
    job = run_job(actor=importer, project=project, content=content)
    # then the progress went through 1,000 before the end, and the job is clean
    rows_read = [f["processed_rows"] for f in seen if "processed_rows" in f]
    assert rows_read == [1000, 1200]
    assert {"phase": ImportJob.Phase.CHECKING} in seen
    assert (job.error_count, job.total_rows, job.processed_rows) == (0, 1200, 1200)


def test_validation_queries_do_not_grow_with_rows(
    importer: Any, project: Any, building: Any
) -> None:
    def queries(rows: int) -> int:
        content = owners_file(*fake_owner_rows(rows, seed=rows))
        with CaptureQueriesContext(connection) as captured:
            run_job(actor=importer, project=project, content=content)
        return len(captured)

    queries(2)  # warm the content-type and permission caches
    assert queries(3) == queries(40)


def test_a_missing_required_column_is_reported_on_the_header_row(
    importer: Any, project: Any, building: Any
) -> None:
    headers = [h for h in OWNER_HEADERS if h != "房号"]
    job = run_job(actor=importer, project=project, content=xlsx(headers, [owner_row()]))
    assert codes(job) == [(1, "room", "房号", "missing_column")]


def test_errors_are_capped_but_all_counted(
    importer: Any, project: Any, building: Any, settings: Any
) -> None:
    settings.ANJU_IMPORT_MAX_ERRORS_SHOWN = 2
    rows = [owner_row(**{"楼栋": "99", "房号": f"18{n:02d}"}) for n in range(5)]
    job = run_job(actor=importer, project=project, content=owners_file(*rows))
    assert job.error_count == 5 and len(job.errors) == 2


def test_too_many_rows(importer: Any, project: Any, building: Any, settings: Any) -> None:
    settings.ANJU_IMPORT_MAX_ROWS = 2
    content = owners_file(*fake_owner_rows(3))
    job = run_job(actor=importer, project=project, content=content)
    assert [e["code"] for e in job.errors] == ["too_many_rows"]


def test_a_file_that_is_not_a_workbook_fails(importer: Any, project: Any) -> None:
    job = run_job(actor=importer, project=project, content=b"name,phone\n")
    assert job.status == ImportJob.Status.FAILED
    assert job.failure and not job.file
