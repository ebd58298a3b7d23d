"""One sheet of raw rows, and how text becomes one: decoding an uploaded file and reading CSV text.

Shared by the table readers (:mod:`lessons.ingest.tables`) and the network readers (:mod:`lessons.ingest.networks`,
for CSV edge lists); it imports neither, so both import it at the top.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from lessons.i18n import _, number
from lessons.ingest.normalise.folding import fold as _fold  # the one text fold
from lessons.ingest.problems import Problem

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
EMPTY_SHEET = "The sheet has a header but no rows of data."
csv.field_size_limit(MAX_FILE_BYTES)  # long cells reach validation, which says how long a field may be
CSV_DELIMITERS = ",;\t|"


@dataclass
class Sheet:
    """Rows of one sheet as read: ``rows[i]`` maps column header to raw value and is spreadsheet row ``first_row + i``."""

    name: str
    file: str
    columns: list[str]
    rows: list[dict]
    first_row: int = 2
    row_numbers: list[int] | None = None  # where rows are not consecutive lines (XML sources: the element's line)

    def row_number(self, offset: int) -> int:
        """Return the spreadsheet row number of the data row at ``offset``."""
        if self.row_numbers is not None and offset < len(self.row_numbers) and self.row_numbers[offset]:
            return self.row_numbers[offset]
        return self.first_row + offset


def decode(data: bytes, filename: str, problems: list[Problem]) -> str | None:
    """Text of a file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252, else Latin-1, with a warning.

    Windows-1252 (what Excel on Windows writes as "CSV") is Latin-1 with printable characters where Latin-1 has
    invisible controls (bytes 0x80–0x9F): curly quotes, dashes, €. Read as Latin-1 they became controls, which
    :func:`lessons.text.clean_text` removes, so "“Quoted”" arrived as "Quoted". Latin-1 is left for the files
    Windows-1252 cannot read (the five bytes it leaves undefined).

    >>> decode("“Café” – 5 €".encode("cp1252"), "x.csv", problems := [])
    '“Café” – 5 €'
    >>> problems[0].message
    'The file is not UTF-8; it was read as Windows-1252 (Western European: Latin-1 with curly quotes, dashes and €).'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            problems.append(
                Problem(
                    filename,
                    None,
                    None,
                    None,
                    _("The file says it is UTF-16 but is not."),
                    _("Save it again as UTF-8 CSV."),
                )
            )
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text, name = (
            data.decode("cp1252"),
            _("Windows-1252 (Western European: Latin-1 with curly quotes, dashes and €)"),
        )
    except UnicodeDecodeError:
        text, name = data.decode("latin-1"), _("Latin-1 (Western European)")
    problems.append(
        Problem(
            filename, None, None, None, _("The file is not UTF-8; it was read as {encoding}.").format(encoding=name),
            _("Check accented letters in the preview; if they look wrong, save the file as 'CSV UTF-8'."), "warning",
        )
    )  # fmt: skip
    return text


def _rows_from_matrix(matrix, name: str, filename: str, problems: list[Problem], first_line: int = 1) -> Sheet | None:
    """Header row plus data rows (lists) → a Sheet; ragged rows and empty files are problems."""
    matrix = list(matrix)
    while matrix and not any(str(c).strip() for c in matrix[-1] if c is not None):
        matrix.pop()
    if not matrix:
        problems.append(
            Problem(
                filename,
                name,
                None,
                None,
                _("The sheet is empty."),
                _("Add a header row and at least one row of data."),
            )
        )
        return None
    header = [str(c).strip() if c is not None else "" for c in matrix[0]]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        problems.append(
            Problem(
                filename,
                name,
                first_line,
                None,
                "The first row has no column names.",
                "Put the column names in the first row.",
            )
        )
        return None
    seen = set()
    for position, column in enumerate(header):
        if not column:
            header[position] = f"column {position + 1}"
        elif _fold(column) in seen:
            problems.append(
                Problem(
                    filename,
                    name,
                    first_line,
                    column,
                    f"The column name '{column}' appears twice.",
                    "Give every column its own name.",
                )
            )
        seen.add(_fold(header[position]))
    data = matrix[1:]
    if len(data) > MAX_ROWS:
        problems.append(
            Problem(filename, name, None, None, _("The sheet has {n} rows; at most {limit} are accepted in one upload.").format(n=number(len(data)), limit=number(MAX_ROWS)), _("Split the file into smaller files and upload them one after another."))
        )  # fmt: skip
        return None
    rows = []
    width = len(header)
    for offset, values in enumerate(data):
        if len(values) == width:  # the common case: nothing missing, nothing extra
            rows.append(dict(zip(header, values)))
            continue
        values = list(values)
        extra = [v for v in values[len(header) :] if v not in (None, "")]
        if extra:
            problems.append(
                Problem(filename, name, first_line + 1 + offset, None, _("This row has {cells} cells but the header has {columns} columns.").format(cells=len(values), columns=len(header)), _("Remove the extra cells, or quote cells that contain the separator."))
            )  # fmt: skip
        values += [None] * (len(header) - len(values))
        rows.append(dict(zip(header, values)))
    if not rows:
        problems.append(
            Problem(
                filename,
                name,
                None,
                None,
                EMPTY_SHEET,
                "Add the data below the header row.",
            )
        )
    return Sheet(name, filename, header, rows, first_line + 1)


def read_csv_text(text: str, filename: str, name: str, problems: list[Problem]) -> Sheet | None:
    """Read a CSV text (separator sniffed among , ; tab |) into a Sheet."""
    try:
        matrix = list(csv.reader(lines(text), delimiter=guess_delimiter(text), strict=True))
    except csv.Error as err:
        problems.append(
            Problem(
                filename,
                name,
                None,
                None,
                f"The CSV cannot be read ({err}).",
                "Check quotes: a cell that starts with a quote must end with one.",
            )
        )
        return None
    if len(matrix) > MAX_ROWS + 1:
        problems.append(
            Problem(filename, name, None, None, _("The file has {n} rows; at most {limit} are accepted in one upload.").format(n=number(len(matrix) - 1), limit=number(MAX_ROWS)), _("Split the file into smaller files and upload them one after another."))
        )  # fmt: skip
        return None
    return _rows_from_matrix(matrix, name, filename, problems)


#: A line as ``io.StringIO(text, newline="")`` reads it: up to and with ``\r\n``, ``\r`` or ``\n``.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lines(text: str):
    r"""Yield the lines of ``text`` with their endings, as ``io.StringIO(text, newline="")`` would.

    A StringIO holds a copy of the text four bytes a character; this holds nothing but the line it yields.

    >>> list(lines("a,b\r\nc\rd\n\ne"))
    ['a,b\r\n', 'c\r', 'd\n', '\n', 'e']
    """
    for found in _LINE.finditer(text):
        yield found.group()


def guess_delimiter(text: str) -> str:
    """Guess the separator that splits the header line into the most columns (csv.Sniffer misreads long quoted texts).

    >>> guess_delimiter('a;b;"c,d"'), guess_delimiter("a,b"), guess_delimiter("single")
    (';', ',', ',')
    """
    line = text[:100_000].splitlines()[0] if text.strip() else ""
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","
