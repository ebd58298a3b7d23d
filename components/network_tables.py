"""The stakeholder-network page's tables and downloads: actors, ties, network measures, and the files for Gephi,
networkx and igraph (the table alternative behind each network chart)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lessons import network_io
from lessons.access import reading

__all__ = [
    "ACTOR_COLUMNS", "MEASURES", "actor_table", "downloads", "measures_table", "number", "percent", "significant",
    "ties_table",
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
    "in_degree": "Ties in",
    "out_degree": "Ties out",
    "betweenness": "Betweenness",
    "closeness": "Closeness",
    "pagerank": "PageRank",
    "eigenvector": "Eigenvector",
    "community": "Community",
    "brokerage_role": "Brokerage role",
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
    table = table.rename(columns=labels)
    st.dataframe(
        table.sort_values("Betweenness", ascending=False),
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.3f")
            for c in ("Betweenness", "Closeness", "PageRank", "Eigenvector")
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


def measures_table(metrics: dict, names: dict | None = None) -> None:
    rows = [
        {"Measure": label, "Value": _shown(metrics.get(key))}
        for key, label in MEASURES.items()
        if key in metrics and not isinstance(metrics.get(key), dict | list)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    mix, ei = metrics.get("sector_mix") or {}, metrics.get("ei_by_sector") or {}
    if mix:
        st.markdown("**Sectors: how many actors, and how far their ties cross to other sectors**")
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
