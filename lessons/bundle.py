"""The portable bundle: the whole shared data set in forms other tools open, and its import into an empty store.

One ZIP (:func:`build_bundle`) holds

``lessons.db``
    the SQLite store, sanitised (:func:`export_sqlite`); opens in Datasette with ``metadata.json``
    (:func:`datasette_metadata`), full-text search of lessons included.
``datapackage.json`` and ``data/<table>.csv``
    a Frictionless Data Package (:func:`data_package`), one CSV per shared table with a Table Schema built from
    the store's own schema (types, primary and foreign keys, required values, allowed values) and the descriptions
    of ``data/DICTIONARY.md``; ``frictionless validate datapackage.json`` passes on it.
``networks/<pilot>.graphml`` and ``.gexf``
    each pilot's stakeholder network (:func:`network_files`), for networkx, igraph and Gephi.
``briefs/``
    whatever reports the caller passes (the policy briefs and roadmaps).
``README.txt``
    what each part is and which tool opens it.

:func:`write_bundle` streams the ZIP into a file (tables row by row, the database copy in blocks, one pilot's
network and one brief at a time), so its memory does not grow with the store; :func:`build_bundle` returns the
same bytes for small stores.

:func:`import_bundle` reads a bundle back into an empty store from the data package alone (not from ``lessons.db``),
which proves the package is complete: the round trip reproduces every shared table's rows.

What is shared, and what is left out
------------------------------------
The bundle is made to be published, so it never holds a secret or an account. Table by table:

* **Shared** (rows in ``lessons.db`` and a CSV each): the vocabularies ``sectors``, ``phases``, ``methodologies``,
  ``methodology_steps`` and ``themes``; ``pilots``, ``lessons``, ``lesson_themes``, ``lesson_groups``;
  ``organisations``, ``stakeholders``, ``lesson_stakeholders``, ``ties``; ``governance_models``,
  ``model_elements``, ``lesson_elements``; ``workshops``, ``statements``, ``participants``, ``votes``; ``uploads``
  (the provenance of lessons, stakeholders and ties through ``upload_id``).
* **Shared with columns emptied**: who did what is account data, so ``uploads.user_id``, ``uploads.username``,
  ``uploads.undone_by`` and ``workshops.created_by`` are left empty (NULL), as if every account had been removed
  (which is what the schema's ``ON DELETE SET NULL`` does). The columns stay, so the tables keep their shape.
  ``workshops.purpose`` is written for the facilitator only and is left empty too.
* **Participants and votes under the privacy rule** (:mod:`lessons.privacy`): every combination of published
  columns holds at least 5 participants — a declared stakeholder group, pilot or country held by fewer than 5
  people of a workshop is emptied, times are rounded to the day (a shared ISO 8601 day range where a day would
  single someone out), and a workshop of 1 to 4 participants has no participant or vote rows. Every part of the
  bundle, and the data package alone, is made from one such published snapshot (:func:`published_snapshot`).
* **Participants' tokens**: a token lets whoever holds it vote as that participant. The CSV has no ``token``
  column; in ``lessons.db`` (where the column is ``NOT NULL UNIQUE``) each token is replaced by a fresh random
  value linked to nothing. An import gives every participant a new random token.
* **Withheld rows**: statements participants suggested that a facilitator has not approved (pending or rejected)
  are not shared — nobody vetted their text, and no vote can be cast on them.
* **Left out** (no CSV; emptied in ``lessons.db``): ``users`` (password hashes, e-mail addresses, sign-in times),
  ``user_pilots`` (who may change what), ``audit_log`` (every write and sign-in, with account ids and names) and
  ``upload_changes`` (row images before and after each upload, kept so uploads can be undone: they can hold text
  a coordinator has since removed or corrected on purpose, and the data set is the current state) and
  ``deleted_pilots`` (every row of a deleted pilot, kept so an administrator can undo the deletion).
* **Derived, not in the data package**: ``analysis_results`` (emptied in ``lessons.db``: recomputed on first
  view), the full-text indexes ``lessons_fts*`` and ``lessons_words*`` (kept in ``lessons.db`` so Datasette and
  the app can search; rebuilt by triggers on import), ``data_versions`` and ``_sqlite_migrations`` (kept in
  ``lessons.db`` so the app can open it).

``lessons.db`` is vacuumed after the deletions, so nothing removed survives in free pages of the file.

Formulas in the CSV files
-------------------------
Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one)
as a formula, and ``=HYPERLINK(...)`` in a lesson is a live link once the CSV is opened by a double click. The
other spreadsheet files of the app put a ``'`` before such text (:func:`lessons.exports.neutralise`) and lose
the exact value; the data package must keep it, since :func:`import_bundle` reads the package back and the round
trip reproduces every value. So the escape is reversible (:func:`escape_text`, :func:`unescape_text`):

* a **text** cell that starts with one of ``= + - @``, a tab, a carriage return **or** ``'`` gets one extra ``'``
  in front (``=HYPERLINK("x")`` is written ``'=HYPERLINK("x")``, ``'quoted`` is written ``''quoted``);
* reading, one leading ``'`` is removed from a text cell whose rest starts with one of those characters, which
  gives back exactly the stored value (a cell ``'plain`` stays ``'plain``: the export never writes that for
  anything else).

Numbers, booleans and dates are written as they are (a weight of ``-1`` stays a number). The package's
description says so; every text field where the export escaped a cell says it in its description, and so does
its resource; ``README.txt`` tells spreadsheet users.

Other choices
-------------
* Missing values are empty cells (``missingValues: [""]``); an empty text and a missing one are therefore the same
  in the package (the store keeps neither distinction in practice: uploads store missing text as NULL).
* Booleans are ``1``/``0`` as in the store; numbers are written with Python's ``repr`` so they read back exactly;
  a column is typed ``date`` or ``datetime`` when its name says so (``*_date``, ``recorded_on``, ``*_at``) and
  every value in it is an ISO 8601 date or date-time, otherwise ``string``.
* No licence is declared: the data belong to the consortium, which chooses one (add it to ``LICENSES``).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import secrets
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from sqlite_utils import Database

from lessons import privacy
from lessons.audit import record
from lessons.ingest.problems import IngestError, Problem
from lessons.ingest.tables import MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO
from lessons.network_io import to_gexf, to_graphml
from lessons.permissions import Actor, authorize
from lessons.store import DERIVED_TABLES, PROJECT_DIR, TABLES, connect
from lessons.text import clean_text

DICTIONARY = PROJECT_DIR / "data" / "DICTIONARY.md"
DATABASE_NAME = "lessons"
PACKAGE_NAME = "cross-pilot-lessons"
TITLE = "Cross-Pilot Lessons"
#: Licences declared in the data package and Datasette metadata. Empty: the consortium that owns the data chooses.
LICENSES: list[dict] = []

#: Tables left out of the bundle, and why (emptied in ``lessons.db``, no CSV).
LEFT_OUT = {
    "users": "accounts: password hashes, e-mail addresses and sign-in times",
    "user_pilots": "accounts: which pilots each coordinator may change",
    "audit_log": "every write and sign-in, with account ids and names",
    "upload_changes": "row images before and after each upload (kept to undo uploads; may hold removed text)",
    "deleted_pilots": "deleted pilots, kept so a deletion can be undone (the data set is the current state)",
}
#: Internal or derived tables: kept in ``lessons.db`` only (``analysis_results`` emptied), never in the package.
INTERNAL = ("analysis_results", "data_versions", "_sqlite_migrations")
#: Columns that name accounts: kept, but emptied.
BLANKED = {"uploads": ("user_id", "username", "undone_by"), "workshops": ("created_by", "purpose")}
#: The lifecycle's record is public without who acted: the role stays, the account is emptied.
BLANKED["lesson_status_history"] = ("user_id",)
#: Rows never shared: participants' suggested statements a facilitator has not approved (text nobody vetted).
WITHHELD = {"statements": "moderation = 'approved'"}
#: Columns never written to the data package (``lessons.db`` holds fresh random values instead).
OMITTED = {"participants": ("token",)}
#: Tables the store seeds itself (``lessons.store.seed_vocabulary``); an import replaces their rows.
VOCABULARIES = ("sectors", "phases", "methodologies", "methodology_steps", "themes")
#: Shared tables, in the order of ``lessons.store.TABLES``.
SHARED = [t for t in TABLES if t not in LEFT_OUT and t not in DERIVED_TABLES]

#: Limits on a bundle being imported (the ZIP limits are those of uploads, :mod:`lessons.ingest.tables`).
MAX_BUNDLE_BYTES = MAX_UNZIPPED_BYTES
MAX_PROBLEMS = 20

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_INTEGER = re.compile(r"[-+]?\d+")
_CHECK_IN = re.compile(r"CHECK\s*\(\s*(\w+)\s+IN\s*\(([^()]*)\)\s*\)", re.IGNORECASE)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Deflate levels of the bundle's big members (zlib's default is 6): level 1 is about four times as fast and makes
#: the bundle about 15% larger (scale 10: 85 MB instead of 73 MB).
CSV_LEVEL = 1
DB_LEVEL = 1
_COPY_BYTES = 1 << 20
_VACUUM_CACHE_KIB = 64 * 1024

#: Briefs for the bundle: file name to content, as a mapping or as (name, content) pairs made one at a time.
Briefs = Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None


class BundleError(IngestError):
    """A bundle cannot be imported; ``problems`` says where and how to fix each problem. Nothing was written."""

    def __init__(self, problems: list[Problem], message: str | None = None):
        super().__init__(problems)
        if message:
            self.args = (message,)
        elif len(self.problems) == 1:
            self.args = (str(self.problems[0]),)


# --- the schema, read from the store ------------------------------------------------------------------------------


def shared_tables(db: Database) -> list[str]:
    """The shared tables, parents before children (each table after every table its foreign keys point to).

    >>> from lessons.store import open_memory_store
    >>> order = shared_tables(open_memory_store())
    >>> order.index("pilots") < order.index("lessons") < order.index("lesson_themes")
    True
    >>> "users" in order, "audit_log" in order
    (False, False)
    """
    parents = {t: {fk["table"] for fk in _foreign_keys(db, t)} & set(SHARED) - {t} for t in SHARED}
    order: list[str] = []
    while len(order) < len(SHARED):
        ready = [t for t in SHARED if t not in order and parents[t] <= set(order)]
        if not ready:
            raise RuntimeError(f"foreign keys form a cycle among {sorted(set(SHARED) - set(order))}")
        order += ready
    return order


def _foreign_keys(db: Database, table: str) -> list[dict]:
    keys: dict[int, dict] = {}
    for row in db.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
        fk = keys.setdefault(row[0], {"table": row[2], "from": [], "to": []})
        fk["from"].append(row[3])
        fk["to"].append(row[4])
    return list(keys.values())


def _columns(db: Database, table: str) -> list[dict]:
    """The table's columns as the package holds them: name, kind, required, enum, primary-key position."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
    checks = {m.group(1): [v.strip().strip("'") for v in m.group(2).split(",")] for m in _CHECK_IN.finditer(sql)}
    unique = set()
    for index in db.execute(f'PRAGMA index_list("{table}")').fetchall():
        if index[2] and index[3] == "u":
            names = [r[2] for r in db.execute(f'PRAGMA index_info("{index[1]}")').fetchall()]
            if len(names) == 1:
                unique.add(names[0])
    columns = []
    for _, name, declared, notnull, _, pk in db.execute(f'PRAGMA table_info("{table}")').fetchall():
        if name in OMITTED.get(table, ()):
            continue
        declared = (declared or "").upper()
        enum = checks.get(name)
        if "INT" in declared:
            kind = "integer"
            if enum and sorted(enum) == ["0", "1"]:
                kind, enum = "boolean", None
            elif enum:
                enum = [int(v) for v in enum]
        elif any(t in declared for t in ("REAL", "FLOA", "DOUB")):
            kind = "number"
        else:
            kind = "string"
        columns.append(
            {
                "name": name,
                "kind": kind,
                "required": bool(notnull or pk),
                "enum": enum,
                "pk": pk,
                "unique": name in unique,
            }
        )
    return columns


def _temporal_type(db: Database, table: str, column: str) -> str | None:
    """``date`` or ``datetime`` when the column's name says so and every value in it is one; otherwise None."""
    if column.endswith("_date") or column == "recorded_on":
        kind, pattern, parse = "date", _ISO_DATE, date.fromisoformat
    elif column.endswith("_at"):
        kind, pattern, parse = "datetime", _ISO_DATETIME, datetime.fromisoformat
    else:
        return None
    for (value,) in db.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'):
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return None
        try:
            parse(value)
        except ValueError:
            return None
    return kind


def _plain(text: str) -> str:
    return text.replace("`", "").strip()


def dictionary(path: Path = DICTIONARY) -> dict[str, dict]:
    """The data dictionary: for each table, its description and the meaning of each column.

    >>> d = dictionary()
    >>> d["pilots"]["description"]
    'one real-life trial of co-creating a public service in one place'
    >>> d["lessons"]["columns"]["kind"]
    'enabler, barrier, recommendation or insight'
    """
    tables: dict[str, dict] = {}
    current = None
    if not path.exists():  # an installed copy without the data folder: no descriptions, nothing else lost
        return tables
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### (\w+) — (.*)", line)
        if heading:
            current = tables.setdefault(heading.group(1), {"description": _plain(heading.group(2)), "columns": {}})
            continue
        row = re.match(r"\| (\w+) \| (.*) \|\s*$", line)
        if current is not None and row and row.group(1) != "column":
            current["columns"][row.group(1)] = _plain(row.group(2))
        elif line.startswith("## "):
            current = None
    return tables


def table_schema(db: Database, table: str, docs: dict | None = None) -> dict:
    """The Frictionless Table Schema of a shared table, introspected from SQLite.

    Parameters
    ----------
    db : Database
        The store.
    table : str
        A shared table.
    docs : dict, optional
        The data dictionary (:func:`dictionary`), for field descriptions; read when not given.

    Returns
    -------
    dict
        ``fields`` (name, type, description, constraints), ``primaryKey``, ``foreignKeys`` to other shared tables
        (``reference.resource`` is the table), and ``missingValues: [""]``.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> schema = table_schema(open_memory_store(), "lesson_themes")
    >>> schema["primaryKey"], [f["type"] for f in schema["fields"]]
    (['lesson_id', 'theme_id'], ['integer', 'integer'])
    >>> schema["foreignKeys"][0]
    {'fields': ['lesson_id'], 'reference': {'resource': 'lessons', 'fields': ['id']}}
    """
    docs = dictionary() if docs is None else docs
    meanings = docs.get(table, {}).get("columns", {})
    fields = []
    for column in _columns(db, table):
        name = column["name"]
        kind = column["kind"]
        field: dict = {"name": name, "type": kind}
        if kind == "string":
            field["type"] = _temporal_type(db, table, name) or "string"
        if kind == "boolean":
            field["trueValues"], field["falseValues"] = ["1"], ["0"]
        description = meanings.get(name, "")
        if name in BLANKED.get(table, ()):
            description += " (left empty in a shared bundle: accounts are not shared)"
        if description:
            field["description"] = description.strip()
        constraints = {}
        if column["required"]:
            constraints["required"] = True
        if column["unique"]:
            constraints["unique"] = True
        if column["enum"]:
            constraints["enum"] = column["enum"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    primary = [c["name"] for c in sorted(_columns(db, table), key=lambda c: c["pk"]) if c["pk"]]
    names = [f["name"] for f in fields]
    foreign = [
        {"fields": fk["from"], "reference": {"resource": fk["table"], "fields": fk["to"]}}
        for fk in sorted(_foreign_keys(db, table), key=lambda fk: [names.index(c) for c in fk["from"]])
        if fk["table"] in SHARED
    ]
    schema: dict = {"fields": fields, "primaryKey": primary, "missingValues": [""]}
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


# --- the parts --------------------------------------------------------------------------------------------------

#: A text cell starting with one of these is run as a formula by spreadsheets; the CSV files put a ``'`` before it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_START = (*FORMULA_START, "'")
#: The note on every text field where the export put a ``'`` before a cell (and the package's description).
ESCAPE_NOTE = (
    "A text that starts with =, +, -, @, a tab, a carriage return or ' is written with one extra ' in front, so "
    "that spreadsheets do not run it as a formula; remove that one ' to get the exact value (the app's import does)."
)


def escape_text(value: str) -> str:
    """A text value as a data-package CSV cell: one ``'`` before it when it starts with a formula character or ``'``.

    >>> [escape_text(v) for v in ("=HYPERLINK(1)", "-1 minus", "'quoted", "plain", "")]
    ["'=HYPERLINK(1)", "'-1 minus", "''quoted", 'plain', '']
    """
    return "'" + value if value.startswith(_ESCAPED_START) else value


def unescape_text(cell: str) -> str:
    """The exact text of a data-package CSV cell: :func:`escape_text` undone (one leading ``'`` removed).

    >>> [unescape_text(c) for c in ("'=HYPERLINK(1)", "''quoted", "'plain", "'", "=raw")]
    ['=HYPERLINK(1)', "'quoted", "'plain", "'", '=raw']
    """
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_ESCAPED_START) else cell


def _select(db: Database, table: str) -> tuple[list[str], str]:
    """The columns of ``table`` as the bundle shares them, and the query that reads them (by primary key)."""
    columns = _columns(db, table)
    names = [c["name"] for c in columns]
    blanked = BLANKED.get(table, ())
    selected = ", ".join(f'NULL AS "{n}"' if n in blanked else f'"{n}"' for n in names)
    order = ", ".join(f'"{c["name"]}"' for c in sorted(columns, key=lambda c: c["pk"]) if c["pk"]) or "rowid"
    where = f" WHERE {WITHHELD[table]}" if table in WITHHELD else ""
    return names, f'SELECT {selected} FROM "{table}"{where} ORDER BY {order}'


def table_rows(db: Database, table: str) -> tuple[list[str], Iterator[tuple]]:
    """The shared rows of ``table``, the one place the data package's rows come from: the column names and an
    iterator over the rows (tuples, by primary key), read from the database as they are consumed.

    Every choice of what a row shares (emptied columns, withheld rows) is made here or in the query of
    :func:`_select`; a rule that filters or transforms a table's rows belongs here too.

    >>> from lessons.store import open_memory_store
    >>> names, rows = table_rows(open_memory_store(), "phases")
    >>> names, next(rows)
    (['code', 'position', 'name', 'description'], ('co-deliver', 4, 'Co-deliver', 'Run the service with users and partners sharing the delivery.'))
    """
    names, sql = _select(db, table)
    return names, iter(db.execute(sql))


def _free_text(field: dict) -> bool:
    """Whether a field of a table schema may hold a text :func:`escape_text` changes: a ``string`` (dates and
    date-times are ISO 8601, numbers are not text) without a list of allowed values none of which needs it."""
    allowed = field.get("constraints", {}).get("enum")
    return field["type"] == "string" and not (allowed and not any(str(v).startswith(_ESCAPED_START) for v in allowed))


def write_table_csv(db: Database, table: str, out: BinaryIO, schema: dict | None = None) -> set[str]:
    """Stream one shared table as CSV into the binary file ``out``; return the text columns where a cell got a ``'``.

    UTF-8, a header row, rows by primary key, missing values empty, numbers exact (``repr``), text that a
    spreadsheet would run as a formula escaped by :func:`escape_text`. ``schema`` is the table's
    (:func:`table_schema`), made when not given; tables without free text go to the CSV writer untouched.
    """
    schema = table_schema(db, table, {}) if schema is None else schema
    names, rows = table_rows(db, table)
    free = {f["name"] for f in schema["fields"] if _free_text(f)}
    text = [i for i, name in enumerate(names) if name in free]
    escaped: set[int] = set()

    def cells() -> Iterator[tuple | list]:
        for row in rows:
            for i in text:
                value = row[i]
                if value.__class__ is str and value.startswith(_ESCAPED_START):
                    row = list(row) if row.__class__ is tuple else row
                    row[i] = "'" + value
                    escaped.add(i)
            yield row

    stream = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(stream, lineterminator="\r\n")  # floats as repr, None as an empty cell
    writer.writerow(names)
    writer.writerows(cells() if text else rows)
    stream.flush()
    stream.detach()
    return {names[i] for i in escaped}


def table_csv(db: Database, table: str) -> bytes:
    """One shared table as CSV bytes (see :func:`write_table_csv`).

    >>> from lessons.store import open_memory_store
    >>> table_csv(open_memory_store(), "phases").decode().splitlines()[:2]
    ['code,position,name,description', 'co-deliver,4,Co-deliver,Run the service with users and partners sharing the delivery.']
    """
    out = io.BytesIO()
    write_table_csv(db, table, out)
    return out.getvalue()


def _notice(db: Database) -> str:
    notes = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT note FROM uploads WHERE format IN ('demo', 'synthetic') AND note IS NOT NULL ORDER BY id"
        )
    ]
    return " ".join(notes)


def _member(archive: zipfile.ZipFile, name: str, *, level: int | None = None) -> BinaryIO:
    """A member of ``archive`` open for streaming into (deflated; ZIP64 so that it may grow past 4 GB)."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)  # 3.13 renamed it
    return archive.open(info, "w", force_zip64=True)


def _put(archive: zipfile.ZipFile, name: str, data: bytes, *, level: int | None = None) -> None:
    archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED, level)


def _write_data_package(db: Database, archive: zipfile.ZipFile) -> None:
    """``data/<table>.csv`` streamed table by table into ``archive``, then ``datapackage.json`` describing them."""
    docs = dictionary()
    resources = []
    for table in shared_tables(db):
        path = f"data/{table}.csv"
        schema = table_schema(db, table, docs)
        with _member(archive, path, level=CSV_LEVEL) as out:
            escaped = write_table_csv(db, table, out, schema)
        description = docs.get(table, {}).get("description", "")
        if table in OMITTED:
            description += f" (not shared: {', '.join(OMITTED[table])})"
        if escaped:
            description += f" (text cells of {', '.join(sorted(escaped))} may start with an extra ': see their fields)"
            for field in schema["fields"]:
                if field["name"] in escaped:
                    field["description"] = (field.get("description", "") + " " + ESCAPE_NOTE).strip()
        resources.append(
            {
                "name": table,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": description,
                "schema": schema,
            }
        )
    description = (
        "Lessons learned by pilots of co-created public services, their stakeholder networks, governance models "
        "and validation workshops. Accounts, the audit log and participants' tokens are not included. " + ESCAPE_NOTE
    )
    if notice := _notice(db):
        description += " " + notice
    package = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": TITLE,
        "description": description,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": resources,
    }
    if LICENSES:
        package["licenses"] = LICENSES
    _put(archive, "datapackage.json", json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8"))


def data_package(db: Database) -> dict[str, bytes]:
    """The Frictionless Data Package of the shared tables: ``datapackage.json`` and ``data/<table>.csv``.

    In memory, for small stores and tests; the bundle streams the same files (:func:`write_bundle`).

    Parameters
    ----------
    db : Database
        The store.

    Returns
    -------
    dict of str to bytes
        File name in the package to its content.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> files = data_package(open_memory_store())
    >>> sorted(files)[:3]
    ['data/governance_models.csv', 'data/lesson_elements.csv', 'data/lesson_groups.csv']
    >>> package = json.loads(files["datapackage.json"])
    >>> package["name"], package["resources"][0]["path"]
    ('cross-pilot-lessons', 'data/themes.csv')
    """
    out = io.BytesIO()
    with published_snapshot(db) as snapshot, zipfile.ZipFile(out, "w") as archive:
        _write_data_package(snapshot, archive)
    with zipfile.ZipFile(out) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return {"datapackage.json": files.pop("datapackage.json"), **files}


def _sanitised_copy(db: Database, path: Path) -> None:
    """Write the store without secrets or accounts to the SQLite file ``path`` (see :func:`export_sqlite`)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        db.conn.backup(conn)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        # The copy's triggers (data versions, search index) would fire once per row changed here; they are set
        # aside while it is cleaned and put back as they were (the copy still works as a store).
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        for table in (*LEFT_OUT, "analysis_results"):
            conn.execute(f'DELETE FROM "{table}"')
        for table, kept in WITHHELD.items():
            conn.execute(f'DELETE FROM "{table}" WHERE NOT ({kept})')
        for table, columns in BLANKED.items():
            conn.execute(f'UPDATE "{table}" SET ' + ", ".join(f'"{c}" = NULL' for c in columns))
        conn.execute("UPDATE participants SET token = lower(hex(randomblob(16)))")
        privacy.anonymise_copy(conn)  # nobody singled out: the one rule for every public output
        for _, sql in triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute(f"PRAGMA cache_size = -{_VACUUM_CACHE_KIB}")  # a larger cache makes VACUUM ~10% faster
        conn.execute("VACUUM")
    finally:
        conn.close()


def write_sqlite(db: Database, out: BinaryIO) -> None:
    """Stream the sanitised SQLite copy of the store (:func:`export_sqlite`) into the binary file ``out``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lessons.db"
        _sanitised_copy(db, path)
        with open(path, "rb") as copy:
            shutil.copyfileobj(copy, out, _COPY_BYTES)


def export_sqlite(db: Database) -> bytes:
    """A consistent copy of the store without secrets or accounts, as the bytes of a SQLite file.

    The copy is taken with SQLite's backup API into a temporary file; the left-out tables are emptied, account
    columns emptied, participants' tokens replaced by fresh random values, and the file vacuumed so no deleted
    content stays in free pages. The full-text indexes are kept (Datasette offers search). The bundle and the
    command line stream the file instead of holding it (:func:`write_sqlite`).

    Parameters
    ----------
    db : Database
        The store (not inside an open transaction).

    Returns
    -------
    bytes
        The SQLite file, in rollback-journal mode (a single file).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> export_sqlite(open_memory_store())[:15]
    b'SQLite format 3'
    """
    out = io.BytesIO()
    write_sqlite(db, out)
    return out.getvalue()


def datasette_metadata(db: Database) -> dict:
    """Datasette metadata for ``lessons.db``: title, description and every shared table's columns described.

    Tables that are not shared (emptied) and internal tables are hidden; full-text search of lessons uses
    ``lessons_fts``. Open with ``datasette lessons.db -m metadata.json``.

    >>> from lessons.store import open_memory_store
    >>> meta = datasette_metadata(open_memory_store())
    >>> tables = meta["databases"]["lessons"]["tables"]
    >>> tables["lessons"]["fts_table"], tables["lessons"]["columns"]["title"], tables["users"]["hidden"]
    ('lessons_fts', 'a short headline', True)
    """
    docs = dictionary()
    tables: dict[str, dict] = {}
    for table in SHARED:
        entry = {"description": docs.get(table, {}).get("description", "")}
        columns = dict(docs.get(table, {}).get("columns", {}))
        for column in BLANKED.get(table, ()):
            columns[column] = (columns.get(column, "") + " (left empty: accounts are not shared)").strip()
        for column in OMITTED.get(table, ()):
            columns[column] = "a random value linked to nothing (the real tokens are not shared)"
        entry["columns"] = columns
        tables[table] = entry
    tables["lessons"] |= {"fts_table": "lessons_fts", "fts_pk": "id"}
    for table, why in LEFT_OUT.items():
        tables[table] = {"description": f"Not shared, left empty: {why}.", "hidden": True}
    internal = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in internal:
        if table in INTERNAL or table.startswith(("lessons_fts", "lessons_words")):
            tables[table] = {"description": "Internal: derived from the shared tables.", "hidden": True}
    meta = {
        "title": TITLE,
        "description": (
            "Lessons learned by pilots of co-created public services across a consortium, with their stakeholder "
            "networks, governance models and validation workshops. Every table and column is described."
        ),
        "source": TITLE,
        "databases": {
            DATABASE_NAME: {"description": "The shared data set (no accounts or secrets).", "tables": tables}
        },
    }
    if LICENSES:
        meta["license"] = LICENSES[0].get("title") or LICENSES[0]["name"]
        if LICENSES[0].get("path"):
            meta["license_url"] = LICENSES[0]["path"]
    return meta


def network_members(db: Database) -> Iterator[tuple[str, bytes]]:
    """GraphML and GEXF of every pilot with stakeholders, one file at a time: ``networks/<slug>.graphml|gexf``."""
    slugs = db.execute(
        "SELECT slug FROM pilots WHERE id IN (SELECT pilot_id FROM stakeholders) ORDER BY slug"
    ).fetchall()
    for (slug,) in slugs:
        name = re.sub(r"[^A-Za-z0-9._-]", "-", slug)
        yield f"networks/{name}.graphml", to_graphml(db, slug)
        yield f"networks/{name}.gexf", to_gexf(db, slug)


def network_files(db: Database) -> dict[str, bytes]:
    """GraphML and GEXF of every pilot with stakeholders: ``networks/<slug>.graphml`` and ``networks/<slug>.gexf``.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pid = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"}).last_pk
    >>> network_files(db)
    {}
    >>> _ = db["stakeholders"].insert({"pilot_id": pid, "key": "S01", "name": "City", "sector": "public"})
    >>> sorted(network_files(db))
    ['networks/oulu.gexf', 'networks/oulu.graphml']
    """
    return dict(network_members(db))


def readme(db: Database, *, briefs=(), package_only: bool = False) -> bytes:
    """``README.txt``: what each part of the bundle is, which tool opens it, and what was left out."""
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in shared_tables(db)}
    lines = [
        f"{TITLE}: the shared data set" + (" (data package)" if package_only else " (portable bundle)"),
        f"Made {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    if notice := _notice(db):
        lines += [notice, ""]
    lines += ["WHAT IS IN IT", ""]
    if not package_only:
        lines += [
            "lessons.db          The SQLite database. Open it in Datasette with its metadata (table and column",
            "                    descriptions, search of lessons):",
            "                        datasette lessons.db -m metadata.json",
            "                    or with any SQLite client (sqlite3, DB Browser for SQLite).",
            "metadata.json       Datasette metadata describing every table and column.",
        ]
    lines += [
        "datapackage.json    A Frictionless Data Package: one resource per table with its schema (types, primary",
        "                    and foreign keys, allowed values, descriptions). Check it with",
        "                        frictionless validate datapackage.json",
        "data/<table>.csv    One CSV per table (UTF-8, header row, rows by primary key, empty cell = no value).",
        "                    Spreadsheets open them (choose UTF-8 and comma when asked).",
    ]
    if not package_only:
        lines += [
            "networks/           Each pilot's stakeholder network as GraphML (networkx, igraph, yEd) and GEXF",
            "                    (Gephi: File > Open). Nodes are stakeholders (id = key), edges are ties with",
            "                    relation, weight, period and directed.",
        ]
        if briefs:
            lines.append("briefs/             Reports: " + ", ".join(sorted(briefs)) + ".")
    lines += [
        "",
        "SPREADSHEETS: so that no cell runs as a formula, a text that starts with =, +, -, @, a tab, a carriage",
        "return or ' is written with one extra ' in front ('=HYPERLINK(...) for =HYPERLINK(...), ''x for 'x).",
        "To get the exact value, remove that one ' from text cells whose rest starts with one of those",
        "characters; `python -m lessons import-bundle` does. Numbers (a weight of -1) are written as they are.",
        "The descriptions in datapackage.json name the text columns where this happened.",
        "",
        "TABLES AND ROWS",
        "",
        *(f"    {t:<22}{n:>9,}" for t, n in counts.items()),
        "",
        "LEFT OUT, so that the data set can be shared publicly",
        "",
        *(f"    {t:<22}{why}" for t, why in LEFT_OUT.items()),
        "    participants.token    a token lets its holder vote as that participant: not in the CSV; in",
        "                          lessons.db replaced by random values linked to nothing",
        "    uploads.user_id, uploads.username, uploads.undone_by, workshops.created_by",
        "                          who did what: left empty",
        "    workshops.purpose     written for the facilitator only: left empty",
        "    participants, votes   nobody can be singled out (k-anonymity, k = 5): a declared stakeholder group,",
        "                          pilot or country held by fewer than 5 people of a workshop is left empty, times",
        "                          are rounded to the day (a shared day range where a day would single someone",
        "                          out), and workshops of fewer than 5 participants have no participant or vote",
        "                          rows (their statements are kept)",
        "    statements (pending or rejected)",
        "                          participants' suggestions no facilitator approved: not shared",
        "    analysis_results      derived results, recomputed when first needed",
        "",
        "Licence: none is declared here; the data belong to the consortium that collected them, which sets the",
        "terms of reuse.",
        "",
        "IMPORTING IT BACK",
        "",
        "Into a new, empty store (the data package is read, not lessons.db; participants get new tokens):",
        "    python -m lessons init --db new.db",
        "    python -m lessons import-bundle THIS.zip --db new.db",
        "Or run the app on lessons.db directly: LESSONS_DB=lessons.db streamlit run app.py (it has no accounts;",
        "create an administrator with `python -m lessons user add NAME --role admin --db lessons.db`).",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def write_data_package_zip(db: Database, out: BinaryIO) -> None:
    """Stream the data package alone, zipped (``README.txt``, ``datapackage.json``, ``data/*.csv``), into ``out``."""
    with published_snapshot(db) as snapshot, zipfile.ZipFile(out, "w") as archive:
        _put(archive, "README.txt", readme(snapshot, package_only=True))
        _write_data_package(snapshot, archive)


def data_package_zip(db: Database) -> bytes:
    """The data package alone, zipped, as bytes (see :func:`write_data_package_zip`)."""
    out = io.BytesIO()
    write_data_package_zip(db, out)
    return out.getvalue()


@contextlib.contextmanager
def published_snapshot(db: Database) -> Iterator[Database]:
    """The store as it may be published, opened read-only: the sanitised copy (:func:`_sanitised_copy`: no
    accounts or secrets, participants and votes under :mod:`lessons.privacy`), deleted when the block ends."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lessons.db"
        _sanitised_copy(db, path)
        snapshot = connect(path, readonly=True)
        try:
            yield snapshot
        finally:
            snapshot.close()


def write_bundle(db: Database, out: BinaryIO, *, briefs: Briefs = None, networks: bool = True) -> None:
    """Stream the portable bundle, a ZIP, into the binary file ``out``; every part comes from one sanitised snapshot.

    Nothing is held whole: the SQLite copy is made with the backup API into a temporary file and copied into the
    ZIP in blocks, each CSV is written row by row into its member, each pilot's network files are made one at a time
    and the briefs are taken one at a time from ``briefs``. Write into a file (:func:`lessons.files.atomic_output`)
    so that a failure leaves no half-written bundle.

    Parameters
    ----------
    db : Database
        The store (not inside an open transaction).
    out : BinaryIO
        Where the ZIP goes; seekable or not (a pipe gets data descriptors).
    briefs : mapping of str to bytes, or iterable of (str, bytes), optional
        Reports to include, by file name (written under ``briefs/``); an iterator (a generator) is consumed lazily.
    networks : bool, optional
        Whether to include each pilot's network files (the benchmark leaves them out to compare like with like).
    """
    pairs = briefs.items() if isinstance(briefs, Mapping) else (briefs or ())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lessons.db"
        _sanitised_copy(db, path)
        snapshot = connect(path, readonly=True)
        try:
            with zipfile.ZipFile(out, "w") as archive:
                with _member(archive, "lessons.db", level=DB_LEVEL) as member, open(path, "rb") as copy:
                    shutil.copyfileobj(copy, member, _COPY_BYTES)
                metadata = json.dumps(datasette_metadata(snapshot), indent=2, ensure_ascii=False)
                _put(archive, "metadata.json", metadata.encode("utf-8"))
                _write_data_package(snapshot, archive)
                for name, data in network_members(snapshot) if networks else ():
                    _put(archive, name, data, level=CSV_LEVEL)
                included = []
                for name, data in pairs:
                    included.append(Path(name).name)
                    _put(archive, f"briefs/{included[-1]}", data)
                _put(archive, "README.txt", readme(snapshot, briefs=included))
        finally:
            snapshot.close()


def build_bundle(db: Database, *, briefs: Briefs = None) -> bytes:
    """The portable bundle as ZIP bytes, for small stores and tests; see :func:`write_bundle`, which streams it.

    Parameters
    ----------
    db : Database
        The store.
    briefs : mapping of str to bytes, or iterable of (str, bytes), optional
        Reports to include, by file name (written under ``briefs/``).

    Returns
    -------
    bytes
        A ZIP with ``lessons.db``, ``metadata.json``, ``datapackage.json``, ``data/*.csv``,
        ``networks/*.graphml|gexf``, ``briefs/*`` and ``README.txt``.
    """
    out = io.BytesIO()
    write_bundle(db, out, briefs=briefs)
    return out.getvalue()


# --- import ---------------------------------------------------------------------------------------------------


def _occupied(db: Database) -> dict[str, int]:
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in SHARED if t not in VOCABULARIES}
    return {t: n for t, n in counts.items() if n}


def _refuse_unless_empty(db: Database) -> None:
    occupied = _occupied(db)
    if occupied:
        held = ", ".join(f"{t.replace('_', ' ')}: {n:,} rows" for t, n in list(occupied.items())[:3])
        held += ", …" if len(occupied) > 3 else ""
        raise BundleError(
            [],
            f"The store already holds data ({held}); a bundle is imported only into an empty store. Create an empty "
            "one with `python -m lessons init --db NEW.db` and import into it.",
        )


def _read_member(archive: zipfile.ZipFile, name: str, filename: str, budget: list[int], problems) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        problems.append(Problem(filename, None, None, None, f"The bundle has no {name}.", "Use a bundle made by "
                                "`python -m lessons export --format bundle`, unchanged."))  # fmt: skip
        return None
    ratio = info.file_size / max(1, info.compress_size)
    if info.file_size > budget[0] or ratio > MAX_ZIP_RATIO:
        problems.append(
            Problem(
                name,
                None,
                None,
                None,
                f"It unpacks to {info.file_size / 1e6:,.0f} MB, more than a bundle may hold or its size suggests, "
                "so it was not opened.",
                "Import a bundle made by this app, or split the data set.",
            )
        )
        return None
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError) as err:
        problems.append(Problem(name, None, None, None, f"It cannot be read from the ZIP ({err}).", "Export again."))
        return None
    if len(data) > info.file_size:
        problems.append(Problem(name, None, None, None, "It is larger than the ZIP says.", "Export again."))
        return None
    budget[0] -= len(data)
    return data


def _parse(value: str, column: dict, declared: str):
    """A CSV cell as the store holds it; raises ValueError with what is wrong and how to fix it."""
    if value == "":
        if column["required"]:
            raise ValueError("The cell is empty, but a value is required.|Fill it in.")
        return None
    kind = column["kind"]
    if kind == "integer":
        if not _INTEGER.fullmatch(value.strip()):
            raise ValueError(f"'{value[:40]}' is not a whole number.|Write a whole number such as 12.")
        parsed = int(value)
    elif kind == "number":
        try:
            parsed = float(value)
        except ValueError:
            raise ValueError(f"'{value[:40]}' is not a number.|Write a number such as 2.5.") from None
    elif kind == "boolean":
        if value not in ("0", "1"):
            raise ValueError(f"'{value[:40]}' is not 0 or 1.|Write 1 for yes and 0 for no.") from None
        parsed = int(value)
    else:
        parsed = unescape_text(value)
        if declared == "date" and not (_ISO_DATE.fullmatch(value) and _is(date.fromisoformat, value)):
            raise ValueError(f"'{value[:40]}' is not a date.|Write it as YYYY-MM-DD.")
        if declared == "datetime" and not (_ISO_DATETIME.fullmatch(value) and _is(datetime.fromisoformat, value)):
            raise ValueError(f"'{value[:40]}' is not a date and time.|Write it as YYYY-MM-DDTHH:MM:SSZ.")
    if column["enum"] and parsed not in column["enum"]:
        allowed = ", ".join(str(v) for v in column["enum"])
        raise ValueError(f"'{value[:40]}' is not allowed here.|Use one of: {allowed}.")
    return parsed


def _is(parse, value) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def read_data_package(db: Database, payload: bytes, filename: str = "bundle.zip") -> dict[str, list[dict]]:
    """The rows of a bundle's data package, checked against this store's schema, ready to insert.

    Raises :class:`BundleError` naming file, row and column of every problem (up to ``MAX_PROBLEMS``).
    """
    problems: list[Problem] = []

    def fail(*args):
        problems.append(Problem(*args))
        if len(problems) >= MAX_PROBLEMS:
            raise BundleError(problems)

    if len(payload) > MAX_BUNDLE_BYTES:
        fail(filename, None, None, None, f"The file is {len(payload) / 1e6:,.0f} MB; at most "
             f"{MAX_BUNDLE_BYTES // 2**20} MB are accepted.", "Import a smaller bundle.")  # fmt: skip
        raise BundleError(problems)
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        fail(filename, None, None, None, "The file is not a ZIP archive.", "Choose the bundle's .zip file.")
        raise BundleError(problems) from None
    budget = [MAX_UNZIPPED_BYTES]
    raw = _read_member(archive, "datapackage.json", filename, budget, problems)
    if raw is None:
        raise BundleError(problems)
    try:
        package = json.loads(raw.decode("utf-8-sig"))
        resources = {r["name"]: r for r in package["resources"]}
        declared_fields = {name: r["schema"]["fields"] for name, r in resources.items()}
    except (ValueError, KeyError, TypeError) as err:
        fail("datapackage.json", None, None, None, f"It is not a data package this app can read ({err}).",
             "Use the datapackage.json the export wrote, unchanged.")  # fmt: skip
        raise BundleError(problems) from None
    order = shared_tables(db)
    missing = [t for t in order if t not in resources]
    extra = sorted(set(resources) - set(order))
    if missing or extra:
        parts = ([f"no resource for {', '.join(missing)}"] if missing else []) + (
            [f"resources this store has no table for: {', '.join(extra)}"] if extra else []
        )
        fail("datapackage.json", None, None, None, f"It has {'; '.join(parts)}.",
             "Import a bundle made by this version of the app.")  # fmt: skip
        raise BundleError(problems)

    tables: dict[str, list[dict]] = {}
    columns_of = {t: _columns(db, t) for t in order}
    for table in order:
        path = f"data/{table}.csv"
        columns = columns_of[table]
        names = [c["name"] for c in columns]
        try:
            field_names = [f["name"] for f in declared_fields[table]]
            declared = {f["name"]: f.get("type", "string") for f in declared_fields[table]}
        except (KeyError, TypeError):
            fail("datapackage.json", None, None, table, "The resource's schema has no list of named fields.",
                 "Use the datapackage.json the export wrote, unchanged.")  # fmt: skip
            continue
        if field_names != names:
            fail("datapackage.json", None, None, None, f"The schema of {table} has the fields "
                 f"{', '.join(field_names)}; this store's table has {', '.join(names)}.",
                 "Import a bundle made by this version of the app.")  # fmt: skip
            continue
        data = _read_member(archive, path, filename, budget, problems)
        if data is None:
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            fail(path, None, None, None, f"It is not UTF-8 text (byte {err.start}).", "Save it as UTF-8 CSV.")
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header != names:
            fail(path, None, 1, None, f"The header is {', '.join(header or [])!s}; the schema says "
                 f"{', '.join(names)}.", "Put the header back as the export wrote it.")  # fmt: skip
            continue
        rows, blanked = [], BLANKED.get(table, ())
        try:
            for number, cells in enumerate(reader, start=2):
                if not cells:  # a blank line, as some editors leave at the end
                    continue
                if len(cells) != len(names):
                    fail(path, None, number, None, f"The row has {len(cells)} cells; the header has {len(names)}.",
                         "Quote cells that contain commas or line breaks.")  # fmt: skip
                    continue
                row = {}
                for column, cell in zip(columns, cells):
                    name = column["name"]
                    if name in blanked and cell != "":
                        fail(path, None, number, name, "holds a value, but accounts are not part of a bundle.",
                             "Leave the column empty.")  # fmt: skip
                        continue
                    try:
                        row[name] = _parse(cell, column, declared.get(name, "string"))
                    except ValueError as err:
                        message, _, fix = str(err).partition("|")
                        fail(path, None, number, name, message, fix)
                rows.append(row)
        except csv.Error as err:
            fail(path, None, reader.line_num, None, f"It is not valid CSV ({err}).", "Export again.")
            continue
        tables[table] = rows
    if problems:
        raise BundleError(problems)
    _check_keys(db, tables, columns_of)
    return tables


def _check_keys(db: Database, tables: dict[str, list[dict]], columns_of: dict[str, list[dict]]) -> None:
    """Primary keys unique and every foreign key pointing at a row of the bundle."""
    problems: list[Problem] = []
    keys: dict[tuple, set] = {}
    for table, rows in tables.items():
        primary = [c["name"] for c in sorted(columns_of[table], key=lambda c: c["pk"]) if c["pk"]]
        seen: set = set()
        for number, row in enumerate(rows, start=2):
            key = tuple(row.get(c) for c in primary)
            if key in seen:
                problems.append(Problem(f"data/{table}.csv", None, number, ", ".join(primary),
                                        f"The key {', '.join(map(str, key))} occurs twice.",
                                        "Keep one of the two rows."))  # fmt: skip
            seen.add(key)
    for table, rows in tables.items():
        for fk in _foreign_keys(db, table):
            if fk["table"] not in tables or len(problems) >= MAX_PROBLEMS:
                continue
            index = (fk["table"], tuple(fk["to"]))
            if index not in keys:
                keys[index] = {tuple(r.get(c) for c in fk["to"]) for r in tables[fk["table"]]}
            for number, row in enumerate(rows, start=2):
                value = tuple(row.get(c) for c in fk["from"])
                if any(v is None for v in value) or value in keys[index]:
                    continue
                problems.append(
                    Problem(
                        f"data/{table}.csv",
                        None,
                        number,
                        ", ".join(fk["from"]),
                        f"There is no row with {', '.join(fk['to'])} {', '.join(map(str, value))} in data/{fk['table']}.csv.",
                        f"Use one of its {', '.join(fk['to'])} values, or leave the cell empty if the "
                        "column allows it.",
                    )
                )
                if len(problems) >= MAX_PROBLEMS:
                    break
    if problems:
        raise BundleError(problems)


def import_bundle(db: Database, actor: Actor | None, payload: bytes, *, filename: str = "bundle.zip") -> dict:
    """Fill an empty store from a bundle's data package, in one transaction; return the rows per table.

    Parameters
    ----------
    db : Database
        An empty store (just created: it may hold the seeded vocabularies, whose rows are replaced).
    actor : Actor
        Who imports: administrators only.
    payload : bytes
        The bundle (or the data package alone) as ZIP bytes.
    filename : str
        The file's name, for messages and the audit log.

    Returns
    -------
    dict of str to int
        Rows imported per shared table, parents first.

    Raises
    ------
    PermissionDenied
        The actor is not an administrator.
    BundleError
        The store is not empty, or the bundle is damaged or does not fit the schema; each problem names the file,
        row and column and how to fix it. Nothing was written.

    Notes
    -----
    Rows go through the tables themselves, so triggers index lessons for search and raise the data versions that
    caches key on. Participants get new random tokens. The import is recorded in the audit log as
    ``bundle.import``.
    """
    authorize(actor, "bundle.import")
    _refuse_unless_empty(db)
    tables = read_data_package(db, payload, filename)
    order = shared_tables(db)
    counts = {}
    with db.atomic():
        _refuse_unless_empty(db)
        for table in reversed(order):
            db.execute(f'DELETE FROM "{table}"')
        for table in order:
            rows = tables[table]
            names = [c["name"] for c in _columns(db, table)]
            if table in OMITTED:
                names += list(OMITTED[table])
            sql = (
                f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
                f"VALUES ({', '.join('?' * len(names))})"
            )
            for number, row in enumerate(rows, start=2):
                values = [clean_text(v) if isinstance(v, str) else v for v in (row.get(n) for n in names)]
                if table == "participants":
                    values[names.index("token")] = secrets.token_urlsafe(24)
                try:
                    db.execute(sql, values)
                except sqlite3.DatabaseError as err:
                    raise BundleError([Problem(f"data/{table}.csv", None, number, None,
                                               f"The store refused the row: {err}.",
                                               "Correct the row so that it fits the rules of the data dictionary.")
                                       ]) from None  # fmt: skip
            counts[table] = len(rows)
        record(
            db,
            actor,
            "bundle.import",
            object_type="store",
            rows=sum(counts.values()),
            detail={"file": filename, "sha256": hashlib.sha256(payload).hexdigest(), "tables": counts},
        )
    return counts
