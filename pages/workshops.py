"""Run a workshop (facilitators): prepare statements, open, project the code, watch live results, rounds, close."""

import streamlit as st

from components import auth, loaders
from components import workshop_views as views
from components.widgets import safe
from lessons.permissions import can

path = loaders.db_path()
st.title("Run a workshop")
actor = auth.require_actor(path, "prepare and run validation workshops")
if not can(actor, "workshop.manage"):
    st.info("Workshops are prepared and run by facilitators and administrators.", icon=":material/lock:")
    st.stop()
version = loaders.data_version(path, "workshops")
listing = {w["code"]: w for w in views.load_workshops(path, version)}
with st.expander("Create a new workshop", expanded=not listing):
    created = views.create_form(path, actor)
    if created:
        st.session_state["workshops_code"] = created
        st.rerun()
if not listing:
    st.stop()
if st.query_params.get("code") in listing and "workshops_code" not in st.session_state:
    st.session_state["workshops_code"] = st.query_params["code"]
code = st.selectbox(
    "Workshop", list(listing), key="workshops_code",
    format_func=lambda c: f"{listing[c]['title']} ({c}, {listing[c]['status']}, round {listing[c]['current_round']})",
)  # fmt: skip
st.query_params["code"] = code
workshop = listing[code]
st.caption(f"{workshop['statements']} statements · {workshop['participants']} participants · {workshop['votes']} votes")
views.controls(path, actor, workshop)
prepare, project, results = st.tabs(["Statements", "Projector", "Live results"])
with prepare:
    for statement in views.load_statements(path, version, code):
        st.markdown(f"**{safe(statement['key'])}** ({statement['source']}) {safe(statement['text'])}")
    views.statements_form(path, actor, code, *views.statement_sources(path, loaders.data_version(path)))
with project:
    views.projector(code)
with results:
    views.live_results(path, code)
