"""Governance models: each model's elements, the lessons that support or challenge them, and their results; an Edit
tab for administrators and model editors, and link proposals for pilot coordinators."""

import streamlit as st

from components import auth, export_views, loaders, url_state
from components import models_views as views
from components.url_state import Param
from components.widgets import data_notice, safe
from lessons.i18n import _, day, number
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

st.title(_("Governance models"))
st.write(
    _(
        "The governance models the pilots' lessons were drawn into: each element, the lessons that support or "
        "challenge it, and how validation workshops voted on it."
    )
)
data_notice(loaders.load_notice(path, version))
if not names:
    st.info(_(views.EMPTY_STATE), icon=":material/lightbulb:")
    if editing:
        views.create_section(path, version, actor)
    st.stop()

slug = st.selectbox(_("Model"), list(names), format_func=names.get, key="models_model")
model = catalogue.set_index("slug").loc[slug]
elements = views.load_elements(path, version, slug, audience=audience)
tab_names = [_("Model"), _("Edit") if editing else _("Propose a link")]
shown, edit_tab = st.tabs(tab_names) if proposing else (st.container(), None)
with shown:
    inspired = _("Inspired by {source}").format(source=model.inspired_by) if model.inspired_by else None
    facts = (inspired, _(model.methodology) if isinstance(model.methodology, str) else None, model.source)
    first = _("Version {version}").format(version=number(int(model.version)))
    st.caption(" · ".join([first] + [safe(x) for x in facts if isinstance(x, str) and x]))
    if model.retired_at:
        st.warning(
            _("Retired on {date}: kept with its versions, links and votes.").format(date=safe(day(model.retired_at)))
        )
    if model.summary:
        st.markdown(safe(model.summary))
    export_views.brief_button(path, version, "model", slug, audience)
    numbers = st.container(horizontal=True, gap="medium")  # several to a line on a phone, not one a line (#19)
    numbers.metric(_("Elements"), number(int(model.elements)), width="content")
    numbers.metric(_("Supporting lessons"), number(int(model.supports)), width="content")
    numbers.metric(_("Challenging lessons"), number(int(model.challenges)), width="content")
    numbers.metric(_("Pilots with linked lessons"), number(int(model.pilots)), width="content")
    views.pilots_section(path, version, slug, audience=audience)
    results, changes, _proposals = views.load_model_state(path, version, slug, audience=audience)
    views.results_summary(results, changes, int(model.version))
    if elements.empty:
        st.info(_("This model has no elements yet."))
    else:
        views.evidence_chart(elements)
        with st.expander(_("Elements as a table")):
            views.elements_table(elements)
        st.subheader(_("Elements"), anchor=False)
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
