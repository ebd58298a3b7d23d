"""Author governance models: create, edit, reorder and retire models, and edit their elements.

Elements can be added, edited, reordered and removed; lessons are linked to elements (coordinators propose, editors and
administrators accept).

Versions
--------
A model has a current version. While no workshop has voted on it, edits change that version in place. Once a
statement drawn from one of its elements has a vote, the next edit first copies the elements into a new version
(new rows, the same keys, the lesson links carried over) and changes only the copy: workshops and their results
keep pointing at the elements they voted on. Lesson links are evidence, not content: linking never makes a version.

Every write is authorised here, runs in one transaction and goes into the audit log (one entry per call).

Linking lessons to elements lives in :mod:`lessons.model_links` (with :class:`ModelError`, raised by both); its
functions are re-exported here, so ``authoring.link_lessons(...)`` keeps working.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import _
from lessons.model_links import (
    STANCES,
    ModelError,
    link_lessons,
    propose_links,
    proposed_links,
    review_links,
    unlink_lessons,
)
from lessons.permissions import Actor, authorize
from lessons.text import clean_text

__all__ = [
    "KINDS",
    "SLUG",
    "STANCES",
    "ModelError",
    "add_element",
    "create_model",
    "current_elements",
    "element_id_of",
    "element_number",
    "is_voted",
    "link_lessons",
    "model_row",
    "move_element",
    "move_model",
    "propose_links",
    "proposed_links",
    "remove_element",
    "reorder_elements",
    "retire_model",
    "review_links",
    "unlink_lessons",
    "update_element",
    "update_model",
]

KINDS = ("principle", "step")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def _now_sql() -> str:
    return "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


def model_row(db: Database, slug: str) -> dict:
    """Return a model's row: id, slug, name, summary, methodology, source, version, position, retired_at."""
    return _model(db, slug)


def _model(db: Database, slug: str) -> dict:
    cursor = db.execute(
        "SELECT id, slug, name, summary, methodology, source, version, position, retired_at FROM governance_models"
        " WHERE slug = ?",
        [slug],
    )
    row = cursor.fetchone()
    if row is None:
        raise ModelError(_("There is no governance model '{slug}'.").format(slug=slug))
    return dict(zip([c[0] for c in cursor.description], row))


def current_elements(db: Database, slug: str) -> list[dict]:
    """Return the elements of a model's current version in order: id, key, position, kind, name, description.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = create_model(db, cli_actor(), "m", name="Model")
    >>> _ = add_element(db, cli_actor(), "m", "Shared decisions")
    >>> [(e["key"], e["position"], e["name"]) for e in current_elements(db, "m")]
    [('E1', 1, 'Shared decisions')]
    """
    model = _model(db, slug)
    cursor = db.execute(
        """SELECT id, key, position, kind, name, description FROM model_elements
           WHERE model_id = ? AND version = ? ORDER BY position, id""",
        [model["id"], model["version"]],
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def is_voted(db: Database, model_id: int, version: int) -> bool:
    """Whether any workshop has a vote on a statement drawn from this version's elements."""
    return (
        db.execute(
            """SELECT 1 FROM votes v JOIN statements s ON s.id = v.statement_id
               JOIN model_elements e ON e.id = s.element_id WHERE e.model_id = ? AND e.version = ? LIMIT 1""",
            [model_id, version],
        ).fetchone()
        is not None
    )


def _editable_version(db: Database, model: dict, note: str) -> tuple[int, dict[int, int]]:
    """Return the version to edit: the current one, or (when it has votes) a new copy of it.

    Also returns a map from the current version's element ids to the ids of the rows to edit.
    """
    version = model["version"]
    rows = db.execute(
        "SELECT id, key, position, kind, name, description, phase FROM model_elements WHERE model_id = ? AND version = ?",
        [model["id"], version],
    ).fetchall()
    if not is_voted(db, model["id"], version):
        return version, {r[0]: r[0] for r in rows}
    new = version + 1
    moved = {}
    for old_id, key, position, kind, name, description, phase in rows:
        moved[old_id] = db.execute(
            """INSERT INTO model_elements (model_id, version, key, position, kind, name, description, phase)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [model["id"], new, key, position, kind, name, description, phase],
        ).lastrowid
        db.execute(
            """INSERT INTO lesson_elements (lesson_id, element_id, stance, note, status, proposed_by)
               SELECT lesson_id, ?, stance, note, status, proposed_by FROM lesson_elements WHERE element_id = ?""",
            [moved[old_id], old_id],
        )
    if (
        db.execute("SELECT 1 FROM model_versions WHERE model_id = ? AND number = ?", [model["id"], version]).fetchone()
        is None
    ):
        db.execute("INSERT INTO model_versions (model_id, number, note) VALUES (?, ?, ?)", [model["id"], version, None])
    db.execute("INSERT INTO model_versions (model_id, number, note) VALUES (?, ?, ?)", [model["id"], new, note])
    db.execute("UPDATE governance_models SET version = ? WHERE id = ?", [new, model["id"]])
    model["version"] = new
    return new, moved


def _name(value, what: str) -> str:
    text = clean_text(value, multiline=False).strip()
    if not text:
        raise ModelError(_("A model needs a name.") if what == "model" else _("An element needs a name."))
    return text


def _optional(value) -> str | None:
    return clean_text(value).strip() or None if value is not None else None


def _methodology(db: Database, code: str | None) -> str | None:
    if not code:
        return None
    if db.execute("SELECT 1 FROM methodologies WHERE code = ?", [code]).fetchone() is None:
        raise ModelError(_("There is no methodology '{code}'.").format(code=code))
    return code


def create_model(
    db: Database,
    actor: Actor,
    slug: str,
    *,
    name: str,
    description: str | None = None,
    methodology: str | None = None,
    source: str | None = None,
) -> int:
    """Create a governance model (version 1, no elements yet, listed last); return its id.

    Parameters
    ----------
    db : Database
        The store.
    actor : Actor
        Who acts; needs ``model.edit`` (administrators and editors).
    slug : str
        Short lower-case identifier used in links and on the command line, e.g. ``local-champions``.
    name, description, methodology, source : str
        The model's name, what it says, the methodology code it follows and where it comes from.

    Examples
    --------
    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> create_model(db, cli_actor(), "m", name="Model")
    1
    """
    authorize(actor, "model.edit")
    slug = clean_text(slug, multiline=False).strip().lower()
    if not SLUG.fullmatch(slug):
        raise ModelError(_("A model's short name uses lower-case letters, digits and hyphens, e.g. local-champions."))
    values = [slug, _name(name, "model"), _optional(description), _methodology(db, methodology), _optional(source)]
    with db.atomic():
        if db.execute("SELECT 1 FROM governance_models WHERE slug = ?", [slug]).fetchone():
            raise ModelError(_("There is already a governance model '{slug}'.").format(slug=slug))
        position = db.execute("SELECT coalesce(max(position), count(*)) + 1 FROM governance_models").fetchone()[0]
        model_id = db.execute(
            """INSERT INTO governance_models (slug, name, summary, methodology, source, version, position)
               VALUES (?, ?, ?, ?, ?, 1, ?)""",
            [*values, position],
        ).lastrowid
        db.execute("INSERT INTO model_versions (model_id, number, note) VALUES (?, 1, 'created')", [model_id])
        record(db, actor, "model.create", object_type="governance_model", object_id=slug, rows=1,
               detail={"name": values[1]})  # fmt: skip
    return model_id


def update_model(db: Database, actor: Actor, slug: str, **changes) -> int:
    """Change a model's ``name``, ``description``, ``methodology`` or ``source``; return its current version.

    The version is a new one when the model had been voted on.
    """
    authorize(actor, "model.edit")
    unknown = set(changes) - {"name", "description", "methodology", "source"}
    if unknown:
        raise ModelError(_("A model has no field '{field}'.").format(field=sorted(unknown)[0]))
    with db.atomic():
        model = _model(db, slug)
        values = {}
        if "name" in changes:
            values["name"] = _name(changes["name"], "model")
        if "description" in changes:
            values["summary"] = _optional(changes["description"])
        if "methodology" in changes:
            values["methodology"] = _methodology(db, changes["methodology"])
        if "source" in changes:
            values["source"] = _optional(changes["source"])
        values = {k: v for k, v in values.items() if v != model[k]}
        if not values:
            return model["version"]
        version, _moved = _editable_version(db, model, "model changed: " + ", ".join(sorted(values)))
        for column, value in values.items():  # column names come from the fixed set above
            db.execute(f"UPDATE governance_models SET {column} = ? WHERE id = ?", [value, model["id"]])
        record(db, actor, "model.edit", object_type="governance_model", object_id=slug, rows=1,
               detail={"changed": sorted(values), "version": version})  # fmt: skip
    return version


def move_model(db: Database, actor: Actor, slug: str, step: int) -> None:
    """Move a model up (``step`` −1) or down (+1) in the order models are listed in."""
    authorize(actor, "model.edit")
    with db.atomic():
        _model(db, slug)
        order = [r[0] for r in db.execute("SELECT slug FROM governance_models ORDER BY coalesce(position, 1e9), name")]
        at = order.index(slug)
        to = min(max(at + int(step), 0), len(order) - 1)
        order.insert(to, order.pop(at))
        for position, other in enumerate(order, start=1):
            db.execute("UPDATE governance_models SET position = ? WHERE slug = ?", [position, other])
        record(db, actor, "model.order", object_type="governance_model", object_id=slug, rows=1,
               detail={"from": at + 1, "to": to + 1})  # fmt: skip


def retire_model(db: Database, actor: Actor, slug: str, retired: bool = True) -> None:
    """Retire a model (it stays, with its versions, links and votes, marked retired), or bring it back."""
    authorize(actor, "model.edit")
    with db.atomic():
        model = _model(db, slug)
        db.execute(
            f"UPDATE governance_models SET retired_at = {'(' + _now_sql() + ')' if retired else 'NULL'} WHERE id = ?",
            [model["id"]],
        )
        record(db, actor, "model.retire" if retired else "model.restore", object_type="governance_model",
               object_id=slug, rows=1)  # fmt: skip


def _renumber(db: Database, model_id: int, version: int, order: list[int]) -> None:
    for position, element_id in enumerate(order, start=1):
        db.execute("UPDATE model_elements SET position = ? WHERE id = ?", [-position, element_id])
    db.execute("UPDATE model_elements SET position = -position WHERE model_id = ? AND version = ?", [model_id, version])


def _order(db: Database, model_id: int, version: int) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            "SELECT id FROM model_elements WHERE model_id = ? AND version = ? ORDER BY position, id",
            [model_id, version],
        )
    ]


def _element_at(db: Database, model: dict, number: int) -> int:
    order = _order(db, model["id"], model["version"])
    if not 1 <= int(number) <= len(order):
        raise ModelError(
            _("The model '{slug}' has no element number {number} (it has {n}).").format(
                slug=model["slug"], number=number, n=len(order)
            )
        )
    return order[int(number) - 1]


def add_element(
    db: Database, actor: Actor, slug: str, name: str, *, kind: str = "principle", description: str | None = None
) -> int:
    """Append an element (a principle or a step) to a model's current version; return its id."""
    authorize(actor, "model.edit")
    if kind not in KINDS:
        raise ModelError(_("An element is either a principle or a step."))
    name, description = _name(name, "element"), _optional(description)
    with db.atomic():
        model = _model(db, slug)
        version, _moved = _editable_version(db, model, f"element added: {name}")
        keys = {r[0] for r in db.execute("SELECT key FROM model_elements WHERE model_id = ?", [model["id"]])}
        number = len(keys) + 1
        while f"E{number}" in keys:
            number += 1
        position = len(_order(db, model["id"], version)) + 1
        element_id = db.execute(
            """INSERT INTO model_elements (model_id, version, key, position, kind, name, description)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [model["id"], version, f"E{number}", position, kind, name, description],
        ).lastrowid
        record(db, actor, "model.element.add", object_type="governance_model", object_id=slug, rows=1,
               detail={"key": f"E{number}", "name": name, "version": version})  # fmt: skip
    return element_id


def update_element(db: Database, actor: Actor, slug: str, number: int, **changes) -> int:
    """Change the ``name``, ``description`` or ``kind`` of element ``number`` of a model's current version.

    ``number`` is 1-based, in order. Returns the version changed (a new one when the model had been voted on).
    """
    authorize(actor, "model.edit")
    unknown = set(changes) - {"name", "description", "kind"}
    if unknown:
        raise ModelError(_("An element has no field '{field}'.").format(field=sorted(unknown)[0]))
    values = {}
    if "name" in changes:
        values["name"] = _name(changes["name"], "element")
    if "description" in changes:
        values["description"] = _optional(changes["description"])
    if "kind" in changes:
        if changes["kind"] not in KINDS:
            raise ModelError(_("An element is either a principle or a step."))
        values["kind"] = changes["kind"]
    with db.atomic():
        model = _model(db, slug)
        element_id = _element_at(db, model, number)
        cursor = db.execute("SELECT key, name, description, kind FROM model_elements WHERE id = ?", [element_id])
        now = dict(zip([c[0] for c in cursor.description], cursor.fetchone()))
        values = {k: v for k, v in values.items() if v != now[k]}
        if not values:
            return model["version"]
        version, moved = _editable_version(db, model, f"element {now['key']} changed")
        for column, value in values.items():  # column names come from the fixed set above
            db.execute(f"UPDATE model_elements SET {column} = ? WHERE id = ?", [value, moved[element_id]])
        record(db, actor, "model.element.edit", object_type="governance_model", object_id=slug, rows=1,
               detail={"key": now["key"], "changed": sorted(values), "version": version})  # fmt: skip
    return version


def remove_element(db: Database, actor: Actor, slug: str, number: int) -> int:
    """Remove element ``number`` from a model's current version (a voted version keeps it); return the version."""
    authorize(actor, "model.edit")
    with db.atomic():
        model = _model(db, slug)
        element_id = _element_at(db, model, number)
        key = db.execute("SELECT key FROM model_elements WHERE id = ?", [element_id]).fetchone()[0]
        version, moved = _editable_version(db, model, f"element {key} removed")
        db.execute("DELETE FROM model_elements WHERE id = ?", [moved[element_id]])
        _renumber(db, model["id"], version, _order(db, model["id"], version))
        record(db, actor, "model.element.remove", object_type="governance_model", object_id=slug, rows=1,
               detail={"key": key, "version": version})  # fmt: skip
    return version


def move_element(db: Database, actor: Actor, slug: str, number: int, step: int) -> int:
    """Move element ``number`` up (``step`` −1) or down (+1) in its model; return the version changed."""
    authorize(actor, "model.edit")
    with db.atomic():
        model = _model(db, slug)
        element_id = _element_at(db, model, number)
        version, moved = _editable_version(db, model, "elements reordered")
        order = _order(db, model["id"], version)
        at = order.index(moved[element_id])
        to = min(max(at + int(step), 0), len(order) - 1)
        order.insert(to, order.pop(at))
        _renumber(db, model["id"], version, order)
        record(db, actor, "model.element.order", object_type="governance_model", object_id=slug, rows=1,
               detail={"from": at + 1, "to": to + 1, "version": version})  # fmt: skip
    return version


def reorder_elements(db: Database, actor: Actor, slug: str, keys: list[str]) -> int:
    """Put the elements of a model's current version in the order of ``keys``; return the version changed.

    ``keys`` holds each element key once, e.g. ``["E3", "E1", "E2"]``; the version changed is a new one when the model
    had been voted on.
    """
    authorize(actor, "model.edit")
    with db.atomic():
        model = _model(db, slug)
        ids = {
            key: element_id
            for element_id, key in db.execute(
                "SELECT id, key FROM model_elements WHERE model_id = ? AND version = ? ORDER BY position, id",
                [model["id"], model["version"]],
            )
        }
        if sorted(keys) != sorted(ids) or len(set(keys)) != len(keys):
            raise ModelError(
                _("Give each element of '{slug}' once: {keys}.").format(slug=slug, keys=", ".join(ids))
                if ids
                else _("The model '{slug}' has no elements to put in order.").format(slug=slug)
            )
        if list(keys) == list(ids):
            return model["version"]
        version, moved = _editable_version(db, model, "elements reordered")
        _renumber(db, model["id"], version, [moved[ids[key]] for key in keys])
        record(db, actor, "model.element.order", object_type="governance_model", object_id=slug, rows=len(keys),
               detail={"order": list(keys), "version": version})  # fmt: skip
    return version


def element_number(db: Database, slug: str, key: str) -> int | None:
    """Return the number (1-based place) of the element with ``key`` in a model's current version, or None."""
    model = _model(db, slug)
    order = db.execute(
        "SELECT key FROM model_elements WHERE model_id = ? AND version = ? ORDER BY position, id",
        [model["id"], model["version"]],
    ).fetchall()
    keys = [r[0] for r in order]
    return keys.index(key) + 1 if key in keys else None


def element_id_of(db: Database, slug: str, number: int) -> int:
    """Return the id of element ``number`` (1-based, in order) of a model's current version."""
    return _element_at(db, _model(db, slug), number)
