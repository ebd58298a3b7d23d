"""Validation workshops: loaders and pieces for the participant's voting page and the facilitator's pages.

Participants have no account: joining gives a secret token kept in their browser session; every write goes
through :mod:`lessons.workshops`, which enforces one vote per participant, statement and round.
"""

from __future__ import annotations

import streamlit as st

from components import auth, charts, loaders
from components.widgets import safe
from lessons import models, queries, workshops
from lessons.access import reading, writing
from lessons.workshops import analysis as workshop_analysis

VOTES = (("agree", "Agree", ":material/thumb_up:"), ("disagree", "Disagree", ":material/thumb_down:"),
         ("pass", "Pass / unsure", ":material/remove:"))  # fmt: skip
VALUE_LABELS = {1: "Agree", -1: "Disagree", 0: "Pass"}


def read(path: str, fn, *args, **kwargs):
    """Run a read-only domain function on a short-lived connection."""
    with reading(path) as db:
        return fn(db, *args, **kwargs)


# --- Facilitator: live results ------------------------------------------------------------------------------


@st.cache_data(ttl=loaders.TTL, max_entries=32, show_spinner=False)
def load_results(path: str, version: int, code: str) -> dict:
    """The live results of a workshop, stored by workshops data version (recomputed only when a vote arrives)."""
    with writing(path, or_read_only=True) as db:
        return workshop_analysis.results(db, code)


def _statement_label(frame):
    return frame["key"] + " · " + frame["text"].str.slice(0, 70)


def _statement_list(frame, empty: str) -> None:
    if frame.empty:
        st.caption(empty)
        return
    for row in frame.itertuples():
        st.markdown(
            f"- **{safe(row.key)}** {safe(row.text)} — {row.agree} agree, {row.disagree} disagree, {row.pass_} pass"
            if hasattr(row, "pass_")
            else f"- **{safe(row.key)}** {safe(row.text)} — {row.agree} agree, {row.disagree} disagree"
        )


def results_view(results: dict) -> None:
    """Everything the facilitator projects: counts, statements, consensus, division, uncertainty, opinion groups,
    stakeholder groups and rounds. Groups of fewer than 5 participants never appear on their own."""
    summary = results["summary"].iloc[0]
    cols = st.columns(4)
    cols[0].metric("Participants", f"{int(summary['participants']):,}")
    cols[1].metric("Votes", f"{int(summary['votes']):,}")
    cols[2].metric("Round", int(summary["round"]))
    cols[3].metric("Opinion groups", int(summary["groups"]) if summary["groups"] else "—")
    statements = results["statements"].rename(columns={"pass": "pass_"})
    if statements.empty or not int(summary["votes"]):
        st.info("No votes yet. Results appear here as participants vote.")
        return
    tabs = st.tabs(
        ["Statements", "Consensus", "Divisive", "Uncertain", "Opinion groups", "Stakeholder groups", "Rounds"]
    )
    with tabs[0]:
        shown = statements.assign(label=_statement_label(statements), position=range(len(statements)))
        st.altair_chart(charts.statement_votes_chart(shown.rename(columns={"pass_": "pass"})), width="stretch")
        st.dataframe(
            statements[
                ["key", "text", "n", "agree", "disagree", "pass_", "agree_share", "agree_low", "agree_high"]
            ].rename(
                columns={
                    "key": "Key",
                    "text": "Statement",
                    "n": "Votes",
                    "agree": "Agree",
                    "disagree": "Disagree",
                    "pass_": "Pass",
                    "agree_share": "Agree share",
                    "agree_low": "95% from",
                    "agree_high": "95% to",
                }  # fmt: skip
            ),
            hide_index=True,
            width="stretch",
            column_config={
                c: st.column_config.NumberColumn(format="percent") for c in ("Agree share", "95% from", "95% to")
            },
        )
    with tabs[1]:
        st.caption("Broad agreement in every opinion group and every stakeholder group large enough to show.")
        _statement_list(results["consensus"].rename(columns={"pass": "pass_"}), "No statement has consensus yet.")
    with tabs[2]:
        st.caption("Statements the opinion groups answer differently.")
        _statement_list(results["divisive"].rename(columns={"pass": "pass_"}), "No statement divides the groups.")
    with tabs[3]:
        st.caption("Statements many people passed on: areas of uncertainty.")
        _statement_list(results["uncertain"].rename(columns={"pass": "pass_"}), "No statement drew many passes.")
    with tabs[4]:
        people = results["participants"]
        placed = people[people["group"].notna() & people["clustered"].astype(bool)]
        if placed.empty or not int(summary["groups"]):
            st.caption("Opinion groups appear once enough participants have voted on enough statements.")
        else:
            st.altair_chart(charts.opinion_map_chart(placed[["x", "y", "group"]]), width="stretch")
            st.dataframe(
                results["groups"].rename(columns={"group": "Opinion group", "participants": "Participants"}),
                hide_index=True,
            )
            rep = results["representative"]
            for group, rows in rep.groupby("group"):
                st.markdown(f"**What sets group {safe(group)} apart**")
                for row in rows.itertuples():
                    st.markdown(
                        f"- **{safe(row.key)}** {safe(row.text)} — {row.repful_for}s: {row.p_success:.0%} of the group"
                    )
    with tabs[5]:
        st.caption("Groups of fewer than 5 participants are pooled, never shown on their own.")
        votes = results["stakeholder_votes"]
        if votes.empty:
            st.caption("No stakeholder group is large enough to show yet.")
        else:
            keys = dict(zip(statements["statement_id"], statements["key"]))
            table = votes.assign(statement=votes["statement_id"].map(keys)).pivot_table(
                index="statement", columns="stakeholder_group", values="agree_share", aggfunc="first"
            )
            st.dataframe(table.rename_axis(index="Statement", columns="Agree share by group"), width="stretch")
    with tabs[6]:
        conv = results["convergence"]
        if len(conv) < 2:
            st.caption("One round so far. Start another round to see how far opinion converges.")
        st.dataframe(
            conv.rename(
                columns={
                    "round": "Round",
                    "participants": "Participants",
                    "votes": "Votes",
                    "agreement_70": "Statements with 70% agreement",
                    "mean_variance": "Spread of opinion",
                }
            ),  # fmt: skip
            hide_index=True,
            width="stretch",
        )


# --- Facilitator: prepare, run, close ------------------------------------------------------------------------


@st.cache_data(ttl=loaders.TTL, max_entries=8, show_spinner=False)
def load_workshops(path: str, version: int) -> list[dict]:
    return read(path, workshops.workshop_list)


@st.cache_data(ttl=loaders.TTL, max_entries=32, show_spinner=False)
def load_statements(path: str, version: int, code: str) -> list[dict]:
    return read(path, workshops.statements, code, include_pending=True)


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def statement_sources(path: str, version: int) -> tuple[dict, dict]:
    """What statements can be drawn from: lessons (id → "pilot · key · title") and governance-model elements
    (id → "model · key · name")."""
    with reading(path) as db:
        found = queries.search_lessons(db)
        lessons = {int(r.id): f"{r.pilot_name} · {r.key} · {r.title}" for r in found.itertuples()}
        elements = {}
        for model in models.model_list(db).itertuples():
            for e in models.elements(db, model.slug).itertuples():
                elements[int(e.id)] = f"{model.name} · {e.key} · {e.name}"
    return lessons, elements


def create_form(path: str, actor) -> str | None:
    """A new workshop in draft; returns its code once created."""
    with st.form("workshops_create", clear_on_submit=True):
        title = st.text_input("Title", placeholder="e.g. Validation workshop: local champions")
        purpose = st.text_area("Purpose (shown to the facilitator only)")
        allow = st.checkbox("Participants may suggest their own statements (you approve them first)")
        if not st.form_submit_button("Create workshop", type="primary"):
            return None
    return auth.write(path, workshops.create_workshop, actor, title, purpose=purpose or None, allow_submissions=allow)


def statements_form(path: str, actor, code: str, lessons: dict, elements: dict) -> None:
    """Add statements drawn from lessons, from governance-model elements, or written here."""
    with st.form(f"workshops_add_{code}", clear_on_submit=True):
        chosen_lessons = st.multiselect("From lessons", list(lessons), format_func=lessons.get)
        chosen_elements = st.multiselect("From governance-model elements", list(elements), format_func=elements.get)
        texts = st.text_area("Your own statements, one per line")
        if st.form_submit_button("Add statements"):
            added = auth.write(
                path,
                workshops.add_statements,
                actor,
                code,
                lessons=chosen_lessons,
                elements=chosen_elements,
                texts=[t.strip() for t in texts.splitlines() if t.strip()],
            )
            if added:
                st.success(f"Added {len(added)} statements.", icon=":material/check_circle:")


def projector(code: str) -> None:
    """The join code, large, and the link that carries it — for the screen in the room."""
    base = str(getattr(st.context, "url", "") or "").split("?")[0].rsplit("/", 1)[0]
    st.markdown(f"# Join at {safe(base or 'this site')}/vote")
    st.markdown(f"# Code: **{safe(code)}**")
    st.code(f"{base}/vote?code={code}", language=None)
    st.caption("The code has no O, I, L, 0 or 1, so it cannot be misread.")


def controls(path: str, actor, workshop: dict) -> None:
    """Open, close, start another round, apply the results to lessons, and the moderation queue."""
    code, status = workshop["code"], workshop["status"]
    cols = st.columns(4)
    if status in ("draft", "closed") and cols[0].button("Open for voting", key="workshops_open", type="primary"):
        if auth.write(path, workshops.open_workshop, actor, code):
            st.rerun()
    if status == "open" and cols[0].button("Close voting", key="workshops_close"):
        if auth.write(path, workshops.close_workshop, actor, code):
            st.rerun()
    if status == "open" and cols[1].button("Start another round", key="workshops_round", help="Delphi: vote again"):
        if auth.write(path, workshops.start_round, actor, code):
            st.rerun()
    if status == "closed" and cols[2].button("Apply results to lessons", key="workshops_apply"):
        applied = auth.write(path, workshops.apply_results, actor, code)
        if applied == []:
            st.info(
                "No statement of this workshop was drawn from a lesson, so no lesson changes status. Votes on "
                "governance-model elements count on the Governance models page by themselves.",
                icon=":material/info:",
            )
        elif applied:
            changed = [r for r in applied if r["status_after"] != r["status_before"]]
            st.success(
                f"{len(changed)} of {len(applied)} lessons changed status (validated when broadly agreed, contested "
                "when disagreed or divided; fewer than 5 votes leave a lesson as it was).",
                icon=":material/check_circle:",
            )
    pending = [s for s in load_statements(path, loaders_version(path), code) if s.get("moderation") == "pending"]
    if pending:
        st.markdown(f"**Suggested by participants, waiting for you** ({len(pending)})")
        for statement in pending:
            left, approve, reject = st.columns([6, 1, 1])
            left.markdown(safe(statement["text"]))
            if approve.button("Approve", key=f"workshops_ok_{statement['key']}"):
                auth.write(path, workshops.moderate, actor, code, statement["key"], True)
                st.rerun()
            if reject.button("Reject", key=f"workshops_no_{statement['key']}"):
                auth.write(path, workshops.moderate, actor, code, statement["key"], False)
                st.rerun()


def loaders_version(path: str) -> int:
    return loaders.data_version(path, "workshops")


@st.fragment(run_every=5)
def live_results(path: str, code: str) -> None:
    """Results that refresh every 5 seconds without disturbing the rest of the page."""
    results_view(load_results(path, loaders_version(path), code))
