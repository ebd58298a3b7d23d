"""Hostile text for the display tests (issue #13): the payload list, and a demo store with it in every kind of user
text the pages show.

The payloads go in through the domain functions where there is one (workshops, statements, participant
suggestions and their moderation, free tags) and by SQL on the test copy elsewhere (pilot, lesson, stakeholder, tie,
organisation and upload text, as an upload or an edit would leave it). A text cleaner may strip NUL, BEL and U+202E
on entry: the tests built on this store pass either way.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lessons import editing, workshops
from lessons.accounts import actor_for
from lessons.store import open_store

LONG = "5,000 characters " + "x" * (5_000 - len("5,000 characters "))
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![x](http://127.0.0.1:9/x.png)",
    "http://127.0.0.1:9/auto",
    ":material/home:",
    ":red[x]",
    "$\\href{javascript:alert(1)}{x}$",
    '=HYPERLINK("x")',
    "+cmd",
    "@SUM(1)",
    "nul\x00",
    "bel\x07",
    "\u202eevil",
    LONG,
    "emoji 😀🎉",
    "CJK 中文漢字",
)
#: Every payload but the long one, in one line: what most fields get.
ALL = " ".join(p for p in PAYLOADS if p is not LONG)

#: What must never be found in Markdown that Streamlit renders: each payload's start without the backslash or the word
#: joiner that the escape puts in (a backslash alone does not stop ``http\\://…`` autolinking or ``\\:material/…``).
RAW_MARKERS = re.compile(r"(?<!\\)<(?:script|img)|\]\(javascript|!\[x\]|https?\\?://|:(?:material/|red\[)|\$\\href")


def _admin(db):
    user_id = db.execute("SELECT id FROM users WHERE role = 'admin' ORDER BY id").fetchone()[0]
    return actor_for(db, user_id)


def payload_store(template: str | Path, path: str | Path) -> dict:
    """Copy the demo store ``template`` to ``path`` and put the payloads in; return where they are.

    The pilot is the demo coordinator's, so every role sees it (the coordinator may edit it). The result names the
    pilot's slug and id, a lesson's id, the join code of an open workshop whose pending and approved participant
    statements are payloads, the token of the participant who suggested them, a stakeholder's key and another
    pilot's slug.
    """
    shutil.copy(template, path)
    db = open_store(path)
    admin = _admin(db)
    pilot_id = db.execute(
        "SELECT pilot_id FROM user_pilots JOIN users ON users.id = user_id WHERE username = 'coordinator'"
    ).fetchone()[0]
    slug = db.execute("SELECT slug FROM pilots WHERE id = ?", [pilot_id]).fetchone()[0]
    with db.atomic():
        db.execute(
            "UPDATE pilots SET name = ?, summary = ?, service_area = ?, target_groups = ?, lead_organisation = ? "
            "WHERE id = ?",
            [ALL, f"{ALL} {LONG}", ALL, ALL, ALL, pilot_id],
        )
        db.execute(
            "UPDATE lessons SET title = ? || ' #' || key, lesson = ?, context = ?, recommendation = ?, "
            "evidence_source = ? WHERE pilot_id = ?",
            [ALL, ALL, ALL, ALL, ALL, pilot_id],
        )
        lesson_id = db.execute("SELECT min(id) FROM lessons WHERE pilot_id = ?", [pilot_id]).fetchone()[0]
        db.execute("UPDATE lessons SET lesson = ? WHERE id = ?", [f"{ALL} {LONG}", lesson_id])
        db.execute("UPDATE stakeholders SET name = ? || ' #' || key, role = ? WHERE pilot_id = ?", [ALL, ALL, pilot_id])
        db.execute(
            "UPDATE organisations SET name = ? || ' #' || id WHERE id IN "
            "(SELECT organisation_id FROM stakeholders WHERE pilot_id = ?)",
            [ALL, pilot_id],
        )
        relation = db.execute("SELECT relation FROM ties WHERE pilot_id = ? LIMIT 1", [pilot_id]).fetchone()
        if relation:
            db.execute("UPDATE ties SET relation = ? WHERE pilot_id = ? AND relation = ?", [ALL, pilot_id, relation[0]])
        db.execute(
            "UPDATE uploads SET filename = ? WHERE id IN (SELECT upload_id FROM lessons WHERE id = ?)", [ALL, lesson_id]
        )
        db.execute("UPDATE users SET display_name = ? WHERE username = 'coordinator'", [ALL])
        theme = db.execute("SELECT theme_id FROM lesson_themes WHERE lesson_id = ? LIMIT 1", [lesson_id]).fetchone()
        if theme:
            db.execute("UPDATE themes SET name = ? WHERE id = ?", [f"theme {ALL}", theme[0]])
        db.execute("DELETE FROM analysis_results WHERE name LIKE 'network:%'")  # names changed: analyse again
    editing.save_theme(db, admin, "payload-tag", f"tag {ALL}", f"tag {ALL}")  # a free tag
    editing.save_theme(db, admin, "payload-gap", f"gap {ALL}", f"gap {ALL}")  # a free tag no lesson has
    tag = db.execute("SELECT id FROM themes WHERE code = 'payload-tag'").fetchone()[0]
    db["lesson_themes"].insert({"lesson_id": lesson_id, "theme_id": tag}, ignore=True)

    code = workshops.create_workshop(db, admin, f"Workshop {ALL}"[:200], purpose=ALL, allow_submissions=True)
    short = [p for p in PAYLOADS if p is not LONG]
    workshops.add_statements(db, admin, code, lessons=[lesson_id], texts=[f"Statement {p}" for p in short[:8]])
    workshops.open_workshop(db, admin, code)
    group = db.execute("SELECT code FROM sectors ORDER BY code LIMIT 1").fetchone()[0]
    token = workshops.join(db, code, stakeholder_group=group, pilot=slug)
    suggested = []
    # a participant may suggest one statement per 30 s and have 5 waiting (#13): four each, half a minute apart
    start = datetime.now(UTC)
    author = token
    for i, p in enumerate(short):
        if i and i % 4 == 0:
            author = workshops.join(db, code, stakeholder_group=group)
        try:
            moment = start + timedelta(seconds=31 * i)
            suggested.append(workshops.submit_statement(db, author, f"Suggestion {p}", now=moment))
        except workshops.WorkshopError:  # e.g. one a stricter text cleaner refuses: the others still go in
            pass
    for key in suggested[::2]:  # half approved, half still pending
        workshops.moderate(db, admin, code, key, approve=True)
    actor = db.execute("SELECT key FROM stakeholders WHERE pilot_id = ? ORDER BY id LIMIT 1", [pilot_id]).fetchone()[0]
    other = db.execute("SELECT slug FROM pilots WHERE id <> ? ORDER BY id LIMIT 1", [pilot_id]).fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "pilot": slug,
        "pilot_id": pilot_id,
        "lesson": lesson_id,
        "workshop": code,
        "token": token,
        "actor": actor,
        "other_pilot": other,
    }
