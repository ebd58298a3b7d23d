"""The vocabularies an administrator keeps: themes, tie relation types and the methodology crosswalk (#14).

Adding, renaming and describing a theme and mapping one methodology step are :func:`lessons.editing.save_theme`
and :func:`lessons.editing.map_methodology_step`; this module adds what the Vocabularies page needs besides: the
tables it shows, retiring a theme, merging one theme (usually a free tag) into another, and renaming a tie
relation type across every tie. Each write is authorised (``vocabulary.edit``, administrators only), runs in one
transaction and is audited; a refusal writes nothing.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.audit import record
from lessons.editing import EditError, _one
from lessons.permissions import Actor, authorize
from lessons.store import frame as _frame
from lessons.text import clean_text


def theme_table(db: Database) -> pd.DataFrame:
    """Every theme with how many lessons carry it: columns code, name, description, controlled, retired, lessons.

    >>> from lessons.store import open_memory_store
    >>> theme_table(open_memory_store()).columns.tolist()
    ['code', 'name', 'description', 'controlled', 'retired', 'lessons']
    """
    return _frame(
        db,
        """SELECT t.code, t.name, t.description, t.controlled, t.retired, count(lt.lesson_id) AS lessons
           FROM themes t LEFT JOIN lesson_themes lt ON lt.theme_id = t.id
           GROUP BY t.id ORDER BY t.controlled DESC, t.name""",
    )


def relation_counts(db: Database) -> pd.DataFrame:
    """Count the tie relation types in use (free text on ``ties.relation``): how many ties and pilots use each.

    >>> from lessons.store import open_memory_store
    >>> relation_counts(open_memory_store()).columns.tolist()
    ['relation', 'ties', 'pilots']
    """
    return _frame(
        db,
        """SELECT relation, count(*) AS ties, count(DISTINCT pilot_id) AS pilots
           FROM ties GROUP BY relation ORDER BY count(*) DESC, relation""",
    )


def crosswalk(db: Database) -> pd.DataFrame:
    """List each methodology's steps and the shared phase each maps to.

    Columns: methodology, methodology_name, position, step, phase, phase_name.

    >>> from lessons.store import open_memory_store
    >>> crosswalk(open_memory_store()).query("methodology == 'servicedesign'")["phase"].tolist()
    ['understand', 'understand', 'co-design', 'co-deliver']
    """
    return _frame(
        db,
        """SELECT s.methodology, m.name AS methodology_name, s.position, s.name AS step, s.phase,
                  p.name AS phase_name
           FROM methodology_steps s JOIN methodologies m ON m.code = s.methodology
           JOIN phases p ON p.code = s.phase ORDER BY m.name, s.position""",
    )


def retire_theme(db: Database, actor: Actor, code: str, retired: bool = True) -> None:
    """Retire a theme (or bring it back with ``retired=False``): lessons keep it, choosers no longer offer it.

    Parameters
    ----------
    db : Database
        The store.
    actor : Actor
        Who acts; only administrators may.
    code : str
        The theme's code.
    retired : bool
        Retire (True) or restore (False).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> retire_theme(db, Actor("root", "admin"), "legal")
    >>> db.execute("SELECT retired FROM themes WHERE code = 'legal'").fetchone()
    (1,)
    """
    authorize(actor, "vocabulary.edit")
    with db.atomic():
        before = _one(db, "SELECT retired FROM themes WHERE code = ?", [code])
        if before is None:
            raise EditError(f"There is no theme {code!r}.")
        db.execute("UPDATE themes SET retired = ? WHERE code = ?", [int(retired), code])
        record(
            db, actor, "theme.retire" if retired else "theme.restore", object_type="theme", object_id=code, rows=1,
            detail={"before": bool(before["retired"]), "after": bool(retired)},
        )  # fmt: skip


def merge_theme(db: Database, actor: Actor, source: str, target: str) -> int:
    """Merge theme ``source`` (usually a free tag) into ``target``.

    Its lessons carry ``target`` instead, and ``source`` is removed. Return how many lessons were moved.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.editing import save_theme
    >>> db, root = open_memory_store(), Actor("root", "admin")
    >>> save_theme(db, root, "gdpr", "GDPR")
    >>> merge_theme(db, root, "gdpr", "legal")
    0
    >>> db.execute("SELECT count(*) FROM themes WHERE code = 'gdpr'").fetchone()
    (0,)
    """
    authorize(actor, "vocabulary.edit")
    if source == target:
        raise EditError("Choose two different themes to merge.")
    with db.atomic():
        src = _one(db, "SELECT id, name, controlled FROM themes WHERE code = ?", [source])
        dst = _one(db, "SELECT id, name FROM themes WHERE code = ?", [target])
        if src is None or dst is None:
            raise EditError(f"There is no theme {(source if src is None else target)!r}.")
        lessons = [r[0] for r in db.execute("SELECT lesson_id FROM lesson_themes WHERE theme_id = ?", [src["id"]])]
        db.conn.executemany(
            "INSERT OR IGNORE INTO lesson_themes (lesson_id, theme_id) VALUES (?, ?)",
            [(lesson, dst["id"]) for lesson in lessons],
        )
        db.execute("DELETE FROM lesson_themes WHERE theme_id = ?", [src["id"]])
        db.execute("DELETE FROM themes WHERE id = ?", [src["id"]])
        record(
            db, actor, "theme.merge", object_type="theme", object_id=source, rows=len(lessons) + 1,
            detail={"into": target, "name": src["name"], "controlled": src["controlled"], "lessons": lessons},
        )  # fmt: skip
    return len(lessons)


def rename_relation(db: Database, actor: Actor, old: str, new: str) -> int:
    """Rename a tie relation type on every tie that uses it; return how many ties changed.

    Ties are unique per pilot, pair, relation and period, so a rename that would make two ties of one pilot the
    same is refused (merge them in the pilot's upload instead).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> rename_relation(open_memory_store(), Actor("root", "admin"), "advice", "advises")
    Traceback (most recent call last):
    ...
    lessons.editing_base.EditError: No tie has the relation 'advice'.
    """
    authorize(actor, "vocabulary.edit")
    new = clean_text(new or "", multiline=False).strip()
    if not new:
        raise EditError("A relation type needs a name.")
    if new == old:
        raise EditError("The new name is the same as the old one.")
    with db.atomic():
        count = db.execute("SELECT count(*) FROM ties WHERE relation = ?", [old]).fetchone()[0]
        if not count:
            raise EditError(f"No tie has the relation {old!r}.")
        clash = db.execute(
            """SELECT count(*) FROM ties a JOIN ties b ON a.pilot_id = b.pilot_id AND a.source_id = b.source_id
               AND a.target_id = b.target_id AND a.period = b.period WHERE a.relation = ? AND b.relation = ?""",
            [old, new],
        ).fetchone()[0]
        if clash:
            raise EditError(
                f"{clash} tie(s) with {old!r} already exist as {new!r} between the same stakeholders; "
                "nothing was renamed."
            )
        db.execute("UPDATE ties SET relation = ? WHERE relation = ?", [new, old])
        record(
            db, actor, "relation.rename", object_type="tie_relation", object_id=old, rows=count,
            detail={"before": old, "after": new},
        )  # fmt: skip
    return count
