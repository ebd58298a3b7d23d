"""Contributors: the people and organisations credited for lessons, stories and catalogue entries, and where what
they gave was reused; ?contributor=ID opens one. Coordinators and administrators record them and their consent."""

import streamlit as st

from components import auth, loaders
from components import contributor_views as views
from lessons.i18n import _

path = loaders.db_path()
actor = auth.current_actor(path)
contributor_id = views.requested_contributor()
if contributor_id is not None:
    views.back_button()
    loaded = views.load_contributor(path, contributor_id, actor)
    if loaded is None:
        st.title(_("Contributor"))
        st.info(_("There is no contributor at this address."), icon=":material/search:")
        st.stop()
    views.contributor_page(loaded, actor)
    views.credit_forms(path, actor, loaded)
    st.stop()
st.title(_("Contributors"))
st.markdown(
    _(
        "The people and organisations who co-produced lessons, stories and catalogue entries. A person is named only "
        "with their consent."
    )
)
views.add_form(path, actor)
views.contributor_list(path, actor)
