"""A workshop's public report (?code=CODE): anyone may read it, without signing in, once the facilitator publishes it."""

import streamlit as st

from components import auth, loaders
from components import report_views as views
from components.widgets import safe
from lessons.i18n import _, current
from lessons.permissions import can

path = loaders.db_path()
code = views.requested_code()
if code is None:
    st.title(_("Workshop report"))
    st.markdown(_("Enter the code of a workshop to read its report, or open the link the facilitator shared."))
    st.stop()
version = loaders.data_version(path, "workshops")
loaded = views.load_report(path, version, code, current())
if loaded is None:
    st.title(_("Workshop report"))
    st.info(
        _("There is no workshop with the code {code}. Check the link or the code.").format(code=safe(code)),
        icon=":material/search:",
    )
    st.stop()
actor = auth.current_actor(path)
views.facilitator_panel(path, actor, code, loaded)
if not loaded["published_at"] and not can(actor, "workshop.manage"):
    st.title(_("Workshop report"))
    st.info(
        _(
            "This workshop's report is not published yet. The facilitator publishes it after the workshop; "
            "come back to this address later."
        ),
        icon=":material/schedule:",
    )
    st.stop()
views.report_view(loaded["report"], intro=lambda: views.own_view_section(path, version, code))
views.downloads(path, version, code)
