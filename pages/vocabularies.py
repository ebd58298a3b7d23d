"""Vocabularies (administrators): themes, tie relation types, the methodology crosswalk and methodology import."""

import streamlit as st

from components import auth, loaders
from components.vocabulary_views import crosswalk_editor, methodology_import, relations_editor, themes_editor
from lessons.i18n import _
from lessons.permissions import can

path = loaders.db_path()
st.title(_("Vocabularies"))
actor = auth.require_actor(path, _("Sign in (in the sidebar) to keep the vocabularies and the crosswalk."))
if not can(actor, "vocabulary.edit"):
    st.info(_("Only administrators change the vocabularies and the crosswalk."))
    st.stop()

tables = loaders.load_vocabulary_tables(path, actor)
themes_tab, relations_tab, crosswalk_tab, import_tab = st.tabs(
    [_("Themes"), _("Tie types"), _("Crosswalk"), _("Import a methodology")]
)
with themes_tab:
    themes_editor(path, actor, tables["themes"])
with relations_tab:
    relations_editor(path, actor, tables["relations"])
with crosswalk_tab:
    crosswalk_editor(path, actor, tables["crosswalk"], tables["phases"])
with import_tab:
    methodology_import(path, actor, tables["phases"])
