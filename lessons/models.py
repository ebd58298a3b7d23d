"""Governance models: each model's elements, the lessons that support or challenge them, and the workshop votes.

The votes are how validation workshops voted on the elements. UI-free, read-only.

Only a model's current version and only accepted lesson links are counted; proposed links wait for an editor.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.i18n import N_, _, number, percent
from lessons.privacy import public_workshop
from lessons.store import frame as _frame
from lessons.workshops import outcome
from lessons.workshops.analysis import wilson

#: The outcome rule of :func:`lessons.workshops.outcome` as it is applied to model elements.
RULES = dict(agree_threshold=0.7, disagree_threshold=0.3, min_votes=5)
#: Workshop verdicts as model results: a divided or disagreeing workshop contests an element.
VERDICTS = {"agreed": "validated", "disagreed": "contested", "divided": "contested", "too few": "untested"}
#: An element's result as a reader sees it (translated where it is shown: ``_(RESULT_LABELS[result])``).
RESULT_LABELS = {"validated": N_("validated"), "contested": N_("contested"), "untested": N_("untested")}
#: An element of the model's current version.
_CURRENT = "e.version = gm.version"


def model_list(db: Database) -> pd.DataFrame:
    """List every governance model with its counts.

    Columns: slug, name, inspired_by, methodology (name), summary, elements, supports, challenges (lesson links), pilots
    (pilots whose lessons are linked).

    >>> from lessons.store import open_memory_store
    >>> model_list(open_memory_store()).empty
    True
    """
    return _frame(
        db,
        f"""SELECT gm.slug, gm.name, gm.inspired_by, m.name AS methodology, gm.summary, gm.source, gm.version,
                  gm.retired_at,
                  (SELECT count(*) FROM model_elements e WHERE e.model_id = gm.id AND {_CURRENT}) AS elements,
                  (SELECT count(*) FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
                   WHERE e.model_id = gm.id AND {_CURRENT} AND le.status = 'accepted' AND le.stance = 'supports')
                   AS supports,
                  (SELECT count(*) FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
                   WHERE e.model_id = gm.id AND {_CURRENT} AND le.status = 'accepted' AND le.stance = 'challenges')
                   AS challenges,
                  (SELECT count(DISTINCT l.pilot_id) FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
                   JOIN lessons l ON l.id = le.lesson_id
                   WHERE e.model_id = gm.id AND {_CURRENT} AND le.status = 'accepted') AS pilots
           FROM governance_models gm LEFT JOIN methodologies m ON m.code = gm.methodology
           ORDER BY gm.retired_at IS NOT NULL, coalesce(gm.position, 1e9), gm.name""",
    )


def model_pilots(db: Database, model: str) -> pd.DataFrame:
    """List the pilots whose lessons are linked to a model's current version (accepted links), by name.

    Columns: slug, name, lessons (linked lessons of the pilot).

    >>> from lessons.store import open_memory_store
    >>> model_pilots(open_memory_store(), "none").empty
    True
    """
    return _frame(
        db,
        f"""SELECT p.slug, p.name, count(DISTINCT l.id) AS lessons
           FROM governance_models gm JOIN model_elements e ON e.model_id = gm.id AND {_CURRENT}
           JOIN lesson_elements le ON le.element_id = e.id AND le.status = 'accepted'
           JOIN lessons l ON l.id = le.lesson_id JOIN pilots p ON p.id = l.pilot_id
           WHERE gm.slug = ? GROUP BY p.id ORDER BY p.name""",
        [model],
    )


#: Votes counted for an element: each workshop's last round only (earlier Delphi rounds were superseded).
_LAST_ROUND_VOTES = """
    SELECT s.element_id, w.code, w.title, w.status, v.round, v.value
    FROM votes v JOIN statements s ON s.id = v.statement_id JOIN workshops w ON w.id = s.workshop_id
    WHERE s.element_id IS NOT NULL AND s.moderation = 'approved' AND {public}
      AND v.round = (SELECT max(v2.round) FROM votes v2 JOIN statements s2 ON s2.id = v2.statement_id
                     WHERE s2.workshop_id = w.id)
"""


def elements(db: Database, model: str, version: int | None = None) -> pd.DataFrame:
    """Return a model's elements in order (of its current version, or of ``version``) with their evidence and results.

    Columns: id, key, position, kind, name, description, phase_name, supports, challenges (accepted lesson links),
    support_pilots, challenge_pilots, agree, disagree, pass_ (votes in each public workshop's last round), votes,
    agree_share (of agree + disagree, None without such votes), workshops (titles, "; "), and the result: n (agree
    + disagree), low and high (the 95% Wilson interval of the agree share, None without votes) and result
    (validated, contested or untested, by :func:`lessons.workshops.outcome` with :data:`RULES`).
    """
    elements = _frame(
        db,
        """SELECT e.id, e.key, e.position, e.kind, e.name, e.description, ph.name AS phase_name,
                  sum(le.stance = 'supports') AS supports, sum(le.stance = 'challenges') AS challenges,
                  count(DISTINCT CASE WHEN le.stance = 'supports' THEN l.pilot_id END) AS support_pilots,
                  count(DISTINCT CASE WHEN le.stance = 'challenges' THEN l.pilot_id END) AS challenge_pilots
           FROM model_elements e JOIN governance_models gm ON gm.id = e.model_id
           LEFT JOIN phases ph ON ph.code = e.phase
           LEFT JOIN lesson_elements le ON le.element_id = e.id AND le.status = 'accepted'
           LEFT JOIN lessons l ON l.id = le.lesson_id
           WHERE gm.slug = ? AND e.version = coalesce(?, gm.version) GROUP BY e.id ORDER BY e.position""",
        [model, version],
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
    out["n"] = decided.astype(int)
    low, high = wilson(out["agree"].to_numpy(), out["n"].to_numpy())
    out["low"] = [round(float(x), 3) if n else None for x, n in zip(low, out["n"])]
    out["high"] = [round(float(x), 3) if n else None for x, n in zip(high, out["n"])]
    out["result"] = [VERDICTS[outcome(int(a), int(d), **RULES)] for a, d in zip(out["agree"], out["disagree"])]
    return out


def result_text(row) -> str:
    """One plain phrase for an element's result, e.g. ``validated: 80% agree (95% CI 49–94%, n = 10)``.

    >>> import pandas as pd
    >>> result_text(pd.Series({"result": "untested", "n": 0, "agree_share": None, "low": None, "high": None}))
    'untested (no votes yet)'
    """
    result = _get(row, "result")
    result = _(RESULT_LABELS[result]) if result in RESULT_LABELS else result
    if not _get(row, "n"):
        return _("{result} (no votes yet)").format(result=result)
    return _("{result}: {share} agree (95% CI {low}–{high}, n = {n})").format(
        result=result,
        share=percent(_get(row, "agree_share")),
        low=percent(_get(row, "low")),
        high=percent(_get(row, "high")),
        n=number(int(_get(row, "n"))),
    )


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _get(row, name: str):
    return row[name] if isinstance(row, (pd.Series, dict)) else getattr(row, name)


def model_results(db: Database, model: str) -> dict:
    """How the current version of a model stands: elements validated, contested and untested.

    >>> from lessons.store import open_memory_store
    >>> model_results(open_memory_store(), "none")
    {'elements': 0, 'validated': 0, 'contested': 0, 'untested': 0}
    """
    found = elements(db, model)
    counts = found["result"].value_counts().to_dict() if not found.empty else {}
    return {"elements": len(found)} | {r: int(counts.get(r, 0)) for r in ("validated", "contested", "untested")}


def versions(db: Database, model: str) -> pd.DataFrame:
    """List a model's versions, newest first.

    Columns: number, created_at, note, elements, voted (whether a workshop voted on it).
    """
    return _frame(
        db,
        """SELECT n.number, mv.created_at, mv.note,
                  (SELECT count(*) FROM model_elements e WHERE e.model_id = gm.id AND e.version = n.number) AS elements,
                  EXISTS (SELECT 1 FROM votes v JOIN statements s ON s.id = v.statement_id
                          JOIN model_elements e ON e.id = s.element_id
                          WHERE e.model_id = gm.id AND e.version = n.number) AS voted
           FROM governance_models gm
           JOIN (SELECT DISTINCT model_id, version AS number FROM model_elements
                 UNION SELECT model_id, number FROM model_versions) n ON n.model_id = gm.id
           LEFT JOIN model_versions mv ON mv.model_id = gm.id AND mv.number = n.number
           WHERE gm.slug = ? ORDER BY n.number DESC""",
        [model],
    )


def changes_since_vote(db: Database, model: str) -> dict | None:
    """Return what changed in a model since the last version a workshop voted on, compared by element key.

    None when the current version is the one voted on, or no version was voted on.

    Returns ``{"voted_version", "current_version", "added", "removed", "renamed", "moved", "reworded"}``, each list
    holding ``"KEY · name"`` texts (renamed: ``"KEY · old → new"``; moved: in another order among the elements
    both versions have).
    """
    found = versions(db, model)
    voted = found[found["voted"] == 1]
    if found.empty or voted.empty or int(voted["number"].iloc[0]) == int(found["number"].iloc[0]):
        return None
    before, now = int(voted["number"].iloc[0]), int(found["number"].iloc[0])
    rows = _frame(
        db,
        """SELECT e.version, e.key, e.name, e.description FROM model_elements e
           JOIN governance_models gm ON gm.id = e.model_id WHERE gm.slug = ? AND e.version IN (?, ?)
           ORDER BY e.position""",
        [model, before, now],
    )
    old = {r.key: r for r in rows[rows["version"] == before].itertuples()}
    new = {r.key: r for r in rows[rows["version"] == now].itertuples()}
    kept_before = [k for k in old if k in new]
    kept_now = [k for k in new if k in old]
    return {
        "voted_version": before,
        "current_version": now,
        "added": [f"{k} · {new[k].name}" for k in new if k not in old],
        "removed": [f"{k} · {old[k].name}" for k in old if k not in new],
        "renamed": [f"{k} · {old[k].name} → {new[k].name}" for k in new if k in old and old[k].name != new[k].name],
        "moved": [f"{k} · {new[k].name}" for i, k in enumerate(kept_now) if kept_before[i] != k],
        "reworded": [
            f"{k} · {new[k].name}" for k in new if k in old and _text(old[k].description) != _text(new[k].description)
        ],
    }


def element_lessons(db: Database, element_id: int, *, status: str = "accepted") -> pd.DataFrame:
    """Return the lessons linked to an element (accepted links, or ``status="proposed"``).

    Columns: id, key, title, kind, status, pilot, pilot_name, stance, note.
    """
    return _frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.status, p.slug AS pilot, p.name AS pilot_name, le.stance, le.note
           FROM lesson_elements le JOIN lessons l ON l.id = le.lesson_id JOIN pilots p ON p.id = l.pilot_id
           WHERE le.element_id = ? AND le.status = ? ORDER BY le.stance DESC, p.name, l.key""",
        [int(element_id), status],
    )


def element_validation(db: Database, element_id: int) -> pd.DataFrame:
    """Tell how each workshop voted on statements drawn from the element, per round.

    Columns: workshop, status, round, agree, disagree, pass_, votes.
    """
    return _frame(
        db,
        f"""SELECT w.title AS workshop, w.status, v.round, sum(v.value = 1) AS agree, sum(v.value = -1) AS disagree,
                  sum(v.value = 0) AS pass_, count(*) AS votes
           FROM votes v JOIN statements s ON s.id = v.statement_id JOIN workshops w ON w.id = s.workshop_id
           WHERE s.element_id = ? AND s.moderation = 'approved' AND {public_workshop("w")}
           GROUP BY w.id, v.round ORDER BY w.created_at, w.id, v.round""",
        [int(element_id)],
    )
