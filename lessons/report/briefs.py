"""The three briefs — on a theme, a pilot or a governance model — and :func:`brief`, which picks one by subject."""

from __future__ import annotations

import pandas as pd
import pycountry
from sqlite_utils import Database

from lessons import models
from lessons.chart_specs import STANCES, stance_bars
from lessons.i18n import N_, _, country, day, ngettext, number, percent, using
from lessons.pilot_reads import brief_subjects
from lessons.queries import KIND_LABELS, VALIDATED_STATUSES
from lessons.report.citations import _Citations, _lessons, _n
from lessons.report.document import Report, ReportError, Section
from lessons.report.sections import (
    MAX_BARS,
    NARROW_WIDTH,
    _bar_by_kind,
    _finish,
    _kind_counts,
    _kind_table,
    _kinds,
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


def theme_brief(db: Database, theme: str, *, memo: dict | None = None, language: str = "en") -> Report:
    """Write the brief on one theme (``themes.code``) in ``language``.

    Recurring lessons, enabler/barrier contradictions, validation of its lessons, the stakeholders they concern.
    """
    with using(language):
        return _theme_brief(db, theme, memo)


def _theme_brief(db: Database, theme: str, memo: dict | None) -> Report:
    row = db.execute("SELECT code, name FROM themes WHERE code = ?", [theme]).fetchone()
    if row is None:
        raise ReportError(_("There is no theme “{theme}”.").format(theme=theme))
    code, name = row
    name = _(name)
    cite = _Citations(db)
    lessons = _lessons(
        db, "JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id WHERE t.code = ?", [code]
    )
    summary = Section(_("In brief"))
    if lessons.empty:
        summary.text(_("No lesson in the store is tagged with the theme {theme}.").format(theme=name))
    else:
        validated = int(lessons["status"].isin(VALIDATED_STATUSES).sum())
        pilots, countries = lessons["pilot"].nunique(), lessons["country"].nunique()
        summary.bullets(
            [
                _("{lessons} from {pilots} in {countries} carry this theme ({kinds}) [{cited}].").format(
                    lessons=_n(ngettext("{n} lesson", "{n} lessons", len(lessons)), len(lessons)),
                    pilots=_n(ngettext("{n} pilot", "{n} pilots", pilots), pilots),
                    countries=_n(ngettext("{n} country", "{n} countries", countries), countries),
                    kinds=_kinds(lessons["kind"].value_counts()),
                    cited=cite.lessons(
                        lessons, where=_("the Lessons page lists them all under theme “{theme}”").format(theme=name)
                    ),
                ),
                _(
                    "{validated} of them are validated, endorsed or applied elsewhere; {contested} are contested."
                ).format(validated=number(validated), contested=number(int((lessons["status"] == "contested").sum()))),
            ]
        )
        counts = _kind_counts(lessons, "pilot_name", "pilot")
        shown = _top_bars(counts, "pilot")
        if len(shown) == len(counts):
            title = _("Lessons on {theme}, by pilot").format(theme=name)
            alt = ngettext(
                "Stacked bar chart of the {n} lesson on {theme} per pilot, by kind.",
                "Stacked bar chart of the {n} lessons on {theme} per pilot, by kind.",
                len(lessons),
            ).format(n=number(len(lessons)), theme=name)
        else:
            title = _("Lessons on {theme}, by pilot ({top} with most lessons; the table lists every pilot)").format(
                theme=name, top=number(MAX_BARS - 1)
            )
            alt = _(
                "Stacked bar chart of the {n} lessons on {theme} per pilot, by kind ({top} with most lessons; the "
                "table lists every pilot)."
            ).format(n=number(len(lessons)), theme=name, top=number(MAX_BARS - 1))
        summary.chart(_bar_by_kind(shown, "pilot", _("Pilot"), title), alt=alt, frame=_kind_table(counts, "pilot"))
    contra = Section(_("Where pilots disagree"))
    enablers, barriers = lessons[lessons["kind"] == "enabler"], lessons[lessons["kind"] == "barrier"]
    sides = set(enablers["pilot"]) | set(barriers["pilot"])
    if len(enablers) and len(barriers) and len(sides) > 1:
        contra.text(
            _("{enabling} {theme} as an enabler and {blocking} as a barrier.").format(
                enabling=_n(
                    ngettext("{n} pilot reports", "{n} pilots report", enablers["pilot"].nunique()),
                    enablers["pilot"].nunique(),
                ),
                theme=name,
                blocking=_n(
                    ngettext("{n} pilot", "{n} pilots", barriers["pilot"].nunique()), barriers["pilot"].nunique()
                ),
            )
        )
        contra.bullets(
            [
                _("Enabler: {lessons}").format(
                    lessons=_side(enablers, cite, _("Lessons page: theme “{theme}”, kind Enabler").format(theme=name))
                ),
                _("Barrier: {lessons}").format(
                    lessons=_side(barriers, cite, _("Lessons page: theme “{theme}”, kind Barrier").format(theme=name))
                ),
            ]
        )
    else:
        contra.text(
            _("No pilot reports {theme} as a barrier where another reports it as an enabler.").format(theme=name)
        )
    results = _shared(db, memo, "results")
    results = results[results["lesson_id"].isin(set(lessons["id"]))].assign(_subject=lambda f: f["lesson_id"])
    validation = _validation(
        cite,
        results,
        _statement_labels(results, lessons, cite),
        _("What validation workshops said"),
        _("No validation workshop has voted on a lesson about {theme} yet.").format(theme=name),
        _("Agreement with lessons on {theme}").format(theme=name),
    )
    sections = [
        summary,
        _recurring(
            db,
            lessons,
            cite,
            _("What recurs across pilots"),
            _("No lesson on this theme yet, so nothing can recur."),
            _(
                "No lesson on this theme has a close match in another pilot at the {share} similarity of the What "
                "recurs page."
            ),
            memo=memo,
        ),
        contra,
        validation,
        _stakeholders(db, lessons, cite, _("Who was involved")),
    ]
    return _finish(
        "theme",
        code,
        _("Policy brief: {subject}").format(subject=name),
        _("What co-creation pilots learned on this theme"),
        db,
        sections,
        cite,
    )


def pilot_brief(db: Database, pilot: str, *, memo: dict | None = None, language: str = "en") -> Report:
    """Write the brief on one pilot (slug) in ``language``.

    Its facts, lessons shared with other pilots, where others disagree, the validation of its lessons and its
    stakeholder network.
    """
    with using(language):
        return _pilot_brief(db, pilot, memo)


def _country(code: str) -> str:
    """Name a country (ISO 3166 alpha-2) in the language in use, else in English, else its code."""
    return country(code, getattr(pycountry.countries.get(alpha_2=code), "name", None)) if code else ""


def _pilot_brief(db: Database, pilot: str, memo: dict | None) -> Report:
    cursor = db.execute(
        """SELECT p.*, m.name AS methodology_name FROM pilots p LEFT JOIN methodologies m ON m.code = p.methodology
           WHERE p.slug = ?""",
        [pilot],
    )
    row = cursor.fetchone()
    if row is None:
        raise ReportError(_("There is no pilot “{pilot}”.").format(pilot=pilot))
    facts = dict(zip([c[0] for c in cursor.description], row))
    cite = _Citations(db)
    lessons = _lessons(db, "WHERE p.slug = ?", [pilot])
    about = Section(_("The pilot"))
    start, end = day(facts.get("start_date")), day(facts.get("end_date"))
    methodology = facts.get("methodology_name")
    rows = [
        (_("Country"), _country(facts["country"])),
        (_("Place"), ", ".join(v for v in (facts.get("city"), facts.get("region")) if v)),
        (_("Service area"), facts.get("service_area")),
        (_("Target groups"), facts.get("target_groups")),
        (_("Methodology"), _(methodology) if methodology else facts.get("methodology")),
        (_("Project"), facts.get("project")),
        (_("Lead organisation"), facts.get("lead_organisation")),
        (
            _("Dates"),
            _("{start} to {end}").format(start=start, end=end) if start and end else (start or end),
        ),
    ]
    about.table(pd.DataFrame([(k, v) for k, v in rows if v], columns=[_("Fact"), _("Value")]))
    if facts.get("summary"):
        about.text(facts["summary"])
    if lessons.empty:
        about.text(_("The store holds no lesson of this pilot yet."))
    else:
        themes = _frame(
            db,
            """SELECT t.name AS theme, l.kind, count(*) AS lessons FROM lessons l
               JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id
               JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? GROUP BY t.name, l.kind""",
            [pilot],
        )
        themes["kind"] = [_(KIND_LABELS.get(k, k)) for k in themes["kind"]]
        themes["theme"] = [_(t) for t in themes["theme"]]
        about.text(
            ngettext(
                "{n} lesson ({kinds}); {validated} validated, endorsed or applied elsewhere. Its lessons: [{cited}].",
                "{n} lessons ({kinds}); {validated} validated, endorsed or applied elsewhere. Its lessons: [{cited}].",
                len(lessons),
            ).format(
                n=number(len(lessons)),
                kinds=_kinds(lessons["kind"].value_counts()),
                validated=number(int(lessons["status"].isin(VALIDATED_STATUSES).sum())),
                cited=cite.lessons(lessons, where=_("the Lessons page lists them all under this pilot")),
            )
        )
        if len(themes):
            about.chart(
                _bar_by_kind(
                    themes, "theme", _("Theme"), _("Lessons of {pilot}, by theme").format(pilot=facts["name"])
                ),
                alt=_("Stacked bar chart of the lessons of {pilot} per theme, by kind.").format(pilot=facts["name"]),
                frame=_kind_table(themes, "theme"),
            )
    contra = Section(_("Where other pilots disagree"))
    matrix = _shared(db, memo, "matrix")
    own = matrix[matrix["pilot"] == pilot]
    others = matrix[matrix["pilot"] != pilot]
    items = []
    for theme, mine in own.groupby("theme"):
        theirs = others[others["theme"] == theme]
        for my_kind, their_kind in (("enabler", "barrier"), ("barrier", "enabler")):
            if mine[f"{my_kind}s"].sum() and theirs[f"{their_kind}s"].sum():
                name = _(mine["theme_name"].iloc[0])
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
                others_n = their["pilot"].nunique()
                where = _(_WHERE_KIND[their_kind]).format(theme=name)
                items.append(
                    _(_CONTRADICTS[my_kind]).format(
                        theme=name,
                        mine=cite.lessons(my_lessons),
                        others=_n(ngettext("{n} other pilot reports", "{n} other pilots report", others_n), others_n),
                        theirs=cite.lessons(their, limit=4, where=where),
                    )
                )
    if items:
        contra.bullets(items)
    else:
        contra.text(_("No other pilot reports as a barrier what this pilot reports as an enabler, or the reverse."))
    results = _shared(db, memo, "results")
    results = results[results["lesson_id"].isin(set(lessons["id"]))].assign(_subject=lambda f: f["lesson_id"])
    validation = _validation(
        cite,
        results,
        _statement_labels(results, lessons, cite),
        _("What validation workshops said"),
        _("No validation workshop has voted on a lesson of this pilot yet."),
        _("Agreement with the lessons of {pilot}").format(pilot=facts["name"]),
    )
    story = _story_section(db, pilot, cite)
    sections = [
        about,
        *([story] if story else []),
        _recurring(
            db,
            lessons,
            cite,
            _("Lessons shared with other pilots"),
            _("No lesson of this pilot yet, so nothing can recur."),
            _(
                "No lesson of this pilot has a close match in another pilot at the {share} similarity of the What "
                "recurs page."
            ),
            own_pilot=pilot,
            memo=memo,
        ),
        contra,
        validation,
        _network_section(db, pilot, lessons, cite),
    ]
    place = ", ".join(v for v in (facts.get("city"), _country(facts["country"])) if v)
    subtitle = _("A co-creation pilot in {place}").format(place=place)
    return _finish(
        "pilot", pilot, _("Policy brief: {subject}").format(subject=facts["name"]), subtitle, db, sections, cite
    )


#: An element's result, as the model brief names it.
_RESULTS = {"validated": N_("validated"), "contested": N_("contested"), "untested": N_("untested")}


def _result_text(element) -> str:
    """Say an element's result in one phrase: ``validated: 80% agree (95% CI 49%–94%, n = 10)``."""
    result = _(_RESULTS.get(element.result, element.result))
    if not element.n:
        return _("{result} (no votes yet)").format(result=result)
    return _("{result}: {share} agree (95% CI {low}–{high}, n = {n})").format(
        result=result,
        share=percent(element.agree_share),
        low=percent(element.low),
        high=percent(element.high),
        n=number(int(element.n)),
    )


#: A pilot brief's line on a theme it reports one way and other pilots the other.
_CONTRADICTS = {
    "enabler": N_("{theme}: this pilot reports it as an enabler [{mine}]; {others} it as a barrier [{theirs}]"),
    "barrier": N_("{theme}: this pilot reports it as a barrier [{mine}]; {others} it as an enabler [{theirs}]"),
}
#: Where the Lessons page lists every lesson of a theme and kind.
_WHERE_KIND = {
    "enabler": N_("Lessons page: theme “{theme}”, kind enabler"),
    "barrier": N_("Lessons page: theme “{theme}”, kind barrier"),
}


def model_brief(db: Database, model: str, *, memo: dict | None = None, language: str = "en") -> Report:
    """Write the brief on one governance model (slug) in ``language``.

    Its elements with the lessons supporting and challenging each, the elements pilots disagree on, and how workshops
    voted on each element.
    """
    with using(language):
        return _model_brief(db, model, memo)


def _model_brief(db: Database, model: str, memo: dict | None) -> Report:
    row = db.execute(
        """SELECT gm.id, gm.slug, gm.name, gm.inspired_by, gm.summary, m.name FROM governance_models gm
           LEFT JOIN methodologies m ON m.code = gm.methodology WHERE gm.slug = ?""",
        [model],
    ).fetchone()
    if row is None:
        raise ReportError(_("There is no governance model “{model}”.").format(model=model))
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
    everything = _("the Governance models page lists them all")

    def stance(element_id: int, which: str) -> pd.DataFrame:
        return links[(links["element_id"] == element_id) & (links["stance"] == which)]

    summary = Section(_("The model"))
    summary.text(summary_text or name)
    if inspired_by and methodology:
        summary.text(
            _("Inspired by {inspiration}; methodology: {methodology}.").format(
                inspiration=inspired_by, methodology=_(methodology)
            )
        )
    elif inspired_by:
        summary.text(_("Inspired by {inspiration}.").format(inspiration=inspired_by))
    elif methodology:
        summary.text(_("Methodology: {methodology}.").format(methodology=_(methodology)))
    element_items = []
    for e in parts.itertuples():
        sup, cha = stance(e.id, "supports"), stance(e.id, "challenges")
        line = f"{number(int(e.position))}. {e.name}" + (
            f" ({_(e.phase_name)})" if isinstance(e.phase_name, str) else ""
        )
        if len(sup):
            line += ngettext(
                " — supported by {n} pilot [{cited}]", " — supported by {n} pilots [{cited}]", sup["pilot"].nunique()
            ).format(n=number(sup["pilot"].nunique()), cited=cite.lessons(sup, limit=6, where=everything))
        if len(cha):
            line += ngettext(
                "; challenged by {n} pilot [{cited}]", "; challenged by {n} pilots [{cited}]", cha["pilot"].nunique()
            ).format(n=number(cha["pilot"].nunique()), cited=cite.lessons(cha, limit=6, where=everything))
        if not len(sup) and not len(cha):
            line += _(" — no lesson is linked to it yet")
        line += f"; {_result_text(e)}"
        element_items.append(line)
    summary.bullets(element_items)
    tally = parts["result"].value_counts()
    version = int(db.execute("SELECT version FROM governance_models WHERE id = ?", [model_id]).fetchone()[0])
    summary.text(
        _(
            "Workshop results for version {version}: {validated} validated, {contested} contested, {untested} "
            "untested (last round of each workshop of at least five people; validated from {threshold} agreement "
            "among at least {votes} votes for or against)."
        ).format(
            version=number(version),
            validated=number(int(tally.get("validated", 0))),
            contested=number(int(tally.get("contested", 0))),
            untested=number(int(tally.get("untested", 0))),
            threshold=percent(models.RULES["agree_threshold"]),
            votes=number(models.RULES["min_votes"]),
        )
    )
    evidence = parts[["name", "supports", "challenges"]].melt("name", var_name="stance", value_name="lessons")
    evidence["stance"] = evidence["stance"].map(dict(zip(("supports", "challenges"), STANCES)))
    if len(parts):
        summary.chart(
            {
                **stance_bars(evidence, title=_("Lessons supporting and challenging each element")),
                "width": NARROW_WIDTH,
            },
            alt=ngettext(
                "Grouped bar chart of supporting and challenging lessons for {n} element.",
                "Grouped bar chart of supporting and challenging lessons for each of {n} elements.",
                len(parts),
            ).format(n=number(len(parts))),
            frame=parts[["position", "name", "supports", "challenges", "support_pilots", "challenge_pilots"]].rename(
                columns={
                    "position": "#",
                    "name": _("Element"),
                    "supports": _("Supporting lessons"),
                    "challenges": _("Challenging lessons"),
                    "support_pilots": _("Pilots supporting"),
                    "challenge_pilots": _("Pilots challenging"),
                }
            ),
        )
    recurs = Section(_("What recurs across pilots"))
    widely = parts[parts["support_pilots"] >= 2].sort_values("support_pilots", ascending=False)
    if len(widely):
        recurs.bullets(
            [
                ngettext(
                    "{element}: supported by lessons of {n} pilot [{cited}]",
                    "{element}: supported by lessons of {n} pilots [{cited}]",
                    int(e.support_pilots),
                ).format(
                    element=e.name,
                    n=number(int(e.support_pilots)),
                    cited=cite.lessons(stance(e.id, "supports"), limit=6, where=everything),
                )
                for e in widely.itertuples()
            ]
        )
    else:
        recurs.text(_("No element is supported by lessons of two or more pilots yet."))
    contra = Section(_("Where pilots disagree"))
    disputed = parts[(parts["supports"] > 0) & (parts["challenges"] > 0)]
    if len(disputed):
        contra.bullets(
            [
                _("{element}: supported [{supporting}] but challenged [{challenging}]").format(
                    element=e.name,
                    supporting=cite.lessons(stance(e.id, "supports"), limit=4, where=everything),
                    challenging=cite.lessons(stance(e.id, "challenges"), limit=4, where=everything),
                )
                for e in disputed.itertuples()
            ]
        )
    else:
        contra.text(_("No element is both supported and challenged by pilots' lessons."))
    results = _shared(db, memo, "results")
    results = results[results["element_id"].isin(set(parts["id"]))].assign(_subject=lambda f: f["element_id"])
    labels = {
        int(e.id): _("Element {position}: {element}").format(position=number(int(e.position)), element=e.name)
        for e in parts.itertuples()
    }
    validation = _validation(
        cite,
        results,
        labels,
        _("What validation workshops said"),
        _("No validation workshop has voted on a statement drawn from this model's elements yet."),
        _("Agreement with the model's elements"),
    )
    linked = (
        _lessons(db, f"WHERE l.id IN ({', '.join('?' * len(links))})", [int(i) for i in links["id"]])
        if len(links)
        else _lessons(db, "WHERE 0")
    )
    sections = [summary, recurs, contra, validation, _stakeholders(db, linked, cite, _("Who was involved"))]
    return _finish(
        "model",
        slug,
        _("Policy brief: {subject}").format(subject=name),
        _("A governance model for co-created services"),
        db,
        sections,
        cite,
    )


def brief(db: Database, subject: str, key: str, language: str = "en") -> Report:
    """Write the brief on a ``subject`` (``theme``, ``pilot`` or ``model``) given by its code or slug, in ``language``."""
    makers = {"theme": theme_brief, "pilot": pilot_brief, "model": model_brief}
    if subject not in makers:
        with using(language):
            raise ReportError(
                _("A brief is about a theme, a pilot or a model, not “{subject}”.").format(subject=subject)
            )
    return makers[subject](db, key, language=language)


def subjects(db: Database) -> dict[str, pd.DataFrame]:
    """List what a brief can be about: themes with lessons, pilots and governance models (columns key, name)."""
    return brief_subjects(db)
