"""Spreadsheet (CSV) downloads: every export writes its cells and its response here.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection): such text gets a leading apostrophe,
which a spreadsheet shows as plain text. Numbers are written as numbers (a negative count
is not a formula), dates as ISO dates and yes/no as words.

Rows are streamed, so a big export starts at once and never sits whole in memory; the
caller's rows come from a queryset's iterator() and so cost the same queries at any size.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def csv_cell(value) -> object:
    """One value as a spreadsheet should read it, never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading and how to read it from a row."""

    title: str
    get: Callable[[object], object]


class _Echo:
    """A file that hands back what is written to it, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def csv_rows(columns: list[Column], rows: Iterable) -> Iterable[str]:
    """The heading line, then one line per row, each cell made safe."""
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_cell(column.title) for column in columns])
    for row in rows:
        yield writer.writerow([csv_cell(column.get(row)) for column in columns])


def csv_response(*, filename: str, columns: list[Column], rows: Iterable) -> StreamingHttpResponse:
    """A download of `rows` (objects or dicts the columns read) named `filename` plus today's
    date, never kept by a browser's or a proxy's cache."""
    response = StreamingHttpResponse(
        csv_rows(columns, rows), content_type="text/csv; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{day}.csv"'
    response["Cache-Control"] = "no-store"
    return response
