"""The columns of the two import sheets, as the template documents them.

Headers and the labels people type (个人, 已签约, 是 …) are the file format, so they are
literals; descriptions are UI text and are translated.
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from anju.imports.spec import (
    LIST_SEPARATORS_RE,
    Column,
    allowed_labels,
    choice,
    date_value,
    integer_value,
    positive_decimal,
    text,
    word_list,
    yes_no,
)
from anju.owners.models import Owner, Ownership
from anju.owners.rules.idtypes import IdType

DATE_HELP = _("A date cell, or text such as 2024-06-30 or 2024/6/30.")
YES_NO = ("是", "否")

KIND_LABELS = {"个人": Owner.Kind.PERSON.value, "企业": Owner.Kind.COMPANY.value}
GENDER_LABELS = {"男": "M", "女": "F"}
ID_TYPE_LABELS = {
    "居民身份证": IdType.RESIDENT_ID.value,
    "护照": IdType.PASSPORT.value,
    "港澳居民来往内地通行证": IdType.HK_MACAU_PERMIT.value,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT.value,
    "港澳台居民居住证": IdType.HMT_RESIDENCE_PERMIT.value,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT_RESIDENT.value,
    "统一社会信用代码": IdType.BUSINESS_LICENCE.value,
}
STATUS_LABELS = {
    "认购": Ownership.Status.SUBSCRIBED.value,
    "已签约": Ownership.Status.CONTRACTED.value,
    "已交付": Ownership.Status.HANDED_OVER.value,
    "已取消": Ownership.Status.CANCELLED.value,
    "已转让": Ownership.Status.TRANSFERRED.value,
}

# --- where a unit is, and what it is (both sheets) -------------------------------------

PLACE_COLUMNS: tuple[Column, ...] = (
    Column(
        "楼栋",
        "building",
        text(20),
        required=True,
        description=_("Building number as registered, e.g. 3."),
        example="3",
    ),
    Column(
        "单元", "entrance", text(10), description=_("Entrance (单元); blank if none."), example="2"
    ),
    Column("房号", "room", text(20), required=True, description=_("Room number."), example="1801"),
)
DETAIL_COLUMNS: tuple[Column, ...] = (
    Column(
        "楼层",
        "floor",
        integer_value,
        description=_("Floor; blank: read from the room number (1801 → 18)."),
        allowed=_("A whole number from 1"),
        example=18,
    ),
    Column(
        "户型",
        "layout",
        text(50),
        description=_("Layout name; created if new."),
        example="A1 三室两厅",
    ),
    Column(
        "建筑面积",
        "building_area",
        positive_decimal(Decimal(999_999)),
        description=_("Building area in square metres."),
        example=98.5,
    ),
)

UNIT_COLUMNS: tuple[Column, ...] = (
    Column(
        "分期",
        "phase",
        text(50),
        description=_("Phase (purchase batch); needed when the building is new."),
        example="一期",
    ),
    *PLACE_COLUMNS,
    *DETAIL_COLUMNS,
    Column(
        "交付日期",
        "delivery_date",
        date_value,
        description=_("Delivery date."),
        allowed=DATE_HELP,
        example="2024-06-30",
    ),
    Column(
        "保修起始",
        "warranty_start",
        date_value,
        description=_("Warranty start; blank means the delivery date."),
        allowed=DATE_HELP,
        example="2024-06-30",
    ),
)

# --- owners and ownerships ---------------------------------------------------------------


def _consent(header: str, name: str, what: Any) -> Column:
    return Column(
        header,
        name,
        yes_no,
        description=what,
        allowed="是 / 否 (blank = 否)",
        example="是",
        choices=YES_NO,
    )


def _labels(mapping: dict[str, str], blank: str = "") -> str:
    return allowed_labels(mapping) + (f" (blank = {blank})" if blank else "")


_IDENTITY_COLUMNS: tuple[Column, ...] = (
    Column(
        "业主类型",
        "kind",
        choice(KIND_LABELS),
        description=_("Person or company."),
        allowed=_labels(KIND_LABELS, "个人"),
        example="个人",
        choices=tuple(KIND_LABELS),
    ),
    Column(
        "姓名/名称",
        "name",
        text(100),
        required=True,
        description=_("The owner's name, or the company's registered name."),
        example="张三",
    ),
    Column(
        "性别",
        "gender",
        choice(GENDER_LABELS),
        description=_("Optional: read from a resident ID number; must agree with it."),
        allowed=_labels(GENDER_LABELS),
        example="男",
        choices=tuple(GENDER_LABELS),
    ),
    Column(
        "出生日期",
        "birth_date",
        date_value,
        description=_("Optional: read from a resident ID number; must agree with it."),
        allowed=DATE_HELP,
        example="1985-03-12",
    ),
    Column(
        "证件类型",
        "id_type",
        choice(ID_TYPE_LABELS),
        description=_("Blank means resident ID card for a person, credit code for a company."),
        allowed=_labels(ID_TYPE_LABELS),
        example="居民身份证",
        choices=tuple(ID_TYPE_LABELS),
    ),
    Column(
        "证件号码",
        "id_number",
        text(30),
        text_format=True,
        description=_(
            "Checked (check character, birth date). Rows with the same number "
            "are the same owner. Type it as text, not as a number."
        ),
        allowed=_("15 or 18 characters for a resident ID"),
        example="110105198503120039",
    ),
)
_CONTACT_COLUMNS: tuple[Column, ...] = (
    Column(
        "手机号",
        "mobile",
        text(30),
        text_format=True,
        description=_("The primary phone: a mainland mobile number."),
        allowed=_("11 digits starting with 1; +86 allowed"),
        example="13812345678",
    ),
    Column(
        "其他电话",
        "other_phones",
        word_list(30, LIST_SEPARATORS_RE),
        text_format=True,
        description=_("More phones (mobile, landline or 400/800), separated by commas."),
        example="0755-86012345",
    ),
    Column(
        "邮箱", "email", text(254), description=_("Email address."), example="zhangsan@example.com"
    ),
    Column(
        "地址",
        "address",
        text(200),
        description=_("Postal address."),
        example="深圳市南山区科技园路1号",
    ),
)
_OWNERSHIP_COLUMNS: tuple[Column, ...] = (
    Column(
        "份额(%)",
        "share",
        positive_decimal(Decimal(100)),
        description=_(
            "The owner's share of the unit. Blank: co-owners share what is left "
            "equally. The shares of a unit cannot exceed 100."
        ),
        allowed=_("0.01 to 100"),
        example=100,
    ),
    Column(
        "状态",
        "status",
        choice(STATUS_LABELS),
        description=_("Purchase status."),
        allowed=_labels(STATUS_LABELS, "已签约"),
        example="已签约",
        choices=tuple(STATUS_LABELS),
    ),
    Column(
        "认购日期",
        "subscription_date",
        date_value,
        description=_("Subscription date."),
        allowed=DATE_HELP,
        example="2023-05-01",
    ),
    Column(
        "签约日期",
        "contract_date",
        date_value,
        description=_("Contract date: not before the subscription date."),
        allowed=DATE_HELP,
        example="2023-05-20",
    ),
    Column(
        "交付日期",
        "handover_date",
        date_value,
        description=_(
            "Handover date: not before the contract date. It sets the owner's lifecycle stage."
        ),
        allowed=DATE_HELP,
        example="2024-06-30",
    ),
)
_PROFILE_COLUMNS: tuple[Column, ...] = (
    Column(
        "标签",
        "tags",
        word_list(30),
        description=_("Tags, separated by commas."),
        example="VIP、投资客",
    ),
    _consent("短信联系同意", "consent_sms", _("May we contact the owner by SMS?")),
    _consent("电话联系同意", "consent_phone", _("May we contact the owner by phone?")),
    _consent("微信联系同意", "consent_wechat", _("May we contact the owner by WeChat?")),
    _consent("邮件联系同意", "consent_email", _("May we contact the owner by email?")),
    Column(
        "偏好",
        "preferences",
        text(2000),
        description=_("Preferences, free text."),
        example="周末上午方便联系",
    ),
    Column(
        "特殊需求",
        "special_needs",
        text(2000),
        description=_("Special needs, free text."),
        example="",
    ),
)

OWNER_COLUMNS: tuple[Column, ...] = (
    *PLACE_COLUMNS,
    *DETAIL_COLUMNS,
    *_IDENTITY_COLUMNS,
    *_CONTACT_COLUMNS,
    *_OWNERSHIP_COLUMNS,
    *_PROFILE_COLUMNS,
)
