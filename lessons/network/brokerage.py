"""Gould–Fernandez brokerage: the roles an actor plays on open two-paths between the groups (sectors) of a network."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lessons import learn

if TYPE_CHECKING:  # the matrices' type; SciPy itself is loaded when a network is analysed (lessons.learn)
    from scipy import sparse

#: Gould–Fernandez roles of a broker b on an open two-path a → b → c (a has no tie to c), by the groups of a, b, c.
BROKERAGE_ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
#: In an undirected network gatekeeper and representative counts are always equal (see :func:`actor_metrics`).
UNDIRECTED_BOUNDARY = "gatekeeper/representative"


def _brokerage(A: sparse.csr_array, groups: np.ndarray, directed: bool) -> pd.DataFrame:
    """Gould–Fernandez brokerage counts of every node on open two-paths a → v → c (a ≠ c, no tie a → c).

    Counted in closed form: for each node and each pair of groups (g, h), the two-paths are (in-neighbours in g)
    × (out-neighbours in h), minus the a = c paths through a reciprocated neighbour, minus the closed ones, found
    as (Aᵀ ∘ A·D_h·Aᵀ)·G (D_h: members of h). Undirected graphs are taken as symmetric, as statnet's
    ``brokerage()`` does: every open two-path counts once in each direction.
    """
    n = A.shape[0]
    codes, labels = pd.factorize(pd.Series(groups, dtype=object), sort=True)
    k = max(len(labels), 1)
    onehot = learn.sparse().csr_array((np.ones(n), (np.arange(n), codes)), shape=(n, k))
    AT = A.T.tocsr()
    inbound = (AT @ onehot).toarray()  # v × g: in-neighbours in g
    outbound = (A @ onehot).toarray()  # v × h: out-neighbours in h
    mutual = (A.multiply(AT)).tocsr()
    back = (mutual @ onehot).toarray()  # reciprocated neighbours in g (a → v → a)
    open_paths = inbound[:, :, None] * outbound[:, None, :]
    idx = np.arange(k)
    open_paths[:, idx, idx] -= back
    for h in range(k):
        member = learn.sparse().diags_array((codes == h).astype(np.float64))
        through = (A @ member @ A.T).tocsr()  # [v, a]: c in h with v → c and a → c
        closed = AT.multiply(through).tocsr()  # keep a → v
        open_paths[:, :, h] -= (closed @ onehot).toarray()
    own = codes
    rows = np.arange(n)
    total = open_paths.sum(axis=(1, 2))
    same_ends = open_paths[:, idx, idx]  # a and c in one group
    coordinator = same_ends[rows, own]
    itinerant = same_ends.sum(axis=1) - coordinator
    representative = open_paths[rows, own, :].sum(axis=1) - coordinator
    gatekeeper = open_paths[rows, :, own].sum(axis=1) - coordinator
    liaison = total - coordinator - itinerant - representative - gatekeeper
    counts = np.rint(np.stack([coordinator, itinerant, gatekeeper, representative, liaison], axis=1)).astype(int)
    frame = pd.DataFrame(counts, columns=list(BROKERAGE_ROLES))
    between = counts[:, 2:].sum(axis=1)
    frame["between_sectors"] = between if directed else between // 2
    frame["brokerage"] = counts.sum(axis=1)
    preference = ["liaison", "gatekeeper", "representative", "itinerant", "coordinator"]
    best = frame[preference].to_numpy().argmax(axis=1)
    role = np.array(preference, dtype=object)[best]
    if not directed:
        role = np.where(role == "gatekeeper", UNDIRECTED_BOUNDARY, role)
    frame["brokerage_role"] = np.where(frame["brokerage"] > 0, role, "none")
    return frame
