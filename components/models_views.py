"""Governance models: cached loaders and the sections of the page (model, elements, evidence, validation)."""

from __future__ import annotations

from contextlib import closing

import pandas as pd
import streamlit as st

from components import charts
from components.loaders import TTL
from components.widgets import safe
from lessons import models
from lessons.queries import KIND_LABELS, STATUS_LABELS
from lessons.store import connect

LESSONS_PAGE = "pages/lessons.py"


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_models(path: str, version: int) -> pd.DataFrame:
    with closing(connect(path, readonly=True)) as db:
        return models.model_list(db)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_elements(path: str, version: int, model: str) -> pd.DataFrame:
    with closing(connect(path, readonly=True)) as db:
        return models.elements(db, model)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def load_element(path: str, version: int, element_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    with closing(connect(path, readonly=True)) as db:
        return models.element_lessons(db, element_id), models.element_validation(db, element_id)


def validation_text(row) -> str:
    """One plain sentence on how workshops voted on an element (last round of each)."""
    if not row.votes:
        return "Not yet put to a validation workshop."
    share = f"{row.agree_share:.0%} agree" if pd.notna(row.agree_share) else "no one agreed or disagreed"
    return f"{share} ({row.agree} agree, {row.disagree} disagree, {row.pass_} pass) in {safe(row.workshops)}."


def element_section(path: str, version: int, row) -> None:
    """An element's description, its supporting and challenging lessons, and its validation per round."""
    label = f"{safe(row.key)} · {safe(row.name)} — {row.supports} supporting, {row.challenges} challenging lessons"
    if pd.notna(row.agree_share):
        label += f" · {row.agree_share:.0%} agree in workshops"
    elif not row.votes:
        label += " · not yet put to a workshop"
    with st.expander(label):
        st.caption(f"{'Principle' if row.kind == 'principle' else 'Step'} · phase: {safe(row.phase_name or '—')}")
        if row.description:
            st.markdown(safe(row.description))
        st.markdown(f"**Validation**: {validation_text(row)}")
        lessons, rounds = load_element(path, version, int(row.id))
        left, right = st.columns(2)
        for column, stance, heading in (
            (left, "supports", "Lessons supporting it"),
            (right, "challenges", "Lessons challenging it"),
        ):
            with column:
                side = lessons[lessons["stance"] == stance]
                st.markdown(f"**{heading}** ({len(side)})")
                if side.empty:
                    st.caption("None recorded.")
                for lesson in side.itertuples():
                    st.page_link(
                        LESSONS_PAGE,
                        label=safe(lesson.title),
                        query_params={"lesson": str(int(lesson.id))},
                        icon=":material/article:",
                    )
                    st.caption(
                        f"{safe(lesson.pilot_name)} · {KIND_LABELS.get(lesson.kind, lesson.kind)} · "
                        f"{STATUS_LABELS.get(lesson.status, lesson.status)}"
                    )
        if not rounds.empty:
            st.dataframe(
                rounds.rename(
                    columns={
                        "workshop": "Workshop",
                        "status": "Status",
                        "round": "Round",
                        "agree": "Agree",
                        "disagree": "Disagree",
                        "pass_": "Pass",
                        "votes": "Votes",
                    }  # fmt: skip
                ),
                hide_index=True,
                width="stretch",
            )


def elements_table(elements: pd.DataFrame) -> None:
    table = elements[["key", "name", "kind", "phase_name", "supports", "challenges", "votes", "agree_share"]]
    st.dataframe(
        table.rename(
            columns={
                "key": "Key",
                "name": "Element",
                "kind": "Kind",
                "phase_name": "Phase",
                "supports": "Supporting lessons",
                "challenges": "Challenging lessons",
                "votes": "Votes",
                "agree_share": "Agree share",
            }  # fmt: skip
        ),
        hide_index=True,
        width="stretch",
        column_config={"Agree share": st.column_config.NumberColumn(format="percent")},
    )


def evidence_chart(elements: pd.DataFrame) -> None:
    shown = elements.assign(label=elements["key"] + " · " + elements["name"])
    st.altair_chart(charts.element_evidence_chart(shown), width="stretch")
