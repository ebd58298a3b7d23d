"""The preview: what an upload will change, compared row by row with what the store holds; nothing is written.

Rows are matched by stable keys: lessons and stakeholders by (pilot, key), ties by (pilot, source key, target key,
relation, period). A sheet in the upload can replace that sheet's rows for its pilot: rows the file no longer
has are removed only when asked (``remove_missing``), and never when rows were set aside as invalid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils import Database

from lessons.ingest import model_sheets
from lessons.ingest.images import dicts
from lessons.ingest.plan import COMPARED, DEFAULTS, Change, Plan
from lessons.lifecycle import UPLOAD_STATUSES

if TYPE_CHECKING:
    from lessons.ingest.validate import Prepared


def _current(db: Database, pilot_id: int) -> dict[str, dict[tuple, dict]]:
    lessons = {}
    for row in dicts(db.execute("SELECT * FROM lessons WHERE pilot_id = ?", [pilot_id])):
        row["themes"] = sorted(
            r[0]
            for r in db.execute(
                "SELECT t.code FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE lt.lesson_id = ?",
                [row["id"]],
            )
        )
        row["groups"] = sorted(
            r[0] for r in db.execute("SELECT sector FROM lesson_groups WHERE lesson_id = ?", [row["id"]])
        )
        lessons[(row["key"],)] = row
    stakeholders = {}
    for row in dicts(
        db.execute(
            "SELECT s.*, o.name AS organisation FROM stakeholders s LEFT JOIN organisations o ON o.id = s.organisation_id WHERE s.pilot_id = ?",
            [pilot_id],
        )
    ):
        row["hard_to_reach"] = bool(row["hard_to_reach"])
        stakeholders[(row["key"],)] = row
    ties = {}
    for row in dicts(db.execute(
        """SELECT t.*, a.key AS source, b.key AS target FROM ties t
           JOIN stakeholders a ON a.id = t.source_id JOIN stakeholders b ON b.id = t.target_id WHERE t.pilot_id = ?""",
        [pilot_id],
    )):  # fmt: skip
        row["directed"] = bool(row["directed"])
        ties[(row["source"], row["target"], row["relation"], row["period"])] = row
    return {"lessons": lessons, "stakeholders": stakeholders, "ties": ties}


def _incoming(table: str, row: dict, existing: dict | None) -> dict:
    values = {k: v for k, v in row.items() if not k.startswith("_") and k != "pilot"}
    if table == "lessons":
        values["groups"] = sorted(values.pop("stakeholder_groups", []) or [])
        values["themes"] = sorted(values.get("themes") or [])
    if table == "ties":
        values.setdefault("relation", DEFAULTS["ties"]["relation"])
        values.setdefault("period", DEFAULTS["ties"]["period"])
        if values.get("directed") is None:
            values["directed"] = values["relation"] != "collaboration"
    base = dict(DEFAULTS.get(table, {})) if existing is None else {k: existing.get(k) for k in COMPARED[table]}
    given = set(row.get("_given") or values)
    for name in COMPARED[table]:
        if name in values and values[name] is not None:
            base[name] = values[name]
        elif table == "lessons" and name == "status" and existing is not None and name in given:
            if existing.get("status") in UPLOAD_STATUSES:  # an empty cell keeps what the lifecycle gave
                base[name] = DEFAULTS["lessons"]["status"]
        elif name in given and existing is not None and name not in ("themes", "groups"):
            base[name] = DEFAULTS.get(table, {}).get(name)  # the column is in the file, the cell empty: the default
    for name in ("key", "source", "target", "relation", "period"):
        if name in values:
            base[name] = values[name]
    return base


def plan_upload(db: Database, prepared: Prepared, *, remove_missing: bool = False) -> Plan:
    """Compare the checked rows with what the store holds and list every change (nothing is written)."""
    plan = Plan(new_pilots=set(prepared.new_pilots), new_themes=dict(prepared.new_themes))
    plan.models, plan.remove_missing = prepared.models, remove_missing
    existing_themes = {r[0] for r in db.execute("SELECT code FROM themes")}
    plan.new_themes = {k: v for k, v in plan.new_themes.items() if k not in existing_themes}
    pilots = {slug: pid for pid, slug in db.execute("SELECT id, slug FROM pilots")}
    for slug, facts in prepared.pilots.items():
        if slug in pilots:
            before = dicts(db.execute("SELECT * FROM pilots WHERE id = ?", [pilots[slug]]))[0]
            changed = [k for k, v in facts.items() if k in COMPARED["pilots"] and v is not None and v != before[k]]
            if changed:
                plan.changes.append(
                    Change(
                        "pilots", slug, (slug,), "update", before, {**before, **{k: facts[k] for k in changed}}, changed
                    )
                )
        else:
            plan.changes.append(Change("pilots", slug, (slug,), "insert", None, {"slug": slug, **facts}))
    touched = sorted({r["pilot"] for rows in prepared.rows.values() for r in rows} | set(prepared.sheets_present))
    rejected_any = bool(prepared.rejected)
    if remove_missing and rejected_any:
        plan.notes.append("Some rows were set aside as invalid, so no existing row is removed by this upload.")
    for slug in touched:
        current = _current(db, pilots[slug]) if slug in pilots else {"lessons": {}, "stakeholders": {}, "ties": {}}
        for table in ("stakeholders", "lessons", "ties"):
            incoming_keys = set()
            for row in (r for r in prepared.rows[table] if r["pilot"] == slug):
                key = (
                    (row["key"],)
                    if table != "ties"
                    else (
                        row["source"],
                        row["target"],
                        row.get("relation") or "collaboration",
                        row.get("period") or "end",
                    )
                )
                incoming_keys.add(key)
                before = current[table].get(key)
                after = _incoming(table, row, before)
                if before is None:
                    plan.changes.append(Change(table, slug, key, "insert", None, after))
                else:
                    changed = [k for k in COMPARED[table] if after.get(k) != before.get(k)]
                    if changed:
                        plan.changes.append(Change(table, slug, key, "update", before, {**before, **after}, changed))
            if remove_missing and table in prepared.sheets_present.get(slug, set()) and not rejected_any:
                for key, before in current[table].items():
                    if key not in incoming_keys:
                        plan.changes.append(Change(table, slug, key, "delete", before, None))
        removed_actors = {
            c.key[0] for c in plan.changes if c.pilot == slug and c.table == "stakeholders" and c.op == "delete"
        }
        planned_ties = {c.key for c in plan.changes if c.pilot == slug and c.table == "ties"}
        for key, tie in current["ties"].items():  # ties of removed stakeholders go with them
            if (key[0] in removed_actors or key[1] in removed_actors) and key not in planned_ties:
                plan.changes.append(Change("ties", slug, key, "delete", tie, None))
    plan.changes += model_sheets.plan_models(db, prepared.models, remove_missing=remove_missing)
    return plan
