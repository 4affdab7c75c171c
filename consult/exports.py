"""Writing exports: every table leaves the platform through here, with spreadsheet formulas defused."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from consult import text

#: A cell starting with one of these is run as a formula by Excel or LibreOffice (tab and CR too, as
#: some spreadsheets strip them before looking at the next character).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Characters an XLSX file may not hold (XML 1.0 forbids most control characters).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters a worksheet's name may not hold.
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def _visible_start(value: str) -> str:
    for index, char in enumerate(value):
        if char in FORMULA_STARTS:
            return value[index:]
        if not (char.isspace() or text.invisible(char)):
            return value[index:]
    return ""


def neutralise(value):
    """``value`` made safe for a spreadsheet cell: text that would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    # Spreadsheets skip leading spaces and invisible characters (a BOM, a zero-width space) before they
    # look for "=": so does the check, or "\ufeff=HYPERLINK(...)" would run.
    if isinstance(value, str) and _visible_start(value).startswith(FORMULA_STARTS):
        return "'" + value
    # Numbers stay numbers: a negative count is data, not a formula.
    return value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",") -> str:
    """CSV text of ``headers`` and ``rows``, every cell neutralised; starts with a BOM so Excel reads UTF-8.

    Pass ``delimiter=";"`` for spreadsheets set to Italian, where the comma is the decimal separator.
    """
    return write_csv_with_notes((), headers, rows, delimiter=delimiter)


def write_csv_with_notes(
    notes: Iterable[Sequence],
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    delimiter: str = ",",
    decimal_comma: bool = False,
) -> str:
    """Like ``write_csv``, with rows of ``notes`` (e.g. method, date, source) and an empty row before the table.

    ``decimal_comma`` writes 0.5 as 0,5, as a spreadsheet set to Italian reads numbers (use it with ``;``).
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def cell(value):
        value = neutralise(value)
        if decimal_comma and isinstance(value, float):
            return repr(value).replace(".", ",")
        return value

    notes = list(notes)
    for note in notes:
        writer.writerow([cell(value) for value in note])
    if notes:
        writer.writerow([])
    writer.writerow([neutralise(str(header)) for header in headers])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()


def _xlsx_cell(value):
    value = neutralise(value)
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def _sheet_title(title: str, used: set[str]) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = _SHEET_ILLEGAL.sub("-", title).strip("'") or "Foglio"
    base = base[:31]
    name, number = base, 2
    while name.casefold() in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.casefold())
    return name


def write_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """An XLSX workbook with one sheet per ``(title, headers, rows)``, every text cell neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(str(title), used))
        sheet.append([_xlsx_cell(str(header)) for header in headers])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths = [len(str(header)) for header in headers]
        for row in rows:
            values = [_xlsx_cell(cell) for cell in row]
            sheet.append(values)
            for index, value in enumerate(values):
                length = len(str(value))
                if index < len(widths):
                    widths[index] = max(widths[index], length)
                else:
                    widths.append(length)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(8, width + 2), 80)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
