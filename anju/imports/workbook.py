"""Read an import sheet as a stream of parsed rows; write the documented template.

Reading uses python-calamine (Rust): about ten times faster than openpyxl's read-only
mode on the files openpyxl itself writes (inline strings), for the price of holding the
sheet's cells in native memory while it is read (about 1.5 KB per row of the owner
sheet). Cells come back as str ('' when empty), float (every number), bool, date /
datetime (date-formatted cells), time or timedelta; the column parsers in `spec` accept
all of them. Errors are collected in an `ErrorLog` that keeps the first N for display
(settings.ANJU_IMPORT_MAX_ERRORS_SHOWN) but counts all.

Templates are still written with openpyxl.
"""

import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

from anju.imports.spec import CellError, Column, ParsedRow

PROGRESS_EVERY = 1_000
TEMPLATE_VALIDATION_ROWS = 10_000
NOTES_SHEET = "说明"
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_NOTHING_FAILED: frozenset[str] = frozenset()


class SheetError(Exception):
    """The file cannot be read as a spreadsheet at all."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


class ErrorLog:
    """Row errors as {row, field, column, code, message}; the first `limit` are kept."""

    def __init__(self, columns: Sequence[Column], limit: int | None = None) -> None:
        self.headers = {column.field: column.header for column in columns}
        self.limit = settings.ANJU_IMPORT_MAX_ERRORS_SHOWN if limit is None else limit
        self.count = 0
        self._shown: list[dict[str, Any]] = []

    def add(self, row: int, field: str, code: str, message: object) -> None:
        self.count += 1
        if len(self._shown) < self.limit:
            self._shown.append(
                {
                    "row": row,
                    "field": field,
                    "column": self.headers.get(field, ""),
                    "code": code,
                    "message": str(message),
                }
            )

    def __bool__(self) -> bool:
        return self.count > 0

    def shown(self) -> list[dict[str, Any]]:
        return sorted(self._shown, key=lambda error: error["row"])


def _header_key(value: Any) -> str:
    """Full-width brackets and stray spaces in a typed header still match."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split())


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_blank_row(cells: Sequence[Any]) -> bool:
    # Most rows are not blank: stop at the first value.
    return all(_is_blank(cell) for cell in cells)


class SheetReader:
    """The first worksheet of a workbook, parsed column by column.

    The header is row 1. calamine's `iter_rows` starts at row 1 even when the first
    rows are empty (columns start at the first used one), so row numbers are Excel's.
    """

    def __init__(self, fileobj: IO[bytes], columns: Sequence[Column], errors: ErrorLog) -> None:
        try:
            self._book = CalamineWorkbook.from_filelike(fileobj)
            self._sheet = self._book.get_sheet_by_index(0)
        except (CalamineError, ValueError, OSError) as exc:
            raise SheetError("unreadable", _("The file is not an Excel workbook (.xlsx).")) from exc
        self.columns = columns
        self.errors = errors
        end = self._sheet.end  # (last row, last column), 0-based; None when empty
        self.total_rows: int | None = end[0] if end else 0

    def close(self) -> None:
        """Free the cells (native memory) as soon as the rows have been read."""
        del self._sheet
        self._book.close()

    def rows(
        self, *, max_rows: int, on_progress: Callable[[int], None] | None = None
    ) -> Iterator[ParsedRow]:
        lines = self._sheet.iter_rows()
        positions = self._positions(next(lines, ()))
        if positions is None:
            return
        count = 0
        for number, cells in enumerate(lines, start=2):
            if _is_blank_row(cells):
                continue
            count += 1
            if count > max_rows:
                self.errors.add(
                    number,
                    "",
                    "too_many_rows",
                    _("A file may hold at most %(max)s rows; split it.") % {"max": max_rows},
                )
                return
            yield self._parse(number, cells, positions)
            if on_progress is not None and count % PROGRESS_EVERY == 0:
                on_progress(count)
        if on_progress is not None:
            on_progress(count)

    def _positions(self, header: Sequence[Any]) -> list[tuple[int, Column]] | None:
        found: dict[str, int] = {}
        for index, value in enumerate(header):
            found.setdefault(_header_key(value), index)
        positions = []
        missing = False
        for column in self.columns:
            position = found.get(_header_key(column.header))
            if position is not None:
                positions.append((position, column))
            elif column.required:
                missing = True
                self.errors.add(
                    1,
                    column.field,
                    "missing_column",
                    _("The column %(header)s is missing; download the template.")
                    % {"header": column.header},
                )
        return None if missing else positions

    def _parse(
        self, number: int, cells: Sequence[Any], positions: list[tuple[int, Column]]
    ) -> ParsedRow:
        values: dict[str, Any] = {}
        failed: set[str] = set()
        size = len(cells)
        for index, column in positions:
            raw = cells[index] if index < size else None
            if raw == "" or raw is None or (raw.__class__ is str and raw.isspace()):
                if column.required:
                    failed.add(column.field)
                    self.errors.add(number, column.field, "required", _("This cell is required."))
                continue
            try:
                values[column.field] = column.parse(raw)
            except CellError as exc:
                failed.add(column.field)
                self.errors.add(number, column.field, exc.code, exc.message)
        return ParsedRow(number, values, frozenset(failed) if failed else _NOTHING_FAILED)


def template_workbook(*, title: str, columns: Sequence[Column], notes: Sequence[str]) -> bytes:
    """The downloadable template: headers, one example row, and the 说明 sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([column.header for column in columns])
    sheet.append([column.example for column in columns])
    sheet.freeze_panes = "A2"
    for position, column in enumerate(columns, start=1):
        letter = get_column_letter(position)
        header = sheet.cell(row=1, column=position)
        header.font = Font(bold=True)
        if column.required:
            header.fill = _REQUIRED_FILL
        sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 4)
        if column.text_format:
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=position).number_format = "@"
        if column.choices:
            rule = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            rule.add(f"{letter}2:{letter}{TEMPLATE_VALIDATION_ROWS}")
            sheet.add_data_validation(rule)
    _notes_sheet(book, columns, notes)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _notes_sheet(book: Workbook, columns: Sequence[Column], notes: Sequence[str]) -> None:
    sheet = book.create_sheet(NOTES_SHEET)
    sheet.append(
        [
            _("Column"),
            _("Required"),
            _("Description"),
            _("Allowed values / format"),
            _("Example"),
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append(
            [
                column.header,
                _("Yes") if column.required else _("No"),
                str(column.description),
                str(column.allowed),
                "" if column.example is None else str(column.example),
            ]
        )
    sheet.append([])
    for note in notes:
        sheet.append([note])
    for letter, width in zip("ABCDE", (16, 8, 60, 40, 24), strict=True):
        sheet.column_dimensions[letter].width = width
