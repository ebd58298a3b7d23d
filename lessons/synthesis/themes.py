"""What recurs across pilots by theme. UI-free and deterministic.

The pilot × theme matrix of lesson counts, themes found in at least *k* pilots, themes reported as an enabler by one
pilot and as a barrier by another, gaps, the methodology crosswalk and the lessons behind a cell.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.store import frame as _frame

# --- Themes -----------------------------------------------------------------------------------------------------


def theme_matrix(db: Database) -> pd.DataFrame:
    """Lesson counts for every pilot × theme pair, zeros included (the gaps are part of the answer).

    Columns: pilot (slug), pilot_name, country, theme (code), theme_name, lessons, enablers, barriers.
    Themes no lesson uses are included (every pilot has a gap there); pilots are in name order, themes by name.
    The counts come from ``lesson_theme_counts``, the summary the store keeps by triggers.

    >>> from lessons.store import open_memory_store
    >>> theme_matrix(open_memory_store()).empty
    True
    """
    return _frame(
        db,
        """
        WITH counts AS (
            SELECT pilot_id, theme_id, sum(lessons) AS lessons,
                   sum(CASE WHEN kind = 'enabler' THEN lessons ELSE 0 END) AS enablers,
                   sum(CASE WHEN kind = 'barrier' THEN lessons ELSE 0 END) AS barriers
            FROM lesson_theme_counts GROUP BY pilot_id, theme_id
        )
        SELECT p.slug AS pilot, p.name AS pilot_name, p.country, t.code AS theme, t.name AS theme_name,
               coalesce(c.lessons, 0) AS lessons, coalesce(c.enablers, 0) AS enablers,
               coalesce(c.barriers, 0) AS barriers
        FROM pilots p CROSS JOIN themes t
        LEFT JOIN counts c ON c.pilot_id = p.id AND c.theme_id = t.id
        WHERE t.controlled = 1 OR EXISTS (SELECT 1 FROM lesson_themes x WHERE x.theme_id = t.id)
        ORDER BY p.name, p.slug, t.name
        """,
    )


def _names(values) -> str:
    return "; ".join(sorted(values))


def recurring_themes(matrix: pd.DataFrame, min_pilots: int) -> pd.DataFrame:
    """Themes with lessons from at least ``min_pilots`` pilots, most widespread first.

    Columns: theme, theme_name, pilots (how many), lessons, enablers, barriers, pilot_names.

    >>> m = pd.DataFrame({"pilot": list("aab"), "pilot_name": list("AAB"), "theme": ["t", "u", "t"],
    ...     "theme_name": ["T", "U", "T"], "lessons": [2, 1, 1], "enablers": [1, 0, 0], "barriers": [0, 0, 1]})
    >>> recurring_themes(m, 2)[["theme", "pilots", "lessons"]].values.tolist()
    [['t', 2, 3]]
    """
    present = matrix[matrix["lessons"] > 0]
    grouped = present.groupby(["theme", "theme_name"], sort=False).agg(
        pilots=("pilot", "nunique"),
        lessons=("lessons", "sum"),
        enablers=("enablers", "sum"),
        barriers=("barriers", "sum"),
        pilot_names=("pilot_name", _names),
    )
    out = grouped.reset_index()
    out = out[out["pilots"] >= int(min_pilots)]
    return out.sort_values(["pilots", "lessons", "theme_name"], ascending=[False, False, True]).reset_index(drop=True)


def theme_contradictions(matrix: pd.DataFrame) -> pd.DataFrame:
    """Themes that one pilot reports as an enabler and another pilot as a barrier, the most contested first.

    Columns: theme, theme_name, enabler_pilots, barrier_pilots (counts), enabler_names, barrier_names,
    enablers, barriers (lesson counts). A pilot reporting both on a theme does not by itself make a contradiction.

    >>> m = pd.DataFrame({"pilot": list("abab"), "pilot_name": list("ABAB"), "theme": list("ttuu"),
    ...     "theme_name": list("TTUU"), "lessons": [1, 1, 2, 0], "enablers": [1, 0, 1, 0], "barriers": [0, 1, 1, 0]})
    >>> theme_contradictions(m)[["theme", "enabler_names", "barrier_names"]].values.tolist()
    [['t', 'A', 'B']]
    """
    rows = []
    for (theme, theme_name), group in matrix.groupby(["theme", "theme_name"], sort=False):
        enabling = set(group.loc[group["enablers"] > 0, "pilot_name"])
        hindering = set(group.loc[group["barriers"] > 0, "pilot_name"])
        if not enabling or not hindering or (len(enabling | hindering) == 1):
            continue
        rows.append(
            {
                "theme": theme,
                "theme_name": theme_name,
                "enabler_pilots": len(enabling),
                "barrier_pilots": len(hindering),
                "enabler_names": _names(enabling),
                "barrier_names": _names(hindering),
                "enablers": int(group["enablers"].sum()),
                "barriers": int(group["barriers"].sum()),
            }
        )
    columns = ["theme", "theme_name", "enabler_pilots", "barrier_pilots", "enabler_names", "barrier_names"]
    out = pd.DataFrame(rows, columns=[*columns, "enablers", "barriers"])
    if out.empty:
        return out
    out["_balance"] = out[["enabler_pilots", "barrier_pilots"]].min(axis=1)
    out = out.sort_values(["_balance", "enablers", "theme_name"], ascending=[False, False, True])
    return out.drop(columns="_balance").reset_index(drop=True)


def theme_gaps(matrix: pd.DataFrame) -> pd.DataFrame:
    """For every theme, the pilots that have no lesson on it; themes no pilot covers come first.

    Columns: theme, theme_name, pilots_with, pilots_without, missing_names.

    >>> m = pd.DataFrame({"pilot": list("abab"), "pilot_name": list("ABAB"), "theme": list("ttuu"),
    ...     "theme_name": list("TTUU"), "lessons": [1, 0, 0, 0]})
    >>> theme_gaps(m)[["theme", "pilots_with", "missing_names"]].values.tolist()
    [['u', 0, 'A; B'], ['t', 1, 'B']]
    """
    rows = []
    for (theme, theme_name), group in matrix.groupby(["theme", "theme_name"], sort=False):
        missing = group.loc[group["lessons"] == 0, "pilot_name"]
        rows.append(
            {
                "theme": theme,
                "theme_name": theme_name,
                "pilots_with": int((group["lessons"] > 0).sum()),
                "pilots_without": int(len(missing)),
                "missing_names": _names(missing),
            }
        )
    out = pd.DataFrame(rows, columns=["theme", "theme_name", "pilots_with", "pilots_without", "missing_names"])
    out = out[out["pilots_without"] > 0]
    return out.sort_values(["pilots_with", "theme_name"]).reset_index(drop=True)


def crosswalk(db: Database) -> pd.DataFrame:
    """List the shared co-creation phases with each methodology's own step names and lesson counts.

    One row per phase in phase order: phase, phase_name, lessons (all pilots), then one column per methodology
    (its name) holding that methodology's step names for the phase joined by " · ", and ``lessons: <name>`` with
    the lessons of pilots following it.
    """
    phases = _frame(
        db,
        """SELECT ph.code AS phase, ph.name AS phase_name, count(l.id) AS lessons
           FROM phases ph LEFT JOIN lessons l ON l.phase = ph.code GROUP BY ph.code ORDER BY ph.position""",
    )
    steps = _frame(
        db,
        """SELECT m.name AS methodology, s.phase, group_concat(s.name, ' · ') AS steps
           FROM (SELECT * FROM methodology_steps ORDER BY methodology, position) s
           JOIN methodologies m ON m.code = s.methodology GROUP BY m.name, s.phase""",
    )
    counts = _frame(
        db,
        """SELECT m.name AS methodology, l.phase, count(*) AS lessons
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id JOIN methodologies m ON m.code = p.methodology
           WHERE l.phase IS NOT NULL GROUP BY m.name, l.phase""",
    )
    methods = [r[0] for r in db.execute("SELECT name FROM methodologies ORDER BY name").fetchall()]
    out = phases.copy()
    for method in methods:
        named = steps[steps["methodology"] == method].set_index("phase")["steps"]
        counted = counts[counts["methodology"] == method].set_index("phase")["lessons"]
        out[method] = [named.get(p, "") for p in out["phase"]]
        out[f"lessons: {method}"] = [int(counted.get(p, 0)) for p in out["phase"]]
    return out


def compare_pilots(matrix: pd.DataFrame, pilots) -> dict[str, pd.DataFrame]:
    """Theme profiles of 2–4 pilots side by side, and which themes they share and which only one of them has.

    Returns ``profile`` (theme, theme_name, pilot, pilot_name, lessons, share = the pilot's lessons on the theme
    over all its theme assignments), ``shared`` (themes every chosen pilot has lessons on) and ``unique`` (themes
    exactly one chosen pilot has, with that pilot's name).

    >>> m = pd.DataFrame({"pilot": list("abab"), "pilot_name": list("ABAB"), "theme": list("ttuu"),
    ...     "theme_name": list("TTUU"), "lessons": [1, 2, 3, 0]})
    >>> c = compare_pilots(m, ["a", "b"])
    >>> c["shared"]["theme"].tolist(), c["unique"][["theme", "pilot_name"]].values.tolist()
    (['t'], [['u', 'A']])
    """
    chosen = list(dict.fromkeys(pilots))
    profile = matrix[matrix["pilot"].isin(chosen)][["theme", "theme_name", "pilot", "pilot_name", "lessons"]].copy()
    totals = profile.groupby("pilot")["lessons"].transform("sum")
    profile["share"] = (profile["lessons"] / totals.where(totals > 0)).fillna(0.0).round(3)
    present = profile[profile["lessons"] > 0]
    by_theme = present.groupby(["theme", "theme_name"])
    counts = by_theme["pilot"].nunique()
    shared = counts[counts == len(chosen)].reset_index()[["theme", "theme_name"]]
    single = counts[counts == 1].index
    unique = (
        present.set_index(["theme", "theme_name"])
        .loc[single, ["pilot", "pilot_name", "lessons"]]
        .reset_index()
        .sort_values(["pilot_name", "theme_name"])
        if len(single)
        else pd.DataFrame(columns=["theme", "theme_name", "pilot", "pilot_name", "lessons"])
    )
    return {
        "profile": profile.reset_index(drop=True),
        "shared": shared.sort_values("theme_name").reset_index(drop=True),
        "unique": unique.reset_index(drop=True),
    }


def cell_lessons(db: Database, pilot: str, theme: str) -> pd.DataFrame:
    """List the lessons behind one matrix cell: id, key, title, kind, status (pilot slug, theme code)."""
    return _frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.status
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id
           JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id
           WHERE p.slug = ? AND t.code = ? ORDER BY l.key""",
        [pilot, theme],
    )


def theme_lessons(db: Database, theme: str, kinds=("enabler", "barrier")) -> pd.DataFrame:
    """Lessons on one theme (code) of the given kinds: id, key, title, kind, status, pilot, pilot_name."""
    marks = ", ".join("?" * len(kinds))
    return _frame(
        db,
        f"""SELECT l.id, l.key, l.title, l.kind, l.status, p.slug AS pilot, p.name AS pilot_name
            FROM lessons l JOIN pilots p ON p.id = l.pilot_id
            JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id
            WHERE t.code = ? AND l.kind IN ({marks}) ORDER BY p.name, l.key""",
        [theme, *kinds],
    )
