"""The sections briefs share, and the by-kind counts and charts behind them.

What recurs across pilots, what validation workshops said, who was involved, the stakeholder network.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons import network, synthesis
from lessons.chart_specs import agreement_dots, count_bars, kind_bars
from lessons.i18n import N_, _, current, ngettext, number
from lessons.palette import KIND_COLOURS, kind_scale
from lessons.queries import KIND_LABELS, demo_notice
from lessons.report.citations import (
    _Citations,
    _frame,
    _interval,
    _n,
    _now,
    _number,
    _percent,
    statement_results,
)
from lessons.report.document import Report, Section
from lessons.stories import parse, published_public_story

#: The similarity threshold of the *What recurs* page's default view: briefs name the same groups.
GROUP_THRESHOLD = 0.2
#: How many groups a list names before it says "and N more".
LIST_LIMIT = 12
#: The most statements a brief lists with their votes (the table behind the chart holds them all).
VOTES_LISTED = 20


# --- Charts (Vega-Lite specifications from lessons.chart_specs, drawn at a brief's width) ----------------------------

#: Width of a brief's bar charts, in Vega pixels (the PDF prints about 0.3 mm a pixel).
CHART_WIDTH = 420
#: Width of a brief's dot and grouped-bar charts, whose long labels take room on the left.
NARROW_WIDTH = 360


def _bar_by_kind(frame: pd.DataFrame, y: str, y_title: str, title: str, sort="-x") -> dict:
    """Horizontal stacked bars of lesson counts by kind; ``frame`` has columns ``y``, kind (label), lessons."""
    scale = kind_scale(labels=KIND_LABELS)
    return {**kind_bars(frame, y=y, y_title=y_title, title=title, scale=scale, sort=sort), "width": CHART_WIDTH}


def _agreement_chart(frame: pd.DataFrame, title: str) -> dict:
    """Chart the share agreeing with each statement and its 95% interval; ``frame`` has label, agree, low, high, n."""
    return {**agreement_dots(frame, title=title), "width": NARROW_WIDTH}


def _count_chart(
    frame: pd.DataFrame, y: str, y_title: str, x: str, x_title: str, title: str, counts: bool = True
) -> dict:
    spec = count_bars(frame, y=y, y_title=y_title, x=x, x_title=x_title, title=title, counts=counts)
    return {**spec, "width": CHART_WIDTH}


def _kind_counts(lessons: pd.DataFrame, by: str, label: str) -> pd.DataFrame:
    """Lesson counts per ``by`` value and kind (long form, for a chart)."""
    counts = lessons.groupby([by, "kind"]).size().reset_index(name="lessons")
    counts["kind"] = [_(KIND_LABELS.get(k, k)) for k in counts["kind"]]
    return counts.rename(columns={by: label})


def _kinds(kinds: pd.Series) -> str:
    """Write lesson counts by kind: ``3 enabler, 2 barrier``."""
    return ", ".join(
        # Translators: a count of lessons of one kind, in a list: "3 enabler, 2 barrier".
        _("{n} {kind}").format(n=number(int(n)), kind=_(KIND_LABELS.get(k, k)).lower())
        for k, n in kinds.items()
    )


#: A by-kind bar chart draws at most this many bars; the rest are summed in one bar (the table lists every row).
MAX_BARS = 25


def _top_bars(counts: pd.DataFrame, label: str, limit: int = MAX_BARS) -> pd.DataFrame:
    """Keep the ``limit - 1`` values of ``label`` with most lessons, and sum the rest as one bar ("12 other pilots").

    A chart of hundreds of bars is unreadable, and drawn as an image it took hundreds of megabytes.

    >>> counts = pd.DataFrame({"pilot": list("abcd"), "kind": ["Insight"] * 4, "lessons": [5, 4, 3, 1]})
    >>> _top_bars(counts, "pilot", limit=3)["pilot"].tolist()
    ['a', 'b', '2 other pilots']
    """
    totals = counts.groupby(label)["lessons"].sum().sort_values(ascending=False, kind="stable")
    if len(totals) <= limit:
        return counts
    keep = set(totals.index[: limit - 1])
    rest = counts[~counts[label].isin(keep)]
    other = rest.groupby("kind", as_index=False)["lessons"].sum()
    rest_count = len(totals) - len(keep)
    other[label] = _n(ngettext("{n} other pilot", "{n} other pilots", rest_count), rest_count)
    return pd.concat([counts[counts[label].isin(keep)], other[counts.columns]], ignore_index=True)


def _kind_table(counts: pd.DataFrame, label: str, order=None) -> pd.DataFrame:
    """Build the table behind a by-kind chart: one row per ``label`` value, a column per kind and the total."""
    wide = counts.pivot_table(index=label, columns="kind", values="lessons", aggfunc="sum", fill_value=0)
    kinds = [_(KIND_LABELS[k]) for k in KIND_COLOURS if _(KIND_LABELS[k]) in wide.columns]
    wide = wide[kinds].astype(int)
    total = _("Total")
    wide[total] = wide.sum(axis=1)
    wide = wide.reindex([o for o in order if o in wide.index]) if order else wide.sort_values(total, ascending=False)
    return wide.reset_index().rename(columns={label: _(_TABLE_LABELS.get(label, label))})


#: The first column's heading of a by-kind table.
_TABLE_LABELS = {"pilot": N_("Pilot"), "theme": N_("Theme"), "phase": N_("Phase")}


# --- Shared sections --------------------------------------------------------------------------------------------------


def _shared(db: Database, memo: dict | None, name: str):
    """Compute what every brief of one batch reads alike, once per ``memo`` dict.

    Vote results, groups of similar lessons, the theme matrix; the bundle makes all its briefs with one ``memo``.
    """
    if memo is not None and name in memo:
        return memo[name]
    if name == "results":
        value = statement_results(db)
    elif name == "groups":
        # The stored analysis, even from before the latest change while the app computes the new one in the
        # background: a brief never waits for it (the command line computes it first).
        value = synthesis.clusters(
            synthesis.lesson_facts(db), synthesis.similarity(db, latest=True), GROUP_THRESHOLD, 2
        )
    else:
        value = synthesis.theme_matrix(db)
    if memo is not None:
        memo[name] = value
    return value


def _recurring(
    db: Database,
    lessons: pd.DataFrame,
    cite: _Citations,
    heading: str,
    empty: str,
    unmatched: str,
    own_pilot: str | None = None,
    memo: dict | None = None,
) -> Section:
    """Find groups of similar lessons (the *What recurs* analysis) that hold at least two of ``lessons``' pilots.

    For a pilot: groups holding one of its lessons and another pilot's. ``empty`` is said when there is no lesson,
    ``unmatched`` (with ``{share}``) when none has a close match.
    """
    section = Section(heading)
    if lessons.empty:
        section.text(empty)
        return section
    groups = _shared(db, memo, "groups")
    members = groups["members"]
    ids = set(lessons["id"])
    inside = members[members["id"].isin(ids)]
    if own_pilot is None:  # groups where at least two pilots' lessons are among ``lessons``
        wide = inside.groupby("cluster")["pilot"].nunique()
        relevant = inside[inside["cluster"].isin(wide.index[wide >= 2])]
    else:  # every group holding one of the pilot's lessons (groups span two pilots or more by construction)
        relevant = members[members["cluster"].isin(set(inside["cluster"]))]
    summaries = groups["clusters"].set_index("cluster")
    found = []
    for cluster, shown in relevant.groupby("cluster", sort=False):
        summary = summaries.loc[cluster]
        name = summary["name"] if "name" in summary and summary["name"] else summary["label"].capitalize()
        found.append((shown["pilot"].nunique(), len(shown), name, summary["label"], shown))
    found.sort(key=lambda f: (-f[0], -f[1], f[2]))
    if found:
        section.text(
            ngettext(
                "Lessons that tell the same story in different pilots ({n} group; lessons are grouped by the "
                "distinctive words they share, at the {share} similarity of the What recurs page):",
                "Lessons that tell the same story in different pilots ({n} groups; lessons are grouped by the "
                "distinctive words they share, at the {share} similarity of the What recurs page):",
                len(found),
            ).format(n=number(len(found)), share=_percent(GROUP_THRESHOLD))
        )
        items = []
        for pilots, count, name, words, shown in found[:LIST_LIMIT]:
            titles = "; ".join(f"“{t}”" for t in shown["title"].head(3))
            items.append(
                _("{name} — {pilots}, {lessons} ({kinds}; shared words: {words}): {titles} [{cited}]").format(
                    name=name,
                    pilots=_n(ngettext("{n} pilot", "{n} pilots", pilots), pilots),
                    lessons=_n(ngettext("{n} lesson", "{n} lessons", count), count),
                    kinds=_kinds(shown["kind"].value_counts()),
                    words=words,
                    titles=titles + (" …" if count > 3 else ""),
                    cited=cite.lessons(shown),
                )
            )
        section.bullets(items)
        if len(found) > LIST_LIMIT:
            rest = len(found) - LIST_LIMIT
            section.text(
                _n(
                    ngettext("{n} smaller group is not listed here.", "{n} smaller groups are not listed here.", rest),
                    rest,
                )
            )
    else:
        section.text(unmatched.format(share=_percent(GROUP_THRESHOLD)))
    per_pilot = lessons.groupby("pilot_name").size()
    if own_pilot is None and len(per_pilot) >= 2:
        counts = "; ".join(f"{pilot} {number(int(n))}" for pilot, n in per_pilot.sort_values(ascending=False).items())
        section.text(
            ngettext(
                "Lessons per pilot ({n} pilot): {counts}.", "Lessons per pilot ({n} pilots): {counts}.", len(per_pilot)
            ).format(n=number(len(per_pilot)), counts=counts)
        )
    return section


def _validation(
    cite: _Citations, results: pd.DataFrame, labels: dict[int, str], heading: str, empty: str, title: str
) -> Section:
    """Per-statement vote counts with n and intervals, a chart of the shares agreeing and the table behind it."""
    section = Section(heading)
    if results.empty:
        section.text(empty)
        return section
    results = results.sort_values(["agree_share", "n"], ascending=[False, False])
    agreed = results[results["agree_low"] >= 0.5]
    rejected = results[results["agree_high"] < 0.5]
    workshops, votes = results["workshop"].nunique(), int(results["n"].sum())
    section.text(
        ngettext(
            "{n} statement drawn from these records was voted on in {workshops} ({votes} in the last round of each). "
            "For {agreed} of them a majority agreed (the whole 95% interval above {half}); for {rejected} a majority "
            "did not agree (the whole interval below {half}); the rest are undecided.",
            "{n} statements drawn from these records were voted on in {workshops} ({votes} in the last round of "
            "each). For {agreed} of them a majority agreed (the whole 95% interval above {half}); for {rejected} a "
            "majority did not agree (the whole interval below {half}); the rest are undecided.",
            len(results),
        ).format(
            n=number(len(results)),
            workshops=_n(ngettext("{n} workshop", "{n} workshops", workshops), workshops),
            votes=_n(ngettext("{n} vote", "{n} votes", votes), votes),
            agreed=number(len(agreed)),
            rejected=number(len(rejected)),
            half=_percent(0.5),
        )
    )
    listed = results if len(results) <= VOTES_LISTED else pd.concat([results.head(VOTES_LISTED - 5), results.tail(5)])
    section.bullets([f"{labels[int(row['_subject'])]}: {cite.votes(row)}" for row in listed.to_dict("records")])
    if len(listed) < len(results):
        section.text(
            _(
                "Listed: the {most} statements most agreed with and the {least} least; all {n} are in the table below."
            ).format(most=number(VOTES_LISTED - 5), least=number(5), n=number(len(results)))
        )
        for row in results.to_dict("records"):
            cite.votes(row)  # every workshop of the table is a source
    chart_frame = pd.DataFrame(
        {
            "label": [labels[int(i)][:60] for i in results["_subject"]],
            "agree": results["agree_share"].round(3),
            "low": results["agree_low"].round(3),
            "high": results["agree_high"].round(3),
            "n": results["n"],
        }
    ).head(25)
    table = pd.DataFrame(
        {
            _("Statement about"): [labels[int(i)] for i in results["_subject"]],
            _("Workshop"): results["workshop"],
            _("Round"): results["round"],
            _("Agree"): results["agree"],
            _("Disagree"): results["disagree"],
            _("Pass"): results["pass"],
            "n": results["n"],
            _("Agree %"): [_percent(v) for v in results["agree_share"]],
            _("95% interval"): [_interval(a, b) for a, b in zip(results["agree_low"], results["agree_high"])],
        }
    )
    section.chart(
        _agreement_chart(chart_frame, title),
        alt=_n(
            ngettext(
                "Dot plot of the share agreeing with {n} statement, with its 95% interval.",
                "Dot plot of the share agreeing with each of {n} statements, with 95% intervals.",
                len(chart_frame),
            ),
            len(chart_frame),
        ),
        frame=table,
        caption=_("Votes per statement in its last round; passes count in n."),
    )
    return section


def _stakeholders(db: Database, lessons: pd.DataFrame, cite: _Citations, heading: str) -> Section:
    """Who the lessons concern (lesson_stakeholders): actors by sector, hard-to-reach groups, the most named."""
    section = Section(heading)
    ids = [int(i) for i in lessons["id"]]
    actors = (
        _frame(
            db,
            f"""SELECT s.id, s.name, coalesce(sec.name, s.sector) AS sector, s.hard_to_reach, p.name AS pilot_name,
                       ls.lesson_id
                FROM lesson_stakeholders ls JOIN stakeholders s ON s.id = ls.stakeholder_id
                JOIN pilots p ON p.id = s.pilot_id LEFT JOIN sectors sec ON sec.code = s.sector
                WHERE ls.lesson_id IN ({", ".join("?" * len(ids))})""",
            ids,
        )
        if ids
        else pd.DataFrame(columns=["id", "name", "sector", "hard_to_reach", "pilot_name", "lesson_id"])
    )
    if actors.empty:
        section.text(_("No stakeholder is linked to these lessons in the store."))
        return section
    distinct = actors.drop_duplicates("id")
    hard = distinct[distinct["hard_to_reach"] == 1]
    distinct = distinct.assign(sector=[_(v) if isinstance(v, str) else v for v in distinct["sector"]])
    actors = actors.assign(sector=[_(v) if isinstance(v, str) else v for v in actors["sector"]])
    by_sector = distinct.groupby("sector").size().reset_index(name="actors").sort_values("actors", ascending=False)
    pilots = distinct["pilot_name"].nunique()
    section.text(
        _("The lessons concern {stakeholders} in {pilots} ({sectors}), {hard}.").format(
            stakeholders=_n(ngettext("{n} stakeholder", "{n} stakeholders", len(distinct)), len(distinct)),
            pilots=_n(ngettext("{n} pilot", "{n} pilots", pilots), pilots),
            sectors="; ".join(f"{r.sector} {number(int(r.actors))}" for r in by_sector.itertuples()),
            hard=_n(
                ngettext("{n} of them a hard-to-reach group", "{n} of them hard-to-reach groups", len(hard)), len(hard)
            ),
        )
    )
    most = (
        actors.groupby(["id", "name", "sector", "pilot_name"])["lesson_id"]
        .agg(list)
        .reset_index()
        .assign(count=lambda f: f["lesson_id"].map(len))
        .sort_values(["count", "name"], ascending=[False, True])
        .head(8)
    )
    lesson_rows = lessons.set_index("id")
    section.bullets(
        [
            ngettext(
                "{name} ({sector}, {pilot}) — named by {n} lesson [{cited}]",
                "{name} ({sector}, {pilot}) — named by {n} lessons [{cited}]",
                r.count,
            ).format(
                n=number(r.count),
                name=r.name,
                sector=r.sector,
                pilot=r.pilot_name,
                cited=cite.lessons(lesson_rows.loc[sorted(set(r.lesson_id))].reset_index()),
            )
            for r in most.itertuples()
        ]
    )
    section.chart(
        _count_chart(
            by_sector, "sector", _("Sector"), "actors", _("Stakeholders"), _("Stakeholders concerned, by sector")
        ),
        alt=_n(
            ngettext(
                "Bar chart of the {n} stakeholder these lessons concern, by sector.",
                "Bar chart of the {n} stakeholders these lessons concern, by sector.",
                len(distinct),
            ),
            len(distinct),
        ),
        frame=by_sector.rename(columns={"sector": _("Sector"), "actors": _("Stakeholders")}),
    )
    return section


def _finish(kind: str, key: str, title: str, subtitle: str, db: Database, sections, cite: _Citations) -> Report:
    lessons, workshops = cite.sources()
    return Report(
        kind=kind,
        key=key,
        title=title,
        subtitle=subtitle,
        generated=_now(),
        notice=demo_notice(db) or "",
        sections=sections,
        lessons=lessons,
        workshops=workshops,
        language=current(),
    )


def _statement_labels(results: pd.DataFrame, lessons: pd.DataFrame, cite: _Citations) -> dict[int, str]:
    rows = lessons.set_index("id")
    return {
        int(i): f"{cite.lesson(rows.loc[int(i)].to_dict() | {'id': int(i)})} {rows.loc[int(i), 'title']}"
        for i in results["_subject"]
    }


def _side(lessons: pd.DataFrame, cite: _Citations, where: str = "") -> str:
    titles = "; ".join(f"“{t}”" for t in lessons["title"].head(3))
    return f"{titles}{' …' if len(lessons) > 3 else ''} [{cite.lessons(lessons, where=where)}]"


def _network_section(db: Database, pilot: str, lessons: pd.DataFrame, cite: _Citations) -> Section:
    section = Section(_("The stakeholder network"))
    actors = db.execute(
        "SELECT count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = ?", [pilot]
    ).fetchone()[0]
    if not actors:
        section.text(_("The store holds no stakeholder of this pilot."))
        return section
    result = network.analysis(db, pilot, period="end")
    m = result.metrics
    nodes, ties = int(m["nodes"]), int(m["ties"])
    parts, communities, brokers = (int(m.get(k) or 0) for k in ("components", "communities", "brokers"))
    section.text(
        _(
            "At the end of the pilot: {stakeholders} and {ties} ({direction}); density {density}, {parts}, "
            "{communities}, {brokers} between sectors. Hard-to-reach groups: {hard}; share of them tied directly to "
            "a public body: {tied}. Source: the pilot's ties in the store (period “end”)."
        ).format(
            stakeholders=_n(ngettext("{n} stakeholder", "{n} stakeholders", nodes), nodes),
            ties=_n(ngettext("{n} tie", "{n} ties", ties), ties),
            direction=_("directed") if m.get("directed") else _("undirected"),
            density=_number(m.get("density")),
            parts=_n(ngettext("{n} connected part", "{n} connected parts", parts), parts),
            communities=_n(ngettext("{n} community", "{n} communities", communities), communities),
            brokers=_n(ngettext("{n} broker", "{n} brokers", brokers), brokers),
            hard=number(int(m.get("hard_to_reach_actors", 0) or 0)),
            tied=_percent(m.get("hard_to_reach_tied_to_public")),
        )
    )
    top = result.actors.sort_values(["betweenness", "degree", "name"], ascending=[False, False, True]).head(8)
    table = pd.DataFrame(
        {
            _("Stakeholder"): top["name"],
            _("Sector"): [_(v) if isinstance(v, str) else v for v in top["sector_name"]],
            _("Ties"): top["degree"].astype(int),
            _("Betweenness"): top["betweenness"].round(3),
            _("Broker role"): top["brokerage_role"].fillna(""),
        }
    )
    drawn = pd.DataFrame({"actor": top["name"], "betweenness": top["betweenness"].round(3)})
    section.chart(
        _count_chart(
            drawn,
            "actor",
            _("Stakeholder"),
            "betweenness",
            _("Betweenness (share of shortest paths through the actor)"),
            _("The most central stakeholders"),
            counts=False,
        ),
        alt=_n(
            ngettext(
                "Bar chart of the {n} stakeholder with the highest betweenness in the pilot's network.",
                "Bar chart of the {n} stakeholders with the highest betweenness in the pilot's network.",
                len(table),
            ),
            len(table),
        ),
        frame=table,
    )
    has_baseline = db.execute(
        """SELECT count(*) FROM ties t JOIN pilots p ON p.id = t.pilot_id WHERE p.slug = ? AND t.period = 'baseline'""",
        [pilot],
    ).fetchone()[0]
    if has_baseline:
        moved = network.change(db, pilot)
        added, removed = len(moved["ties_added"]), len(moved["ties_removed"])
        section.text(
            ngettext(
                "From baseline to end: {n} tie added, {removed} removed; {changes}.",
                "From baseline to end: {n} ties added, {removed} removed; {changes}.",
                added,
            ).format(
                n=number(added),
                removed=number(removed),
                changes="; ".join(
                    f"{_(_CHANGED[r.metric])} {_number(r.baseline)} → {_number(r.end)}"
                    for r in moved["metrics"].itertuples()
                    if r.metric in _CHANGED
                ),
            )
        )
    return section


#: The network measures a pilot brief compares from baseline to end, as it names them.
_CHANGED = {
    "ties": N_("ties"),
    "density": N_("density"),
    "components": N_("components"),
    "hard_to_reach_tied_to_public": N_("hard to reach tied to public"),
}


def _story_section(db: Database, pilot: str, cite: _Citations) -> Section | None:
    """Tell the pilot's published public story, with its images and the lessons it rests on cited (None: no story)."""
    story = published_public_story(db, pilot)
    if story is None:
        return None
    section = Section(_("Story"))
    section.subheading(story["title"])
    if story["lead"]:
        section.text(story["lead"])
    for piece in parse(story["body"] or ""):
        if piece.kind == "heading":
            section.subheading(piece.text)
        elif piece.kind == "paragraph":
            section.text(piece.text)
        elif piece.kind == "bullets":
            section.bullets(list(piece.items))
        elif piece.name in story["images"]:
            image = story["images"][piece.name]
            section.image(image["data"], image["alt"])
    if story["reuse"]:
        section.subheading(_("What others can reuse"))
        section.text(story["reuse"])
    if len(story["lessons"]):
        rests = story["lessons"].assign(pilot_name=story["pilot_name"])
        section.text(_("The story rests on these lessons: [{cited}].").format(cited=cite.lessons(rests)))
    return section
