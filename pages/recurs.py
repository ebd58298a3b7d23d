"""What recurs: what pilots learned in common, where they disagree, and what none of them has learned yet."""

import streamlit as st

from components import auth, loaders, url_state
from components import synthesis_views as views
from components.url_state import Param
from components.widgets import data_notice
from lessons.i18n import N_, _

#: The views, as the link names them (``?view=Recurring``) and shown in the reader's language.
VIEWS = [N_("Recurring"), N_("Contradicting"), N_("Missing"), N_("Pilot × theme"), N_("Methodology crosswalk"),
         N_("Compare pilots")]  # fmt: skip
path = loaders.db_path()
version = loaders.data_version(path, "lessons")
audience = auth.audience(path)  # what this reader may see: every view below is narrowed to it
matrix = views.load_matrix(path, version, audience=audience)
pilots, themes = set(matrix["pilot"]), set(matrix["theme"])
most = max(2, len(pilots))
SPEC = {
    "view": Param("recurs_view", "Recurring", allowed=set(VIEWS)),
    "k": Param("recurs_k", min(3, most), allowed={str(k) for k in range(2, most + 1)}),
    "similarity": Param("recurs_similarity", 20, allowed={str(s) for s in range(10, 65, 5)}),
    "pilot": Param("recurs_pilot", allowed=pilots),
    "theme": Param("recurs_theme", allowed=themes),
    "compare": Param("recurs_compare", many=True, allowed=pilots),
    "contested": Param("recurs_contested", allowed=themes),
}
url_state.restore("recurs", SPEC)

st.title(_("What recurs"))
st.write(_("What pilots learned in common, where they disagree, and what none of them has learned yet."))
data_notice(loaders.load_notice(path, version))
if len(pilots) < 2:
    st.info(_("Cross-pilot views need lessons from at least two pilots. Upload a pilot summary to add one."))
    st.stop()

left, right = st.columns(2)
if most > 2:
    k = left.slider(_("Found in at least this many pilots"), 2, most, key="recurs_k")
else:
    k = 2
    left.caption(_("With two pilots, something recurs when both pilots report it."))
threshold = right.slider(
    _("How alike lessons must be to form a group"),
    10,
    60,
    step=5,
    format="%d%%",
    key="recurs_similarity",
    help=_("Lessons are compared by the words they share, rare words counting most. Higher: fewer, tighter groups."),
)
right.caption(
    _(
        "How alike: 100% is the same wording; around 20% the lessons share a few telling words; from 50% they say "
        "much the same thing. A group's lessons are, on average, at least this alike."
    )
)
shown = views.similarity_notice(path, version).shown  # never waits: a newer analysis runs in the background
groups = views.load_clusters(path, version, shown, threshold / 100, k, audience=audience)
patterns = views.load_patterns(path, version, k, audience=audience)
views.headline(k, groups, patterns)

view = (
    st.segmented_control(_("Show"), VIEWS, format_func=_, key="recurs_view", label_visibility="collapsed")
    or "Recurring"
)
if view == "Recurring":
    views.recurring_section(groups, patterns["recurring"], k)
elif view == "Contradicting":
    views.contradicting_section(path, version, shown, patterns["contested"], threshold / 100)
elif view == "Missing":
    views.missing_section(patterns["gaps"])
elif view == "Pilot × theme":
    views.matrix_section(path, version, matrix)
elif view == "Methodology crosswalk":
    views.crosswalk_section(views.load_crosswalk(path, version, audience=audience))
else:
    views.compare_section(matrix)
url_state.publish("recurs", SPEC)
