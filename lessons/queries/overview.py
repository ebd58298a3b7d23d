"""Headline counts and summaries for the Overview.

Lessons, pilots, themes and validated lessons; pilots by country; lessons by theme and kind; one row per pilot.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.queries.filters import VALIDATED_STATUSES, _in
from lessons.store import frame as _frame


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
    """Count pilots and lessons per country: columns ``country``, ``pilots``, ``lessons``.

    Lessons are counted per pilot on the narrow ``(pilot_id, status)`` index first, never row by row.
    """
    return _frame(
        db,
        """
        SELECT p.country, count(*) AS pilots, coalesce(sum(n.lessons), 0) AS lessons
        FROM pilots p LEFT JOIN (SELECT pilot_id, count(*) AS lessons FROM lessons GROUP BY pilot_id) n
             ON n.pilot_id = p.id
        GROUP BY p.country ORDER BY pilots DESC, p.country
        """,
    )


def lessons_by_theme_and_kind(db: Database) -> pd.DataFrame:
    """Count lessons per theme and kind: columns ``theme``, ``kind``, ``lessons`` (themes with no lesson omitted).

    Read from ``lesson_theme_counts``, the summary the store keeps by triggers, so the cost follows the number of
    pilots and themes, not of lessons.
    """
    return _frame(
        db,
        """
        SELECT t.name AS theme, c.kind, sum(c.lessons) AS lessons
        FROM lesson_theme_counts c JOIN themes t ON t.id = c.theme_id
        GROUP BY t.name, c.kind ORDER BY t.name, c.kind
        """,
    )


def pilot_summaries(db: Database) -> pd.DataFrame:
    """Describe each pilot in one row: its facts and counts of lessons, validated lessons and stakeholders.

    The counts are grouped once over narrow indexes, not counted pilot by pilot.
    """
    clause, params = _in("status", VALIDATED_STATUSES)
    return _frame(
        db,
        f"""
        SELECT p.id, p.slug, p.name, p.country, p.city, p.service_area, p.target_groups, p.start_date, p.end_date,
               m.name AS methodology, p.summary,
               coalesce(n.lessons, 0) AS lessons, coalesce(n.validated, 0) AS validated,
               coalesce(s.stakeholders, 0) AS stakeholders
        FROM pilots p LEFT JOIN methodologies m ON m.code = p.methodology
        LEFT JOIN (SELECT pilot_id, count(*) AS lessons, sum({clause}) AS validated FROM lessons GROUP BY pilot_id) n
             ON n.pilot_id = p.id
        LEFT JOIN (SELECT pilot_id, count(*) AS stakeholders FROM stakeholders GROUP BY pilot_id) s
             ON s.pilot_id = p.id
        ORDER BY p.name
        """,
        params,
    )
