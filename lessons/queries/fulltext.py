"""Full-text search of lessons: what a user typed as an FTS5 query, and the ids of the lessons it finds.

The query quotes phrases, completes the last word from this store's words and stems as SQLite's porter tokenizer does.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata

import snowballstemmer
from sqlite_utils import Database


def search_ids(db: Database, query: str | None) -> list[int] | None:
    """Ids of the lessons a search finds (any order); None when nothing was typed, so every lesson is in.

    >>> from lessons.store import open_memory_store
    >>> search_ids(open_memory_store(), "trust"), search_ids(open_memory_store(), ""), search_ids(open_memory_store(), "*")
    ([], None, [])
    """
    if not query:
        return None
    match = match_for(db, query)
    if match is None:
        return []
    return [row[0] for row in db.execute("SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH ?", [match])]


_TOKEN = re.compile(r'"([^"]+)"|(\S+)')


def fts_query(text: str, expand=None) -> str | None:
    """Turn what a user typed into a safe FTS5 query.

    Words must all occur (the last may be a prefix); text in double quotes is a phrase. Returns None when nothing
    searchable is left.

    ``expand``, given the last word when it may be a prefix, returns whole words that start with it; they are
    searched as alternatives, because the index holds word stems and the stem of "communication" ("commun") does
    not start with "communicat".

    >>> fts_query('champion "local authority" proc')
    '"champion" "local authority" "proc"*'
    >>> fts_query("communicat", expand=lambda w: ["communication", "communicated"])
    '("communicat"* OR "communication" OR "communicated")'
    >>> fts_query('  "" ') is None
    True
    """
    parts = []
    for phrase, word in _TOKEN.findall(text or ""):
        if phrase:
            words = re.findall(r"\w+", phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
        else:
            parts.extend(f'"{w}"' for w in re.findall(r"\w+", word))
    if not parts:
        return None
    if not (text or "").rstrip().endswith('"'):
        last = parts[-1].strip('"')
        parts[-1] += "*"
        whole = [w for w in (expand(last) if expand else []) if w != last.lower() and re.fullmatch(r"\w+", w)]
        if whole:
            parts[-1] = "(" + " OR ".join([parts[-1], *(f'"{w}"' for w in whole)]) + ")"
            return " AND ".join(parts)
    return " ".join(parts)


#: At most this many whole words stand in for a prefix (the commonest first).
PREFIX_WORDS = 60


def prefix_words(db: Database, prefix: str, limit: int = PREFIX_WORDS) -> list[str]:
    """Words in the lessons (as written, accents folded, lower case) that start with ``prefix``, commonest first.

    >>> from lessons.store import open_memory_store
    >>> prefix_words(open_memory_store(), "comm")
    []
    """
    folded = "".join(c for c in unicodedata.normalize("NFKD", prefix.lower()) if not unicodedata.combining(c))
    if len(folded) < 3:
        return []  # a prefix of one or two letters would stand for too many words
    try:
        rows = db.execute(
            "SELECT term FROM lessons_words_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC, term LIMIT ?",
            [folded, folded + "\U0010ffff", int(limit)],
        ).fetchall()
    except sqlite3.OperationalError:  # a store from before the words index (m005)
        return []
    return [r[0] for r in rows]


_PORTER = snowballstemmer.stemmer("porter")  # the algorithm of SQLite's porter tokenizer


def needed_completions(prefix: str, words: list[str]) -> list[str]:
    """Return the completions a stemmed prefix search would miss.

    The index stems "budgets" to "budget", which the prefix "budget" already finds, but "communication" to "commun",
    which the prefix "communicat" does not.

    >>> needed_completions("budget", ["budgets", "budgeting"]), needed_completions("communicat", ["communication"])
    ([], ['communication'])
    """
    stem = _PORTER.stemWord(prefix.lower())
    return [w for w in words if not _PORTER.stemWord(w).startswith(stem)]


def match_for(db: Database, text: str | None) -> str | None:
    """Return the FTS5 query for what a user typed, with the last word's completions from this store's lessons."""
    if not text:
        return None
    return fts_query(text, expand=lambda word: needed_completions(word, prefix_words(db, word)))
