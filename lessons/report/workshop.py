"""A workshop's public report as a :class:`~lessons.report.document.Report`: the page, the HTML and the PDF.

The numbers come from :func:`lessons.workshops.public_report.public_report` (which applies the privacy rule); this
module only words them. Every chart is followed by its table; statements are numbered in the facilitator's order
and nobody's id or token appears.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.chart_specs import agreement_dots
from lessons.queries import demo_notice
from lessons.report.citations import _Citations
from lessons.report.document import Report, Section
from lessons.store import STATUS_LABELS
from lessons.workshops.public_report import public_report

__all__ = ["workshop_report"]


def _percent(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def _counts(row) -> str:
    """Word one statement's votes: ``7 agree, 2 disagree, 2 pass (n = 11; 64% agree, 95% interval 35–85%)``."""
    if pd.isna(row["n"]):
        return "votes not shown (fewer than 5 people took part)"
    if not row["n"]:
        return "no votes yet"
    return (
        f"{int(row['agree'])} agree, {int(row['disagree'])} disagree, {int(row['pass'])} pass (n = {int(row['n'])}; "
        f"{_percent(row['agree_share'])} agree, 95% interval {_percent(row['agree_low'])[:-1]}–"
        f"{_percent(row['agree_high'])})"
    )


def _label(row) -> str:
    text = str(row["text"])
    return f"{int(row['number'])}. {text if len(text) <= 70 else text[:69] + '…'}"


def _statement_table(statements: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "No.": statements["number"].astype(int),
            "Statement": statements["text"],
            "Agree": statements["agree"].astype("Int64"),
            "Disagree": statements["disagree"].astype("Int64"),
            "Pass": statements["pass"].astype("Int64"),
            "Votes": statements["n"].astype("Int64"),
            "Share agreeing": statements["agree_share"].map(_percent),
            "95% interval": [
                "–" if pd.isna(lo) else f"{_percent(lo)[:-1]}–{_percent(hi)}"
                for lo, hi in zip(statements["agree_low"], statements["agree_high"])
            ],
            "Mean importance (1–5)": statements["importance"].round(1),
            "Ratings": statements["importance_n"].astype(int),
        }
    )


def _about(workshop: dict, statements: pd.DataFrame) -> Section:
    section = Section("About this workshop")
    status = {"draft": "being prepared", "open": "open for voting", "closed": "closed"}[workshop["status"]]
    section.text(
        f"“{workshop['title']}” (code {workshop['code']}) is {status}. {workshop['participants']} people took part "
        f"and voted on {len(statements)} statements. This report shows round {workshop['round']}, the latest round "
        "with votes."
    )
    section.text(
        "Privacy: nobody is named. A group of fewer than 5 people is never shown on its own, and no figure can be "
        "subtracted from another to reveal one person's votes."
        + ("" if workshop["shown"] else " Fewer than 5 people took part, so no vote counts are shown at all.")
    )
    return section


def _votes(statements: pd.DataFrame, shown: bool) -> Section:
    section = Section("How people voted on each statement")
    section.text(
        "For each statement: how many agreed, disagreed or passed, n (everyone who voted on it), and the share "
        "agreeing with its 95% interval — the range the share would likely fall in with other people from the same "
        "groups. A short line means a sure figure; a long one, an unsure figure. Importance is the mean of the 1–5 "
        "ratings people chose to give, with how many gave one."
    )
    voted = statements[statements["n"].fillna(0) > 0]
    if shown and len(voted):
        dots = pd.DataFrame(
            {
                "label": voted.apply(_label, axis=1),
                "agree": voted["agree_share"],
                "low": voted["agree_low"],
                "high": voted["agree_high"],
                "n": voted["n"].astype(int),
            }
        )
        section.chart(
            agreement_dots(dots, title="Share agreeing with each statement, with its 95% interval"),
            alt=f"Dot chart of the share agreeing with each of {len(voted)} statements, with 95% intervals.",
            frame=_statement_table(voted),
            caption="The table below gives every figure of the chart.",
        )
    else:
        section.table(_statement_table(statements), caption="Votes per statement")
    return section


def _flagged(report: dict) -> Section:
    section = Section("Where people agreed, were divided or were unsure")
    section.text(
        "Consensus: at least 60% in every opinion group and every stakeholder group shown took the same side, and "
        "the lower end of the 95% interval is at least half. Divisive: the opinion groups' shares agreeing lie at "
        "least 50 points apart. Uncertain: at least 30% of the votes were passes."
    )
    for name, heading in (
        ("consensus", "Consensus"),
        ("divisive", "Divisive"),
        ("uncertain", "Uncertain"),
    ):
        section.subheading(heading)
        rows = report[name]
        if rows.empty:
            section.text(f"No {heading.lower()} statements.")
            continue
        items = []
        for row in rows.to_dict("records"):
            side = f" — broad {row['consensus_for']}ment" if name == "consensus" and row["consensus_for"] else ""
            items.append(f"{int(row['number'])}. {row['text']}{side}: {_counts(row)}")
        section.bullets(items)
    return section


def _groups(report: dict) -> Section:
    section = Section("Opinion groups")
    groups = report["groups"]
    if groups.empty:
        section.text(
            "No opinion groups were formed: too few people voted on enough statements, or no grouping left every "
            "group with at least 5 people."
        )
        return section
    section.text(
        "People who voted alike are grouped (as Pol.is does); each group's representative statements are those on "
        "which it voted most unlike everyone else."
    )
    section.table(groups.rename(columns={"group": "Group", "participants": "People"}), caption="Opinion groups")
    rep = report["representative"]
    if len(rep):
        section.table(
            pd.DataFrame(
                {
                    "Group": rep["group"],
                    "No.": rep["number"].astype("Int64"),
                    "Statement": rep["text"],
                    "The group tended to": rep["repful_for"],
                    "Share of the group": rep["share"].map(_percent),
                    "Clear difference": rep["significant"].map({True: "yes", False: "no"}),
                }
            ),
            caption="Representative statements of each group",
        )
    return section


def _stakeholders(report: dict) -> Section:
    section = Section("Stakeholder groups")
    groups = report["stakeholder_groups"]
    if groups.empty:
        section.text(
            "No stakeholder group can be shown: with groups this small, any breakdown would point to fewer than "
            "5 people."
        )
        return section
    section.text("The groups people declared when they joined; groups under 5 people are pooled.")
    section.table(
        groups.rename(columns={"stakeholder_group": "Stakeholder group", "participants": "People"}),
        caption="Declared stakeholder groups",
    )
    votes = report["stakeholder_votes"]
    if len(votes):
        numbers = report["statements"].set_index("statement_id")["number"]
        section.table(
            pd.DataFrame(
                {
                    "No.": votes["statement_id"].map(numbers).astype(int),
                    "Stakeholder group": votes["stakeholder_group"],
                    "Agree": votes["agree"].astype(int),
                    "Disagree": votes["disagree"].astype(int),
                    "Pass": votes["pass"].astype(int),
                    "Votes": votes["n"].astype(int),
                    "Share agreeing": votes["agree_share"].map(_percent),
                }
            ),
            caption="Votes by stakeholder group (statements where a group held fewer than 5 votes are left out)",
        )
    return section


def _rounds(report: dict) -> Section:
    section = Section("Delphi rounds: did opinion converge?")
    rounds = report["rounds"]
    if rounds.empty:
        section.text("No round can be shown.")
        return section
    if len(rounds) == 1:
        section.text("The workshop voted in one round, so there is nothing to compare.")
    else:
        change = rounds["variance_change"].iloc[-1]
        way = "converged (votes became more alike)" if change < 0 else "did not converge (votes became less alike)"
        section.text(
            f"Between round {int(rounds['round'].iloc[-2])} and round {int(rounds['round'].iloc[-1])}, opinion {way}: "
            f"the spread of votes changed by {change:+.2f}."
        )
    section.table(
        pd.DataFrame(
            {
                "Round": rounds["round"].astype(int),
                "People": rounds["participants"].astype(int),
                "Votes": rounds["votes"].astype(int),
                "Spread of votes (0 = all alike)": rounds["mean_variance"].round(2),
                "Statements with 70% agreeing": rounds["agreement_70"].map(_percent),
                "Change in spread": rounds["variance_change"].map(lambda v: "–" if pd.isna(v) else f"{v:+.2f}"),
            }
        ),
        caption="Each round",
    )
    return section


def _next(report: dict) -> Section:
    section = Section("What happened next")
    lessons = report["lessons"]
    section.subheading("Lessons")
    if lessons.empty:
        section.text("No lesson's status has changed on this workshop's evidence yet.")
    else:
        section.table(
            pd.DataFrame(
                {
                    "Lesson": "L" + lessons["lesson_id"].astype(str) + " " + lessons["lesson"],
                    "Pilot": lessons["pilot"],
                    "Status before": lessons["status_before"].map(lambda s: STATUS_LABELS.get(s, s or "–")),
                    "Status after": lessons["status"].map(lambda s: STATUS_LABELS.get(s, s)),
                    "Why": lessons["reason"],
                    "On": lessons["day"],
                }
            ),
            caption="The status each lesson took with this workshop as evidence",
        )
    elements = report["elements"]
    if len(elements):
        section.subheading("Governance model elements")
        section.text("Model elements keep no status of their own; this is the verdict of the vote on each.")
        section.table(
            pd.DataFrame(
                {
                    "No.": elements["number"].astype(int),
                    "Element": elements["element"],
                    "Verdict": elements["verdict"],
                }
            ),
            caption="Verdicts on model elements (at least 70% of those taking a side agreeing: agreed)",
        )
    section.subheading("The facilitator's responses")
    statements = report["statements"]
    answered = statements[statements["response"].notna()]
    if answered.empty:
        section.text("The facilitator has not written a response to any statement yet.")
    else:
        section.table(
            pd.DataFrame({"No.": answered["number"].astype(int), "Statement": answered["text"],
                          "Response": answered["response"]}),
            caption="Responses to statements",
        )  # fmt: skip
    suggestions = report["suggestions"]
    section.subheading("Participants' suggestions")
    if suggestions.empty:
        section.text("Participants suggested no statements.")
    else:
        section.table(
            pd.DataFrame(
                {
                    "No.": suggestions["number"],
                    "Suggestion": suggestions["text"],
                    "What became of it": suggestions["fate"],
                    "Response": suggestions["response"],
                }
            ),
            caption="Every suggestion and what became of it",
        )
    return section


def workshop_report(db: Database, code: str) -> Report:
    """Build workshop ``code``'s public report: what it found and what happened next.

    Whether the report is published is for the caller to check
    (:func:`lessons.workshops.public_report.published_at`).

    Parameters
    ----------
    db : Database
        The store.
    code : str
        The workshop's join code.

    Returns
    -------
    Report
        Kind ``workshop``, key the code; render it with :func:`lessons.report.render.render`.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> from lessons.workshops import create_workshop
    >>> db = open_memory_store()
    >>> report = workshop_report(db, create_workshop(db, cli_actor(), "Trust"))
    >>> report.title, [s.heading for s in report.sections][:2]
    ('Workshop report: Trust', ['About this workshop', 'How people voted on each statement'])
    """
    data = public_report(db, code)
    workshop = data["workshop"]
    sections = [
        _about(workshop, data["statements"]),
        _votes(data["statements"], workshop["shown"]),
        _flagged(data),
        _groups(data),
        _stakeholders(data),
        _rounds(data),
        _next(data),
    ]
    cite = _Citations(db)
    cite.lesson_ids.update(int(i) for i in data["lessons"]["lesson_id"])
    cite.lesson_ids.update(int(i) for i in data["statements"]["lesson_id"].dropna())
    if workshop["shown"]:  # the Sources table counts votes: not for a workshop under k people
        cite.workshop_codes.add(workshop["code"])
    lessons, workshops = cite.sources()
    published = f"published {workshop['published_at'][:10]}" if workshop["published_at"] else "not yet published"
    return Report(
        kind="workshop",
        key=workshop["code"],
        title=f"Workshop report: {workshop['title']}",
        subtitle=f"Validation workshop {workshop['code']} · {published}",
        generated=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
        notice=demo_notice(db) or "",
        sections=sections,
        lessons=lessons,
        workshops=workshops,
    )
