"""Files people open in spreadsheets: cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import re
from io import BytesIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from lessons.store import KIND_LABELS, STATUS_LABELS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    r"""Prefix text that a spreadsheet would read as a formula with an apostrophe (OWASP CSV injection advice).

    >>> neutralise("=HYPERLINK(\"http://e.vil\")"), neutralise("-2+3"), neutralise("plain"), neutralise(-2)
    ('\'=HYPERLINK("http://e.vil")', "'-2+3", 'plain', -2)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every text cell neutralised."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def to_csv(frame: pd.DataFrame) -> str:
    r"""CSV text (UTF-8, header row) with formulas neutralised.

    >>> to_csv(pd.DataFrame({"actor": ["=cmd()"], "rows": [1]}))
    "actor,rows\n'=cmd(),1\n"
    """
    return neutralised(frame).to_csv(index=False, lineterminator="\n")


#: The most characters a spreadsheet cell holds (Excel's limit); longer text is cut.
CELL_LIMIT = 32_767
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _cell(value):
    """Convert a value to what an XLSX cell takes.

    Missing values become empty, text is neutralised and stripped of the control characters XML cannot hold, numbers
    stay numbers.
    """
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))[:CELL_LIMIT]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_xlsx(frame: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    """Return an XLSX workbook of ``frame`` (one sheet, a bold header row, frozen), with every text cell neutralised.

    No cell is ever a formula: text a spreadsheet would run is prefixed with an apostrophe as in :func:`to_csv`,
    control characters that XML cannot hold are dropped, and text longer than a cell holds is cut at
    ``CELL_LIMIT`` characters. Numbers stay numbers; missing values are empty cells.

    Parameters
    ----------
    frame : DataFrame
        The table; its column names become the header row.
    sheet_name : str
        The sheet's name (characters a sheet name cannot hold are replaced, at most 31 kept).

    Returns
    -------
    bytes
        The workbook.

    Examples
    --------
    >>> from io import BytesIO
    >>> from openpyxl import load_workbook
    >>> book = load_workbook(BytesIO(to_xlsx(pd.DataFrame({"title": ["=1+1"], "votes": [3]}), sheet_name="Lessons")))
    >>> [[(c.value, c.data_type) for c in row] for row in book["Lessons"].iter_rows()]
    [[('title', 's'), ('votes', 's')], [("'=1+1", 's'), (3, 'n')]]
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_SHEET_NAME_FORBIDDEN.sub("-", sheet_name)[:31] or "Data")
    sheet.freeze_panes = "A2"
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(sheet, value=_cell(str(name)))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(value) for value in row])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


#: The columns of a lessons download, from :func:`lessons.queries.lessons_for_export`, with their headers.
LESSON_COLUMNS = {
    "pilot_name": "Pilot",
    "country": "Country",
    "key": "Lesson key",
    "title": "Title",
    "lesson": "What was learned",
    "context": "Context",
    "recommendation": "Recommendation",
    "kind": "Kind",
    "phase_name": "Co-creation phase",
    "themes": "Themes",
    "groups": "Stakeholder groups concerned",
    "methodology": "Methodology",
    "status": "Status",
    "evidence_strength": "Evidence strength",
    "evidence_source": "Evidence source",
    "recorded_on": "Recorded on",
    "language": "Language",
    "id": "Lesson id",
}


def lessons_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Lay lessons out as people read them in a spreadsheet: the ``LESSON_COLUMNS`` in order.

    Headers, kinds and statuses are readable (a ``country`` column already holding names is kept as it is).

    >>> row = {c: None for c in LESSON_COLUMNS} | {"kind": "barrier", "status": "applied_elsewhere", "id": 7}
    >>> lessons_sheet(pd.DataFrame([row]))[["Kind", "Status", "Lesson id"]].to_dict("records")
    [{'Kind': 'Barrier', 'Status': 'Applied elsewhere', 'Lesson id': 7}]
    """
    sheet = frame[list(LESSON_COLUMNS)].copy()
    sheet["kind"] = sheet["kind"].map(lambda k: KIND_LABELS.get(k, k))
    sheet["status"] = sheet["status"].map(lambda s: STATUS_LABELS.get(s, s))
    return sheet.rename(columns=LESSON_COLUMNS)
