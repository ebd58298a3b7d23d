"""Results of expensive analyses kept in ``analysis_results``: frames as JSON, compressed, keyed by data version.

Shared by the network analyses, workshop results and lesson similarity, so each is computed once per change of
its data and read back otherwise. JSON (never pickle): a stored result cannot run code when loaded.
"""

from __future__ import annotations

import json
import math
import time
import zlib
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons import visibility

T = TypeVar("T")


def plain(obj):
    """JSON-ready: numpy scalars to Python, NaN/NA to None, tuples to lists, recursively.

    >>> plain({"a": np.int64(2), "b": (1.5, float("nan"))})
    {'a': 2, 'b': [1.5, None]}
    """
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def frame_to_json(frame: pd.DataFrame) -> dict:
    """Write a frame as JSON-ready columns with their kinds (bool, int, float, text), to read back with its dtypes."""
    kinds, data = {}, {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            kinds[column], values = "bool", series.astype(bool).tolist()
        elif pd.api.types.is_integer_dtype(series):
            kinds[column], values = "int", series.astype("int64").tolist()
        elif pd.api.types.is_float_dtype(series):
            kinds[column] = "float"
            values = [None if math.isnan(v) else v for v in series.astype(float).tolist()]
        else:
            kinds[column], values = "text", [plain(v) for v in series.tolist()]
        data[column] = values
    return {"columns": [str(c) for c in frame.columns], "kinds": kinds, "data": data}


def frame_from_json(obj: dict) -> pd.DataFrame:
    """Read back the frame :func:`frame_to_json` wrote.

    >>> f = pd.DataFrame({"n": [1, 2], "x": [0.5, float("nan")], "ok": [True, False], "t": ["a", None]})
    >>> frame_from_json(frame_to_json(f)).equals(f)
    True
    """
    columns = {}
    for column in obj["columns"]:
        kind, values = obj["kinds"][column], obj["data"][column]
        if kind == "float":
            columns[column] = np.array([np.nan if v is None else v for v in values], dtype=float)
        elif kind == "int":
            columns[column] = np.array(values, dtype=np.int64)
        elif kind == "bool":
            columns[column] = np.array(values, dtype=bool)
        else:
            columns[column] = values if values else np.array([], dtype=object)  # an empty text column stays text
    return pd.DataFrame(columns, columns=obj["columns"])


def encode(obj: dict) -> bytes:
    """Encode ``obj`` as compressed JSON bytes for ``analysis_results``."""
    return zlib.compress(json.dumps(obj, allow_nan=False, separators=(",", ":")).encode("utf-8"), 6)


def decode(payload: bytes) -> dict:
    """Decode the compressed JSON bytes :func:`encode` wrote."""
    return json.loads(zlib.decompress(payload).decode("utf-8"))


def stored(db: Database, name: str, version: int) -> bytes | None:
    """Return the stored payload of ``name`` if it was computed at data version ``version``, else None (stale/none)."""
    row = db.execute("SELECT data_version, payload FROM analysis_results WHERE name = ?", [name]).fetchone()
    return row[1] if row and row[0] == version else None


def newest(db: Database, name: str) -> tuple[int, bytes] | None:
    """Return (data version, payload) of the stored ``name`` whatever its version, or None when none is stored.

    A page shows it while a newer result is being computed in the background.
    """
    row = db.execute("SELECT data_version, payload FROM analysis_results WHERE name = ?", [name]).fetchone()
    return (row[0], row[1]) if row else None


def stored_version(db: Database, name: str) -> int | None:
    """Return the data version the stored ``name`` was computed at, or None when none is stored (cheap)."""
    row = db.execute("SELECT data_version FROM analysis_results WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def keep(db: Database, name: str, version: int, seconds: float, payload: bytes) -> None:
    """Store a result for ``version``; a read-only store still gets the answer, it just is not kept."""
    try:
        with db.conn:
            db.execute(
                """INSERT INTO analysis_results (name, data_version, seconds, payload) VALUES (?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET data_version = excluded.data_version,
                   seconds = excluded.seconds, payload = excluded.payload,
                   computed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
                [name, version, round(seconds, 3), payload],
            )
    except Exception as error:
        if "readonly" not in str(error).replace("-", "").lower():
            raise


def claim_run(db: Database, name: str, version: int, stale: int) -> bool:
    """Mark the background work ``name`` as running for ``version``; return False when another run holds it.

    One statement, so two workers can never both claim: the row is inserted, or taken over only when its claim is
    older than ``stale`` seconds (left by a process that died).
    """
    before = db.conn.total_changes
    with db.conn:
        db.execute(
            """INSERT INTO analysis_results (name, data_version, seconds, payload) VALUES (?, ?, 0, x'')
               ON CONFLICT (name) DO UPDATE SET data_version = excluded.data_version,
               computed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
               WHERE analysis_results.computed_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)""",
            [name, version, f"-{int(stale)} seconds"],
        )
    return db.conn.total_changes > before


def release_run(db: Database, name: str) -> None:
    """Remove the running mark ``name`` (the work finished or failed)."""
    with db.conn:
        db.execute("DELETE FROM analysis_results WHERE name = ?", [name])


def run_is_live(db: Database, name: str, stale: int) -> bool:
    """Return whether the work ``name`` is running now (a claim younger than ``stale`` seconds)."""
    row = db.execute(
        """SELECT 1 FROM analysis_results
           WHERE name = ? AND computed_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)""",
        [name, f"-{int(stale)} seconds"],
    ).fetchone()
    return row is not None


def stored_or_computed(
    db: Database,
    name: str,
    version: int,
    compute: Callable[[], T],
    *,
    dump: Callable[[T], bytes],
    load: Callable[[bytes], T],
    store: bool = True,
    keep_if: Callable[[T], bool] | None = None,
) -> T:
    """Return the result ``name`` stored for data version ``version``, else compute it and keep it for the next caller.

    The one way an expensive analysis is read back or computed once per change of its data.

    Parameters
    ----------
    db : Database
        The store.
    name, version
        The result's name in ``analysis_results`` and the data version it must have been computed at.
    compute : callable
        Computes the result when none is stored for ``version``.
    dump, load : callable
        Turn the result into the stored bytes and back.
    store : bool
        Whether to keep a computed result (a read-only store computes and keeps nothing, silently).
    keep_if : callable, optional
        Keep a computed result only when this says so (e.g. not an empty table).

    On a connection scoped to a reader (:func:`lessons.visibility.scope`) the result is kept under its own name
    (``name@audience``): it was computed from what that reader sees.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db, calls = open_memory_store(), []
    >>> get = lambda: stored_or_computed(db, "n", 1, lambda: calls.append(1) or {"n": len(calls)},
    ...                                  dump=encode, load=decode)
    >>> get(), get(), len(calls)
    ({'n': 1}, {'n': 1}, 1)
    """
    audience = visibility.current(db)
    if not audience.everything:  # computed from what this reader sees: kept apart from the whole store's result
        name = f"{name}@{audience.token}"
    payload = stored(db, name, version)
    if payload is not None:
        return load(payload)
    started = time.perf_counter()
    result = compute()
    if store and (keep_if is None or keep_if(result)):
        keep(db, name, version, time.perf_counter() - started, dump(result))
    return result


def frame_payload(frame: pd.DataFrame) -> bytes:
    """Encode a frame as stored bytes (see :func:`stored_or_computed`)."""
    return encode(frame_to_json(frame))


def payload_frame(payload: bytes) -> pd.DataFrame:
    """Decode a frame from its stored bytes."""
    return frame_from_json(decode(payload))
