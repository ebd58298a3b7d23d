"""The bundle's ZIP, streamed part by part (:func:`write_bundle`), and the data package zipped alone.

The bundle holds ``lessons.db``, ``metadata.json``, the data package, each pilot's network files, the briefs and
``README.txt``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlite_utils import Database

from lessons.bundle.datapackage import CSV_LEVEL, DB_LEVEL, _member, _notice, _put, _write_data_package
from lessons.bundle.sqlite import _COPY_BYTES, _sanitised_copy, datasette_metadata, published_snapshot
from lessons.bundle.tables import LEFT_OUT, TITLE, shared_tables
from lessons.network_io import to_gexf, to_graphml
from lessons.store import connect

#: Briefs for the bundle: file name to content, as a mapping or as (name, content) pairs made one at a time.
Briefs = Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None


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
        "images/             The images of the stories shared, at images/story-<story id>/<file name>; each",
        "                    image's alt text (what it shows) is in data/story_images.csv.",
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
    """Stream the data package alone, zipped, into ``out``.

    It holds ``README.txt``, ``datapackage.json``, ``data/*.csv`` and the stories' ``images/``.
    """
    with published_snapshot(db) as snapshot, zipfile.ZipFile(out, "w") as archive:
        _put(archive, "README.txt", readme(snapshot, package_only=True))
        _write_data_package(snapshot, archive)


def data_package_zip(db: Database) -> bytes:
    """Return the data package alone, zipped, as bytes (see :func:`write_data_package_zip`)."""
    out = io.BytesIO()
    write_data_package_zip(db, out)
    return out.getvalue()


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
    """Return the portable bundle as ZIP bytes, for small stores and tests; see :func:`write_bundle`, which streams it.

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
