"""What a stakeholder or tie carries beyond our columns: its attributes, kept as one JSON object per row.

A network file's nodes and edges say more than our columns hold: Gephi's *Modularity Class* and drawing
(``viz:x``, ``viz:y``, ``viz:size``, ``viz:color``), karate's ``club``, a ``bipartite`` flag, an edge's ``label``. The
network readers put them in each row under :data:`ATTRIBUTES` (never a column, so never mapped); a spreadsheet's
Stakeholders or Ties sheet gives the cells of its columns that no field is mapped to. They are stored in the
``attributes`` column of ``stakeholders`` and ``ties`` as canonical JSON (keys sorted), so an upload that brings the
same attributes again changes nothing, and a row's attributes are logged and undone with the row.

>>> encode({"club": "Mr. Hi", "Modularity Class": 1})
'{"Modularity Class": 1, "club": "Mr. Hi"}'
>>> decode(encode({"viz:x": -1.5})), decode(None)
({'viz:x': -1.5}, {})
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime

__all__ = ["ATTRIBUTES", "DERIVED", "decode", "encode", "row_attributes"]

#: The key under which a network reader's row carries its attributes (a dict); not a column of the sheet.
ATTRIBUTES = "_attributes"
#: Columns this app's own exports write that come from other columns (not kept again on import).
DERIVED = ("sector_name",)


def _plain(value):
    """Return a JSON-ready value: dates as ISO text, NaN as None, other objects as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def encode(attributes: dict | None) -> str | None:
    """Return ``attributes`` as canonical JSON text (keys sorted), or None when there are none."""
    if not attributes:
        return None
    return json.dumps({str(k): _plain(v) for k, v in attributes.items()}, ensure_ascii=False, sort_keys=True)


def decode(text: str | None) -> dict:
    """Return the attributes stored as ``text`` (an empty dict for NULL or anything that is not a JSON object)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def row_attributes(table: str, columns: list[str], raw: dict, mapping: dict[str, str]) -> dict:
    """Return ``{"attributes": JSON}`` for a stakeholder or tie row that carries attributes, else ``{}``.

    Parameters
    ----------
    table : str
        The row's table; only ``stakeholders`` and ``ties`` keep attributes.
    columns : list of str
        The sheet's columns.
    raw : dict
        The row as read: a network reader's attributes under :data:`ATTRIBUTES`, cells by column.
    mapping : dict
        Field → column, as the checks used it: the columns no field is mapped to are kept by their names.

    Examples
    --------
    >>> row_attributes("stakeholders", ["key", "name", "club"], {"key": "1", "name": "A", "club": "Mr. Hi"},
    ...                {"key": "key", "name": "name"})
    {'attributes': '{"club": "Mr. Hi"}'}
    >>> row_attributes("lessons", ["key", "x"], {"key": "L1", "x": "y"}, {"key": "key"})
    {}
    """
    if table not in ("stakeholders", "ties"):
        return {}
    kept = dict(raw.get(ATTRIBUTES) or {})
    used = set(mapping.values())
    for column in columns:
        value = raw.get(column)
        if column in used or column in DERIVED or column in kept or value is None:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        kept[column] = value.strip() if isinstance(value, str) else value
    text = encode(kept)
    return {"attributes": text} if text else {}
