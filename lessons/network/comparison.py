"""Across periods and pilots: what changed from baseline to end, and pilots side by side.

Also organisations shared between pilots, and the lessons that concern an actor.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons.network.graph import _pilot_id, _pilot_ties
from lessons.network.metrics import SCALAR_METRICS
from lessons.network.storage import analysis
from lessons.store import data_version
from lessons.store import frame as _frame
from lessons.stored import frame_payload, payload_frame, stored_or_computed
from lessons.stored import stored as _stored


def _tie_keys(db: Database, pilot_id: int, relations: tuple[str, ...], period: str) -> pd.DataFrame:
    """Key the ties of one period by (a, b, relation): the actors in order for directed ties, sorted otherwise."""
    ties = _pilot_ties(db, pilot_id, relations, period)
    undirected = ties["directed"] == 0
    low = np.minimum(ties["source_id"], ties["target_id"])
    high = np.maximum(ties["source_id"], ties["target_id"])
    ties["a"] = np.where(undirected, low, ties["source_id"]).astype("int64")
    ties["b"] = np.where(undirected, high, ties["target_id"]).astype("int64")
    return ties.drop_duplicates(["a", "b", "relation"])


CHANGE_METRICS = [
    "active_actors", "ties", "density", "reciprocity", "components", "largest_component", "average_path_length",
    "diameter", "transitivity", "degree_centralisation", "betweenness_centralisation", "communities", "modularity",
    "ei_index", "citizens_tied_to_public", "hard_to_reach_tied_to_public", "hard_to_reach_distance_to_public",
]  # fmt: skip


def change(db: Database, pilot: str, *, relations: Sequence[str] = ()) -> dict:
    """Baseline against end for one pilot (ties of the chosen relations, all when empty).

    Returns ``ties_added`` and ``ties_removed`` (source_id, source, target_id, target, relation, directed, weight:
    a tie is the same when its two actors — in order, for directed ties — and relation are), ``ties_reweighted``
    (the same tie with another weight: weight_baseline, weight_end), ``metrics`` (metric, baseline, end, change for
    :data:`CHANGE_METRICS`) and ``actors`` (id, key, name, sector, sector_name, degree_baseline, degree_end,
    degree_change, betweenness_baseline, betweenness_end, betweenness_change, status: "joined" — tied at the end
    only, "left" — at baseline only, "stayed", or "untied"). Both periods' analyses are the stored ones.
    """
    relations = tuple(sorted(set(relations)))
    pilot_id = _pilot_id(db, pilot)
    before = analysis(db, pilot, relations=relations, period="baseline")
    after = analysis(db, pilot, relations=relations, period="end")
    names = dict(db.execute("SELECT id, name FROM stakeholders WHERE pilot_id = ?", [pilot_id]).fetchall())
    key = ["a", "b", "relation"]
    joined = _tie_keys(db, pilot_id, relations, "baseline").merge(
        _tie_keys(db, pilot_id, relations, "end"), on=key, how="outer", suffixes=("_b", "_e"), indicator=True
    )
    tie_columns = ["source_id", "source", "target_id", "target", "relation", "directed"]

    def ties_of(rows: pd.DataFrame, side: str, weights: dict) -> pd.DataFrame:
        out = pd.DataFrame(
            {
                "source_id": rows[f"source_id{side}"].astype("int64").to_numpy(),
                "target_id": rows[f"target_id{side}"].astype("int64").to_numpy(),
                "relation": rows["relation"].astype(str).to_numpy(),
                "directed": rows[f"directed{side}"].astype(bool).to_numpy(),
                **{name: rows[column].astype(float).to_numpy() for name, column in weights.items()},
            }
        )
        out["source"] = out["source_id"].map(names)
        out["target"] = out["target_id"].map(names)
        out = out[[*tie_columns, *weights]]
        return out.sort_values(["source", "target", "relation"], ignore_index=True)

    kept = joined[joined["_merge"] == "both"]
    metrics = []
    for metric in CHANGE_METRICS:
        b, e = before.metrics.get(metric), after.metrics.get(metric)
        metrics.append({"metric": metric, "baseline": b, "end": e, "change": None if b is None or e is None else e - b})
    described = after.actors[["id", "key", "name", "sector", "sector_name"]]
    actors = described.merge(
        before.actors[["id", "degree", "betweenness"]].merge(
            after.actors[["id", "degree", "betweenness"]], on="id", suffixes=("_baseline", "_end")
        ),
        on="id",
    )
    for measure in ("degree", "betweenness"):
        actors[f"{measure}_change"] = actors[f"{measure}_end"] - actors[f"{measure}_baseline"]
    tied_before, tied_after = actors["degree_baseline"] > 0, actors["degree_end"] > 0
    actors["status"] = np.select(
        [tied_before & tied_after, tied_after, tied_before], ["stayed", "joined", "left"], "untied"
    )
    return {
        "ties_added": ties_of(joined[joined["_merge"] == "right_only"], "_e", {"weight": "weight_e"}),
        "ties_removed": ties_of(joined[joined["_merge"] == "left_only"], "_b", {"weight": "weight_b"}),
        "ties_reweighted": ties_of(
            kept[kept["weight_b"] != kept["weight_e"]], "_e", {"weight_baseline": "weight_b", "weight_end": "weight_e"}
        ),
        "metrics": pd.DataFrame(metrics, columns=["metric", "baseline", "end", "change"]),
        "actors": actors[
            [
                "id",
                "key",
                "name",
                "sector",
                "sector_name",
                "degree_baseline",
                "degree_end",
                "degree_change",
                "betweenness_baseline",
                "betweenness_end",
                "betweenness_change",
                "status",
            ]
        ],  # fmt: skip
    }


COMPARE_NAME = "network-compare"


def _compare_rows(db: Database, slugs: list[tuple[str, str]]) -> list[dict]:
    rows = []
    for slug, name in slugs:
        metrics = analysis(db, slug).metrics
        rows.append({"pilot": slug, "pilot_name": name, "directed": metrics["directed"],
                     **{k: metrics.get(k) for k in SCALAR_METRICS}, "brokers": metrics.get("brokers")})  # fmt: skip
    return rows


def compare_pilots(db: Database, pilots: Sequence[str] | None = None) -> pd.DataFrame:
    """Compare network-level metrics of every pilot (or the chosen slugs) side by side, one row per pilot in name order.

    Columns: pilot, pilot_name, directed, then :data:`SCALAR_METRICS` and brokers — each pilot's end-of-pilot network
    with all relations. Stored per network data version like :func:`analysis` (and each pilot's analysis with it).
    """
    everyone = db.execute("SELECT slug, name FROM pilots ORDER BY name, slug").fetchall()
    version = data_version(db, "network")
    payload = _stored(db, COMPARE_NAME, version)
    if payload is not None or pilots is None:
        table = stored_or_computed(
            db, COMPARE_NAME, version, lambda: pd.DataFrame(_compare_rows(db, everyone)),
            dump=frame_payload, load=payload_frame, keep_if=len,
        )  # fmt: skip
    else:
        wanted = set(pilots)
        table = pd.DataFrame(_compare_rows(db, [(s, n) for s, n in everyone if s in wanted]))
    columns = ["pilot", "pilot_name", "directed", *SCALAR_METRICS, "brokers"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    if pilots is not None:
        unknown = set(pilots) - {s for s, _ in everyone}
        if unknown:
            raise ValueError(f"there is no pilot {sorted(unknown)[0]!r}")
        table = table[table["pilot"].isin(set(pilots))]
    return table[columns].reset_index(drop=True)


def shared_organisations(db: Database, min_pilots: int = 2) -> dict[str, pd.DataFrame]:
    """Find organisations active in at least ``min_pilots`` pilots, and how the pilots they share link them.

    The two-mode organisation × pilot network is projected onto organisations
    (``networkx.bipartite.weighted_projected_graph``; the weight is the number of shared pilots).

    Returns ``organisations`` (id, name, sector, sector_name, pilots, pilot_names, actors) by pilots then name, and
    ``links`` (source, source_name, target, target_name, pilots, pilot_names), the most shared first.
    """
    rows = _frame(
        db,
        """SELECT o.id, o.name, o.sector, coalesce(sec.name, o.sector) AS sector_name, p.slug, p.name AS pilot_name,
                  count(*) AS actors
           FROM organisations o JOIN stakeholders s ON s.organisation_id = o.id JOIN pilots p ON p.id = s.pilot_id
           LEFT JOIN sectors sec ON sec.code = o.sector
           GROUP BY o.id, p.id ORDER BY o.id, p.name""",
    )
    org_columns = ["id", "name", "sector", "sector_name", "pilots", "pilot_names", "actors"]
    link_columns = ["source", "source_name", "target", "target_name", "pilots", "pilot_names"]
    per_org = rows.groupby("id").agg(
        name=("name", "first"),
        sector=("sector", "first"),
        sector_name=("sector_name", "first"),
        pilots=("slug", "nunique"),
        pilot_names=("pilot_name", lambda names: "; ".join(sorted(set(names)))),
        actors=("actors", "sum"),
    )
    per_org = per_org[per_org["pilots"] >= int(min_pilots)].reset_index()
    if per_org.empty:
        return {"organisations": pd.DataFrame(columns=org_columns), "links": pd.DataFrame(columns=link_columns)}
    per_org = per_org.sort_values(["pilots", "name"], ascending=[False, True], ignore_index=True)
    kept = rows[rows["id"].isin(set(per_org["id"]))]
    B = nx.Graph()
    orgs = [("o", int(i)) for i in per_org["id"]]
    B.add_nodes_from(orgs, bipartite=0)
    B.add_nodes_from((("p", s) for s in kept["slug"].unique()), bipartite=1)
    B.add_edges_from((("o", int(i)), ("p", s)) for i, s in zip(kept["id"], kept["slug"]))
    projected = nx.bipartite.weighted_projected_graph(B, orgs)
    pilot_names = dict(zip(kept["slug"], kept["pilot_name"]))
    org_names = dict(zip(per_org["id"], per_org["name"]))
    links = []
    for (_, a), (_, b), weight in projected.edges(data="weight"):
        a, b = sorted((a, b), key=lambda i: (org_names[i], i))
        shared = set(B[("o", a)]) & set(B[("o", b)])
        links.append(
            (a, org_names[a], b, org_names[b], int(weight), "; ".join(sorted(pilot_names[s] for _, s in shared)))
        )
    links = pd.DataFrame(links, columns=link_columns)
    links = links.sort_values(
        ["pilots", "source_name", "target_name"], ascending=[False, True, True], ignore_index=True
    )
    return {"organisations": per_org[org_columns], "links": links}


def actor_lessons(db: Database, stakeholder_id: int) -> pd.DataFrame:
    """Return the lessons that concern an actor (``lesson_stakeholders``), in pilot and key order.

    Columns: id, key, title, kind, status, pilot (slug), pilot_name.
    """
    return _frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.status, p.slug AS pilot, p.name AS pilot_name
           FROM lesson_stakeholders ls JOIN lessons l ON l.id = ls.lesson_id JOIN pilots p ON p.id = l.pilot_id
           WHERE ls.stakeholder_id = ? ORDER BY p.name, l.key""",
        [int(stakeholder_id)],
    )


def lesson_actors(db: Database, lesson_id: int) -> pd.DataFrame:
    """Return the actors a lesson concerns: id, key, name, sector, sector_name, hard_to_reach (bool), pilot (slug)."""
    actors = _frame(
        db,
        """SELECT s.id, s.key, s.name, s.sector, coalesce(sec.name, s.sector) AS sector_name, s.hard_to_reach,
                  p.slug AS pilot
           FROM lesson_stakeholders ls JOIN stakeholders s ON s.id = ls.stakeholder_id
           JOIN pilots p ON p.id = s.pilot_id LEFT JOIN sectors sec ON sec.code = s.sector
           WHERE ls.lesson_id = ? ORDER BY s.key""",
        [int(lesson_id)],
    )
    actors["hard_to_reach"] = actors["hard_to_reach"].astype(bool)
    return actors
