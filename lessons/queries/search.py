"""Lists of lessons for a search and filters.

The Lessons page's list with highlighted snippets, and the rows of an export.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.queries.filters import _selection, _where
from lessons.queries.fulltext import Match
from lessons.store import frame as _frame

#: Private-use characters that mark matched words in search snippets; they cannot be confused with user text.
MATCH_START, MATCH_END = "\ue000", "\ue001"


_THEME_NAMES = """(SELECT group_concat(t.name, '; ') FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id
                   WHERE lt.lesson_id = l.id)"""


def _matching(
    db: Database, columns, query: str | None, filters: dict, *, limit: int | None = None, column: str | None = None
) -> tuple[pd.DataFrame, Match | None]:
    """Select ``columns`` of the lessons matching a search and filters, best matches first (else by pilot, key).

    ``columns`` is SQL text, or a function of the search's match returning it (a snippet names the match's index).
    """
    source, where, params, match = _selection(db, query, filters, column=column)
    sql = f"""
        SELECT {columns(match) if callable(columns) else columns}
        FROM {source} JOIN pilots p ON p.id = l.pilot_id LEFT JOIN phases ph ON ph.code = l.phase
        {_where(where)}
        ORDER BY {f"{match.table}.rank" if match else "p.name, l.key"}
        {"LIMIT ?" if limit else ""}
    """
    if limit:
        params.append(int(limit))
    return _frame(db, sql, params), match


def search_lessons(
    db: Database, *, query: str | None = None, limit: int | None = None, column: str | None = None, **filters
) -> pd.DataFrame:
    """Lessons matching a search and filters (all optional), best matches first.

    Parameters
    ----------
    db : Database
        The store.
    query : str, optional
        Search text: every word must occur (in any of its forms, as the Porter stemmer tells them), the last may be
        the start of a word as written, words joined by a hyphen are found together, "double quotes" make a phrase
        (see :func:`~lessons.queries.fulltext.fts_query`). Text with nothing searchable in it matches no lesson.
    limit : int, optional
        At most this many lessons.
    column : str, optional
        Search one column only: title, lesson, context or recommendation (default: all four).
    **filters
        ``pilots`` (slugs), ``countries`` (ISO codes), ``themes`` (codes), ``kinds``, ``phases`` (codes),
        ``statuses``, ``groups`` (sector codes of the stakeholder groups concerned), ``methodologies`` (codes of
        the pilot's methodology): sequences whose values are alternatives, while different filters must all hold;
        ``recorded_from`` and ``recorded_to``: a date range (inclusive, dates or ISO text) on ``recorded_on`` that,
        when set, leaves out lessons without a date.

    Returns
    -------
    DataFrame
        Columns id, key, title, lesson, kind, phase, phase_name, status, recorded_on, pilot, pilot_name, country,
        themes (theme names joined by ``; ``), snippet (matched words between MATCH_START and MATCH_END when
        searching, else the start of the lesson).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> search_lessons(open_memory_store(), query="trust", statuses=["validated"]).empty
    True
    """

    def columns(match: Match | None) -> str:
        snippet = f"snippet({match.table}, -1, '{MATCH_START}', '{MATCH_END}', ' … ', 24)" if match else "NULL"
        return f"""l.id, l.key, l.title, l.lesson, l.kind, l.phase, ph.name AS phase_name, l.status, l.recorded_on,
            p.slug AS pilot, p.name AS pilot_name, p.country, {_THEME_NAMES} AS themes, {snippet} AS snippet"""

    found, match = _matching(db, columns, query, filters, limit=limit, column=column)
    if not match and not found.empty:
        found["snippet"] = found["lesson"].map(preview)
    return found


def lessons_for_export(db: Database, *, query: str | None = None, **filters) -> pd.DataFrame:
    """Every field people reuse of the lessons :func:`search_lessons` finds, in the same order.

    Columns: id, pilot, pilot_name, country, key, title, lesson, context, recommendation, kind, phase_name,
    themes, groups (names of the stakeholder groups concerned), methodology (name), status, evidence_strength,
    evidence_source, recorded_on, language. Themes and groups are joined by ``; `` in alphabetical order.

    >>> from lessons.store import open_memory_store
    >>> list(lessons_for_export(open_memory_store()).columns)[:5]
    ['id', 'pilot', 'pilot_name', 'country', 'key']
    """
    found, _ = _matching(
        db,
        """l.id, p.slug AS pilot, p.name AS pilot_name, p.country, l.key, l.title, l.lesson, l.context,
           l.recommendation, l.kind, ph.name AS phase_name,
           (SELECT group_concat(name, '; ') FROM (SELECT t.name FROM lesson_themes lt
              JOIN themes t ON t.id = lt.theme_id WHERE lt.lesson_id = l.id ORDER BY t.name)) AS themes,
           (SELECT group_concat(name, '; ') FROM (SELECT s.name FROM lesson_groups g
              JOIN sectors s ON s.code = g.sector WHERE g.lesson_id = l.id ORDER BY s.name)) AS groups,
           (SELECT m.name FROM methodologies m WHERE m.code = p.methodology) AS methodology,
           l.status, l.evidence_strength, l.evidence_source, l.recorded_on, l.language""",
        query,
        filters,
    )
    return found


def preview(text: str, length: int = 220) -> str:
    """Return the start of a text, cut at a word boundary with an ellipsis when it is longer than ``length``.

    >>> preview("one two three", 9)
    'one two …'
    >>> preview("short", 9)
    'short'
    """
    text = text or ""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:") + " …"
