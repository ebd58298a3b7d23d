"""Keep the stored lesson similarity up to date in the background, one analysis at a time per store.

After the lessons change, the app calls :func:`refresh`: a daemon thread computes the analysis for the new data
version and stores it, while pages keep showing the result stored before (they never wait for it). Only one
analysis runs per store at a time, across threads and processes: a worker first claims the row :data:`RUNNING` in
``analysis_results`` (one atomic statement); a claim older than :data:`STALE_CLAIM` seconds is from a process that
died and may be taken over. A worker that finishes while the lessons changed again computes once more, so the stored
result always catches up with the newest version.

``python -m lessons analyse`` computes in the foreground instead. Tests set ``LESSONS_ANALYSE_SYNC=1``
(:data:`SYNC_ENV`) so that :func:`refresh` computes in the caller's thread before returning.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import closing
from pathlib import Path

from sqlite_utils import Database

from lessons.store import connect, data_version
from lessons.stored import claim_run, release_run, run_is_live
from lessons.synthesis.text_similarity import ANALYSIS, similarity, similarity_version

__all__ = [
    "RUNNING",
    "STALE_CLAIM",
    "SYNC_ENV",
    "bring_up_to_date",
    "claim",
    "failures",
    "is_running",
    "join",
    "refresh",
    "release",
]

#: The ``analysis_results`` row that marks an analysis being computed (its data version: the one being computed).
RUNNING = f"{ANALYSIS}:running"
#: Seconds after which a claim is taken to be left by a process that stopped (the analysis takes about a minute).
STALE_CLAIM = 1800
#: Set to ``1`` to compute in the caller's thread (tests: AppTest pages then show the fresh result at once).
SYNC_ENV = "LESSONS_ANALYSE_SYNC"

_log = logging.getLogger(__name__)
_threads: dict[str, threading.Thread] = {}
_threads_lock = threading.Lock()
#: The last failure of a background analysis per store (shown by the page), cleared by the next success.
failures: dict[str, str] = {}


def claim(db: Database, version: int) -> bool:
    """Mark the analysis of ``version`` as running; return False when another one is running already.

    One statement, so two workers can never both claim: the row is inserted, or taken over only when its claim is
    older than :data:`STALE_CLAIM` seconds.

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
    """Remove the running mark (the analysis finished or failed)."""
    release_run(db, RUNNING)


def is_running(db: Database) -> bool:
    """Return whether an analysis is being computed now (a claim younger than :data:`STALE_CLAIM` seconds)."""
    return run_is_live(db, RUNNING, STALE_CLAIM)


def bring_up_to_date(path: str | os.PathLike) -> int:
    """Compute and store the analysis until it is for the lessons' current data version, in this thread.

    Returns how many analyses were computed: 0 when the stored one is current, or when another worker holds the
    claim (that worker catches up with the newest version itself).
    """
    computed = 0
    with closing(connect(path)) as db:
        while True:
            version = data_version(db, "lessons")
            if similarity_version(db) == version or not claim(db, version):
                return computed
            try:
                similarity(db)
                computed += 1
            finally:
                release(db)


def _work(path: str, key: str) -> None:
    try:
        bring_up_to_date(path)
        failures.pop(key, None)
    except Exception as error:  # noqa: BLE001 - a background thread must report, never raise into nothing
        failures[key] = f"{type(error).__name__}: {error}"
        _log.exception("the background similarity analysis of %s failed", path)


def refresh(path: str | os.PathLike, *, wait: bool | None = None) -> bool:
    """Bring the stored analysis up to date without waiting for it: start a background thread unless one runs.

    Returns True when a thread was started (or, with ``wait``, when the analysis was brought up to date here).
    ``wait`` defaults to the :data:`SYNC_ENV` environment variable (tests).

    Parameters
    ----------
    path : str or os.PathLike
        The store's database file.
    wait : bool, optional
        Compute in the caller's thread before returning.
    """
    wait = os.environ.get(SYNC_ENV) == "1" if wait is None else wait
    key = str(Path(path).resolve())
    if wait:
        _work(str(path), key)
        return key not in failures
    with _threads_lock:
        running = _threads.get(key)
        if running is not None and running.is_alive():
            return False
        thread = threading.Thread(target=_work, args=(str(path), key), name=f"similarity {key}", daemon=True)
        _threads[key] = thread
        thread.start()
    return True


def join(path: str | os.PathLike, timeout: float | None = None) -> None:
    """Wait for the background analysis of the store at ``path`` to finish (tests and the benchmark)."""
    thread = _threads.get(str(Path(path).resolve()))
    if thread is not None:
        thread.join(timeout)
