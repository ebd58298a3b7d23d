"""What an AppTest run shows a reader, as text, and the English left in it (#21).

``shown(at)`` gathers every text the page sent to the browser: Markdown, captions, alerts, labels, help texts,
placeholders, options, tab and expander labels, metric labels and values, table headers and the text cells of
tables, and the titles inside charts' Vega-Lite specs. ``english_left(texts, language)`` lists the ones that are
still English in a page rendered in another language: a text equal to a one-word message, or holding a fragment of
three words or more of a longer message, whose translation differs from it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from functools import cache

import pandas as pd

from lessons import i18n
from lessons.cli import messages

#: Proto fields that hold no text a reader reads.
_SKIP_FIELDS = {"id", "form_id", "key", "icon", "data", "type", "arrow_data", "url", "page_script_hash", "page",
                "url_path", "theme", "vega_lite_chart", "spec", "datasets", "use_container_width", "selection_mode",
                "default", "value", "set_value", "columns", "column_order", "editing_mode", "mime", "file_name",
                "accept", "format", "unique_id", "script_hash", "body_style", "anchor", "color", "width", "height",
                "auto_complete", "autocomplete", "fragment_id", "chart_spec", "query_string"}  # fmt: skip
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _strings(message, found: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name in _SKIP_FIELDS:
            continue
        if isinstance(value, str):
            found.append(value)
        elif hasattr(value, "ListFields"):
            _strings(value, found)
        elif isinstance(value, (list, tuple)) or type(value).__name__.startswith("Repeated"):
            for item in value:
                if isinstance(item, str):
                    found.append(item)
                elif hasattr(item, "ListFields"):
                    _strings(item, found)


def _chart_titles(spec: str, found: list[str]) -> None:
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "description") and isinstance(value, str):
                    found.append(value)
                elif key == "title" and isinstance(value, list):
                    found.extend(str(v) for v in value)
                elif key == "title" and isinstance(value, dict) and isinstance(value.get("text"), str):
                    found.append(value["text"])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    try:
        walk(json.loads(spec))
    except (TypeError, ValueError):
        return


def shown(at) -> list[str]:
    """Return every text an AppTest run sent to the browser (see the module's docstring)."""
    found: list[str] = []

    def visit(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            _strings(proto, found)
            spec = getattr(proto, "spec", None)
            if isinstance(spec, str) and spec.startswith("{"):
                _chart_titles(spec, found)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    for element in [*at.dataframe, *at.table]:
        frame = element.value
        if isinstance(frame, pd.DataFrame):
            found.extend(str(c) for c in frame.columns)
    return [text for text in found if text and any(ch.isalpha() for ch in text)]


@cache
def _english(language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Return one-word English messages and the ≥3-word fragments of longer ones that ``language`` translates.

    A word that is also a translation in ``language`` is left out (Latvian "No" is "From", not English "No").
    """
    words, fragments, translations = set(), set(), set()
    with i18n.using(language):
        for area, globs in i18n.areas().items():
            for message in messages.template(area, messages.area_files(globs)):
                if not message.id:
                    continue
                ids = [message.id] if isinstance(message.id, str) else list(message.id)
                for english in ids:
                    translated = (
                        (i18n.pgettext(message.context, english) if message.context else i18n._(english))
                        if isinstance(message.id, str)
                        else i18n.ngettext(ids[0], ids[1], 2)
                    )
                    translations.add(translated.strip())
                    if translated == english:
                        continue
                    if " " not in english.strip():
                        words.add(english.strip())
                        continue
                    for piece in _PLACEHOLDER.split(english):
                        piece = piece.strip(" .,:;·—-()*_")
                        if len(piece.split()) >= 3:
                            fragments.add(piece)
    return frozenset(words - translations), tuple(sorted(fragments, key=len, reverse=True))


def english_left(texts: list[str], language: str) -> list[str]:
    """Return the texts of a page rendered in ``language`` that still hold English messages."""
    words, fragments = _english(language)
    left = []
    for text in texts:
        plain = text.replace("\\", "").replace("**", "").strip()
        if plain in words:
            left.append(plain)
            continue
        hit = next((f for f in fragments if f in plain), None)
        if hit is not None:
            left.append(f"{hit!r} in {plain[:80]!r}")
    return sorted(set(left))


@cache
def store_texts(path: str) -> tuple[str, ...]:
    """Return the distinct texts the store at ``path`` holds (data, not interface), longest first."""
    found: set[str] = set()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            if table.startswith(("sqlite_", "lessons_fts", "lessons_words")) or table.endswith(("_fts", "_data")):
                continue
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for (value,) in db.execute(
                    f'SELECT DISTINCT "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\''
                ):
                    if len(value) >= 3:
                        found.add(value)
                        found.update(part.strip() for part in re.split(r"[\n;|]", value) if len(part.strip()) >= 3)
    return tuple(sorted(found, key=len, reverse=True))


#: Words that are the same in every language: names of the product, languages, and the like.
_NAMES = ["Cross-Pilot Lessons", "LESSONS_DB", "CoSIE", "INTERLINK", "IMPROVE", "We-novate", "Pol.is", "GraphML",
          "GEXF", "CSV", "XLSX", "JSON", "PDF", "HTML", "ZIP", "SQLite", "Datasette", "Natural Earth", "QR",
          *i18n.LANGUAGES.values()]  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{3,}")


def unmarked_left(texts: list[str], english: list[str], path: str) -> list[str]:
    """Return texts shown identically in English and in another language that are not the store's data.

    What remains of such a text once the store's own texts, names, numbers and marks are taken out must hold fewer
    than two words; else it is interface text nobody marked as a message.
    """
    data = store_texts(str(path))
    same = set(texts) & set(english)
    left = []
    for text in same:
        if text.startswith(("<style>", "<script>")) or " " not in text.strip():
            continue  # our constants, and single tokens (a link's address, a code): no sentence to translate
        plain = text.replace("\\", "").replace("**", "").replace("⁠", "")
        lead = plain.removesuffix(" …")  # a lesson's first lines in a list (lessons.queries.preview): data
        if lead != plain and any(value.replace("\n", " ").startswith(lead) for value in data):
            continue
        for value in data:
            if value in plain:
                plain = plain.replace(value, " ")
        for name in _NAMES:
            plain = plain.replace(name, " ")
        if len(_WORD.findall(plain)) >= 2:
            left.append(text[:100])
    return sorted(left)
