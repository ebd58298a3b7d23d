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
