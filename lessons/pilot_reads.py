"""What the app's views read about pilots beyond :mod:`lessons.queries`.

Their actors, the size of their networks, the slugs of a user's pilots, the counts shown next to the exports and
what a brief can be about.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlite_utils import Database

from lessons.queries import VALIDATED_STATUSES
from lessons.store import frame

__all__ = ["brief_subjects", "export_counts", "network_pilots", "pilot_actors", "pilot_places", "pilot_slugs"]


def pilot_actors(db: Database, pilot: str) -> dict[str, str]:
    """Return a pilot's stakeholders, key → "name (sector)", in key order.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    pilot : str
        The pilot's slug.

    Returns
    -------
    dict of str to str
        Each stakeholder's key and its label; the sector's name, or its code when the sector is unknown.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> pilot_actors(open_memory_store(), "nowhere")
    {}
    """
    rows = db.execute(
        """SELECT s.key, s.name, coalesce(sec.name, s.sector) FROM stakeholders s
           JOIN pilots p ON p.id = s.pilot_id LEFT JOIN sectors sec ON sec.code = s.sector
           WHERE p.slug = ? ORDER BY s.key""",
        [pilot],
    ).fetchall()
    return {key: f"{name} ({sector})" for key, name, sector in rows}


def network_pilots(db: Database) -> pd.DataFrame:
    """Pilots by name with the size of their stakeholder network.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.

    Returns
    -------
    pandas.DataFrame
        Columns slug, name, stakeholders, ties; one row per pilot, networks or not.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> list(network_pilots(open_memory_store()).columns)
    ['slug', 'name', 'stakeholders', 'ties']
    """
    cursor = db.execute(
        """SELECT p.slug, p.name,
                  (SELECT count(*) FROM stakeholders s WHERE s.pilot_id = p.id) AS stakeholders,
                  (SELECT count(*) FROM ties t WHERE t.pilot_id = p.id) AS ties
           FROM pilots p ORDER BY p.name"""
    )
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def pilot_slugs(db: Database, pilot_ids: Iterable[int]) -> set[str]:
    """Return the slugs of the pilots with these ids (a coordinator's own pilots).

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    pilot_ids : iterable of int
        Pilot ids; unknown ones are left out.

    Returns
    -------
    set of str

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> pilot_slugs(open_memory_store(), [1, 2])
    set()
    """
    rows = db.execute("SELECT slug FROM pilots WHERE id IN (SELECT value FROM json_each(?))", [str(sorted(pilot_ids))])
    return {row[0] for row in rows}


def export_counts(db: Database) -> dict[str, int]:
    """Count what is shown next to the exports: validated lessons and pilots with a stakeholder network.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.

    Returns
    -------
    dict
        ``validated``: lessons validated, endorsed or applied elsewhere (:data:`lessons.queries.VALIDATED_STATUSES`);
        ``networks``: pilots with at least one stakeholder.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> export_counts(open_memory_store())
    {'validated': 0, 'networks': 0}
    """
    marks = ", ".join("?" * len(VALIDATED_STATUSES))
    validated = db.execute(f"SELECT count(*) FROM lessons WHERE status IN ({marks})", VALIDATED_STATUSES).fetchone()
    networks = db.execute("SELECT count(DISTINCT pilot_id) FROM stakeholders").fetchone()
    return {"validated": validated[0], "networks": networks[0]}


def brief_subjects(db: Database) -> dict[str, pd.DataFrame]:
    """List what a brief can be about: themes with lessons, pilots and governance models (columns key, name)."""
    return {
        "theme": frame(
            db,
            """SELECT t.code AS key, t.name FROM themes t
               WHERE EXISTS (SELECT 1 FROM lesson_themes lt WHERE lt.theme_id = t.id) ORDER BY t.name""",
        ),
        "pilot": frame(db, "SELECT slug AS key, name FROM pilots ORDER BY name"),
        "model": frame(db, "SELECT slug AS key, name FROM governance_models ORDER BY name"),
    }


def pilot_places(db: Database) -> pd.DataFrame:
    """Return each pilot's own coordinates, where the store has them (for the map).

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.

    Returns
    -------
    pandas.DataFrame
        Columns slug, latitude, longitude (empty where not given); every pilot, by slug.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = db["pilots"].insert({"slug": "porto", "name": "P", "country": "PT", "latitude": 41.15, "longitude": -8.61})
    >>> pilot_places(db).to_dict("records")
    [{'slug': 'porto', 'latitude': 41.15, 'longitude': -8.61}]
    """
    cursor = db.execute("SELECT slug, latitude, longitude FROM pilots ORDER BY slug")
    return pd.DataFrame(cursor.fetchall(), columns=["slug", "latitude", "longitude"])
