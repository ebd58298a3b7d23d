"""Read uploaded files into sheets of raw rows: XLSX, CSV (one per sheet), a ZIP of them, JSON, GraphML and GEXF.

Readers never raise on bad input: everything wrong becomes a :class:`~lessons.ingest.problems.Problem`. Checks that
protect the machine (size, zip bombs, macros, row counts) run before a file is parsed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath

from openpyxl import load_workbook

from lessons.i18n import _, ngettext, number
from lessons.ingest.attributes import ATTRIBUTES
from lessons.ingest.fields import LESSONS, SHEET_ALIASES, TIES
from lessons.ingest.networks import read_network
from lessons.ingest.networks.dispatch import _guess_ends
from lessons.ingest.problems import Problem
from lessons.ingest.sheet import (
    EMPTY_SHEET,
    MAX_FILE_BYTES,
    MAX_ROWS,
    Sheet,
    _fold,
    _rows_from_matrix,
    decode,
    read_csv_text,
)

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
#: R's own data files (``save``, ``saveRDS``): objects, not tables; the message says how to export them from R.
R_DATA = (".rda", ".rdata", ".rds")
MAX_ZIP_RATIO = 100
#: What the standard library raises on a damaged archive or member: a bad header, CRC or magic number
#: (BadZipFile), broken deflate data (zlib.error), a "zip file version" or compression it does not know
#: (NotImplementedError), an encrypted member (RuntimeError), a lying offset ("negative seek value", ValueError),
#: a short read (EOFError, OSError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, ValueError, EOFError, OSError)


@dataclass
class Upload:
    """Everything read from the files of one upload."""

    sheets: list[Sheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)

    def sheet(self, name: str) -> list[Sheet]:
        """Return the sheets called ``name``."""
        return [s for s in self.sheets if s.name == name]


def sheet_name(raw: str, default: str | None = None) -> str | None:
    """Canonical sheet for a sheet or file name ("lessons.csv", "LESSONS", "edges" …), else ``default``.

    >>> sheet_name("Lessons Learned"), sheet_name("edges"), sheet_name("notes", "Lessons")
    ('Lessons', 'Ties', 'Lessons')
    """
    return SHEET_ALIASES.get(_fold(PurePath(raw).stem if "." in raw else raw), default)


def _stem(filename: str) -> str:
    """Return a file's name without its folders and its extensions ("data/edges_pol.csv.gz" → "edges_pol")."""
    name = PurePath(filename).name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    return PurePath(name).stem if "." in name else name


def name_sheet(filename: str) -> tuple[str | None, list[str]]:
    """Return the sheet a file's name says, and the words of the name after it.

    The whole name (as :func:`sheet_name` reads it) comes first; else the longest run of its words that is a sheet's
    name, when all runs that long name one sheet. ``(None, [])`` when the name says nothing, or says two sheets.

    >>> name_sheet("karate_club_edges.csv"), name_sheet("edges_sci_confirmed.csv"), name_sheet("lessons.csv")
    (('Ties', []), ('Ties', ['sci', 'confirmed']), ('Lessons', []))
    >>> name_sheet("pilot_ties.csv"), name_sheet("notes.csv")
    ((None, []), (None, []))
    """
    stem = _fold(_stem(filename))
    if stem in SHEET_ALIASES:
        return SHEET_ALIASES[stem], []
    words = stem.split()
    for size in range(min(3, len(words)), 0, -1):
        found = [
            (SHEET_ALIASES[" ".join(words[i : i + size])], i + size)
            for i in range(len(words) - size + 1)
            if " ".join(words[i : i + size]) in SHEET_ALIASES
        ]
        if len({sheet for sheet, _ in found}) == 1:
            return found[-1][0], words[found[-1][1] :]
        if found:
            return None, []
    return None, []


def _relation_from_name(sheet: Sheet, after: list[str], problems: list[Problem]) -> Sheet:
    """Give a Ties CSV without a relation column the relation its name says after the sheet's name (``edges_pol``).

    The words before the sheet's name usually name the data set (``karate_club_edges``), so they are not used; nor is
    a number (``ties_2019``: a period, not a relation). One warning says which relation the ties were given.
    """
    relation = next(f for f in TIES if f.name == "relation")
    names = {_fold(n) for n in (relation.name, relation.label, *relation.aliases)}
    word = "_".join(after)
    if not after or word.replace("_", "").isdigit() or any(_fold(c) in names for c in sheet.columns):
        return sheet
    column = "relation"
    rows = [dict(row, **{column: word}) for row in sheet.rows]
    count = sum(1 for row in sheet.rows if any(str(v or "").strip() for v in row.values()))
    problems.append(
        Problem(
            sheet.file, "Ties", None, None,
            ngettext(
                "The file has no relation column: its {n} tie is given the relation '{relation}', from the file's name.",
                "The file has no relation column: its {n} ties are given the relation '{relation}', from the file's name.",
                count,
            ).format(n=number(count), relation=word),
            _("To give another relation, add a relation column or rename the file (edges_advice.csv gives 'advice')."),
            "warning",
        )
    )  # fmt: skip
    return Sheet(sheet.name, sheet.file, [*sheet.columns, column], rows, sheet.first_row, sheet.row_numbers)


def _edge_columns(columns: list[str]) -> bool:
    """Return whether columns are an edge list's: the two ends of a tie, and no lesson's title or text.

    A lesson's evidence source and stakeholder groups may be headed Source and Target: such a sheet stays Lessons.

    >>> _edge_columns(["Sender", "Receiver", "weight"]), _edge_columns(["Title", "Lesson", "Source", "Target"])
    (True, False)
    """
    lesson = {_fold(n) for f in LESSONS if f.name in ("title", "lesson") for n in (f.name, f.label, *f.aliases)}
    return None not in _guess_ends(columns) and not any(_fold(c) in lesson for c in columns)


def _read_csv(text: str, filename: str, default_sheet: str, problems: list[Problem]) -> Sheet | None:
    """Read one CSV as the sheet its name says: the whole name, else a word of it; else its columns, else the default.

    Columns holding the two ends of a tie (source and target, or a synonym) make a Ties sheet. A Ties CSV named
    with words after the sheet's name and without a relation column takes those words as its relation.
    """
    named, after = name_sheet(filename)
    sheet = read_csv_text(text, filename, named or default_sheet, problems)
    if sheet is None:
        return None
    if named is None and _edge_columns(sheet.columns):
        sheet = Sheet("Ties", sheet.file, sheet.columns, sheet.rows, sheet.first_row, sheet.row_numbers)
    if sheet.name == "Ties":
        sheet = _relation_from_name(sheet, after, problems)
    return sheet


def _gunzip(data: bytes, filename: str, problems: list[Problem]) -> bytes | None:
    r"""Unpack a gzip file within the limits a ZIP has (:data:`MAX_UNZIPPED_BYTES`, :data:`MAX_ZIP_RATIO`).

    >>> _gunzip(gzip.compress(b"a,b\n1,2\n"), "x.csv.gz", [])
    b'a,b\n1,2\n'
    >>> problems = []
    >>> _gunzip(gzip.compress(b"0" * 1_000_000), "bomb.csv.gz", problems), problems[0].message[:40]
    (None, 'The file unpacks to more than 100 times ')
    """
    limit = min(MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO * len(data))
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
            content = packed.read(limit + 1)
    except ZIP_ERRORS as err:
        problems.append(
            Problem(
                filename, None, None, None, _("The file is damaged or not what its name says (it is not a valid gzip file: {cause}).").format(cause=_cause(err)),
                _("Unpack it with the program that packed it and upload the file inside."),
            )
        )  # fmt: skip
        return None
    if len(content) > limit:
        problems.append(
            Problem(
                filename, None, None, None,
                _("The file unpacks to more than {ratio} times its size or {megabytes} MB, so it was not opened.").format(ratio=MAX_ZIP_RATIO, megabytes=number(MAX_UNZIPPED_BYTES // 2**20)),
                _("Unpack it and upload the file inside, split into smaller files if it is large."),
            )
        )  # fmt: skip
        return None
    return content


def _cause(err: Exception) -> str:
    """Return the library's reason for a damaged file, as one short phrase for a problem message.

    >>> _cause(zipfile.BadZipFile("Bad CRC-32 for file 'lessons.csv'"))
    "Bad CRC-32 for file 'lessons.csv'"
    >>> _cause(zlib.error("Error -3 while decompressing data: invalid code lengths set"))
    'invalid code lengths set'
    """
    text = " ".join(str(err).split())[:160] or type(err).__name__
    return text.rsplit(": ", 1)[-1] if text.startswith("Error -") else text


def _pilot_sheet_vertical(sheet: Sheet) -> Sheet:
    """Turn a Pilot sheet written as two columns "field | value" into one row."""
    if sheet.name == "Pilot" and [_fold(c) for c in sheet.columns[:2]] == ["field", "value"]:
        row = {str(r[sheet.columns[0]]).strip(): r[sheet.columns[1]] for r in sheet.rows if r[sheet.columns[0]]}
        return Sheet("Pilot", sheet.file, list(row), [row], sheet.first_row)
    return sheet


def _check_zip(data: bytes, filename: str, problems: list[Problem]) -> zipfile.ZipFile | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_ERRORS as err:
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                f"The file is damaged or not what its name says (it is not a valid zip/XLSX file: {_cause(err)}).",
                "Open it in your spreadsheet program and save it again as .xlsx, or upload CSV files.",
            )
        )
        return None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                f"The file unpacks to {total / 1e6:,.0f} MB, far more than its size suggests, so it was not opened.",
                "Upload the spreadsheet itself, not a compressed archive of it.",
            )
        )
        return None
    return archive


def read_xlsx(data: bytes, filename: str, problems: list[Problem]) -> list[Sheet]:
    """Every sheet of a workbook (values as stored; formulas come back as their text and are flagged later)."""
    archive = _check_zip(data, filename, problems)
    if archive is None:
        return []
    names = set(archive.namelist())
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                "The workbook contains macros, which are never opened here.",
                "Save it as a plain .xlsx workbook (without macros) and upload that.",
            )
        )
        return []
    if "[Content_Types].xml" not in names:
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                "The file is a zip archive but not an Excel workbook.",
                "Upload an .xlsx workbook, or a ZIP of CSV files named after the sheets.",
            )
        )
        return []

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors on broken workbooks
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                "The workbook is damaged and cannot be read.",
                "Open it in your spreadsheet program and save it again as .xlsx.",
            )
        )
        return []
    sheets = []
    empty: list[Problem] = []  # sheets with a header and no rows: fine beside filled ones (the template has seven)
    try:
        for worksheet in workbook.worksheets:
            canonical = sheet_name(worksheet.title)
            if canonical is None:
                continue
            if worksheet.max_row and worksheet.max_row > MAX_ROWS + 1:
                problems.append(
                    Problem(
                        filename,
                        worksheet.title,
                        None,
                        None,
                        f"The sheet has {worksheet.max_row - 1:,} rows; at most {MAX_ROWS:,} are accepted in one upload.",
                        "Split the workbook and upload the parts one after another.",
                    )
                )
                continue
            found: list[Problem] = []
            try:
                sheet = _rows_from_matrix(worksheet.iter_rows(values_only=True), canonical, filename, found)
            except Exception:  # a damaged sheet: openpyxl raises parser and value errors while reading rows
                problems.append(
                    Problem(filename, worksheet.title, None, None, _("The sheet is damaged and cannot be read."), _("Open the workbook in your spreadsheet program and save it again as .xlsx."))
                )  # fmt: skip
                continue
            if [p.message for p in found] == [EMPTY_SHEET]:
                empty += found
                continue
            problems += found
            if sheet is not None:
                sheets.append(_pilot_sheet_vertical(sheet))
    finally:
        workbook.close()
    if not sheets:
        problems += empty
    if not sheets and not any(p.severity == "error" for p in problems):
        titles = ", ".join(ws.title for ws in workbook.worksheets)
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                f"No sheet is named Pilot, Lessons, Stakeholders or Ties (found: {titles}).",
                "Rename the sheets as in the template, or upload the sheet as a CSV file and map its columns.",
            )
        )
    return sheets


def read_json(data: bytes, filename: str, problems: list[Problem]) -> list[Sheet]:
    """``{"pilot": {...}, "lessons": [...], "stakeholders": [...], "ties": [...]}``, or a list of lessons."""
    text = decode(data, filename, problems)
    try:
        document = json.loads(text or "")
    except (json.JSONDecodeError, RecursionError) as err:
        problems.append(
            Problem(
                filename,
                None,
                getattr(err, "lineno", None),
                None,
                f"The JSON cannot be read ({getattr(err, 'msg', 'too deeply nested')}).",
                "Check the file with a JSON validator.",
            )
        )
        return []
    except ValueError:  # an integer longer than Python converts (4,300 digits); json says nothing more
        problems.append(
            Problem(
                filename, None, None, None, _("The JSON holds a number with thousands of digits, which no field takes."),
                _("Check the numbers in the file: a weight or date is a short number or text."),
            )
        )  # fmt: skip
        return []
    if isinstance(document, list):
        document = {"lessons": document}
    if not isinstance(document, dict):
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                "The JSON must be an object with pilot, lessons, stakeholders and ties, or a list of lessons.",
                "See the template's JSON example in the README.",
            )
        )
        return []
    sheets = []
    for key, value in document.items():
        canonical = sheet_name(key)
        if canonical is None:
            problems.append(
                Problem(
                    filename,
                    key,
                    None,
                    None,
                    f"'{key}' is not a part of a pilot summary and was ignored.",
                    "Use pilot, lessons, stakeholders and ties.",
                    "warning",
                )
            )
            continue
        records = [value] if isinstance(value, dict) else value
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            problems.append(
                Problem(
                    filename,
                    canonical,
                    None,
                    None,
                    f"'{key}' must be a list of objects.",
                    "Write each row as an object of field names and values.",
                )
            )
            continue
        if len(records) > MAX_ROWS:
            problems.append(
                Problem(
                    filename,
                    canonical,
                    None,
                    None,
                    f"'{key}' has {len(records):,} rows; at most {MAX_ROWS:,} are accepted.",
                    "Split the file.",
                )
            )
            continue
        columns = list(dict.fromkeys(k for r in records for k in r))
        rows = [
            {c: (json.dumps(r[c], ensure_ascii=False) if isinstance(r.get(c), dict) else r.get(c)) for c in columns}
            for r in records
        ]
        sheets.append(Sheet(canonical, filename, columns, rows, first_row=1))
    return sheets


def read_network_file(data: bytes, filename: str, problems: list[Problem]) -> list[Sheet]:
    """GraphML or GEXF → Stakeholders and Ties sheets, and a Pilot sheet when the nodes name their pilot.

    Each row's own attributes (what the file says beyond our columns) travel under :data:`ATTRIBUTES`, which is no
    column: they are kept with the stakeholder or tie. Nodes that all name one pilot (as this app's exports do, with
    ``pilot``, ``pilot_name`` and ``pilot_country``) give the rows their pilot and the Pilot sheet its facts, so the
    file imports again without choosing the pilot.
    """
    network = read_network(data, filename)
    problems.extend(network.problems)
    sheets = []
    named = {r.get("pilot") for r in network.stakeholders}
    if len(named) == 1 and None not in named:
        facts = next((r["_pilot"] for r in network.stakeholders if r.get("_pilot")), {})
        row = {"slug": next(iter(named)), **facts}
        sheets.append(Sheet("Pilot", filename, list(row), [row], first_row=1))
    for name, records in (("Stakeholders", network.stakeholders), ("Ties", network.ties)):
        if not records:
            continue
        rows = []
        for record in records:
            row = {k: v for k, v in record.items() if k not in ("attributes", "_row", "_pilot")}
            if not any(r.get("pilot") for r in records):
                row.pop("pilot", None)
            if name == "Ties" and isinstance(row.get("directed"), bool):
                row["directed"] = "yes" if row["directed"] else "no"
            rows.append(row)
        columns = list(dict.fromkeys(k for r in rows for k in r))
        for row, record in zip(rows, records):
            if record.get("attributes"):
                row[ATTRIBUTES] = record["attributes"]
        sheets.append(Sheet(name, filename, columns, rows, first_row=1, row_numbers=[r.get("_row") for r in records]))
    return sheets


def read_files(files: list[tuple[str, bytes]], *, default_sheet: str = "Lessons") -> Upload:
    """Read every file of one upload. A CSV or JSON named after no sheet is taken as ``default_sheet``."""
    upload = Upload()
    for filename, data in files:
        upload.files.append({"filename": filename, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        _read_one(upload, filename, data, default_sheet, nested=False)
    return upload


def _read_one(
    upload: Upload, filename: str, data: bytes, default_sheet: str, *, nested: bool, unpacked: bool = False
) -> None:
    problems = upload.problems
    suffix = PurePath(filename[:-3] if unpacked else filename).suffix.lower()
    if len(data) > MAX_FILE_BYTES:
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                f"The file is {len(data) / 1e6:,.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB are accepted.",
                "Split it into smaller files.",
            )
        )
        return
    if not data.strip():
        problems.append(
            Problem(filename, None, None, None, _("The file is empty."), _("Choose the file that holds your data."))
        )
        return
    if suffix == ".gz" and not unpacked:
        content = _gunzip(data, filename, problems)
        if content is not None:
            _read_one(upload, filename, content, default_sheet, nested=nested, unpacked=True)
    elif suffix in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        upload.sheets += read_xlsx(data, filename, problems)
    elif suffix == ".xls":
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                "Old-style .xls workbooks are not read.",
                "Save the workbook as .xlsx (Excel 2007 or later) and upload that.",
            )
        )
    elif suffix == ".zip" and not nested:
        archive = _check_zip(data, filename, problems)
        if archive is None:
            return
        for info in archive.infolist():
            inner = PurePath(info.filename)
            if info.is_dir() or inner.name.startswith((".", "__MACOSX")) or "__MACOSX" in inner.parts:
                continue
            member = f"{filename}/{info.filename}"
            try:
                content = archive.read(info)
            except ZIP_ERRORS as err:
                problems.append(
                    Problem(
                        member, None, None, None, _("This file in the ZIP is damaged and cannot be unpacked ({cause}).").format(cause=_cause(err)),
                        _("Make the ZIP again from the original CSV files, or upload the CSV files themselves."),
                    )
                )  # fmt: skip
                continue
            _read_one(upload, member, content, default_sheet, nested=True)
    elif suffix == ".json":
        upload.sheets += read_json(data, filename, problems)
    elif suffix in (".graphml", ".gexf") or (suffix == ".xml" and b"<graphml" in data[:2000]):
        upload.sheets += read_network_file(data, filename, problems)
    elif suffix in (".csv", ".tsv", ".txt", ""):
        text = decode(data, filename, problems)
        if text is not None:
            sheet = _read_csv(text, filename, default_sheet, problems)
            if sheet is not None:
                upload.sheets.append(_pilot_sheet_vertical(sheet))
    elif suffix in R_DATA:
        problems.append(
            Problem(
                filename, None, None, None,
                "This is an R data file, which holds R objects rather than a table or a network file.",
                "In R, write the network as GraphML (igraph: write_graph(g, 'network.graphml', format = 'graphml'); "
                "statnet: convert with intergraph::asIgraph first) or its ties and actors as CSV (write.csv), "
                "then upload those.",
            )
        )  # fmt: skip
    else:
        problems.append(
            Problem(
                filename,
                None,
                None,
                None,
                f"Files of type '{suffix}' are not read.",
                "Upload .xlsx, .csv (or .csv.gz), .zip (of CSV files), .json, .graphml or .gexf.",
            )
        )
