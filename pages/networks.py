"""Stakeholder networks: who took part, how they were tied, who brokered, and what changed from baseline to end."""

import streamlit as st

from components import auth, loaders, url_state
from components import network_views as views
from components.url_state import Param
from components.widgets import data_notice
from lessons.i18n import _

VIEWS = list(views.VIEWS)  # the link's view= keeps these English names; the control shows them translated
path = loaders.db_path()
version = loaders.data_version(path, "network")
pilots = views.load_pilots(path, version, audience=auth.audience(path))  # only the pilots this reader may see
with_actors = pilots[pilots["stakeholders"] > 0]
slugs = dict(zip(with_actors["slug"], with_actors["name"]))
SPEC = {
    "view": Param("networks_view", "Network", allowed=set(VIEWS)),
    "pilot": Param("networks_pilot", next(iter(slugs), None), allowed=set(slugs)),
    "period": Param("networks_period", "end", allowed=set(views.PERIOD_LABELS)),
    "size": Param("networks_size", "degree"),  # a measure, or a kept attribute: the page checks it
    "colour": Param("networks_colour", "sector"),
    "rel": Param("networks_relations", many=True),
    "actor": Param("networks_actor"),
    "steps": Param("networks_steps", 1, allowed={"1", "2", "3"}),
}
url_state.restore("networks", SPEC)

st.title(_("Stakeholder networks"))
st.write(_("Who took part in each pilot, how they were tied, who brokered between them, and what changed."))
data_notice(loaders.load_notice(path, loaders.data_version(path)))
if not slugs:
    st.info(_("No pilot has stakeholders yet. Upload a pilot summary with a Stakeholders and a Ties sheet."))
    st.stop()

view = (
    st.segmented_control(
        _("Show"),
        VIEWS,
        format_func={v: _(label) for v, label in views.VIEWS.items()}.get,  # labels made now, in the reader's language
        key="networks_view",
        label_visibility="collapsed",
    )
    or "Network"
)
if view == "Compare pilots":
    views.compare_section(path, version)
elif view == "Across pilots":
    views.shared_section(path, version)
else:
    pilot = views.network_controls(path, version, slugs, change=view == "Change over time")
    if view == "Network":
        views.network_section(path, version, pilot)
    else:
        views.change_section(path, version, pilot)
url_state.publish("networks", SPEC)
