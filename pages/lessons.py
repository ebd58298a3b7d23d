"""Lessons: filter and search every pilot's lessons, read one in full. The URL holds the view."""

import streamlit as st

from components import loaders, url_state
from components.widgets import data_notice, lesson_card, lesson_detail, multiselect_facet

PAGE_SIZE = 20
path = loaders.db_path()
version = loaders.data_version(path)
facets = loaders.load_facets(path, version)
SPEC = {
    "q": ("lessons_query", False, None, ""),
    "pilot": ("lessons_pilots", True, set(facets["pilots"]["value"]), None),
    "theme": ("lessons_themes", True, set(facets["themes"]["value"]), None),
    "kind": ("lessons_kinds", True, set(facets["kinds"]["value"]), None),
    "phase": ("lessons_phases", True, set(facets["phases"]["value"]), None),
    "lesson": ("lessons_open", False, None, 0),
    "page": ("lessons_pageno", False, None, 1),
}
url_state.restore("lessons", SPEC)


def open_lesson(lesson_id: int) -> None:
    st.session_state["lessons_open"] = lesson_id


st.title("Lessons")
data_notice(loaders.load_notice(path, version))

if st.session_state.get("lessons_open"):
    detail = loaders.load_lesson(path, version, int(st.session_state["lessons_open"]))
    st.button("Back to all lessons", icon=":material/arrow_back:", key="lessons_back", on_click=open_lesson, args=(0,))
    if detail is None:
        st.warning("That lesson no longer exists. It may have been removed by an undone upload.")
    else:
        lesson_detail(detail)
    url_state.publish("lessons", SPEC)
    st.stop()

with st.sidebar:
    st.subheader("Filter lessons", anchor=False)
    choice = {
        "pilots": multiselect_facet("Pilot", facets["pilots"], key="lessons_pilots"),
        "themes": multiselect_facet("Theme", facets["themes"], key="lessons_themes"),
        "kinds": multiselect_facet(
            "Kind", facets["kinds"], key="lessons_kinds", help="Enabler, barrier, recommendation or insight"
        ),
        "phases": multiselect_facet("Co-creation phase", facets["phases"], key="lessons_phases"),
    }
query = st.text_input(
    "Search the lessons",
    key="lessons_query",
    placeholder='e.g. local champions, "procurement rules", trust',
    help='All words must occur; the last word may be the start of a word; use "double quotes" for a phrase.',
)
found = loaders.load_lessons(path, version, query.strip(), *(tuple(v) for v in choice.values()))
pages = max(1, -(-len(found) // PAGE_SIZE))
st.session_state["lessons_pageno"] = min(max(1, int(st.session_state.get("lessons_pageno") or 1)), pages)

top = st.columns([3, 2])
top[0].markdown(
    f"**{len(found):,} lessons** match"
    + (f" · page {st.session_state['lessons_pageno']} of {pages}" if pages > 1 else "")
)
view = top[1].segmented_control(
    "Show as", ["Cards", "Table"], default="Cards", key="lessons_view", label_visibility="collapsed"
)
if found.empty:
    st.info("No lesson matches. Remove a filter or try other words.")
elif view == "Table":
    st.dataframe(
        found[["pilot_name", "key", "title", "kind", "phase_name", "status", "themes"]].rename(
            columns={
                "pilot_name": "Pilot",
                "key": "Key",
                "title": "Title",
                "kind": "Kind",
                "phase_name": "Phase",
                "status": "Status",
                "themes": "Themes",
            }
        ),
        hide_index=True,
        width="stretch",
    )
else:
    start = (st.session_state["lessons_pageno"] - 1) * PAGE_SIZE
    for row in found.iloc[start : start + PAGE_SIZE].itertuples():
        lesson_card(row, key="lessons_card", on_open=open_lesson)
    if pages > 1:
        st.number_input("Page", min_value=1, max_value=pages, step=1, key="lessons_pageno")
url_state.publish("lessons", SPEC)
