"""A problem found in an uploaded file: where it is and, in plain language, how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" + (f" {self.fix}" if self.fix else "")

    def as_dict(self) -> dict:
        """Return the problem as a dict of its fields."""
        return asdict(self)


class IngestError(ValueError):
    """The upload cannot go ahead; ``problems`` lists every problem found (all of them, not the first)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s):\n" + "\n".join(str(p) for p in self.problems[:100]))
