"""The roadmap to co-creation: validated lessons ordered by the shared co-creation phases."""

from __future__ import annotations

import numpy as np
from sqlite_utils import Database

from lessons import synthesis
from lessons.queries import STATUS_LABELS, VALIDATED_STATUSES
from lessons.report.citations import _Citations, _lessons, _plural
from lessons.report.document import Report, Section
from lessons.report.sections import _bar_by_kind, _finish, _kind_counts, _kind_table, _shared
from lessons.store import frame as _frame

#: The most steps of each kind (what to do, what to watch out for) a roadmap phase lists, best validated first.
ROADMAP_STEPS = 20
_STRENGTH = {"evaluated": 0, "measured": 1, "observed": 2, "anecdotal": 3}


def roadmap(db: Database, *, memo: dict | None = None) -> Report:
    """Write the roadmap to co-creation: validated lessons ordered by the shared co-creation phases.

    Validated lessons are those validated, endorsed or applied elsewhere. Each phase comes with its name in every
    methodology, each step with the evidence behind it.
    """
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
        spec = _bar_by_kind(counts, "phase", "Phase", "Validated lessons per phase of co-creation", sort=order)
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
