"""The Methods and tools page: the catalogue's cached loaders, its filters, the list of entries and one entry in full.

Every text of the catalogue is shown as text (``widgets.safe``, or as a plain cell of a data frame): INTERLINK's
descriptions were HTML, turned into text on import, and an entry's name may hold anything its source wrote.
"""

from __future__ import annotations

from urllib.parse import quote_plus

import pandas as pd
import streamlit as st

from components.auth import audience as reader_audience
from components.loaders import TTL
from components.url_state import Param
from components.widgets import multiselect_facet, safe
from lessons import catalogue
from lessons.access import reading
from lessons.store import KIND_LABELS, STATUS_LABELS

LESSONS_PAGE = "pages/lessons.py"
METHODS_PAGE = "pages/methods.py"
KEY = "methods"
#: The page's filters: (URL parameter, filter name as in ``catalogue.entry_list``, label, help).
FILTERS = (
    ("kind", "kinds", "Kind", "A participatory method, a whole process or one of its stages, a guide or a software tool"),
    ("phase", "phases", "Co-creation phase", "The phase where the method or tool is mostly used"),
    ("problem", "problems", "Problem addressed", "INTERLINK's problem profiles"),
    ("lang", "languages", "Language available", "Entries with a text in this language"),
)  # fmt: skip
EFFORT_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_options(path: str, version: int, *, audience: str) -> dict[str, pd.DataFrame]:
    """Every filter's values with how many entries have each (uses counted among what ``audience`` may see)."""
    with reading(path, audience) as db:
        return catalogue.catalogue_options(db)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_entries(path: str, version: int, text: str = "", *, audience: str, **filters) -> pd.DataFrame:
    """The entries matching the search words and filters (uses counted among what ``audience`` may see)."""
    with reading(path, audience) as db:
        return catalogue.entry_list(db, text=text, **filters)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_entry(path: str, version: int, code: str, *, audience: str) -> dict | None:
    """One entry in full, with the lessons and pilots that used it (those ``audience`` may see)."""
    with reading(path, audience) as db:
        return catalogue.entry_detail(db, code)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def load_lesson_entries(path: str, version: int, lesson_id: int, *, audience: str) -> pd.DataFrame:
    """The methods and tools a lesson used (when ``audience`` may see the lesson)."""
    with reading(path, audience) as db:
        return catalogue.lesson_entries(db, lesson_id)


def lesson_methods_section(path: str, version: int):
    """A lesson-page section: the methods and tools of the catalogue the lesson used, each linking to its entry."""

    def section(detail: dict) -> None:
        used = load_lesson_entries(path, version, int(detail["id"]), audience=reader_audience(path))
        if used.empty:
            return
        st.markdown("**Methods and tools it used**")
        for row in used.itertuples():
            st.page_link(
                METHODS_PAGE, label=safe(row.name), query_params={"entry": row.code}, icon=":material/construction:",
                help=row.kind_label,
            )  # fmt: skip

    return section


def url_spec(options: dict[str, pd.DataFrame], codes) -> dict[str, Param]:
    """The page's URL state: search words, filters and the entry opened (``?entry=CODE``)."""
    spec = {"q": Param(f"{KEY}_q", "")}
    for param, name, _label, _help in FILTERS:
        spec[param] = Param(f"{KEY}_{name}", many=True, allowed=set(options[name]["value"]))
    spec["entry"] = Param(f"{KEY}_entry", "", allowed=set(codes))
    return spec


def choice() -> dict:
    """The filters as chosen, as ``load_entries`` takes them."""
    return {name: tuple(st.session_state.get(f"{KEY}_{name}") or ()) for _p, name, _l, _h in FILTERS}


def open_entry(code: str) -> None:
    """Open an entry on this page ("" goes back to the list)."""
    st.session_state[f"{KEY}_entry"] = code


def filters(options: dict[str, pd.DataFrame]) -> None:
    """The search words and the four filters, two to a row (one on a phone), each option with its count."""
    st.text_input("Search the catalogue", key=f"{KEY}_q", placeholder="e.g. jury, persona, open source")
    with st.expander("Filters", icon=":material/filter_list:", expanded=True):
        for i, (_param, name, label, help_text) in enumerate(FILTERS):
            if i % 2 == 0:
                columns = st.columns(2)
            facet = options[name].rename(columns={"entries": "lessons"})  # the facet widget counts a "lessons" column
            with columns[i % 2]:
                multiselect_facet(label, facet, key=f"{KEY}_{name}", help=help_text)


def entry_link(code: str, name: str) -> str:
    """An entry's link on this page; its name follows as a last parameter the table shows as the link's text.

    >>> entry_link("world-cafe", "World café")
    '?entry=world-cafe&name=World+caf%C3%A9'
    """
    return f"?entry={quote_plus(code)}&name={quote_plus(str(name))}"


def entries_table(rows: pd.DataFrame) -> None:
    """The entries as a sortable table; an entry's name links to it (in a new tab)."""
    table = pd.DataFrame(
        {
            "Name": [entry_link(c, n) for c, n in zip(rows["code"], rows["name"])],
            "Kind": rows["kind_label"],
            "Phase": rows["phase_name"].fillna("—"),
            "Effort": rows["effort"].map(lambda e: EFFORT_LABELS.get(e, "—")),
            "Lessons": rows["lessons"],
            "Pilots": rows["pilots"],
            "Languages": rows["languages"].fillna(""),
            "Problems addressed": rows["problems"].fillna(""),
            "Catalogue": rows["catalogue"],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Name": st.column_config.LinkColumn("Name", display_text=r"[?&]name=(.*)$"),
            "Lessons": st.column_config.NumberColumn("Lessons", help="Lessons that used it"),
            "Pilots": st.column_config.NumberColumn("Pilots", help="Pilots that used it"),
        },
    )


def _picked() -> None:
    picked = st.session_state.get(f"{KEY}_pick")
    if picked:
        open_entry(picked)
        st.session_state[f"{KEY}_pick"] = None  # back on the list, the box is empty again


def entry_picker(rows: pd.DataFrame) -> None:
    """Open one of the listed entries here (the keyboard's way, and a phone's)."""
    names = dict(zip(rows["code"], rows["name"]))
    st.selectbox(
        "Open an entry", list(names), index=None, format_func=names.get, key=f"{KEY}_pick", on_change=_picked,
        placeholder="Choose a method or tool", help="Its problem, phase, effort, link, source, and who used it",
    )  # fmt: skip


def _paragraphs(text: str | None) -> None:
    """Plain text as paragraphs, its line breaks kept, never as markup."""
    for paragraph in (text or "").split("\n\n"):
        if paragraph.strip():
            st.markdown("  \n".join(safe(line) for line in paragraph.split("\n")))


def _facts(entry: dict) -> None:
    languages = sorted({lang for lang, _f, _t in entry["translations"]} | {entry["language"]})
    licence = entry.get("licence")
    facts = {
        "Problem addressed": entry.get("problem") or "; ".join(p["name"] for p in entry["problems"]) or None,
        "Co-creation phase": entry.get("phase_name"),
        "Effort": EFFORT_LABELS.get(entry.get("effort") or ""),
        "Link": entry.get("link"),
        "Source": entry.get("source"),
        "Licence": catalogue.LICENCE_LABELS.get(licence, licence) if licence else None,
        "Languages available": ", ".join(catalogue.language_name(lang) for lang in languages),
        "Catalogue": entry.get("catalogue"),
    }
    # one line each (a table would be cut off on a phone); every value escaped
    with st.container(key=f"{KEY}_facts"):
        for field, value in facts.items():
            st.markdown(f"**{field}:** {safe(value) or '—'}")


def _use(entry: dict) -> None:
    lessons, pilots = entry["lessons"], entry["pilots"]
    st.subheader("Who used it, and how it went", anchor=False)
    numbers = st.container(horizontal=True, gap="medium")
    numbers.metric("Lessons", len(lessons), width="content")
    numbers.metric("Validated or beyond", entry["validated"], width="content")
    numbers.metric("Pilots", len(set(pilots["slug"]) | set(lessons["pilot"])), width="content")
    if lessons.empty and pilots.empty:
        st.caption("No lesson or pilot is linked to it yet.")
        return
    if not lessons.empty:
        st.markdown("**Lessons that used it**")
        for lesson in lessons.itertuples():
            st.page_link(
                LESSONS_PAGE, label=safe(lesson.title), query_params={"lesson": str(int(lesson.id))},
                icon=":material/article:",
            )  # fmt: skip
            st.caption(
                f"{safe(lesson.pilot_name)} · lesson {safe(lesson.key)} · {KIND_LABELS.get(lesson.kind, lesson.kind)}"
                f" · {STATUS_LABELS.get(lesson.status, lesson.status)}"
            )
        st.page_link(
            LESSONS_PAGE,
            label=f"These {len(lessons)} lessons on the Lessons page",
            query_params={"uses": entry["code"]},
            icon=":material/filter_list:",
        )
        left, right = st.columns(2)
        with left:
            st.markdown("**The lessons' kinds**")
            st.dataframe(entry["kinds"].rename(columns={"label": "Kind", "lessons": "Lessons"}), hide_index=True)
        with right:
            st.markdown("**Their validation status**")
            st.dataframe(entry["statuses"].rename(columns={"label": "Status", "lessons": "Lessons"}), hide_index=True)
    if not pilots.empty:
        st.markdown("**Pilots that used it**")
        for pilot in pilots.itertuples():
            st.page_link(
                LESSONS_PAGE, label=f"{safe(pilot.name)} ({safe(pilot.country)})", query_params={"pilot": pilot.slug},
                icon=":material/place:",
            )  # fmt: skip


def _translations(entry: dict) -> None:
    others = [(lang, f, t) for lang, f, t in entry["translations"] if lang != entry["language"]]
    if not others:
        return
    shown = sorted({lang for lang, _f, _t in others})
    with st.expander(f"Its texts in other languages ({', '.join(catalogue.language_name(lang) for lang in shown)})"):
        for lang, field, text in others:
            st.markdown(f"**{catalogue.language_name(lang)} — {field}**")
            _paragraphs(text)


def entry_section(entry: dict) -> None:
    """One entry in full: what it is, its problems, phase, effort, link, source, licence, and who used it."""
    st.button("Back to all methods and tools", icon=":material/arrow_back:", key=f"{KEY}_back", on_click=open_entry,
              args=("",))  # fmt: skip
    st.subheader(safe(entry["name"]), anchor=False)
    language = entry["language"]
    st.caption(
        f"{entry['kind_label']} · {safe(entry['code'])}"
        + ("" if language == "en" else f" · shown in {catalogue.language_name(language)}: it has no English text")
    )
    _paragraphs(entry.get("description"))
    link = entry.get("link") or ""
    if link.startswith(("https://", "http://")):
        st.link_button("Open its page", link, icon=":material/open_in_new:")
    _facts(entry)
    if entry["problems"]:
        st.markdown("**Problems it addresses**")
        for problem in entry["problems"]:
            st.markdown(f"- **{safe(problem['name'])}** ({safe(problem['phase_name'] or 'no phase')})")
            if problem.get("description"):
                st.caption(safe(problem["description"]))
    _use(entry)
    _translations(entry)
