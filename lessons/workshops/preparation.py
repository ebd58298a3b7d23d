"""Preparing a workshop's statements and moderating participants' suggestions.

Statements come from lessons, governance-model elements or free text; also the list of statements participants vote on.

Statements can be added while a workshop is draft or open; they can be edited, removed and reordered only while
it is a draft (participants never see a statement change under them); a closed workshop's statements do not change.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import LANGUAGES, _, number
from lessons.permissions import Actor, authorize
from lessons.text import clean_text
from lessons.workshops.rooms import WorkshopError, _row, _rows, _workshop

# --- preparing statements ---------------------------------------------------------------------------------------

#: Statement text limits (characters), for facilitators' free text and participants' submissions alike.
MIN_STATEMENT_CHARS = 10
MAX_STATEMENT_CHARS = 280


def _clean_text(text: str | None) -> str:
    """Clean statement text as stored: :func:`~lessons.text.clean_text`, then runs of whitespace folded to one space.

    Plain text, never markup.
    """
    text = re.sub(r"\s+", " ", clean_text(text)).strip()
    if len(text) < MIN_STATEMENT_CHARS:
        raise WorkshopError(_("A statement needs at least {n} characters.").format(n=number(MIN_STATEMENT_CHARS)))
    if len(text) > MAX_STATEMENT_CHARS:
        raise WorkshopError(
            _("A statement may have at most {n} characters; this has {length}.").format(
                n=number(MAX_STATEMENT_CHARS), length=number(len(text))
            )
        )
    return text


def _next_number(db: Database, workshop_id: int) -> int:
    """Return the number of the next statement key: one past the highest ``S<n>`` ever used.

    Removed keys are not reused while a later key exists.
    """
    row = db.execute(
        "SELECT max(CAST(substr(key, 2) AS INTEGER)) FROM statements WHERE workshop_id = ? AND key GLOB 'S[0-9]*'",
        [workshop_id],
    ).fetchone()
    return (row[0] or 0) + 1


def _next_position(db: Database, workshop_id: int) -> int:
    row = db.execute("SELECT max(position) FROM statements WHERE workshop_id = ?", [workshop_id]).fetchone()
    return (row[0] or 0) + 1


def statement_key(number: int) -> str:
    """``S01``, ``S02`` … ``S99``, ``S100``.

    >>> statement_key(7), statement_key(123)
    ('S07', 'S123')
    """
    return f"S{number:02d}"


def add_statements(db: Database, actor: Actor, code: str, *, lessons=(), elements=(), texts=()) -> list[str]:
    """Add statements to a draft or open workshop; return the keys of the statements added, in order.

    A lesson becomes its title (source ``lesson``), a governance-model element its name and description
    (``element``), a free text itself (``free``); all are approved. A lesson or element the workshop already has
    is skipped. Statements may be added while the workshop is open (participants see them next); not once closed.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> from lessons.workshops.rooms import create_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> add_statements(db, cli_actor(), code, texts=["Residents should co-design services."])
    ['S01']
    """
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] == "closed":
            raise WorkshopError(_("The workshop is closed; reopen it to add statements."))
        items: list[tuple[str, str, int | None, int | None]] = []
        have_lessons = {
            r[0] for r in db.execute("SELECT lesson_id FROM statements WHERE workshop_id = ?", [workshop["id"]])
        }
        have_elements = {
            r[0] for r in db.execute("SELECT element_id FROM statements WHERE workshop_id = ?", [workshop["id"]])
        }
        for lesson_id in dict.fromkeys(int(i) for i in lessons):
            lesson = _row(db, "SELECT id, title FROM lessons WHERE id = ?", [lesson_id])
            if lesson is None:
                raise WorkshopError(_("There is no lesson {id}.").format(id=lesson_id))
            if lesson_id not in have_lessons:
                items.append((_clip(lesson["title"]), "lesson", lesson_id, None))
        for element_id in dict.fromkeys(int(i) for i in elements):
            element = _row(db, "SELECT id, name, description FROM model_elements WHERE id = ?", [element_id])
            if element is None:
                raise WorkshopError(_("There is no governance-model element {id}.").format(id=element_id))
            if element_id not in have_elements:
                text = element["name"] + (f": {element['description']}" if element["description"] else "")
                items.append((_clip(text), "element", None, element_id))
        for text in texts:
            items.append((_clean_text(text), "free", None, None))
        number = _next_number(db, workshop["id"])
        position = _next_position(db, workshop["id"])
        keys = []
        for offset, (text, source, lesson_id, element_id) in enumerate(items):
            key = statement_key(number + offset)
            db.execute(
                """INSERT INTO statements (workshop_id, key, text, source, lesson_id, element_id, moderation, position)
                   VALUES (?, ?, ?, ?, ?, ?, 'approved', ?)""",
                [workshop["id"], key, text, source, lesson_id, element_id, position + offset],
            )
            keys.append(key)
        if keys:
            record(
                db,
                actor,
                "workshop.statements",
                object_type="workshop",
                object_id=workshop["code"],
                rows=len(keys),
                detail={"added": keys},
            )
    return keys


def _clip(text: str) -> str:
    """Text drawn from a lesson or element, folded to one line and cut to the statement length limit."""
    text = re.sub(r"\s+", " ", str(text or "")).strip()
    return text if len(text) <= MAX_STATEMENT_CHARS else text[: MAX_STATEMENT_CHARS - 1].rstrip() + "…"


def _draft_statement(db: Database, code: str, key: str, doing: str) -> tuple[dict, dict]:
    """Return the draft workshop ``code`` and its statement ``key``; refuse when it is not a draft or has no ``key``."""
    workshop = _workshop(db, code)
    if workshop["status"] != "draft":
        refusals = {
            ("open", "edited"): _("The workshop is open; statements can be edited only before it opens for voting."),
            ("open", "removed"): _("The workshop is open; statements can be removed only before it opens for voting."),
            ("open", "reordered"): _(
                "The workshop is open; statements can be reordered only before it opens for voting."
            ),
            ("closed", "edited"): _(
                "The workshop is closed; statements can be edited only before it opens for voting."
            ),
            ("closed", "removed"): _(
                "The workshop is closed; statements can be removed only before it opens for voting."
            ),
            ("closed", "reordered"): _(
                "The workshop is closed; statements can be reordered only before it opens for voting."
            ),
        }
        raise WorkshopError(refusals[(workshop["status"], doing)])
    statement = _row(
        db,
        "SELECT id, key, text, source, position FROM statements WHERE workshop_id = ? AND key = ?",
        [workshop["id"], str(key).upper()],
    )
    if statement is None:
        raise WorkshopError(_("The workshop has no statement {key}.").format(key=str(key).upper()))
    return workshop, statement


def edit_statement(db: Database, actor: Actor, code: str, key: str, text: str) -> None:
    """Change the text of a statement while its workshop is a draft; the old and new text are audited.

    A statement drawn from a lesson or an element keeps its link (its results still count for that lesson).

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> from lessons.workshops.rooms import create_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> add_statements(db, cli_actor(), code, texts=["Residents should co-design services."])
    ['S01']
    >>> edit_statement(db, cli_actor(), code, "S01", "Residents should co-design every service.")
    >>> statements(db, code)[0]["text"]
    'Residents should co-design every service.'
    """
    authorize(actor, "workshop.manage")
    text = _clean_text(text)
    with db.atomic():
        workshop, statement = _draft_statement(db, code, key, "edited")
        if text == statement["text"]:
            return
        db.execute("UPDATE statements SET text = ? WHERE id = ?", [text, statement["id"]])
        record(
            db, actor, "workshop.statements", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"edited": statement["key"], "before": statement["text"], "after": text},
        )  # fmt: skip


def remove_statement(db: Database, actor: Actor, code: str, key: str) -> None:
    """Remove a statement from a workshop while it is a draft.

    Once a workshop has opened, statements stay: participants may have seen or voted on them, and votes are never
    thrown away (reject or leave such a statement instead).
    """
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop, statement = _draft_statement(db, code, key, "removed")
        if db.execute("SELECT 1 FROM votes WHERE statement_id = ? LIMIT 1", [statement["id"]]).fetchone():
            raise WorkshopError(
                _("Participants have voted on {key}; it cannot be removed.").format(key=statement["key"])
            )
        db.execute("DELETE FROM statements WHERE id = ?", [statement["id"]])
        record(
            db, actor, "workshop.statements", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"removed": [statement["key"]]},
        )  # fmt: skip


def move_statement(db: Database, actor: Actor, code: str, key: str, steps: int) -> list[str]:
    """Move a statement up (``steps`` < 0) or down in a draft workshop's order; return the keys in the new order.

    Participants are shown statements in this order. Moving past either end stops there; positions are renumbered
    1, 2, 3 … and the old and new order are audited.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> from lessons.workshops.rooms import create_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> add_statements(db, cli_actor(), code, texts=["The first statement.", "The second statement."])
    ['S01', 'S02']
    >>> move_statement(db, cli_actor(), code, "S02", -1)
    ['S02', 'S01']
    """
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop, statement = _draft_statement(db, code, key, "reordered")
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM statements WHERE workshop_id = ? ORDER BY position IS NULL, position, id",
                [workshop["id"]],
            )
        ]
        before = list(ids)
        at = ids.index(statement["id"])
        ids.insert(max(0, min(len(ids) - 1, at + int(steps))), ids.pop(at))
        if ids != before:
            db.conn.executemany(
                "UPDATE statements SET position = ? WHERE id = ?", [(n, i) for n, i in enumerate(ids, start=1)]
            )
        keys = dict(db.execute("SELECT id, key FROM statements WHERE workshop_id = ?", [workshop["id"]]).fetchall())
        order = [keys[i] for i in ids]
        if ids != before:
            record(
                db, actor, "workshop.statements", object_type="workshop", object_id=workshop["code"], rows=1,
                detail={"moved": statement["key"], "before": [keys[i] for i in before], "after": order},
            )  # fmt: skip
    return order


def set_allow_submissions(db: Database, actor: Actor, code: str, allow: bool) -> None:
    """Whether participants may submit their own statements (into moderation)."""
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        db.execute("UPDATE workshops SET allow_submissions = ? WHERE id = ?", [int(bool(allow)), workshop["id"]])
        record(
            db, actor, "workshop.submissions", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"allow_submissions": bool(allow)},
        )  # fmt: skip


def statements(
    db: Database, code: str, *, include_pending: bool = False, language: str | None = None, translations: bool = False
) -> list[dict]:
    """List the workshop's statements in the facilitator's order.

    Approved ones, and pending submissions too when ``include_pending`` (rejected ones never). Each is a dict of key,
    text, source, lesson_id, element_id, moderation and position; with ``translations``, also its ``translations``
    (language → text). With ``language``, ``text`` is the statement in that language where a translation exists
    (the original otherwise), ``original`` the text as written and ``translated`` whether it is a translation.
    """
    workshop = _workshop(db, code)
    wanted = ("approved", "pending") if include_pending else ("approved",)
    rows = _rows(
        db,
        f"""SELECT id, key, text, source, lesson_id, element_id, moderation, position FROM statements
            WHERE workshop_id = ? AND moderation IN ({", ".join("?" for _ in wanted)})
            ORDER BY position, id""",
        [workshop["id"], *wanted],
    )
    found = _translations(db, workshop["id"]) if translations or language is not None else {}
    for row in rows:
        mine = found.get(row.pop("id"), {})
        if translations:
            row["translations"] = mine
        if language is not None:
            row["original"] = row["text"]
            row["translated"] = language in mine
            row["text"] = mine.get(language, row["text"])
    return rows


# --- translations -----------------------------------------------------------------------------------------------


def _translations(db: Database, workshop_id: int) -> dict[int, dict[str, str]]:
    """Return the translations of a workshop's statements: statement id → {language: text}."""
    found: dict[int, dict[str, str]] = {}
    for statement_id, language, text in db.execute(
        """SELECT t.statement_id, t.language, t.text FROM statement_translations t
           JOIN statements s ON s.id = t.statement_id WHERE s.workshop_id = ? ORDER BY t.language""",
        [workshop_id],
    ):
        found.setdefault(statement_id, {})[language] = text
    return found


def translate_statement(db: Database, actor: Actor, code: str, key: str, language: str, text: str | None) -> None:
    """Set a statement's translation into ``language``, or remove it when ``text`` is empty; audited.

    Participants whose language it is see the translation instead of the original; their votes stay on the
    statement, so results count it once across languages. Allowed while the workshop is a draft or open (a closed
    workshop's wording is what its report shows); ``language`` is one of the interface's languages.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> from lessons.workshops.rooms import create_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> add_statements(db, cli_actor(), code, texts=["Residents should co-design services."])
    ['S01']
    >>> translate_statement(db, cli_actor(), code, "S01", "fi", "Asukkaiden pitää suunnitella palvelut yhdessä.")
    >>> statements(db, code, language="fi")[0]["text"]
    'Asukkaiden pitää suunnitella palvelut yhdessä.'
    """
    authorize(actor, "workshop.manage")
    if language not in LANGUAGES:
        raise WorkshopError(
            _("A translation needs one of these languages: {codes}.").format(codes=", ".join(LANGUAGES))
        )
    cleaned = re.sub(r"\s+", " ", clean_text(text)).strip()
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] == "closed":
            raise WorkshopError(_("The workshop is closed; reopen it to change its translations."))
        statement = _row(
            db,
            "SELECT id, key FROM statements WHERE workshop_id = ? AND key = ? AND moderation != 'rejected'",
            [workshop["id"], str(key).upper()],
        )
        if statement is None:
            raise WorkshopError(_("The workshop has no statement {key}.").format(key=str(key).upper()))
        before = _row(
            db,
            "SELECT text FROM statement_translations WHERE statement_id = ? AND language = ?",
            [statement["id"], language],
        )
        before_text = before["text"] if before else None
        if cleaned:
            cleaned = _clean_text(cleaned)
        if (cleaned or None) == before_text:
            return
        if cleaned:
            db.execute(
                """INSERT INTO statement_translations (statement_id, language, text, translated_by) VALUES (?, ?, ?, ?)
                   ON CONFLICT (statement_id, language) DO UPDATE SET text = excluded.text,
                   translated_by = excluded.translated_by,
                   translated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
                [statement["id"], language, cleaned, actor.label],
            )
        else:
            db.execute(
                "DELETE FROM statement_translations WHERE statement_id = ? AND language = ?",
                [statement["id"], language],
            )
        record(
            db, actor, "workshop.statements", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"translated": statement["key"], "language": language, "before": before_text, "after": cleaned or None},
        )  # fmt: skip


# --- moderation -------------------------------------------------------------------------------------------------


def moderate(db: Database, actor: Actor, code: str, key: str, approve: bool) -> None:
    """Approve a participant's statement (participants vote on it from then on) or reject it (it is never shown)."""
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        statement = _row(
            db,
            "SELECT id, source, moderation FROM statements WHERE workshop_id = ? AND key = ?",
            [workshop["id"], str(key).upper()],
        )
        if statement is None:
            raise WorkshopError(_("The workshop has no statement {key}.").format(key=key))
        if statement["source"] != "participant":
            raise WorkshopError(
                _("{key} was prepared by the facilitator; only participants' statements are moderated.").format(key=key)
            )
        decision = "approved" if approve else "rejected"
        db.execute("UPDATE statements SET moderation = ? WHERE id = ?", [decision, statement["id"]])
        record(
            db, actor, "workshop.moderate", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"statement": str(key).upper(), "before": statement["moderation"], "after": decision},
        )  # fmt: skip
