"""The preview (what an upload will change), the commit (one transaction, row history) and undo.

Rows are matched by stable keys: lessons and stakeholders by (pilot, key), ties by (pilot, source key, target key,
relation, period). A sheet in the upload can replace that sheet's rows for its pilot: rows the file no longer
has are removed only when asked (``remove_missing``), and never when rows were set aside as invalid. Every change is stored with its
before and after image in ``upload_changes``, so an upload can be undone exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import TYPE_CHECKING

from sqlite_utils import Database

from lessons.audit import record
from lessons.ingest import model_sheets
from lessons.ingest.plan import Change, Plan
from lessons.lifecycle import UPLOAD_STATUSES, LifecycleError, upload_status_problem, write_history
from lessons.permissions import Actor, authorize_undo, authorize_upload

if TYPE_CHECKING:
    from lessons.ingest.validate import Prepared

#: The tables of a pilot's summary; the model sheets' changes are written by :mod:`lessons.ingest.model_sheets`.
PILOT_TABLES = ("pilots", "stakeholders", "lessons", "ties")
COMPARED = {
    "lessons": ("title", "lesson", "context", "recommendation", "kind", "phase", "evidence_source",
                "evidence_strength", "status", "language", "recorded_on", "themes", "groups"),
    "stakeholders": ("name", "organisation", "sector", "hard_to_reach", "role"),
    "ties": ("directed", "weight"),
    "pilots": ("name", "country", "region", "city", "service_area", "target_groups", "methodology", "project",
               "start_date", "end_date", "lead_organisation", "summary"),
}  # fmt: skip
DEFAULTS = {
    "lessons": {"status": "submitted", "language": "en", "themes": [], "groups": []},
    "stakeholders": {"hard_to_reach": False},
    "ties": {"relation": "collaboration", "weight": 1.0, "period": "end"},
}


class UndoError(ValueError):
    """The upload cannot be undone now; the message says why."""


def _dicts(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _current(db: Database, pilot_id: int) -> dict[str, dict[tuple, dict]]:
    lessons = {}
    for row in _dicts(db.execute("SELECT * FROM lessons WHERE pilot_id = ?", [pilot_id])):
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
    for row in _dicts(
        db.execute(
            "SELECT s.*, o.name AS organisation FROM stakeholders s LEFT JOIN organisations o ON o.id = s.organisation_id WHERE s.pilot_id = ?",
            [pilot_id],
        )
    ):
        row["hard_to_reach"] = bool(row["hard_to_reach"])
        stakeholders[(row["key"],)] = row
    ties = {}
    for row in _dicts(db.execute(
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
            before = _dicts(db.execute("SELECT * FROM pilots WHERE id = ?", [pilots[slug]]))[0]
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


# --- commit -----------------------------------------------------------------------------------------------------


def _row_key(table: str) -> str:
    """The column that identifies a row of ``table`` in ``upload_changes`` (lesson links have no id column)."""
    return "rowid" if table == "lesson_elements" else "id"


def _image(db: Database, table: str, row_id: int) -> dict | None:
    rows = _dicts(db.execute(f"SELECT * FROM {table} WHERE {_row_key(table)} = ?", [row_id]))
    if not rows:
        return None
    row = rows[0]
    if table == "lessons":
        row["_themes"] = sorted(
            r[0] for r in db.execute("SELECT theme_id FROM lesson_themes WHERE lesson_id = ?", [row_id])
        )
        row["_groups"] = sorted(
            r[0] for r in db.execute("SELECT sector FROM lesson_groups WHERE lesson_id = ?", [row_id])
        )
    return row


def _write_row(db: Database, table: str, image: dict, *, row_id: int | None = None) -> int:
    """Insert (row_id None) or overwrite a row from an image; lessons' themes and groups come along."""
    columns = {k: v for k, v in image.items() if not k.startswith("_")}
    if row_id is None:
        names = list(columns)
        row_id = db.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", list(columns.values())
        ).lastrowid
    else:
        columns.pop("id", None)
        db.execute(
            f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in columns)} WHERE {_row_key(table)} = ?",
            [*columns.values(), row_id],
        )
    if table == "lessons" and "_themes" in image:
        db.execute("DELETE FROM lesson_themes WHERE lesson_id = ?", [row_id])
        db.execute("DELETE FROM lesson_groups WHERE lesson_id = ?", [row_id])
        db.conn.executemany(
            "INSERT INTO lesson_themes (lesson_id, theme_id) VALUES (?, ?)", [(row_id, t) for t in image["_themes"]]
        )
        db.conn.executemany(
            "INSERT INTO lesson_groups (lesson_id, sector) VALUES (?, ?)", [(row_id, g) for g in image["_groups"]]
        )
    return row_id


def _log(db: Database, upload_id: int, pilot_id, table: str, row_id: int, op: str, before, after) -> None:
    db.execute(
        "INSERT INTO upload_changes (upload_id, pilot_id, table_name, row_id, op, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            upload_id,
            pilot_id,
            table,
            row_id,
            op,
            json.dumps(before, default=str) if before else None,
            json.dumps(after, default=str) if after else None,
        ],
    )


def commit(
    db: Database,
    actor: Actor,
    plan: Plan,
    *,
    filename: str,
    checksum: str | None = None,
    file_format: str | None = None,
    progress=None,
) -> int:
    """Apply ``plan`` in one transaction, record the upload and every row's before/after image; return the upload id."""
    authorize_upload(actor)  # the upload itself, before and whatever it changes
    now = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')").fetchone()[0]
    pause = _test_pause()
    if pause:
        db.conn.set_trace_callback(lambda sql: pause("commit") if sql.strip().upper() == "COMMIT" else None)
    try:
        upload_id = _apply(db, actor, plan, now, filename, checksum, file_format, progress)
    finally:
        if pause:
            db.conn.set_trace_callback(None)
    if pause:
        pause("committed")
    if progress:
        progress(1.0, f"{len(plan.changes):,} rows written")
    return upload_id


def _apply(db, actor, plan, now, filename, checksum, file_format, progress) -> int:
    """The transaction of :func:`commit`."""
    with db.atomic():
        pilots = {slug: pid for pid, slug in db.execute("SELECT id, slug FROM pilots")}
        pilot_changes = [c for c in plan.changes if c.table in PILOT_TABLES]
        slugs = {c.pilot for c in pilot_changes} | plan.new_pilots
        authorize_upload(
            actor, [pilots[s] for s in slugs if s in pilots], creates_pilots=any(s not in pilots for s in slugs)
        )
        counts = plan.counts()
        upload_id = db.execute(
            """INSERT INTO uploads (pilot_id, user_id, username, filename, format, checksum, rows_added, rows_changed, rows_removed)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                None,
                actor.user_id,
                actor.username,
                filename,
                file_format,
                checksum,
                counts["added"],
                counts["changed"],
                counts["removed"],
            ],
        ).lastrowid
        theme_ids = {code: tid for tid, code in db.execute("SELECT id, code FROM themes")}
        for code, name in plan.new_themes.items():
            theme_ids[code] = db.execute(
                "INSERT INTO themes (code, name, controlled) VALUES (?, ?, 0)", [code, name]
            ).lastrowid
            _log(db, upload_id, None, "themes", theme_ids[code], "insert", None, _image(db, "themes", theme_ids[code]))
        for change in pilot_changes:  # every write path keeps the lifecycle, whoever made the plan
            if change.table == "lessons" and change.op != "delete":
                given = {**DEFAULTS["lessons"], **{k: v for k, v in change.after.items() if v is not None}}["status"]
                current = None
                if change.before and change.before.get("id") is not None:  # as it is now, not as it was planned
                    found = db.execute("SELECT status FROM lessons WHERE id = ?", [change.before["id"]]).fetchone()
                    current = found[0] if found else None
                refused = upload_status_problem(current, given)
                if refused:
                    raise LifecycleError(f"Lesson {change.pilot}:{change.after.get('key')}: {refused}")
        order = {"pilots": 0, "stakeholders": 1, "lessons": 2, "ties": 3}
        deletes = sorted((c for c in pilot_changes if c.op == "delete"), key=lambda c: -order[c.table])
        writes = sorted((c for c in pilot_changes if c.op != "delete"), key=lambda c: order[c.table])
        actors: dict[tuple[str, str], int] = {}
        total = max(1, len(plan.changes))
        for done, change in enumerate(deletes + writes, start=1):
            pilot_id = pilots.get(change.pilot)
            if change.table == "pilots":
                values = {k: v for k, v in change.after.items() if k in COMPARED["pilots"] or k == "slug"}
                if change.op == "insert":
                    pilot_id = pilots[change.pilot] = _write_row(db, "pilots", {**values, "created_at": now})
                    _log(db, upload_id, pilot_id, "pilots", pilot_id, "insert", None, _image(db, "pilots", pilot_id))
                else:
                    before = _image(db, "pilots", pilot_id)
                    _write_row(db, "pilots", {**values, "updated_at": now}, row_id=pilot_id)
                    _log(db, upload_id, pilot_id, "pilots", pilot_id, "update", before, _image(db, "pilots", pilot_id))
                continue
            if change.op == "delete":
                before = _image(db, change.table, change.before["id"])
                if before is not None:
                    db.execute(f"DELETE FROM {change.table} WHERE id = ?", [change.before["id"]])
                    _log(db, upload_id, pilot_id, change.table, before["id"], "delete", before, None)
                continue
            row = _row_for(db, change, pilot_id, upload_id, now, theme_ids, actors)
            if change.op == "insert":
                row_id = _write_row(db, change.table, row)
                _log(db, upload_id, pilot_id, change.table, row_id, "insert", None, _image(db, change.table, row_id))
                if change.table == "lessons":
                    write_history(db, actor, row_id, None, row["status"], source="upload", reason=filename)
            else:
                before = _image(db, change.table, change.before["id"])
                _write_row(db, change.table, row, row_id=change.before["id"])
                if change.table == "lessons" and before and before["status"] != row["status"]:
                    write_history(db, actor, before["id"], before["status"], row["status"], source="upload",
                                  reason=filename)  # fmt: skip
                _log(
                    db,
                    upload_id,
                    pilot_id,
                    change.table,
                    change.before["id"],
                    "update",
                    before,
                    _image(db, change.table, change.before["id"]),
                )
            if progress and done % 500 == 0:
                progress(done / total, f"{done:,} of {total:,} rows written")
        if plan.models is not None:  # after the lessons, which links may name
            models = model_sheets.apply_models(
                db, actor, plan.models, remove_missing=plan.remove_missing,
                log=lambda *row: _log(db, upload_id, *row),
            )  # fmt: skip
            if models:
                db.execute("UPDATE uploads SET models_fingerprint = ? WHERE id = ?", [models, upload_id])
        touched = sorted({c.pilot for c in pilot_changes})
        if len(touched) == 1:
            db.execute("UPDATE uploads SET pilot_id = ? WHERE id = ?", [pilots[touched[0]], upload_id])
        record(
            db, actor, "upload.commit", object_type="upload", object_id=upload_id, rows=len(plan.changes),
            detail={"file": filename, "pilots": touched, **counts, "new_pilots": sorted(plan.new_pilots)},
        )  # fmt: skip
    return upload_id


#: Test-only hook (``tests/test_commit_kill.py``): ``STAGE:MARKER`` makes :func:`commit` write the file MARKER and
#: wait there (at most a minute) so that a test can SIGKILL the process at that moment. STAGE ``commit``: inside the
#: transaction, as SQLite starts the ``COMMIT`` statement (a trace callback); ``committed``: right after ``COMMIT``
#: returned, before anything is reported. A STAGE ending in ``!`` writes the marker and goes on without waiting (the
#: kill then races the commit). Unset, it costs one environment look-up per upload.
TEST_PAUSE_ENV = "LESSONS_TEST_PAUSE_AT_COMMIT"


def _test_pause():
    """The pause of :data:`TEST_PAUSE_ENV` as a function of the stage reached, or None when it is not set."""
    spec = os.environ.get(TEST_PAUSE_ENV)
    if not spec or ":" not in spec:
        return None
    wanted, marker = spec.split(":", 1)

    def pause(stage: str) -> None:
        if wanted.rstrip("!") != stage:
            return
        with open(marker, "w", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {stage}\n")
        if not wanted.endswith("!"):
            time.sleep(60)

    return pause


def _organisation_id(db: Database, name: str | None, sector: str | None) -> int | None:
    if not name:
        return None
    row = db.execute("SELECT id FROM organisations WHERE name = ?", [name]).fetchone()
    return (
        row[0]
        if row
        else db.execute("INSERT INTO organisations (name, sector) VALUES (?, ?)", [name, sector]).lastrowid
    )


def _row_for(db, change: Change, pilot_id: int, upload_id: int, now: str, theme_ids: dict, actors: dict) -> dict:
    after = {**DEFAULTS.get(change.table, {}), **{k: v for k, v in change.after.items() if v is not None}}
    if change.table == "lessons":
        row = {k: after.get(k) for k in COMPARED["lessons"] if k not in ("themes", "groups")}
        row.update(pilot_id=pilot_id, key=after["key"], upload_id=upload_id)
        row["_themes"] = sorted(theme_ids[t] for t in after.get("themes") or [])
        row["_groups"] = sorted(after.get("groups") or [])
        row["updated_at" if change.op == "update" else "created_at"] = now
        return row
    if change.table == "stakeholders":
        return {
            "pilot_id": pilot_id, "key": after["key"], "name": after["name"], "sector": after["sector"],
            "organisation_id": _organisation_id(db, after.get("organisation"), after.get("sector")),
            "hard_to_reach": int(bool(after.get("hard_to_reach"))), "role": after.get("role"), "upload_id": upload_id,
        }  # fmt: skip
    ends = {}
    for end in ("source", "target"):
        cache_key = (change.pilot, after[end])
        if cache_key not in actors:
            actors[cache_key] = db.execute(
                "SELECT id FROM stakeholders WHERE pilot_id = ? AND key = ?", [pilot_id, after[end]]
            ).fetchone()[0]
        ends[end] = actors[cache_key]
    return {
        "pilot_id": pilot_id, "source_id": ends["source"], "target_id": ends["target"], "relation": after["relation"],
        "directed": int(bool(after.get("directed"))), "weight": after.get("weight") or 1.0, "period": after["period"],
        "upload_id": upload_id,
    }  # fmt: skip


# --- undo -------------------------------------------------------------------------------------------------------


def undo_upload(db: Database, actor: Actor, upload_id: int) -> int:
    """Restore every row an upload changed to its image before the upload; return the rows restored.

    Refused when a later upload changed the same pilots (undo that first), or when a row was edited since.
    """
    authorize_undo(actor)  # a role that never undoes learns nothing about the upload
    with db.atomic():
        upload = _dicts(db.execute("SELECT * FROM uploads WHERE id = ?", [int(upload_id)]))
        if not upload:
            raise UndoError(f"There is no upload {upload_id}.")
        upload = upload[0]
        if upload["status"] != "applied":
            raise UndoError(f"Upload {upload_id} was undone already.")
        if upload["format"] in ("demo", "synthetic"):
            raise UndoError(
                "The demo and synthetic data are not undone upload by upload; start a new database instead."
            )
        changes = _dicts(db.execute("SELECT * FROM upload_changes WHERE upload_id = ? ORDER BY id DESC", [upload_id]))
        pilot_ids = sorted({c["pilot_id"] for c in changes if c["pilot_id"] is not None})
        authorize_undo(
            actor,
            [
                *(c["pilot_id"] for c in changes if c["pilot_id"] is not None and c["table_name"] in PILOT_TABLES),
                *([upload["pilot_id"]] if upload["pilot_id"] is not None else []),
            ],
            models=model_sheets.touches_models(changes),
            link_pilots=model_sheets.link_pilots(changes),
        )
        later = db.execute(
            f"""SELECT DISTINCT u.id FROM uploads u JOIN upload_changes c ON c.upload_id = u.id
                WHERE u.id > ? AND u.status = 'applied' AND c.pilot_id IN ({", ".join("?" * len(pilot_ids))}) ORDER BY u.id""",
            [upload_id, *pilot_ids],
        ).fetchall()
        if later:
            raise UndoError(f"Upload {later[-1][0]} changed the same pilot later; undo it first.")
        conflicts = []
        for c in changes:
            current = _image(db, c["table_name"], c["row_id"])
            expected = json.loads(c["after"]) if c["after"] else None
            if (
                c["op"] != "delete"
                and current is not None
                and expected is not None
                and _comparable(current) != _comparable(expected)
            ):
                conflicts.append(f"{c['table_name']} row {c['row_id']}")
        refused = model_sheets.undo_refusal(db, upload, changes)
        if refused:
            raise UndoError(refused)
        if conflicts:
            raise UndoError(
                f"{len(conflicts)} row(s) were edited after this upload ({', '.join(conflicts[:5])}); undoing it would lose those edits."
            )
        for c in changes:
            table, row_id = c["table_name"], c["row_id"]
            if c["op"] == "insert":
                db.execute(f"DELETE FROM {table} WHERE {_row_key(table)} = ?", [row_id])
            elif c["op"] == "update":
                restored = json.loads(c["before"])
                _write_row(db, table, restored, row_id=row_id)
                after = json.loads(c["after"]) if c["after"] else {}
                if table == "lessons" and restored.get("status") != after.get("status"):
                    write_history(db, actor, row_id, after.get("status"), restored["status"], source="upload",
                                  reason=f"upload {upload_id} undone")  # fmt: skip
            else:
                _write_row(db, table, json.loads(c["before"]))
        db.execute(
            "UPDATE uploads SET status = 'undone', undone_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), undone_by = ? WHERE id = ?",
            [actor.username, upload_id],
        )
        record(
            db,
            actor,
            "upload.undo",
            object_type="upload",
            object_id=upload_id,
            rows=len(changes),
            detail={"file": upload["filename"]},
        )
    return len(changes)


def _comparable(image: dict) -> str:
    return json.dumps({k: v for k, v in image.items()}, sort_keys=True, default=str)


def list_uploads(db: Database, *, pilot_ids=None) -> list[dict]:
    """Uploads newest first, with the pilots each changed (limited to ``pilot_ids`` when given)."""
    rows = _dicts(db.execute(
        """SELECT u.id, u.uploaded_at, u.username, u.filename, u.format, u.rows_added, u.rows_changed, u.rows_removed,
                  u.status, u.undone_at, u.undone_by,
                  (SELECT group_concat(DISTINCT p.slug) FROM upload_changes c JOIN pilots p ON p.id = c.pilot_id
                   WHERE c.upload_id = u.id) AS pilots,
                  (SELECT group_concat(DISTINCT c.pilot_id) FROM upload_changes c WHERE c.upload_id = u.id) AS pilot_ids
           FROM uploads u ORDER BY u.id DESC"""
    ))  # fmt: skip
    if pilot_ids is not None:
        allowed = {int(p) for p in pilot_ids}
        rows = [r for r in rows if r["pilot_ids"] and {int(p) for p in r["pilot_ids"].split(",")} <= allowed]
    return rows


def pilot_content_hash(db: Database, pilot_id: int) -> str:
    """A fingerprint of everything stored about a pilot: its facts, lessons (with themes and groups), stakeholders
    and ties. Equal hashes mean equal content."""
    parts = [_dicts(db.execute("SELECT * FROM pilots WHERE id = ?", [pilot_id]))]
    for table in ("lessons", "stakeholders", "ties"):
        ids = [r[0] for r in db.execute(f"SELECT id FROM {table} WHERE pilot_id = ? ORDER BY id", [pilot_id])]
        parts.append([_image(db, table, i) for i in ids])
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
