"""Form opinion groups, representative statements and consensus as Pol.is does: the *Pol.is-compatible* mode.

Our default analysis (:mod:`lessons.workshops.analysis`) is stricter than Pol.is. This module follows Pol.is's
published math (``compdemocracy/polis``, ``math/src/polismath/math/``: ``conversation.clj``, ``pca.clj``,
``clusters.clj``, ``repness.clj``, ``stats.clj``; read at commit 08e03eb1) and red-dwarf, its Python
reimplementation (``polis-community/red-dwarf`` v0.4.0), step by step:

1. **The vote matrix** holds every statement with at least one vote. Meta statements (``is_meta``) and statements
   moderated out (``rejected``) are *zeroed out*: their column is set to 0 (a pass) for every participant, as
   ``nm/zero-out-columns`` does, so they weigh nothing in the principal components. Unmoderated statements of a
   strictly moderated conversation (``pending``) stay in, as in Pol.is (only ``mod = -1`` and ``is_meta`` are out).
2. **Who is placed** (``in-conv``): a participant who voted on at least ``min(7, statements with votes)``
   statements; the votes counted are *all* their votes, meta and moderated-out statements included (Pol.is counts
   the raw matrix). While fewer than 15 qualify, the participants with the most votes are added until 15 are. In
   Pol.is a participant once placed stays placed, so the rule is *replayed vote by vote* in the order of the votes'
   times: someone who had, say, 3 votes when only 3 statements had votes, or who was among the 15 most active early
   on, stays placed (on three of the four conversations with Pol.is's own output this reproduces its ``in-conv``
   exactly).
3. **Positions**: the missing votes are replaced by the statement's mean vote, the matrix centred and its first two
   principal components taken over *every* participant (placed or not). Each participant is projected through the
   votes they cast and scaled by ``sqrt(statements / their votes)`` (Pol.is's sparsity-aware projection; the zeroed
   columns count as cast votes for everyone, a quirk of Pol.is that red-dwarf keeps too).
4. **Base clusters**: k-means with k = 100 (:data:`BASE_K`) on the placed participants' positions, started from the
   first 100 distinct positions in the order participants were placed (Pol.is numbers its base clusters as
   participants arrive), at most 100 iterations. With 100 or fewer distinct positions every distinct position is
   its own base cluster; their order decides where step 5 starts.
5. **Opinion groups**: k-means on the base clusters' centres, each weighted by its number of members, for k = 2 to
   ``min(5, 2 + base clusters // 12)`` (Pol.is's group-size rule, :func:`max_k`), each started from the first k
   distinct centres, at most 20 iterations (Pol.is passes ``:cluster-iters``, which its ``kmeans`` ignores, so its
   default 20 applies), stopping when no centre moves 0.01 or more. The k with the highest silhouette over the
   base-cluster centres (unweighted; a lone member scores 0) wins, a tie going to the larger k. A participant's group
   is their base cluster's group. There is no minimum group size.
6. **Representative statements** (``repness.clj``): for group g and statement c, ``na``, ``nd`` and ``ns`` (seen,
   passes included) in g and in the *other groups* (participants not placed are not "the rest");
   ``pa = (na + 1) / (ns + 2)``, ``pat = 2 sqrt(ns + 1) ((na + 1) / (ns + 1) - 1/2)``, ``ra = pa / pa_rest``,
   ``rat`` the two-proportion test with +1 on each count (0 when the pooled share is 1); the same for disagree. A
   statement is *sufficient* when ``rat`` and ``pat`` (or ``rdt`` and ``pdt``) both exceed 1.2816; it is shown for
   agree when ``rat > rdt``, else for disagree. The group's *best agree* statement (Pol.is's ``beats-best-agr?``) is
   put first, the sufficient ones follow by ``repness · repness-test · p-success · p-test``, five at most, agrees
   before disagrees; with none sufficient, the best agree statement alone, else the one with the highest test.
7. **Consensus** (``select-consensus-comments``): over every participant, statements with ``pa > 0.5`` and
   ``pat > 1.2816``, the five highest by ``pa · pat``; the same for disagreement. The group-aware consensus
   (the product over groups of ``(agrees + 1) / (seen + 2)``) is reported as ``group_consensus``.

Differences that remain, and why:

* **History.** Pol.is updates a live conversation vote by vote: k-means starts from the previous run's clusters,
  the power-iteration PCA from the previous components, the number of groups changes only after the same k won 4
  updates in a row (``group-k-buffer``), and a participant once placed stays placed. An export carries no such
  history but the vote times, so this mode replays who is placed (step 2) and computes the rest once, from scratch
  (red-dwarf computes all of it from scratch). A changed vote keeps only its latest time, so the replay can miss
  participants Pol.is placed early on. Groups can therefore differ from
  the ones Pol.is showed, mostly at the borders and in the number of groups.
* **PCA by SVD.** Pol.is runs 100 power iterations from a random start; we take the exact singular vectors
  (red-dwarf uses scikit-learn's PCA: the same). The sign of a component is arbitrary in both; groups do not depend
  on it, positions on the map may be mirrored.
* **Order.** Pol.is's base clusters keep their numbers from update to update and new ones are added as people
  arrive; a fresh Pol.is computation would take them in the order of a Clojure hash set. We number them in the
  order participants were placed (replayed) and break a tie in nearest centre by the lower index. Given Pol.is's
  own base clusters, steps 5's k-means and choice of k reproduce Pol.is's groups exactly on all four conversations
  measured (adjusted Rand index 1.0); the differences come from the base clusters and who is placed.
* **Large conversations.** Above 10,000 participants Pol.is switches to a mini-batch PCA on samples; we always
  compute the full PCA. Pol.is also stops admitting participants and comments beyond 100,000 and 10,000.
* **Subgroups, comment priorities and participant statistics** (what Pol.is uses to route comments to voters and
  to draw its visualisation) are not computed.
* **Around the groups**, the per-statement counts, divisiveness and uncertainty are our own measures (Pol.is has no
  such lists), computed on the Pol.is groups; the stakeholder-group breakdown and its privacy pooling are ours.

Our default differs from all this on purpose: it counts only the analysed statements' votes toward the minimum,
clusters the placed participants only (no base clusters), runs seeded k-means++ (10 starts), refuses any k that
makes a group smaller than 5 people (a group's representative statements would publish one or two people's votes)
or fewer than 6 placed participants, and calls a statement consensus only when at least 60% agree in every opinion
and stakeholder group and the overall 95% Wilson interval lies above one half.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lessons.workshops.grouping import Z90, _one_prop, _two_prop

__all__ = [
    "BASE_K",
    "GREEDY_N",
    "MAX_K",
    "MIN_VOTES",
    "in_conversation",
    "in_conversation_replayed",
    "kmeans_polis",
    "max_k",
    "polis_consensus",
    "polis_groups",
    "polis_repness",
    "silhouette_polis",
]

#: Pol.is's base clusters (``:base-k``).
BASE_K = 100
#: Pol.is's most opinion groups (``:max-k``).
MAX_K = 5
#: Votes a participant needs to be placed (``min(7, statements)``).
MIN_VOTES = 7
#: While fewer are placed, the most active participants are added (``greedy-n``).
GREEDY_N = 15
_BASE_ITERS, _GROUP_ITERS, _SAME = 100, 20, 0.01


def in_conversation(vote_counts: np.ndarray, statements: int) -> np.ndarray:
    """Apply Pol.is's ``in-conv`` rule: at least ``min(7, statements)`` votes, topped up to 15 by the most active.

    ``vote_counts`` counts every vote a participant cast (meta and moderated-out statements included).

    >>> in_conversation(np.array([9, 3, 7, 0]), 20).tolist()
    [True, True, True, False]
    """
    counts = np.asarray(vote_counts)
    placed = (counts >= min(MIN_VOTES, statements)) & (counts > 0)
    if placed.sum() < GREEDY_N:
        for i in np.lexsort((np.arange(len(counts)), -counts)):
            if placed.sum() >= GREEDY_N or counts[i] == 0:
                break
            placed[i] = True
    return placed


def in_conversation_replayed(rows: np.ndarray, columns: np.ndarray, participants: int) -> np.ndarray:
    """Replay Pol.is's ``in-conv`` rule vote by vote: once placed, a participant stays placed.

    ``rows`` and ``columns`` give each vote's participant and statement, in the order they were cast. After each vote
    the participants with at least ``min(7, statements with votes so far)`` votes join, and while fewer than 15 are
    placed the most active so far are added (as Pol.is does on each update of a live conversation).

    >>> in_conversation_replayed(np.array([0, 1, 1]), np.array([0, 0, 1]), 3).tolist()
    [True, True, False]
    """
    return _replay(rows, columns, participants) < np.iinfo(np.int64).max


def _replay(rows: np.ndarray, columns: np.ndarray, participants: int) -> np.ndarray:
    """Return the vote number at which each participant was placed (the largest int64 for never)."""
    never = np.iinfo(np.int64).max
    counts = np.zeros(participants, int)
    entered = np.full(participants, never, dtype=np.int64)
    seen: set[int] = set()
    for step, (row, column) in enumerate(zip(rows, columns)):
        counts[row] += 1
        seen.add(int(column))
        if counts[row] >= min(MIN_VOTES, len(seen)) and entered[row] == never:
            entered[row] = step
        if (entered < never).sum() < GREEDY_N:
            for i in np.lexsort((np.arange(participants), -counts)):
                if (entered < never).sum() >= GREEDY_N or counts[i] == 0:
                    break
                if entered[i] == never:
                    entered[i] = step
    return entered


def max_k(base_clusters: int) -> int:
    """Return Pol.is's largest number of groups for this many base clusters: ``min(5, 2 + base_clusters // 12)``.

    >>> [max_k(n) for n in (10, 12, 36, 100)]
    [2, 3, 5, 5]
    """
    return min(MAX_K, 2 + base_clusters // 12)


def kmeans_polis(
    points: np.ndarray, k: int, *, weights: np.ndarray | None = None, max_iters: int = _GROUP_ITERS
) -> tuple[np.ndarray, np.ndarray]:
    """Run Pol.is's k-means: start from the first ``k`` distinct points; return labels 0.. and the centres.

    Each step assigns every point to its nearest centre, drops a centre left without points and moves the others to
    the (weighted) mean of their points; it stops when no centre moved ``0.01`` or more, or after ``max_iters``.

    >>> labels, centres = kmeans_polis(np.array([[0.0, 0], [0, 1], [5, 5], [5, 6]]), 2)
    >>> labels.tolist(), centres.tolist()
    ([0, 0, 1, 1], [[0.0, 0.5], [5.0, 5.5]])
    """
    points = np.asarray(points, float)
    w = np.ones(len(points)) if weights is None else np.asarray(weights, float)
    _, first = np.unique(points, axis=0, return_index=True)
    centres = points[np.sort(first)[:k]]
    labels = np.zeros(len(points), int)
    for _ in range(max_iters + 1):
        distance = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
        labels = distance.argmin(axis=1)
        used = np.unique(labels)
        moved = np.array([np.average(points[labels == c], axis=0, weights=w[labels == c]) for c in used])
        labels = np.searchsorted(used, labels)
        same = len(used) == len(centres) and bool(
            (np.linalg.norm(np.sort(moved, axis=0) - np.sort(centres, axis=0), axis=1) < _SAME).all()
        )
        centres = moved
        if same:
            break
    return labels, centres


def silhouette_polis(points: np.ndarray, labels: np.ndarray) -> float:
    """Return Pol.is's silhouette: the mean over points of ``(b - a) / max(a, b)``; a lone member scores 0.

    >>> round(silhouette_polis(np.array([[0.0], [1], [9], [10]]), np.array([0, 0, 1, 1])), 4)
    0.8885
    """
    points = np.asarray(points, float)
    distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    scores = []
    for i, own in enumerate(labels):
        mates = (labels == own) & (np.arange(len(labels)) != i)
        if not mates.any():
            scores.append(0.0)
            continue
        a = distance[i, mates].mean()
        b = min(distance[i, labels == other].mean() for other in np.unique(labels) if other != own)
        scores.append((b - a) / max(a, b) if max(a, b) > 0 else 0.0)
    return float(np.mean(scores))


def _positions(raw: np.ndarray, zeroed: np.ndarray) -> np.ndarray:
    """Pol.is's PCA positions of every participant (columns ``zeroed`` set to 0 for everyone first)."""
    values = raw.copy()
    values[:, zeroed] = 0.0
    voted = np.isfinite(values)
    counts = voted.sum(axis=0)
    means = np.where(counts > 0, np.nansum(np.where(voted, values, 0.0), axis=0) / np.maximum(counts, 1), 0.0)
    filled = np.where(voted, values, means)
    centre = filled.mean(axis=0)
    n, m = values.shape
    if n == 1:
        components = np.zeros((2, m))
        components[0] = filled[0] / (np.linalg.norm(filled[0]) or 1.0)
        centre = np.zeros(m)
    else:
        _, _, vt = np.linalg.svd(filled - centre, full_matrices=False)
        components = np.zeros((2, m))
        components[: min(2, len(vt))] = vt[:2]
    projected = np.where(voted, values - centre, 0.0) @ components.T
    return projected * np.sqrt(m / np.maximum(voted.sum(axis=1), 1))[:, None]


def polis_groups(raw: np.ndarray, zeroed: np.ndarray, history: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """Place participants and form opinion groups as Pol.is does (steps 1–5 of the module docstring).

    Parameters
    ----------
    raw : ndarray
        Participants × every statement with a vote: 1 / 0 / -1, NaN where not voted.
    zeroed : ndarray of bool
        Per column: a meta or moderated-out statement (zeroed out).
    history : (rows, columns), optional
        Every vote's participant row and statement column in the order cast: who is placed is then replayed vote by
        vote (:func:`in_conversation_replayed`); without it, from the final counts (:func:`in_conversation`).

    Returns
    -------
    dict
        ``placed`` (bool per participant), ``positions`` (n × 2), ``labels`` (group 0.. per participant, -1 when not
        placed or no groups), ``k``, ``silhouette``, ``base_clusters``, ``needed`` (the votes needed to be placed).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> camp = np.repeat([1.0, -1.0], 10)
    >>> raw = np.sign(camp[:, None] * np.ones((20, 8)) + rng.normal(0, 0.5, (20, 8)))
    >>> found = polis_groups(raw, np.zeros(8, bool))
    >>> found["k"], len(set(found["labels"][:10])), len(set(found["labels"][10:]))
    (2, 1, 1)
    """
    n, m = raw.shape
    counts = np.isfinite(raw).sum(axis=1)
    entered = np.arange(n)  # the order participants were placed in: Pol.is numbers its base clusters so
    if not m:
        placed = np.zeros(n, bool)
    elif history is not None and len(history[0]):
        replayed = _replay(history[0], history[1], n)
        placed = (replayed < np.iinfo(np.int64).max) | in_conversation(counts, m)
        entered = np.lexsort((np.arange(n), replayed))
    else:
        placed = in_conversation(counts, m)
    out = {"placed": placed, "positions": np.zeros((n, 2)), "labels": np.full(n, -1), "k": 0}
    out |= {"silhouette": float("nan"), "base_clusters": 0, "needed": min(MIN_VOTES, m)}
    if n == 0 or m == 0:
        return out
    positions = _positions(raw, zeroed)
    out["positions"] = positions
    order = entered[placed[entered]]  # the placed participants, first placed first
    points = positions[order]
    if len(points) < 2:
        return out
    base, centres = kmeans_polis(points, BASE_K, max_iters=_BASE_ITERS)
    weights = np.bincount(base)
    out["base_clusters"] = len(centres)
    best = None
    for k in range(2, max_k(len(centres)) + 1):
        if k > len(np.unique(centres, axis=0)):
            break
        groups, _ = kmeans_polis(centres, k, weights=weights)
        if len(np.unique(groups)) < 2:
            continue
        score = silhouette_polis(centres, groups)
        if best is None or score >= best[0]:  # Clojure's max-key: the last of equals, the larger k
            best = (score, k, groups)
    if best is None:
        return out
    score, k, groups = best
    labels = np.full(n, -1)
    labels[order] = groups[base]
    out |= {"labels": labels, "k": k, "silhouette": score}
    return out


def _stats(values: np.ndarray) -> dict:
    na, nd, ns = (values == 1).sum(axis=0), (values == -1).sum(axis=0), np.isfinite(values).sum(axis=0)
    return {"na": na, "nd": nd, "ns": ns, "pa": (na + 1) / (ns + 2), "pd": (nd + 1) / (ns + 2),
            "pat": _one_prop(na, ns), "pdt": _one_prop(nd, ns)}  # fmt: skip


def _finalised(s: dict, c: int) -> dict:
    agree = s["rat"][c] > s["rdt"][c]
    a, d = ("na", "pa", "pat", "ra", "rat"), ("nd", "pd", "pdt", "rd", "rdt")
    keys = a if agree else d
    return {
        "position": c,
        "repful_for": "agree" if agree else "disagree",
        "n_success": int(s[keys[0]][c]),
        "n_trials": int(s["ns"][c]),
        "p_success": float(s[keys[1]][c]),
        "p_test": float(s[keys[2]][c]),
        "repness": float(s[keys[3]][c]),
        "repness_test": float(s[keys[4]][c]),
    }


def _beats_best_agree(s: dict, c: int, best: int | None) -> bool:
    if s["na"][c] == 0 and s["nd"][c] == 0:
        return False
    if best is not None:
        metric = ("ra", "rat", "pa", "pat") if s["ra"][best] > 1.0 else ("pa", "pat")
        return bool(np.prod([s[m][c] for m in metric]) > np.prod([s[m][best] for m in metric]))
    return bool(s["pat"][c] > Z90 or (s["ra"][c] > 1.0 and s["pa"][c] > 0.5))


def polis_repness(values: np.ndarray, labels: np.ndarray, names: list, statements: pd.DataFrame) -> pd.DataFrame:
    """Select each group's representative statements as Pol.is's ``select-rep-comments`` does (step 6).

    ``values`` is participants × analysed statements; ``labels`` each participant's group name (None or NaN when not
    placed: they count neither in a group nor in "the rest"). Columns as :func:`lessons.workshops.grouping._representative` returns them, plus ``best_agree``.
    """
    rows = []
    for name in names:
        inside = labels == name
        rest = np.array([bool(pd.notna(lab)) and lab != name for lab in labels], dtype=bool)  # None or NaN: not placed
        s, r = _stats(values[inside]), _stats(values[rest])
        s["ra"] = s["pa"] / ((1 + r["na"]) / (2 + r["ns"]))
        s["rd"] = s["pd"] / ((1 + r["nd"]) / (2 + r["ns"]))
        s["rat"] = _two_prop(s["na"], r["na"], s["ns"], r["ns"], polis=True)
        s["rdt"] = _two_prop(s["nd"], r["nd"], s["ns"], r["ns"], polis=True)
        sufficient, best, best_agree = [], None, None
        for c in range(values.shape[1]):
            if (s["rat"][c] > Z90 and s["pat"][c] > Z90) or (s["rdt"][c] > Z90 and s["pdt"][c] > Z90):
                sufficient.append(_finalised(s, c))
            if not sufficient and (best is None or max(s["rat"][c], s["rdt"][c]) > best["repness_test"]):
                best = _finalised(s, c)
            if _beats_best_agree(s, c, best_agree):
                best_agree = c
        head = [_finalised(s, best_agree) | {"best_agree": True}] if best_agree is not None else []
        if not sufficient:
            chosen = head or ([best] if best else [])
        else:
            others = [x for x in sufficient if x["position"] != best_agree]
            others.sort(key=lambda x: -(x["repness"] * x["repness_test"] * x["p_success"] * x["p_test"]))
            chosen = (head + others)[:5]
            chosen = [x for x in chosen if x["repful_for"] == "agree"] + [
                x for x in chosen if x["repful_for"] == "disagree"
            ]
        significant = {x["position"] for x in sufficient}
        for rank, x in enumerate(chosen, start=1):
            rows.append({"group": name, "rank": rank, "significant": x["position"] in significant,
                         "best_agree": bool(x.get("best_agree"))} | x)  # fmt: skip
    columns = ["group", "rank", "statement_id", "key", "text", "repful_for", "n_success", "n_trials", "p_success"]
    columns += ["p_test", "repness", "repness_test", "significant", "best_agree"]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows)
    for column in ("statement_id", "key", "text"):
        out[column] = statements[column if column != "statement_id" else "id"].to_numpy()[out["position"]]
    return out[columns]


def polis_consensus(values: np.ndarray, statements: pd.DataFrame, pick: int = 5) -> pd.DataFrame:
    """Select consensus statements as Pol.is's ``select-consensus-comments`` does (step 7), over every participant.

    Returns statement_id, consensus_for (agree | disagree), n_success, n_trials, p_success, p_test; agree first.

    >>> values = np.array([[1.0, -1], [1, -1], [1, -1], [1, 1], [1, -1]])
    >>> polis_consensus(values, pd.DataFrame({"id": [10, 11]}))[["statement_id", "consensus_for"]].values.tolist()
    [[10, 'agree'], [11, 'disagree']]
    """
    s = _stats(values)
    frames = []
    for direction, n, p, test in (("agree", "na", "pa", "pat"), ("disagree", "nd", "pd", "pdt")):
        keep = np.flatnonzero((s[p] > 0.5) & (s[test] > Z90))
        order = keep[np.argsort(-(s[p][keep] * s[test][keep]), kind="stable")][:pick]
        frames.append(
            pd.DataFrame(
                {
                    "statement_id": statements["id"].to_numpy()[order],
                    "consensus_for": direction,
                    "n_success": s[n][order],
                    "n_trials": s["ns"][order],
                    "p_success": s[p][order],
                    "p_test": s[test][order],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
