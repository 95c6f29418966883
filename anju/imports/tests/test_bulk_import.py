"""The bulk write path (ids reserved up front, value rows, pipeline) and the cell types
the reader hands to the parsers."""

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from anju.core.testing.factories import UnitFactory, make_owner
from anju.imports import bulk
from anju.imports.models import ImportJob
from anju.imports.tests.fidelity import assert_written_like_services
from anju.imports.tests.helpers import (
    OWNER_HEADERS,
    codes,
    fake_owner_rows,
    owner_row,
    resident_id,
    run_job,
    xlsx,
)
from anju.owners.models import Owner, Ownership
from anju.properties.models import Unit

pytestmark = pytest.mark.django_db


def owners_file(*rows: dict[str, Any]) -> bytes:
    return xlsx(OWNER_HEADERS, rows)


def test_every_written_record_is_what_the_services_would_write(
    importer: Any, project: Any, building: Any
) -> None:
    # given persons (one on two units, co-owners), a company, extra phones and tags
    UnitFactory(building=building, entrance="1", room="1801", floor=18)
    content = owners_file(
        owner_row(**{"其他电话": "0755-86012345, 400-123-4567", "标签": "VIP、投资客"}),
        owner_row(**{"房号": "1802"}),
        owner_row(**{"姓名/名称": "李四", "证件号码": resident_id("19870101", "004"),
                     "手机号": "13912345678"}),
        owner_row(**{"房号": "2302", "业主类型": "企业", "姓名/名称": "深圳市万家贸易有限公司",
                     "证件号码": "", "手机号": "", "其他电话": "0755-86012346",
                     "户型": "A1", "建筑面积": 98.5}),
        *fake_owner_rows(30, seed=3)[2:],
    )  # fmt: skip
    # when it is committed
    job = run_job(actor=importer, project=project, content=content, commit=True)
    # then each record, its change-log row and its event match the services' own output
    assert job.status == ImportJob.Status.COMMITTED, job.errors
    assert job.summary == {"owners": 31, "ownerships": 32, "units": 30, "layouts": 1}
    assert_written_like_services(job, importer)


def test_cells_typed_as_numbers_and_dates_read_as_before(
    importer: Any, project: Any, building: Any
) -> None:
    # given a mobile, a 15-digit legacy ID, floor and area typed as numbers, and dates as
    # date cells, datetime cells, text and Excel serial numbers
    legacy = resident_id("19850312", "003")[:6] + "850312003"  # 15 digits
    content = owners_file(
        owner_row(**{"手机号": 13812345678, "证件号码": int(legacy), "楼层": 18.0,
                     "建筑面积": 98.5, "签约日期": date(2023, 5, 20),
                     "交付日期": datetime(2024, 6, 30, 0, 0)}),
        owner_row(**{"房号": "1802", "姓名/名称": "李四", "手机号": "13912345678",
                     "证件号码": resident_id("19870101", "004"), "签约日期": 45066,
                     "交付日期": "2024/6/30"}),
    )  # fmt: skip
    # when it is committed
    job = run_job(actor=importer, project=project, content=content, commit=True)
    # then the numbers and dates were read as the same values
    assert job.status == ImportJob.Status.COMMITTED, job.errors
    zhang = Owner.objects.get(name="张三")
    assert zhang.phones.get().number_masked == "138****5678"
    assert zhang.id_number_masked.endswith("0039") or len(zhang.id_number_masked) == 18
    assert Unit.objects.get(room="1801").floor == 18
    assert Unit.objects.get(room="1801").building_area == Decimal("98.50")
    dates = set(Ownership.objects.values_list("contract_date", "handover_date"))
    assert dates == {(date(2023, 5, 20), date(2024, 6, 30))}


def test_an_18_digit_id_typed_as_a_number_asks_for_text(
    importer: Any, project: Any, building: Any
) -> None:
    # given an ID number stored as a number: beyond 15 digits Excel drops the last ones
    content = owners_file(owner_row(**{"证件号码": int(resident_id()[:17] + "1")}))
    # when it is checked
    job = run_job(actor=importer, project=project, content=content)
    # then the cell is reported, with a message that says why
    assert codes(job) == [(2, "id_number", "证件号码", "number_too_long")]


def test_row_numbers_are_the_sheets_own_across_blank_rows(
    importer: Any, project: Any, building: Any
) -> None:
    # given a blank row 3, and a bad building on row 5
    bad = owner_row(**{"房号": "1803", "楼栋": "99"})
    rows = [owner_row(), {}, owner_row(**{"房号": "1802"}), bad]
    # when it is checked
    job = run_job(actor=importer, project=project, content=owners_file(*rows))
    # then the error names the row as Excel shows it, and the blank row is not counted
    assert codes(job) == [(5, "building", "楼栋", "unknown_building")]
    assert job.processed_rows == 3


def test_a_header_below_row_one_is_reported_missing(importer: Any, project: Any) -> None:
    # given a sheet whose first row is empty and whose header is on row 2
    content = xlsx(
        ["" for _ in OWNER_HEADERS], [dict(zip(OWNER_HEADERS, OWNER_HEADERS, strict=True))]
    )
    # when it is checked
    job = run_job(actor=importer, project=project, content=content)
    # then the header row (row 1) lacks the required columns
    assert {(row, code) for row, _f, _c, code in codes(job)} == {(1, "missing_column")}


def test_reserved_ids_are_new_and_never_reuse_a_deleted_owners_id(project: Any) -> None:
    # given an owner created and deleted, and one kept
    gone, kept = make_owner(project), make_owner(project)
    gone_pk = gone.pk
    gone.phones.all().delete()
    gone.search_keys.all().delete()
    gone.events.all().delete()
    gone.delete()
    # when ids are reserved, then an owner is created the usual way
    ids = bulk.allocate_ids(Owner, 3)
    later = make_owner(project)
    # then the ids are consecutive, above every id ever used, and not handed out again
    assert ids == list(range(ids[0], ids[0] + 3))
    assert ids[0] > max(gone_pk, kept.pk)
    assert later.pk > ids[-1]


def test_pipeline_writes_batches_in_order_and_reports_a_worker_failure(project: Any) -> None:
    # given batches of tag rows, the third failing while it is built
    from anju.owners.models import Tag

    table = bulk.Table(Tag, ("name",))

    def produced() -> Any:
        for number in range(2):
            batch = bulk.Batch()
            batch.add(table, [table.prepared([f"tag-{number}-{i}"]) for i in range(3)])
            yield batch
        raise RuntimeError("worker failed")

    interval = sys.getswitchinterval()
    # when they are written, then the failure surfaces in the caller after the others
    with pytest.raises(RuntimeError, match="worker failed"):
        bulk.write_batches(produced())
    assert Tag.objects.count() == 6
    # and the interpreter's thread switching is back to what it was
    assert sys.getswitchinterval() == interval


def test_value_rows_encode_json_as_the_orm_does_and_keep_their_width() -> None:
    # given the change-log columns (two JSON fields, a date-time, plain values)
    from django.utils import timezone

    from anju.audit.models import ChangeLog

    table = bulk.Table(ChangeLog, ("at", "object_id", "before", "after"))
    now = timezone.now()
    after = {"name": "张三", "share": "50.00", "phones": ["138****5678"], "gone": None}
    # when a row is prepared
    row = table.prepared([now, "7", None, after])
    # then JSON is the text the ORM's adapter would store and None stays SQL NULL
    assert isinstance(row[3], str) and json.loads(row[3]) == after
    assert row[2] is None
    # and plain values pass as they are (COPY adapts date-times itself)
    assert row[1] == "7"
    assert row[0] == now if bulk.copy_supported() else isinstance(row[0], str)
    # and a row of the wrong width is refused, not written shifted
    with pytest.raises(ValueError, match="columns"):
        table.prepared([now, "7", None])
