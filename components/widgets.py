"""Small Streamlit pieces shared by pages: safe text, notices, lesson filters, cards, tables and details, pilot
cards."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial
from urllib.parse import quote_plus, urlencode

import pandas as pd
import streamlit as st

from components.language import link_params
from components.url_state import FIRST_DATE, LAST_DATE, Param, iso_date
from lessons.i18n import N_, _, as_date, day, language_name, ngettext, number
from lessons.i18n import current as current_language
from lessons.lifecycle import describe
from lessons.queries import KIND_LABELS, MATCH_END, MATCH_START, STATUS_LABELS  # the labels: also for edit forms

#: Every character Markdown, GFM, Streamlit's directives or KaTeX give a meaning to; each gets a backslash.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:&=^])")
#: Characters that are never text: C0/C1 controls but tab and line feed, and bidirectional overrides and isolates
#: (U+202E would show the rest of a line reversed).
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: U+2060 WORD JOINER: invisible and not a space. Put after every colon, after "@" and between "www" and its dot,
#: it breaks what a backslash cannot: GFM's bare-URL and e-mail autolinks (``http://…``, ``www.…``, ``a@b.org``),
#: Streamlit's ``:material/icon:`` (replaced in the raw source, before escapes are read) and emoji shortcodes.
WORD_JOINER = "\u2060"
_INDENT = re.compile(r"(?m)^(?: {4,}| *\t[ \t]*)")  # what starts an indented code block
_WWW = re.compile(r"(?i)(www)(?=\\\.)")


#: The page of one pilot (``?pilot=SLUG``) and the list of pilots.
PILOTS_PAGE = "pages/pilots.py"
#: What a table shows where there is no value (never "None" or "nan").
NO_VALUE = "—"


def vocab(label):
    """A built-in vocabulary label (a theme, phase, sector, kind, status...) in the reader's language: the vocabulary
    area's catalogue holds them; an unknown label, or no label, is itself."""
    return _(label) if isinstance(label, str) and label else label


def kind_label(code) -> str:
    """A lesson kind's label (``enabler`` → Enabler) in the reader's language."""
    return KIND_LABELS.get(code, code)  # the labels translate as they are read (lessons.i18n.Labels)


def status_label(code) -> str:
    """A lesson status's label (``applied_elsewhere`` → Applied elsewhere) in the reader's language."""
    return STATUS_LABELS.get(code, code)


def vocab_list(names, sep: str = "; ") -> str:
    """Joined vocabulary labels (a lesson's themes, stored joined with "; ") each in the reader's language."""
    if names is None or (isinstance(names, float) and pd.isna(names)):
        return ""
    items = names if isinstance(names, (list, tuple)) else str(names).split("; ")
    return sep.join(str(vocab(n)) for n in items if n)


def pilot_href(slug: str) -> str:
    """The link to a pilot's own page (``pilots?pilot=SLUG``, relative to this page; the reader's language kept)."""
    return "pilots?" + urlencode({"pilot": str(slug), **link_params()})


def pilot_name_link(name, slug) -> str:
    """A pilot's name as Markdown linking to its page: the name escaped by :func:`safe`, the link ours; the name
    alone when the pilot is unknown."""
    if slug is None or (isinstance(slug, float) and pd.isna(slug)) or not str(slug):
        return safe(name)
    return f"[{safe(name)}]({pilot_href(slug)})"


def readable(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The ``columns`` of ``frame`` (name → heading in words), a dash where a text has no value (#19)."""
    table = frame[[c for c in columns if c in frame]].rename(columns=columns)
    for name in table.columns:
        if table[name].dtype == object or pd.api.types.is_string_dtype(table[name]):
            table[name] = table[name].astype(object).where(table[name].notna(), NO_VALUE)
    return table


def safe(text) -> str:
    """User text as Markdown that Streamlit shows exactly as written: the one escape for every piece of user text
    that reaches ``st.markdown``, ``st.caption``, alerts, ``st.table`` cells, headings and the labels of buttons,
    links, expanders, tabs, radios and metrics (selectbox and multiselect options and ``st.dataframe`` cells are
    plain text already: pass them unescaped).

    No links (Markdown, HTML or bare URLs), images, HTML, emphasis, headings, lists, code blocks, LaTeX, colour
    directives, Material icons or emoji shortcodes: Markdown's special characters get a backslash, a word joiner
    (U+2060, invisible; shown as ¦ below) breaks autolinks and ``:name:`` shortcodes, leading spaces that would start
    a code block become no-break spaces (°), and control characters and bidirectional overrides are dropped.

    >>> safe("**bold** [x](http://e.vil)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\]\\\\(http\\\\:\\u2060//e\\\\.vil\\\\)'
    >>> payloads = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    ...             "![x](http://127.0.0.1:9/x.png)", "http://127.0.0.1:9/auto", ":material/home:", ":red[x]",
    ...             "$\\\\href{javascript:alert(1)}{x}$", '=HYPERLINK("x")', "+cmd", "@SUM(1)", "a\\x00b\\x07c\\u202ed",
    ...             "www.example.org", "me@example.org", "Title\\n===", "    indented code", "&lt; &#60;", "😀 中文"]
    >>> for p in payloads:
    ...     print(safe(p).replace(WORD_JOINER, "¦").replace("\\u00a0", "°"))
    \\<script\\>alert\\(1\\)\\</script\\>
    \\<img src\\=x onerror\\=alert\\(1\\)\\>
    \\[x\\]\\(javascript\\:¦alert\\(1\\)\\)
    \\!\\[x\\]\\(http\\:¦//127\\.0\\.0\\.1\\:¦9/x\\.png\\)
    http\\:¦//127\\.0\\.0\\.1\\:¦9/auto
    \\:¦material/home\\:¦
    \\:¦red\\[x\\]
    \\$\\\\href\\{javascript\\:¦alert\\(1\\)\\}\\{x\\}\\$
    \\=HYPERLINK\\("x"\\)
    \\+cmd
    @¦SUM\\(1\\)
    abcd
    www¦\\.example\\.org
    me@¦example\\.org
    Title
    \\=\\=\\=
    °°°°indented code
    \\&lt; \\&\\#60;
    😀 中文
    >>> safe(None), safe(float("nan")), safe(3), safe("x" * 5_000) == "x" * 5_000
    ('', '', '3', True)
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    text = _NOT_TEXT.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    text = _INDENT.sub(lambda m: "\u00a0" * len(m[0]), text)  # no-break spaces: not an indented code block
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = text.replace(":", ":" + WORD_JOINER).replace("@", "@" + WORD_JOINER)
    return _WWW.sub(r"\1" + WORD_JOINER, text)


def highlight(snippet) -> str:
    """Escape a search snippet and show its matched words in bold.

    >>> highlight("a \ue000match\ue001 [x]")
    'a **match** \\\\[x\\\\]'
    """
    parts = re.split(f"{MATCH_START}(.*?){MATCH_END}", "" if snippet is None else str(snippet))
    return "".join(f"**{safe(part)}**" if i % 2 else safe(part) for i, part in enumerate(parts))


def data_notice(notice: str | None) -> None:
    """Say plainly when what is shown is illustrative demo or synthetic data."""
    if notice:
        st.info(safe(notice), icon=":material/info:")


def lesson_card(row, *, key: str, on_open) -> None:
    """A readable summary of one lesson; its title opens the full lesson."""
    with st.container(border=True):
        st.button(
            f"**{safe(row.title)}**",
            key=f"{key}_{row.id}",
            type="tertiary",
            on_click=on_open,
            args=(int(row.id),),
            help=_("Open the full lesson"),
        )
        st.markdown(  # not a caption: a caption fades its link below 4.5:1 (WCAG 1.4.3)
            f"{pilot_name_link(row.pilot_name, getattr(row, 'pilot', None))} · "
            f"{safe(getattr(row, 'country_name', row.country))} · "
            f"{kind_label(row.kind)} · "
            f"{safe(vocab(row.phase_name))} · {status_label(row.status)}"
        )
        if note := getattr(row, "language_note", None):  # a translation, or the original in another language (#21)
            st.caption(safe(note))
        st.markdown(highlight(row.snippet))
        if row.themes:
            st.caption(_("Themes: {themes}").format(themes=safe(vocab_list(row.themes))))


def visibility_note(status: str | None, visibility: str | None) -> str | None:
    """Say who else can see a lesson that is not public (None for a public one): readers who are signed in should
    know before they quote it outside the consortium.

    >>> visibility_note("validated", "public") is None
    True
    >>> visibility_note("draft", "public")
    'Seen by signed-in users only: it is a draft.'
    >>> visibility_note("validated", "private")
    "Seen by this pilot's coordinators and the administrators only."
    """
    if visibility == "private":
        return _("Seen by this pilot's coordinators and the administrators only.")
    if visibility == "consortium":
        return _("Seen by signed-in users of the consortium only.")
    if status == "draft":
        return _("Seen by signed-in users only: it is a draft.")
    return None


def _lesson_text(detail: dict) -> None:
    st.subheader(safe(detail["title"]), anchor=False)
    lesson_key = _("lesson {key}").format(key=safe(detail["key"]))
    st.caption(
        f"{safe(detail['pilot_name'])} ({safe(detail['city'])}, {safe(detail.get('country_name') or detail['country'])})"
        f" · {lesson_key} · {kind_label(detail['kind'])} · "
        f"{status_label(detail['status'])}"
    )
    if detail.get("language_note"):  # a translation, or the original in another language (#21)
        st.caption(safe(detail["language_note"]))
    if note := visibility_note(detail.get("status"), detail.get("visibility")):
        st.caption(note, help=_("Its pilot's coordinators choose who can see it (Edit pilot data)."))
    if detail.get("pilot"):
        st.page_link(
            PILOTS_PAGE,
            label=_("About the pilot: {name}").format(name=safe(detail["pilot_name"])),
            query_params={"pilot": detail["pilot"]},
            icon=":material/place:",
        )
    st.markdown(_("**What was learned.** {text}").format(text=safe(detail["lesson"])))
    if detail.get("context"):
        st.markdown(_("**Context.** {text}").format(text=safe(detail["context"])))
    if detail.get("recommendation"):
        st.markdown(_("**Recommendation.** {text}").format(text=safe(detail["recommendation"])))


def provenance(detail: dict) -> str:
    """Where a lesson came from: the uploaded file (or entered directly), when, and by whom when known.

    >>> provenance({"upload_file": "oulu.xlsx", "upload_at": "2026-03-04T10:00:00Z", "upload_by": "ana"})
    'oulu.xlsx, recorded Mar 4, 2026 by ana'
    >>> provenance({})
    'entered directly, recorded at an unknown date'
    """
    source = detail.get("upload_file") or _("entered directly")
    when, by = day(detail.get("upload_at")), detail.get("upload_by")
    if when and by:
        return _("{source}, recorded {date} by {user}").format(source=source, date=when, user=by)
    if when:
        return _("{source}, recorded {date}").format(source=source, date=when)
    if by:
        return _("{source}, recorded at an unknown date by {user}").format(source=source, user=by)
    return _("{source}, recorded at an unknown date").format(source=source)


def _lesson_facts(detail: dict) -> None:
    language = detail.get("language")
    facts = {
        _("Co-creation phase"): vocab(detail.get("phase_name")),
        _("Methodology"): vocab(detail.get("methodology")),
        _("Themes"): vocab_list(detail["themes"], ", "),
        _("Stakeholder groups concerned"): vocab_list(detail["groups"], ", "),
        _("Evidence"): " — ".join(
            str(x) for x in (vocab(detail.get("evidence_strength")), detail.get("evidence_source")) if x
        ),
        _("Recorded on"): day(detail.get("recorded_on")),
        _("Language"): language_name(language) if language else None,
        _("Provenance"): provenance(detail),
    }
    # st.table renders every cell as Markdown
    field, value = _("Field"), _("Value")
    st.table(pd.DataFrame({field: list(facts), value: [safe(v) or "—" for v in facts.values()]}).set_index(field))


APP_NAME = "Cross-Pilot Lessons"


def lesson_link(lesson_id: int, title: str | None = None) -> str:
    """A lesson's link relative to the Lessons page (``?lesson=ID``); with its title as a last parameter that the
    table shows as the link's text (the page ignores it).

    >>> lesson_link(7), lesson_link(7, "Trust & *care*")
    ('?lesson=7', '?lesson=7&title=Trust+%26+%2Acare%2A')
    """
    link = f"?lesson={int(lesson_id)}"
    return link if title is None else f"{link}&title={quote_plus(str(title))}"


def lesson_permalink(lesson_id: int) -> str:
    """The full link to a lesson on the server this page is served from (relative when the address is unknown)."""
    base = str(getattr(st.context, "url", "") or "").split("?")[0].rsplit("/", 1)[0]
    return f"{base}/lessons{lesson_link(lesson_id)}" if base else f"lessons{lesson_link(lesson_id)}"


def lesson_citation(detail: dict, permalink: str) -> str:
    """A plain-text citation of a lesson, led by the ``L<id> (<pilot>)`` the briefs cite lessons with.

    >>> print(lesson_citation({"id": 7, "pilot_name": "Oulu", "title": "Trust", "key": "L01",
    ...                        "recorded_on": "2021-04-01", "status": "validated"}, "https://x.org/lessons?lesson=7"))
    L7 (Oulu): “Trust”, lesson L01, recorded 2021-04-01, status Validated. Cross-Pilot Lessons, https://x.org/lessons?lesson=7
    """
    recorded = str(detail.get("recorded_on") or "")[:10]
    fields = {"id": int(detail["id"]), "pilot": detail["pilot_name"], "title": detail["title"], "key": detail["key"],
              "status": status_label(detail["status"]), "app": APP_NAME, "link": permalink}  # fmt: skip
    if recorded:
        return _("L{id} ({pilot}): “{title}”, lesson {key}, recorded {date}, status {status}. {app}, {link}").format(
            date=recorded, **fields
        )
    return _("L{id} ({pilot}): “{title}”, lesson {key}, date not recorded, status {status}. {app}, {link}").format(
        **fields
    )


def pilot_permalink(slug: str, page: str = "lessons") -> str:
    """The full link to a pilot's lessons on this server (``lessons?pilot=SLUG``), or to its own page with
    ``page="pilots"``; relative when the address is unknown."""
    base = str(getattr(st.context, "url", "") or "").split("?")[0].rsplit("/", 1)[0]
    link = f"{page}?pilot={quote_plus(str(slug))}"
    return f"{base}/{link}" if base else link


def pilot_citation(label: str, lessons: int, permalink: str) -> str:
    """A plain-text citation of a pilot's lessons.

    >>> print(pilot_citation("Oulu libraries (FI)", 12, "https://x.org/lessons?pilot=oulu"))
    Oulu libraries (FI): 12 lessons recorded by the pilot. Cross-Pilot Lessons, https://x.org/lessons?pilot=oulu
    """
    return ngettext(
        "{pilot}: {n} lesson recorded by the pilot. {app}, {link}",
        "{pilot}: {n} lessons recorded by the pilot. {app}, {link}",
        lessons,
    ).format(pilot=label, n=number(lessons), app=APP_NAME, link=permalink)


def pilot_share(facets: dict[str, pd.DataFrame], chosen: Sequence[str], page: str = "lessons") -> None:
    """When the list shows one pilot: that pilot's permalink and a citation, to copy (plain text, never markup);
    ``page="pilots"`` links to the pilot's own page instead of its lessons."""
    if len(chosen) != 1:
        return
    pilots = facets["pilots"].set_index("value")
    if chosen[0] not in pilots.index:
        return
    row = pilots.loc[chosen[0]]
    with st.expander(_("Link and citation for this pilot"), icon=":material/link:"):
        link = pilot_permalink(chosen[0], page)
        st.caption(_("Copy link"))
        st.code(link, language=None, wrap_lines=True)
        st.caption(_("Cite this"))
        st.code(pilot_citation(str(row["label"]), int(row["lessons"]), link), language=None, wrap_lines=True)


def lesson_share(detail: dict) -> None:
    """A lesson's permalink and a citation, each in a box with its own copy button (plain text, never markup)."""
    link = lesson_permalink(detail["id"])
    st.markdown("**" + _("Copy link") + "**")
    st.code(link, language=None, wrap_lines=True)
    st.markdown("**" + _("Cite this") + "**")
    st.code(lesson_citation(detail, link), language=None, wrap_lines=True)


#: A lesson's governance-model links: the table's columns and a link's stance, in words.
ELEMENT_COLUMNS = {"model": N_("Model"), "element": N_("Element"), "stance": N_("Stance")}
STANCES = {"supports": N_("Supports"), "challenges": N_("Challenges")}


def _lesson_elements(detail: dict) -> None:
    if detail["elements"]:
        st.markdown(_("**Governance-model elements this lesson supports or challenges**"))
        elements = pd.DataFrame(detail["elements"])
        if "stance" in elements:
            elements["stance"] = elements["stance"].map(lambda v: _(STANCES.get(v, v)))
        st.dataframe(elements.rename(columns=lambda c: _(ELEMENT_COLUMNS.get(c, c))), hide_index=True, width="stretch")


def validation_lines(validation: Sequence[dict]) -> list[str]:
    """One plain sentence per workshop and round, e.g. "Spring workshop (closed), round 1: 12 agree, 3 disagree,
    2 pass" (workshop titles escaped).

    >>> validation_lines([{"workshop": "W*", "status": "open", "round": 2, "agree": 1, "disagree": 0, "pass": 0,
    ...                    "votes": 1}])
    ['W\\\\* (open), round 2: 1 agree, 0 disagree, 0 pass']
    >>> validation_lines([{"workshop": "W", "status": "draft", "round": 1, "agree": 0, "disagree": 0, "pass": 0,
    ...                    "votes": 0}])
    ['W (draft), round 1: no votes yet']
    """
    lines = []
    for row in validation:
        fields = {"workshop": safe(row["workshop"]), "status": _(WORKSHOP_STATUSES.get(row["status"], row["status"])),
                  "round": number(row["round"])}  # fmt: skip
        if row["votes"]:
            lines.append(
                _("{workshop} ({status}), round {round}: {agree} agree, {disagree} disagree, {passed} pass").format(
                    agree=number(row["agree"]), disagree=number(row["disagree"]), passed=number(row["pass"]), **fields
                )
            )
        else:
            lines.append(_("{workshop} ({status}), round {round}: no votes yet").format(**fields))
    return lines


#: A workshop's status as a lesson's validation names it.
WORKSHOP_STATUSES = {"draft": N_("draft"), "open": N_("open"), "closed": N_("closed")}
NO_VALIDATION = N_(
    "No validation workshop has voted on this lesson yet. (Votes of a workshop with fewer than 5 participants are "
    "never shown, so that nobody can be singled out.)"
)


def lesson_validation(detail: dict) -> None:
    """How validation workshops voted on statements drawn from the lesson, per workshop and round."""
    st.markdown(_("**Validation in workshops**"))
    lines = validation_lines(detail.get("validation") or [])
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    else:
        st.caption(_(NO_VALIDATION))


def status_timeline_lines(history: Sequence[dict]) -> list[str]:
    """The lesson's status history as escaped lines, oldest first: the date, then who acted by role or workshop
    (:func:`lessons.lifecycle.describe`), never an account.

    >>> status_timeline_lines([{"at": "2026-05-02T10:00:00Z", "status": "endorsed", "source": "decision",
    ...                         "role": "admin", "reason": "Seen in *three* pilots"}])
    ['May 2, 2026 · Endorsed by an administrator\\\\:\\u2060 Seen in \\\\*three\\\\* pilots']
    """
    return [f"{day(row.get('at'))} · {safe(describe(row))}" for row in history]


def lesson_status_history(detail: dict) -> None:
    """The public record of the lesson's status: every change, who acted (by role or workshop) and why."""
    st.markdown(_("**How this lesson got its status**"))
    lines = status_timeline_lines(detail.get("status_history") or [])
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    else:
        st.caption(_("No change of this lesson's status has been recorded."))


def lesson_actors(detail: dict) -> None:
    """The stakeholders of the pilot that the lesson concerns, each opening its place in the pilot's network."""
    actors = detail.get("actors") or []
    st.markdown(_("**Stakeholders this lesson concerns**"))
    if not actors:
        st.caption(_("The pilot has not named the stakeholders this lesson concerns."))
        return
    for actor in actors:
        st.page_link(
            "pages/networks.py",
            label=safe(actor["name"]),
            query_params={"pilot": detail["pilot"], "actor": actor["key"]},
            icon=":material/hub:",
            help=_("Show this stakeholder in the pilot's network"),
        )
        parts = [safe(vocab(actor["sector_name"]))]
        if actor.get("hard_to_reach"):
            parts.append(_("hard to reach"))
        if actor.get("role"):
            parts.append(safe(actor["role"]))
        st.caption(" · ".join(parts))


#: The sections of a lesson's page, in order; each takes the lesson's detail dict.
LESSON_SECTIONS: tuple[Callable[[dict], None], ...] = (
    _lesson_text,
    _lesson_facts,
    lesson_share,
    _lesson_elements,
    lesson_validation,
    lesson_status_history,
    lesson_actors,
)


def lesson_detail(detail: dict, *, extra_sections: Sequence[Callable[[dict], None]] = ()) -> None:
    """The whole lesson: text, context, recommendation, evidence, provenance, governance-model links and validation
    results; ``extra_sections`` (functions taking the detail dict) follow, for views added later."""
    for section in (*LESSON_SECTIONS, *extra_sections):
        section(detail)


def pilot_card(pilot, *, lessons_page) -> None:
    """A pilot's facts and counts, with a link to its lessons."""
    with st.container(border=True):
        st.markdown(f"**{safe(pilot.name)}**")
        st.caption(f"{safe(pilot.city)}, {safe(pilot.country_name)} · {safe(vocab(pilot.methodology))}")
        st.markdown(safe(pilot.service_area))
        st.caption(
            " · ".join(
                (
                    ngettext("{n} lesson", "{n} lessons", pilot.lessons).format(n=number(pilot.lessons)),
                    ngettext("{n} validated", "{n} validated", pilot.validated).format(n=number(pilot.validated)),
                    ngettext("{n} stakeholder", "{n} stakeholders", pilot.stakeholders).format(
                        n=number(pilot.stakeholders)
                    ),
                )
            )
        )
        st.page_link(
            lessons_page,
            label=_("Lessons of this pilot ({n})").format(n=number(pilot.lessons)),
            icon=":material/arrow_forward:",
            query_params={"pilot": pilot.slug},
        )
        st.page_link(
            PILOTS_PAGE, label=_("About this pilot"), icon=":material/place:", query_params={"pilot": pilot.slug}
        )


def pilot_table(pilots: pd.DataFrame) -> None:
    """Every pilot in a sortable table, each linking to its lessons."""
    table = pilots.assign(  # the links keep the reader's language (they open in a new tab)
        link=["lessons?" + urlencode({"pilot": str(slug), **link_params()}) for slug in pilots["slug"]],
        page=[pilot_href(slug) for slug in pilots["slug"]],
        methodology=pilots["methodology"].map(vocab),
    )[
        [
            "name",
            "country_name",
            "city",
            "service_area",
            "methodology",
            "lessons",
            "validated",
            "stakeholders",
            "link",
            "page",
        ]
    ]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "name": _("Pilot"),
            "country_name": _("Country"),
            "city": _("City"),
            "service_area": _("Service area"),
            "methodology": _("Methodology"),
            "lessons": st.column_config.NumberColumn(_("Lessons")),
            "validated": st.column_config.NumberColumn(_("Validated lessons")),
            "stakeholders": st.column_config.NumberColumn(_("Stakeholders")),
            "link": st.column_config.LinkColumn(_("Lessons list"), display_text=_("Open lessons")),
            "page": st.column_config.LinkColumn(_("Pilot page"), display_text=_("About the pilot")),
        },
    )


def multiselect_facet(
    label: str, facet: pd.DataFrame, *, key: str, help: str | None = None, on_change=None, args=None
) -> list[str]:
    """A multiselect over one facet, each option labelled with its lesson count."""
    labels = {row.value: f"{vocab(row.label)} ({number(row.lessons)})" for row in facet.itertuples()}
    return st.multiselect(
        label,
        list(labels),
        format_func=labels.get,
        key=key,
        help=help,
        placeholder=_("All"),
        on_change=on_change,
        args=args,
    )


# --- the Lessons page ---------------------------------------------------------------------------------------

#: The Lessons page's filters: (URL parameter, filter name as in ``lessons.queries.FILTER_FIELDS``, label, help).
#: Each filter's widget key is ``<page key>_<filter name>``.
LESSON_FACETS = (
    ("pilot", "pilots", N_("Pilot"), None),
    ("country", "countries", N_("Country"), N_("The country of the pilot")),
    ("theme", "themes", N_("Theme"), None),
    ("kind", "kinds", N_("Kind"), N_("Enabler, barrier, recommendation or insight")),
    ("phase", "phases", N_("Co-creation phase"), None),
    ("status", "statuses", N_("Status"), N_("Draft, submitted, validated or contested, endorsed, applied elsewhere")),
    ("group", "groups", N_("Stakeholder group"), N_("The stakeholder groups a lesson concerns")),
    ("method", "methodologies", N_("Methodology"), N_("The co-creation methodology the pilot followed")),
    ("set_by", "status_set_by", N_("Status set by"),
     N_("Choose a workshop's votes for the lessons validated in a workshop")),
    ("uses", "methods", N_("Method or tool used"),
     N_("A method or tool of the catalogue (Methods and tools) the lesson used")),
    ("written_in", "languages", N_("Language"), N_("The language a lesson is written or translated in")),
)  # fmt: skip
#: The two ways to show the list, as the link names them (``?view=Table``), shown in the reader's language.
LESSON_VIEWS = (N_("Cards"), N_("Table"))
CARDS_PER_PAGE, ROWS_PER_PAGE = 20, 100


def lesson_url_spec(options: dict[str, pd.DataFrame], key: str = "lessons") -> dict[str, Param]:
    """The Lessons page's URL state (see ``components.url_state``): search, filters, dates, view, lesson, page."""
    spec = {"q": Param(f"{key}_query", "")}
    for param, name, _label, _help in LESSON_FACETS:
        spec[param] = Param(f"{key}_{name}", many=True, allowed=set(options[name]["value"]))
    spec["from"] = Param(f"{key}_from", read=iso_date)
    spec["to"] = Param(f"{key}_to", read=iso_date)
    spec["view"] = Param(f"{key}_view", LESSON_VIEWS[0], allowed=set(LESSON_VIEWS))
    spec["lesson"] = Param(f"{key}_open", 0)  # not a widget: the lesson opened by a card, a row or a link
    spec["page"] = Param(f"{key}_pageno", 1)
    return spec


def lesson_choice(key: str = "lessons") -> dict:
    """The current filters from session state, as the loaders take them: tuples of values, dates or None."""
    state = st.session_state
    choice = {name: tuple(state.get(f"{key}_{name}") or ()) for _param, name, _label, _help in LESSON_FACETS}
    choice["recorded_from"] = state.get(f"{key}_from")
    choice["recorded_to"] = state.get(f"{key}_to")
    return choice


def open_lesson(lesson_id: int, key: str = "lessons") -> None:
    """Open a lesson on the Lessons page (0: back to the list); a table selection is forgotten, so going back to
    the list does not open the lesson again."""
    st.session_state[f"{key}_open"] = lesson_id
    st.session_state.pop(f"{key}_table", None)


def _first_page(key: str) -> None:
    st.session_state[f"{key}_pageno"] = 1


def _clear_filters(key: str) -> None:
    for _param, name, _label, _help in LESSON_FACETS:
        st.session_state[f"{key}_{name}"] = []
    st.session_state[f"{key}_from"] = st.session_state[f"{key}_to"] = None
    _first_page(key)


#: How the date filters are typed in each language (Streamlit's date input offers year-month-day, day-month-year
#: and month-day-year with "/", "-" or "."); the filters' help and chips write dates the same way.
DATE_INPUT_FORMATS = {"en": "YYYY-MM-DD", "fi": "DD.MM.YYYY", "lv": "DD.MM.YYYY", "it": "DD/MM/YYYY",
                      "es": "DD/MM/YYYY", "el": "DD/MM/YYYY"}  # fmt: skip
_STRFTIME = {"YYYY": "%Y", "MM": "%m", "DD": "%d"}


def typed_date(value) -> str:
    """A date as the date filters are typed in the reader's language (an ISO text is read first).

    >>> typed_date("2022-01-31")
    '2022-01-31'
    """
    value = as_date(value)
    if isinstance(value, str):
        return value
    pattern = DATE_INPUT_FORMATS.get(current_language(), DATE_INPUT_FORMATS["en"])
    for part, code in _STRFTIME.items():
        pattern = pattern.replace(part, code)
    return value.strftime(pattern)


#: The recorded-on range's two ends: (label, state suffix and URL parameter).
DATE_FILTERS = ((N_("Recorded from"), "from"), (N_("Recorded until"), "to"))


def lesson_filters(facets: dict[str, pd.DataFrame], span: dict, *, key: str = "lessons") -> None:
    """Every filter of the Lessons page with its counts, the recorded-on date range, and a way to clear them, in
    two columns (one on a phone)."""
    for i, (_param, name, label, help_text) in enumerate(LESSON_FACETS):
        if i % 2 == 0:  # a row of two at a time, so reading and Tab order run row by row
            columns = st.columns(2)
        facet, state_key = facets[name], f"{key}_{name}"
        chosen = st.session_state.get(state_key) or []
        offered = [v for v in chosen if v in set(facet["value"])]
        if offered != list(chosen):  # a value removed since (an undone upload): keep what is still offered
            st.session_state[state_key] = offered
        with columns[i % 2]:
            multiselect_facet(
                _(label), facet, key=state_key, help=help_text and _(help_text), on_change=_first_page, args=(key,)
            )
    dates_help = (
        _("Lessons were recorded between {first} and {last}.").format(
            first=typed_date(span["first"]), last=typed_date(span["last"])
        )
        if span.get("first")
        else _("No lesson has a date yet.")
    )
    if span.get("undated"):
        dates_help += " " + ngettext(
            "{n} lesson has no date; it is left out when a date is set.",
            "{n} lessons have no date; they are left out when a date is set.",
            span["undated"],
        ).format(n=number(span["undated"]))
    for column, (label, suffix) in zip(st.columns(2), DATE_FILTERS):
        column.date_input(
            _(label),
            value=None,
            min_value=FIRST_DATE,
            max_value=LAST_DATE,
            format=DATE_INPUT_FORMATS.get(current_language(), DATE_INPUT_FORMATS["en"]),
            key=f"{key}_{suffix}",
            help=dates_help,
            on_change=_first_page,
            args=(key,),
        )
    start, end = st.session_state.get(f"{key}_from"), st.session_state.get(f"{key}_to")
    if start and end and start > end:
        st.warning(_("The first date is after the last date, so no lesson can match."))
    if any(lesson_choice(key).values()):
        st.button(_("Clear all filters"), key=f"{key}_clear", on_click=_clear_filters, args=(key,))


def _remove(key: str, name: str, value=None) -> None:
    state_key = f"{key}_{name}"
    if name == "query":
        st.session_state[state_key] = ""
    elif value is None:
        st.session_state[state_key] = None
    else:
        st.session_state[state_key] = [v for v in st.session_state.get(state_key) or () if v != value]
    _first_page(key)


def _clear_all(key: str) -> None:
    _clear_filters(key)
    st.session_state[f"{key}_query"] = ""


def active_chips(facets: dict[str, pd.DataFrame], key: str = "lessons") -> list[tuple[str, str, str, object]]:
    """The search and every chosen filter value as (field, value's label, state name, value): the chips above the
    results."""
    state, chips = st.session_state, []
    query = (state.get(f"{key}_query") or "").strip()
    if query:
        chips.append((_("Search"), query, "query", None))
    for _param, name, label, _help in LESSON_FACETS:
        labels = dict(zip(facets[name]["value"], facets[name]["label"]))
        chips += [(_(label), str(vocab(labels.get(v, v))), name, v) for v in state.get(f"{key}_{name}") or ()]
    for label, suffix in DATE_FILTERS:
        if state.get(f"{key}_{suffix}"):
            # as the date input shows it (YYYY-MM-DD), so the chip and the filter read the same
            chips.append((_(label), typed_date(state[f"{key}_{suffix}"]), suffix, None))
    return chips


def lesson_chips(facets: dict[str, pd.DataFrame], *, key: str = "lessons") -> None:
    """The search and filters in force, as chips above the results (a shared link shows what it filters on): each
    removes its value when pressed ("Theme: Trust ✕", its tooltip "Remove filter Theme: Trust"); "Clear search and
    filters" removes them all."""
    chips = active_chips(facets, key)
    if not chips:
        return
    with st.container(horizontal=True, gap="small", key=f"{key}_chips"):
        for field, shown, name, value in chips:
            # the field names are ours: a colon and a space after them start no link or shortcode
            remove = _("Remove the search {field}: {value}") if name == "query" else _("Remove filter {field}: {value}")
            st.button(
                _("{field}: {value} ✕").format(field=field, value=safe(shown)),
                key=f"{key}_chip_{name}_{value}",
                help=remove.format(field=field, value=safe(shown)),
                on_click=_remove,
                args=(key, name, value),
            )
        if len(chips) > 1:
            # not "Clear all": each multiselect's own clear button has that name already
            st.button(_("Clear search and filters"), key=f"{key}_chips_clear", on_click=_clear_all, args=(key,))


#: The part of a lesson's link the table shows as the link's text: its title (a pattern, not words).
TITLE_IN_LINK = r"[?&]title=(.*)$"


def lesson_table(rows: pd.DataFrame, *, key: str, on_open) -> None:
    """Lessons as a sortable table; a lesson's title is a link to it (opens in a new tab), and selecting a row opens
    it here (the keyboard's way: Shift+Space on a row; the grid's links open only with a pointer)."""
    title = _("Title")
    table = pd.DataFrame(
        {
            _("Pilot"): rows["pilot_name"],
            _("Country"): rows["country_name"] if "country_name" in rows else rows["country"],
            _("Key"): rows["key"],
            title: [lesson_link(i, t) for i, t in zip(rows["id"], rows["title"])],
            _("Kind"): rows["kind"].map(kind_label),
            _("Phase"): rows["phase_name"].map(vocab),
            _("Status"): rows["status"].map(status_label),
            _("Themes"): rows["themes"].map(vocab_list),
            _("Recorded on"): rows["recorded_on"],  # ISO dates: they sort in order in any language
        }
    )
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        column_config={title: st.column_config.LinkColumn(title, display_text=TITLE_IN_LINK)},
    )
    st.caption(
        _(
            "Open a lesson by its title (in a new tab), or select its row (the box at its left; by keyboard, go to "
            "the row with the arrow keys and press Shift+Space) to open it here."
        )
    )
    if event.selection.rows:
        on_open(int(rows["id"].iloc[event.selection.rows[0]]))
        st.rerun()


def lesson_downloads(export: Callable[[str], bytes], count: int, *, key: str) -> None:
    """CSV and XLSX downloads of every matching lesson; ``export(file_format)`` makes the file when clicked."""
    help_text = ngettext(
        "The {n} matching lesson with its full text", "All {n} matching lessons with their full text, not only this page",
        count,
    ).format(n=number(count))  # fmt: skip
    files = (("csv", "CSV", "text/csv"),
             ("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))  # fmt: skip
    for column, (file_format, label, mime) in zip(st.columns(2), files):
        column.download_button(
            label,  # the file format's name, the same in every language
            data=partial(export, file_format),
            file_name=f"lessons.{file_format}",
            mime=mime,
            key=f"{key}_{file_format}",
            icon=":material/download:",
            help=help_text,
            on_click="ignore",
        )


def lesson_results(
    fetch: Callable[..., object], *, key: str = "lessons", on_open, export: Callable[[str], bytes]
) -> None:
    """How many lessons match, cards or table (a page at a time), downloads of them all.

    ``fetch(page=, size=)`` returns that page (a :class:`lessons.queries.LessonPage`: total, page, pages, rows), so
    only the lessons shown are read."""
    view = st.session_state.get(f"{key}_view") or LESSON_VIEWS[0]
    size = ROWS_PER_PAGE if view == "Table" else CARDS_PER_PAGE
    found = fetch(page=max(1, int(st.session_state.get(f"{key}_pageno") or 1)), size=size)
    page, pages, n = found.page, found.pages, found.total
    st.session_state[f"{key}_pageno"] = page
    count, show, files = st.columns([4, 2, 2], vertical_alignment="center")
    if pages > 1:
        found_text = ngettext(
            "**{n} lesson** matches · page {page} of {pages}", "**{n} lessons** match · page {page} of {pages}", n
        ).format(n=number(n), page=number(page), pages=number(pages))
    else:
        found_text = ngettext("**{n} lesson** matches", "**{n} lessons** match", n).format(n=number(n))
    count.markdown(found_text)
    show.segmented_control(_("Show as"), LESSON_VIEWS, format_func=_, key=f"{key}_view", label_visibility="collapsed")
    if not n:
        st.info(_("No lesson matches. Remove a filter or try other words."))
        return
    with files:
        lesson_downloads(export, n, key=key)
    if view == "Table":
        lesson_table(found.rows, key=f"{key}_table", on_open=on_open)
    else:
        for row in found.rows.itertuples():
            lesson_card(row, key=f"{key}_card", on_open=on_open)
    if pages > 1:
        st.number_input(_("Page"), min_value=1, max_value=pages, step=1, key=f"{key}_pageno")
