"""Import a methodology from a published process description: INTERLINK's co-production schemas (#14).

A schema ships as a folder: ``metadata.json`` (``id``, ``name_translations``, ``description_translations``,
``licence``) and ``phases/*.json``, each phase with ``id``, ``name_translations``, ``description_translations``,
``prerequisites`` (the phases that come before it) and ``objectives``, each objective with its ``tasks``. Each
INTERLINK phase becomes one step of a methodology, in the order its prerequisites give; its objectives and tasks
are listed in the step's description. Each step is mapped onto one of our shared co-creation phases: a mapping is
suggested by name (a word of the step's name that matches a word of a phase's name or code) or else by position,
and can be changed before anything is saved.

Reading and checking write nothing; a problem is an :class:`ImportRefused` naming the file, the place in the
document, the cause and the fix. :func:`commit_import` writes the methodology and its steps in one transaction,
audited, administrators only (``vocabulary.edit``).
"""

from __future__ import annotations

import difflib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from lessons.audit import record
from lessons.permissions import Actor, authorize
from lessons.text import clean_text

#: At most this many bytes are read from one schema (all its files together); the real ones are under 200 kB.
MAX_BYTES = 5_000_000
#: At most this many phases, objectives per phase and tasks per objective.
MAX_ITEMS = 200
_CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class ImportRefused(ValueError):
    """A schema that cannot be imported as given; nothing was written.

    ``problems`` lists (file, where, cause, fix).
    """

    def __init__(self, problems: list[tuple[str, str, str, str]]):
        self.problems = problems
        super().__init__("\n".join(f"{f}: {w}: {c} — {x}" for f, w, c, x in problems))


@dataclass
class Step:
    """One step of an imported methodology: an INTERLINK phase with its objectives and tasks."""

    position: int
    key: str
    name: str
    description: str
    phase: str | None = None


@dataclass
class Methodology:
    """A parsed schema, ready to preview and commit."""

    code: str
    name: str
    source: str
    description: str
    steps: list[Step] = field(default_factory=list)


def _text(translations, language: str = "en") -> str:
    """Return the English text of a ``*_translations`` object (else the first language), cleaned, without HTML tags."""
    if not isinstance(translations, dict) or not translations:
        return ""
    value = translations.get(language)
    if not isinstance(value, str):
        value = next((v for v in translations.values() if isinstance(v, str)), "")
    value = re.sub(r"<[^>]{0,200}>", " ", value)
    return re.sub(r"[ \t]+", " ", clean_text(value)).strip()


def read_files(path: str | Path) -> dict[str, bytes]:
    """Read the files of a schema on disk: a schema folder, its ``metadata.json``, or a ``.zip`` of the folder.

    Returns a mapping of relative names (``metadata.json``, ``phases/engage.json``) to their bytes.
    """
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        return unzip(path.read_bytes(), path.name)
    folder = path.parent if path.is_file() else path
    if not folder.is_dir():
        raise ImportRefused([(str(path), "(file)", "no such file or folder", "give a schema folder or its zip")])
    files = {}
    total = 0
    for name in ["metadata.json", *sorted(f"phases/{p.name}" for p in (folder / "phases").glob("*.json"))]:
        if (folder / name).is_file():
            data = (folder / name).read_bytes()
            total += len(data)
            if total > MAX_BYTES:
                raise ImportRefused([(str(folder), "(folder)", "larger than 5 MB", "import one schema at a time")])
            files[name] = data
    return files


def unzip(data: bytes, name: str = "upload.zip") -> dict[str, bytes]:
    """Return the JSON files of a zipped schema folder, by name relative to the folder that holds ``metadata.json``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [i for i in archive.infolist() if i.filename.endswith(".json") and not i.is_dir()]
        if sum(i.file_size for i in entries) > MAX_BYTES or len(entries) > MAX_ITEMS:
            raise ImportRefused([(name, "(zip)", "too large once unpacked", "zip one schema folder only")])
        metas = [i.filename for i in entries if i.filename.rsplit("/", 1)[-1] == "metadata.json"]
        if len(metas) != 1:
            raise ImportRefused([(name, "(zip)", "not exactly one metadata.json", "zip one schema folder")])
        root = metas[0][: -len("metadata.json")]
        return {i.filename[len(root) :]: archive.read(i) for i in entries if i.filename.startswith(root)}
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        if isinstance(err, ImportRefused):
            raise
        raise ImportRefused([(name, "(zip)", "not a readable zip file", "zip the schema folder again")]) from None


def _order(phases: list[dict]) -> list[dict]:
    """Phases in the order their prerequisites give (file order among equals); a cycle keeps file order."""
    ids = {p["id"] for p in phases}
    placed: list[dict] = []
    remaining = list(phases)
    while remaining:
        done = {p["id"] for p in placed}
        ready = [
            p for p in remaining
            if all(r.get("item") in done or r.get("item") not in ids for r in p["prerequisites"] if isinstance(r, dict))
        ]  # fmt: skip
        chosen = ready[0] if ready else remaining[0]
        placed.append(chosen)
        remaining.remove(chosen)
    return placed


def parse_schema(files: dict[str, bytes], *, source: str = "upload", code: str | None = None) -> Methodology:
    """Read and check an INTERLINK co-production schema; write nothing.

    Parameters
    ----------
    files : dict of str to bytes
        ``metadata.json`` and ``phases/<name>.json`` (see :func:`read_files`; a page passes its uploads).
    source : str
        How refusals name the schema (a folder or file name).
    code : str, optional
        The methodology's code; by default ``interlink-<schema id>``.

    Returns
    -------
    Methodology
        Its steps in process order, with no phase mapped yet (see :func:`suggest_mapping`).

    Raises
    ------
    ImportRefused
        With every problem found: file, path in the document, cause, fix.

    Examples
    --------
    >>> meta = {"id": "mini", "name_translations": {"en": "Mini"}, "description_translations": {}}
    >>> phase = {"id": "phase-a", "name_translations": {"en": "Engage"}, "prerequisites": [],
    ...          "objectives": [{"id": "o", "name_translations": {"en": "Meet"}, "tasks": []}]}
    >>> m = parse_schema({"metadata.json": json.dumps(meta).encode(), "phases/a.json": json.dumps(phase).encode()})
    >>> m.code, [s.name for s in m.steps]
    ('interlink-mini', ['Engage'])
    """
    problems: list[tuple[str, str, str, str]] = []

    def load(name: str):
        try:
            return json.loads(files[name].decode("utf-8"))
        except UnicodeDecodeError:
            problems.append((f"{source}/{name}", "(file)", "not UTF-8 text", "save the file as UTF-8 JSON"))
        except json.JSONDecodeError as err:
            problems.append(
                (f"{source}/{name}", f"line {err.lineno}, column {err.colno}", f"not valid JSON ({err.msg})",
                 "export the schema again from the catalogue")
            )  # fmt: skip
        except RecursionError:
            problems.append((f"{source}/{name}", "(file)", "nested too deeply", "this is not a co-production schema"))
        return None

    if sum(len(v) for v in files.values()) > MAX_BYTES:
        raise ImportRefused([(source, "(all files)", "larger than 5 MB", "import one schema at a time")])
    if "metadata.json" not in files:
        raise ImportRefused(
            [(source, "metadata.json", "missing", "give the schema folder (metadata.json and phases/*.json)")]
        )
    meta = load("metadata.json")
    phase_names = sorted(n for n in files if n.startswith("phases/") and n.endswith(".json"))
    if not phase_names:
        problems.append((source, "phases/", "no phase files", "include the schema's phases folder"))
    if len(phase_names) > MAX_ITEMS:
        problems.append((source, "phases/", f"more than {MAX_ITEMS} phases", "this is not a co-production schema"))
        phase_names = []
    name = description = ""
    schema_id = ""
    if meta is not None:
        where = f"{source}/metadata.json"
        if not isinstance(meta, dict):
            problems.append((where, "$", "not an object", "the metadata is one JSON object"))
        else:
            schema_id = meta.get("id") if isinstance(meta.get("id"), str) else ""
            if not _CODE.fullmatch(re.sub(r"[_\s]+", "-", schema_id.lower())):
                problems.append((where, "$.id", "missing or not a short identifier", 'give an id such as "default"'))
            name = _text(meta.get("name_translations"))
            if not name:
                problems.append((where, "$.name_translations", "no name", 'give {"en": "the schema\'s name"}'))
            description = _text(meta.get("description_translations"))
            if meta.get("licence"):
                description = f"{description} (Licence: {clean_text(str(meta['licence']))[:80]}.)".strip()
    phases = []
    for file_name in phase_names:
        doc = load(file_name)
        where = f"{source}/{file_name}"
        if doc is None:
            continue
        if not isinstance(doc, dict):
            problems.append((where, "$", "not an object", "each phase file is one JSON object"))
            continue
        if not isinstance(doc.get("id"), str) or not doc["id"]:
            problems.append((where, "$.id", "missing", 'give the phase an id such as "phase-engage"'))
            continue
        if not _text(doc.get("name_translations")):
            problems.append((where, "$.name_translations", "no name", 'give {"en": "the phase\'s name"}'))
            continue
        prerequisites = doc.get("prerequisites", [])
        objectives = doc.get("objectives", [])
        if not isinstance(prerequisites, list):
            problems.append((where, "$.prerequisites", "not a list", "list the phases that come before, or []"))
            continue
        if not isinstance(objectives, list) or len(objectives) > MAX_ITEMS:
            problems.append((where, "$.objectives", f"not a list of at most {MAX_ITEMS}", "list the objectives"))
            continue
        lines = []
        for i, objective in enumerate(objectives):
            tasks = objective.get("tasks", []) if isinstance(objective, dict) else None
            if not isinstance(tasks, list) or len(tasks) > MAX_ITEMS:
                problems.append((where, f"$.objectives[{i}]", "not an objective with a list of tasks",
                                 "each objective is an object with name_translations and tasks"))  # fmt: skip
                continue
            lines.append(f"- {_text(objective.get('name_translations')) or objective.get('id', '?')}")
            for j, task in enumerate(tasks):
                if not isinstance(task, dict):
                    problems.append((where, f"$.objectives[{i}].tasks[{j}]", "not an object",
                                     "each task is an object with name_translations"))  # fmt: skip
                    continue
                lines.append(f"  - {_text(task.get('name_translations')) or task.get('id', '?')}")
        summary = _text(doc.get("description_translations"))
        phases.append(
            {
                "id": doc["id"],
                "prerequisites": prerequisites,
                "name": _text(doc.get("name_translations"))[:200],
                "description": "\n".join(filter(None, [summary, "\n".join(lines)])),
            }
        )
    if problems:
        raise ImportRefused(problems)
    code = code or "interlink-" + re.sub(r"[_\s]+", "-", schema_id.lower())
    if not _CODE.fullmatch(code):
        raise ImportRefused([(source, "--code", f"{code!r} is not a code", "use lower-case letters, digits, dashes")])
    steps = [Step(i, p["id"], p["name"], p["description"]) for i, p in enumerate(_order(phases), start=1)]
    return Methodology(code, name[:200], f"INTERLINK co-production schema {schema_id!r}", description, steps)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z]+", text.lower()) if len(w) >= 3]


def suggest_mapping(db: Database, methodology: Methodology) -> dict[int, str]:
    """Suggest a shared phase for each step (position → phase code): by a matching word of the names, else by position.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> m = Methodology("x", "X", "", "", [Step(1, "a", "Engage", ""), Step(2, "b", "Design", ""),
    ...                                  Step(3, "c", "Build", ""), Step(4, "d", "Sustain", "")])
    >>> suggest_mapping(open_memory_store(), m)
    {1: 'initiate', 2: 'co-design', 3: 'co-deliver', 4: 'evaluate'}
    """
    phases = db.execute("SELECT code, name FROM phases ORDER BY position").fetchall()
    codes = [c for c, _ in phases]
    n = len(methodology.steps)
    mapping = {}
    for index, step in enumerate(methodology.steps):
        best, score = None, 0.0
        for code, name in phases:
            for word in _words(step.name):
                for other in _words(f"{code} {name}"):
                    ratio = difflib.SequenceMatcher(None, word, other).ratio()
                    if ratio > score:
                        best, score = code, ratio
        if score < 0.85:
            best = codes[round(index * (len(codes) - 1) / (n - 1))] if n > 1 else codes[0]
        mapping[step.position] = best
    return mapping


def preview(db: Database, methodology: Methodology, mapping: dict[int, str]) -> list[dict]:
    """Rows to show before saving: position, step, phase, and whether the methodology exists already."""
    exists = db.execute("SELECT 1 FROM methodologies WHERE code = ?", [methodology.code]).fetchone() is not None
    return [
        {"position": s.position, "step": s.name, "phase": mapping.get(s.position), "replaces": exists}
        for s in methodology.steps
    ]


def commit_import(
    db: Database, actor: Actor, methodology: Methodology, mapping: dict[int, str], *, replace: bool = False
) -> int:
    """Store ``methodology`` with its steps mapped by ``mapping`` (position → phase code), in one transaction.

    Returns the steps written. An existing methodology of that code is refused unless ``replace`` (its steps are then
    replaced; pilots and models keep pointing at it).
    """
    authorize(actor, "vocabulary.edit")
    known = {r[0] for r in db.execute("SELECT code FROM phases")}
    missing = [s.position for s in methodology.steps if mapping.get(s.position) not in known]
    if missing:
        raise ImportRefused(
            [(methodology.code, f"step {p}", f"mapped to {mapping.get(p)!r}, not a shared phase",
              f"map it to one of {', '.join(sorted(known))}") for p in missing]
        )  # fmt: skip
    with db.atomic():
        before = db.execute("SELECT name FROM methodologies WHERE code = ?", [methodology.code]).fetchone()
        if before is not None and not replace:
            raise ImportRefused(
                [(methodology.code, "code", "a methodology with this code exists", "choose another --code or replace")]
            )
        if before is None:
            db.execute(
                "INSERT INTO methodologies (code, name, source, description) VALUES (?, ?, ?, ?)",
                [methodology.code, methodology.name, methodology.source, methodology.description],
            )
        else:
            db.execute(
                "UPDATE methodologies SET name = ?, source = ?, description = ? WHERE code = ?",
                [methodology.name, methodology.source, methodology.description, methodology.code],
            )
            db.execute("DELETE FROM methodology_steps WHERE methodology = ?", [methodology.code])
        db.conn.executemany(
            "INSERT INTO methodology_steps (methodology, position, name, phase, description) VALUES (?, ?, ?, ?, ?)",
            [(methodology.code, s.position, s.name, mapping[s.position], s.description) for s in methodology.steps],
        )
        record(
            db, actor, "methodology.import", object_type="methodology", object_id=methodology.code,
            rows=1 + len(methodology.steps),
            detail={"source": methodology.source, "replaced": before is not None,
                    "mapping": {s.name: mapping[s.position] for s in methodology.steps}},
        )  # fmt: skip
    return len(methodology.steps)
