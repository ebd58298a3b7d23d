"""Governance models: each model's elements, the lessons that support or challenge them, and their validation."""

import streamlit as st

from components import export_views, loaders, url_state
from components import models_views as views
from components.widgets import data_notice, safe

path = loaders.db_path()
version = loaders.data_version(path)
catalogue = views.load_models(path, version)
names = dict(zip(catalogue["slug"], catalogue["name"]))
SPEC = {"model": ("models_model", False, set(names), next(iter(names), None))}
url_state.restore("models", SPEC)

st.title("Governance models")
st.write(
    "The governance models the pilots' lessons were drawn into: each element, the lessons that support or "
    "challenge it, and how validation workshops voted on it."
)
data_notice(loaders.load_notice(path, version))
if not names:
    st.info("No governance model has been recorded yet.")
    st.stop()

slug = st.selectbox("Model", list(names), format_func=names.get, key="models_model")
model = catalogue.set_index("slug").loc[slug]
st.caption(
    " · ".join(
        safe(x) for x in (f"Inspired by {model.inspired_by}" if model.inspired_by else None, model.methodology) if x
    )
)
if model.summary:
    st.markdown(safe(model.summary))
export_views.brief_button(path, version, "model", slug)
cols = st.columns(4)
cols[0].metric("Elements", int(model.elements))
cols[1].metric("Supporting lessons", int(model.supports))
cols[2].metric("Challenging lessons", int(model.challenges))
cols[3].metric("Pilots with linked lessons", int(model.pilots))

elements = views.load_elements(path, version, slug)
if elements.empty:
    st.info("This model has no elements yet.")
else:
    views.evidence_chart(elements)
    with st.expander("Elements as a table"):
        views.elements_table(elements)
    st.subheader("Elements", anchor=False)
    for row in elements.itertuples():
        views.element_section(path, version, row)
url_state.publish("models", SPEC)
