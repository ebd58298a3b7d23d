"""Live results of a validation workshop: counts, consensus, division, uncertainty and opinion groups. UI-free.

The analysis follows Pol.is (compdemocracy.org/polis) where Pol.is has a rule, and says so where it does not:

* **Vote matrix**: participants × statements, 1 agree, -1 disagree, 0 pass, NaN for a statement not seen.
* **Per statement**: agree / disagree / pass counts and shares among those who voted on it, with a 95% Wilson
  interval for the agree share, and the mean importance (1–5) when participants rated it.
* **Opinion groups** (Pol.is): participants who voted on at least ``min(7, statements)`` statements are
  clustered; when fewer than 15 qualify, the most active of the rest are added until there are 15 (Pol.is's
  rule). Missing votes are imputed with the statement's mean vote, the matrix is centred and projected on its
  first two principal components, and each participant's position is scaled by ``sqrt(statements / their votes)``
  so that people who voted little are not all drawn to the centre (Pol.is's sparsity correction). k-means
  (``n_init=10``, seeded) runs for k = 2..5 on the positions and the k with the best silhouette wins (ties: the
  smaller k). Departing from Pol.is, a k that makes an opinion group of fewer than ``min_group`` participants is
  not considered: such a group's representative statements would all but publish one or two people's votes, and
  on small workshops tight clumps of two or three near-identical voters otherwise win the silhouette. Groups are
  lettered A, B, … from the largest. With fewer than :data:`MIN_TO_GROUP` qualifying participants, or no k
  that qualifies, no groups are formed.
* **Representative statements** (Pol.is's repness): for group g and statement c, ``pa = (agrees + 1) / (votes + 2)``
  in g and the same outside g; the representativeness is their ratio ``ra``; ``pat`` is Pol.is's one-proportion
  test of pa against 1/2 and ``rat`` a two-proportion z-test of g against the rest (both with the +1 smoothing).
  The same for disagreement. A statement represents g when both tests pass at 90% one-sided (z > 1.2816) for agree
  or for disagree; the best :data:`REPRESENTATIVE_MAX` by ``ra · rat · pa · pat`` are kept. When none passes, the
  group still gets its single most distinctive statement (highest ``rat`` or ``rdt``), flagged not significant.
* **Consensus** (our rule, stricter than Pol.is's overall test): broad agreement — the agree share is at least
  :data:`CONSENSUS_SHARE` in *every* opinion group and *every* stakeholder group shown (each with at least
  :data:`MIN_GROUP_VOTES` votes on the statement) and the lower end of the overall Wilson interval is at least 0.5.
  Broad disagreement by the same rule is reported with ``consensus_for = 'disagree'``. Pol.is's group-aware
  consensus (the product over opinion groups of ``(agrees + 1) / (votes + 2)``) is given as ``group_consensus``
  and orders the list.
* **Divisive**: the agree shares of the opinion groups (each with at least :data:`MIN_GROUP_VOTES` votes on it) lie
  at least :data:`DIVISIVE_RANGE` apart; ``divisiveness`` is that range, ``between_variance`` the vote-weighted
  variance of the group agree shares. Without opinion groups the shown stakeholder groups are compared instead.
* **Uncertainty**: at least :data:`UNCERTAIN_PASS_SHARE` of the votes on the statement are passes.
* **Stakeholder groups** (privacy, :mod:`lessons.privacy`): a declared group of fewer than ``min_group`` (k = 5)
  participants is never shown on its own. Small groups are pooled as ``Other groups, pooled (none shown under 5
  people)``, and when the pool would hold fewer than 5 the next smallest groups join it, so the total minus the
  shown groups never isolates anyone. The participants table carries the group *as shown*.
* **Rounds** (Delphi): :func:`convergence` summarises each round's spread of opinion.

Everything is deterministic: the same votes and seed give the same groups, letters and order. :func:`results`
stores the analysis in ``analysis_results`` as zlib-compressed JSON keyed by the ``workshops`` data version, so a
live page re-reads it until a vote arrives. The statistics and the grouping it builds on live in
:mod:`lessons.workshops.grouping`.
"""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons.i18n import _, ngettext, number
from lessons.store import data_version
from lessons.store import frame as _frame
from lessons.stored import decode, encode, frame_from_json, frame_to_json, stored_or_computed
from lessons.workshops.grouping import (
    MIN_GROUP_VOTES,
    MIN_VOTES_TO_CLUSTER,
    REPRESENTATIVE_MAX,
    _choose_groups,
    _clustered,
    _counts,
    _group_counts,
    _group_table,
    _pca_positions,
    _representative,
    _shares,
    one_thread,
    shown_groups,
    wilson,
)
from lessons.workshops.polis_method import polis_consensus, polis_groups, polis_repness

__all__ = [
    "AGREEMENT_LEVEL",
    "ANALYSIS",
    "ANALYSIS_POLIS",
    "CONSENSUS_SHARE",
    "DIVISIVE_RANGE",
    "MIN_GROUP_VOTES",
    "METHODS",
    "MIN_TO_GROUP",
    "REPRESENTATIVE_MAX",
    "UNCERTAIN_PASS_SHARE",
    "analyse",
    "compute_results",
    "convergence",
    "participation_text",
    "results",
    "round_shares",
    "round_spread",
    "rounds",
    "shown_groups",
    "synthetic_votes",
    "vote_matrix",
    "wilson",
]

MIN_TO_GROUP = 6
CONSENSUS_SHARE = 0.6
DIVISIVE_RANGE = 0.5
UNCERTAIN_PASS_SHARE = 0.3
AGREEMENT_LEVEL = 0.7
ANALYSIS = "workshop-results:{code}"
ANALYSIS_POLIS = "workshop-results-polis:{code}"
#: The analysis methods: ours (stricter) and the Pol.is-compatible one.
METHODS = ("default", "polis")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- Reading the votes --------------------------------------------------------------------------------------------


def _workshop(db: Database, code: str) -> tuple[int, int]:
    row = db.execute("SELECT id, current_round FROM workshops WHERE code = ?", [code]).fetchone()
    if row is None:
        raise KeyError(f"no workshop with code {code!r}")
    return row[0], row[1]


def rounds(db: Database, code: str) -> list[int]:
    """Return the rounds of workshop ``code`` that have votes, in order."""
    workshop_id, _ = _workshop(db, code)
    return [
        r[0]
        for r in db.execute(
            """SELECT DISTINCT v.round FROM votes v JOIN statements s ON s.id = v.statement_id
               WHERE s.workshop_id = ? ORDER BY v.round""",
            [workshop_id],
        ).fetchall()
    ]


def vote_matrix(db: Database, code: str, round: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the votes of one round of workshop ``code`` as a participants × statements matrix.

    ``round`` defaults to the latest round with votes (the workshop's current round when there are none yet).
    Returns ``(matrix, participants, statements)``:

    * ``matrix``: index participant id (everyone who voted in the round, on any statement: the count an import
      reports), columns statement id (approved statements that are not meta, in the facilitator's order), values
      1 / 0 / -1 and NaN for a statement the participant has not voted on (a row is all NaN for someone who voted
      only on statements left out);
    * ``participants``: id, stakeholder_group, pilot (slug), country, source_id (the id in the export it was
      imported from, None for people who joined here) — one row per matrix row, same order;
    * ``statements``: id, key, text, source, lesson_id, element_id, importance (mean 1–5 rating in the round, NaN
      when nobody rated it) — one row per matrix column, same order.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = db["workshops"].insert({"code": "ABC234", "title": "T"})
    >>> m, p, s = vote_matrix(db, "ABC234")
    >>> m.shape, list(p.columns), list(s.columns)[:3]
    ((0, 0), ['id', 'stakeholder_group', 'pilot', 'country', 'source_id'], ['id', 'key', 'text'])
    """
    workshop_id, current = _workshop(db, code)
    if round is None:
        voted = rounds(db, code)
        round = voted[-1] if voted else current
    statements = _frame(
        db,
        """SELECT id, key, text, source, lesson_id, element_id FROM statements
           WHERE workshop_id = ? AND moderation = 'approved' AND NOT is_meta ORDER BY coalesce(position, id), id""",
        [workshop_id],
    )
    votes = _frame(
        db,
        """SELECT v.participant_id, v.statement_id, v.value, v.importance
           FROM votes v JOIN statements s ON s.id = v.statement_id
           WHERE s.workshop_id = ? AND s.moderation = 'approved' AND NOT s.is_meta AND v.round = ?""",
        [workshop_id, round],
    )
    participants = _frame(
        db,
        """SELECT pt.id, pt.stakeholder_group, pl.slug AS pilot, pt.country, pt.source_id
           FROM participants pt LEFT JOIN pilots pl ON pl.id = pt.pilot_id
           WHERE pt.workshop_id = ? AND EXISTS (SELECT 1 FROM votes v WHERE v.participant_id = pt.id AND v.round = ?)
           ORDER BY pt.id""",
        [workshop_id, round],
    )
    importance = votes.dropna(subset=["importance"]).groupby("statement_id")["importance"].mean()
    statements["importance"] = statements["id"].map(importance).astype(float)
    matrix = votes.pivot(index="participant_id", columns="statement_id", values="value")
    matrix = matrix.reindex(index=participants["id"], columns=statements["id"]).astype(float)
    matrix.index.name, matrix.columns.name = "participant_id", "statement_id"
    return matrix, participants, statements


_TEXT_COLUMNS = ("key", "text", "source", "lesson_id", "element_id")


def _agreement(opinion, declared, agree, disagree, n, low) -> tuple[np.ndarray, np.ndarray, dict]:
    """Find broad agreement and disagreement, and measure each statement's consensus and division across groups.

    ``opinion`` and ``declared`` are the opinion and shown stakeholder groups' counts (:func:`_group_counts`); a
    group's shares count only with at least :data:`MIN_GROUP_VOTES` votes on the statement. Returns whether each
    statement has broad agreement, broad disagreement, and its ``group_consensus``, ``divisiveness`` and
    ``between_variance`` (see the module docstring).
    """
    statements = len(n)

    def counted_shares(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        votes = counts[3]
        enough = votes >= MIN_GROUP_VOTES
        return (
            np.where(enough, _shares(counts[0], votes), np.nan),
            np.where(enough, _shares(counts[1], votes), np.nan),
            votes,
        )

    o_agree, o_disagree, o_votes = counted_shares(opinion)
    d_agree, d_disagree, d_votes = counted_shares(declared)
    every_agree, every_disagree = np.concatenate([o_agree, d_agree]), np.concatenate([o_disagree, d_disagree])
    if len(every_agree):  # the lowest share over the groups that count (NaN when none does)
        min_agree, min_disagree = np.fmin.reduce(every_agree, axis=0), np.fmin.reduce(every_disagree, axis=0)
    else:
        min_agree = min_disagree = np.full(statements, np.nan)
    agree_everywhere = np.where(np.isnan(min_agree), True, min_agree >= CONSENSUS_SHARE)
    disagree_everywhere = np.where(np.isnan(min_disagree), True, min_disagree >= CONSENSUS_SHARE)
    d_low, _ = wilson(disagree, n)
    consensus_agree = agree_everywhere & (np.nan_to_num(low) >= 0.5)
    consensus_disagree = disagree_everywhere & (np.nan_to_num(d_low) >= 0.5) & ~consensus_agree
    if len(o_votes):
        group_consensus = ((opinion[0] + 1) / (o_votes + 2)).prod(axis=0)
    else:
        group_consensus = (agree + 1) / (n + 2)
    shares, votes = (o_agree, o_votes) if len(o_votes) else (d_agree, d_votes)
    counted = ~np.isnan(shares)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.fmax.reduce(shares, axis=0, initial=-np.inf) - np.fmin.reduce(shares, axis=0, initial=np.inf)
        weights = np.where(counted, votes, 0).sum(axis=0)
        mean = np.where(counted, votes * shares, 0.0).sum(axis=0) / weights
        variance = np.where(counted, votes * (shares - mean) ** 2, 0.0).sum(axis=0) / weights
    measures = {
        "group_consensus": group_consensus,
        "divisiveness": np.where(counted.sum(axis=0) > 1, spread, 0.0),
        "between_variance": np.where(weights > 0, variance, 0.0),
    }
    return consensus_agree, consensus_disagree, measures


def _by_size(labels: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Renumber group labels 0.. from the largest group (ties: the leftmost centre); -1 stays -1."""
    ids = [i for i in np.unique(labels) if i >= 0]
    order = sorted(ids, key=lambda i: (-int((labels == i).sum()), float(positions[labels == i, 0].mean())))
    remap = {old: new for new, old in enumerate(order)}
    return np.array([remap.get(i, -1) for i in labels])


def _participation(per_person, chosen, labels, need: int, counted_on: str, ours: bool, min_group: int) -> pd.DataFrame:
    """Count who is placed in an opinion group and why the others are not; the rows add up to every participant."""
    placed = labels >= 0
    nothing = per_person == 0
    few = ~chosen & ~nothing
    ungrouped = chosen & ~placed & ~nothing
    if ours and chosen.sum() < MIN_TO_GROUP:
        why = f"are not placed in a group: opinion groups need at least {MIN_TO_GROUP} participants with enough votes"
    elif ours:
        why = f"are not placed in a group: no grouping gives every group at least {min_group} people"
    else:
        why = "are not placed in a group: their positions form no groups"
    rows = [
        ("are placed in an opinion group", int(placed.sum())),
        (f"voted on fewer than {need} of {counted_on} and are not placed in a group", int(few.sum())),
        ("voted only on statements left out of the analysis (meta, pending or moderated out)", int(nothing.sum())),
        (why, int(ungrouped.sum())),
    ]
    return pd.DataFrame([r for r in rows if r[1] or r is rows[0]], columns=["reason", "participants"])


def _reason(n: int, reason: str) -> str:
    """Word one reason of the participation table (stored in English) with its count, in the reader's language."""
    count = number(n)
    if reason == "are placed in an opinion group":
        return ngettext("{n} is placed in an opinion group", "{n} are placed in an opinion group", n).format(n=count)
    if reason == "voted only on statements left out of the analysis (meta, pending or moderated out)":
        return ngettext(
            "{n} voted only on statements left out of the analysis (meta, pending or moderated out)",
            "{n} voted only on statements left out of the analysis (meta, pending or moderated out)",
            n,
        ).format(n=count)
    fewer = re.fullmatch(r"voted on fewer than (\d+) of (.+) and are not placed in a group", reason)
    if fewer:
        need, counted_on = int(fewer.group(1)), fewer.group(2)
        wording = {
            "the statements analysed": ngettext(
                "{n} voted on fewer than {need} of the statements analysed and is not placed in a group",
                "{n} voted on fewer than {need} of the statements analysed and are not placed in a group",
                n,
            ),
            "statements": ngettext(
                "{n} voted on fewer than {need} statements and is not placed in a group",
                "{n} voted on fewer than {need} statements and are not placed in a group",
                n,
            ),
        }.get(
            counted_on,
            ngettext(
                "{n} voted on fewer than {need} of the statements with votes (meta and moderated-out ones too, as "
                "Pol.is counts) and is not placed in a group",
                "{n} voted on fewer than {need} of the statements with votes (meta and moderated-out ones too, as "
                "Pol.is counts) and are not placed in a group",
                n,
            ),
        )
        return wording.format(n=count, need=number(need))
    need = re.fullmatch(
        r"are not placed in a group: opinion groups need at least (\d+) participants with enough votes", reason
    )
    if need:
        return ngettext(
            "{n} is not placed in a group: opinion groups need at least {need} participants with enough votes",
            "{n} are not placed in a group: opinion groups need at least {need} participants with enough votes",
            n,
        ).format(n=count, need=number(int(need.group(1))))
    size = re.fullmatch(r"are not placed in a group: no grouping gives every group at least (\d+) people", reason)
    if size:
        return ngettext(
            "{n} is not placed in a group: no grouping gives every group at least {size} people",
            "{n} are not placed in a group: no grouping gives every group at least {size} people",
            n,
        ).format(n=count, size=number(int(size.group(1))))
    if reason == "are not placed in a group: their positions form no groups":
        return ngettext(
            "{n} is not placed in a group: their positions form no groups",
            "{n} are not placed in a group: their positions form no groups",
            n,
        ).format(n=count)
    return f"{count} {reason}"


def participation_text(result: dict) -> str:
    """Say in one sentence how many participants there are, how many are placed, and why the others are not.

    The reasons are stored in English (the stored analysis serves every reader); the sentence is worded in the
    reader's language.

    >>> m = pd.DataFrame([[1.0, 1], [np.nan, np.nan]], index=[1, 2], columns=[10, 11])
    >>> p = pd.DataFrame({"id": [1, 2], "stakeholder_group": [None, None]})
    >>> s = pd.DataFrame({"id": [10, 11], "key": ["S1", "S2"], "text": ["a", "b"]})
    >>> participation_text(analyse(m, p, s))  # doctest: +NORMALIZE_WHITESPACE
    '2 participants voted. 0 are placed in an opinion group; 1 voted only on statements left out of the analysis
    (meta, pending or moderated out); 1 is not placed in a group: opinion groups need at least 6 participants with
    enough votes.'
    """
    total = int(result["summary"]["participants"].iloc[0])
    parts = [_reason(int(r.participants), r.reason) for r in result["participation"].itertuples()]
    voted = ngettext("{n} participant voted.", "{n} participants voted.", total).format(n=number(total))
    return _("{voted} {reasons}.").format(voted=voted, reasons="; ".join(parts))


def analyse(
    matrix: pd.DataFrame,
    participants: pd.DataFrame,
    statements: pd.DataFrame,
    *,
    min_group: int = 5,
    seed: int = 7,
    grouping: dict | None = None,
) -> dict:
    """Analyse one round's vote matrix in full (see the module docstring for every rule).

    ``grouping`` replaces our opinion groups by groups formed elsewhere (the Pol.is-compatible mode,
    :func:`lessons.workshops.polis_method.polis_groups`): a dict with ``placed``, ``positions``, ``labels``,
    ``silhouette`` and ``needed``, one entry per matrix row.

    ``matrix``, ``participants`` and ``statements`` are as :func:`vote_matrix` returns them (``participants`` and
    ``statements`` in matrix row / column order; ``statements.importance`` optional). Returns a dict:

    * ``summary`` (one row): participants, statements, votes, clustered, groups, silhouette;
    * ``statements``: per statement id, key, text, source, lesson_id, element_id, n, agree, disagree, pass,
      agree_share, disagree_share, pass_share, agree_low, agree_high (95% Wilson), importance, group_consensus,
      divisiveness, between_variance, consensus (bool), consensus_for, divisive (bool), uncertain (bool);
    * ``consensus``, ``divisive``, ``uncertain``: the flagged statements, strongest first;
    * ``participants``: participant_id, source_id, stakeholder_group (as shown), group (letter, None when not
      clustered), clustered, votes, x, y;
    * ``participation``: reason, participants — how many are placed in an opinion group and why the others are not
      (the rows add up to ``summary.participants``);
    * ``groups``: group, participants; ``group_votes``: per statement and opinion group counts and shares;
    * ``representative``: group, rank, statement_id, key, text, repful_for, n_success, n_trials, p_success,
      p_test, repness, repness_test, significant;
    * ``stakeholder_groups``: stakeholder_group, participants (shown groups only);
      ``stakeholder_votes``: per statement and shown stakeholder group counts and shares.

    >>> m = pd.DataFrame([[1, 1], [1, -1], [1, 0]], index=[1, 2, 3], columns=[10, 11], dtype=float)
    >>> p = pd.DataFrame({"id": [1, 2, 3], "stakeholder_group": ["public"] * 3})
    >>> s = pd.DataFrame({"id": [10, 11], "key": ["S1", "S2"], "text": ["a", "b"]})
    >>> r = analyse(m, p, s)
    >>> r["statements"][["key", "agree", "disagree", "pass"]].values.tolist()
    [['S1', 3, 0, 0], ['S2', 1, 1, 1]]
    >>> r["stakeholder_groups"].empty  # 3 participants: too few to show their group
    True
    """
    values = matrix.to_numpy(dtype=float)
    n_people, n_statements = values.shape
    ids = statements["id"].to_numpy()
    agree, disagree, passes, n = _counts(values)
    low, high = wilson(agree, n)

    # Opinion groups.
    per_person = np.isfinite(values).sum(axis=1)
    if grouping is not None:
        chosen, positions = np.asarray(grouping["placed"], bool), np.asarray(grouping["positions"], float)
        labels, silhouette = _by_size(np.asarray(grouping["labels"]), positions), grouping["silhouette"]
        need, counted_on = grouping["needed"], grouping.get("counted_on", "statements")
    else:
        chosen = _clustered(per_person, n_statements) if n_statements else np.zeros(n_people, bool)
        positions = np.zeros((n_people, 2))
        labels = np.full(n_people, -1)
        silhouette = float("nan")
        need, counted_on = min(MIN_VOTES_TO_CLUSTER, n_statements), "the statements analysed"
        if chosen.sum() >= MIN_TO_GROUP and n_statements >= 2:
            with one_thread():
                positions[chosen] = _pca_positions(values[chosen])
                labels[chosen], silhouette = _choose_groups(positions[chosen], seed, min_group)
    group_names = [_LETTERS[i] for i in sorted(set(labels[labels >= 0]))]
    letters = np.array([_LETTERS[i] if i >= 0 else None for i in labels], dtype=object)
    participation = _participation(per_person, chosen, labels, need, counted_on, grouping is None, min_group)
    source = participants["source_id"] if "source_id" in participants else pd.Series([None] * n_people)
    people = pd.DataFrame(
        {
            "participant_id": matrix.index.to_numpy(),
            "source_id": source.to_numpy(dtype=object),
            "stakeholder_group": shown_groups(participants["stakeholder_group"], min_group).to_numpy(),
            "group": letters,
            "clustered": chosen,
            "votes": per_person,
            "x": positions[:, 0],
            "y": positions[:, 1],
        }
    )
    opinion, sizes = _group_counts(values, letters, group_names)
    group_votes = _group_table(opinion, sizes, group_names, ids, "group")
    groups = pd.DataFrame({"group": group_names, "participants": sizes.tolist()}, columns=["group", "participants"])
    representative = _representative(values, letters, group_names, statements)

    # Stakeholder groups (shown ones only).
    shown = np.array([g if isinstance(g, str) else None for g in people["stakeholder_group"]], dtype=object)
    shown_names = sorted({g for g in shown if g is not None}, key=lambda g: (g.startswith("Other groups"), g))
    declared, shown_sizes = _group_counts(values, shown, shown_names)
    stakeholder_votes = _group_table(declared, shown_sizes, shown_names, ids, "stakeholder_group")
    stakeholder_groups = pd.DataFrame(
        {"stakeholder_group": shown_names, "participants": shown_sizes.tolist()},
        columns=["stakeholder_group", "participants"],
    )

    # Consensus, division, uncertainty.
    consensus_agree, consensus_disagree, measures = _agreement(opinion, declared, agree, disagree, n, low)
    out = pd.DataFrame(
        {"statement_id": ids}
        | {column: statements[column].to_numpy() if column in statements else None for column in _TEXT_COLUMNS}
        | {"n": n, "agree": agree, "disagree": disagree, "pass": passes}
        | {"agree_share": _shares(agree, n), "disagree_share": _shares(disagree, n), "pass_share": _shares(passes, n)}
        | {"agree_low": low, "agree_high": high}
        | {"importance": statements["importance"].to_numpy(dtype=float) if "importance" in statements else np.nan}
        | measures
        | {
            "consensus": consensus_agree | consensus_disagree,
            "consensus_for": np.where(consensus_agree, "agree", np.where(consensus_disagree, "disagree", None)),
            "divisive": measures["divisiveness"] >= DIVISIVE_RANGE,
            "uncertain": np.nan_to_num(_shares(passes, n)) >= UNCERTAIN_PASS_SHARE,
        }
    )

    def order(flag: str, by: list[str]) -> pd.DataFrame:
        """Return the statements flagged ``flag``, the largest ``by`` first (ties: by statement id)."""
        rows = np.flatnonzero(out[flag].to_numpy())
        keys = [out["statement_id"].to_numpy()[rows]] + [-out[column].to_numpy()[rows] for column in reversed(by)]
        return out.take(rows[np.lexsort(keys)]).reset_index(drop=True)

    summary = pd.DataFrame(
        [
            {
                "participants": n_people,
                "statements": n_statements,
                "votes": int(n.sum()),
                "clustered": int(chosen.sum()),
                "groups": len(group_names),
                "silhouette": silhouette,
            }
        ]
    )
    return {
        "summary": summary,
        "statements": out,
        "consensus": order("consensus", ["group_consensus", "agree_share"]),
        "divisive": order("divisive", ["divisiveness", "between_variance"]),
        "uncertain": order("uncertain", ["pass_share", "n"]),
        "participants": people,
        "participation": participation,
        "groups": groups,
        "group_votes": group_votes,
        "representative": representative,
        "stakeholder_groups": stakeholder_groups,
        "stakeholder_votes": stakeholder_votes,
    }


# --- Rounds -------------------------------------------------------------------------------------------------------


def round_spread(matrix: pd.DataFrame) -> dict:
    """Measure how spread one round's opinion is. Statements without votes are left out.

    The measures: mean per-statement variance of the votes (-1/0/1), mean normalised entropy of the agree/disagree/pass
    split (0 = everyone voted the same, 1 = an even three-way split), and the share of statements with at least 70%
    agreement.

    >>> m = pd.DataFrame([[1, 1], [1, -1]], dtype=float)
    >>> round_spread(m)["agreement_70"]
    0.5
    """
    values = matrix.to_numpy(dtype=float)
    agree, disagree, passes, n = _counts(values)
    voted = n > 0
    if not voted.any():
        return {"participants": 0, "votes": 0, "statements": 0, "mean_variance": np.nan, "mean_entropy": np.nan}
    shares = np.stack([agree, disagree, passes])[:, voted] / n[voted]
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(shares > 0, shares * np.log(shares), 0.0), axis=0) / math.log(3)
    variance = np.nanvar(values[:, voted], axis=0)
    return {
        "participants": int((np.isfinite(values).sum(axis=1) > 0).sum()),
        "votes": int(n.sum()),
        "statements": int(voted.sum()),
        "mean_variance": float(variance.mean()),
        "mean_entropy": float(entropy.mean()),
        "agreement_70": float((shares[0] >= AGREEMENT_LEVEL).mean()),
    }


def convergence(db: Database, code: str) -> pd.DataFrame:
    """Measure convergence per round of workshop ``code`` with votes.

    Columns: round, participants, votes, statements, mean_variance, mean_entropy, agreement_70 (see
    :func:`round_spread`), and the change of each measure from the previous round (``variance_change``,
    ``agreement_change``; negative variance change = opinion converged).
    """
    rows = []
    for round_number in rounds(db, code):
        matrix, _people, _statements = vote_matrix(db, code, round_number)
        rows.append({"round": round_number, **round_spread(matrix)})
    columns = ["round", "participants", "votes", "statements", "mean_variance", "mean_entropy", "agreement_70"]
    out = pd.DataFrame(rows, columns=columns)
    out["variance_change"] = out["mean_variance"].diff()
    out["agreement_change"] = out["agreement_70"].diff()
    return out


# --- Stored results -----------------------------------------------------------------------------------------------


def _raw_matrix(db: Database, code: str, round: int, people: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    """Read every vote of the round on every statement with a vote (meta, pending and rejected too) for Pol.is.

    Also returns the votes' participant rows and statement columns in the order they were cast.
    """
    workshop_id, _ = _workshop(db, code)
    votes = _frame(
        db,
        """SELECT v.participant_id, v.statement_id, v.value FROM votes v JOIN statements s ON s.id = v.statement_id
           WHERE s.workshop_id = ? AND v.round = ? ORDER BY v.voted_at, v.id""",
        [workshop_id, round],
    )
    statements = _frame(
        db,
        """SELECT id, key, text, source, lesson_id, element_id, moderation, is_meta FROM statements
           WHERE workshop_id = ? AND id IN (SELECT statement_id FROM votes WHERE round = ?)
           ORDER BY coalesce(position, id), id""",
        [workshop_id, round],
    )
    raw = votes.pivot(index="participant_id", columns="statement_id", values="value")
    raw = raw.reindex(index=people, columns=statements["id"]).astype(float)
    history = (people.get_indexer(votes["participant_id"]), raw.columns.get_indexer(votes["statement_id"]))
    return raw, statements, history


def _meta_statements(db: Database, code: str, round: int) -> pd.DataFrame:
    """Read the meta statements of a workshop (kept and shown, never analysed) with their votes in the round."""
    workshop_id, _ = _workshop(db, code)
    return _frame(
        db,
        """SELECT s.id AS statement_id, s.key, s.text, s.moderation, count(v.id) AS n,
                  coalesce(sum(v.value = 1), 0) AS agree, coalesce(sum(v.value = -1), 0) AS disagree,
                  coalesce(sum(v.value = 0), 0) AS pass
           FROM statements s LEFT JOIN votes v ON v.statement_id = s.id AND v.round = ?
           WHERE s.workshop_id = ? AND s.is_meta GROUP BY s.id ORDER BY coalesce(s.position, s.id), s.id""",
        [round, workshop_id],
    ).astype({"statement_id": "int64", "key": "str", "text": "str", "moderation": "str"} | dict.fromkeys(
        ("n", "agree", "disagree", "pass"), "int64"))  # fmt: skip


def _polis_mode(db: Database, code: str, round: int, matrix, participants, statements, min_group: int) -> dict:
    """Analyse with Pol.is's method (:mod:`lessons.workshops.polis_method`) in :func:`analyse`'s shape."""
    raw, every, history = _raw_matrix(db, code, round, matrix.index)
    zeroed = (every["is_meta"].astype(bool) | (every["moderation"] == "rejected")).to_numpy()
    with one_thread():
        found = polis_groups(raw.to_numpy(dtype=float), zeroed, history)
    found["counted_on"] = "the statements with votes (meta and moderated-out ones too, as Pol.is counts)"
    active = every[~zeroed].reset_index(drop=True)
    values = raw[active["id"]]
    out = analyse(values, participants, active, min_group=min_group, grouping=found)
    letters = out["participants"]["group"].to_numpy(dtype=object)
    names = out["groups"]["group"].tolist()
    out["representative"] = polis_repness(values.to_numpy(dtype=float), letters, names, active)
    consensus = polis_consensus(values.to_numpy(dtype=float), active)
    table = out["statements"]
    chosen = consensus.set_index("statement_id")["consensus_for"]
    table["consensus"] = table["statement_id"].isin(chosen.index)
    table["consensus_for"] = table["statement_id"].map(chosen).astype(object).where(table["consensus"], None)
    ordered = consensus[["statement_id", "p_success", "p_test"]].merge(table, on="statement_id", how="left")
    out["consensus"] = ordered.reset_index(drop=True)
    summary = out["summary"]
    summary["base_clusters"] = found["base_clusters"]
    summary["placed"] = int(found["placed"].sum())
    return out


def compute_results(db: Database, code: str, *, min_group: int = 5, seed: int = 7, method: str = "default") -> dict:
    """Analyse the latest round with votes, and the convergence over rounds (not stored).

    ``method`` is ``default`` (ours) or ``polis`` (Pol.is-compatible, :mod:`lessons.workshops.polis_method`).
    """
    if method not in METHODS:
        raise ValueError(f"Unknown analysis method {method!r}: use one of {', '.join(METHODS)}.")
    matrix, participants, statements = vote_matrix(db, code)
    voted = rounds(db, code)
    round_ = voted[-1] if voted else _workshop(db, code)[1]
    if method == "polis":
        out = _polis_mode(db, code, round_, matrix, participants, statements, min_group)
    else:
        out = analyse(matrix, participants, statements, min_group=min_group, seed=seed)
    out["convergence"] = convergence(db, code)
    out["meta"] = _meta_statements(db, code, round_)
    out["summary"]["round"] = round_
    out["summary"]["method"] = method
    return out


def results(db: Database, code: str, *, store: bool = True, method: str = "default") -> dict:
    """Return the live results of workshop ``code``.

    The dict of :func:`analyse` for its latest round with votes, plus ``convergence`` (:func:`convergence`) and
    ``meta`` (the meta statements, shown but not analysed); ``summary`` also holds ``round``, ``method``,
    ``data_version`` and ``seconds``. ``method`` is ``default`` (ours) or ``polis`` (Pol.is-compatible).

    Stored in ``analysis_results`` under ``workshop-results:<code>`` (``workshop-results-polis:<code>`` for the
    Pol.is mode) with the ``workshops`` data version, so it is computed once per change of any workshop data (a vote,
    a statement, a participant) and read back otherwise. A read-only store still gets the answer, just not kept.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown analysis method {method!r}: use one of {', '.join(METHODS)}.")
    name = (ANALYSIS if method == "default" else ANALYSIS_POLIS).format(code=code)
    version = data_version(db, "workshops")

    def compute() -> dict:
        start = time.perf_counter()
        out = compute_results(db, code, method=method)
        out["summary"]["data_version"] = version
        out["summary"]["seconds"] = round(time.perf_counter() - start, 3)
        return out

    return stored_or_computed(
        db, name, version, compute, store=store,
        dump=lambda out: encode({key: frame_to_json(frame) for key, frame in out.items()}),
        load=lambda payload: {key: frame_from_json(value) for key, value in decode(payload).items()},
    )  # fmt: skip


# --- Synthetic votes (benchmark and tests) ------------------------------------------------------------------------


def synthetic_votes(
    participants: int = 500, statements: int = 200, *, camps: int = 3, seen: float = 0.8, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Make a seeded vote matrix with ``camps`` latent opinion camps, in :func:`vote_matrix`'s shape.

    A tenth of the statements are agreed by every camp, a tenth are mostly passed, the rest get a per-camp
    leaning; each participant sees a random ``seen`` share of statements. Stakeholder groups are drawn from the
    five sectors, plus two participants declaring a sixth, tiny group.

    >>> m, p, s = synthetic_votes(20, 10, seed=1)
    >>> m.shape, len(p), len(s)
    ((20, 10), 20, 10)
    """
    rng = np.random.default_rng(seed)
    camp = rng.integers(0, camps, participants)
    leaning = rng.choice([-0.8, -0.4, 0.4, 0.8], size=(camps, statements))
    kinds = rng.permutation(np.arange(statements) % 10)
    leaning[:, kinds == 0] = 0.9
    p_pass = np.where(kinds == 1, 0.6, 0.1)
    lean = leaning[camp]  # participants × statements
    p_agree = (1 - p_pass) * (1 + lean) / 2
    draw = rng.random((participants, statements))
    values = np.where(draw < p_agree, 1.0, np.where(draw < p_agree + p_pass, 0.0, -1.0))
    values[rng.random((participants, statements)) >= seen] = np.nan
    sectors = np.array(["public", "civil_society", "private", "research", "citizens"])
    groups = sectors[rng.integers(0, len(sectors), participants)].astype(object)
    groups[:2] = "other_tiny"
    matrix = pd.DataFrame(values, index=np.arange(1, participants + 1), columns=np.arange(1, statements + 1))
    people = pd.DataFrame(
        {"id": matrix.index, "stakeholder_group": groups, "pilot": None, "country": None, "camp": camp}
    )
    texts = pd.DataFrame(
        {
            "id": matrix.columns,
            "key": [f"S{i:03d}" for i in matrix.columns],
            "text": [f"Statement {i}" for i in matrix.columns],
            "source": "free",
            "lesson_id": None,
            "element_id": None,
        }
    )
    return matrix, people, texts


def round_shares(db: Database, code: str, round: int) -> dict[str, dict]:
    """Tell how the room voted on each statement in ``round``: key → agree, disagree, pass shares and n.

    For showing a Delphi round's participants what the previous round thought. Empty when the round has no votes.

    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> from lessons import workshops
    >>> db, cli = open_memory_store(), cli_actor()
    >>> code = workshops.create_workshop(db, cli, "W")
    >>> round_shares(db, code, 1)
    {}
    """
    if round < 1 or round not in rounds(db, code):
        return {}
    matrix, _, statements = vote_matrix(db, code, round)
    out = {}
    for column, key in zip(matrix.columns, statements["key"]):
        values = matrix[column].dropna()
        n = len(values)
        if n:
            out[key] = {
                "agree": float((values == 1).mean()),
                "disagree": float((values == -1).mean()),
                "pass": float((values == 0).mean()),
                "n": n,
            }
    return out
