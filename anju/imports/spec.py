"""Column definitions for the Excel imports: Chinese header, field, required flag, parser.

A column's header is part of the file format (the template's Chinese title), so it is a
literal, not a UI string. Parsers turn one cell into a Python value or raise `CellError`
with a machine code and a translatable message; blank cells never reach a parser.
"""

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel

Parser = Callable[[Any], Any]

# Full-width punctuation is what Chinese input methods type.
TAG_SEPARATORS_RE = re.compile(r"[,，、;；\s]+")
LIST_SEPARATORS_RE = re.compile(r"[,，、;；/]+")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
# Excel serial numbers for 1900-01-01 .. 9999-12-31.
_EXCEL_SERIAL_RANGE = (1, 2_958_465)
YES_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "同意"})
NO_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "不同意"})


class CellError(ValueError):
    """One cell could not be read; `code` is stable, `message` translatable."""

    def __init__(self, code: str, message: Promise | str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    parse: Parser
    required: bool = False
    description: Promise | str = ""
    allowed: Promise | str = ""
    example: Any = None
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the template
    text_format: bool = False  # format the template column as text (ID numbers, phones)


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One spreadsheet row: Excel row number (header = 1), parsed values, failed fields."""

    number: int
    values: dict[str, Any]
    failed: frozenset[str] = field(default_factory=frozenset)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value


# Readers return every number as a float: beyond 2**53 its digits are no longer exact
# (and Excel itself keeps only 15 significant digits of a number typed in a cell).
_EXACT_FLOAT_LIMIT = 2**53


def cell_text(value: Any) -> str:
    """The cell as text: numbers typed into a text column lose their '.0'."""
    if value.__class__ is str:
        return str(value.strip())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        if isinstance(value, float) and abs(value) >= _EXACT_FLOAT_LIMIT:
            raise CellError(
                "number_too_long",
                _("This long number lost its last digits in Excel; format the cell as text."),
            )
        result = cell_text(value)
        if len(result) > max_length:
            raise CellError(
                "too_long",
                _("At most %(max)s characters are allowed.") % {"max": max_length},
            )
        return result

    return parse


def date_value(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and _EXCEL_SERIAL_RANGE[0] <= value <= _EXCEL_SERIAL_RANGE[1]:
        return from_excel(value).date()
    raw = cell_text(value)
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        with suppress(ValueError):  # the common case first: 2024-06-30
            return date.fromisoformat(raw)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise CellError("invalid_date", _("Enter a real date such as 2024-06-30."))


def decimal_value(value: Any) -> Decimal:
    raw = cell_text(value).replace(",", "").rstrip("%％").strip()
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError("invalid_number", _("Enter a number.")) from None
    if not number.is_finite():
        raise CellError("invalid_number", _("Enter a number."))
    return number


def positive_decimal(max_value: Decimal) -> Parser:
    def parse(value: Any) -> Decimal:
        number = decimal_value(value).quantize(Decimal("0.01"))
        if number <= 0 or number > max_value:
            raise CellError(
                "out_of_range",
                _("Enter a number greater than 0 and at most %(max)s.") % {"max": max_value},
            )
        return number

    return parse


def integer_value(value: Any) -> int:
    number = decimal_value(value)
    if number != number.to_integral_value():
        raise CellError("invalid_integer", _("Enter a whole number."))
    return int(number)


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = cell_text(value).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise CellError("invalid_choice", _("Enter 是 or 否."))


def choice(mapping: Mapping[str, str]) -> Parser:
    """Map the Chinese labels of the template to stored values."""

    def parse(value: Any) -> str:
        label = cell_text(value)
        if label in mapping:
            return mapping[label]
        raise CellError(
            "invalid_choice",
            _("Choose one of: %(choices)s.") % {"choices": "、".join(mapping)},
        )

    return parse


def word_list(max_length: int, separators: re.Pattern[str] = TAG_SEPARATORS_RE) -> Parser:
    """Tags (commas, 、, semicolons or spaces) and extra phones (no spaces: "138 1234 5678")."""

    def parse(value: Any) -> list[str]:
        words = [w.strip() for w in separators.split(cell_text(value)) if w.strip()]
        if any(len(w) > max_length for w in words):
            raise CellError(
                "too_long",
                _("At most %(max)s characters are allowed.") % {"max": max_length},
            )
        return words

    return parse


def allowed_labels(mapping: Mapping[str, str]) -> str:
    return "、".join(mapping)


@dataclass(frozen=True)
class Importer:
    """One kind of import: its columns and the three steps the job services run.

    check(rows, errors, *, today) -> plan      reads the rows; in-file rules only
    resolve(plan, project_id, errors) -> res   database rules (read-only queries)
    write(plan, res, context) -> summary       bulk inserts inside the commit transaction
    The plan must be picklable: it is kept, encrypted, between validation and commit.
    """

    kind: str
    permission: str
    sheet_title: str
    columns: tuple[Column, ...]
    notes: tuple[Promise | str, ...]
    check: Callable[..., Any]
    resolve: Callable[..., Any]
    write: Callable[..., dict[str, int]]
