"""The Methods and tools page: the catalogue's cached loaders, its filters, the list of entries and one entry in full.

Every text of the catalogue is shown as text (``widgets.safe``, or as a plain cell of a data frame): INTERLINK's
descriptions were HTML, turned into text on import, and an entry's name may hold anything its source wrote.

An entry's name and texts are shown in the reader's language where the entry has them (INTERLINK's interlinkers
carry Italian, Spanish and Latvian texts), else in English, and the page says which language it fell back to. The
loaders that return translated text take the reader's language (``lang``) as a cache key.
"""

from __future__ import annotations

from urllib.parse import quote_plus

import pandas as pd
import streamlit as st

from components import language
from components.auth import audience as reader_audience
from components.loaders import TTL
from components.url_state import Param
from components.widgets import multiselect_facet, safe
from lessons import catalogue
from lessons.access import reading
from lessons.i18n import N_, Labels, _, ngettext, number
from lessons.store import KIND_LABELS, STATUS_LABELS

LESSONS_PAGE = "pages/lessons.py"
METHODS_PAGE = "pages/methods.py"
KEY = "methods"
#: The page's filters: (URL parameter, filter name as in ``catalogue.entry_list``, label, help).
FILTERS = (
    ("kind", "kinds", N_("Kind"),
     N_("A participatory method, a whole process or one of its stages, a guide or a software tool")),
    ("phase", "phases", N_("Co-creation phase"), N_("The phase where the method or tool is mostly used")),
    ("problem", "problems", N_("Problem addressed"), N_("INTERLINK's problem profiles")),
    ("language", "languages", N_("Language available"), N_("Entries with a text in this language")),
)  # fmt: skip
#: The table shows an entry's link by the name its last parameter carries (:func:`entry_link`).
NAME_IN_LINK = r"[?&]name=(.*)$"
EFFORT_LABELS = Labels({"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")})
#: Where an entry comes from, as the page names it (an imported spreadsheet is named by its file).
CATALOGUE_LABELS = Labels({"built-in": N_("Built into this app"), "interlink": N_("INTERLINK catalogue")})


def catalogue_label(code) -> str:
    """An entry's catalogue as shown: the built-in and INTERLINK ones named, a spreadsheet by its file name."""
    return CATALOGUE_LABELS.get(code, code) if isinstance(code, str) else ""


#: An entry's texts, as the page names them.
FIELD_LABELS = Labels({"name": N_("Name"), "description": N_("Description"), "problem": N_("Problem addressed")})


def language_label(code: str) -> str:
    """A language's name in the reader's language, capitalised as a label (e.g. "Latvia" for a Finnish reader)."""
    name = catalogue.language_name(code, language.current())
    return name[:1].upper() + name[1:]


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_options(path: str, version: int, *, audience: str, lang: str) -> dict[str, pd.DataFrame]:
    """Every filter's values with how many entries have each (uses counted among what ``audience`` may see), the
    labels in ``lang``."""
    with reading(path, audience) as db:
        options = catalogue.catalogue_options(db)
    options["languages"]["label"] = options["languages"]["value"].map(language_label)
    options["phases"]["label"] = options["phases"]["label"].map(_)
    return options


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_entries(path: str, version: int, text: str = "", *, audience: str, lang: str, **filters) -> pd.DataFrame:
    """The entries matching the search words and filters (uses counted among what ``audience`` may see), each named
    in ``lang`` where it has a name in it (``name_language`` says which language each name is in)."""
    with reading(path, audience) as db:
        return catalogue.entry_list(db, text=text, language=lang, **filters)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_entry(path: str, version: int, code: str, *, audience: str, lang: str) -> dict | None:
    """One entry in full, with the lessons and pilots that used it (those ``audience`` may see), and its texts in
    ``lang`` where it has them, else in English (``texts``: ``catalogue.entry_texts``)."""
    with reading(path, audience) as db:
        entry = catalogue.entry_detail(db, code)
        if entry is not None:
            entry["texts"] = catalogue.entry_texts(db, code, lang)
    return entry


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def load_lesson_entries(path: str, version: int, lesson_id: int, *, audience: str, lang: str) -> pd.DataFrame:
    """The methods and tools a lesson used (when ``audience`` may see the lesson), named in ``lang`` where they can."""
    with reading(path, audience) as db:
        used = catalogue.lesson_entries(db, lesson_id)
        names = catalogue.entry_list(db, language=lang).set_index("code")["name"]
    return used.assign(name=used["code"].map(names).fillna(used["name"]))


def lesson_methods_section(path: str, version: int):
    """A lesson-page section: the methods and tools of the catalogue the lesson used, each linking to its entry."""

    def section(detail: dict) -> None:
        used = load_lesson_entries(
            path, version, int(detail["id"]), audience=reader_audience(path), lang=language.current()
        )
        if used.empty:
            return
        st.markdown(_("**Methods and tools it used**"))
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
    st.text_input(_("Search the catalogue"), key=f"{KEY}_q", placeholder=_("e.g. jury, persona, open source"))
    with st.expander(_("Filters"), icon=":material/filter_list:", expanded=True):
        for i, (_param, name, label, help_text) in enumerate(FILTERS):
            if i % 2 == 0:
                columns = st.columns(2)
            facet = options[name].rename(columns={"entries": "lessons"})  # the facet widget counts a "lessons" column
            with columns[i % 2]:
                multiselect_facet(_(label), facet, key=f"{KEY}_{name}", help=_(help_text))


def entry_link(code: str, name: str) -> str:
    """An entry's link on this page; its name follows as a last parameter the table shows as the link's text.

    >>> entry_link("world-cafe", "World café")
    '?entry=world-cafe&name=World+caf%C3%A9'
    """
    return f"?entry={quote_plus(code)}&name={quote_plus(str(name))}"


def fallback_note(rows: pd.DataFrame) -> None:
    """Say how many listed entries have no name in the reader's language yet (shown in English instead)."""
    wanted = language.current()
    missing = rows[rows["name_language"] != wanted]
    if missing.empty:
        return
    shown = missing["name_language"].mode().iloc[0]
    st.caption(
        ngettext(
            "{n} entry has no name in {wanted} yet: it is shown in {shown}.",
            "{n} entries have no name in {wanted} yet: they are shown in {shown}.",
            len(missing),
        ).format(
            n=number(len(missing)),
            wanted=catalogue.language_name(wanted, wanted),
            shown=catalogue.language_name(shown, wanted),
        )
    )


def entries_table(rows: pd.DataFrame) -> None:
    """The entries as a sortable table; an entry's name links to it (in a new tab)."""
    wanted = language.current()
    name, lessons, pilots = _("Name"), _("Lessons"), _("Pilots")
    table = pd.DataFrame(
        {
            name: [entry_link(c, n) for c, n in zip(rows["code"], rows["name"])],
            _("Name shown in"): ["" if lang == wanted else language_label(lang) for lang in rows["name_language"]],
            _("Kind"): rows["kind"].map(lambda k: catalogue.KIND_LABELS.get(k, k)),
            _("Phase"): rows["phase_name"].map(lambda p: _(p) if isinstance(p, str) else "—"),
            _("Effort"): rows["effort"].map(lambda e: EFFORT_LABELS.get(e, "—")),
            lessons: rows["lessons"],
            pilots: rows["pilots"],
            _("Languages"): rows["languages"].fillna(""),
            _("Problems addressed"): rows["problems"].fillna(""),
            _("Catalogue"): rows["catalogue"].map(catalogue_label),
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            name: st.column_config.LinkColumn(name, display_text=NAME_IN_LINK),
            lessons: st.column_config.NumberColumn(lessons, help=_("Lessons that used it")),
            pilots: st.column_config.NumberColumn(pilots, help=_("Pilots that used it")),
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
        _("Open an entry"), list(names), index=None, format_func=names.get, key=f"{KEY}_pick", on_change=_picked,
        placeholder=_("Choose a method or tool"), help=_("Its problem, phase, effort, link, source, and who used it"),
    )  # fmt: skip


def _paragraphs(text: str | None) -> None:
    """Plain text as paragraphs, its line breaks kept, never as markup."""
    for paragraph in (text or "").split("\n\n"):
        if paragraph.strip():
            st.markdown("  \n".join(safe(line) for line in paragraph.split("\n")))


def _facts(entry: dict) -> None:
    shown_in_languages = set(entry["texts"]["languages"].values())  # a built-in entry's, from the interface's
    languages = sorted({lang for lang, _f, _t in entry["translations"]} | {entry["language"]} | shown_in_languages)
    licence = entry.get("licence")
    problem = entry["texts"]["problem"]
    shown_problems = [entry["texts"]["problems"].get(p["code"], p)["name"] for p in entry["problems"]]
    phase = entry.get("phase_name")
    facts = {
        _("Problem addressed"): problem or "; ".join(shown_problems) or None,
        _("Co-creation phase"): _(phase) if phase else None,
        _("Effort"): EFFORT_LABELS.get(entry.get("effort") or ""),
        _("Link"): entry.get("link"),
        _("Source"): entry.get("source"),
        _("Licence"): catalogue.LICENCE_LABELS.get(licence, licence) if licence else None,
        _("Languages available"): ", ".join(language_label(lang) for lang in languages),
        _("Catalogue"): catalogue_label(entry.get("catalogue")),
    }
    # one line each (a table would be cut off on a phone); every value escaped
    with st.container(key=f"{KEY}_facts"):
        for field, value in facts.items():
            st.markdown(_("**{field}:** {value}").format(field=field, value=safe(value) or "—"))


def _use(entry: dict) -> None:
    lessons, pilots = entry["lessons"], entry["pilots"]
    st.subheader(_("Who used it, and how it went"), anchor=False)
    figures = st.container(horizontal=True, gap="medium")
    figures.metric(_("Lessons"), number(len(lessons)), width="content")
    figures.metric(_("Validated or beyond"), number(entry["validated"]), width="content")
    figures.metric(_("Pilots"), number(len(set(pilots["slug"]) | set(lessons["pilot"]))), width="content")
    if lessons.empty and pilots.empty:
        st.caption(_("No lesson or pilot is linked to it yet."))
        return
    if not lessons.empty:
        st.markdown(_("**Lessons that used it**"))
        for lesson in lessons.itertuples():
            st.page_link(
                LESSONS_PAGE, label=safe(lesson.title), query_params={"lesson": str(int(lesson.id))},
                icon=":material/article:",
            )  # fmt: skip
            st.caption(
                _("{pilot} · lesson {key} · {kind} · {status}").format(
                    pilot=safe(lesson.pilot_name),
                    key=safe(lesson.key),
                    kind=KIND_LABELS.get(lesson.kind, lesson.kind),
                    status=STATUS_LABELS.get(lesson.status, lesson.status),
                )
            )
        st.page_link(
            LESSONS_PAGE,
            label=ngettext(
                "The {n} lesson on the Lessons page", "These {n} lessons on the Lessons page", len(lessons)
            ).format(n=number(len(lessons))),
            query_params={"uses": entry["code"]},
            icon=":material/filter_list:",
        )
        left, right = st.columns(2)
        with left:
            st.markdown(_("**The lessons' kinds**"))
            kinds = entry["kinds"].assign(label=entry["kinds"]["label"].map(_))
            st.dataframe(kinds.rename(columns={"label": _("Kind"), "lessons": _("Lessons")}), hide_index=True)
        with right:
            st.markdown(_("**Their validation status**"))
            statuses = entry["statuses"].assign(label=entry["statuses"]["label"].map(_))
            st.dataframe(statuses.rename(columns={"label": _("Status"), "lessons": _("Lessons")}), hide_index=True)
    if not pilots.empty:
        st.markdown(_("**Pilots that used it**"))
        for pilot in pilots.itertuples():
            st.page_link(
                LESSONS_PAGE, label=f"{safe(pilot.name)} ({safe(pilot.country)})", query_params={"pilot": pilot.slug},
                icon=":material/place:",
            )  # fmt: skip


def _translations(entry: dict) -> None:
    texts = entry["texts"]
    others = [(lang, f, t) for lang, f, t in entry["translations"] if texts["languages"].get(f) != lang]
    if not others:
        return
    shown = sorted({lang for lang, _f, _t in others})
    with st.expander(
        _("Its texts in other languages ({languages})").format(languages=", ".join(language_label(c) for c in shown))
    ):
        for lang, field, text in others:
            st.markdown(
                _("**{language} — {field}**").format(
                    language=language_label(lang), field=FIELD_LABELS.get(field, field)
                )
            )
            _paragraphs(text)


def shown_in(texts: dict) -> str | None:
    """Say which language an entry is shown in when it is not the reader's, and why (None when it is).

    >>> shown_in({"wanted": "en", "language": "it", "fallback": True, "languages": {"name": "it"}})
    'Shown in Italian: there is no text in English yet.'
    >>> shown_in({"wanted": "en", "language": "en", "fallback": False, "languages": {"name": "en"}}) is None
    True
    """
    if not texts["fallback"]:
        return None
    wanted = texts["wanted"]
    names = {
        "wanted": catalogue.language_name(wanted, wanted),
        "shown": catalogue.language_name(texts["language"], wanted),
    }
    if texts["languages"].get("name") == wanted and texts["language"] != wanted:
        return _("Its description is shown in {shown}: there is none in {wanted} yet.").format(**names)
    if texts["language"] == wanted:
        return None  # only a secondary text (the problem it addresses) is in another language
    return _("Shown in {shown}: there is no text in {wanted} yet.").format(**names)


def entry_section(entry: dict) -> None:
    """One entry in full: what it is, its problems, phase, effort, link, source, licence, and who used it."""
    st.button(_("Back to all methods and tools"), icon=":material/arrow_back:", key=f"{KEY}_back",
              on_click=open_entry, args=("",))  # fmt: skip
    texts = entry["texts"]
    st.subheader(safe(texts["name"]), anchor=False)
    st.caption(f"{catalogue.KIND_LABELS.get(entry['kind'], entry['kind'])} · {safe(entry['code'])}")
    note = shown_in(texts)
    if note:
        st.caption(note)
    _paragraphs(texts.get("description"))
    link = entry.get("link") or ""
    if link.startswith(("https://", "http://")):
        st.link_button(_("Open its page"), link, icon=":material/open_in_new:")
    _facts(entry)
    if entry["problems"]:
        st.markdown(_("**Problems it addresses**"))
        for problem in entry["problems"]:
            shown = texts["problems"].get(problem["code"], problem)  # in the reader's language where it can
            phase = _(problem["phase_name"]) if problem["phase_name"] else _("no phase")
            st.markdown(f"- **{safe(shown['name'])}** ({safe(phase)})")
            if shown.get("description"):
                st.caption(safe(shown["description"]))
    _use(entry)
    _translations(entry)
