"""Data and exports: a policy brief and the roadmap in one click, the whole data set as one bundle or part by part."""

import streamlit as st

from components import auth, loaders
from components import export_views as views
from components.widgets import data_notice
from lessons.i18n import _
from lessons.visibility import audience_of

path = loaders.db_path()
version = loaders.data_version(path)
actor = auth.current_actor(path)
audience = audience_of(actor).token  # every file holds what this reader may see (a visitor: public records)

st.title(_("Data and exports"))
st.write(
    _(
        "Take the results away: a brief you can cite in a meeting, a roadmap service providers can follow, and the "
        "data itself in forms Datasette, Gephi and spreadsheets open."
    )
)
data_notice(loaders.load_notice(path, version))
summary = views.load_summary(path, version, audience)
pilots = views.load_subjects(path, version, audience)["pilot"]

views.brief_section(path, version, audience)
st.divider()
views.roadmap_section(path, version, summary["validated"], audience)
st.divider()
views.bundle_section(path, version, summary, dict(zip(pilots["key"], pilots["name"])), audience)
st.divider()
views.import_section(path, actor)
views.personal_data_section(path, actor)
