"""Read a bundle back into an empty store from its data package alone (not from ``lessons.db``).

Every cell is checked against the package's schema and the store's, keys are checked, and nothing is written unless all
is well.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
import sqlite3
import zipfile
from datetime import date, datetime

from sqlite_utils import Database

from lessons.audit import record
from lessons.bundle.datapackage import unescape_text
from lessons.bundle.tables import (
    _INTEGER,
    _ISO_DATE,
    _ISO_DATETIME,
    BLANKED,
    OMITTED,
    SHARED,
    VOCABULARIES,
    _columns,
    _foreign_keys,
    image_member,
    shared_tables,
)
from lessons.ingest.problems import IngestError, Problem
from lessons.ingest.tables import MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO
from lessons.permissions import Actor, authorize
from lessons.stories import StoryError, check_image
from lessons.text import clean_text

#: Limits on a bundle being imported (the ZIP limits are those of uploads, :mod:`lessons.ingest.tables`).
MAX_BUNDLE_BYTES = MAX_UNZIPPED_BYTES
MAX_PROBLEMS = 20


class BundleError(IngestError):
    """A bundle cannot be imported; ``problems`` says where and how to fix each problem. Nothing was written."""

    def __init__(self, problems: list[Problem], message: str | None = None):
        super().__init__(problems)
        if message:
            self.args = (message,)
        elif len(self.problems) == 1:
            self.args = (str(self.problems[0]),)


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
    """Parse a CSV cell as the store holds it; raise ValueError with what is wrong and how to fix it."""
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
    """Read the rows of a bundle's data package, checked against this store's schema, ready to insert.

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
    for row in tables.get("story_images", ()):  # each image's bytes are a file of the ZIP, not a cell
        _read_image(archive, row, filename, budget, problems)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise BundleError(problems)
    _check_keys(db, tables, columns_of)
    return tables


def _read_image(archive: zipfile.ZipFile, row: dict, filename: str, budget: list[int], problems) -> None:
    """Put a story image's bytes (its file in the ZIP) into its row, checked to be the PNG or JPEG the row says."""
    name = image_member(row.get("story_id") or 0, row.get("filename") or "")
    data = _read_member(archive, name, filename, budget, problems)
    if data is None:
        return
    try:
        _bytes, media_type, _width, _height = check_image(data, row.get("filename") or "image")
    except StoryError as err:
        problems.append(Problem(name, None, None, None, str(err), "Export the bundle again."))
        return
    if media_type != row.get("media_type"):
        problems.append(Problem(name, None, None, "media_type", f"It is {media_type}, not {row.get('media_type')}.",
                                "Export the bundle again."))  # fmt: skip
        return
    row["data"] = data


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
