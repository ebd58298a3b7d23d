"""``python -m lessons messages``: extract the interface's messages and keep every language's catalogue in step.

The messages are the strings marked in the code (``_``, ``ngettext``, ``pgettext``, ``N_``; see
:mod:`lessons.i18n`) and the names and descriptions of the built-in vocabularies (``lessons/vocabulary/*.csv``),
which pages show through ``_(label)``. Each area of ``lessons/locale/areas.json`` has its own catalogue per language,
``lessons/locale/<language>/LC_MESSAGES/<area>.po``, updated with Babel like ``pybabel update`` (new messages
added untranslated, messages no longer in the code dropped, no fuzzy guesses). ``--check`` changes nothing: it
lists what is untranslated, placeholders a translation lost or added, and files with messages that no area holds,
and exits 1 when there is any.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from lessons.cli.common import EXIT_OK
from lessons.i18n import DEFAULT, LANGUAGES, LOCALE_DIR, areas, placeholders

__all__ = ["KEYWORDS", "ROOT", "add_messages", "area_files", "cmd_messages", "problems", "template"]

ROOT = LOCALE_DIR.parent.parent
#: The functions that mark a message, as Babel's extractor takes them.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
#: Where marked messages may be: every file here must belong to an area.
SOURCES = ("app.py", "pages/**/*.py", "components/**/*.py", "lessons/**/*.py")
#: Fixed header fields, so updating a catalogue changes only its messages (no date in every diff).
HEADER = {
    "project": "Cross-Pilot Lessons",
    "version": "1",
    "copyright_holder": "the Cross-Pilot Lessons contributors",
    "msgid_bugs_address": "the project's issue tracker",
    "creation_date": datetime(2026, 12, 7, tzinfo=UTC),
    "revision_date": datetime(2026, 12, 7, tzinfo=UTC),
    "last_translator": "the Cross-Pilot Lessons contributors",
    "language_team": "the Cross-Pilot Lessons contributors",
}
#: The columns of a built-in vocabulary (``lessons/vocabulary/*.csv``) that are shown to people.
VOCABULARY_COLUMNS = ("name", "description", "problem")
_NOT_MESSAGES = {"lessons/i18n.py", "lessons/cli/messages.py"}


def area_files(globs: Iterable[str]) -> list[Path]:
    """Return the files an area's globs name, relative to the checkout, sorted."""
    found = {path for pattern in globs for path in ROOT.glob(pattern) if path.is_file()}
    return sorted(path.relative_to(ROOT) for path in found)


def _messages(relative: Path):
    if relative.as_posix() in _NOT_MESSAGES:
        return
    if relative.suffix == ".csv":  # a built-in vocabulary: its names and descriptions are shown to people
        with (ROOT / relative).open(encoding="utf-8", newline="") as handle:
            for lineno, row in enumerate(csv.DictReader(handle), start=2):
                for column in VOCABULARY_COLUMNS:
                    if row.get(column):
                        yield lineno, row[column], [f"{relative.stem}: {column} of {row.get('code') or lineno}"], None
        return
    yield from extract_from_file(
        "python", ROOT / relative, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    )


def template(area: str, files: Iterable[Path]) -> Catalog:
    """Return the template catalogue of an area: every message its files mark, with where each is."""
    catalog = Catalog(domain=area, fuzzy=False, **HEADER)
    for relative in files:
        for lineno, message, comments, context in _messages(relative):
            text = message if isinstance(message, str) else message[0]
            if not text:
                continue
            flags = ("python-brace-format",) if placeholders(text) else ()
            catalog.add(
                message,
                locations=[(relative.as_posix(), lineno)],
                auto_comments=comments,
                context=context,
                flags=flags,
            )
    return catalog


def _po_path(language: str, area: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{area}.po"


def _read(path: Path, language: str, area: str) -> Catalog:
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=language, domain=area)
    return Catalog(locale=language, domain=area, fuzzy=False, **HEADER)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".po.part")
    with temporary.open("wb") as handle:
        write_po(
            handle,
            catalog,
            width=0,
            include_lineno=False,
            ignore_obsolete=True,
            include_previous=False,
            sort_output=False,
        )
    temporary.replace(path)


def update() -> list[str]:
    """Extract every area's messages and update each language's catalogue; return a line per catalogue written."""
    lines = []
    for area, globs in areas().items():
        pot = template(area, area_files(globs))
        for language in LANGUAGES:
            if language == DEFAULT:
                continue
            path = _po_path(language, area)
            catalog = _read(path, language, area)
            catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
            catalog.revision_date = HEADER["revision_date"]
            _write(path, catalog)
            missing = sum(1 for m in catalog if m.id and not _translated(m))
            lines.append(f"{path.relative_to(ROOT)}: {len(pot)} messages, {missing} untranslated")
    return lines


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not message.fuzzy and all(strings)


def problems() -> list[str]:
    """Return what keeps the catalogues from being complete and correct (empty when they are)."""
    found = []
    held = set()
    for area, globs in areas().items():
        files = area_files(globs)
        held.update(files)
        pot = template(area, files)
        for language in LANGUAGES:
            if language == DEFAULT:
                continue
            path = _po_path(language, area)
            catalog = _read(path, language, area)
            for message in pot:
                if not message.id:
                    continue
                done = catalog.get(message.id, message.context)
                where = f"{path.relative_to(ROOT)}: {message.id if isinstance(message.id, str) else message.id[0]!r}"
                if done is None or not _translated(done):
                    found.append(f"{where} is not translated")
                    continue
                ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
                strings = done.string if isinstance(done.string, (list, tuple)) else [done.string]
                wanted = set().union(*(placeholders(i) for i in ids))
                for string in strings:
                    if set(placeholders(string)) != wanted:
                        found.append(f"{where} has placeholders {sorted(placeholders(string))}, not {sorted(wanted)}")
                        break
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            relative = path.relative_to(ROOT)
            if relative not in held and any(True for _ in _messages(relative)):
                found.append(f"{relative.as_posix()} marks messages but no area in lessons/locale/areas.json holds it")
    return found


def fill(area: str, language: str, translations: dict) -> int:
    r"""Write translations into an area's catalogue: ``{msgid: text}``, a plural's ``{singular: [form, …]}``.

    A context's message is keyed ``"context\x04msgid"``, as gettext keys it. Returns how many were written;
    messages the catalogue does not hold are refused (update it first).
    """
    path = _po_path(language, area)
    catalog = _read(path, language, area)
    written = 0
    for key, text in translations.items():
        context, _, msgid = key.rpartition("\x04")
        message = next((m for m in catalog if m.context == (context or None) and _first(m.id) == msgid), None)
        if message is None:
            raise SystemExit(f"{path.relative_to(ROOT)} has no message {key!r}: run `python -m lessons messages` first")
        message.string = tuple(text) if isinstance(text, list) else text
        message.flags.discard("fuzzy")
        written += 1
    _write(path, catalog)
    return written


def _first(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def cmd_messages(args) -> int:
    """Run the ``messages`` command: update the catalogues, or with ``--check`` report what is missing."""
    if args.fill:
        area, language, source = args.fill
        count = fill(area, language, json.loads(Path(source).read_text(encoding="utf-8")))
        print(f"{count} translation(s) written into lessons/locale/{language}/LC_MESSAGES/{area}.po")
        return EXIT_OK
    if args.untranslated:
        area, language = args.untranslated
        catalog = _read(_po_path(language, area), language, area)
        todo = {}
        for m in catalog:
            if m.id and not _translated(m):
                key = (m.context + "\x04" if m.context else "") + _first(m.id)
                todo[key] = list(m.id) if not isinstance(m.id, str) else ""
        print(json.dumps(todo, ensure_ascii=False, indent=1))
        return EXIT_OK
    if args.check:
        found = problems()
        for line in found:
            print(line)
        print(f"{len(found)} problem(s) in the catalogues.", file=sys.stderr if found else sys.stdout)
        return 1 if found else EXIT_OK
    for line in update():
        print(line)
    return EXIT_OK


def add_messages(sub, common) -> None:
    """Declare the ``messages`` command."""
    parser = sub.add_parser(
        "messages",
        parents=[common],
        help="extract the interface's messages and update every language's catalogue",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--check", action="store_true", help="change nothing; list untranslated messages and exit 1")
    parser.add_argument(
        "--fill",
        nargs=3,
        metavar=("AREA", "LANGUAGE", "JSON"),
        help="write translations from a JSON file ({msgid: text}; a plural's msgid: [forms])",
    )
    parser.add_argument(
        "--untranslated",
        nargs=2,
        metavar=("AREA", "LANGUAGE"),
        help="print the area's untranslated messages as JSON, ready to fill in and give to --fill",
    )
    parser.set_defaults(func=cmd_messages)
