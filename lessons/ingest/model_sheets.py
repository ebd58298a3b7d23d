"""The template's governance-model sheets: *Models*, *Model elements* and *Lesson links*.

They go through the same steps as the pilot sheets: every row is checked (file, sheet, row, column, the fix), the
preview lists what will change, the commit writes it in the upload's one transaction, and undo restores it.

- **Models**: one row per model, matched by its short name (``slug``); a new name creates a model, a known one
  updates the values given (an empty cell keeps what the model has).
- **Model elements**: the elements of the models the sheet names, ordered by their *Number* (each number once per
  model, so the order is a plain ranking and can hold no cycle). A row with an element *key* (E1, E2 …) is that
  element; a row without one is the element now at that number, or a new element. Elements the sheet leaves out
  stay, after the listed ones, unless the upload removes missing rows.
- **Lesson links**: a lesson (pilot and key) supports or challenges an element (model and number). Editors and
  administrators link; a coordinator's rows are proposals for their own pilots' lessons, which an editor accepts.

Writes go through :mod:`lessons.model_authoring` and :mod:`lessons.model_links`, so the versioning rule holds here
too: a model a workshop has voted on gets a new version instead of a changed one. Only administrators and editors
author models. Every row the commit touches is recorded with its before and after image (``upload_changes``), and
the touched models' content is fingerprinted so that undo is refused once the model changed again afterwards.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from lessons import model_authoring as authoring
from lessons import model_links
from lessons.i18n import _, ngettext, number
from lessons.ingest import normalise as norm
from lessons.ingest.fields import MODEL_SHEETS
from lessons.ingest.plan import Change
from lessons.ingest.problems import Problem
from lessons.ingest.tables import Upload
from lessons.ingest.validate import (
    Options,
    Prepared,
    _check_row,
    _pilot_slug,
    _text,
    _Vocabularies,
    guess_mapping,
    missing_columns,
)
from lessons.permissions import Actor, can

#: The tables a model upload writes, parents first.
MODEL_TABLES = ("governance_models", "model_versions", "model_elements", "lesson_elements")
#: Tables in the preview and their names there.
PREVIEW_TABLES = {"models": "Models", "model elements": "Model elements", "lesson links": "Lesson links"}


@dataclass
class ModelRows:
    """The checked rows of the model sheets."""

    models: dict[str, dict] = field(default_factory=dict)  # slug -> name, description, methodology, source
    elements: dict[str, list[dict]] = field(default_factory=dict)  # slug -> rows: number, key, title, kind, description
    links: list[dict] = field(default_factory=list)  # model, element, pilot, lesson, stance, note, status
    proposals: int = 0


def _int(value) -> int | None:
    return int(value) if isinstance(value, float) and value.is_integer() and value >= 1 else None


def _rows(upload: Upload, name: str, options: Options, vocab, prepared: Prepared):
    """Yield each non-empty row of the sheets called ``name``: (where, raw row, values, problems).

    Nothing is yielded when a required column is missing (reported once).
    """
    for sheet in upload.sheet(name):
        mapping = options.mapping.get(name) or guess_mapping(sheet.columns, name)
        missing = missing_columns(sheet, mapping, options.defaults.get(name, {}))
        if missing:
            prepared.problems.append(missing)
            continue
        for offset, raw in enumerate(sheet.rows):
            row_number = sheet.row_number(offset)
            if not any(_text(v) for v in raw.values()):
                continue
            values, problems = _check_row(sheet, row_number, raw, mapping, vocab, options, prepared)
            yield (sheet.file, name, row_number), raw, values, problems, mapping


def _set_aside(prepared: Prepared, where, raw, problems: list[Problem]) -> bool:
    """Record the row's problems; set it aside (and return True) when one is an error."""
    prepared.problems += problems
    errors = [p.message for p in problems if p.severity == "error"]
    if errors:
        prepared.rejected.append(dict(raw, _reason="; ".join(errors), _sheet=where[1], _row=where[2]))
    return bool(errors)


def _has_rows(upload: Upload, name: str) -> int:
    return sum(1 for sheet in upload.sheet(name) for raw in sheet.rows if any(_text(v) for v in raw.values()))


def prepare_models(db: Database, actor: Actor, upload: Upload, options: Options, prepared: Prepared) -> ModelRows:
    """Check the rows of the model sheets for ``actor``; the problems go into ``prepared`` like the other sheets'."""
    rows = ModelRows()
    if not any(upload.sheet(name) for name in MODEL_SHEETS):
        return rows
    vocab = _Vocabularies(db)
    stored = {slug: model_id for model_id, slug in db.execute("SELECT id, slug FROM governance_models")}
    authoring_sheets = [name for name in ("Models", "Model elements") if _has_rows(upload, name)]
    may_author = can(actor, "model.edit")
    if authoring_sheets and not may_author:
        source = next(s.file for name in authoring_sheets for s in upload.sheet(name))
        prepared.problems.append(
            Problem(source, authoring_sheets[0], None, None,
                    (_("Only administrators and model editors author governance models, so the {first} and {second} sheets are not read.").format(first=authoring_sheets[0], second=authoring_sheets[-1])
                     if len(authoring_sheets) > 1
                     else _("Only administrators and model editors author governance models, so the {sheet} sheet is not read.").format(sheet=authoring_sheets[0])),
                    _("Leave those sheets empty (or remove them) and upload again; an editor or administrator adds models."))
        )  # fmt: skip
    if may_author:
        _check_models(upload, options, vocab, prepared, rows)
        _check_elements(db, upload, options, vocab, prepared, rows, stored)
    _check_links(db, actor, upload, options, vocab, prepared, rows, stored)
    if rows.proposals:
        prepared.problems.append(
            Problem(upload.sheet("Lesson links")[0].file, "Lesson links", None, None,
                    ngettext("{n} link will be a proposal: it counts once an editor or administrator accepts it on the Governance models page.",
                             "{n} links will be proposals: they count once an editor or administrator accepts them on the Governance models page.",
                             rows.proposals).format(n=number(rows.proposals)),
                    "", "warning")
        )  # fmt: skip
    return rows


def _check_models(upload, options, vocab, prepared, rows: ModelRows) -> None:
    seen: dict[str, int] = {}
    for where, raw, values, problems, mapping in _rows(upload, "Models", options, vocab, prepared):
        slug = str(values.get("slug") or "").strip().lower()
        column = mapping.get("slug", "Model")
        if slug and not authoring.SLUG.fullmatch(slug):
            problems.append(Problem(*where, column, _("'{value}' cannot be a model's short name.").format(value=values["slug"]),
                                    _("Use lower-case letters, digits and hyphens, e.g. local-champions.")))  # fmt: skip
        elif slug in seen:
            problems.append(Problem(*where, column, _("This row repeats row {row} (model '{model}').").format(row=seen[slug], model=slug),
                                    _("Keep one row per model.")))  # fmt: skip
        if _set_aside(prepared, where, raw, problems):
            continue
        seen[slug] = where[2]
        rows.models[slug] = {k: values.get(k) for k in ("name", "description", "methodology", "source")}


def _check_elements(db, upload, options, vocab, prepared, rows: ModelRows, stored: dict) -> None:
    numbers: dict[tuple[str, int], int] = {}
    keys: dict[tuple[str, str], int] = {}
    current: dict[str, list[dict]] = {}
    for where, raw, values, problems, mapping in _rows(upload, "Model elements", options, vocab, prepared):
        slug = str(values.get("model") or "").strip().lower()
        number = _int(values.get("number")) if values.get("number") is not None else None
        key = str(values.get("key") or "").strip().upper() or None
        if slug and slug not in rows.models and slug not in stored:
            known = ", ".join(sorted({*rows.models, *stored})[:8]) or "none yet"
            problems.append(Problem(*where, mapping.get("model", "Model"), _("There is no governance model '{model}'.").format(model=slug),
                                    _("Add it to the Models sheet, or check the short name (models: {models}).").format(models=known)))  # fmt: skip
        if values.get("number") is not None and number is None:
            problems.append(Problem(*where, mapping.get("number", "Number"),
                                    _("The number must be a whole number from 1 (1, 2, 3 …)."),
                                    _("Number the elements 1, 2, 3 … in the order they belong in the model.")))  # fmt: skip
        elif number is not None and (slug, number) in numbers:
            problems.append(Problem(*where, mapping.get("number", "Number"),
                                    _("Element number {number} of model '{model}' is given twice (rows {first} and {second}).").format(number=number, model=slug, first=numbers[slug, number], second=where[2]),
                                    _("Give each element of a model its own number; the numbers set the order.")))  # fmt: skip
        if key and slug in stored:
            if slug not in current:
                current[slug] = authoring.current_elements(db, slug)
            if key not in {e["key"] for e in current[slug]}:
                listed = ", ".join(e["key"] for e in current[slug]) or "none yet"
                problems.append(Problem(*where, mapping.get("key", "Element key"),
                                        _("Model '{model}' has no element {key} (its elements: {elements}).").format(model=slug, key=key, elements=listed),
                                        _("Leave the key empty for a new element, or copy it from the models page.")))  # fmt: skip
        elif key and slug:
            problems.append(Problem(*where, mapping.get("key", "Element key"),
                                    _("Model '{model}' is new, so it has no element {key} yet.").format(model=slug, key=key),
                                    _("Leave the key empty: new elements get their keys when they are created.")))  # fmt: skip
        if key and (slug, key) in keys:
            problems.append(Problem(*where, mapping.get("key", "Element key"),
                                    _("Element {key} of model '{model}' is given twice (rows {first} and {second}).").format(key=key, model=slug, first=keys[slug, key], second=where[2]),
                                    _("Keep one row per element.")))  # fmt: skip
        if _set_aside(prepared, where, raw, problems):
            continue
        numbers[slug, number] = where[2]
        if key:
            keys[slug, key] = where[2]
        rows.elements.setdefault(slug, []).append(
            {"number": number, "key": key, "name": values["title"], "kind": values.get("kind") or "principle",
             "description": values.get("description"), "_where": where}
        )  # fmt: skip


def final_elements(db: Database, rows: ModelRows, slug: str, *, remove_missing: bool = False) -> tuple[list, list]:
    """Return the elements ``slug`` will have after the upload, in order, and the current elements it removes.

    Each item is ``(row or None, current element or None)``: a row of the sheet matched to the element it changes
    (or None for a new element), or an element the sheet leaves out (row None).
    """
    exists = db.execute("SELECT 1 FROM governance_models WHERE slug = ?", [slug]).fetchone() is not None
    current = authoring.current_elements(db, slug) if exists else []
    given = rows.elements.get(slug)
    if given is None:
        return [(None, e) for e in current], []
    by_key = {e["key"]: e for e in current}
    claimed = {row["key"] for row in given if row["key"]}
    items = []
    for row in sorted(given, key=lambda r: r["number"]):
        match = by_key.get(row["key"]) if row["key"] else None
        if match is None and not row["key"] and row["number"] <= len(current):
            at = current[row["number"] - 1]
            if at["key"] not in claimed:
                match = at
                claimed.add(at["key"])
        items.append(((row["number"], 0), row, match))
    left = [e for e in current if e["key"] not in claimed]
    if remove_missing:
        return [(row, match) for _, row, match in sorted(items, key=lambda i: i[0])], left
    items += [((e["position"], 1), None, e) for e in left]
    return [(row, match) for _, row, match in sorted(items, key=lambda i: i[0])], []


def _check_links(db, actor, upload, options, vocab, prepared, rows: ModelRows, stored: dict) -> None:
    pilots = {slug: pid for pid, slug in db.execute("SELECT id, slug FROM pilots")}
    pilot_names = {norm.fold(name): slug for slug, name in db.execute("SELECT slug, name FROM pilots")}
    pilot_names.update({norm.fold(slug): slug for slug in pilots})
    pilot_names.update({norm.fold(f["name"]): slug for slug, f in prepared.pilots.items() if f.get("name")})
    default_pilot = options.pilot or (next(iter(prepared.pilots)) if len(prepared.pilots) == 1 else None)
    uploaded = {(r["pilot"], r["key"]) for r in prepared.rows["lessons"]}
    counts: dict[str, int] = {}
    seen: dict[tuple, int] = {}
    may_link = can(actor, "model.link")
    for where, raw, values, problems, mapping in _rows(upload, "Lesson links", options, vocab, prepared):
        slug = str(values.get("model") or "").strip().lower()
        number = _int(values.get("element")) if values.get("element") is not None else None
        pilot = _pilot_slug(values.get("pilot"), pilot_names) or default_pilot
        lesson = values.get("lesson")
        if slug and slug not in stored and slug not in rows.models:
            known = ", ".join(sorted({*rows.models, *stored})[:8]) or "none yet"
            problems.append(Problem(*where, mapping.get("model", "Model"), _("There is no governance model '{model}'.").format(model=slug),
                                    _("Check the short name (models: {models}), or add the model to the Models sheet.").format(models=known)))  # fmt: skip
        elif slug:
            if slug not in counts:
                counts[slug] = len(final_elements(db, rows, slug, remove_missing=options.remove_missing)[0])
            if values.get("element") is not None and (number is None or number > counts[slug]):
                problems.append(Problem(*where, mapping.get("element", "Element number"),
                                        _("Model '{model}' has no element number {number} (it has {count}).").format(model=slug, number=_text(values["element"]), count=counts[slug]),
                                        _("Use the element's number as the models page or the Model elements sheet shows it.")))  # fmt: skip
        if not pilot:
            problems.append(Problem(*where, "pilot", _("The row names no pilot."),
                                    _("Add a Pilot column, or choose the pilot for the whole file.")))  # fmt: skip
        elif lesson and pilot not in pilots and (pilot, lesson) not in uploaded:
            problems.append(Problem(*where, mapping.get("pilot", "Pilot"), _("There is no pilot '{pilot}'.").format(pilot=pilot),
                                    _("Check the pilot's slug.")))  # fmt: skip
        elif (
            lesson
            and (pilot, lesson) not in uploaded
            and db.execute("SELECT 1 FROM lessons WHERE pilot_id = ? AND key = ?", [pilots[pilot], lesson]).fetchone()
            is None
        ):
            problems.append(Problem(*where, mapping.get("lesson", "Lesson key"),
                                    _("Pilot '{pilot}' has no lesson '{lesson}'.").format(pilot=pilot, lesson=lesson),
                                    _("Check the lesson's key (shown on the lesson's page), or add the lesson to the Lessons sheet.")))  # fmt: skip
        status = "accepted"
        if pilot and not may_link:
            if pilot in pilots and can(actor, "model.link.propose", pilots[pilot]):
                status = "proposed"
            else:
                problems.append(Problem(*where, mapping.get("pilot", "Pilot"),
                                        _("You may not link lessons of the pilot '{pilot}'.").format(pilot=pilot),
                                        _("Coordinators propose links for their own pilots' lessons only; ask that pilot's coordinator or an editor.")))  # fmt: skip
        identity = (slug, number, pilot, lesson)
        if identity in seen and not any(p.severity == "error" for p in problems):
            problems.append(Problem(*where, None, _("This row repeats row {row}.").format(row=seen[identity]),
                                    _("Keep one row per lesson and element.")))  # fmt: skip
        if _set_aside(prepared, where, raw, problems):
            continue
        seen[identity] = where[2]
        rows.proposals += status == "proposed"
        rows.links.append({"model": slug, "element": number, "pilot": pilot, "lesson": lesson,
                           "stance": values["stance"], "note": values.get("note"), "status": status, "_where": where})  # fmt: skip


# --- the preview ------------------------------------------------------------------------------------------------

_MODEL_FIELDS = {"name": "name", "description": "summary", "methodology": "methodology", "source": "source"}
_ELEMENT_FIELDS = ("name", "kind", "description")


def _lesson_id(db: Database, pilot: str, key: str) -> int | None:
    row = db.execute(
        "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? AND l.key = ?", [pilot, key]
    ).fetchone()
    return row[0] if row else None


def plan_models(db: Database, rows: ModelRows | None, *, remove_missing: bool = False) -> list[Change]:
    """Plan the changes the model sheets make, for the preview (tables *models*, *model elements*, *lesson links*)."""
    if rows is None:
        return []
    changes: list[Change] = []
    for slug, values in rows.models.items():
        found = db.execute("SELECT 1 FROM governance_models WHERE slug = ?", [slug]).fetchone()
        if found is None:
            changes.append(Change("models", slug, (slug,), "insert", None, {k: v for k, v in values.items()}))
            continue
        model = authoring.model_row(db, slug)
        before = {field: model[column] for field, column in _MODEL_FIELDS.items()}
        changed = [k for k, v in values.items() if v is not None and v != before[k]]
        if changed:
            changes.append(Change("models", slug, (slug,), "update", before, {**before, **values}, changed))
    finals = {}
    for slug in rows.elements:
        items, removed = finals[slug] = final_elements(db, rows, slug, remove_missing=remove_missing)
        for position, (row, match) in enumerate(items, start=1):
            if match is None:
                after = {k: row[k] for k in _ELEMENT_FIELDS} | {"position": position}
                changes.append(Change("model elements", slug, (f"new, number {position}",), "insert", None, after))
                continue
            before = {k: match[k] for k in _ELEMENT_FIELDS} | {"position": match["position"]}
            after = dict(before, position=position)
            if row is not None:
                after.update({k: row[k] for k in _ELEMENT_FIELDS if row[k] is not None})
            changed = [k for k in (*_ELEMENT_FIELDS, "position") if after[k] != before[k]]
            if changed:
                changes.append(Change("model elements", slug, (match["key"],), "update", before, after, changed))
        for element in removed:
            before = {k: element[k] for k in _ELEMENT_FIELDS} | {"position": element["position"]}
            changes.append(Change("model elements", slug, (element["key"],), "delete", before, None))
    for link in rows.links:
        slug = link["model"]
        if slug not in finals:
            exists = db.execute("SELECT 1 FROM governance_models WHERE slug = ?", [slug]).fetchone()
            finals[slug] = ([(None, e) for e in authoring.current_elements(db, slug)] if exists else [], [])
        _, match = finals[slug][0][link["element"] - 1]
        lesson_id = _lesson_id(db, link["pilot"], link["lesson"])
        found = None
        if match is not None and lesson_id is not None:
            found = db.execute(
                "SELECT stance, note, status FROM lesson_elements WHERE lesson_id = ? AND element_id = ?",
                [lesson_id, match["id"]],
            ).fetchone()
        after = {"stance": link["stance"], "note": link["note"], "status": link["status"],
                 "name": f"{link['stance']} element {link['element']} of {slug}"}  # fmt: skip
        key = (f"{link['lesson']} → {slug} #{link['element']}",)
        if found is None:
            changes.append(Change("lesson links", link["pilot"], key, "insert", None, after))
            continue
        before = dict(zip(("stance", "note", "status"), found))
        if link["status"] == "proposed" and before["status"] == "accepted":
            continue  # an accepted link stands; a proposal cannot change it
        changed = [k for k in ("stance", "note", "status") if after[k] != before[k]]
        if changed:
            changes.append(Change("lesson links", link["pilot"], key, "update", before, {**before, **after}, changed))
    return changes


# --- the commit -------------------------------------------------------------------------------------------------


def _model_ids(db: Database, slugs) -> list[int]:
    slugs = sorted(slugs)
    marks = ", ".join("?" for _ in slugs) or "NULL"
    return [r[0] for r in db.execute(f"SELECT id FROM governance_models WHERE slug IN ({marks})", slugs)]


def snapshot(db: Database, model_ids: list[int]) -> dict[tuple[str, int], dict]:
    """Every row of the given models (the model, its versions, elements and lesson links) by (table, row id)."""
    marks = ", ".join("?" for _ in model_ids) or "NULL"
    queries = {
        "governance_models": f"SELECT id AS _rowid, * FROM governance_models WHERE id IN ({marks})",
        "model_versions": f"SELECT id AS _rowid, * FROM model_versions WHERE model_id IN ({marks})",
        "model_elements": f"SELECT id AS _rowid, * FROM model_elements WHERE model_id IN ({marks})",
        "lesson_elements": f"""SELECT rowid AS _rowid, * FROM lesson_elements WHERE element_id IN
                               (SELECT id FROM model_elements WHERE model_id IN ({marks}))""",
    }
    rows = {}
    for table, sql in queries.items():
        cursor = db.execute(sql, model_ids)
        names = [c[0] for c in cursor.description]
        for values in cursor.fetchall():
            image = dict(zip(names, values))
            rows[table, image.pop("_rowid")] = image
    return rows


def fingerprint(db: Database, model_ids: list[int]) -> str:
    """Return a hash of everything stored about the given models; equal hashes mean nothing changed."""
    rows = sorted((f"{table}:{row_id}", image) for (table, row_id), image in snapshot(db, model_ids).items())
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


def apply_models(db: Database, actor: Actor, rows: ModelRows, *, remove_missing: bool, log) -> str | None:
    """Write the model sheets' rows through the model-authoring rules, inside the caller's transaction.

    Each row changed is reported to ``log(pilot_id, table, row_id, op, before, after)``. Returns the fingerprint record
    for undo (a JSON text: the model ids and their fingerprint), or None when the sheets were empty.
    """
    slugs = set(rows.models) | set(rows.elements) | {link["model"] for link in rows.links}
    if not slugs:
        return None
    before = snapshot(db, _model_ids(db, slugs))
    for slug, values in rows.models.items():
        given = {k: v for k, v in values.items() if v is not None}
        if db.execute("SELECT 1 FROM governance_models WHERE slug = ?", [slug]).fetchone() is None:
            authoring.create_model(db, actor, slug, **given)
        else:
            authoring.update_model(db, actor, slug, **given)
    for slug in rows.elements:
        items, removed = final_elements(db, rows, slug, remove_missing=remove_missing)
        for row, match in items:
            if row is not None and match is not None:
                changed = {k: row[k] for k in _ELEMENT_FIELDS if row[k] is not None and row[k] != match[k]}
                if changed:
                    number = authoring.element_number(db, slug, match["key"])
                    authoring.update_element(db, actor, slug, number, **changed)
        for element in removed:
            authoring.remove_element(db, actor, slug, authoring.element_number(db, slug, element["key"]))
        keys = []
        for row, match in items:
            if match is not None:
                keys.append(match["key"])
                continue
            element_id = authoring.add_element(db, actor, slug, row["name"], kind=row["kind"],
                                               description=row["description"])  # fmt: skip
            keys.append(db.execute("SELECT key FROM model_elements WHERE id = ?", [element_id]).fetchone()[0])
        authoring.reorder_elements(db, actor, slug, keys)
    for link in rows.links:
        element_id = authoring.element_id_of(db, link["model"], link["element"])
        lesson_id = _lesson_id(db, link["pilot"], link["lesson"])
        if link["status"] == "accepted":
            model_links.link_lessons(db, actor, element_id, [lesson_id], link["stance"], link["note"])
        elif (
            db.execute(
                "SELECT 1 FROM lesson_elements WHERE lesson_id = ? AND element_id = ? AND status = 'accepted'",
                [lesson_id, element_id],
            ).fetchone()
            is None
        ):
            model_links.propose_links(db, actor, element_id, [lesson_id], link["stance"], link["note"])
    model_ids = _model_ids(db, slugs)
    after = snapshot(db, model_ids)
    _log_difference(db, before, after, log)
    return json.dumps({"models": model_ids, "fingerprint": fingerprint(db, model_ids)})


def _log_difference(db: Database, before: dict, after: dict, log) -> None:
    """Log rows removed (children first), added (parents first), then changed.

    Undo replays the log backwards, so it restores parents before their children and removes children before their
    parents.
    """
    rank = {table: i for i, table in enumerate(MODEL_TABLES)}

    def pilot_of(table: str, image: dict) -> int | None:
        if table != "lesson_elements":
            return None
        row = db.execute("SELECT pilot_id FROM lessons WHERE id = ?", [image["lesson_id"]]).fetchone()
        return row[0] if row else None

    removed = sorted((k for k in before if k not in after), key=lambda k: (-rank[k[0]], k[1]))
    added = sorted((k for k in after if k not in before), key=lambda k: (rank[k[0]], k[1]))
    changed = sorted((k for k in after if k in before and after[k] != before[k]), key=lambda k: (rank[k[0]], k[1]))
    for key in removed:
        log(pilot_of(key[0], before[key]), key[0], key[1], "delete", before[key], None)
    for key in added:
        log(pilot_of(key[0], after[key]), key[0], key[1], "insert", None, after[key])
    for key in changed:
        log(pilot_of(key[0], after[key]), key[0], key[1], "update", before[key], after[key])


# --- undo -------------------------------------------------------------------------------------------------------


def undo_refusal(db: Database, upload: dict, changes: list[dict]) -> str | None:
    """Return why an upload's model changes cannot be undone now, or None.

    Refused when the models changed after the upload (on the models page or by another upload), or when a workshop uses
    an element the undo would change.
    """
    record = upload.get("models_fingerprint")
    if not record:
        return None
    record = json.loads(record)
    if fingerprint(db, record["models"]) != record["fingerprint"]:
        return _(
            "A governance model this upload changed was changed again afterwards (on the Governance models page or "
            "by another upload); undoing it would lose those changes."
        )
    element_ids = [c["row_id"] for c in changes if c["table_name"] == "model_elements" and c["op"] != "delete"]
    if element_ids:
        marks = ", ".join("?" for _ in element_ids)
        used = db.execute(
            f"""SELECT w.title FROM statements s JOIN workshops w ON w.id = s.workshop_id
                WHERE s.element_id IN ({marks}) LIMIT 1""",
            element_ids,
        ).fetchone()
        if used:
            return _(
                "The workshop '{title}' uses elements this upload wrote; undoing it would change what was voted on."
            ).format(title=used[0])
    return None


def touches_models(changes: list[dict]) -> bool:
    """Whether logged changes include model content (not only lesson links, which belong to the lessons' pilots)."""
    return any(c["table_name"] in MODEL_TABLES[:3] for c in changes)


def link_pilots(changes: list[dict]) -> list[int]:
    """Return the pilots whose lessons the logged changes linked to model elements."""
    return sorted({c["pilot_id"] for c in changes if c["table_name"] == "lesson_elements" and c["pilot_id"]})
