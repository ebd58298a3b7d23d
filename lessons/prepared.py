"""Prepare the files the *Data and exports* page offers without a choice, in the background after each change.

Making the whole bundle takes from about 20 seconds (the demo data) to minutes (larger stores), and a brief several
seconds, mostly drawing the briefs. After a change the app calls :func:`prepare_soon`: a worker makes the whole
bundle and, from the same drawing, the briefs it carries (the roadmap, each theme and governance model brief, as PDF
and as HTML) plus the brief the page shows first, and keeps them in ``analysis_results`` under ``prepared:…`` names
with the data version (of all areas) they were made from, all in one transaction. The page serves a kept file only
for the version it was made from: a later change makes every kept file stale at once, and the button then makes
the file on click, as before, while the worker prepares the new ones. Kept in the store, the files follow it: a
backup restored or another store put in its place never gets another store's files, and the bundle's own copy of
the store leaves ``analysis_results`` out.

The files are the same bytes for every viewer: briefs and the bundle follow the privacy rule of public outputs and
do not depend on who asks (the page shows them to anyone who may open it). Briefs name groups of similar lessons:
the worker first brings the lesson similarity up to date (:mod:`lessons.synthesis.refresh`), so the kept briefs
carry the groups of the current lessons.

One worker per store at a time, across processes: it claims the row :data:`RUNNING` (one statement, as the
similarity analysis does) and catches up with changes made while it ran (at most :data:`MAX_PASSES` times in a row:
a store that keeps changing, e.g. during a live workshop, is left for the next trigger). By default the worker is a
child process at low priority (:data:`NICENESS`), so pages keep the server's CPU and Python's lock while it draws.
``LESSONS_PREPARE`` (:data:`MODE_ENV`) says how: ``background`` (the default), ``sync`` (in the caller's thread,
before returning) or ``off`` (never; the tests' default, so a write in a test does not draw every brief).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing, suppress
from pathlib import Path
from typing import NamedTuple

from sqlite_utils import Database

from lessons import drawing
from lessons.store import PROJECT_DIR, connect, data_version
from lessons.stored import claim_run, release_run, run_is_live
from lessons.synthesis import refresh as similarity_refresh
from lessons.synthesis import similarity_version
from lessons.visibility import PUBLIC, scope

__all__ = [
    "BUNDLE",
    "MAX_PASSES",
    "MODE_ENV",
    "NICENESS",
    "PREFIX",
    "RUNNING",
    "STALE_CLAIM",
    "Status",
    "brief_name",
    "bring_up_to_date",
    "claim",
    "default_brief",
    "failure",
    "failures",
    "has",
    "is_running",
    "join",
    "kept",
    "make",
    "prepare_soon",
    "read",
    "release",
    "status",
    "working",
    "write_bundle",
]

#: Every prepared file's ``analysis_results.name`` starts with this.
PREFIX = "prepared:"
#: The whole bundle (the page's *Download everything*).
BUNDLE = f"{PREFIX}bundle"
#: The row that marks a worker preparing (its data version: the one being prepared).
RUNNING = f"{PREFIX}running"
#: Seconds after which a claim is taken to be left by a process that stopped.
STALE_CLAIM = 1800
#: ``background`` (default), ``sync`` or ``off``: how :func:`prepare_soon` prepares.
MODE_ENV = "LESSONS_PREPARE"
#: Passes a worker makes in a row when the data keeps changing while it prepares.
MAX_PASSES = 3
#: How much lower the background worker's CPU priority is than the server's.
NICENESS = 10
#: Seconds a worker waits for a similarity analysis another worker is computing.
SIMILARITY_WAIT = 900
_POLL = 2.0

_log = logging.getLogger(__name__)
_threads: dict[str, threading.Thread] = {}
_threads_lock = threading.Lock()
#: The last failure of a background preparation per store (shown by the page), cleared by the next success.
failures: dict[str, str] = {}


class Status(NamedTuple):
    """Whether the prepared files are those of the current data version (``ready``) or being made (``running``)."""

    ready: bool
    running: bool


def brief_name(subject: str, key: str, file_format: str) -> str:
    """Return the name a prepared brief (``subject`` theme, pilot or model) or the roadmap (``roadmap``) is kept under.

    Examples
    --------
    >>> brief_name("theme", "trust", "pdf"), brief_name("roadmap", "", "html")
    ('prepared:brief-theme-trust.pdf', 'prepared:roadmap-to-co-creation.html')
    """
    stem = "roadmap-to-co-creation" if subject == "roadmap" else f"brief-{subject}-{key}"
    return f"{PREFIX}{stem}.{file_format}"


def default_brief(db: Database) -> tuple[str, str] | None:
    """Return the brief the page offers before any choice: the first theme, else the first pilot, else model.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> default_brief(open_memory_store()) is None
    True
    """
    found = drawing.subjects(db)
    for subject in ("theme", "pilot", "model"):
        if len(found[subject]):
            return subject, str(found[subject]["key"].iloc[0])
    return None


def write_bundle(db: Database, out) -> dict[str, bytes]:
    """Stream the whole bundle into the binary file ``out`` and return the briefs it carries, by file name.

    The one definition of the page's *Download everything*: the data set, its networks and the briefs of
    :func:`lessons.report.iter_bundle_briefs`.
    """
    briefs: dict[str, bytes] = {}

    def carried():
        for name, data in drawing.iter_bundle_briefs(db):
            briefs[Path(name).name] = data
            yield name, data

    drawing.write_bundle(db, out, briefs=carried())
    return briefs


def make(db: Database) -> dict[str, bytes]:
    """Make every prepared file from the store as it is now: names (see :func:`brief_name`, :data:`BUNDLE`) to bytes."""
    with tempfile.TemporaryFile() as out:
        briefs = write_bundle(db, out)
        out.seek(0)
        files = {BUNDLE: out.read()}
    files |= {PREFIX + name: data for name, data in briefs.items()}
    first = default_brief(db)
    if first is not None and brief_name(*first, "pdf") not in files:
        for name, data in drawing.brief_files(db, *first).items():
            files[PREFIX + name] = data
    return files


def read(db: Database, name: str, version: int) -> bytes | None:
    """Return the prepared file ``name`` if it was made at data version ``version`` (of all areas), else None."""
    row = db.execute(
        "SELECT data_version, payload FROM analysis_results WHERE name = ? AND name != ?", [name, RUNNING]
    ).fetchone()
    return row[1] if row is not None and row[0] == version else None


def has(db: Database, name: str, version: int) -> bool:
    """Return whether the prepared file ``name`` of data version ``version`` is kept (without reading it)."""
    row = db.execute(
        "SELECT 1 FROM analysis_results WHERE name = ? AND name != ? AND data_version = ?", [name, RUNNING, version]
    ).fetchone()
    return row is not None


def kept(db: Database) -> int | None:
    """Return the data version the prepared files were made at, or None when none are kept."""
    row = db.execute("SELECT data_version FROM analysis_results WHERE name = ?", [BUNDLE]).fetchone()
    return row[0] if row else None


def status(db: Database, version: int) -> Status:
    """Return whether the files of data version ``version`` are ready, and whether a worker is preparing."""
    return Status(kept(db) == version, is_running(db))


def _keep(db: Database, version: int, files: dict[str, bytes], seconds: float) -> None:
    """Replace every prepared file with ``files`` of ``version``, in one transaction (readers see all or none)."""
    with db.conn:
        db.execute("DELETE FROM analysis_results WHERE name LIKE ? AND name != ?", [f"{PREFIX}%", RUNNING])
        db.conn.executemany(
            "INSERT INTO analysis_results (name, data_version, seconds, payload) VALUES (?, ?, ?, ?)",
            [(name, version, round(seconds, 3), data) for name, data in files.items()],
        )


def claim(db: Database, version: int) -> bool:
    """Mark the preparation of ``version`` as running; return False when another one is running already.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> claim(db, 1), claim(db, 2), is_running(db)
    (True, False, True)
    >>> release(db); claim(db, 2)
    True
    """
    return claim_run(db, RUNNING, version, STALE_CLAIM)


def release(db: Database) -> None:
    """Remove the running mark (the preparation finished or failed)."""
    release_run(db, RUNNING)


def is_running(db: Database) -> bool:
    """Return whether files are being prepared now (a claim younger than :data:`STALE_CLAIM` seconds)."""
    return run_is_live(db, RUNNING, STALE_CLAIM)


def _similarity_current(path: str | os.PathLike, db: Database) -> bool:
    """Bring the lesson similarity up to date (or wait for the worker computing it); False if it could not be."""
    deadline = time.monotonic() + SIMILARITY_WAIT
    while True:
        similarity_refresh.bring_up_to_date(path)
        if similarity_version(db) == data_version(db, "lessons"):
            return True
        if not similarity_refresh.is_running(db) or time.monotonic() > deadline:
            return False
        time.sleep(_POLL)


def bring_up_to_date(path: str | os.PathLike) -> int:
    """Prepare the files until they are those of the store's current data version, in this thread.

    Returns how many times the files were made and kept: 0 when the kept ones are current, when another worker holds
    the claim (it catches up itself), or when the lesson similarity could not be brought up to date. Files made
    while the data changed are not kept (they might mix two versions); the worker makes them again, at most
    :data:`MAX_PASSES` times.
    """
    made = 0
    with closing(connect(path)) as db:
        for _ in range(MAX_PASSES):
            version = data_version(db)
            try:
                if kept(db) == version or not claim(db, version):
                    return made
            except sqlite3.OperationalError as error:  # a read-only store keeps nothing: files are made on click
                if "readonly" in str(error).replace("-", "").lower():
                    return made
                raise
            try:
                if not _similarity_current(path, db):
                    return made
                start = time.perf_counter()
                with scope(db, PUBLIC):  # prepared for anyone who asks: public records only
                    files = make(db)
                if data_version(db) == version:
                    _keep(db, version, files, time.perf_counter() - start)
                    made += 1
            finally:
                release(db)
    return made


def _key(path: str | os.PathLike) -> str:
    return str(Path(path).resolve())


def _work(path: str, key: str) -> None:
    """Prepare in this thread; a failure is logged and kept in :data:`failures`, never raised."""
    try:
        bring_up_to_date(path)
        failures.pop(key, None)
    except Exception as error:  # noqa: BLE001 - a background worker must report, never raise into nothing
        failures[key] = f"{type(error).__name__}: {error}"
        _log.exception("preparing the downloads of %s failed", path)


def _work_in_child(path: str, key: str) -> None:
    """Prepare in a child process at low priority; its failure is kept in :data:`failures`."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lessons.prepared", key],  # the resolved path: the child runs elsewhere
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        failures[key] = f"{type(error).__name__}: {error}"
        return
    if done.returncode == 0:
        failures.pop(key, None)
        return
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    failures[key] = lines[-1] if lines else f"the worker stopped with code {done.returncode}"
    _log.error("preparing the downloads of %s failed:\n%s", path, done.stderr)


def prepare_soon(path: str | os.PathLike, *, mode: str | None = None) -> bool:
    """Bring the prepared files up to date without waiting: start a worker unless they are current or one runs.

    Returns True when a worker was started (with ``sync``: when the files were brought up to date here).

    Parameters
    ----------
    path : str or os.PathLike
        The store's database file.
    mode : str, optional
        ``background``, ``sync`` or ``off``; defaults to the :data:`MODE_ENV` environment variable, else background.
    """
    mode = mode or os.environ.get(MODE_ENV, "background")
    if mode == "off":
        return False
    key = _key(path)
    if mode == "sync":
        _work(str(path), key)
        return key not in failures
    with _threads_lock:
        running = _threads.get(key)
        if running is not None and running.is_alive():
            return False
        with closing(connect(path, readonly=True)) as db:
            if kept(db) == data_version(db) or is_running(db):
                return False
        thread = threading.Thread(target=_work_in_child, args=(str(path), key), name=f"prepare {key}", daemon=True)
        _threads[key] = thread
        thread.start()
    return True


def working(path: str | os.PathLike) -> bool:
    """Return whether this process's background worker for the store at ``path`` is running."""
    thread = _threads.get(_key(path))
    return thread is not None and thread.is_alive()


def failure(path: str | os.PathLike) -> str | None:
    """Return why this process's last background preparation for the store at ``path`` failed, if it did."""
    return failures.get(_key(path))


def join(path: str | os.PathLike, timeout: float | None = None) -> None:
    """Wait for the background worker of the store at ``path`` to finish (tests and the benchmark)."""
    thread = _threads.get(_key(path))
    if thread is not None:
        thread.join(timeout)


def _main(argv: list[str]) -> int:
    """Prepare the files of the store ``argv[0]`` at low priority (the background worker's child process)."""
    with suppress(OSError, AttributeError):
        os.nice(NICENESS)
    logging.basicConfig(level=logging.WARNING)
    bring_up_to_date(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
