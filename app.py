"""Cross-Pilot Lessons: the router. Page config, the store opened and migrated once, navigation, the page."""

import streamlit as st

from components import loaders

st.set_page_config(page_title="Cross-Pilot Lessons", page_icon=":material/hub:", layout="wide")

try:
    loaders.prepare_store(loaders.db_path())
except Exception as err:  # a store we cannot open must not show a traceback
    st.error(
        f"The lessons database at {loaders.db_path()} could not be opened ({type(err).__name__}: {err}). "
        "Check the path in LESSONS_DB, or move the file away to start again from the demo data."
    )
    st.stop()

pages = {
    "Explore": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("pages/lessons.py", title="Lessons", icon=":material/menu_book:", url_path="lessons"),
    ],
}
page = st.navigation(pages)
with st.sidebar:
    st.caption("Cross-Pilot Lessons — what co-creation pilots learned, shared and validated.")
page.run()
