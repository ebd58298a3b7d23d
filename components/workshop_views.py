"""Validation workshops: loaders and pieces for the participant's voting page and the facilitator's pages.

Participants have no account: joining gives a secret token kept in their browser session; every write goes
through :mod:`lessons.workshops`, which enforces one vote per participant, statement and round.
"""

from __future__ import annotations

import io

import pandas as pd
import segno
import streamlit as st

from components import auth, charts, loaders
from components.widgets import safe
from lessons import i18n, models, queries, workshops
from lessons.access import REFUSALS, reading, writing
from lessons.i18n import LANGUAGES, N_, _, language_name, ngettext, number, percent
from lessons.workshops import analysis as workshop_analysis
from lessons.workshops.outcomes import apply_results, preview_results, start_round
from lessons.workshops.polis import export_polis_zip, import_polis, unpack_upload
from lessons.workshops.preparation import edit_statement, move_statement, remove_statement, translate_statement
from lessons.workshops.rooms import close_workshop, open_workshop

VOTES = (("agree", N_("Agree"), ":material/thumb_up:"), ("disagree", N_("Disagree"), ":material/thumb_down:"),
         ("pass", N_("Pass / unsure"), ":material/remove:"))  # fmt: skip
VALUE_LABELS = {1: N_("Agree"), -1: N_("Disagree"), 0: N_("Pass")}
#: What a table shows where a figure does not exist (the first round has no change), never "None" or "nan".
NOT_RECORDED = "—"
#: Where a statement came from, in words (the store's codes: lesson, element, free, participant).
SOURCE_LABELS = {
    "lesson": N_("from a lesson"),
    "element": N_("from a governance model"),
    "free": N_("written for this workshop"),  # by the facilitator, or a comment imported from Pol.is
    "participant": N_("suggested by a participant"),
}
#: A participant who gave no sector, as the stakeholder tables name them.
NO_SECTOR = N_("No sector given")


def read(path: str, fn, *args, **kwargs):
    """Run a read-only domain function on a short-lived connection."""
    with reading(path) as db:
        return fn(db, *args, **kwargs)


# --- Facilitator: live results ------------------------------------------------------------------------------


@st.cache_data(ttl=loaders.TTL, max_entries=32, show_spinner=False)
def load_results(path: str, version: int, code: str, method: str = "default") -> dict:
    """The live results of a workshop, stored by workshops data version (recomputed only when a vote arrives).

    ``method``: ``default`` (ours) or ``polis`` (Pol.is-compatible); the public report always uses ours.
    """
    with writing(path, or_read_only=True) as db:
        return workshop_analysis.results(db, code, method=method)


METHOD_LABELS = {"default": N_("ours (default)"), "polis": N_("Pol.is-compatible")}


def _statement_label(frame):
    return frame["key"] + " · " + frame["text"].str.slice(0, 70)


def _statement_list(frame, empty: str) -> None:
    if frame.empty:
        st.caption(empty)
        return
    for row in frame.itertuples():
        figures = dict(key=safe(row.key), text=safe(row.text), agree=number(int(row.agree)))
        figures["disagree"] = number(int(row.disagree))
        if hasattr(row, "pass_"):
            line = _("- **{key}** {text} — {agree} agree, {disagree} disagree, {passed} pass")
            st.markdown(line.format(passed=number(int(row.pass_)), **figures))
        else:
            st.markdown(_("- **{key}** {text} — {agree} agree, {disagree} disagree").format(**figures))


def results_view(results: dict, sectors: dict | None = None) -> None:
    """Everything the facilitator projects: counts, statements, consensus, division, uncertainty, opinion groups,
    stakeholder groups and rounds. Groups of fewer than 5 participants never appear on their own. ``sectors`` names
    the stakeholder groups' codes (:func:`sector_names`)."""
    summary = results["summary"].iloc[0]
    cols = st.columns(4)
    cols[0].metric(_("Participants"), number(int(summary["participants"])))
    cols[1].metric(_("Votes"), number(int(summary["votes"])))
    cols[2].metric(_("Round"), number(int(summary["round"])))
    cols[3].metric(_("Opinion groups"), number(int(summary["groups"])) if summary["groups"] else "—")
    if "participation" in results and int(summary["participants"]):
        st.caption(workshop_analysis.participation_text(results))
    statements = results["statements"].rename(columns={"pass": "pass_"})
    if statements.empty or not int(summary["votes"]):
        st.info(_("No votes yet. Results appear here as participants vote."))
        return
    tabs = st.tabs(
        [
            _("Statements"),
            _("Consensus"),
            _("Divisive"),
            _("Uncertain"),
            _("Opinion groups"),
            _("Stakeholder groups"),
            _("Rounds"),
        ]
    )
    with tabs[0]:
        shown = statements.assign(label=_statement_label(statements), position=range(len(statements)))
        st.altair_chart(charts.statement_votes_chart(shown.rename(columns={"pass_": "pass"})), width="stretch")
        st.dataframe(plain_statements(statements), hide_index=True, width="stretch")
        st.caption(
            _(
                "Agree share: the share of a statement's votes that were Agree. 95% from / to: the range the share "
                "of a larger room would most likely fall in; the fewer the votes, the wider it is."
            )
        )
    with tabs[1]:
        if summary.get("method") == "polis":
            st.caption(_("Pol.is's consensus: more than half of everyone agree (or disagree), significant at 90%."))
        else:
            st.caption(_("Broad agreement in every opinion group and every stakeholder group large enough to show."))
        _statement_list(results["consensus"].rename(columns={"pass": "pass_"}), _("No statement has consensus yet."))
    with tabs[2]:
        st.caption(_("Statements the opinion groups answer differently."))
        _statement_list(results["divisive"].rename(columns={"pass": "pass_"}), _("No statement divides the groups."))
    with tabs[3]:
        st.caption(_("Statements many people passed on: areas of uncertainty."))
        _statement_list(results["uncertain"].rename(columns={"pass": "pass_"}), _("No statement drew many passes."))
    with tabs[4]:
        people = results["participants"]
        placed = people[people["group"].notna() & people["clustered"].astype(bool)]
        if placed.empty or not int(summary["groups"]):
            st.caption(_("Opinion groups appear once enough participants have voted on enough statements."))
        else:
            st.altair_chart(charts.opinion_map_chart(placed[["x", "y", "group"]]), width="stretch")
            st.dataframe(
                results["groups"].rename(columns={"group": _("Opinion group"), "participants": _("Participants")}),
                hide_index=True,
            )
            st.caption(
                _(
                    "Opinion groups: people who voted alike, found from their votes alone (not from who they are). "
                    "Each dot is a participant; the closer two dots, the more alike their votes."
                )
            )
            rep = results["representative"]
            leaning = {"agree": N_("{share} of the group agree"), "disagree": N_("{share} of the group disagree")}
            for group, rows in rep.groupby("group"):
                st.markdown(_("**What sets group {group} apart**").format(group=safe(group)))
                for row in rows.itertuples():
                    side = _(leaning.get(row.repful_for, leaning["agree"])).format(share=percent(row.p_success))
                    st.markdown(f"- **{safe(row.key)}** {safe(row.text)} — {side}")
    with tabs[5]:
        st.caption(_("Groups of fewer than 5 participants are pooled, never shown on their own."))
        votes = results["stakeholder_votes"]
        if votes.empty:
            st.caption(_("No stakeholder group is large enough to show yet."))
        else:
            keys = dict(zip(statements["statement_id"], statements["key"]))
            names = sectors or {}
            table = votes.assign(
                statement=votes["statement_id"].map(keys),
                group=votes["stakeholder_group"].map(lambda g: _(names.get(g, g))),
            ).pivot_table(index="statement", columns="group", values="agree_share", aggfunc="first")
            st.caption(
                _(
                    "Each cell: the share of that stakeholder group who agreed with the statement (— where the group "
                    "did not vote on it)."
                )
            )
            st.dataframe(
                table.map(_percent).rename_axis(
                    index=_("Statement"), columns=_("Share agreeing, by stakeholder group")
                ),
                width="stretch",
            )
    with tabs[6]:
        conv = results["convergence"]
        if len(conv) < 2:
            st.caption(_("One round so far. Start another round to see how far opinion converges."))
        st.caption(
            _(
                "How split the room is: 0 when everyone gave the same answer to a statement, 1 when agree, disagree "
                "and pass were evenly split (averaged over the statements). Spread of votes: 0 when all votes on a "
                "statement were alike, up to 1 when they were far apart. A negative change means opinion came "
                "closer together since the round before."
            )
        )
        st.dataframe(plain_rounds(conv), hide_index=True, width="stretch")


#: The statements table's columns in words, in the order shown.
STATEMENT_COLUMNS = {
    "key": N_("Key"),
    "text": N_("Statement"),
    "n": N_("Votes"),
    "agree": N_("Agree"),
    "disagree": N_("Disagree"),
    "pass_": N_("Pass"),
    "agree_share": N_("Agree share"),
    "agree_low": N_("95% from"),
    "agree_high": N_("95% to"),
}


def _percent(value) -> str:
    return NOT_RECORDED if pd.isna(value) else percent(value)


def plain_statements(statements: pd.DataFrame) -> pd.DataFrame:
    """The statements table headed in words, shares as percentages, "—" where a statement has no votes yet."""
    out = statements[list(STATEMENT_COLUMNS)].copy()
    for column in ("agree_share", "agree_low", "agree_high"):
        out[column] = out[column].map(_percent)
    for column in ("n", "agree", "disagree", "pass_"):
        out[column] = out[column].fillna(0).astype(int)
    return out.rename(columns={column: _(title) for column, title in STATEMENT_COLUMNS.items()})


#: The round table's columns in words, in the order shown.
ROUND_COLUMNS = {
    "round": N_("Round"),
    "participants": N_("People who voted"),
    "votes": N_("Votes"),
    "statements": N_("Statements voted on"),
    "agreement_70": N_("Statements with 70% agreement"),
    "agreement_change": N_("Change in statements with 70% agreement"),
    "mean_entropy": N_("How split the room is (0–1)"),
    "mean_variance": N_("Spread of votes (0–1)"),
    "variance_change": N_("Change in spread between rounds"),
}


def _signed(value, show) -> str:
    return NOT_RECORDED if pd.isna(value) else show(value)


def _sign(text: str, value: float) -> str:
    return text if text.startswith("-") or value < 0 else "+" + text


def plain_rounds(convergence: pd.DataFrame) -> pd.DataFrame:
    """The rounds side by side, a measure a row named in words (rounds are few, measures many: it fits a screen),
    shares as percentages and "—" where a figure does not exist (the first round has no change)."""
    out = convergence.reindex(columns=list(ROUND_COLUMNS)).copy()
    for column in ("participants", "votes", "statements"):
        out[column] = out[column].map(lambda v: _signed(v, lambda x: number(round(x))))
    out["agreement_70"] = out["agreement_70"].map(_percent)
    out["agreement_change"] = out["agreement_change"].map(
        lambda v: _signed(v * 100, lambda x: _("{n} points").format(n=_sign(number(x, 0), x)))
    )
    for column in ("mean_entropy", "mean_variance"):
        out[column] = out[column].map(lambda v: _signed(v, lambda x: number(x, 2)))
    out["variance_change"] = out["variance_change"].map(lambda v: _signed(v, lambda x: _sign(number(x, 2), x)))
    table = out.drop(columns="round").rename(columns={column: _(t) for column, t in ROUND_COLUMNS.items()}).T
    table.columns = [_("Round {n}").format(n=number(int(r))) for r in out["round"]]
    return table.rename_axis(_("Measure")).reset_index()


# --- Facilitator: prepare, run, close ------------------------------------------------------------------------


@st.cache_data(ttl=loaders.TTL, max_entries=8, show_spinner=False)
def load_workshops(path: str, version: int) -> list[dict]:
    return read(path, workshops.workshop_list)


@st.cache_data(ttl=loaders.TTL, max_entries=32, show_spinner=False)
def load_statements(path: str, version: int, code: str) -> list[dict]:
    return read(path, workshops.statements, code, include_pending=True, translations=True)


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def statement_sources(path: str, version: int) -> tuple[dict, dict]:
    """What statements can be drawn from: lessons (id → "pilot · key · title") and governance-model elements
    (id → "model · key · name")."""
    with reading(path) as db:
        lessons = queries.lesson_labels(db)
        elements = {}
        for model in models.model_list(db).itertuples():
            for e in models.elements(db, model.slug).itertuples():
                elements[int(e.id)] = f"{model.name} · {e.key} · {e.name}"
    return lessons, elements


def create_form(path: str, actor) -> str | None:
    """A new workshop in draft; returns its code once created."""
    with st.form("workshops_create", clear_on_submit=True):
        title = st.text_input(_("Title"), placeholder=_("e.g. Validation workshop: local champions"))
        purpose = st.text_area(_("Purpose (participants see it above the statements)"))
        allow = st.checkbox(_("Participants may suggest their own statements (you approve them first)"))
        if not st.form_submit_button(_("Create workshop"), type="primary"):
            return None
    return auth.write(path, workshops.create_workshop, actor, title, purpose=purpose or None, allow_submissions=allow)


def statements_form(path: str, actor, code: str, lessons: dict, elements: dict) -> None:
    """Add statements drawn from lessons, from governance-model elements, or written here."""
    with st.form(f"workshops_add_{code}", clear_on_submit=True):
        chosen_lessons = st.multiselect(
            _("From lessons"), list(lessons), format_func=lessons.get, placeholder=_("Choose lessons")
        )
        chosen_elements = st.multiselect(
            _("From governance-model elements"),
            list(elements),
            format_func=elements.get,
            placeholder=_("Choose elements"),
        )
        texts = st.text_area(_("Your own statements, one per line"))
        if st.form_submit_button(_("Add statements")):
            added = auth.write(
                path,
                workshops.add_statements,
                actor,
                code,
                lessons=chosen_lessons,
                elements=chosen_elements,
                texts=[t.strip() for t in texts.splitlines() if t.strip()],
            )
            if added:  # rerun, so the list above and the counts show them at once
                st.session_state["workshops_added"] = len(added)
                st.rerun()
    if added := st.session_state.pop("workshops_added", None):
        st.success(
            ngettext("Added {n} statement.", "Added {n} statements.", added).format(n=number(added)),
            icon=":material/check_circle:",
        )


def join_link(code: str) -> str:
    """The participants' link that carries the join code, on the server this page is served from."""
    base = str(getattr(st.context, "url", "") or "").split("?")[0].rsplit("/", 1)[0]
    return f"{base}/vote?code={code}"


def qr_png(link: str) -> bytes:
    """A QR code of ``link`` as PNG bytes, made here by segno (served by our own server; no request elsewhere).

    Black on white with the standard 4-module quiet zone and error correction M, so phone cameras read it from
    the back of a room."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=16, border=4, dark="#000", light="#fff")
    return buffer.getvalue()


def projector(path: str, code: str, *, full: bool = False) -> None:
    """For the screen in the room: the join code large, the link, a large QR code of it, and live counts.

    ``full``: the projector view on its own (``?view=projector``), sidebar collapsed, counts refreshed by a small
    fragment every 10 s: the page itself never reruns, so Streamlit's running icon does not flash (it is not hidden
    with CSS: the app sends no raw HTML). Otherwise (the page's Projector tab) nothing refreshes by itself, and a
    link leads to the view on its own."""
    if full:
        st.set_page_config(initial_sidebar_state="collapsed")
    link = join_link(code)
    words, picture = st.columns([3, 2], vertical_alignment="center")
    with words:
        st.markdown(_("# Join at {address}").format(address=safe(link.split("?")[0])))
        st.markdown(_("# Code: **{code}**").format(code=safe(code)))
        st.code(link, language=None)
        st.caption(_("The code has no O, I, L, 0 or 1, so it cannot be misread."))
    picture.image(
        qr_png(link),
        width="stretch",
        caption=_("Scan to join"),
        alt=_("QR code of the join link {link}").format(link=link),
        output_format="PNG",
    )
    if full:
        projector_counts(path, code)
        st.page_link("pages/workshops.py", label=_("Back to the workshop"), icon=":material/arrow_back:",
                     query_params={"code": code})  # fmt: skip
    else:
        st.page_link("pages/workshops.py", label=_("Open the projector view on its own (for the screen in the room)"),
                     icon=":material/fullscreen:", query_params={"code": code, "view": "projector"})  # fmt: skip


@st.fragment(run_every=10)
def projector_counts(path: str, code: str) -> None:
    """How many have joined and voted, refreshed every 10 seconds without rerunning the rest of the page."""
    workshop = {w["code"]: w for w in load_workshops(path, loaders_version(path))}.get(code, {})
    left, right = st.columns(2)
    left.metric(_("Joined"), number(workshop.get("participants", 0)))
    right.metric(_("Votes"), number(workshop.get("votes", 0)))


# --- Facilitator: statements in draft --------------------------------------------------------------------------


def statement_editor(path: str, actor, workshop: dict, version: int) -> None:
    """The workshop's statements in the order participants see them; while a draft, each can be moved, edited or
    removed (the domain refuses once the workshop is open)."""
    code = workshop["code"]
    rows = load_statements(path, version, code)
    draft = workshop["status"] == "draft"
    if not rows:
        st.caption(_("No statements yet. Add some below."))
    elif not draft:
        st.caption(_("This workshop is no longer a draft: statements can no longer be edited, removed or reordered."))
    editing = st.session_state.get("workshops_editing")
    for n, statement in enumerate(rows):
        key = statement["key"]
        origin = _(SOURCE_LABELS.get(statement["source"], statement["source"]))
        if not draft:
            st.markdown(f"{n + 1}. **{safe(key)}** ({origin}) {safe(statement['text'])}")
            continue
        with st.container(border=True):
            text, up, down, edit, remove = st.columns([7, 2, 2, 2, 2], vertical_alignment="center")
            text.markdown(f"{n + 1}. **{safe(key)}** ({origin}) {safe(statement['text'])}")
            if up.button(_("Up"), key=f"workshops_up_{key}", icon=":material/arrow_upward:", disabled=n == 0,
                         help=_("Move {key} up").format(key=key)):  # fmt: skip
                _write_and_rerun(path, move_statement, actor, code, key, -1)
            if down.button(_("Down"), key=f"workshops_down_{key}", icon=":material/arrow_downward:",
                           disabled=n == len(rows) - 1, help=_("Move {key} down").format(key=key)):  # fmt: skip
                _write_and_rerun(path, move_statement, actor, code, key, 1)
            if edit.button(_("Edit"), key=f"workshops_edit_{key}", icon=":material/edit:",
                           help=_("Edit {key}").format(key=key)):  # fmt: skip
                st.session_state["workshops_editing"] = key
                st.rerun()
            remove.button(_("Remove"), key=f"workshops_remove_{key}", icon=":material/delete:",
                          help=_("Remove {key}").format(key=key), on_click=_ask, args=(code, "remove", key))  # fmt: skip
            if editing == key:
                with st.form(f"workshops_edit_form_{key}"):
                    new = st.text_area(
                        _("Text of {key}").format(key=key),
                        value=statement["text"],
                        max_chars=workshops.MAX_STATEMENT_CHARS,
                    )
                    save, cancel = st.columns(2)
                    if save.form_submit_button(_("Save"), type="primary"):
                        if auth.write(path, edit_statement, actor, code, key, new):
                            st.session_state.pop("workshops_editing", None)
                            st.rerun()
                    if cancel.form_submit_button(_("Cancel")):
                        st.session_state.pop("workshops_editing", None)
                        st.rerun()
        if _asked(code) == ("remove", key):
            _confirmation(
                path, actor, code, _("Remove {key}?").format(key=key),
                _("“{text}” is taken off this workshop. Nobody has seen it yet; you can add it again.").format(
                    text=statement["text"]
                ),
                _("Yes, remove {key}").format(key=key), remove_statement, key,
            )  # fmt: skip


def translations_form(path: str, actor, workshop: dict, version: int) -> None:
    """Let the facilitator give a statement a translation per language: participants whose language it is see it
    instead of the original, and their votes count for the same statement (a closed workshop's wording stays)."""
    code = workshop["code"]
    rows = [r for r in load_statements(path, version, code) if r.get("moderation") != "rejected"]
    if not rows or workshop["status"] == "closed":
        return
    done = sum(len(r["translations"]) for r in rows)
    saved = st.session_state.pop("workshops_tr_saved", None)
    # one label whatever the count, so the box stays open after a save
    with st.expander(_("Translations of the statements"), icon=":material/translate:", expanded=bool(saved)):
        if saved:
            st.success(_("Translation saved."), icon=":material/check_circle:")
        st.caption(
            ngettext(
                "Participants see a statement in their own language where it has a translation, and the original "
                "where it has none. Their votes count for the same statement in every language. {n} translation "
                "so far.",
                "Participants see a statement in their own language where it has a translation, and the original "
                "where it has none. Their votes count for the same statement in every language. {n} translations "
                "so far.",
                done,
            ).format(n=number(done))
        )
        by_key = {r["key"]: r for r in rows}
        key = st.selectbox(
            _("Statement"),
            list(by_key),
            format_func=lambda k: f"{k} · {by_key[k]['text'][:70]}",
            key=f"workshops_tr_statement_{code}",
        )
        language = st.selectbox(
            _("Language"),
            [c for c in LANGUAGES if c != "en"] + ["en"],
            format_func=language_name,
            key=f"workshops_tr_language_{code}",
        )
        statement = by_key[key]
        have = statement["translations"]
        if have:
            st.caption(
                _("Translated into: {languages}").format(languages=", ".join(language_name(c) for c in sorted(have)))
            )
        with st.form(f"workshops_tr_form_{code}_{key}_{language}"):
            text = st.text_area(
                _("The statement in {language} (leave empty to remove the translation)").format(
                    language=language_name(language)
                ),
                value=have.get(language, ""),
                max_chars=workshops.MAX_STATEMENT_CHARS,
                help=_("Original: {text}").format(text=safe(statement["text"])),
            )
            if st.form_submit_button(_("Save the translation"), type="primary"):
                if auth.write(path, translate_statement, actor, code, key, language, text):
                    st.session_state["workshops_tr_saved"] = True
                    st.rerun()


def _write_and_rerun(path: str, fn, *args) -> None:
    if auth.write(path, fn, *args):
        st.rerun()


# --- Facilitator: open, close, rounds, apply — each confirmed, naming its consequence -------------------------


def _ask(code: str, action: str, detail: str | None = None) -> None:
    st.session_state["workshops_confirm"] = (code, action, detail)


def _asked(code: str) -> tuple[str, str | None] | None:
    asked = st.session_state.get("workshops_confirm")
    return (asked[1], asked[2]) if asked and asked[0] == code else None


def _confirmation(path: str, actor, code: str, title: str, consequence: str, yes: str, fn, *args):
    """A bordered box naming what the action will do, with the action's own button and Cancel; returns the
    write's result once confirmed (None until then, or when refused)."""
    result = None
    with st.container(border=True, key="workshops_confirm_box"):
        st.markdown(f"**{safe(title)}**")
        st.text(consequence)
        go, stop, _rest = st.columns([3, 2, 5])
        if go.button(yes, key="workshops_confirm_yes", type="primary"):
            st.session_state.pop("workshops_confirm", None)
            result = auth.write(path, fn, actor, code, *args)
            if result and fn is not apply_results:
                st.rerun()
        if stop.button(_("Cancel"), key="workshops_confirm_no"):
            st.session_state.pop("workshops_confirm", None)
            st.rerun()
    return result


def _apply_consequence(preview: dict) -> str:
    if not preview["lessons"]:
        return _(
            "No statement of this workshop was drawn from a lesson, so no lesson changes status. Votes on "
            "governance-model elements count on the Governance models page by themselves."
        )
    validated = preview["validated"]
    parts = [
        ngettext("{n} lesson becomes validated", "{n} lessons become validated", validated).format(n=number(validated)),
        ngettext("{n} contested", "{n} contested", preview["contested"]).format(n=number(preview["contested"])),
    ]
    if preview["unchanged"]:
        parts.append(
            ngettext("{n} keeps its status", "{n} keep their status", preview["unchanged"]).format(
                n=number(preview["unchanged"])
            )
        )
    if preview["too_few"]:
        parts.append(
            ngettext("{n} has too few votes to change", "{n} have too few votes to change", preview["too_few"]).format(
                n=number(preview["too_few"])
            )
        )
    return _(
        "Apply the results: {changes}. This is recorded as evidence: each change goes into the lesson's history "
        "with this workshop; applying again later changes nothing more."
    ).format(changes=", ".join(parts))


def controls(path: str, actor, workshop: dict) -> None:
    """Open, close, start another round and apply the results to lessons, each after a confirmation that names
    its consequence; and the moderation queue."""
    code, status = workshop["code"], workshop["status"]
    cols = st.columns(4)
    if status in ("draft", "closed"):
        cols[0].button(_("Open for voting") if status == "draft" else _("Reopen voting"), key="workshops_open",
                       type="primary", on_click=_ask, args=(code, "open"))  # fmt: skip
    if status == "open":
        cols[0].button(_("Close voting"), key="workshops_close", on_click=_ask, args=(code, "close"))
        cols[1].button(_("Start another round"), key="workshops_round", help=_("Delphi: vote again"),
                       on_click=_ask, args=(code, "round"))  # fmt: skip
    if status == "closed":
        cols[2].button(_("Apply results to lessons"), key="workshops_apply", on_click=_ask, args=(code, "apply"))
    asked = _asked(code)
    n, people, votes = workshop["statements"], workshop["participants"], workshop["votes"]
    if asked == ("open", None) and status in ("draft", "closed"):
        if status == "draft":
            consequence = ngettext(
                "Anyone with the code {code} can join and vote on its {n} statement. From then on statements "
                "can no longer be edited, removed or reordered (you can still add some).",
                "Anyone with the code {code} can join and vote on its {n} statements. From then on statements "
                "can no longer be edited, removed or reordered (you can still add some).",
                n,
            ).format(code=code, n=number(n))
        else:
            consequence = _("The workshop takes votes again; its {people} participants and {votes} votes are kept.")
            consequence = consequence.format(people=number(people), votes=number(votes))
        _confirmation(path, actor, code, _("Open for voting?"), consequence, _("Yes, open for voting"), open_workshop)
    elif asked == ("close", None) and status == "open":
        consequence = _(
            "No more votes are taken; {people} participants have cast {votes} votes. You can reopen it."
        ).format(people=number(people), votes=number(votes))
        _confirmation(path, actor, code, _("Close voting?"), consequence, _("Yes, close voting"), close_workshop)
    elif asked == ("round", None) and status == "open":
        consequence = _(
            "Round {next} starts: every participant answers all {n} statements again, seeing how the room answered "
            "round {current}. Earlier votes are kept."
        ).format(next=number(workshop["current_round"] + 1), n=number(n), current=number(workshop["current_round"]))
        _confirmation(path, actor, code, _("Start another round?"), consequence, _("Yes, start the round"), start_round)
    elif asked == ("apply", None) and status == "closed":
        preview = read(path, preview_results, code)
        applied = _confirmation(
            path, actor, code, _("Apply the results to lessons?"), _apply_consequence(preview),
            _("Yes, apply the results"), apply_results,
        )  # fmt: skip
        if applied == []:
            st.info(_apply_consequence(preview), icon=":material/info:")
        elif applied:
            changed = [r for r in applied if r["status_after"] != r["status_before"]]
            st.success(
                _(
                    "{changed} of {total} lessons changed status (validated when broadly agreed, contested when "
                    "disagreed or divided; fewer than 5 votes leave a lesson as it was)."
                ).format(changed=number(len(changed)), total=number(len(applied))),
                icon=":material/check_circle:",
            )
    pending = [s for s in load_statements(path, loaders_version(path), code) if s.get("moderation") == "pending"]
    if pending:
        st.markdown(_("**Suggested by participants, waiting for you** ({n})").format(n=number(len(pending))))
        for statement in pending:
            left, approve, reject = st.columns([6, 1, 1])
            left.markdown(safe(statement["text"]))
            if approve.button(_("Approve"), key=f"workshops_ok_{statement['key']}"):
                auth.write(path, workshops.moderate, actor, code, statement["key"], True)
                st.rerun()
            if reject.button(_("Reject"), key=f"workshops_no_{statement['key']}"):
                auth.write(path, workshops.moderate, actor, code, statement["key"], False)
                st.rerun()


def picker_label(workshop: dict) -> str:
    """The picker's label of a workshop: its title and code. Never its status: the browser keeps showing the label
    it had when chosen, so a status there went stale ("draft" after opening); :func:`status_line` says it."""
    return f"{workshop['title']} ({workshop['code']})"


def status_line(workshop: dict) -> str:
    """The chosen workshop's status, round and counts, read afresh on every run."""
    state = {"draft": _("Draft: not open yet"), "open": _("Open for voting"), "closed": _("Closed")}[workshop["status"]]
    return _(
        "**{state}** · round {round} · {statements} statements · {participants} participants · {votes} votes"
    ).format(
        state=state,
        round=number(workshop["current_round"]),
        statements=number(workshop["statements"]),
        participants=number(workshop["participants"]),
        votes=number(workshop["votes"]),
    )


# --- Facilitator: Pol.is in and out ----------------------------------------------------------------------------


def polis_import_form(path: str, actor) -> str | None:
    """Import a Pol.is export (its CSV files, or a ZIP of them) as a closed workshop; return its code."""
    with st.form("workshops_polis", clear_on_submit=True):
        files = st.file_uploader(
            _("Pol.is export: comments.csv and votes.csv (or participants-votes.csv), or a ZIP of the export"),
            type=["csv", "json", "zip"], accept_multiple_files=True, key="workshops_polis_files",
        )  # fmt: skip
        title = st.text_input(_("Title of the imported workshop"), key="workshops_polis_title")
        if not st.form_submit_button(_("Import from Pol.is")):
            return None
    if not files:
        st.error(_("Choose the export's files (or its ZIP) first."))
        return None
    try:
        found = unpack_upload({f.name: f.getvalue() for f in files})
        with writing(path) as db:
            return import_polis(db, actor, found, title=title)
    except REFUSALS as problem:
        auth.show_refusal(problem)
        for item in getattr(problem, "problems", [])[:20]:
            st.markdown(f"- {safe(item)}")
        return None


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def load_polis_export(path: str, version: int, code: str, lang: str = "en") -> bytes | str:
    """The workshop as a Pol.is export (ZIP bytes), or the privacy rule's reason why it cannot be exported (worded
    in ``lang``, the reader's language: the cache keeps one per language)."""
    try:
        return read(path, export_polis_zip, code)
    except workshops.WorkshopError as refusal:
        return str(refusal)


def polis_export(path: str, version: int, code: str) -> None:
    """A download of the workshop in Pol.is's format, under the same privacy rule as the command line's export."""
    export = load_polis_export(path, version, code, i18n.current())
    if isinstance(export, str):
        st.info(safe(export), icon=":material/lock:")
        return
    st.download_button(
        _("Download as a Pol.is export (ZIP)"), export, file_name=f"polis-{code}.zip", mime="application/zip",
        key="workshops_polis_download", icon=":material/download:", on_click="ignore",
    )  # fmt: skip
    st.caption(
        _("comments.csv, votes.csv, participants-votes.csv, summary.csv and conversation.json, as Pol.is writes.")
    )


def loaders_version(path: str) -> int:
    return loaders.data_version(path, "workshops")


@st.fragment(run_every=5)
def live_results(path: str, code: str) -> None:
    """Results that refresh every 5 seconds without disturbing the rest of the page."""
    method = st.radio(
        _("Analysis method"),
        list(METHOD_LABELS),
        format_func=lambda m: _(METHOD_LABELS[m]),
        horizontal=True,
        key="workshops_method",
        help=_(
            "Ours is stricter (no opinion group under 5 people, consensus in every group). Pol.is-compatible "
            "follows Pol.is's published method: its participant filter, base clusters, choice of k, representative "
            "statements and consensus. The public report always uses ours."
        ),
    )
    results_view(load_results(path, loaders_version(path), code, method), sector_names(path))


def sector_names(path: str) -> dict[str, str]:
    """Stakeholder group codes to the sector names people read ("civil_society" → "Civil society")."""
    sectors = loaders.load_vocabularies(path, loaders.data_version(path))["sectors"]
    return {**dict(zip(sectors["code"], sectors["name"])), "undeclared": _(NO_SECTOR)}
