"""Methods and tools: the catalogue (INTERLINK's interlinkers, participatory methods, processes and their stages),
filtered by kind, phase, problem and language; one entry in full with the lessons and pilots that used it."""

import streamlit as st

from components import auth, loaders, url_state
from components import catalogue_views as views
from components.widgets import data_notice

path = loaders.db_path()
version = loaders.data_version(path, "lessons")
audience = auth.audience(path)  # uses are counted among what this reader may see
options = views.load_options(path, version, audience=audience)
everything = views.load_entries(path, version, audience=audience)
SPEC = views.url_spec(options, everything["code"])
url_state.restore("methods", SPEC)

st.title("Methods and tools")
st.write(
    "The catalogue of co-creation methods and tools: what problem each addresses, in which phase, with how much "
    "effort, where it comes from, and the lessons and pilots that used it."
)
data_notice(loaders.load_notice(path, loaders.data_version(path)))

code = st.session_state.get("methods_entry") or ""
entry = views.load_entry(path, version, code, audience=audience) if code else None
if entry is not None:
    st.set_page_config(page_title=f"{entry['name']} · Methods and tools · Cross-Pilot Lessons")  # text, never markup
    views.entry_section(entry)
    url_state.publish("methods", SPEC)
    st.stop()

views.filters(options)
rows = views.load_entries(
    path, version, (st.session_state.get("methods_q") or "").strip(), audience=audience, **views.choice()
)
st.caption(f"{len(rows):,} of {len(everything):,} entries")
if rows.empty:
    st.info("No entry matches. Remove a filter or a search word.", icon=":material/search_off:")
else:
    views.entry_picker(rows)
    views.entries_table(rows)
    st.caption(
        "Open an entry by its name (in a new tab), or choose it above. An administrator or editor adds entries "
        "with the command line's catalogue import (INTERLINK's catalogue, or a spreadsheet)."
    )
url_state.publish("methods", SPEC)
