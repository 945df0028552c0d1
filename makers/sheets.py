"""Reading a spreadsheet of volunteers that a hub uploads: a CSV file (Python's csv module)
or an Excel workbook (.xlsx, openpyxl). What comes out is only text: a row of headings and
rows of strings, each with its row number as the spreadsheet shows it, so a problem can
say "row 14". Nothing in a cell is ever run: a formula comes out as its text ("=SUM(A1)"),
and makers.imports refuses it in any column that is imported.

Not tablib: it opens workbooks with `data_only=True`, which turns a formula into whatever
Excel last worked out (or nothing), so a formula could not be named as one; and it drops
blank rows, so every row number after one would be wrong.

Anything that is not a sheet we can read, or is bigger than a list of volunteers ever is,
raises SheetError, whose message says what to do, in words."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from scrubhub.errors import DomainError

MAX_ROWS = 20_000  # people in one sheet; a bigger list is split in two
MAX_COLUMNS = 60
MAX_CELL = 5_000  # characters: far more than any answer on a volunteer form
# A workbook is a zip: what its parts unpack to is capped before any of it is read, so a
# small file cannot unpack into gigabytes.
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_PARTS = 2_000
# Rows of a workbook looked at, blank ones too, before giving up on finding its end.
MAX_SHEET_ROWS = 100_000

# Cells longer than csv's own limit are ours to refuse, with their row and column, so let
# the reader hand them over. The upload is capped, so no cell can be longer than this.
csv.field_size_limit(max(csv.field_size_limit(), settings.SCRUBHUB_IMPORT_MAX_BYTES + 1))

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SheetError(DomainError):
    """The file cannot be brought in; the message says why and what to do."""


@dataclass
class Sheet:
    headers: list[str]
    # (row number in the sheet, cells), blank rows left out; every row as wide as headers.
    rows: list[tuple[int, list[str]]]
    notes: list[str] = field(default_factory=list)


def column_name(index: int) -> str:
    """The spreadsheet's own name for a column: A, B, ... Z, AA."""
    return get_column_letter(index + 1)


def sheet_read(*, data: bytes, file_name: str) -> Sheet:
    """The headings and rows of an uploaded file, or SheetError."""
    if len(data) > settings.SCRUBHUB_IMPORT_MAX_BYTES:
        raise SheetError(too_big_message(len(data)))
    if not data.strip():
        raise SheetError(_("This file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _workbook(data)
    if data.startswith(OLD_EXCEL):
        raise SheetError(
            _(
                "This is an older Excel file (.xls) or another Office file. In Excel, choose "
                "File, then Save As, then “Excel Workbook (.xlsx)”, and upload that."
            )
        )
    start = data[:1024].lstrip().lower()
    if start.startswith(b"%pdf"):
        raise SheetError(_("This is a PDF, not a spreadsheet. Upload the spreadsheet itself."))
    if start.startswith((b"<!doctype", b"<html", b"<?xml", b"{\\rtf")):
        raise SheetError(
            _("This is a web page or a document, not a spreadsheet. Upload a CSV or .xlsx file.")
        )
    return _csv(data)


def too_big_message(size: int) -> str:
    limit = settings.SCRUBHUB_IMPORT_MAX_BYTES
    return _(
        "This file is too big (%(size)s). The most we take is %(limit)s, which is about "
        "20,000 people. Split the sheet in two, or delete columns you do not need, and "
        "upload each part."
    ) % {"size": _megabytes(size), "limit": _megabytes(limit)}


def _megabytes(size: int) -> str:
    return _("%(n)s MB") % {"n": f"{size / (1024 * 1024):.1f}".removesuffix(".0")}


def _not_a_sheet() -> SheetError:
    return SheetError(
        _(
            "This file is not a spreadsheet we can read. Upload a CSV file or an Excel "
            "workbook (.xlsx). In most spreadsheet programs, File, then Save As or Download, "
            "offers both."
        )
    )


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """The text, and a note when it was not UTF-8 (Excel's plain "CSV" is Windows text)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            raise _not_a_sheet() from None
    if b"\x00" in data:
        raise _not_a_sheet()  # no text file holds a NUL byte; every binary file does
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise SheetError(
            _(
                "We could not read the letters in this file. In your spreadsheet program, "
                "save it as “CSV UTF-8” and upload that."
            )
        ) from None
    return text, _(
        "This file was not saved as UTF-8, so we read it as Windows text. Check that names "
        "with accents (like Zoë or Seán) look right below."
    )


def _delimiter(text: str) -> str:
    """Commas, or semicolons or tabs when the heading row uses those instead (Excel in many
    countries saves "CSV" with semicolons)."""
    first = text.split("\n", 1)[0]
    counts = {mark: first.count(mark) for mark in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv(data: bytes) -> Sheet:
    text, note = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    raw: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if any(value.strip() for value in record):
                raw.append((number, [_text_cell(value) for value in record]))
                if len(raw) > MAX_ROWS + 1:
                    raise SheetError(_too_many_rows())
    except csv.Error as error:
        raise SheetError(
            _("Row %(row)s could not be read: %(error)s. Is this a CSV file?")
            % {"row": number + 1, "error": error}
        ) from None
    return _tidy(raw, notes=[note] if note else [])


def _text_cell(value: str) -> str:
    return _CONTROL.sub("", value)


# --- Excel workbooks -------------------------------------------------------------------------


def _workbook(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
        names = {part.filename for part in parts}
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError):
        raise _not_a_sheet() from None
    if b"opendocument.spreadsheet" in mimetype:
        raise SheetError(
            _(
                "This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook "
                "(.xlsx) or a CSV file, and upload that."
            )
        )
    if "word/document.xml" in names:
        raise SheetError(_("This is a Word document, not a spreadsheet."))
    if "xl/workbook.xml" not in names:
        raise _not_a_sheet()
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNZIPPED:
        raise SheetError(
            _(
                "This workbook unpacks to far more than a list of volunteers would. Copy the "
                "list into a new workbook, or save it as CSV, and upload that."
            )
        )
    try:
        # read_only streams rows; data_only=False keeps formulas as their text.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise SheetError(
            _(
                "We could not open this workbook. It may be damaged or protected with a "
                "password. Open it in Excel, save a copy without a password, and upload that."
            )
        ) from None
    try:
        return _worksheet(book)
    except SheetError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet inside a workbook that opened
        raise SheetError(
            _("Part of this workbook is damaged. Save a fresh copy as CSV and upload that.")
        ) from None
    finally:
        book.close()


def _worksheet(book) -> Sheet:
    sheets = book.worksheets
    if not sheets:
        raise _not_a_sheet()
    sheet = sheets[0]
    notes = []
    if len(sheets) > 1:
        notes.append(
            _("This workbook has %(n)s sheets. We read the first one, “%(title)s”.")
            % {"n": len(sheets), "title": sheet.title}
        )
    raw: list[tuple[int, list[str]]] = []
    for number, values in enumerate(
        # One column more than we take, to notice a sheet that is wider.
        sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1, values_only=True),
        start=1,
    ):
        if number > MAX_SHEET_ROWS:
            raise SheetError(_too_many_rows())
        cells = [_workbook_cell(value, number, index) for index, value in enumerate(values)]
        if any(cells):
            raw.append((number, cells))
            if len(raw) > MAX_ROWS + 1:
                raise SheetError(_too_many_rows())
    return _tidy(raw, notes=notes)


def _workbook_cell(value, row: int, index: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value)
    if len(text) > MAX_CELL:  # checked here too, before the control characters go
        raise SheetError(_huge_cell(row, index, len(text), heading=""))
    return _text_cell(text)


# --- Both ----------------------------------------------------------------------------------


def _too_many_rows() -> str:
    return _(
        "This sheet has more than %(n)s rows of people. Split it into smaller sheets and "
        "upload each one."
    ) % {"n": f"{MAX_ROWS:,}"}


def _huge_cell(row: int, index: int, length: int, heading: str) -> str:
    where = _("row %(row)s, column %(column)s") % {"row": row, "column": column_name(index)}
    if heading:
        where += f" (“{heading[:40]}”)"
    return _(
        "The cell at %(where)s holds %(n)s characters. A cell can hold at most %(max)s. Is "
        "this the right file?"
    ) % {"where": where, "n": f"{length:,}", "max": f"{MAX_CELL:,}"}


def _tidy(raw: list[tuple[int, list[str]]], *, notes: list[str]) -> Sheet:
    """The first row with anything in it is the headings; blank rows go (keeping the row
    numbers of the rest); every row is as wide as the widest, and no wider than we take."""
    filled = [(number, cells) for number, cells in raw if any(c.strip() for c in cells)]
    if not filled:
        raise SheetError(_("This file is empty."))
    width = max(_last_filled(cells) for _number, cells in filled)
    if width > MAX_COLUMNS:
        raise SheetError(
            _(
                "This sheet has more than %(n)s columns. Delete the columns you do not need "
                "and upload it again."
            )
            % {"n": MAX_COLUMNS}
        )
    (_header_row, header_cells), body = filled[0], filled[1:]
    headers = [_SPACES.sub(" ", cell).strip() for cell in _padded(header_cells, width)]
    if not body:
        raise SheetError(
            _("This sheet has headings but no people under them. Is this the right file?")
        )
    rows = []
    for number, cells in body:
        cells = _padded(cells, width)
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL:
                raise SheetError(_huge_cell(number, index, len(cell), headers[index]))
        rows.append((number, cells))
    for index, heading in enumerate(headers):
        if len(heading) > MAX_CELL:
            raise SheetError(_huge_cell(filled[0][0], index, len(heading), ""))
    return Sheet(headers=[h[:200] for h in headers], rows=rows, notes=notes)


def _last_filled(cells: list[str]) -> int:
    for index in range(len(cells), 0, -1):
        if cells[index - 1].strip():
            return index
    return 0


def _padded(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width]
