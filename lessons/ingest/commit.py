"""The commit: an upload's plan applied in one transaction.

Every row's before and after image is logged in ``upload_changes`` (so that :mod:`lessons.ingest.undo` can restore it
exactly); the lifecycle and permissions are checked again whoever made the plan.
"""

from __future__ import annotations

import os
import time
from itertools import groupby

from sqlite_utils import Database

from lessons.audit import record
from lessons.ingest import bulk, model_sheets
from lessons.ingest.bulk import paused_triggers
from lessons.ingest.images import log_change, log_changes, row_image, write_row
from lessons.ingest.plan import COMPARED, DEFAULTS, PILOT_TABLES, Change, Plan
from lessons.lifecycle import LifecycleError, upload_status_problem, write_histories, write_history
from lessons.permissions import Actor, authorize_upload


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
    """Run the transaction of :func:`commit`."""
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
            log_change(
                db, upload_id, None, "themes", theme_ids[code], "insert", None, row_image(db, "themes", theme_ids[code])
            )
        for change in pilot_changes:  # every write path keeps the lifecycle, whoever made the plan
            if change.table == "lessons" and change.op != "delete":
                given = change.after.get("status")
                given = DEFAULTS["lessons"]["status"] if given is None else given
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
        done = 0
        for new_lessons_of, run in groupby(deletes + writes, key=_new_lessons_of):
            run = list(run)
            triggers = paused_triggers(db) if new_lessons_of and len(run) >= bulk.BULK_ROWS else None
            if triggers is not None:
                _insert_lessons(db, actor, run, triggers, pilots, upload_id, now, theme_ids, filename)
                done += len(run)
                if progress:
                    progress(done / total, f"{done:,} of {total:,} rows written")
                continue
            for change in run:
                done += 1
                _write_change(db, actor, change, pilots, upload_id, now, theme_ids, actors, filename)
                if progress and done % 500 == 0:
                    progress(done / total, f"{done:,} of {total:,} rows written")
        if plan.models is not None:  # after the lessons, which links may name
            models = model_sheets.apply_models(
                db, actor, plan.models, remove_missing=plan.remove_missing,
                log=lambda *row: log_change(db, upload_id, *row),
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


def _write_change(db, actor, change: Change, pilots, upload_id, now, theme_ids, actors, filename) -> None:
    """Write one change of :func:`commit` and log its images."""
    pilot_id = pilots.get(change.pilot)
    if change.table == "pilots":
        values = {k: v for k, v in change.after.items() if k in COMPARED["pilots"] or k == "slug"}
        if change.op == "insert":
            pilot_id = pilots[change.pilot] = write_row(db, "pilots", {**values, "created_at": now})
            log_change(db, upload_id, pilot_id, "pilots", pilot_id, "insert", None, row_image(db, "pilots", pilot_id))
        else:
            before = row_image(db, "pilots", pilot_id)
            write_row(db, "pilots", {**values, "updated_at": now}, row_id=pilot_id)
            log_change(db, upload_id, pilot_id, "pilots", pilot_id, "update", before, row_image(db, "pilots", pilot_id))
        return
    if change.op == "delete":
        before = row_image(db, change.table, change.before["id"])
        if before is not None:
            db.execute(f"DELETE FROM {change.table} WHERE id = ?", [change.before["id"]])
            log_change(db, upload_id, pilot_id, change.table, before["id"], "delete", before, None)
        return
    row = _row_for(db, change, pilot_id, upload_id, now, theme_ids, actors)
    if change.op == "insert":
        row_id = write_row(db, change.table, row)
        log_change(db, upload_id, pilot_id, change.table, row_id, "insert", None, row_image(db, change.table, row_id))
        if change.table == "lessons":
            write_history(db, actor, row_id, None, row["status"], source="upload", reason=filename)
    else:
        before = row_image(db, change.table, change.before["id"])
        write_row(db, change.table, row, row_id=change.before["id"])
        if change.table == "lessons" and before and before["status"] != row["status"]:
            write_history(db, actor, before["id"], before["status"], row["status"], source="upload",
                          reason=filename)  # fmt: skip
        log_change(
            db,
            upload_id,
            pilot_id,
            change.table,
            change.before["id"],
            "update",
            before,
            row_image(db, change.table, change.before["id"]),
        )


def _new_lessons_of(change: Change) -> str | None:
    """Return the pilot of a new lesson (runs of them may be written in bulk), None for any other change."""
    return change.pilot if (change.table, change.op) == ("lessons", "insert") else None


def _insert_lessons(db, actor, run: list[Change], triggers, pilots, upload_id, now, theme_ids, filename) -> None:
    """Write a long run of new lessons of one pilot at once (:mod:`lessons.ingest.bulk`), logged as one by one."""
    pilot_id = pilots.get(run[0].pilot)
    rows = (_row_for(db, change, pilot_id, upload_id, now, theme_ids, {}) for change in run)
    bulk.insert_lessons(
        db, rows, len(run), triggers,
        history=lambda ids, statuses: write_histories(db, actor, ids, statuses, source="upload", reason=filename),
        log=lambda images: log_changes(db, upload_id, pilot_id, "lessons", "insert", images),
    )  # fmt: skip


#: Test-only hook (``tests/test_commit_kill.py``): ``STAGE:MARKER`` makes :func:`commit` write the file MARKER and
#: wait there (at most a minute) so that a test can SIGKILL the process at that moment. STAGE ``commit``: inside the
#: transaction, as SQLite starts the ``COMMIT`` statement (a trace callback); ``committed``: right after ``COMMIT``
#: returned, before anything is reported. A STAGE ending in ``!`` writes the marker and goes on without waiting (the
#: kill then races the commit). Unset, it costs one environment look-up per upload.
TEST_PAUSE_ENV = "LESSONS_TEST_PAUSE_AT_COMMIT"


def _test_pause():
    """Return the pause of :data:`TEST_PAUSE_ENV` as a function of the stage reached, or None when it is not set."""
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


#: The columns of a lesson the plan compares that are the lesson's own (its themes and groups are links).
_LESSON_COLUMNS = tuple(k for k in COMPARED["lessons"] if k not in ("themes", "groups"))


def _row_for(db, change: Change, pilot_id: int, upload_id: int, now: str, theme_ids: dict, actors: dict) -> dict:
    after = {**DEFAULTS.get(change.table, {}), **{k: v for k, v in change.after.items() if v is not None}}
    if change.table == "lessons":
        row = dict(zip(_LESSON_COLUMNS, map(after.get, _LESSON_COLUMNS)))
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
            "attributes": after.get("attributes"),
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
        "upload_id": upload_id, "attributes": after.get("attributes"),
    }  # fmt: skip
