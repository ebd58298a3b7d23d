"""What an upload will change: one :class:`Change` per row, gathered in a :class:`Plan`.

The plan serves the preview and the commit. Nothing here touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OPS = {"insert": "added", "update": "changed", "delete": "removed"}
#: The tables of a pilot's summary; the model sheets' changes are written by :mod:`lessons.ingest.model_sheets`.
PILOT_TABLES = ("pilots", "stakeholders", "lessons", "ties")
#: The columns the preview compares, table by table: a row whose values there differ is an update.
COMPARED = {
    "lessons": ("title", "lesson", "context", "recommendation", "kind", "phase", "evidence_source",
                "evidence_strength", "status", "language", "recorded_on", "themes", "groups"),
    "stakeholders": ("name", "organisation", "sector", "hard_to_reach", "role", "attributes"),
    "ties": ("directed", "weight", "attributes"),
    "pilots": ("name", "country", "region", "city", "service_area", "target_groups", "methodology", "project",
               "start_date", "end_date", "lead_organisation", "summary", "latitude", "longitude"),
}  # fmt: skip
#: What a row gets when the file leaves a column out (or a cell of a given column empty).
DEFAULTS = {
    "lessons": {"status": "submitted", "language": "en", "themes": [], "groups": []},
    "stakeholders": {"hard_to_reach": False, "sector": "not_classified"},
    "ties": {"relation": "collaboration", "weight": 1.0, "period": "end"},
}


@dataclass
class Change:
    """One row the upload will insert, update or delete."""

    table: str
    pilot: str
    key: tuple
    op: str
    before: dict | None = None
    after: dict | None = None
    fields: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Everything an upload will change, pilot by pilot; nothing is written until :func:`commit`."""

    changes: list[Change] = field(default_factory=list)
    new_pilots: set[str] = field(default_factory=set)
    new_themes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    models: Any = None  # lessons.ingest.model_sheets.ModelRows: the model sheets' rows, applied at commit
    remove_missing: bool = False

    def counts(self) -> dict[str, int]:
        """Count the changes by kind: added, changed and removed rows."""
        out = {"added": 0, "changed": 0, "removed": 0}
        for c in self.changes:
            out[OPS[c.op]] += 1
        return out

    def summary(self) -> list[dict]:
        """Rows per pilot and table: added, changed, removed."""
        table: dict[tuple, dict] = {}
        for c in self.changes:
            entry = table.setdefault(
                (c.pilot, c.table), {"pilot": c.pilot, "table": c.table, "added": 0, "changed": 0, "removed": 0}
            )
            entry[OPS[c.op]] += 1
        return list(table.values())
