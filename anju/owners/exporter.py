"""Export an owner list to Excel: masked by default, in clear only with the permission.

The caller passes the already filtered and scoped queryset. Rows stream from the
database in chunks of 2,000 into a write-only workbook, so memory stays flat up to
settings.ANJU_EXPORT_MAX_ROWS. Every export, masked or not, writes one access-log row.
"""

import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from anju.audit.services import log_personal_data_access
from anju.imports.columns import GENDER_LABELS, ID_TYPE_LABELS, KIND_LABELS, STATUS_LABELS
from anju.owners.models import Owner, OwnerPhone, Ownership
from anju.security import crypto

EXPORT_PERM = "owners.export_owners"
CLEAR_PERM = "owners.export_personal_data_clear"
CHUNK_SIZE = 2_000
SHEET_TITLE = "业主"
HEADERS = (
    "姓名/名称",
    "业主类型",
    "性别",
    "出生日期",
    "证件类型",
    "证件号码",
    "手机号",
    "其他电话",
    "邮箱",
    "地址",
    "房屋",
    "份额(%)",
    "状态",
    "交付日期",
    "标签",
    "短信联系同意",
    "电话联系同意",
    "微信联系同意",
    "邮件联系同意",
    "偏好",
    "特殊需求",
    "登记项目",
    "建档时间",
)
_WIDTHS = {"A": 14, "F": 22, "G": 14, "H": 18, "K": 22, "V": 16, "W": 18}


def _labels(mapping: dict[str, str]) -> dict[str, str]:
    return {value: label for label, value in mapping.items()}


_KIND, _GENDER, _ID_TYPE, _STATUS = map(
    _labels, (KIND_LABELS, GENDER_LABELS, ID_TYPE_LABELS, STATUS_LABELS)
)


def owners_export(
    *,
    actor: Any,
    queryset: QuerySet[Owner],
    reason: str = "",
    description: str = "",
    in_clear: bool | None = None,
) -> tuple[str, bytes]:
    """Return (file name, .xlsx bytes) and log the export.

    `in_clear` None means "in clear if the actor may"; True without the permission is
    refused. An export in clear needs a reason. `description` says which filter was
    exported (it becomes the log's "whose").
    """
    if not actor.has_perm(EXPORT_PERM):
        raise PermissionDenied
    may_clear = actor.has_perm(CLEAR_PERM)
    if in_clear and not may_clear:
        raise PermissionDenied
    clear = may_clear if in_clear is None else in_clear
    reason = reason.strip()
    if clear and len(reason) < 2:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(_("Say why you need the full values."), code="reason_required")
                ]
            }
        )
    content, count = _workbook(_rows(queryset, clear=clear))
    with transaction.atomic():
        log_personal_data_access(
            actor=actor,
            action="export",
            record_count=count,
            in_clear=clear,
            fields="id_number,phones" if clear else "id_number_masked,phones_masked",
            reason=(reason or _("Owner list export (masked)"))[:500],
            subject_repr=description or _("Owner list"),
        )
    return f"owners-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx", content


def _export_queryset(queryset: QuerySet[Owner]) -> QuerySet[Owner]:
    active = Ownership.objects.active().select_related("unit").order_by("unit__code")
    # The list page's own prefetches (primary phone, active units) are replaced by these.
    return (
        queryset.select_related("project")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "phones",
                queryset=OwnerPhone.objects.order_by("-is_primary", "id"),
                to_attr="export_phones",
            ),
            Prefetch("ownerships", queryset=active, to_attr="export_ownerships"),
            "tags",
        )[: settings.ANJU_EXPORT_MAX_ROWS]
    )


def _rows(queryset: QuerySet[Owner], *, clear: bool) -> Iterator[list[Any]]:
    for owner in _export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield _row(owner, clear=clear)


def _phone(phone: OwnerPhone, clear: bool) -> str:
    return crypto.decrypt(phone.number_cipher) if clear else phone.number_masked


def _row(owner: Any, *, clear: bool) -> list[Any]:
    phones = [_phone(phone, clear) for phone in owner.export_phones]
    links = owner.export_ownerships
    handovers = [link.handover_date for link in links if link.handover_date]
    if clear and owner.id_number_cipher:
        id_number = crypto.decrypt(owner.id_number_cipher)
    else:
        id_number = owner.id_number_masked
    yes_no = [
        "是" if flag else "否"
        for flag in (
            owner.consent_sms,
            owner.consent_phone,
            owner.consent_wechat,
            owner.consent_email,
        )
    ]
    return [
        owner.name,
        _KIND.get(owner.kind, owner.kind),
        _GENDER.get(owner.gender, ""),
        owner.birth_date,
        _ID_TYPE.get(owner.id_type, owner.id_type),
        id_number,
        phones[0] if phones else "",
        "、".join(phones[1:]),
        owner.email,
        owner.address,
        "、".join(link.unit.code for link in links),
        "、".join(f"{link.share.normalize():f}" for link in links),
        "、".join(_STATUS.get(link.status, link.status) for link in links),
        max(handovers) if handovers else None,
        "、".join(tag.name for tag in owner.tags.all()),
        *yes_no,
        owner.preferences,
        owner.special_needs,
        owner.project.name,
        timezone.localtime(owner.created_at).replace(tzinfo=None),
    ]


def _workbook(rows: Iterator[list[Any]]) -> tuple[bytes, int]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    for letter, width in _WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count
