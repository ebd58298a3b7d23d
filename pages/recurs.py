"""What recurs: what pilots learned in common, where they disagree, and what none of them has learned yet."""

import streamlit as st

from components import charts, loaders, url_state
from components import synthesis_views as views
from components.widgets import data_notice, safe
from lessons import synthesis

VIEWS = ["Recurring", "Contradicting", "Missing", "Pilot × theme", "Methodology crosswalk", "Compare pilots"]
path = loaders.db_path()
version = loaders.data_version(path, "lessons")
matrix = views.load_matrix(path, version)
pilots, themes = set(matrix["pilot"]), set(matrix["theme"])
most = max(2, len(pilots))
SPEC = {
    "view": ("recurs_view", False, set(VIEWS), "Recurring"),
    "k": ("recurs_k", False, {str(k) for k in range(2, most + 1)}, min(3, most)),
    "similarity": ("recurs_similarity", False, {str(s) for s in range(10, 65, 5)}, 20),
    "pilot": ("recurs_pilot", False, pilots, None),
    "theme": ("recurs_theme", False, themes, None),
    "compare": ("recurs_compare", True, pilots, None),
    "contested": ("recurs_contested", False, themes, None),
}
url_state.restore("recurs", SPEC)

st.title("What recurs")
st.write("What pilots learned in common, where they disagree, and what none of them has learned yet.")
data_notice(loaders.load_notice(path, version))
if len(pilots) < 2:
    st.info("Cross-pilot views need lessons from at least two pilots. Upload a pilot summary to add one.")
    st.stop()

left, right = st.columns(2)
if most > 2:
    k = left.slider("Found in at least this many pilots", 2, most, key="recurs_k")
else:
    k = 2
    left.caption("With two pilots, something recurs when both pilots report it.")
threshold = right.slider(
    "How alike lessons must be to form a group",
    10,
    60,
    step=5,
    format="%d%%",
    key="recurs_similarity",
    help="Lessons are compared by the words they share, rare words counting most. Higher: fewer, tighter groups.",
)
views.ensure_similarity(path, version, int(views.load_facts(path, version).shape[0]))
groups = views.load_clusters(path, version, threshold / 100, k)
recurring = synthesis.recurring_themes(matrix, k)
contested = synthesis.theme_contradictions(matrix)
gaps = synthesis.theme_gaps(matrix)

cols = st.columns(4)
cols[0].metric(f"Themes in {k}+ pilots", len(recurring), help="Themes with lessons from at least that many pilots")
cols[1].metric(f"Lesson groups in {k}+ pilots", len(groups["clusters"]), help="Groups of similar lessons")
cols[2].metric("Contested themes", len(contested), help="An enabler in one pilot and a barrier in another")
cols[3].metric("Themes with gaps", len(gaps), help="Themes that at least one pilot has no lesson on")

view = st.segmented_control("Show", VIEWS, key="recurs_view", label_visibility="collapsed") or "Recurring"
if view == "Recurring":
    st.subheader(f"Similar lessons reported by at least {k} pilots", anchor=False)
    st.caption("Each group is named by its most distinctive words. Open a group to read its lessons.")
    views.clusters_list(groups, key="recurs_shown")
    with st.expander("All these groups as a table"):
        views.clusters_table(groups["clusters"])
    st.subheader(f"Themes reported by at least {k} pilots", anchor=False)
    if recurring.empty:
        st.info(f"No theme has lessons from {k} or more pilots. Lower the number of pilots.")
    else:
        st.altair_chart(charts.recurrence_chart(recurring), width="stretch")
        with st.expander("These themes as a table"):
            views.theme_table(recurring, ["theme_name", "pilots", "lessons", "enablers", "barriers", "pilot_names"])
elif view == "Contradicting":
    st.subheader("Themes one pilot calls an enabler and another a barrier", anchor=False)
    if contested.empty:
        st.info("No theme is reported as an enabler by one pilot and as a barrier by another.")
    else:
        st.altair_chart(charts.contradiction_chart(contested), width="stretch")
        with st.expander("Contested themes as a table"):
            views.theme_table(contested, ["theme_name", "enabler_names", "barrier_names", "enablers", "barriers"])
        views.contested_theme(path, version, contested)
    st.subheader("Similar lessons that disagree", anchor=False)
    st.caption("Groups of alike lessons in which one pilot reports an enabler and another pilot a barrier.")
    pairs = views.load_clusters(path, version, threshold / 100, 2)
    views.clusters_list(pairs, only=pairs["contradictions"]["cluster"], key="recurs_shown_contested")
elif view == "Missing":
    none = gaps[gaps["pilots_with"] == 0]["theme_name"].tolist()
    st.subheader("Themes no pilot has a lesson on", anchor=False)
    st.write(", ".join(safe(t) for t in none) if none else "Every theme has lessons from at least one pilot.")
    st.subheader("Themes some pilots have no lesson on", anchor=False)
    if gaps.empty:
        st.info("Every pilot has lessons on every theme.")
    else:
        views.theme_table(gaps, ["theme_name", "pilots_with", "pilots_without", "missing_names"])
elif view == "Pilot × theme":
    views.matrix_section(path, version, matrix)
elif view == "Methodology crosswalk":
    views.crosswalk_section(views.load_crosswalk(path, version))
else:
    views.compare_section(matrix)
url_state.publish("recurs", SPEC)
