"""Direct edits: pilots, lessons, the theme vocabulary, the methodology crosswalk and lesson–element links.

Each function takes the acting user, checks the permission in the domain (not only in the UI), validates what it is
given, writes in one transaction and records the change with its before and after values in the audit log.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date

import pandas as pd
from sqlite_utils import Database

from lessons.audit import record
from lessons.editing_base import EditError
from lessons.editing_base import one_row as _one
from lessons.i18n import N_, _
from lessons.lifecycle import LifecycleError, path_to
from lessons.permissions import Actor, authorize, can
from lessons.pilot_archive import delete_pilot as delete_pilot  # re-exported: deleting keeps what goes, for undo
from lessons.places import COORDINATES, check_place, placed
from lessons.store import EVIDENCE_STRENGTHS, KINDS, STATUSES
from lessons.text import clean_text
from lessons.visibility import LEVELS

PILOT_FIELDS = (
    "name", "country", "region", "city", "service_area", "target_groups", "methodology", "project",
    "start_date", "end_date", "lead_organisation", "summary", "visibility", "latitude", "longitude",
)  # fmt: skip
LESSON_FIELDS = (
    "title", "lesson", "context", "recommendation", "kind", "phase", "evidence_source", "evidence_strength",
    "status", "language", "recorded_on", "visibility",
)  # fmt: skip
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _codes(db: Database, table: str) -> set[str]:
    return {r[0] for r in db.execute(f"SELECT code FROM {table}")}


def _cleaned(changes: dict) -> dict:
    r"""Return ``changes`` with text values cleaned as uploads clean them (:func:`lessons.text.clean_text`).

    Control characters (a vertical tab is what a soft line break pasted from a word processor becomes) and bidirectional
    overrides are removed; they would otherwise break exports to XML, SVG and PDF, or disguise text.

    >>> _cleaned({"name": "Alpha\x0bBeta\u202e", "n": 3})
    {'name': 'AlphaBeta', 'n': 3}
    """
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in changes.items()}


#: The fields a refusal names, as it names them (at the start of a sentence).
FIELD_NAMES = {
    "start_date": N_("Start date"),
    "end_date": N_("End date"),
    "title": N_("Title"),
    "lesson": N_("Lesson"),
    "kind": N_("Kind"),
    "evidence_strength": N_("Evidence strength"),
    "phase": N_("Phase"),
    "visibility": N_("Visibility"),
}


def _field(name: str) -> str:
    return _(FIELD_NAMES[name]) if name in FIELD_NAMES else name.replace("_", " ").capitalize()


def _stored(value):
    """Return a field's value as the store keeps it: an empty text is no value (a zero stays a zero)."""
    return None if value is None or value == "" else value


def _check_pilot(db: Database, values: dict) -> None:
    if "name" in values and not (values["name"] or "").strip():
        raise EditError(_("A pilot needs a name."))
    if "country" in values and not re.fullmatch(r"[A-Z]{2}", values["country"] or ""):
        raise EditError(_("Country must be an ISO 3166 two-letter code in capitals, e.g. FI or PT."))
    if "visibility" in values and values["visibility"] not in LEVELS:
        raise EditError(_("Visibility must be one of {levels}.").format(levels=", ".join(LEVELS)))
    if values.get("methodology") and values["methodology"] not in _codes(db, "methodologies"):
        raise EditError(_("Unknown methodology {code}.").format(code=repr(values["methodology"])))
    for field in ("start_date", "end_date"):
        if values.get(field):
            try:
                date.fromisoformat(values[field])
            except ValueError:
                raise EditError(_("{field} must be a date like 2021-03-31.").format(field=_field(field))) from None


#: What an edit that empties a required field of a lesson is told.
_EMPTY = {"title": N_("A lesson's title cannot be empty."), "lesson": N_("A lesson's lesson cannot be empty.")}


def editable_pilots(db: Database, actor: Actor | None) -> pd.DataFrame:
    """Return the pilots ``actor`` may change (all for admins, their own for coordinators, none for others)."""
    cursor = db.execute("SELECT id, slug, name, country FROM pilots ORDER BY name")
    rows = [r for r in cursor.fetchall() if can(actor, "pilot.edit", r[0])]
    return pd.DataFrame(rows, columns=["id", "slug", "name", "country"])


def create_pilot(db: Database, actor: Actor, slug: str, **values) -> int:
    """Create a pilot (admins only)."""
    authorize(actor, "pilot.create")
    if not _SLUG.fullmatch(slug or ""):
        raise EditError(_("A pilot's slug has lower-case letters and digits joined by dashes, e.g. porto-housing."))
    unknown = set(values) - set(PILOT_FIELDS)
    if unknown:
        raise EditError(_("Unknown pilot field(s): {fields}.").format(fields=", ".join(sorted(unknown))))
    values = placed(_cleaned({"name": "", "country": "", **values}))
    _check_pilot(db, values)
    check_place(values.get("latitude"), values.get("longitude"))
    with db.atomic():
        if db.execute("SELECT 1 FROM pilots WHERE slug = ?", [slug]).fetchone():
            raise EditError(_("A pilot {slug} exists already.").format(slug=repr(slug)))
        pilot_id = db["pilots"].insert({"slug": slug, **values}).last_pk
        record(db, actor, "pilot.create", object_type="pilot", object_id=slug, rows=1, detail=values)
    return pilot_id


def update_pilot(db: Database, actor: Actor, pilot_id: int, **changes) -> dict:
    """Change a pilot's facts (admins; coordinators of that pilot); return the fields that changed.

    Its place on the map is ``latitude`` and ``longitude`` (decimal degrees, :func:`lessons.places.coordinate`): both
    or neither once changed (an empty value clears one). Every change is audited with its value before and after, so
    giving the ``before`` values back undoes it.
    """
    authorize(actor, "pilot.edit", pilot_id)
    unknown = set(changes) - set(PILOT_FIELDS)
    if unknown:
        raise EditError(_("Unknown pilot field(s): {fields}.").format(fields=", ".join(sorted(unknown))))
    changes = placed(_cleaned(changes))
    _check_pilot(db, changes)
    with db.atomic():
        before = _one(db, "SELECT * FROM pilots WHERE id = ?", [pilot_id])
        if before is None:
            raise EditError(_("That pilot no longer exists."))
        check_place(*(changes.get(k, before[k]) for k in COORDINATES))
        diff = {k: {"before": before[k], "after": _stored(v)} for k, v in changes.items() if _stored(v) != before[k]}
        if diff:
            db.execute(
                f"UPDATE pilots SET {', '.join(f'{k} = ?' for k in diff)}, updated_at = ? WHERE id = ?",
                [*(d["after"] for d in diff.values()), _now(), pilot_id],
            )
            record(db, actor, "pilot.edit", object_type="pilot", object_id=before["slug"], rows=1, detail=diff)
    return diff


def update_lesson(
    db: Database, actor: Actor, lesson_id: int, *, themes=None, groups=None, stakeholders=None, **changes
) -> dict:
    """Change a lesson's fields, themes, stakeholder groups or the stakeholders it concerns; return what changed.

    Themes are given as codes, stakeholder groups as sector codes, and the stakeholders of its pilot it concerns as
    stakeholder keys.

    Admins, and coordinators of the lesson's pilot, may do it. The status is not edited here: a ``status`` equal to
    the current one is accepted (forms send it back), any other raises :class:`lessons.lifecycle.LifecycleError`
    naming the path that is allowed (:func:`lessons.lifecycle.change_status`, or a workshop's results).
    """
    lesson = _one(db, "SELECT * FROM lessons WHERE id = ?", [int(lesson_id)])
    if lesson is None:
        raise EditError(_("That lesson no longer exists."))
    authorize(actor, "lesson.edit", lesson["pilot_id"])
    unknown = set(changes) - set(LESSON_FIELDS)
    if unknown:
        raise EditError(_("Unknown lesson field(s): {fields}.").format(fields=", ".join(sorted(unknown))))
    changes = _cleaned(changes)
    for field in ("title", "lesson"):
        if field in changes and not (changes[field] or "").strip():
            raise EditError(_(_EMPTY[field]))
    checks = {
        "kind": KINDS,
        "status": STATUSES,
        "evidence_strength": (*EVIDENCE_STRENGTHS, None, ""),
        "phase": (*_codes(db, "phases"), None, ""),
        "visibility": LEVELS,
    }
    if changes.get("status") not in (None, "", lesson["status"]):
        if changes["status"] not in STATUSES:
            raise EditError(
                _("{field} {value} is not one of the allowed values.").format(
                    field=_("Status"), value=repr(changes["status"])
                )
            )
        raise LifecycleError(
            _("A lesson's status is not edited: it changes along the lifecycle. {path}").format(
                path=path_to(changes["status"])
            )
        )
    changes.pop("status", None)
    for field, allowed in checks.items():
        if field in changes and changes[field] not in allowed:
            raise EditError(
                _("{field} {value} is not one of the allowed values.").format(
                    field=_field(field), value=repr(changes[field])
                )
            )
    if themes is not None and set(themes) - _codes(db, "themes"):
        raise EditError(
            _("Unknown theme(s): {codes}.").format(codes=", ".join(sorted(set(themes) - _codes(db, "themes"))))
        )
    if groups is not None and set(groups) - _codes(db, "sectors"):
        raise EditError(
            _("Unknown stakeholder group(s): {codes}.").format(
                codes=", ".join(sorted(set(groups) - _codes(db, "sectors")))
            )
        )
    actor_ids = None
    if stakeholders is not None:
        known = dict(db.execute("SELECT key, id FROM stakeholders WHERE pilot_id = ?", [lesson["pilot_id"]]).fetchall())
        unknown_keys = sorted(set(stakeholders) - set(known))
        if unknown_keys:
            raise EditError(_("Not a stakeholder of this lesson's pilot: {keys}.").format(keys=", ".join(unknown_keys)))
        actor_ids = [known[k] for k in dict.fromkeys(stakeholders)]
    with db.atomic():
        diff = {k: {"before": lesson[k], "after": v or None} for k, v in changes.items() if (v or None) != lesson[k]}
        if diff:
            db.execute(
                f"UPDATE lessons SET {', '.join(f'{k} = ?' for k in diff)}, updated_at = ? WHERE id = ?",
                [*(d["after"] for d in diff.values()), _now(), lesson["id"]],
            )
        for name, values, sql_now, sql_del, sql_add in (
            (
                "themes", themes,
                "SELECT t.code FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE lt.lesson_id = ?",
                "DELETE FROM lesson_themes WHERE lesson_id = ?",
                "INSERT INTO lesson_themes (lesson_id, theme_id) SELECT ?, id FROM themes WHERE code = ?",
            ),
            (
                "groups", groups,
                "SELECT sector FROM lesson_groups WHERE lesson_id = ?",
                "DELETE FROM lesson_groups WHERE lesson_id = ?",
                "INSERT INTO lesson_groups (lesson_id, sector) VALUES (?, ?)",
            ),
            (
                "stakeholders", actor_ids,
                "SELECT stakeholder_id FROM lesson_stakeholders WHERE lesson_id = ?",
                "DELETE FROM lesson_stakeholders WHERE lesson_id = ?",
                "INSERT INTO lesson_stakeholders (lesson_id, stakeholder_id) VALUES (?, ?)",
            ),
        ):  # fmt: skip
            if values is None:
                continue
            current = sorted(r[0] for r in db.execute(sql_now, [lesson["id"]]))
            wanted = sorted(dict.fromkeys(values))
            if current != wanted:
                db.execute(sql_del, [lesson["id"]])
                db.conn.executemany(sql_add, [(lesson["id"], v) for v in wanted])
                diff[name] = {"before": current, "after": wanted}
        if "stakeholders" in diff:  # the audit shows stakeholder keys, as people know them
            key_of = {v: k for k, v in known.items()}
            diff["stakeholders"] = {
                w: sorted(key_of.get(i, str(i)) for i in ids) for w, ids in diff["stakeholders"].items()
            }
        if diff:
            pilot = db.execute("SELECT slug FROM pilots WHERE id = ?", [lesson["pilot_id"]]).fetchone()[0]
            record(
                db,
                actor,
                "lesson.edit",
                object_type="lesson",
                object_id=f"{pilot}:{lesson['key']}",
                rows=1,
                detail=diff,
            )
    return diff


def save_theme(db: Database, actor: Actor, code: str, name: str, description: str | None = None) -> None:
    """Add a theme (a free tag) or rename one (admins only)."""
    authorize(actor, "vocabulary.edit")
    name = clean_text(name, multiline=False)
    description = None if description is None else clean_text(description)
    if not _SLUG.fullmatch(code or "") or not name.strip():
        raise EditError(_("A theme needs a code of lower-case letters, digits and dashes, and a name."))
    with db.atomic():
        before = _one(db, "SELECT name, description FROM themes WHERE code = ?", [code])
        if before is None:
            db.execute(
                "INSERT INTO themes (code, name, description, controlled) VALUES (?, ?, ?, 0)",
                [code, name, description],
            )
        else:
            db.execute("UPDATE themes SET name = ?, description = ? WHERE code = ?", [name, description, code])
        record(
            db, actor, "theme.save", object_type="theme", object_id=code, rows=1,
            detail={"before": before, "after": {"name": name, "description": description}},
        )  # fmt: skip


def map_methodology_step(db: Database, actor: Actor, methodology: str, position: int, phase: str) -> None:
    """Map one methodology step to a shared co-creation phase in the crosswalk (admins only)."""
    authorize(actor, "vocabulary.edit")
    if phase not in _codes(db, "phases"):
        raise EditError(_("Unknown phase {code}.").format(code=repr(phase)))
    with db.atomic():
        step = _one(
            db,
            "SELECT id, phase FROM methodology_steps WHERE methodology = ? AND position = ?",
            [methodology, int(position)],
        )
        if step is None:
            raise EditError(
                _("{methodology} has no step {position}.").format(methodology=repr(methodology), position=position)
            )
        db.execute("UPDATE methodology_steps SET phase = ? WHERE id = ?", [phase, step["id"]])
        record(
            db, actor, "crosswalk.map", object_type="methodology_step", object_id=f"{methodology}:{position}", rows=1,
            detail={"before": step["phase"], "after": phase},
        )  # fmt: skip


def link_lesson_to_element(db: Database, actor: Actor, lesson_id: int, element_id: int, stance: str | None) -> None:
    """Record that a lesson supports or challenges a governance-model element; ``stance=None`` removes the link."""
    authorize(actor, "model.edit")
    if stance not in ("supports", "challenges", None):
        raise EditError(_("A lesson either supports or challenges an element."))
    with db.atomic():
        try:
            db.execute("DELETE FROM lesson_elements WHERE lesson_id = ? AND element_id = ?", [lesson_id, element_id])
            if stance:
                db.execute(
                    "INSERT INTO lesson_elements (lesson_id, element_id, stance) VALUES (?, ?, ?)",
                    [lesson_id, element_id, stance],
                )
        except sqlite3.IntegrityError:
            raise EditError(_("That lesson or element no longer exists.")) from None
        record(
            db, actor, "model.link", object_type="model_element", object_id=element_id, rows=1,
            detail={"lesson_id": lesson_id, "stance": stance},
        )  # fmt: skip
