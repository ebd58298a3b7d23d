"""The sections briefs share, and the by-kind counts and charts behind them.

What recurs across pilots, what validation workshops said, who was involved, the stakeholder network.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons import network, synthesis
from lessons.chart_specs import agreement_dots, count_bars, kind_bars
from lessons.palette import KIND_COLOURS, kind_scale
from lessons.queries import KIND_LABELS, demo_notice
from lessons.report.citations import (
    _Citations,
    _frame,
    _now,
    _number,
    _percent,
    _plural,
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
    counts["kind"] = counts["kind"].map(KIND_LABELS)
    return counts.rename(columns={by: label})


#: A by-kind bar chart draws at most this many bars; the rest are summed in one bar (the table lists every row).
MAX_BARS = 25


def _top_bars(counts: pd.DataFrame, label: str, noun: str, limit: int = MAX_BARS) -> pd.DataFrame:
    """Keep the ``limit - 1`` values of ``label`` with most lessons, and sum the rest as one bar ("12 other pilots").

    A chart of hundreds of bars is unreadable, and drawn as an image it took hundreds of megabytes.

    >>> counts = pd.DataFrame({"pilot": list("abcd"), "kind": ["Insight"] * 4, "lessons": [5, 4, 3, 1]})
    >>> _top_bars(counts, "pilot", "pilot", limit=3)["pilot"].tolist()
    ['a', 'b', '2 other pilots']
    """
    totals = counts.groupby(label)["lessons"].sum().sort_values(ascending=False, kind="stable")
    if len(totals) <= limit:
        return counts
    keep = set(totals.index[: limit - 1])
    rest = counts[~counts[label].isin(keep)]
    other = rest.groupby("kind", as_index=False)["lessons"].sum()
    other[label] = f"{len(totals) - len(keep)} other {noun}s"
    return pd.concat([counts[counts[label].isin(keep)], other[counts.columns]], ignore_index=True)


def _kind_table(counts: pd.DataFrame, label: str, order=None) -> pd.DataFrame:
    """Build the table behind a by-kind chart: one row per ``label`` value, a column per kind and the total."""
    wide = counts.pivot_table(index=label, columns="kind", values="lessons", aggfunc="sum", fill_value=0)
    kinds = [KIND_LABELS[k] for k in KIND_COLOURS if KIND_LABELS[k] in wide.columns]
    wide = wide[kinds].astype(int)
    wide["Total"] = wide.sum(axis=1)
    wide = wide.reindex([o for o in order if o in wide.index]) if order else wide.sort_values("Total", ascending=False)
    return wide.reset_index().rename(columns={label: label.capitalize()})


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
    scope: str,
    own_pilot: str | None = None,
    memo: dict | None = None,
) -> Section:
    """Find groups of similar lessons (the *What recurs* analysis) that hold at least two of ``lessons``' pilots.

    For a pilot: groups holding one of its lessons and another pilot's.
    """
    section = Section(heading)
    if lessons.empty:
        section.text(f"No lesson {scope} yet, so nothing can recur.")
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
            f"Lessons that tell the same story in different pilots ({_plural(len(found), 'group')}; lessons are "
            f"grouped by the distinctive words they share, at the {int(GROUP_THRESHOLD * 100)}% similarity of the "
            "What recurs page):"
        )
        items = []
        for pilots, count, name, words, shown in found[:LIST_LIMIT]:
            kinds = ", ".join(f"{n} {KIND_LABELS[k].lower()}" for k, n in shown["kind"].value_counts().items())
            titles = "; ".join(f"“{t}”" for t in shown["title"].head(3))
            items.append(
                f"{name} — {_plural(pilots, 'pilot')}, {_plural(count, 'lesson')} ({kinds}; shared words: {words}): "
                f"{titles}{' …' if count > 3 else ''} [{cite.lessons(shown)}]"
            )
        section.bullets(items)
        if len(found) > LIST_LIMIT:
            section.text(f"{len(found) - LIST_LIMIT} smaller groups are not listed here.")
    else:
        section.text(
            f"No lesson {scope} has a close match in another pilot at the {int(GROUP_THRESHOLD * 100)}% similarity "
            "of the What recurs page."
        )
    per_pilot = lessons.groupby("pilot_name").size()
    if own_pilot is None and len(per_pilot) >= 2:
        section.text(
            f"Lessons per pilot ({_plural(len(per_pilot), 'pilot')}): "
            + "; ".join(f"{pilot} {n}" for pilot, n in per_pilot.sort_values(ascending=False).items())
            + "."
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
    section.text(
        f"{_plural(len(results), 'statement')} drawn from these records {'was' if len(results) == 1 else 'were'} "
        "voted on in "
        f"{_plural(results['workshop'].nunique(), 'workshop')} ({_plural(int(results['n'].sum()), 'vote')} in the "
        f"last round of each). For {len(agreed)} of them a majority agreed (the whole 95% interval above 50%); "
        f"for {len(rejected)} a majority did not agree (the whole interval below 50%); the rest are undecided."
    )
    listed = results if len(results) <= VOTES_LISTED else pd.concat([results.head(VOTES_LISTED - 5), results.tail(5)])
    section.bullets([f"{labels[int(row['_subject'])]}: {cite.votes(row)}" for row in listed.to_dict("records")])
    if len(listed) < len(results):
        section.text(
            f"Listed: the {VOTES_LISTED - 5} statements most agreed with and the 5 least; all "
            f"{len(results):,} are in the table below."
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
            "Statement about": [labels[int(i)] for i in results["_subject"]],
            "Workshop": results["workshop"],
            "Round": results["round"],
            "Agree": results["agree"],
            "Disagree": results["disagree"],
            "Pass": results["pass"],
            "n": results["n"],
            "Agree %": [_percent(v) for v in results["agree_share"]],
            "95% interval": [
                f"{_percent(a)[:-1]}–{_percent(b)}" for a, b in zip(results["agree_low"], results["agree_high"])
            ],
        }
    )
    section.chart(
        _agreement_chart(chart_frame, title),
        alt=f"Dot plot of the share agreeing with each of {len(chart_frame)} statements, with 95% intervals.",
        frame=table,
        caption="Votes per statement in its last round; passes count in n.",
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
        section.text("No stakeholder is linked to these lessons in the store.")
        return section
    distinct = actors.drop_duplicates("id")
    hard = distinct[distinct["hard_to_reach"] == 1]
    by_sector = distinct.groupby("sector").size().reset_index(name="actors").sort_values("actors", ascending=False)
    section.text(
        f"The lessons concern {_plural(len(distinct), 'stakeholder')} in {_plural(distinct['pilot_name'].nunique(), 'pilot')}"
        f" ({'; '.join(f'{r.sector} {r.actors}' for r in by_sector.itertuples())}), "
        f"{_plural(len(hard), 'of them a hard-to-reach group', 'of them hard-to-reach groups')}."
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
            f"{r.name} ({r.sector}, {r.pilot_name}) — named by {_plural(r.count, 'lesson')} "
            f"[{cite.lessons(lesson_rows.loc[sorted(set(r.lesson_id))].reset_index())}]"
            for r in most.itertuples()
        ]
    )
    section.chart(
        _count_chart(by_sector, "sector", "Sector", "actors", "Stakeholders", "Stakeholders concerned, by sector"),
        alt=f"Bar chart of the {len(distinct)} stakeholders these lessons concern, by sector.",
        frame=by_sector.rename(columns={"sector": "Sector", "actors": "Stakeholders"}),
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
    section = Section("The stakeholder network")
    actors = db.execute(
        "SELECT count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = ?", [pilot]
    ).fetchone()[0]
    if not actors:
        section.text("The store holds no stakeholder of this pilot.")
        return section
    result = network.analysis(db, pilot, period="end")
    m = result.metrics
    section.text(
        f"At the end of the pilot: {_plural(m['nodes'], 'stakeholder')} and {_plural(m['ties'], 'tie')} "
        f"({'directed' if m.get('directed') else 'undirected'}); density {_number(m.get('density'))}, "
        f"{_plural(m.get('components') or 0, 'connected part')}, {_plural(m.get('communities') or 0, 'community', 'communities')}, "
        f"{_plural(m.get('brokers') or 0, 'broker')} between sectors. "
        f"Hard-to-reach groups: {m.get('hard_to_reach_actors', 0)}; share of them tied directly to a public body: "
        f"{_percent(m.get('hard_to_reach_tied_to_public'))}. Source: the pilot's ties in the store (period “end”)."
    )
    top = result.actors.sort_values(["betweenness", "degree", "name"], ascending=[False, False, True]).head(8)
    table = pd.DataFrame(
        {
            "Stakeholder": top["name"],
            "Sector": top["sector_name"],
            "Ties": top["degree"].astype(int),
            "Betweenness": top["betweenness"].round(3),
            "Broker role": top["brokerage_role"].fillna(""),
        }
    )
    section.chart(
        _count_chart(
            table.rename(columns={"Stakeholder": "actor", "Betweenness": "betweenness"}),
            "actor",
            "Stakeholder",
            "betweenness",
            "Betweenness (share of shortest paths through the actor)",
            "The most central stakeholders",
            counts=False,
        ),
        alt=f"Bar chart of the {len(table)} stakeholders with the highest betweenness in the pilot's network.",
        frame=table,
    )
    has_baseline = db.execute(
        """SELECT count(*) FROM ties t JOIN pilots p ON p.id = t.pilot_id WHERE p.slug = ? AND t.period = 'baseline'""",
        [pilot],
    ).fetchone()[0]
    if has_baseline:
        moved = network.change(db, pilot)
        section.text(
            f"From baseline to end: {_plural(len(moved['ties_added']), 'tie')} added, "
            f"{len(moved['ties_removed'])} removed; "
            + "; ".join(
                f"{r.metric.replace('_', ' ')} {_number(r.baseline)} → {_number(r.end)}"
                for r in moved["metrics"].itertuples()
                if r.metric in ("ties", "density", "components", "hard_to_reach_tied_to_public")
            )
            + "."
        )
    return section


def _story_section(db: Database, pilot: str, cite: _Citations) -> Section | None:
    """Tell the pilot's published public story, with its images and the lessons it rests on cited (None: no story)."""
    story = published_public_story(db, pilot)
    if story is None:
        return None
    section = Section("Story")
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
        section.subheading("What others can reuse")
        section.text(story["reuse"])
    if len(story["lessons"]):
        rests = story["lessons"].assign(pilot_name=story["pilot_name"])
        section.text(f"The story rests on these lessons: [{cite.lessons(rests)}].")
    return section
