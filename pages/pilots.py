"""Pilots: every pilot on a map drawn offline and in a list; a page per pilot at ``?pilot=SLUG`` with its case."""

import streamlit as st

from components import loaders, url_state
from components import pilot_views as views
from components.url_state import Param
from components.widgets import data_notice
from lessons.i18n import _

path = loaders.db_path()
version = loaders.data_version(path)
SPEC = {"pilot": Param(views.CHOSEN, "")}  # any slug: an unknown one gets a plain message, not a silent list
url_state.restore("pilots", SPEC)

slug = str(st.session_state.get(views.CHOSEN) or "").strip()
if slug:
    views.pilot_page(path, version, slug)
else:
    st.title(_("Pilots"))
    st.write(_("Where the co-creation pilots are, and a page for each: what it did, what it learned, how it compares."))
    data_notice(loaders.load_notice(path, version))
    views.pilots_section(path, version)
url_state.publish("pilots", SPEC)
# A link from this page to itself (the list) reruns it with the pilot but leaves the browser's address as it was:
# say the address again, so a reload, a bookmark or the back button finds the same pilot.
st.query_params.from_dict(url_state.encode(SPEC, st.session_state))
