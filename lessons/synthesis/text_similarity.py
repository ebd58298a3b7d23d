"""Lessons grouped by what they say, deterministically: the same lessons give the same clusters, labels and order.

Lesson text is stemmed (Snowball), weighted by TF-IDF and compared by cosine similarity (scikit-learn); each lesson
keeps its most similar lessons; lessons are then grouped by average linkage over those similarities. The whole merge
order is computed once per data version and stored in ``analysis_results``, so any similarity threshold the user picks
is a cheap cut of the stored order.

The neighbours are exact at any scale, in bounded memory: the scores of a block of rows against every lesson are the
product of the common terms' dense columns (BLAS) plus the sparse product of the other terms; each row's cut is taken
from a sample of its scores (never above its true cut), and the few candidates that pass are scored exactly.

The merge step is our own, over the sparse neighbour graph: scipy's ``linkage`` needs every pair's distance (10 GB of
doubles at 50,000 lessons), and scikit-learn's ``linkage_tree`` with a connectivity graph counts pairs outside the
graph as distance 0 (identical) when it averages, and joins the graph's components with made-up edges.
:mod:`lessons.synthesis.refresh` runs the analysis in the background after a change.

Lessons are compared in English (#21): a lesson written in another language through its English translation, and
left out when it has none (:func:`left_out_of_comparison`; What recurs says which).
"""

from __future__ import annotations

import heapq
import io
import re
import time
from collections import Counter
from dataclasses import dataclass, fields
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons import learn, visibility
from lessons.store import data_version
from lessons.store import frame as _frame
from lessons.stored import newest, stored, stored_or_computed, stored_version

if TYPE_CHECKING:  # the matrices come from scikit-learn, imported on first use (lessons.learn)
    from scipy import sparse

ANALYSIS = "lesson_similarity"
#: Neighbours kept per lesson, and the lowest similarity worth keeping or offering as a threshold.
NEIGHBOURS = 12
FLOOR = 0.1
TOP_TERMS = 8
_WORD = re.compile(r"[^\W\d_]{2,}")


# --- Text similarity --------------------------------------------------------------------------------------------


class _Analyzer:
    """Lower-case words of letters, English stop words removed, Snowball stems.

    Remembers each stem's commonest surface word so labels read as words ("champions", not "champion").
    """

    def __init__(self) -> None:
        self.stop_words = learn.english_stop_words()
        self.stemmer = learn.english_stemmer()
        self.stems: dict[str, str] = {}
        self.surface: dict[str, Counter] = {}

    def __call__(self, text: str) -> list[str]:
        out = []
        for word in _WORD.findall(text.lower()):
            if word in self.stop_words:
                continue
            stem = self.stems.get(word)
            if stem is None:
                stem = self.stems[word] = self.stemmer.stemWord(word)
            seen = self.surface.get(stem)
            if seen is None:
                seen = self.surface[stem] = Counter()
            seen[word] += 1
            out.append(stem)
        return out

    def word(self, stem: str) -> str:
        counts = self.surface.get(stem)
        return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else stem


@dataclass
class Similarity:
    """What text similarity found: each lesson's neighbours and distinctive terms, and the average-linkage merge order.

    Arrays are parallel to ``lesson_ids`` (index = position).
    """

    lesson_ids: np.ndarray  # int64, ascending
    pilot_ids: np.ndarray  # int64
    edge_a: np.ndarray  # positions; each undirected pair once, a < b
    edge_b: np.ndarray
    edge_score: np.ndarray  # cosine similarity
    merge_a: np.ndarray  # cluster ids (0..n-1 leaves, n+i the cluster made by merge i)
    merge_b: np.ndarray
    merge_score: np.ndarray  # average similarity at which the merge happened, non-increasing
    terms: np.ndarray  # unicode words
    term_index: np.ndarray  # (n, TOP_TERMS) index into terms, -1 for none
    term_weight: np.ndarray  # (n, TOP_TERMS)
    seconds: float = 0.0
    data_version: int = -1

    def to_bytes(self) -> bytes:
        """Serialise without pickle (``np.savez_compressed``), so a stored result can never run code on load."""
        buffer = io.BytesIO()
        arrays = {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), np.ndarray)}
        np.savez_compressed(buffer, **arrays, meta=np.array([self.seconds, self.data_version], dtype=float))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> Similarity:
        """Read an analysis back from the bytes :meth:`to_bytes` wrote."""
        with np.load(io.BytesIO(payload), allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files if k != "meta"}
            seconds, version = data["meta"].tolist()
        return cls(**arrays, seconds=seconds, data_version=int(version))

    def labels(self, threshold: float) -> np.ndarray:
        """Cluster number of every lesson when merges at an average similarity ≥ ``threshold`` are kept.

        Numbers are the position of each cluster's first lesson, so they do not depend on merge order. The kept
        merges' parent links are followed by pointer jumping (a few whole-array steps, not a loop over lessons).
        """
        n = len(self.lesson_ids)
        keep = int(np.searchsorted(-self.merge_score, -float(threshold), side="right"))
        parent = np.arange(n + keep)
        made = n + np.arange(keep)
        parent[self.merge_a[:keep]] = made
        parent[self.merge_b[:keep]] = made
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        _, first, inverse = np.unique(parent[:n], return_index=True, return_inverse=True)
        return first[inverse].astype(np.int64)

    @cached_property
    def alphabetical(self) -> np.ndarray:
        """Rank of every term in alphabetical order (worked out once per analysis, for labels' ties)."""
        rank = np.empty(len(self.terms), dtype=np.int64)
        rank[np.argsort(self.terms, kind="stable")] = np.arange(len(self.terms))
        return rank

    def neighbours(self, position: int) -> list[tuple[int, float]]:
        """(position, similarity) of the lessons most similar to the lesson at ``position``, best first."""
        left = self.edge_a == position
        right = self.edge_b == position
        found = list(zip(self.edge_b[left].tolist(), self.edge_score[left].tolist())) + list(
            zip(self.edge_a[right].tolist(), self.edge_score[right].tolist())
        )
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))

    def label_terms(self, positions, count: int = 3) -> list[str]:
        """Return the most distinctive words of a group of lessons (summed TF-IDF weight of their top terms)."""
        weights: Counter = Counter()
        for position in positions:
            for index, weight in zip(self.term_index[position].tolist(), self.term_weight[position].tolist()):
                if index >= 0:
                    weights[index] += weight
        ranked = sorted(weights.items(), key=lambda kv: (-kv[1], str(self.terms[kv[0]])))
        return [str(self.terms[i]) for i, _ in ranked[:count]]


def build_similarity(lessons: pd.DataFrame) -> Similarity:
    """Compute neighbours, merge order and terms for ``lessons`` (columns id, pilot_id, text).

    >>> sim = build_similarity(pd.DataFrame({"id": [1, 2, 3], "pilot_id": [1, 2, 3], "text": [
    ...     "Local champions opened doors to older residents", "Older residents trusted local champions",
    ...     "The procurement rules delayed the platform"]}))
    >>> sim.labels(0.3).tolist()
    [0, 0, 2]
    """
    started = time.perf_counter()
    if not lessons["id"].is_monotonic_increasing:  # the store reads them by id: no copy of every text then
        lessons = lessons.sort_values("id")
    ids = lessons["id"].to_numpy(dtype=np.int64)
    pilot_ids = lessons["pilot_id"].to_numpy(dtype=np.int64)
    n = len(ids)
    text = lessons["text"]
    text = (text.fillna("") if text.hasnans else text).astype(str)
    analyzer = _Analyzer()
    vectorizer = learn.tfidf_vectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(text).tocsr()
    except ValueError:  # no lesson has a word to compare (or there are no lessons)
        nothing = np.array([], dtype=np.int64)
        return Similarity(
            ids, pilot_ids, nothing, nothing, np.array([], dtype=float),
            nothing, nothing, np.array([], dtype=float), np.array([], dtype=str),
            np.full((n, TOP_TERMS), -1, dtype=np.int64), np.zeros((n, TOP_TERMS), dtype=np.float32),
            time.perf_counter() - started,
        )  # fmt: skip
    terms = np.array([analyzer.word(stem) for stem in vectorizer.get_feature_names_out()], dtype=str)
    del text, vectorizer, analyzer  # the texts and vocabularies are done with: their memory back for what follows
    term_index, term_weight = _top_terms(matrix)
    edge_a, edge_b, edge_score = _neighbour_graph(matrix)
    del matrix  # the merges need only the neighbour graph
    merge_a, merge_b, merge_score = _average_linkage(n, edge_a, edge_b, edge_score)
    return Similarity(
        ids,
        pilot_ids,
        edge_a,
        edge_b,
        edge_score,
        merge_a,
        merge_b,
        merge_score,
        terms,
        term_index,
        term_weight,
        time.perf_counter() - started,
    )


def _first_per_row(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int):
    """Return the ``k`` largest values of every row (ties by column), from entries given as parallel arrays."""
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    keep = rank < k
    return rows[keep], cols[keep], vals[keep]


#: Lessons whose top terms are ranked at once (each row's terms are ranked alone, so this only bounds the memory).
TERM_ROWS = 4096


def _top_terms(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    n = matrix.shape[0]
    index = np.full((n, TOP_TERMS), -1, dtype=np.int64)
    weight = np.zeros((n, TOP_TERMS), dtype=np.float32)
    for start in range(0, n, TERM_ROWS):
        stop = min(n, start + TERM_ROWS)
        low, high = matrix.indptr[start], matrix.indptr[stop]
        rows = np.repeat(np.arange(start, stop), np.diff(matrix.indptr[start : stop + 1]))
        rows, cols, vals = _first_per_row(
            rows, matrix.indices[low:high].astype(np.int64), matrix.data[low:high], TOP_TERMS
        )
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
        index[rows, rank] = cols
        weight[rows, rank] = vals
    return index, weight


#: Scores worked out at once (a block of rows × the lessons after them, float32: 16 MB), which bounds the memory.
BLOCK_CELLS = 4_000_000
#: Terms found in more than one lesson in DENSE_SHARE are compared as dense columns by matrix product (BLAS), the
#: others through the sparse matrix: a term in ``df`` lessons costs ``df²`` sparse steps, a dense column ``n²`` fast
#: ones, and on this machine a sparse step costs about 900 fast ones (measured at 50,000 lessons).
DENSE_SHARE = 30
DENSE_MAX = 512
#: Each lesson's cut is its NEIGHBOURS-th best score against every SAMPLE-th lesson: never above its true
#: NEIGHBOURS-th best, so every true neighbour passes it, and only about SAMPLE × NEIGHBOURS scores pass.
SAMPLE = 16
#: Block scores are float32 sums in BLAS order; every candidate within MARGIN of a lesson's cut is rescored exactly.
MARGIN = 1e-4
#: Candidates held before those that can no longer be among a lesson's best are dropped; pairs rescored at once.
HELD = 1_000_000
RESCORE = 25_000


def _split_terms(matrix: sparse.csr_matrix) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Split the columns into common terms (a dense array) and the rest (a sparse matrix)."""
    n, terms = matrix.shape
    found_in = np.bincount(matrix.indices, minlength=terms)
    order = np.argsort(-found_in, kind="stable")
    common = np.sort(order[: min(DENSE_MAX, int((found_in * DENSE_SHARE > n).sum()))])
    rare = np.setdiff1d(np.arange(terms), common)
    dense = matrix[:, common].toarray() if len(common) else np.zeros((n, 1), dtype=matrix.dtype)
    return np.ascontiguousarray(dense), matrix[:, rare].tocsr()


def _scores(dense: np.ndarray, rest: sparse.csr_matrix, rows: slice, cols) -> np.ndarray:
    """Cosine similarities of lessons ``rows`` with lessons ``cols`` (a slice or positions), as float32."""
    block = dense[rows] @ dense[cols].T
    block += (rest[rows] @ rest[cols].T).toarray()
    return block


def _cuts(dense: np.ndarray, rest: sparse.csr_matrix, k: int) -> np.ndarray:
    """Return a lower bound of each lesson's ``k``-th best score (at least FLOOR), less MARGIN.

    It is the ``k``-th best against every SAMPLE-th lesson (itself left out): a subset's ``k``-th best is never
    above the whole row's.
    """
    n = dense.shape[0]
    sample = np.arange(0, n, SAMPLE) if n > SAMPLE * (k + 1) else np.arange(n)
    cuts = np.full(n, -np.inf, dtype=dense.dtype)
    step = max(1, BLOCK_CELLS // len(sample))
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = _scores(dense, rest, slice(start, stop), sample)
        own = np.nonzero((sample >= start) & (sample < stop))[0]
        block[sample[own] - start, own] = -np.inf
        if len(sample) > k:
            cuts[start:stop] = np.partition(block, len(sample) - k, axis=1)[:, len(sample) - k]
    return np.maximum(cuts, FLOOR) - MARGIN


def _thin(owner: np.ndarray, other: np.ndarray, value: np.ndarray, k: int):
    """Keep each owner's candidates within MARGIN of its ``k``-th best so far (a lower bound of its final one)."""
    order = np.lexsort((-value, owner))
    owner, other, value = owner[order], other[order], value[order]
    first = np.searchsorted(owner, owner, side="left")
    rank = np.arange(len(owner)) - first
    count = np.searchsorted(owner, owner, side="right") - first
    kth = np.where(count >= k, value[np.minimum(first + k - 1, len(value) - 1)], -np.inf)
    keep = value >= kth - MARGIN
    del rank
    return owner[keep], other[keep], value[keep]


def _exact_scores(matrix: sparse.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of the lesson pairs (a, b), summed row by row (independent of blocks and threads)."""
    parts = [
        np.asarray(matrix[a[i : i + RESCORE]].multiply(matrix[b[i : i + RESCORE]]).sum(axis=1)).ravel()
        for i in range(0, len(a), RESCORE)
    ]
    return np.concatenate(parts).round(6).clip(max=1.0) if parts else np.array([], dtype=float)


def _neighbour_graph(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each lesson's NEIGHBOURS most similar lessons (TF-IDF cosine ≥ FLOOR), as undirected pairs a < b.

    Exact at any scale, in bounded memory: each pair is scored once, in blocks of rows against the lessons after
    them (the common terms' dense product plus the rare terms' sparse one). A score is a candidate for either
    lesson when it reaches that lesson's cut (:func:`_cuts`); candidates that can no longer be among a lesson's best
    are dropped as they pile up; the rest are scored exactly and ranked by score, then by position, so the result
    does not depend on blocks or threads.
    """
    n, k = matrix.shape[0], NEIGHBOURS
    nothing = np.array([], dtype=np.int64)
    if n < 2:
        return nothing, nothing, np.array([], dtype=float)
    dense, rest = _split_terms(matrix)
    cuts = _cuts(dense, rest, k)
    held: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    size = 0
    start = 0
    while start < n:
        stop = min(n, start + max(1, BLOCK_CELLS // (n - start)))
        block = _scores(dense, rest, slice(start, stop), slice(start, n))
        width = stop - start
        block[np.tril_indices(width, m=width)] = -np.inf  # each pair once, never a lesson with itself
        for mine, other in (
            np.nonzero(block >= cuts[start:stop, None]),  # candidates of the block's lessons
            np.nonzero(block >= cuts[None, start:]),  # and of the lessons after them
        ):
            value = block[mine, other]
            held.append((mine.astype(np.int32) + start, other.astype(np.int32) + start, value))
            size += len(value)
        held[-1] = (held[-1][1], held[-1][0], held[-1][2])  # the later lesson owns the second kind
        if size > HELD:
            held = [_thin(*(np.concatenate(part) for part in zip(*held)), k)]
            size = len(held[0][0])
        start = stop
    a, b, _ = _thin(*(np.concatenate(part) for part in zip(*held)), k)
    a, b = a.astype(np.int64), b.astype(np.int64)
    score = _exact_scores(matrix, a, b)
    keep = score >= FLOOR
    a, b, score = _first_per_row(a[keep], b[keep], score[keep], k)
    low, high = np.minimum(a, b), np.maximum(a, b)
    pair, first = np.unique(low * n + high, return_index=True)
    return low[first], high[first], score[first].astype(float)


def _average_linkage(n: int, edge_a, edge_b, edge_score) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agglomerate lessons by average similarity over the neighbour graph (pairs outside it count as 0).

    Merges the two clusters with the highest average pairwise similarity, down to FLOOR. Average linkage is
    reducible, so merge scores never increase and a threshold cut is a prefix of the merge list. Ties are broken by
    cluster ids, which makes the order deterministic.
    """
    links: list[dict[int, float]] = [{} for _ in range(n)]
    edges = edge_a.tolist(), edge_b.tolist(), edge_score.tolist()  # one set of numbers for links and heap
    for a, b, s in zip(*edges):
        links[a][b] = links[b][a] = s
    size = [1] * n
    heap = [(-s, a, b) for a, b, s in zip(*edges)]
    del edges
    heapq.heapify(heap)
    alive = [True] * n
    merges: list[tuple[int, int, float]] = []
    while heap:
        negative, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        score = links[a][b] / (size[a] * size[b])
        if score != -negative:
            continue  # stale entry
        if score < FLOOR:
            break
        new = len(size)
        merges.append((a, b, score))
        alive[a] = alive[b] = False
        alive.append(True)
        size.append(size[a] + size[b])
        joined: dict[int, float] = {}
        for old in (a, b):
            for other, total in links[old].items():
                if other in (a, b):
                    continue
                joined[other] = joined.get(other, 0.0) + total
                del links[other][old]
            links[old] = {}
        links.append(joined)
        for other, total in joined.items():
            links[other][new] = total
            average = total / (size[new] * size[other])
            if average >= FLOOR:  # below it the pair is never merged; its total still counts in later averages
                heapq.heappush(heap, (-average, other, new))
    if not merges:
        nothing = np.array([], dtype=np.int64)
        return nothing, nothing, np.array([], dtype=float)
    a, b, s = zip(*merges)
    return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), np.array(s, dtype=float)


#: The language lessons are compared in (the analyzer's stop words and stemmer are English's): a lesson written in
#: another language is compared through its translation into it, and left out when it has none (#21).
COMPARED_IN = "en"
_IN_COMPARED = "lower(substr(coalesce(l.language, 'en'), 1, 2)) = 'en'"
_TEXT = "{t}.title || '. ' || {t}.lesson || ' ' || coalesce({t}.recommendation, '')"


def lesson_texts(db: Database) -> pd.DataFrame:
    """id, pilot_id and the text compared (title, lesson and recommendation) of every lesson with an English text.

    A lesson written in English is compared as written; one written in another language through its English
    translation; one with neither is left out (:func:`left_out_of_comparison`).
    """
    return _frame(
        db,
        f"""SELECT l.id, l.pilot_id,
                   CASE WHEN {_IN_COMPARED} THEN {_TEXT.format(t="l")} ELSE {_TEXT.format(t="t")} END AS text
            FROM lessons l LEFT JOIN lesson_translations t ON t.lesson_id = l.id AND t.language = '{COMPARED_IN}'
            WHERE {_IN_COMPARED} OR t.lesson_id IS NOT NULL
            ORDER BY l.id""",
    )


def left_out_of_comparison(db: Database) -> pd.DataFrame:
    """Return the lessons text similarity leaves out: not written in English nor translated into it.

    Columns id, key, title, language, pilot_name, by pilot and key.

    >>> from lessons.store import open_memory_store
    >>> left_out_of_comparison(open_memory_store()).columns.tolist()
    ['id', 'key', 'title', 'language', 'pilot_name']
    """
    return _frame(
        db,
        f"""SELECT l.id, l.key, l.title, l.language, p.name AS pilot_name
            FROM lessons l JOIN pilots p ON p.id = l.pilot_id
            WHERE NOT {_IN_COMPARED} AND NOT EXISTS (
                SELECT 1 FROM lesson_translations t WHERE t.lesson_id = l.id AND t.language = '{COMPARED_IN}')
            ORDER BY p.name, l.key, l.id""",
    )


def similarity(db: Database, *, store: bool = True, latest: bool = False) -> Similarity:
    """Return the similarity analysis of the current lessons.

    The stored one when it is for the current data version, else computed now and (when ``store`` and the store is
    writable) saved for the next caller. With ``latest``, a result stored for an earlier version is returned rather
    than computing a new one (a brief made while the background analysis runs); it is computed only when none is
    stored at all.
    """
    version = data_version(db, "lessons")
    if not visibility.current(db).everything:
        # One analysis compares every lesson; a reader's groups keep only the lessons they may see (``clusters``
        # reads their facts). Read on a scoped connection, it is the stored one; none stored: computed from what
        # the reader sees, and not kept.
        found = stored(db, ANALYSIS, version)
        if found is None and latest:
            kept = newest(db, ANALYSIS)
            found = kept[1] if kept else None
        if found is not None:
            return Similarity.from_bytes(found)
        result = build_similarity(lesson_texts(db))
        result.data_version = version
        return result
    if latest and stored(db, ANALYSIS, version) is None:
        found = newest(db, ANALYSIS)
        if found is not None:
            return Similarity.from_bytes(found[1])

    def compute() -> Similarity:
        result = build_similarity(lesson_texts(db))
        result.data_version = version
        return result

    return stored_or_computed(
        db, ANALYSIS, version, compute, dump=Similarity.to_bytes, load=Similarity.from_bytes, store=store
    )


def stored_similarity(db: Database) -> Similarity | None:
    """Return the newest stored similarity analysis, whatever data version it was computed at (None: none yet)."""
    found = newest(db, ANALYSIS)
    return Similarity.from_bytes(found[1]) if found else None


def similarity_version(db: Database) -> int | None:
    """Return the lessons' data version the stored similarity analysis was computed at (None: none stored yet)."""
    return stored_version(db, ANALYSIS)


def lesson_facts(db: Database) -> pd.DataFrame:
    """id, key, title, kind, status, pilot (slug) and pilot_name of every lesson, by id (for clusters)."""
    return _frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.status, p.slug AS pilot, p.name AS pilot_name
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id ORDER BY l.id""",
    )


def _joined(cluster: np.ndarray, names: np.ndarray) -> pd.Series:
    """Join each cluster's distinct names, in alphabetical order, with "; " (indexed by cluster, ascending)."""
    if not len(cluster):
        return pd.Series(dtype=str)
    codes, uniques = pd.factorize(names, sort=True)  # codes in alphabetical order of the names
    pair = np.unique(cluster * len(uniques) + codes)
    cluster, words = pair // len(uniques), np.asarray(uniques, dtype=object)[pair % len(uniques)].tolist()
    starts = _first_of_each(cluster)
    ends = np.r_[starts[1:], len(cluster)].tolist()
    return pd.Series(["; ".join(words[s:e]) for s, e in zip(starts.tolist(), ends)], index=cluster[starts], dtype=str)


def _first_of_each(cluster: np.ndarray) -> np.ndarray:
    """Return where each run of equal values starts in a sorted array."""
    return np.flatnonzero(np.r_[True, cluster[1:] != cluster[:-1]]) if len(cluster) else np.array([], dtype=np.int64)


def _labels(sim: Similarity, positions: np.ndarray, cluster: np.ndarray, count: int = 3) -> pd.Series:
    """Label every cluster with its most distinctive words, joined by ", " (indexed by cluster).

    Those are the terms with the highest summed TF-IDF weight among the top terms of its lessons (ties by word):
    the sums are made over (cluster, term) pairs sorted by cluster and word, so each cluster's best term is the
    first of its largest sums, picked ``count`` times without sorting the sums.
    """
    if not len(sim.terms) or not len(positions):
        return pd.Series(dtype=str)
    found = sim.term_index[positions].ravel()
    used = found >= 0
    words = len(sim.terms)
    key = np.repeat(cluster, TOP_TERMS)[used] * words + sim.alphabetical[found[used]]
    order = np.argsort(key, kind="stable")
    key = key[order]
    new = np.r_[True, key[1:] != key[:-1]]
    summed = np.add.reduceat(sim.term_weight[positions].ravel()[used].astype(float)[order], np.flatnonzero(new))
    key = key[new]
    owner = key // words
    starts = _first_of_each(owner)
    group = np.cumsum(np.r_[True, owner[1:] != owner[:-1]]) - 1
    index = np.arange(len(key))
    by_word = np.argsort(sim.alphabetical)  # alphabetical rank → term
    picked = []
    for _ in range(count):
        best = np.maximum.reduceat(summed, starts)
        pick = np.minimum.reduceat(np.where(summed == best[group], index, len(key)), starts)
        valid = best > -np.inf
        picked.append(np.where(valid, pick, -1))
        summed[pick[valid]] = -np.inf
    columns = [
        [str(sim.terms[by_word[key[i] % words]]) if i >= 0 else "" for i in column.tolist()] for column in picked
    ]
    return pd.Series([", ".join(w for w in row if w) for row in zip(*columns)], index=owner[starts], dtype=str)


def _central(sim: Similarity, positions: np.ndarray, cluster: np.ndarray) -> pd.Series:
    """Position of each cluster's most central lesson (indexed by cluster).

    The most central lesson is the one with the highest mean similarity to the other lessons of its cluster (pairs
    outside the neighbour graph count as 0, as in the linkage); ties go to the earliest lesson.
    """
    n = len(sim.lesson_ids)
    cluster_of = np.full(n, -1, dtype=np.int64)
    cluster_of[positions] = cluster
    a, b, score = sim.edge_a, sim.edge_b, sim.edge_score
    inside = (cluster_of[a] >= 0) & (cluster_of[a] == cluster_of[b]) if len(a) else np.zeros(0, dtype=bool)
    total = np.bincount(a[inside], weights=score[inside], minlength=n) + np.bincount(
        b[inside], weights=score[inside], minlength=n
    )
    order = np.lexsort((positions, -total[positions], cluster))
    firsts = _first_of_each(cluster[order])
    return pd.Series(positions[order][firsts], index=cluster[order][firsts])


def clusters(facts: pd.DataFrame, sim: Similarity, threshold: float, min_pilots: int = 2) -> dict[str, pd.DataFrame]:
    """Return groups of similar lessons from at least ``min_pilots`` (and at least 2) pilots, most widespread first.

    ``facts`` is :func:`lesson_facts` for the same data version as ``sim``. Each group is named by the title of its
    most central lesson (``name``, ``central_id``: the lesson most similar, on average, to the others of the group)
    and described by its most distinctive words (``label``). Everything is worked out on whole arrays, so a cut at
    any threshold takes a fraction of a second even at 50,000 lessons.

    Returns ``clusters`` (cluster, name, central_id, label, pilots, lessons, enablers, barriers, pilot_names,
    contradicts), ``members`` (cluster, id, key, title, kind, status, pilot, pilot_name) and ``contradictions``:
    clusters in which one pilot's lesson is an enabler and another pilot's a barrier (cluster, name, label,
    enabler_names, barrier_names).

    >>> sim = build_similarity(pd.DataFrame({"id": [1, 2, 3], "pilot_id": [1, 2, 3], "text": [
    ...     "Champions. Local champions opened doors to older residents",
    ...     "Trust. Older residents trusted local champions who opened doors",
    ...     "Tender. The procurement rules delayed the platform"]}))
    >>> facts = pd.DataFrame({"id": [1, 2, 3], "key": ["L1", "L1", "L1"], "title": ["Champions", "Trust", "Tender"],
    ...     "kind": ["enabler", "barrier", "insight"], "status": "submitted", "pilot": ["a", "b", "c"],
    ...     "pilot_name": ["A", "B", "C"]})
    >>> found = clusters(facts, sim, 0.2)["clusters"]
    >>> found[["name", "pilots", "lessons", "contradicts"]].values.tolist()
    [['Champions', 2, 2, True]]
    """
    summary_columns = [
        "cluster", "name", "central_id", "label", "pilots", "lessons", "enablers", "barriers", "pilot_names",
        "contradicts",
    ]  # fmt: skip
    member_columns = ["cluster", "id", "key", "title", "kind", "status", "pilot", "pilot_name"]
    contradiction_columns = ["cluster", "name", "label", "enabler_names", "barrier_names"]
    facts = facts.set_index("id").reindex(sim.lesson_ids).dropna(subset=["pilot"]).reset_index()
    positions = np.searchsorted(sim.lesson_ids, facts["id"].to_numpy())
    cluster = sim.labels(threshold)[positions] if len(facts) else np.zeros(0, dtype=np.int64)
    n = len(sim.lesson_ids)
    pilot = pd.factorize(facts["pilot"])[0].astype(np.int64)
    size = np.bincount(cluster, minlength=n)
    pilot_pairs = np.unique(cluster * (int(pilot.max(initial=0)) + 1) + pilot) // (int(pilot.max(initial=0)) + 1)
    pilots = np.bincount(pilot_pairs, minlength=n)
    wide = (size[cluster] >= 2) & (pilots[cluster] >= max(2, int(min_pilots)))
    if not wide.any():
        return {
            "clusters": pd.DataFrame(columns=summary_columns),
            "members": pd.DataFrame(columns=member_columns),
            "contradictions": pd.DataFrame(columns=contradiction_columns),
        }
    kept = facts[wide].assign(cluster=cluster[wide])
    positions, cluster, pilot = positions[wide], cluster[wide], pilot[wide]
    kind = kept["kind"].to_numpy()
    index = np.unique(cluster)
    central = _central(sim, positions, cluster).reindex(index)
    title_at = pd.Series(kept["title"].to_numpy(), index=positions)
    summary = pd.DataFrame(
        {
            "cluster": index,
            "name": title_at.reindex(central.to_numpy()).to_numpy(),
            "central_id": sim.lesson_ids[central.to_numpy()],
            "label": _labels(sim, positions, cluster).reindex(index).fillna("").to_numpy(),
            "pilots": pilots[index],
            "lessons": size[index],
            "enablers": np.bincount(cluster[kind == "enabler"], minlength=n)[index],
            "barriers": np.bincount(cluster[kind == "barrier"], minlength=n)[index],
            "pilot_names": _joined(cluster, kept["pilot_name"].to_numpy()).reindex(index).to_numpy(),
        }
    )
    sides, side_pilots = {}, {}
    for side in ("enabler", "barrier"):
        mine = kind == side
        sides[side] = _joined(cluster[mine], kept["pilot_name"].to_numpy()[mine]).reindex(index).fillna("").to_numpy()
        side_pilots[side] = np.bincount(np.unique(cluster[mine] * n + pilot[mine]) // n, minlength=n)[index]
    summary["contradicts"] = (
        (side_pilots["enabler"] > 0)
        & (side_pilots["barrier"] > 0)
        & ~((side_pilots["enabler"] == 1) & (side_pilots["barrier"] == 1) & (sides["enabler"] == sides["barrier"]))
    )
    summary["enabler_names"], summary["barrier_names"] = sides["enabler"], sides["barrier"]
    summary = summary.sort_values(["pilots", "lessons", "cluster"], ascending=[False, False, True])
    contradictions = summary[summary["contradicts"]][contradiction_columns]
    members = kept[member_columns].sort_values(["cluster", "pilot_name", "key"])
    return {
        "clusters": summary[summary_columns].reset_index(drop=True),
        "members": members.reset_index(drop=True),
        "contradictions": contradictions.reset_index(drop=True),
    }


#: Below this cosine similarity two lessons share too few distinctive words to be offered as "similar".
SIMILAR_MIN = 0.15


def similar_lessons(
    db: Database, sim: Similarity, lesson_id: int, limit: int = 5, minimum: float = SIMILAR_MIN
) -> pd.DataFrame:
    """Find the lessons of other pilots most similar to ``lesson_id`` (at least ``minimum`` alike), best first.

    Columns: id, key, title, kind, pilot, pilot_name, similarity.
    """
    columns = ["id", "key", "title", "kind", "pilot", "pilot_name", "similarity"]
    where = np.searchsorted(sim.lesson_ids, int(lesson_id))
    if where >= len(sim.lesson_ids) or sim.lesson_ids[where] != int(lesson_id):
        return pd.DataFrame(columns=columns)
    own_pilot = sim.pilot_ids[where]
    found = [
        (sim.lesson_ids[p], s) for p, s in sim.neighbours(int(where)) if sim.pilot_ids[p] != own_pilot and s >= minimum
    ]
    if not found:
        return pd.DataFrame(columns=columns)
    found = found[: int(limit)]
    ids = [int(i) for i, _ in found]
    facts = _frame(
        db,
        f"""SELECT l.id, l.key, l.title, l.kind, p.slug AS pilot, p.name AS pilot_name
            FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE l.id IN ({", ".join("?" * len(ids))})""",
        ids,
    ).set_index("id")
    out = facts.reindex(ids).dropna(subset=["title"]).reset_index()
    scores = {int(i): round(float(s), 2) for i, s in found}
    out["similarity"] = out["id"].map(scores)
    return out[columns]
