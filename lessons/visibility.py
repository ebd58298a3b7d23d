"""What each reader may see: the visibility of pilots, lessons and stories, enforced on the connection itself.

Every pilot, lesson and story has a ``visibility``: ``public`` (anyone, signed in or not), ``consortium`` (any
signed-in user) or ``private`` (the pilot's own coordinators and the administrators). A lesson is never public
while it is a draft: its audience (:data:`AUDIENCE_SQL`) is then ``consortium``. A record of a pilot the reader
may not see is hidden with the pilot.

The rule is applied once, where data is read, not in each query: :func:`scope` shadows the tables that hold or
point at these records with temporary views of the same names (SQLite looks in ``temp`` before ``main``), so every
query function, export, brief and bundle run on a scoped connection sees only what its reader may see, including
the ones written after this module. :func:`lessons.access.reading` scopes every read connection it opens for a
reader other than :data:`EVERYONE`. Stored analyses computed over the whole store are narrowed on reading with
:func:`visible_ids`.

Examples
--------
>>> from lessons.store import open_memory_store
>>> db = open_memory_store()
>>> _ = db.execute("INSERT INTO pilots (slug, name, country) VALUES ('a', 'A', 'FI')")
>>> _ = db.execute("INSERT INTO pilots (slug, name, country, visibility) VALUES ('b', 'B', 'IT', 'private')")
>>> with scope(db, PUBLIC):
...     [row[0] for row in db.execute("SELECT slug FROM pilots")]
['a']
>>> [row[0] for row in db.execute("SELECT slug FROM pilots ORDER BY slug")]
['a', 'b']
>>> with scope(db, Audience(signed_in=True, pilot_ids=frozenset({2}))):
...     [row[0] for row in db.execute("SELECT slug FROM pilots ORDER BY slug")]
['a', 'b']
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlite_utils import Database

from lessons.i18n import N_, Labels
from lessons.permissions import Actor

__all__ = [
    "AUDIENCE_SQL",
    "EVERYONE",
    "LEVELS",
    "LEVEL_LABELS",
    "PUBLIC",
    "Audience",
    "LESSON_PARTS",
    "PILOT_PARTS",
    "audience_of",
    "can_see_pilot",
    "current",
    "prune_copy",
    "scope",
    "scoped_tables",
    "visible_ids",
]

#: The visibilities, from the widest audience to the narrowest.
LEVELS = ("public", "consortium", "private")
#: A lesson's audience in SQL: its visibility, except that a draft is never public (at most ``consortium``).
AUDIENCE_SQL = "(CASE WHEN status = 'draft' AND visibility = 'public' THEN 'consortium' ELSE visibility END)"
#: How each visibility is named to people.
LEVEL_LABELS = Labels(
    {
        "public": N_("Public: anyone"),
        "consortium": N_("Consortium: signed-in users"),
        "private": N_("Private: this pilot's coordinators and the administrators"),
    }
)


@dataclass(frozen=True)
class Audience:
    """Who reads, as far as visibility goes.

    Attributes
    ----------
    signed_in : bool
        Signed-in users see ``consortium`` records as well as ``public`` ones.
    everything : bool
        Administrators (and the command line, run by whoever holds the database file) see every record.
    pilot_ids : frozenset of int
        The pilots whose ``private`` records the reader sees: a coordinator's own pilots.
    """

    signed_in: bool
    everything: bool = False
    pilot_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def token(self) -> str:
        """Say the audience in a short text that caches can be keyed by.

        >>> PUBLIC.token, EVERYONE.token, Audience(True, pilot_ids=frozenset({4, 1})).token
        ('public', 'all', 'consortium:1,4')
        >>> Audience.from_token('consortium:1,4') == Audience(True, pilot_ids=frozenset({1, 4}))
        True
        """
        if self.everything:
            return "all"
        if not self.signed_in:
            return "public"
        return "consortium" + (":" + ",".join(map(str, sorted(self.pilot_ids))) if self.pilot_ids else "")

    @classmethod
    def from_token(cls, token: str) -> Audience:
        """Read an audience back from its :attr:`token` (an unknown text reads as :data:`PUBLIC`)."""
        if token == "all":
            return EVERYONE
        level, _, pilots = (token or "").partition(":")
        if level != "consortium":
            return PUBLIC
        return cls(True, pilot_ids=frozenset(int(p) for p in pilots.split(",") if p.strip().isdigit()))

    @property
    def levels(self) -> tuple[str, ...]:
        """The visibilities the reader sees on every pilot (``private`` only on their own pilots)."""
        if self.everything:
            return LEVELS
        return LEVELS[:2] if self.signed_in else LEVELS[:1]


#: A visitor who has not signed in.
PUBLIC = Audience(signed_in=False)
#: Administrators and the command line: every record.
EVERYONE = Audience(signed_in=True, everything=True)


def audience_of(actor: Actor | None) -> Audience:
    """Say what a signed-in user (or a visitor, ``None``) may see.

    >>> audience_of(None).token
    'public'
    >>> audience_of(Actor("ana", "admin")).token
    'all'
    >>> audience_of(Actor("cai", "coordinator", frozenset({3}))).token
    'consortium:3'
    >>> audience_of(Actor("vic", "viewer")).token
    'consortium'
    """
    if actor is None:
        return PUBLIC
    if actor.role == "admin":
        return EVERYONE
    return Audience(True, pilot_ids=frozenset(actor.pilot_ids) if actor.role == "coordinator" else frozenset())


def _marks(values) -> str:
    return ", ".join(str(int(v)) for v in values) or "-1"  # no row has id -1 (NULL would make NOT (…) unknown)


def _quoted(levels: tuple[str, ...]) -> str:
    return ", ".join(f"'{level}'" for level in levels if level in LEVELS)


def _hidden_pilots(conn, audience: Audience) -> list[int]:
    """Return the ids of the pilots ``audience`` may not see (few: read once when a connection is scoped)."""
    levels, own = _quoted(audience.levels), _marks(sorted(audience.pilot_ids))
    sql = f"SELECT id FROM main.pilots WHERE NOT (visibility IN ({levels}) OR id IN ({own})) ORDER BY id"
    return [row[0] for row in conn.execute(sql).fetchall()]


def _conditions(audience: Audience, present: set[str], hidden: list[int]) -> dict[str, str]:
    """Say which rows of each shadowed table ``audience`` sees: table name → a condition on its columns.

    ``hidden`` are the pilots the audience may not see (:func:`_hidden_pilots`), written as a list of ids rather
    than a subquery, so a lesson's row is checked against a constant (most stores hide none, and then there is no
    check at all). Pilots and lessons come first (the others read the scoped ``temp.pilots`` and ``temp.lessons``).
    The values in the SQL are the audience's own levels and pilot ids, written as literals from typed values: no
    user text.
    """
    levels, own = _quoted(audience.levels), _marks(sorted(audience.pilot_ids))
    lessons_seen = "SELECT id FROM temp.lessons"
    pilot_ok = f"pilot_id NOT IN ({_marks(hidden)})" if hidden else "1"
    conditions = {
        "pilots": f"visibility IN ({levels}) OR id IN ({own})",
        "lessons": f"{pilot_ok} AND ({AUDIENCE_SQL} IN ({levels}) OR pilot_id IN ({own}))",
        "lesson_theme_counts": f"{pilot_ok} AND (audience IN ({levels}) OR pilot_id IN ({own}))",
        "stories": (
            f"{pilot_ok} AND (visibility IN ({levels}) OR pilot_id IN ({own})) "
            f"AND (status = 'published' OR pilot_id IN ({own}))"
        ),
        "story_images": "story_id IN (SELECT id FROM temp.stories)",
        "story_lessons": f"story_id IN (SELECT id FROM temp.stories) AND lesson_id IN ({lessons_seen})",
        "contributions": (
            f"(item_kind <> 'lesson' OR CAST(item_id AS INTEGER) IN ({lessons_seen})) "
            "AND (item_kind <> 'story' OR CAST(item_id AS INTEGER) IN (SELECT id FROM temp.stories))"
        ),
    }
    for table in LESSON_PARTS:
        conditions[table] = f"lesson_id IN ({lessons_seen})"
    for table in PILOT_PARTS:
        conditions[table] = pilot_ok
    for table in ("uploads", "upload_changes"):  # a file of several pilots (the demo data) names none
        conditions[table] = f"pilot_id IS NULL OR {pilot_ok}"
    lists_seen = f"SELECT id FROM main.two_mode_lists WHERE {pilot_ok}"
    for table in ("two_mode_actors", "two_mode_events", "two_mode_participations"):
        conditions[table] = f"list_id IN ({lists_seen})"
    return {table: condition for table, condition in conditions.items() if table in present}


#: Tables whose rows belong to a lesson (by ``lesson_id``): seen with the lesson.
LESSON_PARTS = (
    "lesson_themes",
    "lesson_groups",
    "lesson_stakeholders",
    "lesson_status_history",
    "lesson_elements",
    "lesson_methods",
    "lesson_translations",
)
#: Tables whose rows belong to a pilot (by ``pilot_id``): seen with the pilot.
PILOT_PARTS = ("stakeholders", "ties", "two_mode_lists", "uploads", "upload_changes", "pilot_methods")


def scoped_tables(db: Database, audience: Audience) -> dict[str, str]:
    """Give the view each shadowed table gets for ``audience``: table name → its ``SELECT``.

    Only tables present in the store are listed (a store from before a table existed is scoped all the same).
    """
    present = set(db.table_names())
    conditions = _conditions(audience, present, _hidden_pilots(db, audience))
    return {t: f"SELECT * FROM main.{t} WHERE {c}" for t, c in conditions.items()}


@contextmanager
def scope(db: Database, audience: Audience) -> Iterator[Database]:
    """Let ``db`` show only what ``audience`` may see, for the length of the block.

    The tables of pilots, lessons, stories and everything attached to them are shadowed by temporary views of the
    same names, so every query on the connection is narrowed, whatever it is. Writing through a scoped connection
    fails (a view cannot be written), which keeps a narrowed read from ever being written back. For
    :data:`EVERYONE` nothing changes. :func:`current` tells code further down whose view it is reading.
    """
    if audience.everything:
        yield db
        return
    views = scoped_tables(db, audience)
    try:
        db.execute("CREATE TEMP TABLE _audience (token TEXT NOT NULL)")
        db.execute("INSERT INTO temp._audience VALUES (?)", [audience.token])
        for table, sql in views.items():  # pilots and lessons first: the others read them
            db.execute(f'CREATE TEMP VIEW "{table}" AS {sql}')
        yield db
    finally:
        for table in reversed(views):
            db.execute(f'DROP VIEW IF EXISTS temp."{table}"')
        db.execute("DROP TABLE IF EXISTS temp._audience")


def current(db: Database) -> Audience:
    """Return the audience ``db`` is scoped to (:data:`EVERYONE` when it is not scoped).

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> current(db).token
    'all'
    >>> with scope(db, PUBLIC):
    ...     current(db).token
    'public'
    """
    try:
        row = db.execute("SELECT token FROM temp._audience").fetchone()
    except sqlite3.OperationalError:  # no such table: not scoped
        return EVERYONE
    return Audience.from_token(row[0]) if row else EVERYONE


def prune_copy(conn: sqlite3.Connection, audience: Audience) -> None:
    """Delete from a copy of the store (a file made with SQLite's backup) every row ``audience`` may not see.

    For published files made from a raw copy (the bundle's ``lessons.db``): the same conditions as :func:`scope`,
    applied as deletions, children before their lessons and pilots. The caller holds the transaction.
    """
    if audience.everything:
        return
    present = {row[0] for row in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
    conditions = _conditions(audience, present, _hidden_pilots(conn, audience))
    parents = [t for t in ("pilots", "lessons", "stories") if t in conditions]  # the others' conditions read them
    for table in parents:
        conn.execute(f'CREATE TEMP VIEW "{table}" AS SELECT * FROM main.{table} WHERE {conditions[table]}')
    try:
        for table in [t for t in conditions if t not in parents] + parents[::-1]:
            conn.execute(f'DELETE FROM main."{table}" WHERE NOT coalesce(({conditions[table]}), 0)')
    finally:
        for table in parents[::-1]:
            conn.execute(f'DROP VIEW temp."{table}"')
    indexes = conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING FTS5%'"
        " AND (sql LIKE '%content=''lessons''%' OR sql LIKE '%content=[lessons]%' OR sql LIKE '%content=\"lessons\"%')"
    ).fetchall()
    for (index,) in indexes:  # the search indexes of the copy hold the words of the lessons just removed
        conn.execute(f'INSERT INTO main."{index}" ("{index}") VALUES (\'rebuild\')')


def visible_ids(db: Database, audience: Audience, table: str = "lessons") -> set[int] | None:
    """Return the ids of ``table`` (``lessons``, ``pilots``, ``stories``) that ``audience`` sees; None for all.

    For results stored once for the whole store (the similarity analysis, a network's metrics), narrowed when read.
    """
    if audience.everything:
        return None
    views = scoped_tables(db, audience)
    if table not in views:
        return set()
    with scope(db, audience):
        return {row[0] for row in db.execute(f'SELECT id FROM temp."{table}"')}


def can_see_pilot(db: Database, audience: Audience, pilot_id: int) -> bool:
    """Say whether ``audience`` sees the pilot ``pilot_id`` (and so may see anything of it)."""
    if audience.everything:
        return True
    return pilot_id in (visible_ids(db, audience, "pilots") or set())
