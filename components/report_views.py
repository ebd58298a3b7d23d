"""A workshop's public report: its cached loaders, the report drawn on the page, its downloads, and the
facilitator's panel to publish it and respond to statements and suggestions.

The page draws the same :class:`lessons.report.Report` the HTML and PDF downloads are rendered from, so the three
never disagree. Every piece of user text is shown as text (:func:`components.widgets.safe`, or a table cell).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth, loaders
from components.widgets import safe
from lessons import drawing
from lessons.access import reading
from lessons.i18n import _, current, day, number, percent, using
from lessons.permissions import can
from lessons.workshops import normalise_code, workshop_by_code
from lessons.workshops.public_report import MAX_RESPONSE_CHARS, own_view, public_report, publish_report, respond

__all__ = [
    "facilitator_panel",
    "load_own_view",
    "load_report",
    "load_report_files",
    "own_view_section",
    "report_view",
    "requested_code",
]


def requested_code() -> str | None:
    """Return the workshop code of the address (``?code=…``), or the one typed in, or None."""
    code = st.query_params.get("code") or ""
    if not code:
        code = st.text_input(
            _("Workshop code"),
            key="workshop_report_code",
            max_chars=12,
            placeholder=_("e.g. {code}").format(code="HVR3QT"),
        )
    code = normalise_code(code) if code else ""
    return code or None


@st.cache_data(ttl=loaders.TTL, max_entries=16, show_spinner=False)
def load_report(path: str, version: int, code: str, lang: str | None = None) -> dict | None:
    """Return ``{"published_at", "report", "statements", "suggestions"}`` for workshop ``code``, None if none.

    The report is worded in ``lang`` (the reader's language; the cache keeps one per language)."""
    with reading(path) as db, using(lang):
        workshop = workshop_by_code(db, code)
        if workshop is None:
            return None
        data = public_report(db, code)
        return {
            "published_at": workshop["published_at"],
            "report": drawing.workshop_report(db, code),
            "statements": data["statements"][["number", "key", "text"]],
            "suggestions": data["suggestions"][["key", "fate"]],
        }


@st.cache_data(ttl=loaders.TTL, max_entries=8, show_spinner=False)
def load_report_files(path: str, version: int, code: str, lang: str | None = None) -> dict[str, bytes]:
    """Render the report as HTML and PDF (``{file name: bytes}``) in ``lang``, once per data version and language."""
    loaded = load_report(path, version, code, lang)
    with using(lang):
        return drawing.render(loaded["report"]) if loaded else {}


#: What a table shows where a report has no figure (the HTML and PDF leave the cell empty): never "None".
MISSING = "–"
#: The rule under each section heading (a colour name, not text).
DIVIDER = "gray"


def _cell(value) -> str:
    if pd.isna(value):
        return MISSING
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a column with a gap is floats to pandas; its whole numbers are still whole
    return str(value)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: a missing figure or text is a dash, not "None"; whole numbers stay whole."""
    out = frame.copy()
    for column in out.columns:
        if out[column].isna().any():
            out[column] = [_cell(v) for v in out[column].astype(object)]
    return out


def report_view(report, intro=None) -> None:
    """Draw a report's sections on the page: paragraphs, lists, tables, and each chart followed by its table.

    ``intro``, when given, is called after the title (a participant's own view goes there).
    """
    st.title(safe(report.title))
    st.caption(safe(report.subtitle))
    if report.notice:
        st.info(safe(report.notice), icon=":material/info:")
    if intro is not None:
        intro()
    for section in report.sections:
        st.header(safe(section.heading), divider=DIVIDER)
        for block in section.blocks:
            if block.kind == "text":
                st.markdown(safe(block.text))
            elif block.kind == "subheading":
                st.subheader(safe(block.text))
            elif block.kind == "bullets":
                st.markdown("\n".join(f"- {safe(item)}" for item in block.items))
            elif block.kind == "table":
                if block.caption:
                    st.caption(safe(block.caption))
                st.dataframe(shown(block.frame), hide_index=True, width="stretch")
            elif block.kind == "image":
                st.image(block.image, alt=block.alt)
            else:
                st.vega_lite_chart(block.spec, width="stretch")
                st.caption(safe(block.caption or _("The table below holds the chart's figures.")))
                st.dataframe(shown(block.frame), hide_index=True, width="stretch")


def downloads(path: str, version: int, code: str) -> None:
    """Offer the report as an HTML page and a PDF."""
    files = load_report_files(path, version, code, current())
    left, right = st.columns(2)
    for column, (name, data) in zip((left, right), files.items()):
        is_pdf = name.endswith(".pdf")
        column.download_button(
            _("Download the report (PDF)") if is_pdf else _("Download the report (HTML page)"),
            data=data,
            file_name=name,
            mime="application/pdf" if is_pdf else "text/html",
            icon=":material/picture_as_pdf:" if is_pdf else ":material/download:",
            key=f"workshop_report_{'pdf' if is_pdf else 'html'}",
        )


def facilitator_panel(path: str, actor, code: str, loaded: dict) -> None:
    """Let a facilitator publish or withdraw the report and write a response to each statement and suggestion."""
    if not can(actor, "workshop.manage"):
        return
    published = loaded["published_at"]
    if published:  # said outside the panel, which folds once the report is out: the facilitator sees it either way
        st.markdown(
            _("Published on {day}: anyone with this page's address can read it.").format(day=safe(day(published)))
        )
    with st.expander(_("Facilitator: publish this report and respond"), expanded=not published, icon=":material/edit:"):
        if published:
            sure = st.checkbox(_("Yes, take the report down: nobody but staff will see it"), key="workshop_report_sure")
            if st.button(_("Withdraw the report"), key="workshop_report_withdraw", disabled=not sure):
                if auth.write(path, publish_report, actor, code, False):
                    st.rerun()
        else:
            st.markdown(_("Not published: only facilitators and administrators see this preview."))
            sure = st.checkbox(
                _("Yes, publish: anyone with this page's address will see the results and your responses"),
                key="workshop_report_sure",
            )
            if st.button(_("Publish the report"), key="workshop_report_publish", type="primary", disabled=not sure):
                if auth.write(path, publish_report, actor, code, True):
                    st.rerun()
        choices = {
            **{
                r.key: _("Statement {n}: {text}").format(n=r.number, text=r.text)
                for r in loaded["statements"].itertuples()
            },
            **{
                r.key: _("Suggestion {key} ({fate})").format(key=r.key, fate=r.fate)
                for r in loaded["suggestions"].itertuples()
            },
        }
        if not choices:
            return
        with st.form("workshop_report_respond", clear_on_submit=True):
            key = st.selectbox(_("Respond to"), list(choices), format_func=choices.get, key="workshop_report_statement")
            text = st.text_area(
                _("Your response (plain text; leave empty to remove it)"),
                max_chars=MAX_RESPONSE_CHARS,
                key="workshop_report_response",
            )
            if st.form_submit_button(_("Save the response")):
                if auth.write(path, respond, actor, code, key, text, success=_("Response saved.")):
                    st.rerun()


@st.cache_data(ttl=loaders.TTL, max_entries=64, show_spinner=False)
def load_own_view(path: str, version: int, token: str, lang: str | None = None) -> dict | None:
    """One participant's own view (their suggestions' fate, where they sit), from their secret token, in ``lang``."""
    with reading(path) as db, using(lang):
        return own_view(db, token)


def own_view_section(path: str, version: int, code: str) -> None:
    """Show a participant who came with their own link (``?token=…``) what became of their part; only to them."""
    token = st.query_params.get("token")
    if not token:
        return
    mine = load_own_view(path, version, token, current())
    if mine is None or mine["code"] != code:
        st.info(
            _("This personal link is not known for this workshop; the public report is below."),
            icon=":material/info:",
        )
        return
    with st.container(border=True):
        st.subheader(_("Your own view (only you see this, through your personal link)"))
        suggestions = mine["suggestions"]
        if suggestions.empty:
            st.markdown(_("You suggested no statements."))
        else:
            st.caption(_("What became of the statements you suggested"))
            st.dataframe(
                shown(suggestions[["text", "fate", "response"]]).rename(
                    columns={
                        "text": _("Your suggestion"),
                        "fate": _("What became of it"),
                        "response": _("Response"),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        group = mine["group"]
        if group is None:
            st.markdown(
                _(
                    "Where you sit: not shown. Your votes do not fall in an opinion group of at least 5 people, "
                    "so showing it could point to you or to others."
                )
            )
            return
        st.markdown(
            _(
                "Where you sit: your votes fall in opinion group {group}, with {people} people. These statements set "
                "the group apart; beside each, how the group tended to vote and how you voted."
            ).format(group=safe(group["group"]), people=number(group["people"]))
        )
        table = group["statements"].assign(share_of_group=group["statements"]["share_of_group"].map(percent))
        st.dataframe(
            table.rename(
                columns={
                    "text": _("Statement"),
                    "group_tended_to": _("The group tended to"),
                    "share_of_group": _("Share of the group"),
                    "your_vote": _("Your vote"),
                }
            ),
            hide_index=True,
            width="stretch",
        )
