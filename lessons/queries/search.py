"""Lists of lessons for a search and filters.

The Lessons page's list with highlighted snippets, and the rows of an export.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
from sqlite_utils import Database

from lessons.queries.filters import _selection, _where
from lessons.queries.fulltext import Match
from lessons.store import frame as _frame

#: Private-use characters that mark matched words in search snippets; they cannot be confused with user text.
MATCH_START, MATCH_END = "\ue000", "\ue001"


_THEME_NAMES = """(SELECT group_concat(t.name, '; ') FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id
                   WHERE lt.lesson_id = l.id)"""


def _order(match: Match | None) -> str:
    """Return the ORDER BY of every list of lessons: best matches first when searching, else by pilot and key."""
    # rank alone when searching: the index then returns its rows best first and LIMIT stops it early (a tie-break
    # column would make SQLite sort every match, with its snippet, first: best 20 went from 1.4x to 3x raw FTS5)
    return f"{match.table}.rank" if match and match.ranked else "p.name, l.key, l.id"


def _list_columns(match: Match | None) -> str:
    """Return the columns of a list of lessons; a snippet marks the matched words when searching."""
    ranked = match and match.ranked
    snippet = f"snippet({match.table}, -1, '{MATCH_START}', '{MATCH_END}', ' … ', 24)" if ranked else "NULL"
    return f"""l.id, l.key, l.title, l.lesson, l.kind, l.phase, ph.name AS phase_name, l.status, l.recorded_on,
        p.slug AS pilot, p.name AS pilot_name, p.country, {_THEME_NAMES} AS themes, {snippet} AS snippet"""


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
        ORDER BY {_order(match)}
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
    found, match = _matching(db, _list_columns, query, filters, limit=limit, column=column)
    if not found.empty and not (match and match.ranked):
        found["snippet"] = found["lesson"].map(preview)
    return found


def lesson_labels(db: Database) -> dict[int, str]:
    """Return every lesson's label, ``pilot · key · title``, by id, in the order of :func:`search_lessons`.

    Only the three columns are read: what a choice of lessons offers, without every lesson's text.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> lesson_labels(open_memory_store())
    {}
    """
    found, _ = _matching(db, "l.id, l.key, l.title, p.name AS pilot_name", None, {})
    return {int(r.id): f"{r.pilot_name} · {r.key} · {r.title}" for r in found.itertuples()}


class LessonPage(NamedTuple):
    """One page of a list of lessons: how many match in all, the page shown, how many pages, that page's rows."""

    total: int
    page: int
    pages: int
    rows: pd.DataFrame


def lesson_page(
    db: Database, *, query: str | None = None, page: int = 1, size: int = 20, column: str | None = None, **filters
) -> LessonPage:
    """Return one page of the lessons :func:`search_lessons` finds, in the same order, and how many match in all.

    The database counts the matches and picks the page (``LIMIT``/``OFFSET``); themes and snippets are read for that
    page's rows only, so a search matching thousands of lessons costs about as much as one matching twenty.

    Parameters
    ----------
    db : Database
        The store.
    query : str, optional
        Search text, as for :func:`search_lessons`.
    page : int
        The page wanted, from 1; one past the last (or below 1) gives the last (or the first) page.
    size : int
        Lessons per page.
    column : str, optional
        Search one column only, as for :func:`search_lessons`.
    **filters
        As for :func:`search_lessons`.

    Returns
    -------
    LessonPage
        ``total`` (lessons matching), ``page`` (the page given, from 1), ``pages`` (at least 1) and ``rows`` (the
        columns of :func:`search_lessons`, at most ``size`` rows).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> found = lesson_page(open_memory_store(), query="trust", page=3)
    >>> found.total, found.page, found.pages, len(found.rows)
    (0, 1, 1, 0)
    """
    size = max(1, int(size))
    source, where, params, match = _selection(db, query, filters, column=column)
    chosen = f"FROM {source} JOIN pilots p ON p.id = l.pilot_id {_where(where)}"
    ranked = f"SELECT l.id, count(*) OVER () {chosen} ORDER BY {_order(match)} LIMIT ? OFFSET ?"  # one pass: both

    def read(page: int) -> list[tuple[int, int]]:
        return db.execute(ranked, [*params, size, (max(1, int(page)) - 1) * size]).fetchall()

    found = read(page)
    if not found and int(page) > 1:  # past the last page (or nothing matches): count, then read the last page
        total = db.execute(f"SELECT count(*) {chosen}", params).fetchone()[0]
        found = read(-(-total // size))
    total = found[0][1] if found else 0
    pages = max(1, -(-total // size))
    page = min(max(1, int(page)), pages)
    ids = [lesson_id for lesson_id, _total in found]
    marks = ", ".join("?" * len(ids))
    rows = _frame(
        db,
        f"""SELECT {_list_columns(None)}
            FROM lessons l JOIN pilots p ON p.id = l.pilot_id LEFT JOIN phases ph ON ph.code = l.phase
            WHERE l.id IN ({marks})""",
        ids,
    )
    if not rows.empty:
        rows = rows.set_index("id").loc[ids].reset_index()
        if match:  # snippets from the index itself, for the page's rows only (a rowid lookup each, not a join)
            snippets = dict(
                db.execute(
                    f"""SELECT rowid, snippet({match.table}, -1, '{MATCH_START}', '{MATCH_END}', ' … ', 24)
                        FROM {match.table} WHERE {match.table} MATCH ? AND rowid IN ({marks})""",
                    [match.query, *ids],
                ).fetchall()
            )
            rows["snippet"] = [snippets.get(i) or preview(text) for i, text in zip(rows["id"], rows["lesson"])]
        else:
            rows["snippet"] = rows["lesson"].map(preview)
    return LessonPage(total, page, pages, rows)


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
