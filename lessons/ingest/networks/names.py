"""Which attribute of a node or edge feeds which column, and its value as text, number or date."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from lessons.ingest.fields import STAKEHOLDERS, TIES
from lessons.ingest.normalise import parse_number
from lessons.ingest.normalise.folding import fold as _fold  # the one text fold

_DIRECTIONS = {"directed": True, "undirected": False, "mutual": False}
_YES = {"yes", "y", "true", "t", "1", "directed", "ja", "oui", "si", "sí", "kyllä"}
_NO = {"no", "n", "false", "f", "0", "undirected", "nein", "non", "ei"}


def _aliases(fields, name: str, *first: str) -> tuple[str, ...]:
    spec = next(f for f in fields if f.name == name)
    return tuple(dict.fromkeys(_fold(a) for a in (*first, spec.name, spec.label, *spec.aliases)))


_NODE_FIELDS = {
    "name": _aliases(STAKEHOLDERS, "name", "label", "name"),
    "sector": _aliases(STAKEHOLDERS, "sector"),
    "hard_to_reach": _aliases(STAKEHOLDERS, "hard_to_reach"),
    "role": _aliases(STAKEHOLDERS, "role"),
    "organisation": _aliases(STAKEHOLDERS, "organisation"),
    "pilot": ("pilot",),  # this app's own exports name the pilot of every node
}
#: An edge's label (GEXF ``label``, yEd's edge label) is a label, kept as an attribute, not a relation type.
_LABELS = ("label", "edge label")
_TIE_FIELDS = {
    "relation": tuple(a for a in _aliases(TIES, "relation") if a not in _LABELS),
    "weight": _aliases(TIES, "weight"),
    "period": _aliases(TIES, "period"),
}
_SOURCE_NAMES = _aliases(TIES, "source", "source")
_TARGET_NAMES = _aliases(TIES, "target", "target")


@dataclass
class _Entry:
    """One named value of a node or edge. ``value`` is text, or a list of timed values ``{"value", "start", …}``."""

    name: str
    value: object
    kind: str = "string"
    raw: bool = False  # kept as it is in ``attributes``, never mapped to a column


def _first_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0].get("value") if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _convert(value: str, kind: str):
    """Convert a text value to its declared GraphML/GEXF type; raise ValueError when it does not fit."""
    kind = (kind or "string").casefold()
    text = value.strip()
    if kind in ("int", "integer", "long", "short", "byte"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "boolean":
        if text.casefold() in ("true", "1"):
            return True
        if text.casefold() in ("false", "0"):
            return False
        raise ValueError(text)
    return value


def _number(text: str) -> float:
    """Read a weight: ``2``, ``2.5`` or ``2,5``; raise ValueError for anything else (including nan and infinity)."""
    try:
        value = parse_number(text)
    except OverflowError:
        raise ValueError(text) from None
    if value is None or not math.isfinite(value):
        raise ValueError(text)
    return value


def _iso_date(text: str | None) -> str | None:
    """Return the ISO date a GEXF start/timestamp holds, else None (Gephi also writes plain numbers there).

    >>> _iso_date("2023-04-01"), _iso_date("2023-04-01T10:00:00"), _iso_date("2.0")
    ('2023-04-01', '2023-04-01', None)
    """
    if not text or not re.match(r"^\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip()[:10]).isoformat()
    except ValueError:
        return None
