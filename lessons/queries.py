"""Read-side queries the pages and the benchmark use. Every query is parameterised; results are plain frames."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from datetime import date, datetime

import pandas as pd
import snowballstemmer
from sqlite_utils import Database

from lessons.lifecycle import status_history
from lessons.privacy import public_workshop
from lessons.store import KIND_LABELS, KINDS, STATUS_LABELS, STATUSES

#: Statuses that count as "validated" on the Overview: validated, and the later stages built on validation.
VALIDATED_STATUSES = ("validated", "endorsed", "applied_elsewhere")
#: The Lessons page's filters, in the order it shows them: values within one filter are alternatives, different
#: filters must all hold.
FILTER_FIELDS = (
    "pilots", "countries", "themes", "kinds", "phases", "statuses", "groups", "methodologies", "status_set_by",
)  # fmt: skip
#: Where a lesson's current status came from (the source of its latest ``lesson_status_history`` row).
STATUS_SET_BY_LABELS = {
    "workshop": "A workshop's votes (validated or contested in a workshop)",
    "decision": "A decision (submitted, endorsed, applied elsewhere)",
    "upload": "An upload or the demo data",
    "before_lifecycle": "Before the lifecycle existed",
}
_STATUS_SET_BY = "(SELECT h.source FROM lesson_status_history h WHERE h.lesson_id = l.id ORDER BY h.id DESC LIMIT 1)"
#: The date range on ``lessons.recorded_on`` (inclusive; set, it leaves out lessons without a date).
DATE_FIELDS = ("recorded_from", "recorded_to")
#: Filters on one column of the lesson or its pilot.
_COLUMNS = {
    "pilots": "p.slug",
    "countries": "p.country",
    "kinds": "l.kind",
    "phases": "l.phase",
    "statuses": "l.status",
    "methodologies": "p.methodology",
    "status_set_by": _STATUS_SET_BY,
}
#: Filters on a linked table, where a lesson can have several values: the ids of lessons having any of them.
_LINKED = {
    "themes": "SELECT lt2.lesson_id FROM lesson_themes lt2 JOIN themes t2 ON t2.id = lt2.theme_id WHERE t2.code IN ({})",
    "groups": "SELECT lg2.lesson_id FROM lesson_groups lg2 WHERE lg2.sector IN ({})",
}
#: Private-use characters that mark matched words in search snippets; they cannot be confused with user text.
MATCH_START, MATCH_END = "\ue000", "\ue001"


def _frame(db: Database, sql: str, params=()) -> pd.DataFrame:
    cursor = db.execute(sql, list(params))
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def _in(column: str, values) -> tuple[str, list]:
    values = list(values)
    return f"{column} IN ({', '.join('?' * len(values))})", values


def overview_counts(db: Database) -> dict[str, int]:
    """Headline counts for the Overview.

    >>> from lessons.store import open_memory_store
    >>> overview_counts(open_memory_store())["lessons"]
    0
    """
    one = lambda sql, params=(): db.execute(sql, list(params)).fetchone()[0]  # noqa: E731
    return {
        "pilots": one("SELECT count(*) FROM pilots"),
        "countries": one("SELECT count(DISTINCT country) FROM pilots"),
        "lessons": one("SELECT count(*) FROM lessons"),
        "validated": one(*_count_in("lessons", "status", VALIDATED_STATUSES)),
        "stakeholders": one("SELECT count(*) FROM stakeholders"),
        "workshops": one("SELECT count(*) FROM workshops"),
        "votes": one("SELECT count(*) FROM votes"),
    }


def _count_in(table: str, column: str, values) -> tuple[str, list]:
    clause, params = _in(column, values)
    return f"SELECT count(*) FROM {table} WHERE {clause}", params


def pilots_by_country(db: Database) -> pd.DataFrame:
    """Pilots and lessons per country: columns ``country``, ``pilots``, ``lessons``."""
    return _frame(
        db,
        """
        SELECT p.country, count(DISTINCT p.id) AS pilots, count(l.id) AS lessons
        FROM pilots p LEFT JOIN lessons l ON l.pilot_id = p.id
        GROUP BY p.country ORDER BY pilots DESC, p.country
        """,
    )


def lessons_by_theme_and_kind(db: Database) -> pd.DataFrame:
    """Lesson counts per theme and kind: columns ``theme``, ``kind``, ``lessons`` (themes with no lesson omitted)."""
    return _frame(
        db,
        """
        SELECT t.name AS theme, l.kind, count(*) AS lessons
        FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id JOIN lessons l ON l.id = lt.lesson_id
        GROUP BY t.name, l.kind ORDER BY t.name, l.kind
        """,
    )


def pilot_summaries(db: Database) -> pd.DataFrame:
    """One row per pilot with its facts and counts of lessons, validated lessons and stakeholders."""
    clause, params = _in("status", VALIDATED_STATUSES)
    return _frame(
        db,
        f"""
        SELECT p.id, p.slug, p.name, p.country, p.city, p.service_area, p.target_groups, p.start_date, p.end_date,
               m.name AS methodology, p.summary,
               (SELECT count(*) FROM lessons l WHERE l.pilot_id = p.id) AS lessons,
               (SELECT count(*) FROM lessons l WHERE l.pilot_id = p.id AND {clause}) AS validated,
               (SELECT count(*) FROM stakeholders s WHERE s.pilot_id = p.id) AS stakeholders
        FROM pilots p LEFT JOIN methodologies m ON m.code = p.methodology
        ORDER BY p.name
        """,
        params,
    )


def _facet_options(db: Database) -> dict[str, pd.DataFrame]:
    """Every value each filter offers, in the order shown (columns value, label)."""
    return {
        "pilots": _frame(
            db,
            "SELECT slug AS value, name || coalesce(' (' || country || ')', '') AS label FROM pilots ORDER BY name, slug",
        ),
        "countries": _frame(
            db,
            """SELECT DISTINCT country AS value, country AS label FROM pilots
               WHERE country IS NOT NULL AND country <> '' ORDER BY country""",
        ),
        "themes": _frame(db, "SELECT code AS value, name AS label FROM themes ORDER BY name, code"),
        "kinds": pd.DataFrame({"value": list(KINDS), "label": [KIND_LABELS[k] for k in KINDS]}),
        "phases": _frame(db, "SELECT code AS value, name AS label FROM phases ORDER BY position"),
        "statuses": pd.DataFrame({"value": list(STATUSES), "label": [STATUS_LABELS[s] for s in STATUSES]}),
        "groups": _frame(db, "SELECT code AS value, name AS label FROM sectors ORDER BY name"),
        "methodologies": _frame(db, "SELECT code AS value, name AS label FROM methodologies ORDER BY name"),
        "status_set_by": pd.DataFrame(
            {"value": list(STATUS_SET_BY_LABELS), "label": list(STATUS_SET_BY_LABELS.values())}
        ),
    }


def iso_date(value) -> str | None:
    """A date (``date``, ``datetime`` or ISO text) as ``YYYY-MM-DD``; None for an empty value.

    >>> iso_date("2021-04-01"), iso_date(date(2021, 4, 1)), iso_date(None), iso_date("")
    ('2021-04-01', '2021-04-01', None, None)
    >>> iso_date("April 2021")
    Traceback (most recent call last):
    ...
    ValueError: Invalid isoformat string: 'April 2021'
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value)).isoformat()


def _check_filters(filters: dict) -> None:
    unknown = set(filters) - set(FILTER_FIELDS) - set(DATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown lesson filter: {', '.join(sorted(unknown))}")


def _selection(db: Database, query: str | None, filters: dict) -> tuple[str, list[str], list, str | None]:
    """The FROM source, WHERE conditions and parameters that select the lessons matching a search and filters.

    The source names the lesson ``l``; conditions on the pilot use ``p`` (the caller joins ``pilots p``).
    Returns (source, conditions, params, FTS match or None).
    """
    _check_filters(filters)
    where, params = [], []
    match = match_for(db, query)
    if query and match is None:
        where.append("0")  # nothing searchable was typed: no lesson matches
    if match:
        source = "lessons_fts JOIN lessons l ON l.id = lessons_fts.rowid"
        where.append("lessons_fts MATCH ?")
        params.append(match)
    else:
        source = "lessons l"
    for name, operator in zip(DATE_FIELDS, (">=", "<=")):
        day = iso_date(filters.get(name))
        if day:  # lessons without a date drop out only when a range is set
            where.append(f"substr(l.recorded_on, 1, 10) {operator} ?")
            params.append(day)
    for name in FILTER_FIELDS:
        chosen = [str(v) for v in filters.get(name) or ()]
        if chosen:
            marks = ", ".join("?" * len(chosen))
            if name in _LINKED:
                where.append(f"l.id IN ({_LINKED[name].format(marks)})")
            else:
                where.append(f"{_COLUMNS[name]} IN ({marks})")
            params += chosen
    return source, where, params, match


def _where(conditions: list[str]) -> str:
    return "WHERE " + " AND ".join(conditions) if conditions else ""


def facet_index(db: Database) -> dict:
    """What faceted counts are computed from, read once per data version (see :func:`facet_counts`).

    Returns a dict: ``lessons`` (a frame with one row per lesson: ``id``, one column per one-value filter named as
    in ``FILTER_FIELDS`` — pilots, countries, kinds, phases, statuses, methodologies, status_set_by — and
    ``recorded``, the ISO date or None), ``themes`` and ``groups`` (frames of ``id``, ``value`` pairs: a lesson's theme codes and the
    sectors of its stakeholder groups) and ``options`` (every filter's values and labels, in the order shown).
    """
    lessons = _frame(
        db,
        f"""SELECT l.id, p.slug AS pilots, p.country AS countries, l.kind AS kinds, l.phase AS phases,
                  l.status AS statuses, p.methodology AS methodologies, {_STATUS_SET_BY} AS status_set_by,
                  substr(l.recorded_on, 1, 10) AS recorded
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id""",
    )
    for name in _COLUMNS:  # few distinct values: categories make the counts fast and the index small
        lessons[name] = lessons[name].astype("category")
    themes = _frame(db, "SELECT lesson_id AS id, theme_id FROM lesson_themes")
    codes = dict(db.execute("SELECT id, code FROM themes").fetchall())
    return {
        "lessons": lessons,
        "themes": pd.DataFrame({"id": themes["id"], "value": themes["theme_id"].map(codes).astype("category")}),
        "groups": _frame(db, "SELECT lesson_id AS id, sector AS value FROM lesson_groups").astype(
            {"value": "category"}
        ),
        "options": _facet_options(db),
    }


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


def facet_counts(index: dict, *, matched=None, **filters) -> dict[str, pd.DataFrame]:
    """Faceted counts from a :func:`facet_index`: for each filter, its options with the number of lessons that
    would match if the option were chosen.

    The search (``matched``: the ids it found, None for no search), the date range and every *other* filter apply;
    the filter's own choice does not, since values within a filter are alternatives.

    Parameters
    ----------
    index : dict
        What :func:`facet_index` returned.
    matched : sequence of int, optional
        Ids of the lessons the search found (:func:`search_ids`); None when there is no search.
    **filters
        The current choice: any of ``FILTER_FIELDS`` (sequences of values) and ``recorded_from``, ``recorded_to``.

    Returns
    -------
    dict of str to DataFrame
        One frame per name in ``FILTER_FIELDS``, columns ``value``, ``label``, ``lessons``, every option listed
        (also those with no lesson). Countries are labelled by their code; pages name them.
    """
    _check_filters(filters)
    rows = index["lessons"]
    base = pd.Series(True, index=rows.index)
    if matched is not None:
        base &= rows["id"].isin(list(matched))
    for name, keep in zip(DATE_FIELDS, ("ge", "le")):
        day = iso_date(filters.get(name))
        if day:  # lessons without a date drop out only when a range is set
            base &= getattr(rows["recorded"], keep)(day).fillna(False).astype(bool)
    masks = {}
    for name in FILTER_FIELDS:
        chosen = [str(v) for v in filters.get(name) or ()]
        if not chosen:
            continue
        if name in _LINKED:
            link = index[name]
            masks[name] = rows["id"].isin(link.loc[link["value"].isin(chosen), "id"])
        else:
            masks[name] = rows[name].isin(chosen)
    counted = {}
    for name in FILTER_FIELDS:
        keep = base.copy()
        for other, mask in masks.items():
            if other != name:
                keep &= mask
        if name in _LINKED:
            link = index[name]
            values = link.loc[link["id"].isin(rows.loc[keep, "id"]), "value"]
        else:
            values = rows.loc[keep, name]
        counts = values.astype(object).value_counts()
        frame = index["options"][name].copy()
        frame["lessons"] = frame["value"].map(counts).fillna(0).astype(int)
        counted[name] = frame
    return counted


def facets(db: Database, *, query: str | None = None, **filters) -> dict[str, pd.DataFrame]:
    """Filter options with lesson counts, as in a faceted search (see :func:`facet_counts`).

    Without arguments the counts are plain totals. Pages cache :func:`facet_index` per data version and call
    :func:`facet_counts` for each choice; this is the same in one call.

    Parameters
    ----------
    db : Database
        The store.
    query : str, optional
        The search text, as for :func:`search_lessons`.
    **filters
        The current choice: any of ``FILTER_FIELDS`` (sequences of values) and ``recorded_from``, ``recorded_to``.

    Returns
    -------
    dict of str to DataFrame
        One frame per name in ``FILTER_FIELDS``, columns ``value``, ``label``, ``lessons``.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> f = facets(open_memory_store())
    >>> list(f) == list(FILTER_FIELDS)
    True
    >>> list(f["kinds"].itertuples(index=False, name=None))
    [('enabler', 'Enabler', 0), ('barrier', 'Barrier', 0), ('recommendation', 'Recommendation', 0), ('insight', 'Insight', 0)]
    """
    return facet_counts(facet_index(db), matched=search_ids(db, query), **filters)


def recorded_span(db: Database) -> dict:
    """The first and last dates lessons were recorded on (ISO text, None when no lesson has one) and how many
    lessons have no date.

    >>> from lessons.store import open_memory_store
    >>> recorded_span(open_memory_store())
    {'first': None, 'last': None, 'undated': 0}
    """
    first, last, undated = db.execute(
        """SELECT min(substr(recorded_on, 1, 10)), max(substr(recorded_on, 1, 10)),
                  coalesce(sum(recorded_on IS NULL OR recorded_on = ''), 0)
           FROM lessons"""
    ).fetchone()
    return {"first": first, "last": last, "undated": undated}


_TOKEN = re.compile(r'"([^"]+)"|(\S+)')


def fts_query(text: str, expand=None) -> str | None:
    """Turn what a user typed into a safe FTS5 query: words must all occur (the last may be a prefix),
    text in double quotes is a phrase. Returns None when nothing searchable is left.

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
    """The completions a stemmed prefix search would miss: the index stems "budgets" to "budget", which the prefix
    "budget" already finds, but "communication" to "commun", which the prefix "communicat" does not.

    >>> needed_completions("budget", ["budgets", "budgeting"]), needed_completions("communicat", ["communication"])
    ([], ['communication'])
    """
    stem = _PORTER.stemWord(prefix.lower())
    return [w for w in words if not _PORTER.stemWord(w).startswith(stem)]


def match_for(db: Database, text: str | None) -> str | None:
    """The FTS5 query for what a user typed, with the last word's completions from this store's lessons."""
    if not text:
        return None
    return fts_query(text, expand=lambda word: needed_completions(word, prefix_words(db, word)))


_THEME_NAMES = """(SELECT group_concat(t.name, '; ') FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id
                   WHERE lt.lesson_id = l.id)"""


def _matching(
    db: Database, columns: str, query: str | None, filters: dict, *, limit: int | None = None
) -> tuple[pd.DataFrame, str | None]:
    """Select ``columns`` of the lessons matching a search and filters, best matches first (else by pilot, key)."""
    source, where, params, match = _selection(db, query, filters)
    sql = f"""
        SELECT {columns}
        FROM {source} JOIN pilots p ON p.id = l.pilot_id LEFT JOIN phases ph ON ph.code = l.phase
        {_where(where)}
        ORDER BY {"lessons_fts.rank" if match else "p.name, l.key"}
        {"LIMIT ?" if limit else ""}
    """
    if limit:
        params.append(int(limit))
    return _frame(db, sql, params), match


def search_lessons(db: Database, *, query: str | None = None, limit: int | None = None, **filters) -> pd.DataFrame:
    """Lessons matching a search and filters (all optional), best matches first.

    Parameters
    ----------
    db : Database
        The store.
    query : str, optional
        Search text: every word must occur (stemmed), the last may be the start of a word, "double quotes" make a
        phrase (see :func:`fts_query`). Text with nothing searchable in it matches no lesson.
    limit : int, optional
        At most this many lessons.
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
    snippet = f"snippet(lessons_fts, -1, '{MATCH_START}', '{MATCH_END}', ' … ', 24)"
    found, match = _matching(
        db,
        f"""l.id, l.key, l.title, l.lesson, l.kind, l.phase, ph.name AS phase_name, l.status, l.recorded_on,
            p.slug AS pilot, p.name AS pilot_name, p.country, {_THEME_NAMES} AS themes,
            {snippet if fts_query(query) else "NULL"} AS snippet""",
        query,
        filters,
        limit=limit,
    )
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
    """The start of a text, cut at a word boundary with an ellipsis when it is longer than ``length``.

    >>> preview("one two three", 9)
    'one two …'
    >>> preview("short", 9)
    'short'
    """
    text = text or ""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def lesson_detail(db: Database, lesson_id: int) -> dict | None:
    """Everything about one lesson: its fields, pilot, themes, stakeholder groups, provenance, model links,
    workshop validation results (``validation``: the records of :func:`lesson_validation`) and the public record of
    its status (``status_history``: the records of :func:`lessons.lifecycle.status_history`, no account ids)."""
    cursor = db.execute(
        """
        SELECT l.*, p.slug AS pilot, p.name AS pilot_name, p.country, p.city, m.name AS methodology,
               ph.name AS phase_name, u.filename AS upload_file, u.uploaded_at AS upload_at, u.username AS upload_by
        FROM lessons l JOIN pilots p ON p.id = l.pilot_id
        LEFT JOIN methodologies m ON m.code = p.methodology
        LEFT JOIN phases ph ON ph.code = l.phase
        LEFT JOIN uploads u ON u.id = l.upload_id
        WHERE l.id = ?
        """,
        [int(lesson_id)],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    detail = dict(zip([c[0] for c in cursor.description], row))
    themes = db.execute(
        "SELECT t.code, t.name FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE lt.lesson_id = ? ORDER BY t.name",
        [int(lesson_id)],
    ).fetchall()
    groups = db.execute(
        "SELECT s.code, s.name FROM lesson_groups g JOIN sectors s ON s.code = g.sector WHERE g.lesson_id = ? ORDER BY s.name",
        [int(lesson_id)],
    ).fetchall()
    detail["themes"], detail["theme_codes"] = [t[1] for t in themes], [t[0] for t in themes]
    detail["groups"], detail["group_codes"] = [g[1] for g in groups], [g[0] for g in groups]
    detail["elements"] = _frame(
        db,
        """SELECT gm.name AS model, e.name AS element, le.stance
           FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
           JOIN governance_models gm ON gm.id = e.model_id
           WHERE le.lesson_id = ? AND le.status = 'accepted' AND e.version = gm.version
           ORDER BY gm.name, e.position""",
        [int(lesson_id)],
    ).to_dict("records")
    detail["validation"] = lesson_validation(db, lesson_id).to_dict("records")
    detail["status_history"] = status_history(db, lesson_id).to_dict("records")
    detail["actors"] = _frame(
        db,
        """SELECT s.id, s.key, s.name, sec.name AS sector_name, s.hard_to_reach, s.role
           FROM lesson_stakeholders ls JOIN stakeholders s ON s.id = ls.stakeholder_id
           LEFT JOIN sectors sec ON sec.code = s.sector WHERE ls.lesson_id = ? ORDER BY s.name""",
        [int(lesson_id)],
    ).to_dict("records")
    return detail


def lesson_validation(db: Database, lesson_id: int) -> pd.DataFrame:
    """How workshops voted on statements drawn from a lesson, per workshop and round.

    Votes on every approved statement whose ``lesson_id`` is the lesson are counted. A workshop that lists such a
    statement but has no vote on it yet appears with its current round and zero votes.

    Parameters
    ----------
    db : Database
        The store.
    lesson_id : int
        ``lessons.id``.

    Returns
    -------
    DataFrame
        Columns workshop_id, workshop (title), status (of the workshop), round, agree, disagree, pass, votes;
        workshops in the order they opened (or were prepared), rounds in order. Empty when no workshop used it.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> db["pilots"].insert({"id": 1, "slug": "p", "name": "P", "country": "FI"})  # doctest: +ELLIPSIS
    <Table pilots ...>
    >>> db["lessons"].insert({"id": 1, "pilot_id": 1, "key": "L01", "title": "T", "lesson": "L", "kind": "insight"})  # doctest: +ELLIPSIS
    <Table lessons ...>
    >>> db["workshops"].insert({"id": 1, "code": "ABCDEF", "title": "Spring workshop", "status": "closed"})  # doctest: +ELLIPSIS
    <Table workshops ...>
    >>> db["statements"].insert({"id": 1, "workshop_id": 1, "key": "S01", "text": "T", "lesson_id": 1})  # doctest: +ELLIPSIS
    <Table statements ...>
    >>> db["participants"].insert_all({"id": i, "workshop_id": 1, "token": f"t{i}"} for i in range(1, 6))  # doctest: +ELLIPSIS
    <Table participants ...>
    >>> db["votes"].insert_all({"participant_id": i, "statement_id": 1, "value": v} for i, v in ((1, 1), (2, 1), (3, -1)))  # doctest: +ELLIPSIS
    <Table votes ...>
    >>> lesson_validation(db, 1).to_dict("records")
    [{'workshop_id': 1, 'workshop': 'Spring workshop', 'status': 'closed', 'round': 1, 'agree': 2, 'disagree': 1, 'pass': 0, 'votes': 3}]
    >>> db.execute("DELETE FROM participants WHERE id = 5").rowcount  # four people: their votes are not shown
    1
    >>> lesson_validation(db, 1).empty
    True
    """
    return _frame(
        db,
        f"""
        SELECT w.id AS workshop_id, w.title AS workshop, w.status, coalesce(v.round, w.current_round) AS round,
               coalesce(sum(v.value = 1), 0) AS agree, coalesce(sum(v.value = -1), 0) AS disagree,
               coalesce(sum(v.value = 0), 0) AS pass, count(v.id) AS votes
        FROM statements s JOIN workshops w ON w.id = s.workshop_id
        LEFT JOIN votes v ON v.statement_id = s.id
        WHERE s.lesson_id = ? AND s.moderation = 'approved' AND {public_workshop("w")}
        GROUP BY w.id, coalesce(v.round, w.current_round)
        ORDER BY coalesce(w.opened_at, w.created_at), w.id, round
        """,
        [int(lesson_id)],
    )


def demo_notice(db: Database) -> str | None:
    """The illustrative-data notice when the store holds demo data still in force, else None."""
    row = db.execute(
        "SELECT note FROM uploads WHERE format IN ('demo', 'synthetic') AND status = 'applied' LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def pilot_record(db: Database, pilot_id: int) -> dict | None:
    """Every column of one pilot."""
    cursor = db.execute("SELECT * FROM pilots WHERE id = ?", [int(pilot_id)])
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row))


def pilot_lessons(db: Database, pilot_id: int) -> pd.DataFrame:
    """A pilot's lessons in key order: id, key, title, kind, status."""
    return _frame(
        db, "SELECT id, key, title, kind, status FROM lessons WHERE pilot_id = ? ORDER BY key", [int(pilot_id)]
    )


def vocabularies(db: Database) -> dict[str, pd.DataFrame]:
    """Codes and names of themes (not retired ones), phases, sectors and methodologies, for choosers (columns code,
    name)."""
    return {
        "themes": _frame(db, "SELECT code, name FROM themes WHERE retired = 0 ORDER BY name"),
        "phases": _frame(db, "SELECT code, name FROM phases ORDER BY position"),
        "sectors": _frame(db, "SELECT code, name FROM sectors ORDER BY name"),
        "methodologies": _frame(db, "SELECT code, name FROM methodologies ORDER BY name"),
    }
