"""The Frictionless Data Package of the shared tables: ``data/<table>.csv`` and ``datapackage.json``.

Text cells a spreadsheet would run as formulas are escaped reversibly by :func:`escape_text`; ``datapackage.json`` holds
each table's schema.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from sqlite_utils import Database

from lessons.bundle.sqlite import published_snapshot
from lessons.bundle.tables import (
    IMAGES,
    LICENSES,
    OMITTED,
    PACKAGE_NAME,
    TITLE,
    dictionary,
    image_member,
    shared_tables,
    table_rows,
    table_schema,
)

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Deflate levels of the bundle's big members (zlib's default is 6): level 1 is about four times as fast and makes
#: the bundle about 15% larger (scale 10: 85 MB instead of 73 MB).
CSV_LEVEL = 1
DB_LEVEL = 1


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
    """Escape a text as a data-package CSV cell: one ``'`` before it when it starts with a formula character or ``'``.

    >>> [escape_text(v) for v in ("=HYPERLINK(1)", "-1 minus", "'quoted", "plain", "")]
    ["'=HYPERLINK(1)", "'-1 minus", "''quoted", 'plain', '']
    """
    return "'" + value if value.startswith(_ESCAPED_START) else value


def unescape_text(cell: str) -> str:
    """Return the exact text of a data-package CSV cell: :func:`escape_text` undone (one leading ``'`` removed).

    >>> [unescape_text(c) for c in ("'=HYPERLINK(1)", "''quoted", "'plain", "'", "=raw")]
    ['=HYPERLINK(1)', "'quoted", "'plain", "'", '=raw']
    """
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_ESCAPED_START) else cell


def _free_text(field: dict) -> bool:
    """Tell whether a field of a table schema may hold a text :func:`escape_text` changes.

    That is a ``string`` (dates and date-times are ISO 8601, numbers are not text) without a list of allowed values none
    of which needs it.
    """
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
    """Open a member of ``archive`` for streaming into (deflated; ZIP64 so that it may grow past 4 GB)."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)  # 3.13 renamed it
    return archive.open(info, "w", force_zip64=True)


def _put(archive: zipfile.ZipFile, name: str, data: bytes, *, level: int | None = None) -> None:
    archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED, level)


def _write_images(db: Database, archive: zipfile.ZipFile) -> None:
    """Write each shared story image as a file of ``archive`` (:func:`image_member`), one at a time.

    They are stored, not deflated: PNG and JPEG are compressed already.
    """
    if "story_images" not in shared_tables(db):
        return
    for story_id, filename, data in db.execute("SELECT story_id, filename, data FROM story_images ORDER BY id"):
        info = zipfile.ZipInfo(image_member(story_id, filename), date_time=_ZIP_TIME)
        archive.writestr(info, data, zipfile.ZIP_STORED)


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
        if table == "story_images":
            description += f" (each image's file is in the ZIP at {IMAGES}/story-<story_id>/<filename>)"
        elif table in OMITTED:
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
    _write_images(db, archive)
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
    """Return the Frictionless Data Package of the shared tables: ``datapackage.json`` and ``data/<table>.csv``.

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
    >>> sorted(files)[3:6]
    ['data/catalogue_problems.csv', 'data/catalogue_translations.csv', 'data/contributions.csv']
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
