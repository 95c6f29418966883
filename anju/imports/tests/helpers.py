"""Build import workbooks in memory and run jobs through the services."""

import io
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from anju.imports.columns import OWNER_COLUMNS, UNIT_COLUMNS
from anju.imports.models import ImportJob
from anju.imports.services import (
    import_job_commit,
    import_job_create,
    import_job_request_commit,
    import_job_validate,
)
from anju.owners.fakes import fake_mobile, fake_person_name, fake_resident_id
from anju.owners.rules.idnumbers import resident_id_check_char

TODAY = date(2026, 11, 22)
OWNER_HEADERS = [column.header for column in OWNER_COLUMNS]
UNIT_HEADERS = [column.header for column in UNIT_COLUMNS]


def xlsx(headers: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "owners.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def resident_id(birth: str = "19850312", sequence: str = "003", county: str = "110105") -> str:
    body = f"{county}{birth}{sequence}"
    return body + resident_id_check_char(body)


def owner_row(**values: Any) -> dict[str, Any]:
    """A valid row for building 1: header -> value; pass header=value overrides."""
    row: dict[str, Any] = {
        "楼栋": "1",
        "单元": "1",
        "房号": "1801",
        "业主类型": "个人",
        "姓名/名称": "张三",
        "证件号码": resident_id(),
        "手机号": "13812345678",
        "状态": "已签约",
        "签约日期": "2023-05-20",
        "交付日期": "2024-06-30",
        "短信联系同意": "是",
    }
    row.update(values)
    return row


def fake_owner_rows(count: int, *, seed: int = 7) -> list[dict[str, Any]]:
    """`count` distinct owners with valid IDs and mobiles, one unit each, in building 1."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(rows) < count:
        index = len(rows)
        birth = date.fromordinal(date(1960, 1, 1).toordinal() + rng.randrange(40 * 365))
        number = fake_resident_id(rng, birth_date=birth, gender=rng.choice("MF"))
        if number in seen:
            continue
        seen.add(number)
        rows.append(owner_row(**{
            "单元": str(index // 3000 + 1), "房号": f"{index % 30 + 1}{index // 30 % 100:02d}",
            "姓名/名称": fake_person_name(rng), "证件号码": number, "手机号": fake_mobile(rng),
        }))  # fmt: skip
    return rows


def run_job(
    *,
    actor: Any,
    project: Any,
    content: bytes,
    kind: str = "owners",
    commit: bool = False,
    language: str = "en",
) -> ImportJob:
    job = import_job_create(
        actor=actor, project=project, kind=kind, file=upload(content), language=language
    )
    job = import_job_validate(job_id=job.pk, today=TODAY)
    if commit:
        import_job_request_commit(actor=actor, job=job)
        job = import_job_commit(job_id=job.pk)
    job.refresh_from_db()
    return job


def codes(job: ImportJob) -> list[tuple[int, str, str, str]]:
    return [(e["row"], e["field"], e["column"], e["code"]) for e in job.errors]
