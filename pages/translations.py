"""Translate lessons (coordinators): what is not yet in a language, a form to translate one lesson, and a spreadsheet
to translate many (#21)."""

import streamlit as st

from components import auth, language, loaders
from components import translation_views as views
from lessons.i18n import _

path = loaders.db_path()
version = loaders.data_version(path, "lessons")
audience = auth.audience(path)
st.title(_("Translate lessons"))
st.markdown(
    _(
        "Readers see each lesson in their language where it has a translation, marked as one with who translated "
        "it; otherwise they see the original, and are told so."
    )
)
targets = views.target_languages(path, version, audience)
reader = language.current()
named = {views.target_label(code): code for code in targets}  # the options are their names: no format_func
target = named[
    st.selectbox(
        _("Translate into"),
        list(named),
        index=targets.index(reader) if reader in targets else 0,
        key=f"translate_target_{reader}",  # named in the reader's language: one widget per language
    )
]
rows = views.load_untranslated(path, version, target, audience=audience)
views.untranslated_section(rows, target)
one, many = st.tabs([_("Translate one lesson"), _("Translate in a spreadsheet")])
with one:
    views.translation_form(path, version, rows, target, audience)
with many:
    views.sheet_section(path, target, audience)
