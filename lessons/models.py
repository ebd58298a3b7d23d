"""Governance models: each model's elements, the lessons that support or challenge them, and how validation
workshops voted on them. UI-free, read-only."""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.privacy import public_workshop


def _frame(db: Database, sql: str, params=()) -> pd.DataFrame:
    cursor = db.execute(sql, list(params))
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def model_list(db: Database) -> pd.DataFrame:
    """Every governance model: slug, name, inspired_by, methodology (name), summary, elements, supports, challenges
    (lesson links), pilots (pilots whose lessons are linked).

    >>> from lessons.store import open_memory_store
    >>> model_list(open_memory_store()).empty
    True
    """
    return _frame(
        db,
        """SELECT gm.slug, gm.name, gm.inspired_by, m.name AS methodology, gm.summary,
                  (SELECT count(*) FROM model_elements e WHERE e.model_id = gm.id) AS elements,
                  (SELECT count(*) FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
                   WHERE e.model_id = gm.id AND le.stance = 'supports') AS supports,
                  (SELECT count(*) FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
                   WHERE e.model_id = gm.id AND le.stance = 'challenges') AS challenges,
                  (SELECT count(DISTINCT l.pilot_id) FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
                   JOIN lessons l ON l.id = le.lesson_id WHERE e.model_id = gm.id) AS pilots
           FROM governance_models gm LEFT JOIN methodologies m ON m.code = gm.methodology
           ORDER BY gm.name""",
    )


#: Votes counted for an element: each workshop's last round only (earlier Delphi rounds were superseded).
_LAST_ROUND_VOTES = """
    SELECT s.element_id, w.code, w.title, w.status, v.round, v.value
    FROM votes v JOIN statements s ON s.id = v.statement_id JOIN workshops w ON w.id = s.workshop_id
    WHERE s.element_id IS NOT NULL AND s.moderation = 'approved' AND {public}
      AND v.round = (SELECT max(v2.round) FROM votes v2 JOIN statements s2 ON s2.id = v2.statement_id
                     WHERE s2.workshop_id = w.id)
"""


def elements(db: Database, model: str) -> pd.DataFrame:
    """A model's elements in order with their evidence and validation.

    Columns: id, key, position, kind, name, description, phase_name, supports, challenges (lesson links),
    support_pilots, challenge_pilots, agree, disagree, pass_ (votes in each workshop's last round), votes,
    agree_share (of agree + disagree, None without such votes), workshops (titles, "; ").
    """
    elements = _frame(
        db,
        """SELECT e.id, e.key, e.position, e.kind, e.name, e.description, ph.name AS phase_name,
                  sum(le.stance = 'supports') AS supports, sum(le.stance = 'challenges') AS challenges,
                  count(DISTINCT CASE WHEN le.stance = 'supports' THEN l.pilot_id END) AS support_pilots,
                  count(DISTINCT CASE WHEN le.stance = 'challenges' THEN l.pilot_id END) AS challenge_pilots
           FROM model_elements e JOIN governance_models gm ON gm.id = e.model_id
           LEFT JOIN phases ph ON ph.code = e.phase
           LEFT JOIN lesson_elements le ON le.element_id = e.id LEFT JOIN lessons l ON l.id = le.lesson_id
           WHERE gm.slug = ? GROUP BY e.id ORDER BY e.position""",
        [model],
    )
    votes = _frame(db, _LAST_ROUND_VOTES.format(public=public_workshop("w")))
    tally = (
        votes.groupby("element_id")
        .agg(
            agree=("value", lambda v: int((v == 1).sum())),
            disagree=("value", lambda v: int((v == -1).sum())),
            pass_=("value", lambda v: int((v == 0).sum())),
            workshops=("title", lambda t: "; ".join(sorted(set(t)))),
        )
        .reset_index()
        .rename(columns={"element_id": "id"})
        if not votes.empty
        else pd.DataFrame(columns=["id", "agree", "disagree", "pass_", "workshops"])
    )
    out = elements.merge(tally, on="id", how="left")
    for column in ("supports", "challenges", "agree", "disagree", "pass_"):
        out[column] = out[column].fillna(0).astype(int)
    out["workshops"] = out["workshops"].fillna("")
    out["votes"] = out["agree"] + out["disagree"] + out["pass_"]
    decided = out["agree"] + out["disagree"]
    out["agree_share"] = [round(a / d, 3) if d else None for a, d in zip(out["agree"], decided)]
    return out


def element_lessons(db: Database, element_id: int) -> pd.DataFrame:
    """The lessons linked to an element: id, key, title, kind, status, pilot, pilot_name, stance, note."""
    return _frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.status, p.slug AS pilot, p.name AS pilot_name, le.stance, le.note
           FROM lesson_elements le JOIN lessons l ON l.id = le.lesson_id JOIN pilots p ON p.id = l.pilot_id
           WHERE le.element_id = ? ORDER BY le.stance DESC, p.name, l.key""",
        [int(element_id)],
    )


def element_validation(db: Database, element_id: int) -> pd.DataFrame:
    """How each workshop voted on statements drawn from the element, per round: workshop, status, round, agree,
    disagree, pass_, votes."""
    return _frame(
        db,
        f"""SELECT w.title AS workshop, w.status, v.round, sum(v.value = 1) AS agree, sum(v.value = -1) AS disagree,
                  sum(v.value = 0) AS pass_, count(*) AS votes
           FROM votes v JOIN statements s ON s.id = v.statement_id JOIN workshops w ON w.id = s.workshop_id
           WHERE s.element_id = ? AND s.moderation = 'approved' AND {public_workshop("w")}
           GROUP BY w.id, v.round ORDER BY w.created_at, w.id, v.round""",
        [int(element_id)],
    )
