"""The roadmap to co-creation: validated lessons ordered by the shared co-creation phases."""

from __future__ import annotations

import numpy as np
from sqlite_utils import Database

from lessons import synthesis
from lessons.i18n import N_, _, ngettext, number, using
from lessons.queries import STATUS_LABELS, VALIDATED_STATUSES
from lessons.report.citations import _Citations, _lessons, _n
from lessons.report.document import Report, Section
from lessons.report.sections import _bar_by_kind, _finish, _kind_counts, _kind_table, _shared
from lessons.store import frame as _frame

#: The most steps of each kind (what to do, what to watch out for) a roadmap phase lists, best validated first.
ROADMAP_STEPS = 20
_STRENGTH = {"evaluated": 0, "measured": 1, "observed": 2, "anecdotal": 3}


#: The evidence strengths a roadmap step names.
_STRENGTH_LABELS = {
    "evaluated": N_("evaluated"),
    "measured": N_("measured"),
    "observed": N_("observed"),
    "anecdotal": N_("anecdotal"),
}


def roadmap(db: Database, *, memo: dict | None = None, language: str = "en") -> Report:
    """Write the roadmap to co-creation in ``language``: validated lessons ordered by the shared co-creation phases.

    Validated lessons are those validated, endorsed or applied elsewhere. Each phase comes with its name in every
    methodology, each step with the evidence behind it.
    """
    with using(language):
        return _roadmap(db, memo)


def _roadmap(db: Database, memo: dict | None) -> Report:
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

    phases["name"] = [_(n) for n in phases["name"]]
    phases["description"] = [_(d) if isinstance(d, str) and d else d for d in phases["description"]]
    validated["phase_name"] = [_(n) if isinstance(n, str) else n for n in validated["phase_name"]]
    across = _("Across all phases")
    intro = Section(_("How to use this roadmap"))
    if validated.empty:
        intro.text(
            _(
                "No lesson has been validated yet. Run a validation workshop on the pilots' lessons (Run a workshop), "
                "apply its results, and the validated lessons will appear here, phase by phase."
            )
        )
    else:
        pilots = validated["pilot"].nunique()
        intro.text(
            _(
                "This roadmap gathers the {lessons} from {pilots} whose status is validated, endorsed or applied "
                "elsewhere — set by validation workshops or by the partners — and orders them by the {phases} shared "
                "phases of co-creation. Each step says what to do and why, with the pilot lessons and workshop votes "
                "behind it. Warnings come from validated barriers: what blocked pilots in that phase."
            ).format(
                lessons=_n(ngettext("{n} lesson", "{n} lessons", len(validated)), len(validated)),
                pilots=_n(ngettext("{n} pilot", "{n} pilots", pilots), pilots),
                phases=number(len(phases)),
            )
        )
        per_phase = validated.assign(phase_name=validated["phase_name"].fillna(across))
        counts = _kind_counts(per_phase, "phase_name", "phase")
        order = [*phases["name"], across]
        spec = _bar_by_kind(counts, "phase", _("Phase"), _("Validated lessons per phase of co-creation"), sort=order)
        intro.chart(
            spec,
            alt=ngettext(
                "Stacked bar chart of the {n} validated lesson per co-creation phase, by kind.",
                "Stacked bar chart of the {n} validated lessons per co-creation phase, by kind.",
                len(validated),
            ).format(n=number(len(validated))),
            frame=_kind_table(counts, "phase", order),
        )
    sections = [intro]
    groups = [(p.code, p.position, p.name, p.description) for p in phases.itertuples()]
    groups.append((None, len(groups) + 1, across, _("Lessons that hold in every phase.")))
    for code, position, name, description in groups:
        chosen = validated[validated["phase"].isna()] if code is None else validated[validated["phase"] == code]
        if code is None and chosen.empty:
            continue
        section = Section(_("Step {position}. {phase}").format(position=number(int(position)), phase=name))
        if isinstance(description, str) and description:
            section.text(description)
        if code is not None:
            named = steps.set_index("phase").loc[code]
            own = [f"{_(m)}: {_(named[m])}" for m in methods if named[m]]
            if own:
                section.text(_("In each methodology: {steps}.").format(steps="; ".join(own)))
        if chosen.empty:
            section.text(_("No validated lesson for this phase yet."))
        # best validated first: the lower end of the agreement interval, then the strength of the evidence
        chosen = chosen.assign(
            _low=[votes["agree_low"].get(i, np.nan) for i in chosen["id"]],
            _strength=chosen["evidence_strength"].map(_STRENGTH).fillna(len(_STRENGTH)),
        ).sort_values(
            ["_low", "_strength", "pilot_name", "key"], ascending=[False, True, True, True], na_position="last"
        )
        for label, kinds in (
            (_("What to do"), ("enabler", "recommendation", "insight")),
            (_("What to watch out for"), ("barrier",)),
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
                evidence = f"{cite.lesson(row)}, {_(STATUS_LABELS.get(row['status'], row['status'])).lower()}"
                strength = row["evidence_strength"]
                if isinstance(strength, str) and strength:
                    evidence += _(", evidence: {strength}").format(strength=_(_STRENGTH_LABELS.get(strength, strength)))
                if row["id"] in votes.index:
                    vote = votes.loc[row["id"]].to_dict()
                    evidence += "; " + cite.votes(vote)
                    if not vote["agree_low"] >= 0.5:  # the status rests on more than this vote
                        evidence += _(", no clear majority in this vote")
                items.append(
                    _("{action} — from “{title}” [{evidence}]").format(
                        action=action, title=row["title"], evidence=evidence
                    )
                )
            section.bullets(items)
            if len(part) > ROADMAP_STEPS:
                rest = len(part) - ROADMAP_STEPS
                section.text(
                    ngettext(
                        "{n} more validated lesson of this kind in this phase is not listed here; the Lessons page "
                        "lists them all (phase {phase}, status Validated, Endorsed and Applied elsewhere).",
                        "{n} more validated lessons of this kind in this phase are not listed here; the Lessons page "
                        "lists them all (phase {phase}, status Validated, Endorsed and Applied elsewhere).",
                        rest,
                    ).format(n=number(rest), phase=name)
                )
        if code is not None and contested.get(code):
            section.text(
                _(
                    "Still contested in this phase: {lessons} (see the Lessons page, status Contested) — not part of "
                    "this roadmap."
                ).format(lessons=_n(ngettext("{n} lesson", "{n} lessons", int(contested[code])), int(contested[code])))
            )
        sections.append(section)
    return _finish(
        "roadmap",
        "roadmap",
        _("Roadmap to co-creation"),
        _("Validated lessons from the pilots, phase by phase"),
        db,
        sections,
        cite,
    )
