"""Small Streamlit pieces shared by pages: safe text, notices, lesson cards and details, pilot cards, filters."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from lessons.queries import MATCH_END, MATCH_START

KIND_LABELS = {
    "enabler": "Enabler",
    "barrier": "Barrier",
    "recommendation": "Recommendation",
    "insight": "Insight",
}
STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted",
    "validated": "Validated",
    "contested": "Contested",
    "endorsed": "Endorsed",
    "applied_elsewhere": "Applied elsewhere",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")


def safe(text) -> str:
    """Escape Markdown so user text is shown as written: no links, images, HTML or formatting sneak in.

    >>> safe("**bold** [x](http://e.vil)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\]\\\\(http\\\\://e\\\\.vil\\\\)'
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def highlight(snippet) -> str:
    """Escape a search snippet and show its matched words in bold.

    >>> highlight("a \ue000match\ue001 [x]")
    'a **match** \\\\[x\\\\]'
    """
    parts = re.split(f"{MATCH_START}(.*?){MATCH_END}", "" if snippet is None else str(snippet))
    return "".join(f"**{safe(part)}**" if i % 2 else safe(part) for i, part in enumerate(parts))


def data_notice(notice: str | None) -> None:
    """Say plainly when what is shown is illustrative demo or synthetic data."""
    if notice:
        st.info(safe(notice), icon=":material/info:")


def lesson_card(row, *, key: str, on_open) -> None:
    """A readable summary of one lesson; its title opens the full lesson."""
    with st.container(border=True):
        st.button(
            f"**{safe(row.title)}**",
            key=f"{key}_{row.id}",
            type="tertiary",
            on_click=on_open,
            args=(int(row.id),),
            help="Open the full lesson",
        )
        st.caption(
            f"{safe(row.pilot_name)} · {safe(row.country)} · {KIND_LABELS.get(row.kind, row.kind)} · "
            f"{safe(row.phase_name)} · {STATUS_LABELS.get(row.status, row.status)}"
        )
        st.markdown(highlight(row.snippet))
        if row.themes:
            st.caption(f"Themes: {safe(row.themes)}")


def lesson_detail(detail: dict) -> None:
    """The whole lesson: text, context, recommendation, evidence, provenance and governance-model links."""
    st.subheader(safe(detail["title"]), anchor=False)
    st.caption(
        f"{safe(detail['pilot_name'])} ({safe(detail['city'])}, {safe(detail['country'])}) · lesson "
        f"{safe(detail['key'])} · {KIND_LABELS.get(detail['kind'], detail['kind'])} · "
        f"{STATUS_LABELS.get(detail['status'], detail['status'])}"
    )
    st.markdown(f"**What was learned.** {safe(detail['lesson'])}")
    if detail.get("context"):
        st.markdown(f"**Context.** {safe(detail['context'])}")
    if detail.get("recommendation"):
        st.markdown(f"**Recommendation.** {safe(detail['recommendation'])}")
    facts = {
        "Co-creation phase": detail.get("phase_name"),
        "Methodology": detail.get("methodology"),
        "Themes": ", ".join(detail["themes"]),
        "Stakeholder groups concerned": ", ".join(detail["groups"]),
        "Evidence": " — ".join(str(x) for x in (detail.get("evidence_strength"), detail.get("evidence_source")) if x),
        "Recorded on": detail.get("recorded_on"),
        "Language": detail.get("language"),
        "Provenance": f"{detail.get('upload_file') or 'entered directly'}, recorded {detail.get('upload_at') or 'at an unknown date'}"
        + (f" by {detail['upload_by']}" if detail.get("upload_by") else ""),
    }
    st.table(pd.DataFrame({"Field": list(facts), "Value": [v or "—" for v in facts.values()]}).set_index("Field"))
    if detail["elements"]:
        st.markdown("**Governance-model elements this lesson supports or challenges**")
        st.dataframe(pd.DataFrame(detail["elements"]).rename(columns=str.capitalize), hide_index=True, width="stretch")


def pilot_card(pilot, *, lessons_page) -> None:
    """A pilot's facts and counts, with a link to its lessons."""
    with st.container(border=True):
        st.markdown(f"**{safe(pilot.name)}**")
        st.caption(f"{safe(pilot.city)}, {safe(pilot.country_name)} · {safe(pilot.methodology)}")
        st.markdown(safe(pilot.service_area))
        st.caption(f"{pilot.lessons} lessons · {pilot.validated} validated · {pilot.stakeholders} stakeholders")
        st.page_link(
            lessons_page,
            label=f"Lessons of this pilot ({pilot.lessons})",
            icon=":material/arrow_forward:",
            query_params={"pilot": pilot.slug},
        )


def pilot_table(pilots: pd.DataFrame) -> None:
    """Every pilot in a sortable table, each linking to its lessons."""
    table = pilots.assign(link="lessons?pilot=" + pilots["slug"])[
        ["name", "country_name", "city", "service_area", "methodology", "lessons", "validated", "stakeholders", "link"]
    ]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "name": "Pilot",
            "country_name": "Country",
            "city": "City",
            "service_area": "Service area",
            "methodology": "Methodology",
            "lessons": st.column_config.NumberColumn("Lessons"),
            "validated": st.column_config.NumberColumn("Validated"),
            "stakeholders": st.column_config.NumberColumn("Stakeholders"),
            "link": st.column_config.LinkColumn("Lessons list", display_text="Open lessons"),
        },
    )


def multiselect_facet(label: str, facet: pd.DataFrame, *, key: str, help: str | None = None) -> list[str]:
    """A multiselect over one facet, each option labelled with its lesson count."""
    labels = {row.value: f"{row.label} ({row.lessons})" for row in facet.itertuples()}
    return st.multiselect(label, list(labels), format_func=labels.get, key=key, help=help, placeholder="All")
