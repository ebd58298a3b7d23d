"""Credit for co-producers: who contributed to lessons, stories and catalogue entries, and where that was reused (#20).

A contributor is a person or an organisation. A person is named only with their consent, recorded with its date
and who recorded it; without it, every reader but those who record contributors sees "A contributor" (and no
organisation that could point to them). A contribution says what a contributor gave (a lesson, a story or a
catalogue entry, stored as kind and id or code, as text) and their role (author, translator, co-producer…).

Where it was reused: a lesson cited in briefs other than its own pilot's (:func:`brief_citations`, stored by data
version: it draws every brief once), and its workshop statements that reached consensus (verdict "agreed" under the
public report's rules). Catalogue entries' use by pilots: :func:`catalogue_reuse`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlite_utils import Database

from lessons.audit import record
from lessons.editing_base import EditError, one_row
from lessons.i18n import N_, _, number
from lessons.permissions import Actor, authorize, can
from lessons.report.briefs import model_brief, pilot_brief, subjects, theme_brief
from lessons.report.citations import statement_results
from lessons.report.roadmaps import roadmap
from lessons.store import data_version, frame
from lessons.stored import frame_payload, payload_frame, stored_or_computed
from lessons.stories import readable
from lessons.text import clean_text
from lessons.workshops.outcomes import outcome
from lessons.workshops.public_report import VERDICT_RULES

__all__ = [
    "ITEM_KINDS",
    "KINDS",
    "ROLES",
    "UNNAMED",
    "ContributorError",
    "add_contributor",
    "brief_citations",
    "catalogue_reuse",
    "consensus_statements",
    "contributions",
    "contributor",
    "contributors",
    "creditable",
    "credits",
    "link",
    "record_consent",
    "shown_name",
    "unlink",
]

KINDS = ("person", "organisation")
ITEM_KINDS = ("lesson", "story", "catalogue")
#: Roles offered on the page (any short text is accepted).
ROLES = ("author", "co-producer", "translator", "reviewer", "photographer")
#: How a person who has not consented to be named is shown.
UNNAMED = N_("A contributor")
MAX_NAME = 200


class ContributorError(EditError):
    """A contributor or contribution that cannot be stored as given; nothing was written."""


def shown_name(row: dict, reader: Actor | None) -> str:
    """Return the name ``reader`` sees: a person's own only with their consent (or to those who record contributors).

    >>> shown_name({"name": "Ana Silva", "kind": "person", "consent": 0}, None)
    'A contributor'
    >>> shown_name({"name": "Ana Silva", "kind": "person", "consent": 1}, None)
    'Ana Silva'
    >>> shown_name({"name": "City of Porto", "kind": "organisation", "consent": 0}, None)
    'City of Porto'
    """
    if row["kind"] == "organisation" or row["consent"] or can(reader, "contributor.edit"):
        return row["name"]
    return _(UNNAMED)  # in the reader's language


def _named(row: dict, reader: Actor | None) -> dict:
    hidden = row["kind"] == "person" and not row["consent"] and not can(reader, "contributor.edit")
    out = {**row, "name": shown_name(row, reader)}
    if hidden:
        out["organisation"] = None
    return out


# --- writing ------------------------------------------------------------------------------------------------------


def add_contributor(
    db: Database,
    actor: Actor | None,
    *,
    name: str,
    kind: str = "person",
    organisation: str | None = None,
    consent: bool = False,
    consent_date: str | None = None,
) -> int:
    """Record a contributor; with ``consent``, the date (today when not given) and who recorded it. Return the id.

    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> db = open_memory_store()
    >>> add_contributor(db, cli_actor(), name="Ana Silva", consent=True, consent_date="2026-05-01")
    1
    """
    authorize(actor, "contributor.edit")
    name = clean_text(name, multiline=False).strip()
    if not name:
        raise ContributorError(_("Write the contributor's name."))
    if len(name) > MAX_NAME:
        raise ContributorError(_("Keep the name under {limit} characters.").format(limit=number(MAX_NAME)))
    if kind not in KINDS:
        raise ContributorError(_("A contributor is a person or an organisation, not “{kind}”.").format(kind=kind))
    organisation = clean_text(organisation, multiline=False).strip() or None
    with db.atomic():
        new = db.execute(
            """INSERT INTO contributors (name, kind, organisation, consent, consent_date, consent_recorded_by)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                name,
                kind,
                organisation,
                int(bool(consent)),
                (consent_date or date.today().isoformat()) if consent else None,
                actor.label if consent else None,
            ],
        ).lastrowid
        record(db, actor, "contributor.add", object_type="contributor", object_id=new, rows=1)
    return int(new)


def record_consent(
    db: Database, actor: Actor | None, contributor_id: int, consent: bool, consent_date: str | None = None
) -> None:
    """Record that a contributor gave (or withdrew) consent to be named, when, and who recorded it."""
    authorize(actor, "contributor.edit")
    if one_row(db, "SELECT id FROM contributors WHERE id = ?", [int(contributor_id)]) is None:
        raise ContributorError(_("There is no contributor {id}.").format(id=contributor_id))
    with db.atomic():
        db.execute(
            "UPDATE contributors SET consent = ?, consent_date = ?, consent_recorded_by = ? WHERE id = ?",
            [int(bool(consent)), consent_date or date.today().isoformat(), actor.label, int(contributor_id)],
        )
        record(
            db, actor, "contributor.consent", object_type="contributor", object_id=contributor_id, rows=1,
            detail={"consent": bool(consent)},
        )  # fmt: skip


def _item_pilot(db: Database, item_kind: str, item_id: str) -> int | None:
    """Return the pilot of a lesson or story (refusing one that does not exist); None for a catalogue entry."""
    if item_kind == "lesson":
        row = one_row(db, "SELECT pilot_id FROM lessons WHERE id = ?", [item_id])
    elif item_kind == "story":
        row = one_row(db, "SELECT pilot_id FROM stories WHERE id = ?", [item_id])
    else:
        return None
    if row is None:
        raise ContributorError(
            (_("There is no lesson {id}.") if item_kind == "lesson" else _("There is no story {id}.")).format(
                id=item_id
            )
        )
    return row["pilot_id"]


def link(db: Database, actor: Actor | None, contributor_id: int, item_kind: str, item_id, role: str) -> None:
    """Credit a contributor with a lesson, story or catalogue entry in ``role``.

    Crediting a lesson needs the right to change it, a story the right to write it; a catalogue entry (given by its
    code) needs only the right to record contributors.
    """
    authorize(actor, "contributor.edit")
    if item_kind not in ITEM_KINDS:
        raise ContributorError(
            _("A contribution is a lesson, a story or a catalogue entry, not “{kind}”.").format(kind=item_kind)
        )
    item_id = clean_text(item_id, multiline=False).strip()
    role = clean_text(role, multiline=False).strip().lower()
    if not item_id or not role:
        raise ContributorError(_("Say what the contributor gave and in what role."))
    pilot_id = _item_pilot(db, item_kind, item_id)
    if item_kind == "lesson":
        authorize(actor, "lesson.edit", pilot_id)
    elif item_kind == "story":
        authorize(actor, "story.edit", pilot_id)
    if one_row(db, "SELECT id FROM contributors WHERE id = ?", [int(contributor_id)]) is None:
        raise ContributorError(_("There is no contributor {id}.").format(id=contributor_id))
    with db.atomic():
        db.execute(
            """INSERT OR IGNORE INTO contributions (contributor_id, item_kind, item_id, role) VALUES (?, ?, ?, ?)""",
            [int(contributor_id), item_kind, item_id, role],
        )
        record(
            db, actor, "contributor.link", object_type="contributor", object_id=contributor_id, rows=1,
            detail={"item": f"{item_kind}:{item_id}", "role": role},
        )  # fmt: skip


def unlink(db: Database, actor: Actor | None, contribution_id: int) -> None:
    """Remove one contribution (the same rights as :func:`link`)."""
    authorize(actor, "contributor.edit")
    row = one_row(db, "SELECT * FROM contributions WHERE id = ?", [int(contribution_id)])
    if row is None:
        raise ContributorError(_("There is no contribution {id}.").format(id=contribution_id))
    pilot_id = _item_pilot(db, row["item_kind"], row["item_id"])
    if row["item_kind"] in ("lesson", "story"):
        authorize(actor, "lesson.edit" if row["item_kind"] == "lesson" else "story.edit", pilot_id)
    with db.atomic():
        db.execute("DELETE FROM contributions WHERE id = ?", [row["id"]])
        record(db, actor, "contributor.unlink", object_type="contributor", object_id=row["contributor_id"], rows=1)


# --- reading ------------------------------------------------------------------------------------------------------


def contributors(db: Database, reader: Actor | None) -> pd.DataFrame:
    """List contributors as ``reader`` sees them: id, name, kind, organisation, consent, contributions.

    >>> from lessons.store import open_memory_store
    >>> list(contributors(open_memory_store(), None).columns)
    ['id', 'name', 'kind', 'organisation', 'consent', 'consent_date', 'contributions']
    """
    found = frame(
        db,
        """SELECT c.id, c.name, c.kind, c.organisation, c.consent, c.consent_date,
                  (SELECT count(*) FROM contributions k WHERE k.contributor_id = c.id) AS contributions
           FROM contributors c ORDER BY c.kind DESC, c.name""",
    )
    if found.empty:
        return found
    shown = pd.DataFrame([_named(r, reader) for r in found.to_dict("records")], columns=found.columns)
    return shown.sort_values(["kind", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def contributions(db: Database, contributor_id: int) -> pd.DataFrame:
    """List what one contributor gave: id, item_kind, item_id, role, title, pilot (slug), pilot_name, status."""
    return frame(
        db,
        """SELECT k.id, k.item_kind, k.item_id, k.role,
                  coalesce(l.title, s.title, k.item_id) AS title,
                  coalesce(pl.slug, ps.slug) AS pilot, coalesce(pl.name, ps.name) AS pilot_name,
                  coalesce(l.status, s.status) AS status, s.visibility
           FROM contributions k
           LEFT JOIN lessons l ON k.item_kind = 'lesson' AND l.id = CAST(k.item_id AS INTEGER)
           LEFT JOIN pilots pl ON pl.id = l.pilot_id
           LEFT JOIN stories s ON k.item_kind = 'story' AND s.id = CAST(k.item_id AS INTEGER)
           LEFT JOIN pilots ps ON ps.id = s.pilot_id
           WHERE k.contributor_id = ? ORDER BY k.item_kind, title""",
        [int(contributor_id)],
    )


def credits(db: Database, item_kind: str, item_id, reader: Actor | None) -> list[str]:
    """Return who is credited for one item, as ``reader`` sees them: ``["Ana Silva (author)", ...]``."""
    rows = frame(
        db,
        """SELECT c.name, c.kind, c.consent, k.role FROM contributions k JOIN contributors c ON c.id = k.contributor_id
           WHERE k.item_kind = ? AND k.item_id = ? ORDER BY c.name, k.role""",
        [item_kind, str(item_id)],
    )
    return [f"{shown_name(r, reader)} ({r['role']})" for r in rows.to_dict("records")]


def _all_brief_citations(db: Database) -> pd.DataFrame:
    memo: dict = {}
    found = subjects(db)
    reports = [roadmap(db, memo=memo)]
    makers = {"theme": theme_brief, "model": model_brief, "pilot": pilot_brief}
    for kind, make in makers.items():
        reports += [make(db, key, memo=memo) for key in found[kind]["key"]]
    own = dict(db.execute("SELECT l.id, p.slug FROM lessons l JOIN pilots p ON p.id = l.pilot_id").fetchall())
    rows = []
    for report in reports:
        for cited in report.lessons["lesson"]:
            lesson_id = int(str(cited).lstrip("L"))
            if not (report.kind == "pilot" and own.get(lesson_id) == report.key):
                rows.append((lesson_id, report.file_stem, report.title))
    return pd.DataFrame(rows, columns=["lesson_id", "brief", "title"])


def brief_citations(db: Database, *, store: bool = True) -> pd.DataFrame:
    """Return which briefs cite each lesson (lesson_id, brief, title), a pilot's own brief left out.

    Every brief is drawn once (the roadmap, each theme, model and pilot brief) and the result is kept by data
    version, so it is computed once per change.
    """
    return stored_or_computed(
        db,
        "contributors:brief_citations",
        data_version(db),
        lambda: _all_brief_citations(db),
        dump=frame_payload,
        load=payload_frame,
        store=store,
    )


def consensus_statements(db: Database) -> pd.DataFrame:
    """Return each lesson's workshop statements that reached consensus: lesson_id, statements (verdict "agreed")."""
    results = statement_results(db)
    results = results[results["lesson_id"].notna()]
    if results.empty:
        return pd.DataFrame({"lesson_id": pd.Series(dtype=int), "statements": pd.Series(dtype=int)})
    agreed = [
        outcome(int(a), int(d), **VERDICT_RULES) == "agreed" for a, d in zip(results["agree"], results["disagree"])
    ]
    chosen = results[agreed]
    counts = chosen.groupby(chosen["lesson_id"].astype(int)).size()
    return counts.rename("statements").rename_axis("lesson_id").reset_index()


def catalogue_reuse(db: Database, codes) -> dict[str, int]:
    """Return how many pilots used each catalogue entry (by its code): linked to the pilot, or to a lesson of it.

    >>> from lessons.store import open_memory_store
    >>> catalogue_reuse(open_memory_store(), ["world-cafe", "no-such-entry"])
    {'world-cafe': 0, 'no-such-entry': 0}
    """
    codes = [str(c) for c in codes]
    if not codes:
        return {}
    marks = ", ".join("?" for _ in codes)
    rows = db.execute(
        f"""SELECT e.code, count(DISTINCT u.pilot_id) FROM catalogue_entries e
            JOIN (SELECT entry_id, pilot_id FROM pilot_methods
                  UNION SELECT m.entry_id, l.pilot_id FROM lesson_methods m JOIN lessons l ON l.id = m.lesson_id) u
              ON u.entry_id = e.id
            WHERE e.code IN ({marks}) GROUP BY e.code""",
        codes,
    ).fetchall()
    return {code: 0 for code in codes} | dict(rows)


def contributor(
    db: Database, contributor_id: int, reader: Actor | None, *, citations: pd.DataFrame | None = None
) -> dict | None:
    """Return one contributor as ``reader`` sees them, with what they gave and where it was reused, or None.

    Keys: the contributor's columns (name as :func:`shown_name` says), ``items`` (frame: item_kind, item_id, role,
    title, pilot_name, status, briefs, consensus) — a story another reader may not read is left out — and
    ``totals`` (lessons, stories, catalogue, briefs, consensus). ``citations`` is :func:`brief_citations`, when the
    caller has it already.
    """
    row = one_row(db, "SELECT * FROM contributors WHERE id = ?", [int(contributor_id)])
    if row is None:
        return None
    out = _named(row, reader)
    items = contributions(db, row["id"])
    if len(items):
        visible = []
        for r in items.to_dict("records"):
            if r["item_kind"] != "story":
                visible.append(True)
                continue
            story_row = one_row(db, "SELECT pilot_id, status, visibility FROM stories WHERE id = ?", [r["item_id"]])
            visible.append(story_row is not None and readable(story_row, reader))
        items = items[visible].reset_index(drop=True)
    lesson_ids = {int(i) for i in items.loc[items["item_kind"] == "lesson", "item_id"]} if len(items) else set()
    cited = citations if citations is not None else (brief_citations(db) if lesson_ids else None)
    briefs = cited.groupby("lesson_id")["brief"].nunique().to_dict() if cited is not None and len(cited) else {}
    agreed = dict(consensus_statements(db).itertuples(index=False)) if lesson_ids else {}
    is_lesson = items["item_kind"] == "lesson" if len(items) else pd.Series(dtype=bool)
    items["briefs"] = [briefs.get(int(i), 0) if k else 0 for i, k in zip(items["item_id"], is_lesson)]
    items["consensus"] = [agreed.get(int(i), 0) if k else 0 for i, k in zip(items["item_id"], is_lesson)]
    is_entry = items["item_kind"] == "catalogue" if len(items) else pd.Series(dtype=bool)
    used = catalogue_reuse(db, items.loc[is_entry, "item_id"]) if len(items) else {}
    items["pilots"] = [used.get(str(i), 0) if k else 0 for i, k in zip(items["item_id"], is_entry)]
    out["items"] = items
    out["totals"] = {
        "lessons": int(is_lesson.sum()) if len(items) else 0,
        "stories": int((items["item_kind"] == "story").sum()) if len(items) else 0,
        "catalogue": int((items["item_kind"] == "catalogue").sum()) if len(items) else 0,
        "briefs": int(items["briefs"].sum()) if len(items) else 0,
        "consensus": int(items["consensus"].sum()) if len(items) else 0,
        "pilots": int(items["pilots"].sum()) if len(items) else 0,
    }
    return out


def creditable(db: Database, actor: Actor | None) -> pd.DataFrame:
    """List the lessons and stories ``actor`` may credit contributors with: item_kind, item_id, label.

    >>> from lessons.store import open_memory_store
    >>> creditable(open_memory_store(), None).empty
    True
    """
    found = frame(
        db,
        """SELECT 'lesson' AS item_kind, CAST(l.id AS TEXT) AS item_id, l.pilot_id,
                  p.name || ' · ' || l.key || ' · ' || l.title AS label
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id
           UNION ALL
           SELECT 'story', CAST(s.id AS TEXT), s.pilot_id, p.name || ' · story · ' || s.title
           FROM stories s JOIN pilots p ON p.id = s.pilot_id
           ORDER BY 1, 4""",
    )
    action = {"lesson": "lesson.edit", "story": "story.edit"}
    keep = [can(actor, action[k], pid) for k, pid in zip(found["item_kind"], found["pilot_id"])]
    return found[keep].drop(columns=["pilot_id"]).reset_index(drop=True) if len(found) else found
