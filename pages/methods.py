"""Methods and tools: the catalogue (INTERLINK's interlinkers, participatory methods, processes and their stages),
filtered by kind, phase, problem and language; one entry in full with the lessons and pilots that used it, each
shown in the reader's language where the catalogue has it."""

import streamlit as st

from components import auth, language, loaders, url_state
from components import catalogue_views as views
from components.widgets import data_notice
from lessons.i18n import _, number

path = loaders.db_path()
version = loaders.data_version(path, "lessons")
audience = auth.audience(path)  # uses are counted among what this reader may see
lang = language.current()
options = views.load_options(path, version, audience=audience, lang=lang)
everything = views.load_entries(path, version, audience=audience, lang=lang)
SPEC = views.url_spec(options, everything["code"])
url_state.restore("methods", SPEC)

st.title(_("Methods and tools"))
st.write(
    _(
        "The catalogue of co-creation methods and tools: what problem each addresses, in which phase, with how much "
        "effort, where it comes from, and the lessons and pilots that used it."
    )
)
data_notice(loaders.load_notice(path, loaders.data_version(path)))

code = st.session_state.get("methods_entry") or ""
entry = views.load_entry(path, version, code, audience=audience, lang=lang) if code else None
if entry is not None:
    st.set_page_config(  # text, never markup
        page_title=_("{name} · Methods and tools · Cross-Pilot Lessons").format(name=entry["texts"]["name"])
    )
    views.entry_section(entry)
    url_state.publish("methods", SPEC)
    st.stop()

views.filters(options)
rows = views.load_entries(
    path, version, (st.session_state.get("methods_q") or "").strip(), audience=audience, lang=lang, **views.choice()
)
st.caption(_("{shown} of {total} entries").format(shown=number(len(rows)), total=number(len(everything))))
if rows.empty:
    st.info(_("No entry matches. Remove a filter or a search word."), icon=":material/search_off:")
else:
    views.entry_picker(rows)
    views.fallback_note(rows)
    views.entries_table(rows)
    st.caption(
        _(
            "Open an entry by its name (in a new tab), or choose it above. An administrator or editor adds entries "
            "with the command line's catalogue import (INTERLINK's catalogue, or a spreadsheet)."
        )
    )
url_state.publish("methods", SPEC)
