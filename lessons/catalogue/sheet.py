"""Read a catalogue from a spreadsheet (CSV or XLSX): one row per entry, checked like an upload.

Columns (the first row; names are case-insensitive, spaces count as underscores):

- ``code`` (required): the entry's own code, letters, digits, ``-``, ``_`` and ``.``; a row with a code already in
  the catalogue updates that entry.
- ``name`` (required), ``kind`` (required: method, process, stage, knowledge or software), ``source`` (required:
  where the entry's information comes from).
- ``description``, ``problem`` (the problem it addresses, in words), ``phase`` (a phase's code or name: initiate,
  understand, co-design, co-deliver, evaluate), ``effort`` (low, medium or high), ``link`` (an http(s) address),
  ``licence``, ``language`` (of the texts, ISO 639-1, default ``en``), ``problems`` (codes of problem profiles
  already in the catalogue, separated by ``;``).
- ``name_XX``, ``description_XX``, ``problem_XX``: the texts in language ``XX`` (e.g. ``name_es``).

Every problem is reported with its file, row, column and how to fix it; a file with any error writes nothing.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from lessons.catalogue.records import EFFORTS, ENTRY_FIELDS, KIND_LABELS, KINDS, Entry
from lessons.catalogue.writing import save_catalogue
from lessons.i18n import _
from lessons.ingest.problems import IngestError, Problem
from lessons.permissions import Actor, authorize
from lessons.text import clean_text

__all__ = ["COLUMNS", "REQUIRED", "import_sheet", "read_sheet"]

REQUIRED = ("code", "name", "kind", "source")
COLUMNS = (
    "code", "name", "kind", "source", "description", "problem", "phase", "effort", "link", "licence", "language",
    "problems",
)  # fmt: skip
_TRANSLATED = re.compile(rf"({'|'.join(ENTRY_FIELDS)})_([a-z]{{2,3}})$")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")
_LANGUAGE = re.compile(r"[a-z]{2,3}$")


def _frame(data: bytes | None, path: Path, filename: str) -> pd.DataFrame:
    """Read the spreadsheet's first sheet as text (no value guessed as a number or a date)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise IngestError([Problem(filename, None, None, None, _("This is not a CSV or XLSX file."),
                                   _("Save the catalogue as .csv (UTF-8) or .xlsx."))])  # fmt: skip
    try:
        source = path if data is None else BytesIO(data)
        if suffix == ".csv":
            frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            frame = pd.read_excel(source, dtype=str, keep_default_na=False, sheet_name=0)
    except FileNotFoundError:
        raise IngestError(
            [Problem(filename, None, None, None, _("There is no such file."), _("Check the path."))]
        ) from None
    except Exception as err:  # any reader's failure: the file as a whole cannot be read
        raise IngestError([Problem(filename, None, None, None, _("The file cannot be read ({error}).").format(error=f"{type(err).__name__}: {err}"),
                                   _("Save it again as .csv (UTF-8) or .xlsx."))]) from None  # fmt: skip
    frame.columns = [re.sub(r"\s+", "_", str(c).strip().lower()) for c in frame.columns]
    return frame.fillna("")


def read_sheet(db: Database, path=None, *, data: bytes | None = None, filename: str | None = None) -> list[Entry]:
    r"""Read and check a spreadsheet of entries; raise :class:`IngestError` with every problem found.

    Parameters
    ----------
    db : Database
        The store: its phases and problem profiles are what the rows may name.
    path : str or os.PathLike, optional
        The file (or give ``data`` and ``filename``).
    data : bytes, optional
        The file's content, e.g. from an upload.
    filename : str, optional
        The name problems are reported under (default: the path's name).

    Returns
    -------
    list of Entry
        One per row, in order; their ``catalogue`` is the file's name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lessons.store import open_memory_store
    >>> sheet = pathlib.Path(tempfile.mkdtemp()) / "methods.csv"
    >>> _ = sheet.write_text("code,name,kind,source,effort\nfishbowl,Fishbowl,method,Our notes,tiny\n")
    >>> read_sheet(open_memory_store(), sheet)
    Traceback (most recent call last):
    ...
    lessons.ingest.problems.IngestError: 1 problem(s):
    methods.csv, row 2, column effort: 'tiny' is not an effort. Use low, medium or high, or leave it empty.
    """
    filename = filename or Path(path).name
    frame = _frame(data, Path(path) if path is not None else Path(filename), filename)
    problems: list[Problem] = []

    def problem(row, column, message, fix):
        problems.append(Problem(filename, None, row, column, message, fix))

    unknown = [c for c in frame.columns if c not in COLUMNS and not _TRANSLATED.match(c)]
    for column in unknown:
        problem(None, column, _("'{column}' is not a column of the catalogue.").format(column=column),
                _("Rename it to one of: {columns}, or name_XX / description_XX / problem_XX.").format(columns=", ".join(COLUMNS)))  # fmt: skip
    for column in REQUIRED:
        if column not in frame.columns:
            problem(
                None,
                column,
                _("The column '{column}' is missing.").format(column=column),
                _("Add a column '{column}' (required).").format(column=column),
            )
    if problems:
        raise IngestError(problems)
    if frame.empty:
        raise IngestError(
            [Problem(filename, None, None, None, _("The file has no entries."), _("Add one row per entry."))]
        )
    phases = {}
    for code, name in db.execute("SELECT code, name FROM phases"):
        phases[code.lower()] = phases[name.lower()] = code
    known_problems = {code for (code,) in db.execute("SELECT code FROM catalogue_problems")}
    kinds = {k: k for k in KINDS} | {label.lower(): k for k, label in KIND_LABELS.items()}
    seen: dict[str, int] = {}
    entries = []
    for number, row in enumerate(frame.to_dict("records"), start=2):
        values = {c: clean_text(row.get(c, "")).strip() for c in frame.columns}
        if not any(values.values()):
            continue  # an empty line
        code = values.get("code", "")
        if not code:
            problem(number, "code", _("The code is empty."), _("Give every entry a code of its own."))
        elif not _CODE.match(code):
            problem(
                number,
                "code",
                _("'{code}' is not a code.").format(code=code),
                _("Use letters, digits, '-', '_' and '.' (up to 80)."),
            )
        elif code in seen:
            problem(
                number,
                "code",
                _("The code '{code}' is already on row {row}.").format(code=code, row=seen[code]),
                _("Give each entry its own code."),
            )
        else:
            seen[code] = number
        if not values.get("name"):
            problem(number, "name", _("The name is empty."), _("Give the entry's name."))
        kind = kinds.get(values.get("kind", "").lower())
        if kind is None:
            problem(
                number,
                "kind",
                _("'{value}' is not a kind of entry.").format(value=values.get("kind", "")),
                _("Use one of: {codes}.").format(codes=", ".join(KINDS)),
            )
        if not values.get("source"):
            problem(number, "source", _("The source is empty."), _("Say where the entry's information comes from."))
        phase = None
        if values.get("phase"):
            phase = phases.get(values["phase"].lower())
            if phase is None:
                problem(number, "phase", _("'{value}' is not a phase.").format(value=values["phase"]),
                        _("Use a phase's code or name: initiate, understand, co-design, co-deliver, evaluate."))  # fmt: skip
        effort = values.get("effort", "").lower() or None
        if effort and effort not in EFFORTS:
            problem(
                number,
                "effort",
                _("'{value}' is not an effort.").format(value=values["effort"]),
                _("Use low, medium or high, or leave it empty."),
            )
        link = values.get("link") or None
        if link and not re.match(r"https?://\S+$", link):
            problem(
                number,
                "link",
                _("'{link}' is not a web address.").format(link=link),
                _("Give an address starting with https://."),
            )
        language = values.get("language", "").lower() or "en"
        if not _LANGUAGE.match(language):
            problem(
                number,
                "language",
                _("'{value}' is not a language code.").format(value=values["language"]),
                _("Use a code such as en, es, it."),
            )
        codes = [c.strip() for c in re.split(r"[;,]", values.get("problems", "")) if c.strip()]
        missing = [c for c in codes if c not in known_problems]
        if missing:
            problem(number, "problems", _("No problem profile {codes} in the catalogue.").format(codes=", ".join(missing)),
                    _("Import the catalogue that defines it first (e.g. INTERLINK's), or leave the column empty."))  # fmt: skip
        translations = [(language, f, values[f]) for f in ENTRY_FIELDS if values.get(f)]
        for column, text in values.items():
            found = _TRANSLATED.match(column)
            if found and text:
                translations.append((found.group(2), found.group(1), text))
        if not problems:
            entries.append(
                Entry(
                    code=code,
                    kind=kind,
                    name=" ".join(values["name"].split()),
                    description=values.get("description") or None,
                    problem=values.get("problem") or None,
                    phase=phase,
                    effort=effort,
                    link=link,
                    source=values["source"],
                    licence=values.get("licence") or None,
                    language=language,
                    catalogue=filename,
                    translations=sorted(set(translations)),
                    problems=codes,
                )  # fmt: skip
            )
    if problems:
        raise IngestError(problems)
    return entries


def import_sheet(
    db: Database, actor: Actor | None, path=None, *, data: bytes | None = None, filename: str | None = None
) -> dict[str, int]:
    """Import a spreadsheet of entries (see :func:`read_sheet`) in one transaction, audited; refused as a whole.

    Returns the counts of ``save_catalogue``.
    """
    authorize(actor, "catalogue.edit")
    entries = read_sheet(db, path, data=data, filename=filename)
    name = filename or Path(path).name
    return save_catalogue(db, actor, entries, catalogue=name, filename=name)
