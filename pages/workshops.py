"""Run a workshop (facilitators): prepare statements, open, project the code, watch live results, rounds, close."""

import streamlit as st

from components import auth, loaders
from components import workshop_views as views
from lessons.i18n import _
from lessons.permissions import can

path = loaders.db_path()
if st.query_params.get("view") != "projector":
    st.title(_("Run a workshop"))
actor = auth.require_actor(path, _("Sign in (in the sidebar) to prepare and run validation workshops."))
if not can(actor, "workshop.manage"):
    st.info(_("Workshops are prepared and run by facilitators and administrators."), icon=":material/lock:")
    st.stop()
version = loaders.data_version(path, "workshops")
listing = {w["code"]: w for w in views.load_workshops(path, version)}
if st.query_params.get("view") == "projector" and st.query_params.get("code") in listing:
    views.projector(path, st.query_params["code"], full=True)  # the room's screen: nothing else on it
    st.stop()
with st.expander(_("Create a new workshop"), expanded=not listing):
    created = views.create_form(path, actor)
with st.expander(_("Import a Pol.is conversation")):
    created = views.polis_import_form(path, actor) or created
if created:
    st.session_state["workshops_code"] = created
    st.rerun()
if not listing:
    st.stop()
if st.query_params.get("code") in listing and "workshops_code" not in st.session_state:
    st.session_state["workshops_code"] = st.query_params["code"]
code = st.selectbox(
    _("Workshop"), list(listing), key="workshops_code", format_func=lambda c: views.picker_label(listing[c])
)
st.query_params["code"] = code
workshop = listing[code]
st.markdown(views.status_line(workshop))
views.controls(path, actor, workshop)
tabs = st.tabs(
    [_("Statements"), _("Projector"), _("Live results"), _("Pol.is export")], key="workshops_view", on_change="rerun"
)
if tabs[0].open:
    with tabs[0]:
        views.statement_editor(path, actor, workshop, version)
        views.translations_form(path, actor, workshop, version)
        views.statements_form(path, actor, code, *views.statement_sources(path, loaders.data_version(path)))
if tabs[1].open:
    with tabs[1]:
        views.projector(path, code)
if tabs[2].open:
    with tabs[2]:
        views.live_results(path, code)
if tabs[3].open:
    with tabs[3]:
        views.polis_export(path, version, code)
