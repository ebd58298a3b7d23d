"""One pilot as a case: what the Pilots page shows of it, read from the store and from the cross-pilot analyses.

:func:`pilot_case` reads its facts, its methodology and steps, its partners, its lessons and its network's size;
:func:`pilot_workshops` the workshops that judged its lessons (under the privacy rule); :func:`pilot_recurring`
and :func:`pilot_contested` what recurs elsewhere and what other pilots contradict, from the *What recurs*
analyses; :func:`against_the_rest` how its lessons compare with every other pilot's, pooled. Each takes the store
(or an analysis already read from it) and returns plain frames, so a page can cache and scope them.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.report.citations import statement_results
from lessons.store import KIND_LABELS, KINDS, STATUS_LABELS, STATUSES
from lessons.store import frame as _frame

__all__ = [
    "OTHERS",
    "THIS_PILOT",
    "against_the_rest",
    "pilot_case",
    "pilot_contested",
    "pilot_recurring",
    "pilot_workshops",
]

#: How the comparison names its two sides.
THIS_PILOT, OTHERS = "This pilot", "Other pilots (pooled)"


def pilot_case(db: Database, slug: str) -> dict | None:
    """Read one pilot's case: facts, methodology and its steps, partners, lessons, and its network's size.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    slug : str
        The pilot's slug.

    Returns
    -------
    dict or None
        None for an unknown slug. Else ``facts`` (every column of the pilot, with ``methodology_name`` and
        ``methodology_description``), ``steps`` (the methodology's steps: position, name, phase_name, description),
        ``partners`` (its stakeholders: key, name, sector_name, role, hard_to_reach), ``sectors`` (stakeholders per
        sector), ``ties`` (how many), ``lessons`` (id, key, title, kind, phase, phase_name, phase_position, status,
        recorded_on; in phase then key order).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pilot_case(db, "nowhere") is None
    True
    >>> _ = db["pilots"].insert({"slug": "p", "name": "P", "country": "FI", "methodology": "cosie"})
    >>> case = pilot_case(db, "p")
    >>> case["facts"]["name"], case["lessons"].empty, case["ties"], len(case["steps"]) > 0
    ('P', True, 0, True)
    """
    cursor = db.execute(
        """SELECT p.*, m.name AS methodology_name, m.description AS methodology_description
           FROM pilots p LEFT JOIN methodologies m ON m.code = p.methodology WHERE p.slug = ?""",
        [slug],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    facts = dict(zip([c[0] for c in cursor.description], row))
    pilot_id = facts["id"]
    steps = _frame(
        db,
        """SELECT s.position, s.name, coalesce(ph.name, s.phase) AS phase_name, s.description
           FROM methodology_steps s LEFT JOIN phases ph ON ph.code = s.phase
           WHERE s.methodology = ? ORDER BY s.position""",
        [facts.get("methodology") or ""],
    )
    partners = _frame(
        db,
        """SELECT s.key, s.name, coalesce(sec.name, s.sector) AS sector_name, s.role, s.hard_to_reach
           FROM stakeholders s LEFT JOIN sectors sec ON sec.code = s.sector
           WHERE s.pilot_id = ? ORDER BY sector_name, s.name""",
        [pilot_id],
    )
    sectors = (
        partners.groupby("sector_name", as_index=False).size().rename(columns={"size": "stakeholders"})
        if len(partners)
        else pd.DataFrame({"sector_name": pd.Series(dtype=object), "stakeholders": pd.Series(dtype=int)})
    )
    lessons = _frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.phase, coalesce(ph.name, l.phase, '') AS phase_name,
                  coalesce(ph.position, 99) AS phase_position, l.status, l.recorded_on
           FROM lessons l LEFT JOIN phases ph ON ph.code = l.phase
           WHERE l.pilot_id = ? ORDER BY coalesce(ph.position, 99), l.key""",
        [pilot_id],
    )
    ties = db.execute("SELECT count(*) FROM ties WHERE pilot_id = ?", [pilot_id]).fetchone()[0]
    return {"facts": facts, "steps": steps, "partners": partners, "sectors": sectors, "ties": ties, "lessons": lessons}


def pilot_workshops(db: Database, slug: str) -> pd.DataFrame:
    """List the workshops that voted on statements drawn from a pilot's lessons, with what they said.

    Counted as the briefs count them (:func:`lessons.report.citations.statement_results`: approved statements, the
    last round each was voted on), and only for workshops the privacy rule lets the public see (at least k
    participants): a workshop of fewer people is left out altogether.

    Returns
    -------
    pandas.DataFrame
        Columns workshop (code), workshop_title, workshop_status, lessons (how many of the pilot's it judged),
        statements, agree, disagree, pass, votes; workshops by code.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> list(pilot_workshops(open_memory_store(), "p").columns)[:4]
    ['workshop', 'workshop_title', 'workshop_status', 'lessons']
    """
    ids = {
        row[0]
        for row in db.execute("SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ?", [slug])
    }
    columns = [
        "workshop",
        "workshop_title",
        "workshop_status",
        "lessons",
        "statements",
        "agree",
        "disagree",
        "pass",
        "votes",
    ]
    results = statement_results(db)
    results = results[results["lesson_id"].isin(ids)] if len(results) else results
    if results.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    grouped = results.groupby(["workshop", "workshop_title", "workshop_status"], as_index=False).agg(
        lessons=("lesson_id", "nunique"),
        statements=("statement_id", "count"),
        agree=("agree", "sum"),
        disagree=("disagree", "sum"),
        **{"pass": ("pass", "sum")},
        votes=("n", "sum"),
    )
    return grouped[columns].sort_values("workshop").reset_index(drop=True)


def pilot_recurring(groups: dict[str, pd.DataFrame] | None, slug: str) -> pd.DataFrame:
    """List the groups of similar lessons (the *What recurs* analysis) that hold one of a pilot's lessons.

    Parameters
    ----------
    groups : dict of DataFrame or None
        :func:`lessons.synthesis.clusters`' result (``clusters``, ``members``); None while it is computed.
    slug : str
        The pilot's slug.

    Returns
    -------
    pandas.DataFrame
        Columns cluster, name, label (shared words), pilots, lessons, own (this pilot's lesson ids), others (the
        other pilots' names, ``; ``-joined), contradicts (an enabler somewhere and a barrier elsewhere in the group);
        widest groups first.

    Examples
    --------
    >>> members = pd.DataFrame({"cluster": [1, 1], "id": [7, 8], "kind": ["enabler", "barrier"],
    ...                         "pilot": ["a", "b"], "pilot_name": ["A", "B"]})
    >>> clusters = pd.DataFrame({"cluster": [1], "name": ["Trust"], "label": ["trust, champions"]})
    >>> pilot_recurring({"clusters": clusters, "members": members}, "a")[["name", "others", "contradicts"]].to_dict("records")
    [{'name': 'Trust', 'others': 'B', 'contradicts': True}]
    """
    columns = ["cluster", "name", "label", "pilots", "lessons", "own", "others", "contradicts"]
    if groups is None or groups["members"].empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    members = groups["members"]
    mine = set(members.loc[members["pilot"] == slug, "cluster"])
    summaries = groups["clusters"].set_index("cluster")
    rows = []
    for cluster, shown in members[members["cluster"].isin(mine)].groupby("cluster", sort=False):
        summary = summaries.loc[cluster]
        name = summary.get("name") or str(summary.get("label", "")).capitalize()
        kinds = set(shown["kind"])
        rows.append(
            {
                "cluster": cluster,
                "name": name,
                "label": summary.get("label", ""),
                "pilots": shown["pilot"].nunique(),
                "lessons": len(shown),
                "own": [int(i) for i in shown.loc[shown["pilot"] == slug, "id"]],
                "others": "; ".join(sorted(set(shown.loc[shown["pilot"] != slug, "pilot_name"]))),
                "contradicts": {"enabler", "barrier"} <= kinds,
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["pilots", "lessons", "name"], ascending=[False, False, True]).reset_index(drop=True)


def pilot_contested(matrix: pd.DataFrame, slug: str) -> pd.DataFrame:
    """List the themes this pilot reports as an enabler where other pilots report a barrier, or the reverse.

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`lessons.synthesis.theme_matrix` (pilot, pilot_name, theme, theme_name, enablers, barriers).
    slug : str
        The pilot's slug.

    Returns
    -------
    pandas.DataFrame
        Columns theme, theme_name, this_pilot (its kind: enabler or barrier), own (its lessons of that kind),
        others_say (the opposite kind), others (their lessons), other_pilots (how many), other_names.

    Examples
    --------
    >>> m = pd.DataFrame({"pilot": ["a", "b"], "pilot_name": ["A", "B"], "theme": ["t", "t"],
    ...                   "theme_name": ["Trust", "Trust"], "enablers": [2, 0], "barriers": [0, 1]})
    >>> pilot_contested(m, "a")[["theme_name", "this_pilot", "own", "others_say", "other_names"]].to_dict("records")
    [{'theme_name': 'Trust', 'this_pilot': 'enabler', 'own': 2, 'others_say': 'barrier', 'other_names': 'B'}]
    """
    columns = ["theme", "theme_name", "this_pilot", "own", "others_say", "others", "other_pilots", "other_names"]
    rows = []
    own = matrix[matrix["pilot"] == slug]
    rest = matrix[matrix["pilot"] != slug]
    for mine in own.itertuples():
        theirs = rest[rest["theme"] == mine.theme]
        for kind, opposite in (("enabler", "barrier"), ("barrier", "enabler")):
            count = int(getattr(mine, f"{kind}s"))
            against = theirs[theirs[f"{opposite}s"] > 0]
            if count and len(against):
                rows.append(
                    {
                        "theme": mine.theme,
                        "theme_name": mine.theme_name,
                        "this_pilot": kind,
                        "own": count,
                        "others_say": opposite,
                        "others": int(against[f"{opposite}s"].sum()),
                        "other_pilots": int(against["pilot"].nunique()),
                        "other_names": "; ".join(sorted(set(against["pilot_name"]))),
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def against_the_rest(db: Database, slug: str) -> pd.DataFrame:
    """Compare a pilot's lessons with every other pilot's, pooled: the share of each kind, phase and status.

    Returns
    -------
    pandas.DataFrame
        Columns facet (``Kind``, ``Phase``, ``Status``), value (its label), position (the order to draw), side
        (:data:`THIS_PILOT` or :data:`OTHERS`), lessons, share (of that side's lessons; 0 when it has none), and
        difference (this pilot's share less the others', in percentage points, the same on both rows).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> a = db["pilots"].insert({"slug": "a", "name": "A", "country": "FI"}).last_pk
    >>> b = db["pilots"].insert({"slug": "b", "name": "B", "country": "PT"}).last_pk
    >>> _ = db["lessons"].insert_all([{"pilot_id": a, "key": "L1", "title": "T", "lesson": "x", "kind": "enabler"},
    ...     {"pilot_id": b, "key": "L1", "title": "T", "lesson": "x", "kind": "barrier"},
    ...     {"pilot_id": b, "key": "L2", "title": "T", "lesson": "x", "kind": "enabler"}])
    >>> rows = against_the_rest(db, "a")
    >>> rows[(rows.facet == "Kind") & (rows.value == "Enabler")][["side", "lessons", "share"]].to_dict("records")
    [{'side': 'This pilot', 'lessons': 1, 'share': 1.0}, {'side': 'Other pilots (pooled)', 'lessons': 1, 'share': 0.5}]
    """
    lessons = _frame(
        db,
        """SELECT p.slug = ? AS mine, l.kind, l.status, coalesce(ph.name, 'No phase given') AS phase,
                  coalesce(ph.position, 99) AS phase_position
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id LEFT JOIN phases ph ON ph.code = l.phase""",
        [slug],
    )
    phases = _frame(db, "SELECT name, position FROM phases ORDER BY position")
    orders = {
        "Kind": [(KIND_LABELS[k], i) for i, k in enumerate(KINDS)],
        "Phase": [*zip(phases["name"], phases["position"]), ("No phase given", 99)],
        "Status": [(STATUS_LABELS[s], i) for i, s in enumerate(STATUSES)],
    }
    lessons["Kind"] = lessons["kind"].map(KIND_LABELS).fillna(lessons["kind"])
    lessons["Status"] = lessons["status"].map(STATUS_LABELS).fillna(lessons["status"])
    lessons["Phase"] = lessons["phase"]
    rows = []
    sides = ((THIS_PILOT, lessons[lessons["mine"] == 1]), (OTHERS, lessons[lessons["mine"] != 1]))
    for facet, values in orders.items():
        for value, position in values:
            counts = {side: int((part[facet] == value).sum()) for side, part in sides}
            if not any(counts.values()) and value == "No phase given":
                continue
            shares = {side: counts[side] / len(part) if len(part) else 0.0 for side, part in sides}
            difference = round(100 * (shares[THIS_PILOT] - shares[OTHERS]), 1)
            for side, _ in sides:
                rows.append(
                    {
                        "facet": facet,
                        "value": value,
                        "position": position,
                        "side": side,
                        "lessons": counts[side],
                        "share": round(shares[side], 4),
                        "difference": difference,
                    }
                )
    return pd.DataFrame(rows, columns=["facet", "value", "position", "side", "lessons", "share", "difference"])
