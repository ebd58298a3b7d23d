"""What the bundle shares, table by table and column by column, and each shared table's schema.

The schema is read from the store (types, keys, allowed values) with the descriptions of ``data/DICTIONARY.md``;
:func:`table_rows` is the one place the shared rows come from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from sqlite_utils import Database

from lessons.store import DERIVED_TABLES, PROJECT_DIR, TABLES

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
    "staff_sessions": "accounts: who is signed in (hashes of session tokens)",
    "audit_log": "every write and sign-in, with account ids and names",
    "upload_changes": "row images before and after each upload (kept to undo uploads; may hold removed text)",
    "deleted_pilots": "deleted pilots, kept so a deletion can be undone (the data set is the current state)",
}
#: Internal or derived tables: kept in ``lessons.db`` only (``analysis_results`` emptied), never in the package.
INTERNAL = ("analysis_results", "lesson_theme_counts", "data_versions", "_sqlite_migrations")
#: Columns that name accounts: kept, but emptied.
BLANKED = {"uploads": ("user_id", "username", "undone_by"), "workshops": ("created_by", "purpose")}
#: The lifecycle's record is public without who acted: the role stays, the account is emptied.
BLANKED["lesson_status_history"] = ("user_id",)
#: Who linked a lesson or a pilot to a method of the catalogue is an account's name: kept, emptied in the bundle.
BLANKED["lesson_methods"] = BLANKED["pilot_methods"] = ("linked_by",)
#: A participant's id in the export they were imported from would link the bundle's rows to that export: emptied.
BLANKED["participants"] = ("source_id",)
#: Why a blanked column is empty, where it is not an account.
BLANKED_WHY = {("participants", "source_id"): "ids in the source export are not shared"}
#: Rows never shared: participants' suggested statements a facilitator has not approved (text nobody vetted).
WITHHELD = {"statements": "moderation = 'approved'"}
#: Columns never written to the data package (``lessons.db`` holds fresh random values instead).
OMITTED = {"participants": ("token",)}
#: Tables the store seeds itself (``lessons.store.seed_vocabulary``); an import replaces their rows.
VOCABULARIES = ("sectors", "phases", "methodologies", "methodology_steps", "themes", "catalogue_entries")
#: Stories and credit (#20): the accounts that wrote, published or recorded consent are emptied; a person who has
#: not consented to be named is not shared. A story's images travel with it (of the stories the reader may see,
#: as every row): their rows with the alt text in ``data/story_images.csv`` and in ``lessons.db``, each image's
#: bytes as a file of the ZIP (:func:`image_member`) rather than a CSV cell.
OMITTED["story_images"] = ("data",)
IMAGES = "images"
BLANKED.update({"stories": ("created_by", "published_by"), "contributors": ("consent_recorded_by",)})
WITHHELD.update(
    {
        "contributors": "kind = 'organisation' OR consent = 1",
        "contributions": "contributor_id IN (SELECT id FROM contributors WHERE kind = 'organisation' OR consent = 1)",
    }
)
#: Shared tables, in the order of ``lessons.store.TABLES``.
SHARED = [t for t in TABLES if t not in LEFT_OUT and t not in DERIVED_TABLES]


def image_member(story_id: int, filename: str) -> str:
    """Return where a story's image is in the bundle's ZIP: ``images/story-<id>/<filename>`` (safe characters only).

    >>> image_member(3, "town-hall.png"), image_member(4, "../x y.jpg")
    ('images/story-3/town-hall.png', 'images/story-4/x-y.jpg')
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(filename).replace("\\", "/").rsplit("/", 1)[-1]).strip(".-")
    return f"{IMAGES}/story-{int(story_id)}/{name or 'image'}"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_INTEGER = re.compile(r"[-+]?\d+")
_CHECK_IN = re.compile(r"CHECK\s*\(\s*(\w+)\s+IN\s*\(([^()]*)\)\s*\)", re.IGNORECASE)


# --- the schema, read from the store ------------------------------------------------------------------------------


def shared_tables(db: Database) -> list[str]:
    """Return the shared tables, parents before children (each table after every table its foreign keys point to).

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
    """Return the table's columns as the package holds them: name, kind, required, enum, primary-key position."""
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
    """Return the data dictionary: for each table, its description and the meaning of each column.

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
    """Return the Frictionless Table Schema of a shared table, introspected from SQLite.

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
            why = BLANKED_WHY.get((table, name), "accounts are not shared")
            description += f" (left empty in a shared bundle: {why})"
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


def _select(db: Database, table: str) -> tuple[list[str], str]:
    """Return the columns of ``table`` as the bundle shares them, and the query that reads them (by primary key)."""
    columns = _columns(db, table)
    names = [c["name"] for c in columns]
    blanked = BLANKED.get(table, ())
    selected = ", ".join(f'NULL AS "{n}"' if n in blanked else f'"{n}"' for n in names)
    order = ", ".join(f'"{c["name"]}"' for c in sorted(columns, key=lambda c: c["pk"]) if c["pk"]) or "rowid"
    where = f" WHERE {WITHHELD[table]}" if table in WITHHELD else ""
    return names, f'SELECT {selected} FROM "{table}"{where} ORDER BY {order}'


def table_rows(db: Database, table: str) -> tuple[list[str], Iterator[tuple]]:
    """Return the shared rows of ``table``, the one place the data package's rows come from.

    They come as the column names and an iterator over the rows (tuples, by primary key), read from the database as they
    are consumed.

    Every choice of what a row shares (emptied columns, withheld rows) is made here or in the query of
    :func:`_select`; a rule that filters or transforms a table's rows belongs here too.

    >>> from lessons.store import open_memory_store
    >>> names, rows = table_rows(open_memory_store(), "phases")
    >>> names, next(rows)
    (['code', 'position', 'name', 'description'], ('co-deliver', 4, 'Co-deliver', 'Run the service with users and partners sharing the delivery.'))
    """
    names, sql = _select(db, table)
    return names, iter(db.execute(sql))
