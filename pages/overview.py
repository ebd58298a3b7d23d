"""Overview: what the store holds, where the pilots are, what they learned, and a card per pilot."""

import streamlit as st

from components import auth, charts, loaders
from components.widgets import data_notice, kind_label, pilot_card, pilot_table, vocab
from lessons.i18n import N_, _, ngettext, number

MAX_CARDS = 12

path = loaders.db_path()
data = loaders.load_overview(path, loaders.data_version(path), audience=auth.audience(path))
counts = data["counts"]

st.title(_("Overview"))
st.write(_("What co-creation pilots learned, drawn together across pilots and countries."))
data_notice(data["notice"])

# Six numbers in a row that wraps: several to a line on a phone, not one a line down a whole screen (#19).
numbers = st.container(horizontal=True, gap="medium")
for label, value, help_text in (
    (
        N_("Pilots"),
        counts["pilots"],
        ngettext("in {n} country", "in {n} countries", counts["countries"]).format(n=number(counts["countries"])),
    ),
    (N_("Lessons"), counts["lessons"], _("everything the pilots recorded")),
    (N_("Validated lessons"), counts["validated"], _("validated, endorsed or applied elsewhere")),
    (N_("Stakeholders"), counts["stakeholders"], _("organisations, groups and roles in the pilots")),
    (N_("Workshops"), counts["workshops"], _("validation workshops")),
    (N_("Votes"), counts["votes"], _("votes cast in workshops")),
):
    numbers.metric(_(label), number(value), help=help_text, width="content")

if counts["pilots"] == 0:
    st.warning(
        _("The store holds no pilots yet. Load the demo with `python -m lessons demo` or upload a pilot summary.")
    )
    st.stop()

left, right = st.columns(2)
with left:
    st.altair_chart(charts.country_chart(data["countries"]), width="stretch")
    with st.expander(_("Pilots by country as a table")):
        st.dataframe(
            data["countries"].rename(
                columns={
                    "country": _("Code"),
                    "country_name": _("Country"),
                    "pilots": _("Pilots"),
                    "lessons": _("Lessons"),
                }
            ),
            hide_index=True,
            width="stretch",
        )
with right:
    st.altair_chart(charts.theme_kind_chart(data["themes"]), width="stretch")
    with st.expander(_("Lessons by theme and kind as a table")):
        table = data["themes"].pivot_table(index="theme", columns="kind", values="lessons", fill_value=0, aggfunc="sum")
        table = table.rename(index=vocab, columns=kind_label)
        st.dataframe(table.rename_axis(index=_("Theme"), columns=_("Kind")), width="stretch")

st.header(_("Pilots"), anchor=False)
pilots = data["pilots"]
shown = pilots.nlargest(MAX_CARDS, "lessons", keep="first").sort_values("name") if len(pilots) > MAX_CARDS else pilots
if len(pilots) > MAX_CARDS:
    st.caption(
        _("The {n} pilots with the most lessons; all {total} pilots are in the table below.").format(
            n=number(MAX_CARDS), total=number(len(pilots))
        )
    )
for start in range(0, len(shown), 3):
    for col, pilot in zip(st.columns(3), shown.iloc[start : start + 3].itertuples()):
        with col:
            pilot_card(pilot, lessons_page="pages/lessons.py")
if len(pilots) > MAX_CARDS:
    pilot_table(pilots)
