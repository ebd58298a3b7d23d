"""A workshop's public report as a :class:`~lessons.report.document.Report`: the page, the HTML and the PDF.

The numbers come from :func:`lessons.workshops.public_report.public_report` (which applies the privacy rule); this
module only words them. Every chart is followed by its table; statements are numbered in the facilitator's order
and nobody's id or token appears.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.chart_specs import agreement_dots
from lessons.i18n import N_, _, current, day, ngettext, number, percent
from lessons.queries import demo_notice
from lessons.report.citations import _Citations
from lessons.report.document import Report, Section
from lessons.store import STATUS_LABELS
from lessons.workshops.public_report import public_report

__all__ = ["workshop_report"]

#: The verdicts on a statement (:func:`lessons.workshops.outcomes.outcome`), stored in English and worded here.
VERDICTS = (N_("agreed"), N_("disagreed"), N_("divided"), N_("too few"))


def _percent(value) -> str:
    return "–" if value is None or pd.isna(value) else percent(float(value))


def _interval(low, high) -> str:
    """Word an interval of shares, ``35–85%`` (the language's own percent sign, once)."""
    if low is None or pd.isna(low):
        return "–"
    return _("{low}–{high}").format(low=number(round(100 * float(low))), high=_percent(high))


def _counts(row) -> str:
    """Word one statement's votes: ``7 agree, 2 disagree, 2 pass (n = 11; 64% agree, 95% interval 35–85%)``."""
    if pd.isna(row["n"]):
        return _("votes not shown (fewer than 5 people took part)")
    if not row["n"]:
        return _("no votes yet")
    return _(
        "{agree} agree, {disagree} disagree, {passed} pass (n = {n}; {share} agree, 95% interval {interval})"
    ).format(
        agree=number(int(row["agree"])),
        disagree=number(int(row["disagree"])),
        passed=number(int(row["pass"])),
        n=number(int(row["n"])),
        share=_percent(row["agree_share"]),
        interval=_interval(row["agree_low"], row["agree_high"]),
    )


def _label(row) -> str:
    text = str(row["text"])
    return f"{int(row['number'])}. {text if len(text) <= 70 else text[:69] + '…'}"


def _statement_table(statements: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            _("No."): statements["number"].astype(int),
            _("Statement"): statements["text"],
            _("Agree"): statements["agree"].astype("Int64"),
            _("Disagree"): statements["disagree"].astype("Int64"),
            _("Pass"): statements["pass"].astype("Int64"),
            _("Votes"): statements["n"].astype("Int64"),
            _("Share agreeing"): statements["agree_share"].map(_percent),
            _("95% interval"): [_interval(lo, hi) for lo, hi in zip(statements["agree_low"], statements["agree_high"])],
            _("Mean importance (1–5)"): statements["importance"].map(lambda v: "–" if pd.isna(v) else number(v, 1)),
            _("Ratings"): statements["importance_n"].astype(int),
        }
    )


def _about(workshop: dict, statements: pd.DataFrame) -> Section:
    section = Section(_("About this workshop"))
    status = {
        "draft": _("“{title}” (code {code}) is being prepared."),
        "open": _("“{title}” (code {code}) is open for voting."),
        "closed": _("“{title}” (code {code}) is closed."),
    }[workshop["status"]].format(title=workshop["title"], code=workshop["code"])
    took_part = ngettext(
        "{people} person took part and voted on {n} statements.",
        "{people} people took part and voted on {n} statements.",
        int(workshop["participants"]),
    ).format(people=number(int(workshop["participants"])), n=number(len(statements)))
    latest = _("This report shows round {round}, the latest round with votes.").format(round=number(workshop["round"]))
    section.text(f"{status} {took_part} {latest}")
    privacy = _(
        "Privacy: nobody is named. A group of fewer than 5 people is never shown on its own, and no figure can be "
        "subtracted from another to reveal one person's votes."
    )
    if not workshop["shown"]:
        privacy += " " + _("Fewer than 5 people took part, so no vote counts are shown at all.")
    section.text(privacy)
    return section


def _worded_dots(spec: dict) -> dict:
    """Word the dot chart's axis and description in the reader's language (the shared spec writes them in English)."""
    spec["description"] = _("Dot chart, {title}: a dot per statement ({n}) with a line for its 95% interval.").format(
        title=spec["title"], n=number(len(spec["data"]["values"]))
    )
    spec["layer"][0]["encoding"]["x"]["title"] = _("Share agreeing (with 95% interval)")
    return spec


def _votes(statements: pd.DataFrame, shown: bool) -> Section:
    section = Section(_("How people voted on each statement"))
    section.text(
        _(
            "For each statement: how many agreed, disagreed or passed, n (everyone who voted on it), and the share "
            "agreeing with its 95% interval — the range the share would likely fall in with other people from the "
            "same groups. A short line means a sure figure; a long one, an unsure figure. Importance is the mean of "
            "the 1–5 ratings people chose to give, with how many gave one."
        )
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
            _worded_dots(agreement_dots(dots, title=_("Share agreeing with each statement, with its 95% interval"))),
            alt=_("Dot chart of the share agreeing with each of {n} statements, with 95% intervals.").format(
                n=number(len(voted))
            ),
            frame=_statement_table(voted),
            caption=_("The table below gives every figure of the chart."),
        )
    else:
        section.table(_statement_table(statements), caption=_("Votes per statement"))
    return section


def _flagged(report: dict) -> Section:
    section = Section(_("Where people agreed, were divided or were unsure"))
    section.text(
        _(
            "Consensus: at least 60% in every opinion group and every stakeholder group shown took the same side, "
            "and the lower end of the 95% interval is at least half. Divisive: the opinion groups' shares agreeing "
            "lie at least 50 points apart. Uncertain: at least 30% of the votes were passes."
        )
    )
    sides = {"agree": _("broad agreement"), "disagree": _("broad disagreement")}
    for name, heading, none in (
        ("consensus", _("Consensus"), _("No consensus statements.")),
        ("divisive", _("Divisive"), _("No divisive statements.")),
        ("uncertain", _("Uncertain"), _("No uncertain statements.")),
    ):
        section.subheading(heading)
        rows = report[name]
        if rows.empty:
            section.text(none)
            continue
        items = []
        for row in rows.to_dict("records"):
            side = row["consensus_for"] if name == "consensus" else None
            side = f" — {sides.get(side, side)}" if side else ""
            items.append(f"{int(row['number'])}. {row['text']}{side}: {_counts(row)}")
        section.bullets(items)
    return section


def _groups(report: dict) -> Section:
    section = Section(_("Opinion groups"))
    groups = report["groups"]
    if groups.empty:
        section.text(
            _(
                "No opinion groups were formed: too few people voted on enough statements, or no grouping left "
                "every group with at least 5 people."
            )
        )
        return section
    section.text(
        _(
            "People who voted alike are grouped (as Pol.is does); each group's representative statements are those "
            "on which it voted most unlike everyone else."
        )
    )
    section.table(
        groups.rename(columns={"group": _("Group"), "participants": _("People")}), caption=_("Opinion groups")
    )
    rep = report["representative"]
    if len(rep):
        leaning = {"agree": _("agree"), "disagree": _("disagree")}
        section.table(
            pd.DataFrame(
                {
                    _("Group"): rep["group"],
                    _("No."): rep["number"].astype("Int64"),
                    _("Statement"): rep["text"],
                    _("The group tended to"): rep["repful_for"].map(lambda v: leaning.get(v, v)),
                    _("Share of the group"): rep["share"].map(_percent),
                    _("Clear difference"): rep["significant"].map({True: _("yes"), False: _("no")}),
                }
            ),
            caption=_("Representative statements of each group"),
        )
    return section


def _stakeholders(report: dict) -> Section:
    section = Section(_("Stakeholder groups"))
    groups = report["stakeholder_groups"]
    if groups.empty:
        section.text(
            _(
                "No stakeholder group can be shown: with groups this small, any breakdown would point to fewer "
                "than 5 people."
            )
        )
        return section
    section.text(_("The groups people declared when they joined; groups under 5 people are pooled."))
    section.table(
        groups.assign(stakeholder_group=groups["stakeholder_group"].map(_)).rename(
            columns={"stakeholder_group": _("Stakeholder group"), "participants": _("People")}
        ),
        caption=_("Declared stakeholder groups"),
    )
    votes = report["stakeholder_votes"]
    if len(votes):
        numbers = report["statements"].set_index("statement_id")["number"]
        section.table(
            pd.DataFrame(
                {
                    _("No."): votes["statement_id"].map(numbers).astype(int),
                    _("Stakeholder group"): votes["stakeholder_group"].map(_),
                    _("Agree"): votes["agree"].astype(int),
                    _("Disagree"): votes["disagree"].astype(int),
                    _("Pass"): votes["pass"].astype(int),
                    _("Votes"): votes["n"].astype(int),
                    _("Share agreeing"): votes["agree_share"].map(_percent),
                }
            ),
            caption=_("Votes by stakeholder group (statements where a group held fewer than 5 votes are left out)"),
        )
    return section


def _rounds(report: dict) -> Section:
    section = Section(_("Delphi rounds: did opinion converge?"))
    rounds = report["rounds"]
    if rounds.empty:
        section.text(_("No round can be shown."))
        return section
    if len(rounds) == 1:
        section.text(_("The workshop voted in one round, so there is nothing to compare."))
    else:
        change = rounds["variance_change"].iloc[-1]
        way = (
            _(
                "Between round {before} and round {after}, opinion converged (votes became more alike): the spread "
                "of votes changed by {change}."
            )
            if change < 0
            else _(
                "Between round {before} and round {after}, opinion did not converge (votes became less alike): the "
                "spread of votes changed by {change}."
            )
        )
        section.text(
            way.format(
                before=number(int(rounds["round"].iloc[-2])),
                after=number(int(rounds["round"].iloc[-1])),
                change=_signed(change),
            )
        )
    section.table(
        pd.DataFrame(
            {
                _("Round"): rounds["round"].astype(int),
                _("People"): rounds["participants"].astype(int),
                _("Votes"): rounds["votes"].astype(int),
                _("Spread of votes (0 = all alike)"): rounds["mean_variance"].map(
                    lambda v: "–" if pd.isna(v) else number(v, 2)
                ),
                _("Statements with 70% agreeing"): rounds["agreement_70"].map(_percent),
                _("Change in spread"): rounds["variance_change"].map(lambda v: "–" if pd.isna(v) else _signed(v)),
            }
        ),
        caption=_("Each round"),
    )
    return section


def _signed(value: float) -> str:
    """Word a change with its sign, ``+0.12`` or ``-0.05``, in the language's decimals."""
    text = number(value, 2)
    return text if value < 0 else "+" + text


def _next(report: dict) -> Section:
    section = Section(_("What happened next"))
    lessons = report["lessons"]
    section.subheading(_("Lessons"))
    if lessons.empty:
        section.text(_("No lesson's status has changed on this workshop's evidence yet."))
    else:
        section.table(
            pd.DataFrame(
                {
                    _("Lesson"): "L" + lessons["lesson_id"].astype(str) + " " + lessons["lesson"],
                    _("Pilot"): lessons["pilot"],
                    _("Status before"): lessons["status_before"].map(lambda s: STATUS_LABELS.get(s, s or "–")),
                    _("Status after"): lessons["status"].map(lambda s: STATUS_LABELS.get(s, s)),
                    _("Why"): lessons["reason"],
                    _("On"): lessons["day"].map(day),
                }
            ),
            caption=_("The status each lesson took with this workshop as evidence"),
        )
    elements = report["elements"]
    if len(elements):
        section.subheading(_("Governance model elements"))
        section.text(_("Model elements keep no status of their own; this is the verdict of the vote on each."))
        section.table(
            pd.DataFrame(
                {
                    _("No."): elements["number"].astype(int),
                    _("Element"): elements["element"],
                    _("Verdict"): elements["verdict"].map(_),
                }
            ),
            caption=_("Verdicts on model elements (at least 70% of those taking a side agreeing: agreed)"),
        )
    section.subheading(_("The facilitator's responses"))
    statements = report["statements"]
    answered = statements[statements["response"].notna()]
    if answered.empty:
        section.text(_("The facilitator has not written a response to any statement yet."))
    else:
        section.table(
            pd.DataFrame({_("No."): answered["number"].astype(int), _("Statement"): answered["text"],
                          _("Response"): answered["response"]}),
            caption=_("Responses to statements"),
        )  # fmt: skip
    suggestions = report["suggestions"]
    section.subheading(_("Participants' suggestions"))
    if suggestions.empty:
        section.text(_("Participants suggested no statements."))
    else:
        section.table(
            pd.DataFrame(
                {
                    _("No."): suggestions["number"],
                    _("Suggestion"): suggestions["text"],
                    _("What became of it"): suggestions["fate"].map(_),
                    _("Response"): suggestions["response"],
                }
            ),
            caption=_("Every suggestion and what became of it"),
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
    data = public_report(db, code, language=current())  # statements in the reader's language where translated
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
    subtitle = (
        _("Validation workshop {code} · published {day}").format(
            code=workshop["code"], day=day(workshop["published_at"])
        )
        if workshop["published_at"]
        else _("Validation workshop {code} · not yet published").format(code=workshop["code"])
    )
    return Report(
        kind="workshop",
        key=workshop["code"],
        title=_("Workshop report: {title}").format(title=workshop["title"]),
        subtitle=subtitle,
        generated=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
        notice=demo_notice(db) or "",
        sections=sections,
        lessons=lessons,
        workshops=workshops,
    )
