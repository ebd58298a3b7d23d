"""Read INTERLINK's published catalogue as it ships: interlinkers and the problem profiles they address.

The folder is the seed of interlink-project/backend-catalogue (``catalogue/seed/``): ``interlinkers/<type>/<id>/
metadata.json`` (one interlinker each), ``problemprofiles/problemprofiles.json`` and, beside them, ``PROVENANCE.md``
when it was copied with one. Every text is kept in every language it has (English, Spanish, Italian, Latvian, with
gaps), HTML turned into plain text. The main text of an entry is English when there is one, else its first
language. A folder that is not such a catalogue, or a file that is not valid JSON, is refused as a whole, naming the
file, before anything is written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlite_utils import Database

from lessons.catalogue.plaintext import html_to_text
from lessons.catalogue.records import Entry, ProblemProfile
from lessons.catalogue.writing import save_catalogue
from lessons.i18n import _
from lessons.ingest.problems import IngestError, Problem
from lessons.permissions import Actor, authorize

__all__ = ["CATALOGUE", "EFFORT_OF", "PHASE_OF_PREFIX", "import_interlink", "read_interlink"]

CATALOGUE = "interlink"
REPOSITORY = "interlink-project/backend-catalogue"
#: INTERLINK's difficulty as our effort.
EFFORT_OF = {"very_easy": "low", "easy": "low", "medium": "medium", "difficult": "high", "very_difficult": "high"}
#: The co-creation phase of a problem profile, from the prefix of its code.
PHASE_OF_PREFIX = {
    "ORG": "initiate",
    "UND": "understand",
    "DEF": "co-design",
    "HACKATHON": "co-design",
    "BUILD": "co-deliver",
    "VAL": "evaluate",
    "SUS": "evaluate",
}
_KIND_OF = {"knowledge": "knowledge", "software": "software"}


def _refuse(file: str, message: str, fix: str, row: int | None = None) -> IngestError:
    return IngestError([Problem(file, None, row, None, message, fix)])


def _load(path: Path, root: Path):
    name = path.relative_to(root.parent).as_posix() if path.is_relative_to(root.parent) else str(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refuse(
            name, _("This file is missing."), _("Give the folder of INTERLINK's catalogue as it ships.")
        ) from None
    except UnicodeDecodeError:
        raise _refuse(name, _("This file is not UTF-8 text."), _("Save it as UTF-8 JSON.")) from None
    except json.JSONDecodeError as err:
        raise _refuse(
            name, _("This file is not valid JSON ({error}, line {line}, column {column}).").format(
                error=err.msg, line=err.lineno, column=err.colno
            ),
            _("Correct the JSON or copy the file again from the catalogue."), row=err.lineno,
        ) from None  # fmt: skip


def _texts(value, field: str, *, multiline: bool = True) -> list[tuple[str, str, str]]:
    """Return the non-empty texts of a ``*_translations`` object as (language, field, plain text)."""
    if not isinstance(value, dict):
        return []
    found = []
    for language, text in value.items():
        if isinstance(text, str) and text.strip():
            plain = html_to_text(text, multiline=multiline)
            if plain:
                found.append((str(language).strip().lower(), field, plain))
    return found


def _main(texts: list[tuple[str, str, str]], field: str) -> tuple[str | None, str | None]:
    """Return the (language, text) shown first: English when there is one, else the first language."""
    of_field = [(language, text) for language, f, text in texts if f == field]
    for language, text in of_field:
        if language == "en":
            return language, text
    return of_field[0] if of_field else (None, None)


def _provenance(root: Path) -> str:
    """Return the source of the catalogue: the repository and, when PROVENANCE.md gives it, the commit."""
    source = f"INTERLINK catalogue ({REPOSITORY}, catalogue/seed, Apache-2.0)"
    try:
        found = re.search(r"commit\s+([0-9a-f]{40})", (root / "PROVENANCE.md").read_text(encoding="utf-8"))
    except OSError:
        found = None
    return source.replace(", Apache", f" at {found.group(1)[:12]}, Apache") if found else source


def read_interlink(folder) -> tuple[list[Entry], list[ProblemProfile]]:
    """Read INTERLINK's catalogue folder into entries and problem profiles, or refuse it naming the file.

    Parameters
    ----------
    folder : str or os.PathLike
        The catalogue's folder (``interlinkers/`` and ``problemprofiles/problemprofiles.json`` in it).

    Returns
    -------
    tuple of (list of Entry, list of ProblemProfile)
        Entries in the order of their files' paths, problems in the order of the catalogue.

    Raises
    ------
    IngestError
        The folder is missing or not a catalogue, a file is not valid JSON, an interlinker has no id or no name, or
        names a problem profile the catalogue does not have.
    """
    root = Path(folder)
    if not root.is_dir():
        raise _refuse(
            str(folder), _("There is no such folder."), _("Give the folder of INTERLINK's catalogue as it ships.")
        )
    if not (root / "interlinkers").is_dir():
        raise _refuse(
            f"{root.name}/interlinkers", _("This folder is missing: the folder given is not INTERLINK's catalogue."),
            _("Give the catalogue's seed folder (it holds interlinkers/ and problemprofiles/)."),
        )  # fmt: skip
    source = _provenance(root)
    profiles = _load(root / "problemprofiles" / "problemprofiles.json", root)
    where = f"{root.name}/problemprofiles/problemprofiles.json"
    if not isinstance(profiles, list):
        raise _refuse(
            where, _("This file does not hold a list of problem profiles."), _("Copy it again from the catalogue.")
        )
    problems = []
    for number, item in enumerate(profiles, start=1):
        texts = [
            *_texts(item.get("name_translations"), "name", multiline=False),
            *_texts(item.get("description_translations"), "description"),
            *_texts(item.get("functionality_translations"), "functionality"),
        ] if isinstance(item, dict) else []  # fmt: skip
        code = str(item.get("id") or "").strip() if isinstance(item, dict) else ""
        language, name = _main(texts, "name")
        if not code or not name:
            raise _refuse(
                where,
                _("Problem profile {number} has no id or no name.").format(number=number),
                _("Copy it again from the catalogue."),
            )
        problems.append(
            ProblemProfile(
                code=code,
                name=name,
                description={(lang, f): t for lang, f, t in texts}.get((language, "description")),
                phase=PHASE_OF_PREFIX.get(code.split("_")[0]),
                language=language,
                source=source,
                translations=texts,
            )  # fmt: skip
        )
    known = {p.code for p in problems}
    phase_of = {p.code: p.phase for p in problems}
    order = ["initiate", "understand", "co-design", "co-deliver", "evaluate"]
    entries = []
    for path in sorted((root / "interlinkers").glob("*/*/metadata.json")):
        data = _load(path, root)
        name_of_file = path.relative_to(root.parent).as_posix()
        if not isinstance(data, dict) or not str(data.get("id") or "").strip():
            raise _refuse(name_of_file, _("This interlinker has no id."), _("Copy the file again from the catalogue."))
        texts = [
            *_texts(data.get("name_translations"), "name", multiline=False),
            *_texts(data.get("description_translations"), "description"),
        ]
        language, name = _main(texts, "name")
        if not name:
            raise _refuse(name_of_file, _("This interlinker has no name in any language."), _("Give it a name."))
        codes = [str(c) for c in data.get("problemprofiles") or []]
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise _refuse(
                name_of_file, _("It names problem profiles the catalogue does not have: {codes}.").format(codes=", ".join(unknown)),
                _("Copy problemprofiles.json and this file from the same version of the catalogue."),
            )  # fmt: skip
        phases = [phase_of[c] for c in codes if phase_of.get(c)]
        # its phase: the one most of its problems belong to (the earlier on a tie)
        phase = max(order, key=lambda p: (phases.count(p), -order.index(p))) if phases else None
        uri = data.get("uri_translations") if isinstance(data.get("uri_translations"), dict) else {}
        link = next(
            (str(u).strip() for _lang, u in [("en", uri.get("en")), *uri.items()] if u and str(u).strip()), None
        )
        descriptions = {(lang, f): t for lang, f, t in texts}
        entries.append(
            Entry(
                code=str(data["id"]).strip(),
                kind=_KIND_OF.get(str(data.get("type")), "knowledge"),
                name=name,
                description=descriptions.get((language, "description")),
                phase=phase,
                effort=EFFORT_OF.get(str(data.get("difficulty"))),
                link=link if link and link.startswith(("http://", "https://")) else None,
                source=f"{source}: {name_of_file.split('/', 1)[-1]}",
                licence=str(data["licence"]) if data.get("licence") else None,
                language=language,
                catalogue=CATALOGUE,
                translations=texts,
                problems=sorted(set(codes), key=codes.index),
            )
        )
    if not entries:
        raise _refuse(
            f"{root.name}/interlinkers", _("No interlinker was found in this folder."), _("Copy the whole folder.")
        )
    return entries, problems


def import_interlink(db: Database, actor: Actor | None, folder) -> dict[str, int]:
    """Import INTERLINK's catalogue folder: read it whole, then write it in one transaction (see ``save_catalogue``).

    Importing it again updates what changed and adds no duplicate. A viewer or coordinator is refused before the
    folder is read.
    """
    authorize(actor, "catalogue.edit")
    entries, problems = read_interlink(folder)
    return save_catalogue(db, actor, entries, problems, catalogue=CATALOGUE, filename=str(folder))
