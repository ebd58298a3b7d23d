"""Recode a file's own words into our vocabularies: the distinct values of each vocabulary column, with a suggestion.

The Upload page shows these choices (one per distinct value, preset to the suggestion) and passes the result as
``Options.values``, the same recode a mapping file gives as ``"values"``; :mod:`lessons.ingest.validate` applies it
before matching. Nothing here writes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlite_utils import Database

from lessons.ingest import normalise as norm
from lessons.ingest.fields import SHEETS
from lessons.ingest.tables import Upload
from lessons.ingest.validate import _text, _Vocabularies, guess_mapping
from lessons.store import NOT_CLASSIFIED

__all__ = ["MAX_VALUES", "RELATIONS", "RecodeColumn", "recode_columns", "suggest"]

#: A column with more distinct values than this is not offered for recoding on the page (a mapping file can).
MAX_VALUES = 40
#: The tie types offered for a relation column beside those already stored.
RELATIONS = ("collaboration", "information", "funding", "accountability", "advice")


@dataclass
class RecodeColumn:
    """One column of one sheet feeding a vocabulary field: its distinct values, how often, and a suggestion each.

    ``values`` holds ``(value, rows, suggestion)`` with ``suggestion`` a code or None (keep as written);
    ``codes`` maps each code one may choose to its name; ``known`` tells whether every value matched already.
    """

    sheet: str
    field: str
    label: str
    column: str
    values: list[tuple[str, int, str | None]] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)
    known: bool = True
    more: int = 0  # distinct values beyond MAX_VALUES, not listed


def _initials(text: str) -> str:
    return "".join(word[0] for word in norm.fold(text).replace("-", " ").split() if word)


def suggest(
    vocabulary: norm.Vocabulary, value: str, names: dict[str, list[str]], *, sector: bool = False
) -> str | None:
    """Return the code ``value`` most likely means: its match, a near miss, or a unique abbreviation of a name.

    An abbreviation is the start of a name or alias ("gov" for *government*) or its initials ("ig" for *interest
    group*), when only one code has it. A sector nothing fits is suggested as not classified.

    Examples
    --------
    >>> v = norm.Vocabulary("sectors", {"public": ["government"], "civil_society": ["interest group"], "research": ["science"]})
    >>> names = {"public": ["government"], "civil_society": ["interest group"], "research": ["science"]}
    >>> [suggest(v, x, names, sector=True) for x in ("gov", "ig", "sci", "par", "Public")]
    ['public', 'civil_society', 'research', 'not_classified', 'public']
    """
    match = vocabulary.match(value)
    if match.code is not None:
        return match.code
    if match.suggestion:
        return match.suggestion
    key = norm.fold(value)
    if len(key) >= 2:
        hits = {
            code
            for code, aliases in names.items()
            for name in (code, *aliases)
            if norm.fold(name).startswith(key) or (len(key) <= 4 and _initials(name) == key)
        }
        if len(hits) == 1:
            return hits.pop()
    return NOT_CLASSIFIED if sector else None


def _names(db: Database, vocabulary: str) -> dict[str, list[str]]:
    """Return code → names and aliases of a vocabulary, for abbreviations and for the choices' labels."""
    tables = {"sectors": "sectors", "themes": "themes", "phases": "phases", "methodologies": "methodologies"}
    names: dict[str, list[str]] = {}
    if vocabulary in tables:
        retired = " WHERE NOT retired" if vocabulary == "themes" else ""
        for code, name in db.execute(f"SELECT code, name FROM {tables[vocabulary]}{retired}"):  # noqa: S608 — fixed names
            names[code] = [name]
    if vocabulary == "sectors":
        for code, aliases in norm.SECTOR_ALIASES.items():
            names.setdefault(code, []).extend(aliases)
    return names


def recode_columns(
    db: Database, upload: Upload, mapping: dict[str, dict[str, str]], separator: str = ";"
) -> list[RecodeColumn]:
    """Return, for each vocabulary column of the upload's pilot sheets, its distinct values and a suggestion each.

    ``mapping`` is the column mapping in use (sheet → field → column; a sheet it leaves out is guessed). Tie
    relations are offered too, with the usual tie types and those stored.
    """
    vocab = _Vocabularies(db)
    stored = [r[0] for r in db.execute("SELECT DISTINCT relation FROM ties ORDER BY relation")]
    relations = list(dict.fromkeys([*RELATIONS, *stored]))
    out: list[RecodeColumn] = []
    for sheet in upload.sheets:
        if sheet.name not in ("Pilot", "Lessons", "Stakeholders", "Ties"):
            continue
        chosen = mapping.get(sheet.name) or guess_mapping(sheet.columns, sheet.name)
        for f in SHEETS[sheet.name]:
            column = chosen.get(f.name)
            if not column or column not in sheet.columns or not (f.kind in ("vocab", "multi") or f.name == "relation"):
                continue
            counts: Counter = Counter()
            for raw in sheet.rows:
                text = _text(raw.get(column))
                parts = norm.split_multi(text, separator) if f.kind == "multi" else [text]
                counts.update(p for p in parts if p)
            if not counts:
                continue
            entry = RecodeColumn(sheet.name, f.name, f.label, column)
            if f.name == "relation":
                entry.codes = {r: r for r in relations}
                known = {norm.fold(r): r for r in relations}
                pick = lambda value, k=known: k.get(norm.fold(value))  # noqa: E731
            else:
                vocabulary = vocab.by_name[f.vocabulary]
                names = _names(db, f.vocabulary)
                entry.codes = {code: (names.get(code) or [code])[0] for code in vocabulary.codes}
                sector = f.vocabulary == "sectors" and sheet.name == "Stakeholders"
                pick = lambda value, v=vocabulary, n=names, s=sector: suggest(v, value, n, sector=s)  # noqa: E731
                entry.known = all(vocabulary.match(value).code for value in counts)
            if f.name == "relation":
                entry.known = all(pick(value) for value in counts)
            ranked = counts.most_common()
            entry.values = [(value, n, pick(value)) for value, n in ranked[:MAX_VALUES]]
            entry.more = max(0, len(ranked) - MAX_VALUES)
            out.append(entry)
    return out
