"""One code path for the page and the CLI: read → check → preview → commit (or stop with every problem)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlite_utils import Database

from lessons import network
from lessons.exports import to_csv
from lessons.i18n import N_, _
from lessons.ingest.commit import commit
from lessons.ingest.model_sheets import prepare_models
from lessons.ingest.plan import Plan
from lessons.ingest.preview import plan_upload
from lessons.ingest.problems import IngestError, Problem
from lessons.ingest.tables import Upload, read_files
from lessons.ingest.validate import Options, Prepared, _pilot_access, prepare
from lessons.permissions import Actor, authorize_upload

#: What an upload that changes nothing says, on the page and on the command line.
NOTHING_CHANGED = N_("Nothing changed: every row is already in the store.")


@dataclass
class Outcome:
    """What an import did or would do."""

    upload: Upload
    prepared: Prepared
    plan: Plan | None
    upload_id: int | None = None

    @property
    def problems(self) -> list[Problem]:
        """Return every problem the checks found."""
        return self.prepared.problems

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that are errors."""
        return self.prepared.errors


def check(db: Database, actor: Actor, files: list[tuple[str, bytes]], options: Options | None = None) -> Outcome:
    """Read and check the files and work out the preview; nothing is written.

    Raises
    ------
    PermissionDenied
        Before any file is read, when ``actor`` may not upload at all (whatever the files hold).
    IngestError
        Before any file is read, when ``actor`` may not upload into the pilot ``options`` names.
    """
    return _check(db, actor, files, options or Options())


def _check(
    db: Database, actor: Actor, files: list[tuple[str, bytes]], options: Options, *, keep: bool = True
) -> Outcome:
    """Run :func:`check`; unless ``keep``, let the sheets' raw rows go once checked (the plan needs only theirs)."""
    authorize_upload(actor)
    if options.pilot:
        existing = {slug: pid for pid, slug in db.execute("SELECT id, slug FROM pilots")}
        where = (files[0][0] if files else "upload", None, None)
        refused = _pilot_access(db, actor, options.pilot, existing, where, Prepared())
        if refused:
            raise IngestError(refused)
    upload = read_files(files)
    prepared = prepare(db, actor, upload, options)
    prepared.models = prepare_models(db, actor, upload, options, prepared)
    if not keep:  # a large file's raw rows, a third of what an import holds, go before the plan is made
        for sheet in upload.sheets:
            sheet.rows = []
    blocking = [p for p in prepared.errors if not options.skip_invalid or p.row is None]
    plan = None if blocking else plan_upload(db, prepared, remove_missing=options.remove_missing)
    return Outcome(upload, prepared, plan)


def run_import(
    db: Database,
    actor: Actor,
    files: list[tuple[str, bytes]],
    options: Options | None = None,
    *,
    dry_run: bool = False,
    progress=None,
) -> Outcome:
    """Check the files and, unless ``dry_run``, commit them as one upload.

    The outcome's sheets hold no rows (they go once checked); its plan, problems and rejected rows are all there.

    Raises
    ------
    PermissionDenied
        When ``actor`` may not make this upload (see :func:`check`); nothing is written then.
    IngestError
        With every problem, when anything is wrong (and ``skip_invalid`` is off, or the problem concerns the whole
        file rather than a row). Nothing is written then.
    """
    options = options or Options()
    if progress:
        progress(0.05, _("Reading the files"))
    outcome = _check(db, actor, files, options, keep=False)
    if outcome.plan is None:
        raise IngestError(outcome.errors)
    if not options.skip_invalid and outcome.errors:
        raise IngestError(outcome.errors)
    if dry_run:
        return outcome
    if not outcome.plan.changes:  # a no-op: nothing to write, so no upload is recorded and nothing is left to undo
        if progress:
            progress(1.0, _(NOTHING_CHANGED))
        return outcome
    if progress:
        progress(0.3, _("Writing"))
    names = ", ".join(f["filename"] for f in outcome.upload.files)
    checksum = ",".join(f["sha256"] for f in outcome.upload.files)
    formats = ",".join(sorted({name.rsplit(".", 1)[-1].lower() for name, _ in files if "." in name}))
    outcome.upload_id = commit(
        db, actor, outcome.plan, filename=names, checksum=checksum, file_format=formats or None,
        progress=(lambda f, m: progress(0.3 + 0.7 * f, m)) if progress else None,
    )  # fmt: skip
    changed = sorted({c.pilot for c in outcome.plan.changes if c.table in ("stakeholders", "ties")})
    if changed:
        if progress:
            progress(0.95, _("Measuring the changed networks"))
        refresh_networks(db, changed)
    return outcome


def refresh_networks(db: Database, pilots: list[str]) -> None:
    """Compute and store the network analyses of ``pilots`` right after their networks changed.

    Every period, all tie types and the layout are computed, so the first page view loads them instead of computing. A
    failure here never undoes a committed upload: the page computes on demand instead.
    """
    for slug in pilots:
        try:
            network.pilot_layout(db, slug)
            for period in network.PERIODS:
                network.analysis(db, slug, period=period)
        except Exception:  # noqa: BLE001 — an analysis problem must not turn a committed upload into an error
            continue


def rejected_rows(prepared: Prepared) -> pd.DataFrame:
    """Return the rows set aside, each with its sheet, row number and reason."""
    frame = pd.DataFrame(prepared.rejected)
    if frame.empty:
        return frame
    first = ["_sheet", "_row", "_reason"]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    return frame.rename(columns={"_sheet": "sheet", "_row": "row", "_reason": "reason"})


def rejected_csv(prepared: Prepared) -> str:
    """Return the rejected rows as CSV (formula-like cells neutralised), to fix and upload again."""
    return to_csv(rejected_rows(prepared))


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table: file, sheet, row, column, problem, fix, severity."""
    return pd.DataFrame(
        [
            {
                "file": p.file,
                "sheet": p.sheet,
                "row": p.row,
                "column": p.column,
                "problem": p.message,
                "fix": p.fix,
                "severity": p.severity,
            }
            for p in problems
        ],
        columns=["file", "sheet", "row", "column", "problem", "fix", "severity"],
    )
