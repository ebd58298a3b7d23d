"""Vote: join a validation workshop with its code and answer its statements one at a time — no account needed."""

import streamlit as st

from components import auth, language, loaders
from components import vote_views as views
from lessons.i18n import _

path = loaders.db_path()
if st.query_params.get("code") and not st.session_state.get("vote_code"):
    st.session_state["vote_code"] = st.query_params["code"]
token = views.restore(path)  # the same participant again after a reload, a closed tab or a sleeping phone

message = st.session_state.pop("vote_message", None)
if not token:
    st.title(_("Vote in a workshop"))
    if message:
        st.error(message)
    st.write(
        _(
            "Type the code shown in the room, or open the link you were given. You need no account and your votes "
            "are anonymous: only your stakeholder group (and, if you give it, your country) is recorded. This "
            "device remembers you, so you can come back to your votes; another device joins as someone new."
        )
    )
    found = views.code_input(path)
    if found is not None:  # pilots and groups only for a valid code: a stranger learns nothing of the consortium
        version = loaders.data_version(path)
        audience = auth.audience(path)
        vocab = loaders.load_vocabularies(path, version)
        pilots = loaders.load_facets(path, version, audience=audience)["pilots"]
        views.join_form(
            path,
            found["code"],
            dict(zip(vocab["groups"]["code"], vocab["groups"]["name"])),
            dict(zip(pilots["value"], pilots["label"].str.replace(r" \(\d+\)$", "", regex=True))),
        )
else:
    workshop = views.header(path, token) or {}
    if message:
        st.error(message)
    answered = views.voting(path, token, workshop.get("status", "open"))
    views.my_answers(path, token, answered)
    views.suggest(path, token)
    st.button(_("Leave this workshop on this device"), key="vote_leave", on_click=views.forget)
with st.container(width=240):  # the page follows the phone's language; a participant may choose another here
    language.picker(key="vote_lang")
views.browser_memory()
