"""Read-side queries the pages and the benchmark use. Every query is parameterised; results are plain frames."""

from __future__ import annotations

import re

import pandas as pd
from sqlite_utils import Database

#: Statuses that count as "validated" on the Overview: validated, and the later stages built on validation.
VALIDATED_STATUSES = ("validated", "endorsed", "applied_elsewhere")
FILTER_FIELDS = ("pilots", "themes", "kinds", "phases")
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


def facets(db: Database) -> dict[str, pd.DataFrame]:
    """Filter options with lesson counts: ``pilots``, ``themes``, ``kinds``, ``phases`` (columns value, label, lessons)."""
    return {
        "pilots": _frame(
            db,
            """SELECT p.slug AS value, p.name || ' (' || p.country || ')' AS label, count(l.id) AS lessons
               FROM pilots p LEFT JOIN lessons l ON l.pilot_id = p.id GROUP BY p.id ORDER BY p.name""",
        ),
        "themes": _frame(
            db,
            """SELECT t.code AS value, t.name AS label, count(lt.lesson_id) AS lessons
               FROM themes t LEFT JOIN lesson_themes lt ON lt.theme_id = t.id GROUP BY t.id ORDER BY t.name""",
        ),
        "kinds": _frame(
            db, "SELECT kind AS value, kind AS label, count(*) AS lessons FROM lessons GROUP BY kind ORDER BY kind"
        ),
        "phases": _frame(
            db,
            """SELECT ph.code AS value, ph.name AS label, count(l.id) AS lessons
               FROM phases ph LEFT JOIN lessons l ON l.phase = ph.code GROUP BY ph.code ORDER BY ph.position""",
        ),
    }


_TOKEN = re.compile(r'"([^"]+)"|(\S+)')


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: words must all occur (the last may be a prefix),
    text in double quotes is a phrase. Returns None when nothing searchable is left.

    >>> fts_query('champion "local authority" proc')
    '"champion" "local authority" "proc"*'
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
        parts[-1] += "*"
    return " ".join(parts)


def search_lessons(
    db: Database,
    *,
    query: str | None = None,
    pilots=(),
    themes=(),
    kinds=(),
    phases=(),
    limit: int | None = None,
) -> pd.DataFrame:
    """Lessons matching the filters (all optional; values within a filter are alternatives), best matches first.

    Columns: id, key, title, lesson, kind, phase, phase_name, status, recorded_on, pilot, pilot_name, country,
    themes (theme names joined by ``; ``), snippet (matched words between MATCH_START and MATCH_END when searching).

    >>> from lessons.store import open_memory_store
    >>> search_lessons(open_memory_store(), query="trust").empty
    True
    """
    where, params = [], []
    match = fts_query(query) if query else None
    if query and match is None:
        where.append("0")  # nothing searchable was typed: no lesson matches, same columns as always
    theme_filter = (
        "l.id IN (SELECT lt2.lesson_id FROM lesson_themes lt2 JOIN themes t2 ON t2.id = lt2.theme_id WHERE {})"
    )
    for column, chosen, template in (
        ("p.slug", pilots, "{}"),
        ("l.kind", kinds, "{}"),
        ("l.phase", phases, "{}"),
        ("t2.code", themes, theme_filter),
    ):
        if chosen:
            clause, values = _in(column, chosen)
            where.append(template.format(clause))
            params += values
    if match:
        source = "lessons_fts JOIN lessons l ON l.id = lessons_fts.rowid"
        snippet = f"snippet(lessons_fts, -1, '{MATCH_START}', '{MATCH_END}', ' … ', 24)"
        where.insert(0, "lessons_fts MATCH ?")
        params.insert(0, match)
        order = "lessons_fts.rank"
    else:
        source = "lessons l"
        snippet = "NULL"
        order = "p.name, l.key"
    sql = f"""
        SELECT l.id, l.key, l.title, l.lesson, l.kind, l.phase, ph.name AS phase_name, l.status, l.recorded_on,
               p.slug AS pilot, p.name AS pilot_name, p.country,
               (SELECT group_concat(t.name, '; ') FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id
                WHERE lt.lesson_id = l.id) AS themes,
               {snippet} AS snippet
        FROM {source} JOIN pilots p ON p.id = l.pilot_id LEFT JOIN phases ph ON ph.code = l.phase
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY {order}
        {"LIMIT ?" if limit else ""}
    """
    if limit:
        params.append(int(limit))
    found = _frame(db, sql, params)
    if not match and not found.empty:
        found["snippet"] = found["lesson"].map(preview)
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
    """Everything about one lesson: its fields, pilot, themes, stakeholder groups, provenance and model links."""
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
           JOIN governance_models gm ON gm.id = e.model_id WHERE le.lesson_id = ? ORDER BY gm.name, e.position""",
        [int(lesson_id)],
    ).to_dict("records")
    return detail


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
    """Codes and names of themes, phases, sectors and methodologies, for choosers (columns code, name)."""
    return {
        "themes": _frame(db, "SELECT code, name FROM themes ORDER BY name"),
        "phases": _frame(db, "SELECT code, name FROM phases ORDER BY position"),
        "sectors": _frame(db, "SELECT code, name FROM sectors ORDER BY name"),
        "methodologies": _frame(db, "SELECT code, name FROM methodologies ORDER BY name"),
    }
