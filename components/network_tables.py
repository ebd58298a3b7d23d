"""The stakeholder-network page's tables and downloads: actors, ties, network measures, and the files for Gephi,
networkx and igraph (the table alternative behind each network chart)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.widgets import NO_VALUE
from lessons import network_io
from lessons.access import reading

__all__ = [
    "ACTOR_COLUMNS", "MEANINGS", "MEASURE_MEANINGS", "MEASURES", "SCORES", "actor_table", "downloads",
    "measures_table", "number", "percent", "significant", "ties_table",
]  # fmt: skip


def percent(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.0%}"


def significant(value, digits: int = 2) -> str:
    """A small share readably: 0.19, 0.0036."""
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}g}"


def number(value, digits: int = 2) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:,.{digits}f}"


ACTOR_COLUMNS = {
    "name": "Actor",
    "sector_name": "Sector",
    "hard_to_reach": "Hard to reach",
    "degree": "Ties",
    "in_degree": "Ties received",
    "out_degree": "Ties given",
    "betweenness": "Go-between score (betweenness)",
    "closeness": "Reach (closeness)",
    "pagerank": "Tied to well-tied actors (PageRank)",
    "eigenvector": "Tied to central actors (eigenvector)",
    "community": "Group (community)",
    "brokerage_role": "Brokerage role",
}
#: The score columns of the actor table, shown with three decimals.
SCORES = ("betweenness", "closeness", "pagerank", "eigenvector")
#: What each measure means, in the words of someone who runs a service rather than studies networks.
MEANINGS = {
    "nodes": "The people and organisations the pilot named.",
    "ties": "Working relationships between two of them.",
    "density": "How many of all possible ties exist: 0 nobody works with anybody, 1 everybody with everybody.",
    "communities": "Groups of actors that work more among themselves than with the rest.",
    "ei_index": "Whether ties cross sectors: −1 every tie stays within a sector, +1 every tie crosses to another.",
    "degree": "How many others an actor works with directly.",
    "betweenness": "How often an actor sits on the shortest path between two others: a go-between or broker.",
    "closeness": "How few steps an actor needs to reach everyone else: high means information reaches it quickly.",
    "pagerank": "How well tied an actor is to others who are themselves well tied.",
    "eigenvector": "How well tied an actor is to the most central actors.",
    "brokerage_role": "How an actor links groups: within its own sector, or between sectors (Gould and Fernandez).",
}


def actor_table(actors: pd.DataFrame, kept_prefix: str = "kept:") -> None:
    """Every actor and its measures, then what the network file said of it (its kept attributes), sortable."""
    shown = [c for c in ACTOR_COLUMNS if c in actors]
    labels = dict(ACTOR_COLUMNS)
    for column in (c for c in actors.columns if c.startswith(kept_prefix)):
        name = column.removeprefix(kept_prefix)
        labels[column] = name if name not in labels.values() else f"{name} (from the file)"
        shown.append(column)
    table = actors[shown].copy()
    for column in (c for c in shown if c.startswith(kept_prefix)):
        table[column] = _one_type(table[column])
    table = table.sort_values("betweenness", ascending=False)
    if "brokerage_role" in table:
        table["brokerage_role"] = table["brokerage_role"].replace({"none": "No brokering role"})
    missing = [c for c in SCORES if c in table and table[c].isna().any()]
    for column in missing:  # a dash, not "None", where a measure was not computed (e.g. eigenvector, unconnected)
        table[column] = [NO_VALUE if pd.isna(v) else f"{v:.3f}" for v in table[column]]
    table = table.rename(columns=labels)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            ACTOR_COLUMNS[c]: st.column_config.NumberColumn(format="%.3f", help=MEANINGS[c])
            for c in SCORES
            if c in shown and c not in missing
        }
        | {ACTOR_COLUMNS[c]: st.column_config.Column(help=MEANINGS[c]) for c in missing}
        | {
            ACTOR_COLUMNS[c]: st.column_config.Column(help=MEANINGS[c])
            for c in ("degree", "brokerage_role")
            if c in shown
        },
    )


def _one_type(values: pd.Series) -> pd.Series:
    """A kept attribute as one column type: numbers, yes/no, or text (a file may mix them)."""
    present = values.dropna()
    if len(present) and all(isinstance(v, bool) for v in present):
        return values.map(lambda v: None if v is None else ("yes" if v else "no"))
    if len(present) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.to_numeric(values)
    return values.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))


def ties_table(edges: pd.DataFrame, actors: pd.DataFrame) -> None:
    """The ties drawn above, as a table: who, to whom, which relation, how strong, which way."""
    names = dict(zip(actors["id"], actors["name"]))
    table = pd.DataFrame(
        {
            "From": edges["source"].map(names),
            "To": edges["target"].map(names),
            "Tie type": edges["relation"],
            "Weight": edges["weight"],
            "Directed": edges["directed"].map({True: "yes", False: "no"}) if "directed" in edges else None,
            "Period": edges["period"] if "period" in edges else None,
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


MEASURES = {
    "nodes": "Actors",
    "active_actors": "Actors with at least one tie",
    "isolates": "Actors without ties",
    "ties": "Ties (a directed network counts each direction)",
    "density": "Density (share of possible ties)",
    "reciprocity": "Reciprocity (directed ties returned)",
    "components": "Separate parts",
    "largest_component": "Actors in the largest part",
    "average_path_length": "Average steps between actors",
    "diameter": "Most steps between two actors",
    "transitivity": "Transitivity (partners of partners tied)",
    "degree_centralisation": "Degree centralisation (0 even, 1 star)",
    "betweenness_centralisation": "Betweenness centralisation",
    "communities": "Communities (Louvain)",
    "modularity": "Modularity of the communities",
    "ei_index": "E-I index across sectors",
    "not_classified": "Actors not classified by sector",
    "citizens_tied_to_public": "Citizens tied directly to the public sector",
    "hard_to_reach_actors": "Hard-to-reach actors",
    "hard_to_reach_tied_to_public": "Hard-to-reach actors tied directly to the public sector",
    "hard_to_reach_distance_to_public": "Hard-to-reach actors: average steps to the public sector",
    "brokers": "Brokers",
}


#: What the rows of the measures table mean, beyond their names.
MEASURE_MEANINGS = {
    "density": MEANINGS["density"],
    "reciprocity": "Of the ties one actor gives another, the share returned.",
    "components": "Groups of actors with no tie at all to the rest of the network.",
    "average_path_length": "How many steps, on average, separate two actors who can reach each other.",
    "transitivity": "How often two partners of the same actor also work together.",
    "degree_centralisation": "Whether ties gather on one actor (1, a star) or spread evenly (0).",
    "betweenness_centralisation": "Whether one go-between links everyone (1) or brokerage is shared (0).",
    "communities": MEANINGS["communities"],
    "modularity": "How clearly the network splits into those groups: above 0.3 the split is clear.",
    "ei_index": MEANINGS["ei_index"],
    "citizens_tied_to_public": "Citizens or service users working directly with a public-sector actor.",
    "brokers": "Actors on many shortest paths between others.",
}


def measures_table(metrics: dict, names: dict | None = None) -> None:
    rows = [
        {"Measure": label, "Value": _shown(metrics.get(key)), "What it means": MEASURE_MEANINGS.get(key, "")}
        for key, label in MEASURES.items()
        if key in metrics and not isinstance(metrics.get(key), dict | list)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    mix, ei = metrics.get("sector_mix") or {}, metrics.get("ei_by_sector") or {}
    if mix:
        st.markdown("**Sectors: how many actors, and how far their ties cross to other sectors**")
        st.caption("E-I index: " + MEANINGS["ei_index"])
        st.dataframe(
            pd.DataFrame(
                {
                    "Sector": [(names or {}).get(s) or s for s in mix],  # its name ("Not classified"), else its code
                    "Actors": list(mix.values()),
                    "E-I index": [ei.get(s) for s in mix],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if metrics.get("not_classified"):
        st.caption(
            f"{metrics['not_classified']:,} actor(s) are not classified by sector: their ties are left out of the "
            "E-I indices. Set their sectors by uploading the file again with a sector column or a recode."
        )


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else str(value)


def downloads(path: str, pilot: str, relations: tuple, period: str) -> None:
    """The network as GraphML and GEXF (for Gephi, networkx, igraph) and as CSV files."""

    def build(file_format: str) -> bytes:
        with reading(path) as db:
            return network_io.export_network(db, pilot, file_format, relations=relations, period=period)

    st.markdown("**Take the network to Gephi, networkx or igraph**")
    cols = st.columns(3)
    for col, (file_format, label, mime) in zip(
        cols,
        [
            ("graphml", "GraphML", "application/graphml+xml"),
            ("gexf", "GEXF (Gephi)", "application/gexf+xml"),
            ("zip", "CSV (stakeholders + ties)", "application/zip"),
        ],
    ):
        col.download_button(
            label,
            data=lambda f=file_format: build(f),
            file_name=f"{pilot}-{period}.{file_format}",
            mime=mime,
            key=f"networks_download_{file_format}",
            icon=":material/download:",
            on_click="ignore",
        )
