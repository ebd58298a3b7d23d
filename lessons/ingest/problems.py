"""A problem found in an uploaded file: where it is and, in plain language, how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from lessons.i18n import _, number

__all__ = ["SHOWN_ROWS", "IngestError", "Problem", "ProblemGroup", "UndoError", "grouped"]

#: How many rows a grouped problem names before "…".
SHOWN_ROWS = 5


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one file.

    ``row`` counts as a spreadsheet user sees it: the header is row 1, the first data row is row 2. ``severity``
    is ``error`` (the row cannot be imported as it is) or ``warning`` (imported, but worth a look).

    >>> str(Problem("lessons.csv", "Lessons", 4, "kind", "'enabeler' is not a kind.", "Use one of: enabler, barrier."))
    "lessons.csv, sheet Lessons, row 4, column kind: 'enabeler' is not a kind. Use one of: enabler, barrier."
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        """Show where the problem is (file, sheet, row, column), its message and its fix."""
        where = [self.file]
        if self.sheet:
            where.append(_("sheet {sheet}").format(sheet=self.sheet))
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column:
            where.append(_("column {column}").format(column=self.column))
        return f"{', '.join(where)}: {self.message}" + (
            f" {self.fix}" if self.fix and self.fix not in self.message else ""
        )

    def as_dict(self) -> dict:
        """Return the problem as a dict of its fields."""
        return asdict(self)


@dataclass
class ProblemGroup:
    """The problems of one cause: the same message and fix, in one column of one sheet, on ``rows``.

    >>> rows = [Problem("n.csv", "Stakeholders", r, "Sector", "Sector is empty.", "Map a column to sector.", "warning")
    ...         for r in (12, 20, 28, 36, 44, 52, 60)]
    >>> print(grouped(rows)[0])
    n.csv, sheet Stakeholders, column Sector: Sector is empty in 7 rows: rows 12, 20, 28, 36, 44, … — Map a column to sector.
    """

    first: Problem
    count: int = 0
    rows: list[int] = field(default_factory=list)

    @property
    def severity(self) -> str:
        """Return ``error`` or ``warning``, as the problems of the group are."""
        return self.first.severity

    def __str__(self) -> str:
        """Show the cause once, with how many rows it concerns and the first of them, then its fix."""
        p = self.first
        if self.count == 1:
            return str(p)
        where = ", ".join(
            [p.file]
            + ([_("sheet {sheet}").format(sheet=p.sheet)] if p.sheet else [])
            + ([_("column {column}").format(column=p.column)] if p.column else [])
        )
        fix = f" — {p.fix}" if p.fix and p.fix not in p.message else ""
        count = number(self.count)
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:SHOWN_ROWS]) + (", …" if len(self.rows) > SHOWN_ROWS else "")
            if ". " not in p.message.rstrip("."):  # one sentence: the count follows it
                said = _("{message} in {n} rows: rows {rows}").format(
                    message=p.message.rstrip("."), n=count, rows=shown
                )
                return f"{where}: {said}{fix}"
            return (
                _("{where}, {n} rows ({rows}): {message}").format(where=where, n=count, rows=shown, message=p.message)
                + fix
            )
        return _("{where}: {message} ({n} times)").format(where=where, message=p.message, n=count) + fix


def grouped(problems: list[Problem]) -> list[ProblemGroup]:
    """Gather problems by cause (file, sheet, column, message, fix, severity), errors first, in order of appearance."""
    groups: dict[tuple, ProblemGroup] = {}
    for p in problems:
        group = groups.setdefault((p.file, p.sheet, p.column, p.message, p.fix, p.severity), ProblemGroup(p))
        group.count += 1
        if p.row is not None:
            group.rows.append(p.row)
    return sorted(groups.values(), key=lambda g: g.severity != "error")


class UndoError(ValueError):
    """The upload cannot be undone now; the message says why."""


class IngestError(ValueError):
    """The upload cannot go ahead; ``problems`` lists every problem found (all of them, not the first)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(g) for g in grouped(self.problems)]
        super().__init__(f"{len(self.problems)} problem(s):\n" + "\n".join(lines[:100]))
