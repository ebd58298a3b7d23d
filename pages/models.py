"""Governance models: each model's elements, the lessons that support or challenge them, and their results; an Edit
tab for administrators and model editors, and link proposals for pilot coordinators."""

import streamlit as st

from components import auth, export_views, loaders, url_state
from components import models_views as views
from components.url_state import Param
from components.widgets import data_notice, safe
from lessons.permissions import can
from lessons.visibility import audience_of

path = loaders.db_path()
version = loaders.data_version(path)
actor = auth.current_actor(path)
audience = audience_of(actor).token  # what this reader may see of the lessons linked to the models
editing, proposing = (
    can(actor, "model.edit"),
    can(actor, "model.link.propose", next(iter(getattr(actor, "pilot_ids", ())), None)),
)
catalogue = views.load_models(path, version, audience=audience)
names = dict(zip(catalogue["slug"], catalogue["name"]))
SPEC = {"model": Param("models_model", next(iter(names), None), allowed=set(names))}
url_state.restore("models", SPEC)
if names and st.session_state.get("models_model") not in names:  # e.g. None left by the empty page, then a model
    st.session_state["models_model"] = next(iter(names))

st.title("Governance models")
st.write(
    "The governance models the pilots' lessons were drawn into: each element, the lessons that support or "
    "challenge it, and how validation workshops voted on it."
)
data_notice(loaders.load_notice(path, version))
if not names:
    st.info(views.EMPTY_STATE, icon=":material/lightbulb:")
    if editing:
        views.create_section(path, version, actor)
    st.stop()

slug = st.selectbox("Model", list(names), format_func=names.get, key="models_model")
model = catalogue.set_index("slug").loc[slug]
elements = views.load_elements(path, version, slug, audience=audience)
shown, edit_tab = st.tabs(["Model", "Edit" if editing else "Propose a link"]) if proposing else (st.container(), None)
with shown:
    facts = (f"Inspired by {model.inspired_by}" if model.inspired_by else None, model.methodology, model.source)
    st.caption(" · ".join([f"Version {int(model.version)}"] + [safe(x) for x in facts if isinstance(x, str) and x]))
    if model.retired_at:
        st.warning(f"Retired on {safe(model.retired_at[:10])}: kept with its versions, links and votes.")
    if model.summary:
        st.markdown(safe(model.summary))
    export_views.brief_button(path, version, "model", slug, audience)
    numbers = st.container(horizontal=True, gap="medium")  # several to a line on a phone, not one a line (#19)
    numbers.metric("Elements", int(model.elements), width="content")
    numbers.metric("Supporting lessons", int(model.supports), width="content")
    numbers.metric("Challenging lessons", int(model.challenges), width="content")
    numbers.metric("Pilots with linked lessons", int(model.pilots), width="content")
    views.pilots_section(path, version, slug, audience=audience)
    results, changes, _ = views.load_model_state(path, version, slug, audience=audience)
    views.results_summary(results, changes, int(model.version))
    if elements.empty:
        st.info("This model has no elements yet.")
    else:
        views.evidence_chart(elements)
        with st.expander("Elements as a table"):
            views.elements_table(elements)
        st.subheader("Elements", anchor=False)
        for row in elements.itertuples():
            views.element_section(path, version, row, audience=audience)
if edit_tab is not None:
    with edit_tab:
        if editing:
            views.edit_section(path, version, actor, slug, elements)
        else:
            views.flash()
            views.link_section(path, version, actor, elements)
url_state.publish("models", SPEC)
