"""The three briefs — on a theme, a pilot or a governance model — and :func:`brief`, which picks one by subject."""

from __future__ import annotations

import pandas as pd
import pycountry
from sqlite_utils import Database

from lessons import models
from lessons.chart_specs import STANCES, stance_bars
from lessons.pilot_reads import brief_subjects
from lessons.queries import KIND_LABELS, VALIDATED_STATUSES
from lessons.report.citations import _a, _Citations, _lessons, _plural, _verb
from lessons.report.document import Report, ReportError, Section
from lessons.report.sections import (
    MAX_BARS,
    NARROW_WIDTH,
    _bar_by_kind,
    _finish,
    _kind_counts,
    _kind_table,
    _network_section,
    _recurring,
    _shared,
    _side,
    _stakeholders,
    _statement_labels,
    _story_section,
    _top_bars,
    _validation,
)
from lessons.store import frame as _frame

SUBJECTS = ("theme", "pilot", "model")


def theme_brief(db: Database, theme: str, *, memo: dict | None = None) -> Report:
    """Write the brief on one theme (``themes.code``).

    Recurring lessons, enabler/barrier contradictions, validation of its lessons, the stakeholders they concern.
    """
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
    """Write the brief on one pilot (slug).

    Its facts, lessons shared with other pilots, where others disagree, the validation of its lessons and its
    stakeholder network.
    """
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
    story = _story_section(db, pilot, cite)
    sections = [
        about,
        *([story] if story else []),
        _recurring(db, lessons, cite, "Lessons shared with other pilots", "of this pilot", own_pilot=pilot, memo=memo),
        contra,
        validation,
        _network_section(db, pilot, lessons, cite),
    ]
    country = pycountry.countries.get(alpha_2=facts["country"])
    place = ", ".join(v for v in (facts.get("city"), country.name if country else facts["country"]) if v)
    subtitle = f"A co-creation pilot in {place}"
    return _finish("pilot", pilot, f"Policy brief: {facts['name']}", subtitle, db, sections, cite)


def model_brief(db: Database, model: str, *, memo: dict | None = None) -> Report:
    """Write the brief on one governance model (slug).

    Its elements with the lessons supporting and challenging each, the elements pilots disagree on, and how workshops
    voted on each element.
    """
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
    evidence["stance"] = evidence["stance"].map(dict(zip(("supports", "challenges"), STANCES)))
    if len(parts):
        summary.chart(
            {**stance_bars(evidence, title="Lessons supporting and challenging each element"), "width": NARROW_WIDTH},
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
    """Write the brief on a ``subject`` (``theme``, ``pilot`` or ``model``) given by its code or slug."""
    makers = {"theme": theme_brief, "pilot": pilot_brief, "model": model_brief}
    if subject not in makers:
        raise ReportError(f"A brief is about a theme, a pilot or a model, not “{subject}”.")
    return makers[subject](db, key)


def subjects(db: Database) -> dict[str, pd.DataFrame]:
    """List what a brief can be about: themes with lessons, pilots and governance models (columns key, name)."""
    return brief_subjects(db)
