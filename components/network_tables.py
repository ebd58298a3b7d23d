"""The stakeholder-network page's tables and downloads: actors, ties, network measures, and the files for Gephi,
networkx and igraph (the table alternative behind each network chart)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
import streamlit as st
from babel.numbers import get_decimal_symbol

from components.widgets import NO_VALUE
from lessons import i18n, network_io
from lessons.access import reading
from lessons.i18n import N_, _, ngettext

__all__ = [
    "ACTOR_COLUMNS", "MEANINGS", "MEASURE_MEANINGS", "MEASURES", "PERIODS", "ROLE_LABELS", "SCORES", "actor_table",
    "downloads", "figure", "meaning", "measures_table", "number", "number_columns", "percent", "period_label",
    "role_label", "significant", "ties_table", "trimmed", "yes_no",
]  # fmt: skip


def percent(value) -> str:
    """A share as a percentage for the reader's language (a dash when there is none)."""
    return "—" if value is None or pd.isna(value) else i18n.percent(float(value))


def significant(value, digits: int = 2) -> str:
    """A small share readably, for the reader's language: 0.19, 0.0036 (0,19 and 0,0036 in Finnish)."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{value:.{digits}g}"
    if "e" in text:  # a large figure: whole, grouped
        return i18n.number(float(value), 0)
    return i18n.number(float(text), len(text.split(".")[1]) if "." in text else 0)


def number(value, digits: int = 2) -> str:
    """A figure with ``digits`` decimals for the reader's language (a dash when there is none)."""
    return "—" if value is None or pd.isna(value) else i18n.number(float(value), digits)


def trimmed(value: float, digits: int = 3) -> str:
    """A figure with at most ``digits`` decimals, trailing zeros dropped, for the reader's language."""
    text = i18n.number(value, digits)
    mark = get_decimal_symbol(i18n.current())
    return text.rstrip("0").rstrip(mark) if mark in text else text


ACTOR_COLUMNS = {
    "name": N_("Actor"),
    "sector_name": N_("Sector"),
    "hard_to_reach": N_("Hard to reach"),
    "degree": N_("Ties"),
    "in_degree": N_("Ties received"),
    "out_degree": N_("Ties given"),
    "betweenness": N_("Go-between score (betweenness)"),
    "closeness": N_("Reach (closeness)"),
    "pagerank": N_("Tied to well-tied actors (PageRank)"),
    "eigenvector": N_("Tied to central actors (eigenvector)"),
    "community": N_("Group (community)"),
    "brokerage_role": N_("Brokerage role"),
}
#: The score columns of the actor table, shown with three decimals.
SCORES = ("betweenness", "closeness", "pagerank", "eigenvector")
#: A broker's Gould–Fernandez role as the tables show it.
ROLE_LABELS = {
    "none": N_("No brokering role"),
    "coordinator": N_("coordinator (within its own sector)"),
    "itinerant": N_("itinerant (links two actors of another sector)"),
    "gatekeeper": N_("gatekeeper (lets another sector into its own)"),
    "representative": N_("representative (speaks for its sector to another)"),
    "gatekeeper/representative": N_("gatekeeper or representative (between its sector and another)"),
    "liaison": N_("liaison (links two other sectors)"),
}
#: What each measure means, in the words of someone who runs a service rather than studies networks.
MEANINGS = {
    "nodes": N_("The people and organisations the pilot named."),
    "ties": N_("Working relationships between two of them."),
    "density": N_("How many of all possible ties exist: 0 nobody works with anybody, 1 everybody with everybody."),
    "communities": N_("Groups of actors that work more among themselves than with the rest."),
    "ei_index": N_("Whether ties cross sectors: −1 every tie stays within a sector, +1 every tie crosses to another."),
    "degree": N_("How many others an actor works with directly."),
    "betweenness": N_("How often an actor sits on the shortest path between two others: a go-between or broker."),
    "closeness": N_("How few steps an actor needs to reach everyone else: high means information reaches it quickly."),
    "pagerank": N_("How well tied an actor is to others who are themselves well tied."),
    "eigenvector": N_("How well tied an actor is to the most central actors."),
    "brokerage_role": N_("How an actor links groups: within its own sector, or between sectors (Gould and Fernandez)."),
}


def actor_table(actors: pd.DataFrame, kept_prefix: str = "kept:") -> None:
    """Every actor and its measures, then what the network file said of it (its kept attributes), sortable."""
    shown = [c for c in ACTOR_COLUMNS if c in actors]
    labels = {c: _(label) for c, label in ACTOR_COLUMNS.items()}
    for column in (c for c in actors.columns if c.startswith(kept_prefix)):
        name = column.removeprefix(kept_prefix)
        labels[column] = name if name not in labels.values() else _("{name} (from the file)").format(name=name)
        shown.append(column)
    table = actors[shown].copy()
    for column in (c for c in shown if c.startswith(kept_prefix)):
        table[column] = _one_type(table[column])
    table = table.sort_values("betweenness", ascending=False)
    if "brokerage_role" in table:
        table["brokerage_role"] = table["brokerage_role"].map(role_label)
    if "hard_to_reach" in table:
        table["hard_to_reach"] = table["hard_to_reach"].map(yes_no)
    if "sector_name" in table:
        table["sector_name"] = table["sector_name"].map(lambda v: _(v) if isinstance(v, str) and v else v)
    missing = [c for c in SCORES if c in table and table[c].isna().any()]
    for column in missing:  # a dash, not "None", where a measure was not computed (e.g. eigenvector, unconnected)
        table[column] = [NO_VALUE if pd.isna(v) else number(v, 3) for v in table[column]]
    table = table.rename(columns=labels)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            labels[c]: st.column_config.NumberColumn(format=_number_format(3), help=_(MEANINGS[c]))
            for c in SCORES
            if c in shown and c not in missing
        }
        | {labels[c]: st.column_config.Column(help=_(MEANINGS[c])) for c in missing}
        | {labels[c]: st.column_config.Column(help=_(MEANINGS[c])) for c in ("degree", "brokerage_role") if c in shown},
    )


def _number_format(digits: int) -> str:
    """The number format of a table column for the reader's language: English marks, else the language's own."""
    return f"%.{digits}f" if i18n.current() == i18n.DEFAULT else "localized"


def role_label(role) -> str:
    """A brokerage role in the reader's words (a role the tables do not know is shown as it is)."""
    if not isinstance(role, str) or not role:
        return role
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def yes_no(value) -> str | None:
    """Yes or no in the reader's language (None stays empty)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return _("yes") if bool(value) else _("no")


def _one_type(values: pd.Series) -> pd.Series:
    """A kept attribute as one column type: numbers, yes/no, or text (a file may mix them)."""
    present = values.dropna()
    if len(present) and all(isinstance(v, bool) for v in present):
        return values.map(lambda v: None if v is None else yes_no(v))
    if len(present) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.to_numeric(values)
    return values.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))


def ties_table(edges: pd.DataFrame, actors: pd.DataFrame) -> None:
    """The ties drawn above, as a table: who, to whom, which relation, how strong, which way."""
    names = dict(zip(actors["id"], actors["name"]))
    table = pd.DataFrame(
        {
            _("From"): edges["source"].map(names),
            _("To"): edges["target"].map(names),
            _("Tie type"): edges["relation"].map(lambda v: _(v) if isinstance(v, str) and v else v),
            _("Weight"): edges["weight"],
            _("Directed"): edges["directed"].map(yes_no) if "directed" in edges else None,
            _("Period"): edges["period"].map(period_label) if "period" in edges else None,
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


MEASURES = {
    "nodes": N_("Actors"),
    "active_actors": N_("Actors with at least one tie"),
    "isolates": N_("Actors without ties"),
    "ties": N_("Ties (a directed network counts each direction)"),
    "density": N_("Density (share of possible ties)"),
    "reciprocity": N_("Reciprocity (directed ties returned)"),
    "components": N_("Separate parts"),
    "largest_component": N_("Actors in the largest part"),
    "average_path_length": N_("Average steps between actors"),
    "diameter": N_("Most steps between two actors"),
    "transitivity": N_("Transitivity (partners of partners tied)"),
    "degree_centralisation": N_("Degree centralisation (0 even, 1 star)"),
    "betweenness_centralisation": N_("Betweenness centralisation"),
    "communities": N_("Communities (Louvain)"),
    "modularity": N_("Modularity of the communities"),
    "ei_index": N_("E-I index across sectors"),
    "not_classified": N_("Actors not classified by sector"),
    "citizens_tied_to_public": N_("Citizens tied directly to the public sector"),
    "hard_to_reach_actors": N_("Hard-to-reach actors"),
    "hard_to_reach_tied_to_public": N_("Hard-to-reach actors tied directly to the public sector"),
    "hard_to_reach_distance_to_public": N_("Hard-to-reach actors: average steps to the public sector"),
    "brokers": N_("Brokers"),
}


#: What the rows of the measures table mean, beyond their names.
MEASURE_MEANINGS = {
    "density": MEANINGS["density"],
    "reciprocity": N_("Of the ties one actor gives another, the share returned."),
    "components": N_("Groups of actors with no tie at all to the rest of the network."),
    "average_path_length": N_("How many steps, on average, separate two actors who can reach each other."),
    "transitivity": N_("How often two partners of the same actor also work together."),
    "degree_centralisation": N_("Whether ties gather on one actor (1, a star) or spread evenly (0)."),
    "betweenness_centralisation": N_("Whether one go-between links everyone (1) or brokerage is shared (0)."),
    "communities": MEANINGS["communities"],
    "modularity": N_("How clearly the network splits into those groups: above 0.3 the split is clear."),
    "ei_index": MEANINGS["ei_index"],
    "citizens_tied_to_public": N_("Citizens or service users working directly with a public-sector actor."),
    "brokers": N_("Actors on many shortest paths between others."),
}


#: The periods of a pilot's ties, as the tables show them.
PERIODS = {"baseline": N_("Baseline"), "end": N_("End of pilot")}


def period_label(period) -> str:
    """A tie's period in the reader's words (a date is shown as it is)."""
    return _(PERIODS[period]) if isinstance(period, str) and period in PERIODS else period


def meaning(key: str) -> str:
    """What a row of the measures table means, in the reader's language ("" when it needs no words)."""
    return _(MEASURE_MEANINGS[key]) if key in MEASURE_MEANINGS else ""


def measures_table(metrics: dict, names: dict | None = None) -> None:
    rows = [
        {_("Measure"): _(label), _("Value"): figure(metrics.get(key)), _("What it means"): meaning(key)}
        for key, label in MEASURES.items()
        if key in metrics and not isinstance(metrics.get(key), dict | list)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    mix, ei = metrics.get("sector_mix") or {}, metrics.get("ei_by_sector") or {}
    if mix:
        st.markdown("**" + _("Sectors: how many actors, and how far their ties cross to other sectors") + "**")
        st.caption(_("E-I index: {meaning}").format(meaning=_(MEANINGS["ei_index"])))
        sectors = [(names or {}).get(s) or s for s in mix]  # its name ("Not classified"), else its code
        by_sector = pd.DataFrame(
            {
                _("Sector"): [_(s) if isinstance(s, str) and s else s for s in sectors],
                _("Actors"): list(mix.values()),
                _("E-I index"): [ei.get(s) for s in mix],
            }
        )
        st.dataframe(by_sector, hide_index=True, width="stretch", column_config=number_columns(by_sector))
    if metrics.get("not_classified"):
        n = int(metrics["not_classified"])
        st.caption(
            ngettext(
                "{n} actor is not classified by sector: its ties are left out of the E-I indices. Set its sector by "
                "uploading the file again with a sector column or a recode.",
                "{n} actors are not classified by sector: their ties are left out of the E-I indices. Set their "
                "sectors by uploading the file again with a sector column or a recode.",
                n,
            ).format(n=i18n.number(n))
        )


def figure(value) -> str:
    """A measure's value as the reader reads it: a whole number grouped, a share with at most three decimals, yes or
    no, a dash when there is none (marks of the reader's language)."""
    if value is None or (isinstance(value, float | np.floating) and pd.isna(value)):
        return "—"
    if isinstance(value, bool | np.bool_):
        return yes_no(value)
    if isinstance(value, numbers.Integral):
        return i18n.number(int(value))
    if isinstance(value, numbers.Real):
        return trimmed(float(value), 3)
    return str(value)


def number_columns(table: pd.DataFrame) -> dict:
    """Column settings that show a table's numbers with the reader's marks (none needed in English)."""
    if i18n.current() == i18n.DEFAULT:
        return {}
    numeric = table.select_dtypes("number").columns
    return {column: st.column_config.NumberColumn(format="localized") for column in numeric}


def downloads(path: str, pilot: str, relations: tuple, period: str) -> None:
    """The network as GraphML and GEXF (for Gephi, networkx, igraph) and as CSV files."""

    def build(file_format: str) -> bytes:
        with reading(path) as db:
            return network_io.export_network(db, pilot, file_format, relations=relations, period=period)

    st.markdown("**" + _("Take the network to Gephi, networkx or igraph") + "**")
    cols = st.columns(3)
    for col, (file_format, label, mime) in zip(
        cols,
        [
            ("graphml", "GraphML", "application/graphml+xml"),
            ("gexf", "GEXF (Gephi)", "application/gexf+xml"),
            ("zip", _("CSV (stakeholders + ties)"), "application/zip"),
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
