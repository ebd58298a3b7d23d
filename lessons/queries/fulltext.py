"""Full-text search of lessons: what a user typed as FTS5 queries, and the ids of the lessons it finds.

Two indexes hold the lessons' words (:mod:`lessons.migrations`, m002 and m015): ``lessons_words`` as written (accents
folded, lower case) and ``lessons_fts`` as Porter stems. A word typed whole finds every form of it (the words of the
lessons with the same stem, as SQLite's porter tokenizer stems them); the last word, while it may still be typed, is
also the start of a word as written, so "communicat" finds communication and communicated but not community (all
three share the stem "commun"). Words joined by a hyphen or an apostrophe ("O-ring", "co-creation") are found
together, in that order. Text in double quotes is a phrase of stems ("lessons learned" finds "lesson learned").

Lessons in other languages, and translations (#21), are searched in a third index, ``lessons_stems`` (m022): the
text of each lesson not in English and of each translation as Snowball stems of its own language
(:mod:`lessons.stemming`). When the store holds
any text not in English, each typed word also stands for its stem in every language the store's lessons and
translations use, and a lesson is found by either way (:attr:`Match.stems`): an Italian lesson by an inflected
Italian word, an English lesson by a word of its Italian translation. Those searches list the lessons by pilot and
key (the two indexes' ranks cannot be compared); a store all in English searches exactly as before.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass, field, replace

from sqlite_utils import Database

from lessons import stemming

__all__ = [
    "COLUMNS",
    "FORMS",
    "INFLECTED",
    "Match",
    "fts_query",
    "match_for",
    "match_sql",
    "match_source",
    "search_ids",
    "stems_query",
    "text_languages",
    "word_forms",
]

#: The searched columns of a lesson, in the indexes' order.
COLUMNS = ("title", "lesson", "context", "recommendation")
#: At most this many forms of one typed word are searched (the commonest first).
FORMS = 60
#: A last word with an inflection's ending was typed whole ("excluding" finds excluded, though no lesson says
#: excluding); a last word otherwise counts as whole only when the lessons have it ("communic", the start of
#: communication, has the stem of community, "commun").
INFLECTED = re.compile(r"..(?:s|ed|ing)$")

_TOKEN = re.compile(r'"([^"]+)"|(\S+)')
#: A word, or words joined by hyphens or apostrophes ("O-ring", "NASA's"); letters and digits as FTS5's unicode61
#: tokenizer cuts them (an underscore separates words).
_JOINED = re.compile(r"[^\W_]+(?:[-‐‑'’][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Match:
    """A search as FTS5 queries: ``written`` on ``lessons_words``, ``stemmed`` on ``lessons_fts``; either may be None.

    ``table`` is the index that ranks the lessons found and marks the matched words in snippets: the words as written
    whenever a word was typed, else the stems (only quoted phrases). ``stems``, when the store holds text in other
    languages, is a query on ``lessons_stems`` that finds lessons besides (:func:`stems_query`); they are then not
    ranked. ``hyphenated`` holds a LIKE pattern per word
    typed with a hyphen: the index cannot tell "O-ring" from "O ring" (it holds "o" and "ring" either way), the text
    must. ``column`` is the one column searched, if any.
    """

    written: str | None
    stemmed: str | None
    hyphenated: tuple[str, ...] = ()
    column: str | None = None
    stems: str | None = field(default=None, repr=False)  # its repr is as before #21

    @property
    def ranked(self) -> bool:
        """Return whether the lessons found are ranked by :attr:`table` (not when the stems may find others)."""
        return self.stems is None

    @property
    def table(self) -> str:
        """Return the index that ranks and highlights: ``lessons_words`` or ``lessons_fts``."""
        return "lessons_words" if self.written else "lessons_fts"

    @property
    def query(self) -> str:
        """Return the query of :attr:`table`."""
        return self.written or self.stemmed


def _quoted(parts: list[str], prefix: bool = False) -> str:
    return '"' + " ".join(parts) + '"' + ("*" if prefix else "")


def _either(alternatives: list[str]) -> str:
    unique = list(dict.fromkeys(alternatives))
    return unique[0] if len(unique) == 1 else "(" + " OR ".join(unique) + ")"


def fts_query(text: str | None, forms=None, *, column: str | None = None) -> Match | None:
    """Turn what a user typed into safe FTS5 queries; None when nothing searchable is left.

    Every word must occur. ``forms(word, whole)`` returns the words of the lessons (as written) with the same stem as
    ``word``; with ``whole`` False (the last word, perhaps half typed) only when ``word`` is itself a word of the
    lessons or ends as an inflected word does (:data:`INFLECTED`). Without ``forms`` a word stands for itself. The last word, unless the text ends in a quote, is also the
    start of a word (``*``). Words joined by hyphens or apostrophes are a phrase as written (its last word stemmed or
    a prefix as above), and a hyphen must be in the text too (:attr:`Match.hyphenated`). Text in double quotes is a
    phrase of stems, searched in the stemmed index.

    Parameters
    ----------
    text : str or None
        What the user typed.
    forms : callable, optional
        ``forms(word, whole) -> list[str]``, see above (:func:`word_forms` reads them from the store).
    column : str, optional
        Search one column only (one of :data:`COLUMNS`).

    Examples
    --------
    >>> fts_query('champion "local authority" proc')
    Match(written='"champion" AND "proc"*', stemmed='"local authority"', hyphenated=(), column=None)
    >>> fts_query("communicat", forms=lambda word, whole: []).written
    '"communicat"*'
    >>> fts_query("O-ring seal", forms=lambda word, whole: {"ring": ["ring", "rings"], "seal": ["seal"]}[word])
    Match(written='("O ring" OR "O rings") AND "seal"*', stemmed=None, hyphenated=('%O-ring%',), column=None)
    >>> fts_query("trust", forms=lambda word, whole: ["trust", "trusted"], column="lesson").written
    'lesson : ("trust"* OR "trusted")'
    >>> fts_query('  "" ') is None
    True
    """
    if column is not None and column not in COLUMNS:
        raise ValueError(f"There is no column {column!r} to search; choose one of {', '.join(COLUMNS)}.")
    forms = forms or (lambda word, whole: [])
    text = unicodedata.normalize("NFC", text or "")
    words, phrases = [], []  # words: (the word as typed, whether it is the last)
    for phrase, chunk in _TOKEN.findall(text):
        if phrase:
            parts = _PART.findall(phrase)
            if parts:
                phrases.append(_quoted(parts))
        else:
            words += [(joined, False) for joined in _JOINED.findall(chunk)]
    if words and not text.rstrip().endswith('"'):
        words[-1] = (words[-1][0], True)
    written, hyphenated = [], []
    for joined, last in words:
        *before, final = parts = _PART.findall(joined)
        found = [f for f in forms(final, not last)[:FORMS] if f != final.lower()]  # the word itself is there
        alternatives = [_quoted(parts, prefix=last), *(_quoted([*before, f]) for f in found)]
        written.append(_either(alternatives))
        if "-" in joined:
            hyphenated.append(_like(joined, os.path.commonprefix([final.lower(), *found])))
    if not written and not phrases:
        return None

    def scoped(parts: list[str]) -> str | None:
        if not parts:
            return None
        joined = " AND ".join(parts)
        if not column:
            return joined
        return f"{column} : {joined}" if len(parts) == 1 and joined.startswith("(") else f"{column} : ({joined})"

    return Match(scoped(written), scoped(phrases), tuple(dict.fromkeys(hyphenated)), column)


def _like(joined: str, final: str) -> str:
    """Return a LIKE pattern for a word typed with hyphens: its words up to the last, which starts with ``final``.

    ASCII letters and digits stand for themselves in either case, a hyphen for itself, anything else for any one
    character.

    >>> _like("O-ring", "ring"), _like("co-création", "créat"), _like("NASA's-own", "own")
    ('%O-ring%', '%co-cr_at%', '%NASA_s-own%')
    """
    head = joined[: joined.rindex(_PART.findall(joined)[-1])]
    return "%" + "".join(c if c == "-" or (c.isascii() and c.isalnum()) else "_" for c in head + final) + "%"


_TOKENIZERS = threading.local()


def _tokenizer() -> sqlite3.Connection:
    """Return this thread's private in-memory database with SQLite's two tokenizers, as the indexes use them.

    ``stems`` tokenizes as ``lessons_fts`` does, ``words`` as ``lessons_words``; each has an ``instance`` vocabulary
    (``stems_v``, ``words_v``) telling the terms of each row. Made once per thread (making FTS5 tables takes about a
    millisecond), emptied after each use; it never holds the store's data beyond one call.
    """
    mem = getattr(_TOKENIZERS, "db", None)
    if mem is None:
        mem = sqlite3.connect(":memory:")
        for name, tokenize in (
            ("stems", "porter unicode61 remove_diacritics 2"),
            ("words", "unicode61 remove_diacritics 2"),
        ):
            mem.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(x, tokenize='{tokenize}')")
            mem.execute(f"CREATE VIRTUAL TABLE {name}_v USING fts5vocab({name}, 'instance')")
        _TOKENIZERS.db = mem
    return mem


def _terms(table: str, texts: list[str]) -> dict[str, str]:
    """Each text's (last) term as the ``stems`` or ``words`` tokenizer gives it; texts without a term are left out."""
    mem = _tokenizer()
    try:
        mem.executemany(f"INSERT INTO {table} (rowid, x) VALUES (?, ?)", enumerate(texts))
        return {texts[doc]: term for doc, term in mem.execute(f"SELECT doc, term FROM {table}_v")}
    finally:
        mem.execute(f"DELETE FROM {table}")
        mem.commit()


def word_forms(db: Database, words: list[str]) -> dict[str, list[str]]:
    """Return, for each word, the words of the lessons with its stem (as written, commonest first).

    The stem is the one SQLite's porter tokenizer gives. Stems are SQLite's own: the word and its candidates (the
    store's words that start with the stem but its last letter, as every word does; see below for stems of one or
    two letters) are tokenized in a private
    in-memory database (:func:`_tokenizer`), never in the store.

    >>> from lessons.store import open_memory_store
    >>> word_forms(open_memory_store(), ["trust"])
    {'trust': []}
    """
    stems = _terms("stems", words)
    candidates: list[str] = []
    for stem in dict.fromkeys(stems.values()):
        # a stem of one or two letters ("a", "us") would make every word of its first letter a candidate: only the
        # words that start with the whole stem and are at most four letters longer can have it
        short = len(stem) <= 2
        start, longest = (stem, len(stem) + 4) if short else (stem[:-1], 1_000_000)
        try:
            candidates += [
                row[0]
                for row in db.execute(
                    """SELECT term FROM lessons_words_vocab WHERE term >= ? AND term < ? AND length(term) <= ?
                       ORDER BY doc DESC, term""",
                    [start, start + "\U0010ffff", longest],
                )
            ]
        except sqlite3.OperationalError:  # a store from before the words index (m005)
            return {word: [] for word in words}
    stem_of = _terms("stems", list(dict.fromkeys(candidates)))
    return {word: [c for c in stem_of if word in stems and stem_of[c] == stems[word]] for word in words}


def match_for(db: Database, text: str | None, *, column: str | None = None) -> Match | None:
    """Return the FTS5 queries for what a user typed, each word standing for its forms in this store's lessons."""
    typed = fts_query(text, column=column)
    if typed is None:
        return None
    finals = list(
        dict.fromkeys(
            _PART.findall(joined)[-1]
            for phrase, chunk in _TOKEN.findall(unicodedata.normalize("NFC", text))
            if not phrase
            for joined in _JOINED.findall(chunk)
        )
    )
    known = word_forms(db, finals) if finals else {}
    folded = _terms("words", finals) if finals else {}

    def forms(word: str, whole: bool) -> list[str]:
        found = known.get(word, [])
        typed = folded.get(word, "")
        return found if whole or typed in found or INFLECTED.search(typed) else []

    match = fts_query(text, forms, column=column)
    languages = text_languages(db)
    if match is None or set(languages) <= {"en"}:
        return match
    return replace(match, stems=stems_query(text, languages, column=column))


def text_languages(db: Database) -> list[str]:
    """Return the languages of the store's lessons and their translations (none for a store before m022).

    Read from the store's own tables, not a reader's view of them (:func:`lessons.visibility.scope`): which words a
    query stands for, not what it finds, and the language index answers it at once.

    >>> from lessons.store import open_memory_store
    >>> text_languages(open_memory_store())
    []
    """
    try:
        rows = db.execute(
            "SELECT language FROM main.lessons GROUP BY language"
            " UNION SELECT language FROM main.lesson_translations GROUP BY language"
        ).fetchall()
    except sqlite3.OperationalError:  # a store from before translations (m022)
        return []
    return sorted({(row[0] or "en").lower() for row in rows})


def stems_query(text: str | None, languages, *, column: str | None = None) -> str | None:
    """Return the FTS5 query on ``lessons_stems`` for what a user typed: each word as its stem in any of ``languages``.

    Every word must occur; words in quotes count as words. None when nothing searchable was typed.

    >>> stems_query("comunità partecipazione", ["it", "en"])
    '("comun" OR "comunità") AND ("partecip" OR "partecipazion")'
    >>> stems_query("pašvaldības", ["lv"], column="lesson")
    'lesson : ("pašvaldīb"*)'
    """
    words = _PART.findall(unicodedata.normalize("NFC", text or ""))
    terms = []
    for word in words:
        forms = stemming.query_forms(word, languages)
        if forms:
            terms.append(forms[0] if len(forms) == 1 and not column else "(" + " OR ".join(forms) + ")")
    if not terms:
        return None
    joined = " AND ".join(dict.fromkeys(terms))
    return f"{column} : {joined}" if column and len(terms) == 1 else f"{column} : ({joined})" if column else joined


def match_sql(match: Match) -> tuple[str, list[str]]:
    """Return the WHERE condition and its parameters for a search.

    The FROM clause joins ``match.table`` and the lessons as ``l``.

    >>> match_sql(Match('"trust"*', '"local champions"'))[0]
    'lessons_words MATCH ? AND l.id IN (SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH ?)'
    >>> match_sql(Match('"O ring"*', None, ("%O-ring%",), "lesson"))
    ('lessons_words MATCH ? AND (l.lesson LIKE ?)', ['"O ring"*', '%O-ring%'])
    """
    if match.stems:
        return _either_index(match)
    condition, params = f"{match.table} MATCH ?", [match.query]
    if match.written and match.stemmed:
        condition += " AND l.id IN (SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH ?)"
        params.append(match.stemmed)
    columns = [match.column] if match.column else COLUMNS
    for pattern in match.hyphenated:
        condition += " AND (" + " OR ".join(f"l.{c} LIKE ?" for c in columns) + ")"
        params += [pattern] * len(columns)
    return condition, params


def _either_index(match: Match) -> tuple[str, list[str]]:
    """Return the condition of a search that either index may satisfy (the FROM clause is the lessons alone).

    >>> _either_index(Match('"trust"*', None, stems='"trust"'))[0]
    'l.id IN (SELECT rowid FROM lessons_words WHERE lessons_words MATCH ? UNION SELECT lesson_id FROM lessons_stems WHERE lessons_stems MATCH ?)'
    """
    found, params = f"SELECT rowid FROM {match.table} WHERE {match.table} MATCH ?", [match.query]
    if match.written and match.stemmed:
        found += " INTERSECT SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH ?"
        params.append(match.stemmed)
    condition = f"l.id IN ({found} UNION SELECT lesson_id FROM lessons_stems WHERE lessons_stems MATCH ?)"
    params.append(match.stems)
    columns = [match.column] if match.column else COLUMNS
    for pattern in match.hyphenated:  # typed with a hyphen: so written in the lesson or one of its translations
        either = " OR ".join(f"{c} LIKE ?" for c in columns)
        condition += (
            f" AND ({' OR '.join(f'l.{c} LIKE ?' for c in columns)}"
            f" OR l.id IN (SELECT lesson_id FROM lesson_translations WHERE {either}))"
        )
        params += [pattern] * (2 * len(columns))
    return condition, params


def match_source(match: Match) -> str:
    """Return the FROM source of a search, naming the lessons ``l``: joined to the ranking index unless stems search.

    >>> match_source(Match('"trust"*', None)), match_source(Match('"trust"*', None, stems='"trust"'))
    ('lessons_words JOIN lessons l ON l.id = lessons_words.rowid', 'lessons l')
    """
    return "lessons l" if match.stems else f"{match.table} JOIN lessons l ON l.id = {match.table}.rowid"


def search_ids(db: Database, query: str | None, *, column: str | None = None) -> list[int] | None:
    """Ids of the lessons a search finds (any order); None when nothing was typed, so every lesson is in.

    >>> from lessons.store import open_memory_store
    >>> search_ids(open_memory_store(), "trust"), search_ids(open_memory_store(), ""), search_ids(open_memory_store(), "*")
    ([], None, [])
    """
    if not query:
        return None
    match = match_for(db, query, column=column)
    if match is None:
        return []
    condition, params = match_sql(match)
    sql = f"SELECT l.id FROM {match_source(match)} WHERE {condition}"
    return [row[0] for row in db.execute(sql, params)]
