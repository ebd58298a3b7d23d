"""Overview: what the store holds, where the pilots are, what they learned, and a card per pilot."""

import streamlit as st

from components import auth, charts, loaders
from components.widgets import data_notice, pilot_card, pilot_table

MAX_CARDS = 12

path = loaders.db_path()
data = loaders.load_overview(path, loaders.data_version(path), audience=auth.audience(path))
counts = data["counts"]

st.title("Overview")
st.write("What co-creation pilots learned, drawn together across pilots and countries.")
data_notice(data["notice"])

# Six numbers in a row that wraps: several to a line on a phone, not one a line down a whole screen (#19).
numbers = st.container(horizontal=True, gap="medium")
for label, value, help_text in (
    ("Pilots", counts["pilots"], f"in {counts['countries']} countries"),
    ("Lessons", counts["lessons"], "everything the pilots recorded"),
    ("Validated lessons", counts["validated"], "validated, endorsed or applied elsewhere"),
    ("Stakeholders", counts["stakeholders"], "organisations, groups and roles in the pilots"),
    ("Workshops", counts["workshops"], "validation workshops"),
    ("Votes", counts["votes"], "votes cast in workshops"),
):
    numbers.metric(label, f"{value:,}", help=help_text, width="content")

if counts["pilots"] == 0:
    st.warning("The store holds no pilots yet. Load the demo with `python -m lessons demo` or upload a pilot summary.")
    st.stop()

left, right = st.columns(2)
with left:
    st.altair_chart(charts.country_chart(data["countries"]), width="stretch")
    with st.expander("Pilots by country as a table"):
        st.dataframe(
            data["countries"].rename(
                columns={"country": "Code", "country_name": "Country", "pilots": "Pilots", "lessons": "Lessons"}
            ),
            hide_index=True,
            width="stretch",
        )
with right:
    st.altair_chart(charts.theme_kind_chart(data["themes"]), width="stretch")
    with st.expander("Lessons by theme and kind as a table"):
        table = data["themes"].pivot_table(index="theme", columns="kind", values="lessons", fill_value=0, aggfunc="sum")
        st.dataframe(table.rename_axis(index="Theme", columns="Kind"), width="stretch")

st.header("Pilots", anchor=False)
pilots = data["pilots"]
shown = pilots.nlargest(MAX_CARDS, "lessons", keep="first").sort_values("name") if len(pilots) > MAX_CARDS else pilots
if len(pilots) > MAX_CARDS:
    st.caption(f"The {MAX_CARDS} pilots with the most lessons; all {len(pilots):,} pilots are in the table below.")
for start in range(0, len(shown), 3):
    for col, pilot in zip(st.columns(3), shown.iloc[start : start + 3].itertuples()):
        with col:
            pilot_card(pilot, lessons_page="pages/lessons.py")
if len(pilots) > MAX_CARDS:
    pilot_table(pilots)
