"""Undo: every row an upload changed restored to its image before the upload, unless it changed since.

A row changed since by a later upload or an edit stops the undo. Also the list of uploads and a fingerprint of a pilot's
stored content.
"""

from __future__ import annotations

import hashlib
import json

from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import _, ngettext, number
from lessons.ingest import model_sheets
from lessons.ingest.images import dicts, row_image, row_key, write_row
from lessons.ingest.plan import PILOT_TABLES
from lessons.ingest.problems import UndoError
from lessons.lifecycle import write_history
from lessons.permissions import Actor, authorize_undo


def undo_upload(db: Database, actor: Actor, upload_id: int) -> int:
    """Restore every row an upload changed to its image before the upload; return the rows restored.

    Refused when a later upload changed the same pilots (undo that first), or when a row was edited since.
    """
    authorize_undo(actor)  # a role that never undoes learns nothing about the upload
    with db.atomic():
        upload = dicts(db.execute("SELECT * FROM uploads WHERE id = ?", [int(upload_id)]))
        if not upload:
            raise UndoError(_("There is no upload {id}.").format(id=upload_id))
        upload = upload[0]
        if upload["status"] != "applied":
            raise UndoError(_("Upload {id} was undone already.").format(id=upload_id))
        if upload["format"] in ("demo", "synthetic"):
            raise UndoError(
                _("The demo and synthetic data are not undone upload by upload; start a new database instead.")
            )
        changes = dicts(db.execute("SELECT * FROM upload_changes WHERE upload_id = ? ORDER BY id DESC", [upload_id]))
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
            raise UndoError(_("Upload {id} changed the same pilot later; undo it first.").format(id=later[-1][0]))
        conflicts = []
        for c in changes:
            current = row_image(db, c["table_name"], c["row_id"])
            expected = json.loads(c["after"]) if c["after"] else None
            if (
                c["op"] != "delete"
                and current is not None
                and expected is not None
                and _comparable(current) != _comparable(expected)
            ):
                conflicts.append(_("{table} row {row}").format(table=c["table_name"], row=c["row_id"]))
        refused = model_sheets.undo_refusal(db, upload, changes)
        if refused:
            raise UndoError(refused)
        if conflicts:
            raise UndoError(
                ngettext(
                    "{n} row(s) were edited after this upload ({rows}); undoing it would lose those edits.",
                    "{n} row(s) were edited after this upload ({rows}); undoing it would lose those edits.",
                    len(conflicts),
                ).format(n=number(len(conflicts)), rows=", ".join(conflicts[:5]))
            )
        for c in changes:
            table, row_id = c["table_name"], c["row_id"]
            if c["op"] == "insert":
                db.execute(f"DELETE FROM {table} WHERE {row_key(table)} = ?", [row_id])
            elif c["op"] == "update":
                restored = json.loads(c["before"])
                write_row(db, table, restored, row_id=row_id)
                after = json.loads(c["after"]) if c["after"] else {}
                if table == "lessons" and restored.get("status") != after.get("status"):
                    write_history(db, actor, row_id, after.get("status"), restored["status"], source="upload",
                                  reason=f"upload {upload_id} undone")  # fmt: skip
            else:
                write_row(db, table, json.loads(c["before"]))
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
    """List uploads newest first, with the pilots each changed (limited to ``pilot_ids`` when given)."""
    rows = dicts(db.execute(
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
    """Return a fingerprint of everything stored about a pilot: its facts, lessons, stakeholders and ties.

    Lessons are taken with their themes and groups. Equal hashes mean equal content.
    """
    parts = [dicts(db.execute("SELECT * FROM pilots WHERE id = ?", [pilot_id]))]
    for table in ("lessons", "stakeholders", "ties"):
        ids = [r[0] for r in db.execute(f"SELECT id FROM {table} WHERE pilot_id = ? ORDER BY id", [pilot_id])]
        parts.append([row_image(db, table, i) for i in ids])
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
