"""Link lessons to the elements of governance models: a lesson supports or challenges an element, with a note.

The note is optional. Editors and administrators link, and the link counts at once; coordinators propose links for their
own pilots' lessons, which count nowhere until an editor or administrator accepts them.

Lesson links are evidence, not content: linking never makes a new version of a model (:mod:`lessons.model_authoring`
carries the links over when it copies a voted version). Every write is authorised here, runs in one transaction and
goes into the audit log (one entry per call). :mod:`lessons.model_authoring` re-exports these functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import _
from lessons.permissions import Actor, authorize
from lessons.text import clean_text

STANCES = ("supports", "challenges")


class ModelError(ValueError):
    """A model edit that cannot be made (unknown model or element, empty name, bad value); nothing was written."""


def _lesson_pilots(db: Database, lesson_ids: Iterable[int]) -> dict[int, int]:
    pilots = {}
    for lesson_id in dict.fromkeys(int(i) for i in lesson_ids):
        row = db.execute("SELECT pilot_id FROM lessons WHERE id = ?", [lesson_id]).fetchone()
        if row is None:
            raise ModelError(_("There is no lesson {lesson}.").format(lesson=lesson_id))
        pilots[lesson_id] = row[0]
    return pilots


def _current_element(db: Database, element_id: int) -> None:
    row = db.execute(
        """SELECT e.version = gm.version FROM model_elements e JOIN governance_models gm ON gm.id = e.model_id
           WHERE e.id = ?""",
        [int(element_id)],
    ).fetchone()
    if row is None:
        raise ModelError(_("There is no governance-model element {element}.").format(element=element_id))
    if not row[0]:
        raise ModelError(_("That element belongs to an earlier version of its model; link the current one."))


def _links(db, actor, element_id, lesson_ids, stance, note, *, status: str) -> dict[int, int]:
    if stance not in STANCES:
        raise ModelError(_("A lesson either supports or challenges an element."))
    note = clean_text(note).strip() or None if note is not None else None
    _current_element(db, element_id)
    pilots = _lesson_pilots(db, lesson_ids)
    if status == "proposed":
        for pilot_id in sorted(set(pilots.values())):
            authorize(actor, "model.link.propose", pilot_id)
    for lesson_id in pilots:
        if (
            status == "proposed"
            and db.execute(
                "SELECT 1 FROM lesson_elements WHERE lesson_id = ? AND element_id = ? AND status = 'accepted'",
                [lesson_id, int(element_id)],
            ).fetchone()
        ):
            raise ModelError(_("Lesson {lesson} is already linked to that element.").format(lesson=lesson_id))
        db.execute(
            """INSERT INTO lesson_elements (lesson_id, element_id, stance, note, status, proposed_by)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (lesson_id, element_id) DO UPDATE SET stance = excluded.stance, note = excluded.note,
                   status = excluded.status, proposed_by = excluded.proposed_by""",
            [lesson_id, int(element_id), stance, note, status, actor.username if status == "proposed" else None],
        )
    return pilots


def link_lessons(
    db: Database, actor: Actor, element_id: int, lesson_ids: Iterable[int], stance: str, note: str | None = None
) -> int:
    """Link lessons to an element of a model's current version, each supporting or challenging it.

    Editors and administrators link, with an optional note; the links count at once. Returns how many lessons were
    linked.

    Examples
    --------
    >>> from lessons.model_authoring import add_element, create_model
    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = create_model(db, cli_actor(), "m", name="Model")
    >>> element = add_element(db, cli_actor(), "m", "Shared decisions")
    >>> link_lessons(db, cli_actor(), element, [], "supports")
    0
    """
    authorize(actor, "model.link")
    with db.atomic():
        pilots = _links(db, actor, element_id, lesson_ids, stance, note, status="accepted")
        record(db, actor, "model.link", object_type="model_element", object_id=int(element_id), rows=len(pilots),
               detail={"lessons": list(pilots), "stance": stance})  # fmt: skip
    return len(pilots)


def propose_links(
    db: Database, actor: Actor, element_id: int, lesson_ids: Iterable[int], stance: str, note: str | None = None
) -> int:
    """Propose links between lessons and an element: a coordinator for their own pilots' lessons.

    Editors and administrators may propose too. A proposal counts nowhere until an editor or administrator accepts it
    (:func:`review_links`). Returns how many lessons were proposed.
    """
    first = next(iter(sorted(getattr(actor, "pilot_ids", ()) or ())), None)
    authorize(actor, "model.link.propose", first)  # a role that never proposes is refused before any look-up
    with db.atomic():
        pilots = _links(db, actor, element_id, lesson_ids, stance, note, status="proposed")
        record(db, actor, "model.link.propose", object_type="model_element", object_id=int(element_id),
               rows=len(pilots), detail={"lessons": list(pilots), "stance": stance})  # fmt: skip
    return len(pilots)


def review_links(db: Database, actor: Actor, element_id: int, lesson_ids: Iterable[int], *, accept: bool) -> int:
    """Accept or reject proposed links of an element to lessons; return how many were changed."""
    authorize(actor, "model.link")
    lesson_ids = [int(i) for i in lesson_ids]
    with db.atomic():
        marks = ", ".join("?" for _ in lesson_ids) or "NULL"
        where = f"element_id = ? AND status = 'proposed' AND lesson_id IN ({marks})"
        if accept:
            n = db.execute(
                f"UPDATE lesson_elements SET status = 'accepted' WHERE {where}", [int(element_id), *lesson_ids]
            )
        else:
            n = db.execute(f"DELETE FROM lesson_elements WHERE {where}", [int(element_id), *lesson_ids])
        record(db, actor, "model.link.accept" if accept else "model.link.reject", object_type="model_element",
               object_id=int(element_id), rows=n.rowcount, detail={"lessons": lesson_ids})  # fmt: skip
    return n.rowcount


def unlink_lessons(db: Database, actor: Actor, element_id: int, lesson_ids: Iterable[int]) -> int:
    """Remove links (accepted or proposed) between an element and lessons; return how many were removed."""
    authorize(actor, "model.link")
    lesson_ids = [int(i) for i in lesson_ids]
    with db.atomic():
        marks = ", ".join("?" for _ in lesson_ids) or "NULL"
        n = db.execute(
            f"DELETE FROM lesson_elements WHERE element_id = ? AND lesson_id IN ({marks})",
            [int(element_id), *lesson_ids],
        ).rowcount
        record(db, actor, "model.unlink", object_type="model_element", object_id=int(element_id), rows=n,
               detail={"lessons": lesson_ids})  # fmt: skip
    return n


def proposed_links(db: Database, slug: str | None = None) -> list[dict]:
    """List proposed links waiting for an editor.

    Columns: element_id, element (key · name), model, lesson_id, lesson title, pilot, stance, note, proposed_by.
    """
    cursor = db.execute(
        """SELECT le.element_id, e.key || ' · ' || e.name AS element, gm.slug AS model, le.lesson_id,
                  l.title AS lesson, p.name AS pilot, le.stance, le.note, le.proposed_by
           FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
           JOIN governance_models gm ON gm.id = e.model_id JOIN lessons l ON l.id = le.lesson_id
           JOIN pilots p ON p.id = l.pilot_id
           WHERE le.status = 'proposed' AND (? IS NULL OR gm.slug = ?) ORDER BY gm.slug, e.position, l.id""",
        [slug, slug],
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]
