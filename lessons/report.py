"""Policy briefs and the roadmap to co-creation: what the store says about a theme, a pilot or a governance model,
and the validated lessons ordered by co-creation phase — every claim with the records and votes it rests on.

A :class:`Report` is plain content (sections of paragraphs, lists, tables and charts given as Vega-Lite
specifications with the table behind them); :mod:`lessons.report_render` turns it into HTML and PDF. Citations:

* a lesson is cited as ``L<id> (<pilot name>)`` — the id is ``lessons.id``, the same number the Lessons page opens
  with ``?lesson=<id>``; every cited lesson is listed under *Sources* with its pilot, key, title, kind and status;
* a vote count is cited with its workshop: ``workshop HVR3QT, round 2: 38 agree, 1 disagree, 5 pass (n = 44)``,
  with the share agreeing and its 95% Wilson interval; every cited workshop is listed under *Sources*.

UI-free and read-only, apart from the stored analyses it reuses (lesson similarity, network metrics), which are
computed and kept on first need exactly as the pages do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pycountry
from sqlite_utils import Database

from lessons import models, network, synthesis
from lessons.privacy import public_workshop
from lessons.queries import KIND_LABELS, STATUS_LABELS, VALIDATED_STATUSES, demo_notice
from lessons.workshop_analysis import wilson

#: The similarity threshold of the *What recurs* page's default view: briefs name the same groups.
GROUP_THRESHOLD = 0.2
#: How many groups a list names before it says "and N more".
LIST_LIMIT = 12
#: The most lessons one citation names; the rest are counted with the Lessons-page filter that lists them all.
MAX_CITED = 50
#: The most statements a brief lists with their votes (the table behind the chart holds them all).
VOTES_LISTED = 20
#: The most steps of each kind (what to do, what to watch out for) a roadmap phase lists, best validated first.
ROADMAP_STEPS = 20
_STRENGTH = {"evaluated": 0, "measured": 1, "observed": 2, "anecdotal": 3}
SUBJECTS = ("theme", "pilot", "model")
OKABE_ITO = {"enabler": "#009E73", "barrier": "#D55E00", "recommendation": "#0072B2", "insight": "#CC79A7"}


class ReportError(ValueError):
    """The subject of a brief does not exist (a plain sentence for the user)."""


@dataclass
class Block:
    """One piece of a section: ``text`` (a paragraph), ``bullets`` (``items``), ``table`` (``frame`` with
    ``caption``) or ``chart`` (a Vega-Lite ``spec``, its ``alt`` text, and the ``frame`` it draws as a table)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    caption: str = ""
    spec: dict | None = None
    alt: str = ""


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)

    def text(self, text: str) -> None:
        self.blocks.append(Block("text", text=text))

    def subheading(self, text: str) -> None:
        self.blocks.append(Block("subheading", text=text))

    def bullets(self, items: list[str]) -> None:
        if items:
            self.blocks.append(Block("bullets", items=list(items)))

    def table(self, frame: pd.DataFrame, caption: str = "") -> None:
        self.blocks.append(Block("table", frame=frame.reset_index(drop=True), caption=caption))

    def chart(self, spec: dict, alt: str, frame: pd.DataFrame, caption: str = "") -> None:
        self.blocks.append(Block("chart", spec=spec, alt=alt, frame=frame.reset_index(drop=True), caption=caption))


@dataclass
class Report:
    """A brief or the roadmap: ``kind`` (theme, pilot, model or roadmap), ``key`` (the subject's code or slug),
    ``title``, ``subtitle``, ``generated`` (UTC, ISO), ``notice`` (the demo-data notice or ""), ``sections`` and
    the ``lessons`` and ``workshops`` it cites (the Sources)."""

    kind: str
    key: str
    title: str
    subtitle: str
    generated: str
    notice: str
    sections: list[Section]
    lessons: pd.DataFrame
    workshops: pd.DataFrame

    @property
    def file_stem(self) -> str:
        """A file name without extension: ``brief-theme-trust``, ``roadmap-to-co-creation``."""
        return "roadmap-to-co-creation" if self.kind == "roadmap" else f"brief-{self.kind}-{self.key}"


# --- Reading the store -----------------------------------------------------------------------------------------------


def _frame(db: Database, sql: str, params=()) -> pd.DataFrame:
    cursor = db.execute(sql, list(params))
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


_LESSONS = """
    SELECT l.id, l.key, l.title, l.lesson, l.recommendation, l.kind, l.status, l.phase, ph.name AS phase_name,
           ph.position AS phase_position, l.evidence_source, l.evidence_strength, p.slug AS pilot,
           p.name AS pilot_name, p.country
    FROM lessons l JOIN pilots p ON p.id = l.pilot_id LEFT JOIN phases ph ON ph.code = l.phase
"""


def _lessons(db: Database, where: str = "", params=()) -> pd.DataFrame:
    return _frame(db, f"{_LESSONS} {where} ORDER BY p.name, l.key", params)


def statement_results(db: Database) -> pd.DataFrame:
    """Every approved workshop statement with votes, counted in the last round it was voted on.

        Columns: statement_id, statement (key), text, lesson_id, element_id, workshop (code), workshop_title,
        workshop_status, round, rounds (of the workshop), agree, disagree, pass, n, agree_share, agree_low,
        agree_high (95% Wilson interval of the share agreeing among all n votes, passes included).

    >>> from lessons.store import open_memory_store
        >>> statement_results(open_memory_store()).empty
        True
    """
    out = _frame(
        db,
        f"""SELECT s.id AS statement_id, s.key AS statement, s.text, s.lesson_id, s.element_id, w.code AS workshop,
                  w.title AS workshop_title, w.status AS workshop_status, v.round, w.current_round AS rounds,
                  sum(v.value = 1) AS agree, sum(v.value = -1) AS disagree, sum(v.value = 0) AS pass, count(*) AS n
           FROM statements s JOIN workshops w ON w.id = s.workshop_id JOIN votes v ON v.statement_id = s.id
           WHERE s.moderation = 'approved' AND {public_workshop("w")}
             AND v.round = (SELECT max(v2.round) FROM votes v2 WHERE v2.statement_id = s.id)
           GROUP BY s.id ORDER BY w.code, s.key""",
    )
    low, high = wilson(out["agree"].to_numpy(), out["n"].to_numpy()) if len(out) else ([], [])
    out["agree_share"] = out["agree"] / out["n"] if len(out) else []
    out["agree_low"], out["agree_high"] = low, high
    return out


def _percent(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def vote_citation(row) -> str:
    """``workshop HVR3QT, round 2: 38 agree, 1 disagree, 5 pass (n = 44; 86% agree, 95% CI 73–94%)``.

    >>> vote_citation({"workshop": "ABC234", "round": 1, "agree": 7, "disagree": 2, "pass": 1, "n": 10,
    ...                "agree_share": 0.7, "agree_low": 0.3968, "agree_high": 0.8922})
    'workshop ABC234, round 1: 7 agree, 2 disagree, 1 pass (n = 10; 70% agree, 95% CI 40–89%)'
    """
    still = " (workshop still open)" if row.get("workshop_status", "closed") != "closed" else ""
    return (
        f"workshop {row['workshop']}, round {int(row['round'])}: {int(row['agree'])} agree, "
        f"{int(row['disagree'])} disagree, {int(row['pass'])} pass (n = {int(row['n'])}; "
        f"{_percent(row['agree_share'])} agree, 95% CI {_percent(row['agree_low'])[:-1]}–{_percent(row['agree_high'])})"
        f"{still}"
    )


class _Citations:
    """Collects what a report cites, so *Sources* lists exactly those records."""

    def __init__(self, db: Database):
        self.db = db
        self.lesson_ids: set[int] = set()
        self.workshop_codes: set[str] = set()

    def lessons(self, frame: pd.DataFrame, limit: int | None = None, where: str = "") -> str:
        """``L12, L30 (Tampere); L45 (Porto)``: ids grouped by pilot, in the frame's order.

        At most ``limit`` pilots and :data:`MAX_CITED` lessons are named (and listed under Sources); the rest are
        counted, with ``where`` saying how to find them all (a filter of the Lessons page).
        """
        if frame.empty:
            return ""
        ids = [int(i) for i in frame["id"]]
        pilots: dict[str, list[int]] = {}
        for lesson_id, pilot in zip(ids, frame["pilot_name"]):
            pilots.setdefault(pilot, []).append(lesson_id)
        named, shown = 0, []
        for pilot, chosen in pilots.items():
            if (limit is not None and len(shown) >= limit) or named >= MAX_CITED:
                break
            chosen = chosen[: MAX_CITED - named]
            named += len(chosen)
            shown.append((pilot, chosen))
            self.lesson_ids.update(chosen)
        text = "; ".join(f"{', '.join(f'L{i}' for i in chosen)} ({pilot})" for pilot, chosen in shown)
        if named < len(ids):
            rest = len(ids) - named
            text += f"; and {rest:,} more {'lesson' if rest == 1 else 'lessons'}"
            text += f" from {len(pilots) - len(shown)} more pilots" if len(shown) < len(pilots) else ""
            text += f" — {where}" if where else ""
        return text

    def lesson(self, row) -> str:
        self.lesson_ids.add(int(row["id"]))
        return f"L{int(row['id'])} ({row['pilot_name']})"

    def votes(self, row) -> str:
        self.workshop_codes.add(str(row["workshop"]))
        return vote_citation(row)

    def sources(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        ids = sorted(self.lesson_ids)
        lessons = (
            _frame(
                self.db,
                f"""SELECT 'L' || l.id AS lesson, p.name AS pilot, p.country, l.key, l.title, l.kind, l.status,
                           l.evidence_source AS evidence
                    FROM lessons l JOIN pilots p ON p.id = l.pilot_id
                    WHERE l.id IN ({", ".join("?" * len(ids))}) ORDER BY l.id""",
                ids,
            )
            if ids
            else pd.DataFrame(columns=["lesson", "pilot", "country", "key", "title", "kind", "status", "evidence"])
        )
        lessons["kind"] = lessons["kind"].map(KIND_LABELS).fillna(lessons["kind"])
        lessons["status"] = lessons["status"].map(STATUS_LABELS).fillna(lessons["status"])
        codes = sorted(self.workshop_codes)
        workshops = (
            _frame(
                self.db,
                f"""SELECT w.code AS workshop, w.title, w.status, w.current_round AS rounds,
                           coalesce(substr(w.opened_at, 1, 10), 'not opened') AS held,
                           (SELECT count(*) FROM participants pa WHERE pa.workshop_id = w.id) AS participants,
                           (SELECT count(*) FROM votes v JOIN statements s ON s.id = v.statement_id
                            WHERE s.workshop_id = w.id) AS votes
                    FROM workshops w WHERE w.code IN ({", ".join("?" * len(codes))}) ORDER BY w.code""",
                codes,
            )
            if codes
            else pd.DataFrame(columns=["workshop", "title", "status", "rounds", "held", "participants", "votes"])
        )
        return lessons, workshops


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _verb(n: int, verb: str) -> str:
    """The verb agreeing with a count: ``1 pilot reports``, ``2 pilots report``."""
    return f"{verb}s" if n == 1 else verb


def _a(word: str) -> str:
    """``an enabler``, ``a barrier``."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --- Charts (Vega-Lite specifications as plain dicts; lessons/ draws no UI) ------------------------------------------


def _bar_by_kind(frame: pd.DataFrame, y: str, y_title: str, title: str) -> dict:
    """Horizontal stacked bars of lesson counts by kind; ``frame`` has columns ``y``, kind (label), lessons."""
    kinds = [KIND_LABELS[k] for k in OKABE_ITO]
    return {
        "title": title,
        "data": {"values": frame.to_dict("records")},
        "mark": {"type": "bar"},
        "width": 420,
        "encoding": {
            "y": {"field": y, "type": "nominal", "title": y_title, "sort": "-x", "axis": {"labelLimit": 260}},
            "x": {"field": "lessons", "type": "quantitative", "title": "Lessons", "axis": {"tickMinStep": 1}},
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": "Kind",
                "scale": {"domain": kinds, "range": list(OKABE_ITO.values())},
            },
            "order": {"field": "kind"},
            "tooltip": [{"field": y}, {"field": "kind"}, {"field": "lessons"}],
        },
    }


def _agreement_chart(frame: pd.DataFrame, title: str) -> dict:
    """The share agreeing with each statement and its 95% interval; ``frame`` has label, agree, low, high, n."""
    base_y = {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 300}}
    return {
        "title": title,
        "data": {"values": frame.to_dict("records")},
        "width": 360,
        "layer": [
            {
                "mark": {"type": "rule", "color": "#555555", "strokeWidth": 2},
                "encoding": {
                    "y": base_y,
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": "Share agreeing (with 95% interval)",
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": "%"},
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70, "color": "#0072B2"},
                "encoding": {"y": base_y, "x": {"field": "agree", "type": "quantitative"}},
            },
        ],
    }


def _count_chart(
    frame: pd.DataFrame, y: str, y_title: str, x: str, x_title: str, title: str, counts: bool = True
) -> dict:
    spec = {
        "title": title,
        "data": {"values": frame.to_dict("records")},
        "mark": {"type": "bar", "color": "#0072B2"},
        "width": 420,
        "encoding": {
            "y": {"field": y, "type": "nominal", "title": y_title, "sort": "-x", "axis": {"labelLimit": 260}},
            "x": {"field": x, "type": "quantitative", "title": x_title},
            "tooltip": [{"field": y}, {"field": x}],
        },
    }
    if counts:
        spec["encoding"]["x"]["axis"] = {"tickMinStep": 1, "format": "d"}
    return spec


def _kind_counts(lessons: pd.DataFrame, by: str, label: str) -> pd.DataFrame:
    """Lesson counts per ``by`` value and kind (long form, for a chart)."""
    counts = lessons.groupby([by, "kind"]).size().reset_index(name="lessons")
    counts["kind"] = counts["kind"].map(KIND_LABELS)
    return counts.rename(columns={by: label})


#: A by-kind bar chart draws at most this many bars; the rest are summed in one bar (the table lists every row).
MAX_BARS = 25


def _top_bars(counts: pd.DataFrame, label: str, noun: str, limit: int = MAX_BARS) -> pd.DataFrame:
    """The ``limit - 1`` values of ``label`` with most lessons, and the rest summed as one bar ("12 other pilots").

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
    """The table behind a by-kind chart: one row per ``label`` value, a column per kind and the total."""
    wide = counts.pivot_table(index=label, columns="kind", values="lessons", aggfunc="sum", fill_value=0)
    kinds = [KIND_LABELS[k] for k in OKABE_ITO if KIND_LABELS[k] in wide.columns]
    wide = wide[kinds].astype(int)
    wide["Total"] = wide.sum(axis=1)
    wide = wide.reindex([o for o in order if o in wide.index]) if order else wide.sort_values("Total", ascending=False)
    return wide.reset_index().rename(columns={label: label.capitalize()})


# --- Shared sections --------------------------------------------------------------------------------------------------


def _shared(db: Database, memo: dict | None, name: str):
    """What every brief of one batch reads alike (vote results, groups of similar lessons, the theme matrix), made
    once per ``memo`` dict (the bundle makes all its briefs with one)."""
    if memo is not None and name in memo:
        return memo[name]
    if name == "results":
        value = statement_results(db)
    elif name == "groups":
        value = synthesis.clusters(synthesis.lesson_facts(db), synthesis.similarity(db), GROUP_THRESHOLD, 2)
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
    """Groups of similar lessons (the *What recurs* analysis) that hold at least two of ``lessons``' pilots — or,
    for a pilot, groups holding one of its lessons and another pilot's."""
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
        found.append((shown["pilot"].nunique(), len(shown), summary["label"], shown))
    found.sort(key=lambda f: (-f[0], -f[1], f[2]))
    if found:
        section.text(
            f"Lessons that tell the same story in different pilots ({_plural(len(found), 'group')}; lessons are "
            f"grouped by the distinctive words they share, at the {int(GROUP_THRESHOLD * 100)}% similarity of the "
            "What recurs page):"
        )
        items = []
        for pilots, count, label, shown in found[:LIST_LIMIT]:
            kinds = ", ".join(f"{n} {KIND_LABELS[k].lower()}" for k, n in shown["kind"].value_counts().items())
            titles = "; ".join(f"“{t}”" for t in shown["title"].head(3))
            items.append(
                f"{label.capitalize()} — {_plural(pilots, 'pilot')}, {_plural(count, 'lesson')} ({kinds}): "
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


# --- The three briefs -------------------------------------------------------------------------------------------------


def theme_brief(db: Database, theme: str, *, memo: dict | None = None) -> Report:
    """The brief on one theme (``themes.code``): recurring lessons, enabler/barrier contradictions, validation of
    its lessons, the stakeholders they concern."""
    row = db.execute("SELECT code, name FROM themes WHERE code = ?", [theme]).fetchone()
    if row is None:
        raise ReportError(f"There is no theme “{theme}”.")
    code, name = row
    cite = _Citations(db)
    lessons = _lessons(
        db, "JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id WHERE t.code = ?", [code]
    )
    summary = Section("In brief")
    if lessons.empty:
        summary.text(f"No lesson in the store is tagged with the theme {name}.")
    else:
        kinds = lessons["kind"].value_counts()
        validated = lessons["status"].isin(VALIDATED_STATUSES).sum()
        summary.bullets(
            [
                f"{_plural(len(lessons), 'lesson')} from {_plural(lessons['pilot'].nunique(), 'pilot')} in "
                f"{_plural(lessons['country'].nunique(), 'country', 'countries')} carry this theme "
                f"({', '.join(f'{n} {KIND_LABELS[k].lower()}' for k, n in kinds.items())}) "
                f"[{cite.lessons(lessons, where=f'the Lessons page lists them all under theme “{name}”')}].",
                f"{validated} of them are validated, endorsed or applied elsewhere; "
                f"{int((lessons['status'] == 'contested').sum())} are contested.",
            ]
        )
        counts = _kind_counts(lessons, "pilot_name", "pilot")
        shown = _top_bars(counts, "pilot", "pilot")
        most = "" if len(shown) == len(counts) else f" ({MAX_BARS - 1} with most lessons; the table lists every pilot)"
        summary.chart(
            _bar_by_kind(shown, "pilot", "Pilot", f"Lessons on {name}, by pilot{most}"),
            alt=f"Stacked bar chart of the {len(lessons)} lessons on {name} per pilot, by kind{most}.",
            frame=_kind_table(counts, "pilot"),
        )
    contra = Section("Where pilots disagree")
    enablers, barriers = lessons[lessons["kind"] == "enabler"], lessons[lessons["kind"] == "barrier"]
    sides = set(enablers["pilot"]) | set(barriers["pilot"])
    if len(enablers) and len(barriers) and len(sides) > 1:
        contra.text(
            f"{_plural(enablers['pilot'].nunique(), 'pilot')} {_verb(enablers['pilot'].nunique(), 'report')} {name} "
            "as an enabler and "
            f"{_plural(barriers['pilot'].nunique(), 'pilot')} as a barrier."
        )
        contra.bullets(
            [
                f"Enabler: {_side(enablers, cite, f'Lessons page: theme “{name}”, kind Enabler')}",
                f"Barrier: {_side(barriers, cite, f'Lessons page: theme “{name}”, kind Barrier')}",
            ]
        )
    else:
        contra.text(f"No pilot reports {name} as a barrier where another reports it as an enabler.")
    results = _shared(db, memo, "results")
    results = results[results["lesson_id"].isin(set(lessons["id"]))].assign(_subject=lambda f: f["lesson_id"])
    validation = _validation(
        cite,
        results,
        _statement_labels(results, lessons, cite),
        "What validation workshops said",
        f"No validation workshop has voted on a lesson about {name} yet.",
        f"Agreement with lessons on {name}",
    )
    sections = [
        summary,
        _recurring(db, lessons, cite, "What recurs across pilots", "on this theme", memo=memo),
        contra,
        validation,
        _stakeholders(db, lessons, cite, "Who was involved"),
    ]
    return _finish(
        "theme", code, f"Policy brief: {name}", "What co-creation pilots learned on this theme", db, sections, cite
    )


def pilot_brief(db: Database, pilot: str, *, memo: dict | None = None) -> Report:
    """The brief on one pilot (slug): its facts, lessons shared with other pilots, where others disagree, the
    validation of its lessons and its stakeholder network."""
    cursor = db.execute(
        """SELECT p.*, m.name AS methodology_name FROM pilots p LEFT JOIN methodologies m ON m.code = p.methodology
           WHERE p.slug = ?""",
        [pilot],
    )
    row = cursor.fetchone()
    if row is None:
        raise ReportError(f"There is no pilot “{pilot}”.")
    facts = dict(zip([c[0] for c in cursor.description], row))
    cite = _Citations(db)
    lessons = _lessons(db, "WHERE p.slug = ?", [pilot])
    about = Section("The pilot")
    rows = [
        ("Country", getattr(pycountry.countries.get(alpha_2=facts["country"]), "name", facts["country"])),
        ("Place", ", ".join(v for v in (facts.get("city"), facts.get("region")) if v)),
        ("Service area", facts.get("service_area")),
        ("Target groups", facts.get("target_groups")),
        ("Methodology", facts.get("methodology_name") or facts.get("methodology")),
        ("Project", facts.get("project")),
        ("Lead organisation", facts.get("lead_organisation")),
        ("Dates", " to ".join(v for v in (facts.get("start_date"), facts.get("end_date")) if v)),
    ]
    about.table(pd.DataFrame([(k, v) for k, v in rows if v], columns=["Fact", "Value"]))
    if facts.get("summary"):
        about.text(facts["summary"])
    if lessons.empty:
        about.text("The store holds no lesson of this pilot yet.")
    else:
        themes = _frame(
            db,
            """SELECT t.name AS theme, l.kind, count(*) AS lessons FROM lessons l
               JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id
               JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? GROUP BY t.name, l.kind""",
            [pilot],
        )
        themes["kind"] = themes["kind"].map(KIND_LABELS)
        about.text(
            f"{_plural(len(lessons), 'lesson')} ({', '.join(f'{n} {KIND_LABELS[k].lower()}' for k, n in lessons['kind'].value_counts().items())}); "
            f"{int(lessons['status'].isin(VALIDATED_STATUSES).sum())} validated, endorsed or applied elsewhere. "
            f"Its lessons: [{cite.lessons(lessons, where='the Lessons page lists them all under this pilot')}]."
        )
        if len(themes):
            about.chart(
                _bar_by_kind(themes, "theme", "Theme", f"Lessons of {facts['name']}, by theme"),
                alt=f"Stacked bar chart of {facts['name']}'s lessons per theme, by kind.",
                frame=_kind_table(themes, "theme"),
            )
    contra = Section("Where other pilots disagree")
    matrix = _shared(db, memo, "matrix")
    own = matrix[matrix["pilot"] == pilot]
    others = matrix[matrix["pilot"] != pilot]
    items = []
    for theme, mine in own.groupby("theme"):
        theirs = others[others["theme"] == theme]
        for my_kind, their_kind in (("enabler", "barrier"), ("barrier", "enabler")):
            if mine[f"{my_kind}s"].sum() and theirs[f"{their_kind}s"].sum():
                name = mine["theme_name"].iloc[0]
                my_lessons = _lessons(
                    db,
                    "JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id "
                    "WHERE t.code = ? AND l.kind = ? AND p.slug = ?",
                    [theme, my_kind, pilot],
                )
                their = _lessons(
                    db,
                    "JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id "
                    "WHERE t.code = ? AND l.kind = ? AND p.slug <> ?",
                    [theme, their_kind, pilot],
                )
                items.append(
                    f"{name}: this pilot reports it as {_a(my_kind)} [{cite.lessons(my_lessons)}]; "
                    f"{_plural(their['pilot'].nunique(), 'other pilot')} {_verb(their['pilot'].nunique(), 'report')} "
                    f"it as {_a(their_kind)} "
                    f"[{cite.lessons(their, limit=4, where=f'Lessons page: theme “{name}”, kind {their_kind}')}]"
                )
    if items:
        contra.bullets(items)
    else:
        contra.text("No other pilot reports as a barrier what this pilot reports as an enabler, or the reverse.")
    results = _shared(db, memo, "results")
    results = results[results["lesson_id"].isin(set(lessons["id"]))].assign(_subject=lambda f: f["lesson_id"])
    validation = _validation(
        cite,
        results,
        _statement_labels(results, lessons, cite),
        "What validation workshops said",
        "No validation workshop has voted on a lesson of this pilot yet.",
        f"Agreement with the lessons of {facts['name']}",
    )
    sections = [
        about,
        _recurring(db, lessons, cite, "Lessons shared with other pilots", "of this pilot", own_pilot=pilot, memo=memo),
        contra,
        validation,
        _network_section(db, pilot, lessons, cite),
    ]
    country = pycountry.countries.get(alpha_2=facts["country"])
    place = ", ".join(v for v in (facts.get("city"), country.name if country else facts["country"]) if v)
    subtitle = f"A co-creation pilot in {place}"
    return _finish("pilot", pilot, f"Policy brief: {facts['name']}", subtitle, db, sections, cite)


def _number(value, digits: int = 2) -> str:
    """``–`` for a missing value, whole numbers without decimals, others with ``digits``.

    >>> _number(None), _number(60.0), _number(0.0412), _number(3)
    ('–', '60', '0.04', '3')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}"


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


def model_brief(db: Database, model: str, *, memo: dict | None = None) -> Report:
    """The brief on one governance model (slug): its elements with the lessons supporting and challenging each,
    the elements pilots disagree on, and how workshops voted on each element."""
    row = db.execute(
        """SELECT gm.id, gm.slug, gm.name, gm.inspired_by, gm.summary, m.name FROM governance_models gm
           LEFT JOIN methodologies m ON m.code = gm.methodology WHERE gm.slug = ?""",
        [model],
    ).fetchone()
    if row is None:
        raise ReportError(f"There is no governance model “{model}”.")
    model_id, slug, name, inspired_by, summary_text, methodology = row
    cite = _Citations(db)
    parts = models.elements(db, slug)
    links = _frame(
        db,
        """SELECT le.element_id, le.stance, l.id, l.key, l.title, l.kind, l.status, p.slug AS pilot,
                   p.name AS pilot_name
            FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
            JOIN lessons l ON l.id = le.lesson_id JOIN pilots p ON p.id = l.pilot_id
            WHERE e.model_id = ? AND e.version = (SELECT version FROM governance_models WHERE id = e.model_id)
              AND le.status = 'accepted' ORDER BY p.name, l.key""",
        [model_id],
    )
    everything = "the Governance models page lists them all"

    def stance(element_id: int, which: str) -> pd.DataFrame:
        return links[(links["element_id"] == element_id) & (links["stance"] == which)]

    summary = Section("The model")
    summary.text(summary_text or name)
    if inspired_by or methodology:
        summary.text(
            "; ".join(
                v
                for v in (
                    f"Inspired by {inspired_by}" if inspired_by else "",
                    f"methodology: {methodology}" if methodology else "",
                )
                if v
            )
            + "."
        )
    element_items = []
    for e in parts.itertuples():
        sup, cha = stance(e.id, "supports"), stance(e.id, "challenges")
        line = f"{e.position}. {e.name}" + (f" ({e.phase_name})" if isinstance(e.phase_name, str) else "")
        if len(sup):
            line += f" — supported by {_plural(sup['pilot'].nunique(), 'pilot')} [{cite.lessons(sup, limit=6, where=everything)}]"
        if len(cha):
            line += f"; challenged by {_plural(cha['pilot'].nunique(), 'pilot')} [{cite.lessons(cha, limit=6, where=everything)}]"
        if not len(sup) and not len(cha):
            line += " — no lesson is linked to it yet"
        line += f"; {models.result_text(e)}"
        element_items.append(line)
    summary.bullets(element_items)
    tally = parts["result"].value_counts()
    summary.text(
        f"Workshop results for version {int(db.execute('SELECT version FROM governance_models WHERE id = ?', [model_id]).fetchone()[0])}: "
        + ", ".join(f"{int(tally.get(r, 0))} {r}" for r in ("validated", "contested", "untested"))
        + f" (last round of each workshop of at least five people; validated from {models.RULES['agree_threshold']:.0%} agreement"
        f" among at least {models.RULES['min_votes']} votes for or against)."
    )
    evidence = parts[["name", "supports", "challenges"]].melt("name", var_name="stance", value_name="lessons")
    evidence["stance"] = evidence["stance"].map({"supports": "Supporting lessons", "challenges": "Challenging lessons"})
    if len(parts):
        summary.chart(
            {
                "title": "Lessons supporting and challenging each element",
                "data": {"values": evidence.to_dict("records")},
                "mark": "bar",
                "width": 360,
                "encoding": {
                    "y": {"field": "name", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 280}},
                    "x": {"field": "lessons", "type": "quantitative", "title": "Lessons", "axis": {"tickMinStep": 1}},
                    "color": {
                        "field": "stance",
                        "type": "nominal",
                        "title": "Lessons",
                        "scale": {
                            "domain": ["Supporting lessons", "Challenging lessons"],
                            "range": ["#009E73", "#D55E00"],
                        },
                    },
                    "yOffset": {"field": "stance"},
                },
            },
            alt=f"Grouped bar chart of supporting and challenging lessons for each of {len(parts)} elements.",
            frame=parts[["position", "name", "supports", "challenges", "support_pilots", "challenge_pilots"]].rename(
                columns={
                    "position": "#",
                    "name": "Element",
                    "supports": "Supporting lessons",
                    "challenges": "Challenging lessons",
                    "support_pilots": "Pilots supporting",
                    "challenge_pilots": "Pilots challenging",
                }
            ),
        )
    recurs = Section("What recurs across pilots")
    widely = parts[parts["support_pilots"] >= 2].sort_values("support_pilots", ascending=False)
    if len(widely):
        recurs.bullets(
            [
                f"{e.name}: supported by lessons of {_plural(e.support_pilots, 'pilot')} "
                f"[{cite.lessons(stance(e.id, 'supports'), limit=6, where=everything)}]"
                for e in widely.itertuples()
            ]
        )
    else:
        recurs.text("No element is supported by lessons of two or more pilots yet.")
    contra = Section("Where pilots disagree")
    disputed = parts[(parts["supports"] > 0) & (parts["challenges"] > 0)]
    if len(disputed):
        contra.bullets(
            [
                f"{e.name}: supported [{cite.lessons(stance(e.id, 'supports'), limit=4, where=everything)}] "
                f"but challenged [{cite.lessons(stance(e.id, 'challenges'), limit=4, where=everything)}]"
                for e in disputed.itertuples()
            ]
        )
    else:
        contra.text("No element is both supported and challenged by pilots' lessons.")
    results = _shared(db, memo, "results")
    results = results[results["element_id"].isin(set(parts["id"]))].assign(_subject=lambda f: f["element_id"])
    labels = {int(e.id): f"Element {e.position}: {e.name}" for e in parts.itertuples()}
    validation = _validation(
        cite,
        results,
        labels,
        "What validation workshops said",
        "No validation workshop has voted on a statement drawn from this model's elements yet.",
        "Agreement with the model's elements",
    )
    linked = (
        _lessons(db, f"WHERE l.id IN ({', '.join('?' * len(links))})", [int(i) for i in links["id"]])
        if len(links)
        else _lessons(db, "WHERE 0")
    )
    sections = [summary, recurs, contra, validation, _stakeholders(db, linked, cite, "Who was involved")]
    return _finish(
        "model", slug, f"Policy brief: {name}", "A governance model for co-created services", db, sections, cite
    )


def brief(db: Database, subject: str, key: str) -> Report:
    """The brief on a ``subject`` (``theme``, ``pilot`` or ``model``) given by its code or slug."""
    makers = {"theme": theme_brief, "pilot": pilot_brief, "model": model_brief}
    if subject not in makers:
        raise ReportError(f"A brief is about a theme, a pilot or a model, not “{subject}”.")
    return makers[subject](db, key)


# --- The roadmap ------------------------------------------------------------------------------------------------------


def roadmap(db: Database, *, memo: dict | None = None) -> Report:
    """The roadmap to co-creation: validated lessons (validated, endorsed, applied elsewhere) ordered by the shared
    co-creation phases, each phase with its name in every methodology, each step with the evidence behind it."""
    cite = _Citations(db)
    validated = _lessons(db, f"WHERE l.status IN ({', '.join('?' * len(VALIDATED_STATUSES))})", VALIDATED_STATUSES)
    phases = _frame(db, "SELECT code, position, name, description FROM phases ORDER BY position")
    steps = synthesis.crosswalk(db)
    methods = [c for c in steps.columns if c not in ("phase", "phase_name", "lessons") and not c.startswith("lessons:")]
    results = _shared(db, memo, "results")
    results = results[results["lesson_id"].notna()].sort_values(["n"], ascending=False).drop_duplicates("lesson_id")
    votes = results.set_index("lesson_id")
    contested = _frame(db, "SELECT phase, count(*) AS n FROM lessons WHERE status = 'contested' GROUP BY phase")
    contested = dict(zip(contested["phase"], contested["n"]))

    intro = Section("How to use this roadmap")
    if validated.empty:
        intro.text(
            "No lesson has been validated yet. Run a validation workshop on the pilots' lessons (Run a workshop), "
            "apply its results, and the validated lessons will appear here, phase by phase."
        )
    else:
        intro.text(
            f"This roadmap gathers the {_plural(len(validated), 'lesson')} from {_plural(validated['pilot'].nunique(), 'pilot')} "
            "whose status is validated, endorsed or applied elsewhere — set by validation workshops or by the partners — "
            "and orders them by the "
            f"{len(phases)} shared phases of co-creation. Each step says what to do and why, with the pilot lessons and "
            "workshop votes behind it. Warnings come from validated barriers: what blocked pilots in that phase."
        )
        per_phase = validated.assign(phase_name=validated["phase_name"].fillna("Across all phases"))
        counts = _kind_counts(per_phase, "phase_name", "phase")
        order = [*phases["name"], "Across all phases"]
        spec = _bar_by_kind(counts, "phase", "Phase", "Validated lessons per phase of co-creation")
        spec["encoding"]["y"]["sort"] = order
        intro.chart(
            spec,
            alt=f"Stacked bar chart of the {len(validated)} validated lessons per co-creation phase, by kind.",
            frame=_kind_table(counts, "phase", order),
        )
    sections = [intro]
    groups = [(p.code, p.position, p.name, p.description) for p in phases.itertuples()]
    groups.append((None, len(groups) + 1, "Across all phases", "Lessons that hold in every phase."))
    for code, position, name, description in groups:
        chosen = validated[validated["phase"].isna()] if code is None else validated[validated["phase"] == code]
        if code is None and chosen.empty:
            continue
        section = Section(f"Step {position}. {name}")
        if isinstance(description, str) and description:
            section.text(description)
        if code is not None:
            named = steps.set_index("phase").loc[code]
            own = [f"{m}: {named[m]}" for m in methods if named[m]]
            if own:
                section.text("In each methodology: " + "; ".join(own) + ".")
        if chosen.empty:
            section.text("No validated lesson for this phase yet.")
        # best validated first: the lower end of the agreement interval, then the strength of the evidence
        chosen = chosen.assign(
            _low=[votes["agree_low"].get(i, np.nan) for i in chosen["id"]],
            _strength=chosen["evidence_strength"].map(_STRENGTH).fillna(len(_STRENGTH)),
        ).sort_values(
            ["_low", "_strength", "pilot_name", "key"], ascending=[False, True, True, True], na_position="last"
        )
        for label, kinds in (
            ("What to do", ("enabler", "recommendation", "insight")),
            ("What to watch out for", ("barrier",)),
        ):
            part = chosen[chosen["kind"].isin(kinds)]
            if len(part):
                section.subheading(label)
            items = []
            for row in part.head(ROADMAP_STEPS).to_dict("records"):
                action = (
                    row["recommendation"]
                    if isinstance(row["recommendation"], str) and row["recommendation"]
                    else row["lesson"]
                )
                evidence = f"{cite.lesson(row)}, {STATUS_LABELS.get(row['status'], row['status']).lower()}"
                if isinstance(row["evidence_strength"], str) and row["evidence_strength"]:
                    evidence += f", evidence: {row['evidence_strength']}"
                if row["id"] in votes.index:
                    vote = votes.loc[row["id"]].to_dict()
                    evidence += "; " + cite.votes(vote)
                    if not vote["agree_low"] >= 0.5:  # the status rests on more than this vote
                        evidence += ", no clear majority in this vote"
                items.append(f"{action} — from “{row['title']}” [{evidence}]")
            section.bullets(items)
            if len(part) > ROADMAP_STEPS:
                section.text(
                    f"{len(part) - ROADMAP_STEPS:,} more validated lessons of this kind in this phase are not listed "
                    f"here; the Lessons page lists them all (phase {name}, status Validated, Endorsed and Applied "
                    "elsewhere)."
                )
        if code is not None and contested.get(code):
            section.text(
                f"Still contested in this phase: {_plural(int(contested[code]), 'lesson')} (see the Lessons page, "
                "status Contested) — not part of this roadmap."
            )
        sections.append(section)
    return _finish(
        "roadmap",
        "roadmap",
        "Roadmap to co-creation",
        "Validated lessons from the pilots, phase by phase",
        db,
        sections,
        cite,
    )


def subjects(db: Database) -> dict[str, pd.DataFrame]:
    """What a brief can be about: themes with lessons, pilots and governance models (columns key, name)."""
    return {
        "theme": _frame(
            db,
            """SELECT t.code AS key, t.name FROM themes t
               WHERE EXISTS (SELECT 1 FROM lesson_themes lt WHERE lt.theme_id = t.id) ORDER BY t.name""",
        ),
        "pilot": _frame(db, "SELECT slug AS key, name FROM pilots ORDER BY name"),
        "model": _frame(db, "SELECT slug AS key, name FROM governance_models ORDER BY name"),
    }


def bundle_briefs(db: Database) -> dict[str, bytes]:
    """The briefs a data bundle carries, as HTML and PDF under ``briefs/``: the roadmap, one brief per governance
    model and one per theme that has lessons (pilot briefs are made on request: a consortium may have hundreds)."""
    return dict(iter_bundle_briefs(db))


def iter_bundle_briefs(db: Database) -> Iterator[tuple[str, bytes]]:
    """:func:`bundle_briefs` one file at a time, made when asked for (the bundle writes each and lets it go)."""
    from lessons.report_render import render  # the renderer imports this module

    memo: dict = {}
    found = subjects(db)
    makers = [lambda: roadmap(db, memo=memo)]
    makers += [lambda key=key: model_brief(db, key, memo=memo) for key in found["model"]["key"]]
    makers += [lambda key=key: theme_brief(db, key, memo=memo) for key in found["theme"]["key"]]
    for make in makers:
        for name, data in render(make()).items():
            yield f"briefs/{name}", data
