"""The statistics under a workshop's analysis (:mod:`lessons.workshops.analysis`). UI-free.

Wilson intervals and Pol.is's proportion tests, opinion groups (who is clustered, PCA positions, k-means with the best
silhouette), representative statements, and stakeholder groups pooled by the privacy rule.

The k-means and the silhouette are scikit-learn's ``KMeans`` and ``silhouette_score`` redone in numpy, step for step
(the same seeding from the same random stream, the same iterations and stopping rule): they give the same groups
(tests/test_workshop_grouping.py checks it) in a fraction of the time, as all restarts run together and the
distances are computed once for every k. scikit-learn is asked only when a run empties a group.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import scipy.linalg
from threadpoolctl import ThreadpoolController

from lessons import learn
from lessons.privacy import POOLED, k_threshold, shown_label

Z95 = 1.959963984540054
#: One-sided 90% critical value Pol.is uses for representative statements.
Z90 = 1.2815515655446004
MIN_VOTES_TO_CLUSTER = 7
MIN_CLUSTERED = 15
K_RANGE = range(2, 6)
N_INIT = 10
REPRESENTATIVE_MAX = 5
MIN_GROUP_VOTES = 3
UNDECLARED = "undeclared"


@functools.lru_cache(maxsize=1)
def _thread_pools() -> ThreadpoolController:
    return ThreadpoolController()


def one_thread():
    """Hold BLAS and OpenMP to one thread, as a context manager: on matrices this small, threads cost up to 10× the work.

    The thread pools are looked up once, on first use (threadpoolctl's ``threadpool_limits`` looks them up on every
    call, which costs more than the clustering it guards).
    """
    return _thread_pools().limit(limits=1)


# --- Statistics ---------------------------------------------------------------------------------------------------


def wilson(successes, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Compute the Wilson score interval for a proportion (95% by default); NaN where ``n`` is 0.

    >>> low, high = wilson(7, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.3968, 0.8922)
    """
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


def _one_prop(successes, n):
    """Pol.is's one-proportion test of a smoothed share against 1/2."""
    successes, n = np.asarray(successes, float) + 1, np.asarray(n, float) + 1
    return 2 * np.sqrt(n) * (successes / n - 0.5)


def _two_prop(succ_in, succ_out, n_in, n_out, *, polis: bool = False):
    """Two-proportion z-test of a group against the rest, with Pol.is's +1 smoothing.

    Ours gives 0 wherever the test is undefined; ``polis=True`` follows Pol.is's ``two-prop-test`` exactly (0 only
    when the pooled share is 1).
    """
    succ_in, succ_out = np.asarray(succ_in, float) + 1, np.asarray(succ_out, float) + 1
    n_in, n_out = np.asarray(n_in, float) + 1, np.asarray(n_out, float) + 1
    pooled = (succ_in + succ_out) / (n_in + n_out)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (succ_in / n_in - succ_out / n_out) / np.sqrt(pooled * (1 - pooled) * (1 / n_in + 1 / n_out))
    return np.where(pooled == 1, 0.0, z) if polis else np.where(np.isfinite(z), z, 0.0)


def _counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """agree, disagree, pass and voted counts per column of a vote array (NaN = not voted)."""
    return (
        (values == 1).sum(axis=0),
        (values == -1).sum(axis=0),
        (values == 0).sum(axis=0),
        np.isfinite(values).sum(axis=0),
    )


def _shares(count, n):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, count / np.where(n > 0, n, 1), np.nan)


# --- Opinion groups -----------------------------------------------------------------------------------------------


def _clustered(votes_per_person: np.ndarray, statements: int) -> np.ndarray:
    """Apply Pol.is's rule for who is clustered: at least min(7, statements) votes.

    Topped up with the most active participants (at least one vote) while fewer than 15 qualify.
    """
    need = min(MIN_VOTES_TO_CLUSTER, statements)
    chosen = (votes_per_person >= need) & (votes_per_person > 0)
    if chosen.sum() < MIN_CLUSTERED:
        order = np.lexsort((np.arange(len(votes_per_person)), -votes_per_person))
        for i in order:
            if chosen.sum() >= MIN_CLUSTERED or votes_per_person[i] == 0:
                break
            chosen[i] = True
    return chosen


def _pca_positions(values: np.ndarray) -> np.ndarray:
    """Place participants on two principal components of the vote matrix.

    Missing votes are imputed by column means, positions scaled per participant by sqrt(statements / their votes); signs
    are fixed so the largest loading is positive. With fewer statements than participants the components come from the
    statements' scatter matrix (two eigenvectors) rather than a full SVD: the same components, several times faster.
    """
    n, m = values.shape
    voted = np.isfinite(values)
    counts = voted.sum(axis=0)
    means = np.where(counts > 0, np.nansum(np.where(voted, values, 0.0), axis=0) / np.maximum(counts, 1), 0.0)
    filled = np.where(voted, values, means)
    centred = filled - filled.mean(axis=0)
    if (
        2 <= m <= n
    ):  # the leading eigenvectors of the m × m scatter matrix: the SVD's first two, at a fraction of its cost
        _, vectors = scipy.linalg.eigh(centred.T @ centred, subset_by_index=[m - 2, m - 1], check_finite=False)
        vt = vectors[:, ::-1].T
    else:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = np.zeros((2, m))
    components[: min(2, len(vt))] = vt[:2]
    for row in components:
        if row.any() and row[np.argmax(np.abs(row))] < 0:
            row *= -1
    positions = centred @ components.T
    active = max(int((counts > 0).sum()), 1)
    per_person = voted.sum(axis=1)
    scale = np.sqrt(active / np.maximum(per_person, 1))
    return positions * scale[:, None]


def _kmeans(points: np.ndarray, k: int, n_init: int, seed: int) -> np.ndarray | None:
    """Group ``points`` in ``k`` as scikit-learn's ``KMeans(k, n_init=n_init, random_state=seed)`` does, in numpy.

    The same k-means++ seeding (2 + log k trials per centre) drawn from the same random stream, Lloyd's iterations to
    the same stop (labels unchanged, or the centres' squared shift within 1e-4 of the mean variance) and the run of
    least inertia kept, the first of equal groupings; the ``n_init`` runs iterate together. Returns None when a run
    empties a group, where scikit-learn would move a centre (:func:`_groups_for_k` then asks scikit-learn).
    """
    n, dims = points.shape
    x = points - points.mean(axis=0)
    tol = float(np.mean(np.var(points, axis=0))) * 1e-4
    norms = np.einsum("ij,ij->i", x, x)
    weights = np.ones(n)
    # The random stream, drawn at once in scikit-learn's order: per run, the first centre's draw, then ``trials``
    # draws for each further centre (``choice`` and ``uniform`` each take one double a draw).
    trials = 2 + int(np.log(k))
    draws = np.random.RandomState(seed).random_sample((n_init, 1 + (k - 1) * trials))
    cdf = np.cumsum(weights / weights.sum())
    cdf /= cdf[-1]
    runs = np.arange(n_init)
    first = cdf.searchsorted(draws[:, 0], side="right")
    centres = np.empty((n_init, k, dims))
    centres[:, 0] = x[first]
    closest = -2 * (x[first] @ x.T)
    closest += norms[first][:, None]
    closest += norms[None, :]
    np.maximum(closest, 0, out=closest)
    potential = closest @ weights
    for c in range(1, k):
        picks = draws[:, 1 + (c - 1) * trials : 1 + c * trials] * potential[:, None]
        cumulative = np.cumsum(weights * closest, axis=1)
        ids = np.array([row.searchsorted(pick) for row, pick in zip(cumulative, picks)])
        np.clip(ids, None, n - 1, out=ids)
        candidates = -2 * (x[ids] @ x.T)
        candidates += norms[ids][:, :, None]
        candidates += norms[None, None, :]
        np.maximum(candidates, 0, out=candidates)
        np.minimum(closest[:, None, :], candidates, out=candidates)
        potentials = candidates @ weights
        best = np.argmin(potentials, axis=1)
        potential, closest = potentials[runs, best], candidates[runs, best]
        centres[:, c] = x[ids[runs, best]]

    def nearest(centres: np.ndarray) -> np.ndarray:
        """Return each run's nearest centre of every point, the first on a tie (as ``argmin``, faster for small k)."""
        squared = np.einsum("rkd,rkd->rk", centres, centres)[:, :, None] - 2 * (centres @ x.T)
        least = squared[:, 0].copy()
        found = np.zeros(least.shape, dtype=np.intp)
        for c in range(1, k):
            closer = squared[:, c] < least
            np.copyto(least, squared[:, c], where=closer)
            found[closer] = c
        return found

    tiled = [np.tile(x[:, d], n_init) for d in range(dims)]  # each coordinate once per run, for the centres' sums
    labels = np.full((n_init, n), -1)
    live, strict = np.ones(n_init, bool), np.zeros(n_init, bool)
    for _ in range(300):
        runs = np.flatnonzero(live)
        found = nearest(centres[runs])
        bins = (found + k * np.arange(len(runs))[:, None]).ravel()
        counts = np.bincount(bins, minlength=len(runs) * k).reshape(len(runs), k)
        if (counts == 0).any():
            return None
        sums = [np.bincount(bins, weights=tiled[d][: bins.size], minlength=counts.size) for d in range(dims)]
        moved = np.stack(sums, axis=-1).reshape(len(runs), k, dims) * (1.0 / counts)[..., None]
        shift = (np.sqrt(((moved - centres[runs]) ** 2).sum(axis=2)) ** 2).sum(axis=1)
        same = (found == labels[runs]).all(axis=1)
        centres[runs], labels[runs] = moved, found
        strict[runs[same]] = True
        live[runs[same | (shift <= tol)]] = False
        if not live.any():
            break
    loose = np.flatnonzero(~strict)
    if len(loose):
        labels[loose] = nearest(centres[loose])
    gaps = x[None, :, :] - centres[np.arange(n_init)[:, None], labels]
    inertia = np.cumsum((gaps**2).sum(axis=2), axis=1)[:, -1]
    best = 0
    for run in range(1, n_init):
        if inertia[run] < inertia[best]:
            mapping = np.zeros(k, dtype=np.intp)
            mapping[labels[run]] = labels[best]
            if not np.array_equal(mapping[labels[run]], labels[best]):  # not the same grouping, relabelled
                best = run
    return labels[best]


def _groups_for_k(points: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Return the k-means labels of ``points`` for ``k`` (:func:`_kmeans`, else scikit-learn when a group empties)."""
    labels = _kmeans(points, k, N_INIT, seed)
    if labels is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = learn.kmeans_labels(points, k, n_init=N_INIT, seed=seed)
    return labels


def _distances(points: np.ndarray) -> np.ndarray:
    """Return the Euclidean distances between all ``points``, as scikit-learn's ``pairwise_distances`` computes them."""
    norms = np.einsum("ij,ij->i", points, points)
    squared = -2 * (points @ points.T)
    squared += norms[:, None]
    squared += norms[None, :]
    np.maximum(squared, 0, out=squared)
    np.fill_diagonal(squared, 0)
    return np.sqrt(squared, out=squared)


def _silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Return the mean silhouette of the grouping ``labels`` (0..k-1, each used) of the points with these distances.

    As scikit-learn's ``silhouette_score``: a point alone in its group scores 0.
    """
    freq = np.bincount(labels)
    rows = np.arange(len(labels))
    sums = distances @ (labels[:, None] == np.arange(len(freq))).astype(float)
    intra = sums[rows, labels]
    sums[rows, labels] = np.inf
    inter = (sums / freq).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        intra = intra / (freq - 1)[labels]
        scores = (inter - intra) / np.maximum(intra, inter)
    return float(np.mean(np.nan_to_num(scores)))


def _choose_groups(points: np.ndarray, seed: int, min_size: int = 1) -> tuple[np.ndarray, float]:
    """Run k-means for k in 2..5 on ``points`` and keep the k with the best silhouette.

    Only k whose every group has at least ``min_size`` members count; labels are 0.. by size, then position (all -1 when
    no k qualifies). The distances between the points are computed once for every k's silhouette.
    """
    distinct = len(np.unique(np.round(points, 9), axis=0))
    best_labels, best_score = None, -np.inf
    distances = None
    for k in K_RANGE:
        if k > distinct or k > len(points) - 1:
            break
        labels = _groups_for_k(points, k, seed)
        if len(set(labels)) < 2 or np.bincount(labels).min() < min_size:
            continue
        if distances is None:
            distances = _distances(points)
        score = _silhouette(distances, labels)
        if score > best_score + 1e-12:
            best_labels, best_score = labels, score
    if best_labels is None:
        return np.full(len(points), -1), float("nan")
    ids = np.unique(best_labels)
    sizes = {i: int((best_labels == i).sum()) for i in ids}
    centre_x = {i: float(points[best_labels == i, 0].mean()) for i in ids}
    order = sorted(ids, key=lambda i: (-sizes[i], centre_x[i]))
    remap = {old: new for new, old in enumerate(order)}
    return np.array([remap[i] for i in best_labels]), best_score


# --- Stakeholder groups -------------------------------------------------------------------------------------------


def shown_groups(declared: pd.Series, min_group: int | None = None) -> pd.Series:
    """Return the stakeholder group each participant is shown under (privacy rule: :func:`lessons.privacy.pooled`).

    A group of at least ``min_group`` participants is shown as itself; smaller groups are pooled as
    :data:`lessons.privacy.POOLED`, and when that pool would hold 1 to ``min_group - 1`` people the next smallest
    groups join it, so the total minus the shown groups never isolates anyone. When nothing but the pool would be
    shown, nobody is shown (None): the breakdown would only repeat the total. Undeclared counts as a group.

    >>> shown_groups(pd.Series(["public"] * 5 + ["private"] * 4)).value_counts(dropna=False).to_dict()
    {None: 9}
    >>> s = shown_groups(pd.Series(["public"] * 5 + ["private"] * 4 + ["research"]))
    >>> sorted(s.value_counts().items())
    [('Other groups, pooled (none shown under 5 people)', 5), ('public', 5)]
    """
    k = max(min_group or 0, k_threshold())
    labels = shown_label(declared.fillna(UNDECLARED).astype(str).tolist(), k, undeclared=UNDECLARED)
    if all(label is None or label == POOLED.format(k=k) for label in labels):
        labels = [None] * len(labels)
    return pd.Series(labels, index=declared.index, dtype=object)


def _group_counts(values: np.ndarray, labels: np.ndarray, names: list) -> tuple[np.ndarray, np.ndarray]:
    """Count per group and statement: agree, disagree, pass and votes (4 × groups in ``names`` order × statements).

    Also returns each group's size.
    """
    members = [labels == name for name in names]
    counts = np.array([_counts(values[inside]) for inside in members], dtype=np.int64)
    counts = counts.reshape(len(names), 4, values.shape[1]).transpose(1, 0, 2)
    return counts, np.array([int(inside.sum()) for inside in members], dtype=np.int64)


def _group_table(counts: np.ndarray, sizes: np.ndarray, names: list, ids, column: str) -> pd.DataFrame:
    """Per statement and group: votes, agree/disagree/pass counts and shares (``counts`` from :func:`_group_counts`)."""
    columns = ["statement_id", column, "participants", "n", "agree", "disagree", "pass"]
    if not names:
        return pd.DataFrame(columns=[*columns, "agree_share", "disagree_share", "pass_share"])
    agree, disagree, passes, n = counts
    per_group = len(ids)
    return pd.DataFrame(
        {
            "statement_id": np.tile(ids, len(names)),
            column: np.repeat(np.array(names, dtype=object), per_group),
            "participants": np.repeat(sizes, per_group),
            "n": n.ravel(),
            "agree": agree.ravel(),
            "disagree": disagree.ravel(),
            "pass": passes.ravel(),
            "agree_share": _shares(agree, n).ravel(),
            "disagree_share": _shares(disagree, n).ravel(),
            "pass_share": _shares(passes, n).ravel(),
        }
    )


# --- The analysis -------------------------------------------------------------------------------------------------


def _representative(values, labels, names, statements: pd.DataFrame) -> pd.DataFrame:
    """Pick each group's representative statements (Pol.is's repness; see :mod:`lessons.workshops.analysis`)."""
    ids = statements["id"].to_numpy()
    m = len(ids)
    position = np.tile(np.arange(m), 2)
    direction = np.repeat(np.array(["agree", "disagree"], dtype=object), m)
    parts = []
    for name in names:
        inside = labels == name
        a_in, d_in, _, n_in = _counts(values[inside])
        a_out, d_out, _, n_out = _counts(values[~inside])
        # both directions at once: agree for positions 0..m-1, then disagree
        s_in, s_out = np.concatenate([a_in, d_in]), np.concatenate([a_out, d_out])
        n_in, n_out = np.tile(n_in, 2), np.tile(n_out, 2)
        p = (s_in + 1) / (n_in + 2)
        p_out = (s_out + 1) / (n_out + 2)
        p_test = _one_prop(s_in, n_in)
        r = p / p_out
        r_test = _two_prop(s_in, s_out, n_in, n_out)
        significant = (p_test > Z90) & (r_test > Z90) & (n_in > 0)
        metric = r * r_test * p * p_test
        rows = np.flatnonzero(significant)
        rows = rows[np.lexsort((position[rows], -metric[rows]))]  # stable: agree before disagree on a tie
        _, first = np.unique(position[rows], return_index=True)
        rows = rows[np.sort(first)][:REPRESENTATIVE_MAX]
        if not len(rows):
            voted = np.flatnonzero(n_in > 0)
            rows = voted[np.lexsort((position[voted], -r_test[voted]))][:1]
        parts.append(
            {
                "group": np.full(len(rows), name, dtype=object),
                "rank": np.arange(1, len(rows) + 1),
                "position": position[rows],
                "repful_for": direction[rows],
                "n_success": s_in[rows],
                "n_trials": n_in[rows],
                "p_success": p[rows],
                "p_test": p_test[rows],
                "repness": r[rows],
                "repness_test": r_test[rows],
                "significant": significant[rows],
            }
        )
    columns = ["group", "rank", "statement_id", "key", "text", "repful_for", "n_success", "n_trials", "p_success"]
    columns += ["p_test", "repness", "repness_test", "significant"]
    if not parts:
        return pd.DataFrame(columns=columns)
    joined = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    at = joined.pop("position")
    joined["statement_id"] = ids[at]
    joined["key"] = statements["key"].to_numpy()[at]
    joined["text"] = statements["text"].to_numpy()[at]
    return pd.DataFrame({column: joined[column] for column in columns})
