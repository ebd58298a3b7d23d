"""Lessons: filter and search every pilot's lessons, read one in full, download them. The URL holds the view."""

from functools import partial

import streamlit as st

from components import auth, loaders, url_state
from components.catalogue_views import lesson_methods_section
from components.editors import lesson_status_section
from components.synthesis_views import similar_section
from components.widgets import (
    data_notice,
    lesson_chips,
    lesson_choice,
    lesson_detail,
    lesson_filters,
    lesson_results,
    lesson_url_spec,
    open_lesson,
    pilot_share,
)
from lessons.i18n import _

path = loaders.db_path()
version = loaders.data_version(path)
audience = auth.audience(path)  # what this reader may see: every view below is narrowed to it
SPEC = lesson_url_spec(loaders.load_facets(path, version, audience=audience))
url_state.restore("lessons", SPEC)

st.title(_("Lessons"))
data_notice(loaders.load_notice(path, version))

if st.session_state.get("lessons_open"):
    detail = loaders.load_lesson(path, version, int(st.session_state["lessons_open"]), audience=audience)
    st.button(
        _("Back to all lessons"), icon=":material/arrow_back:", key="lessons_back", on_click=open_lesson, args=(0,)
    )
    if detail is None:
        st.warning(_("That lesson no longer exists. It may have been removed by an undone upload."))
    else:
        lessons_title = _("Lessons")
        st.set_page_config(
            page_title=f"{detail['title']} · {lessons_title} · Cross-Pilot Lessons"
        )  # text, never markup
        lesson_detail(
            detail,
            extra_sections=[
                lesson_status_section(path),
                lesson_methods_section(path, loaders.data_version(path, "lessons")),
                similar_section(path, loaders.data_version(path, "lessons"), open_lesson),
            ],
        )
    url_state.publish("lessons", SPEC)
    st.stop()

query = (st.session_state.get("lessons_query") or "").strip()
st.text_input(
    _("Search the lessons"),
    key="lessons_query",
    placeholder=_('e.g. local champions, "procurement rules", trust'),
    help=_(
        "All words must occur, in any of their forms; the last may be the start of a word as typed (communicat: "
        'communication, not community); hyphenated words as written (O-ring); "double quotes" make a phrase.'
    ),
)
facets = loaders.load_facets(path, version, query, audience=audience, **lesson_choice())
lesson_chips(facets)  # what applies, above the results: a shared link shows it, a phone too
with st.expander(_("Filters"), icon=":material/filter_list:"):  # in the main column: a phone hides the sidebar
    lesson_filters(facets, loaders.load_recorded_span(path, version, audience=audience))
choice = lesson_choice()  # as the filters now stand (a value no longer offered may have been dropped)
pilot_share(
    loaders.load_facets(path, version, audience=audience), choice["pilots"]
)  # the pilot's totals, whatever else is chosen
fetch = partial(loaders.load_lesson_page, path, version, query, audience=audience, **choice)
export = partial(loaders.load_lessons_export, path, version, query=query, audience=audience, **choice)
lesson_results(fetch, on_open=open_lesson, export=export)
url_state.publish("lessons", SPEC)
