"""Pilots' stories: the published ones for every reader, one story at ?story=ID, and for coordinators and
administrators the editor, submission and publishing."""

import streamlit as st

from components import auth, loaders
from components import story_views as views
from lessons.i18n import _

path = loaders.db_path()
actor = auth.current_actor(path)
story_id = views.requested_story()
if story_id is not None:
    loaded = views.load_story(path, story_id, actor)
    views.back_button()
    if loaded is None:
        st.title(_("Story"))
        st.info(
            _(
                "There is no story at this address that you may read. A story is shown once it is published; "
                "signed-out visitors see public stories only."
            ),
            icon=":material/search:",
        )
        st.stop()
    st.set_page_config(page_title=_("{title} · Stories · Cross-Pilot Lessons").format(title=loaded["title"]))
    views.admin_panel(path, actor, loaded)
    views.editor(path, actor, loaded)
    views.story_view(loaded)
    st.stop()
st.title(_("Stories"))
st.markdown(_("What pilots tell of their work, with the lessons each story rests on."))
views.story_list(path, actor)
views.new_story(path, actor)
views.your_stories(path, actor)
