"""Pieces of the upload flow: column mapping, the problems found, the preview, and the upload history."""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import streamlit as st

from components import auth, loaders, twomode_views
from components.widgets import readable, safe
from lessons import uploads
from lessons.access import reading
from lessons.exports import to_csv
from lessons.ingest.changes import Plan, list_uploads, undo_upload
from lessons.ingest.fields import SHEETS
from lessons.ingest.pipeline import NOTHING_CHANGED, Outcome, check, problems_frame, rejected_csv, run_import
from lessons.ingest.problems import IngestError, grouped
from lessons.ingest.recode import RecodeColumn, recode_columns
from lessons.ingest.tables import Upload, read_files
from lessons.ingest.template import build_template
from lessons.ingest.validate import Options, guess_mapping
from lessons.permissions import PermissionDenied, can
from lessons.store import EVIDENCE_STRENGTHS, KINDS, STATUSES
from lessons.uploads import undoable

NONE = "— none —"
OPS = {"insert": "New", "update": "Changed", "delete": "Removed"}


FIXED_VALUES = {"kind": KINDS, "status": STATUSES, "evidence_strength": EVIDENCE_STRENGTHS}
logger = logging.getLogger(__name__)


def _refuse(names: str, err: Exception) -> None:
    """A plain refusal for a file the reader could not take: what happened and what to do, never a traceback."""
    if isinstance(err, PermissionDenied):
        st.error(f"Not allowed: {err} Nothing was written.", icon=":material/block:")
        return
    if isinstance(err, IngestError):
        st.error("Nothing was written. " + " ".join(str(g) for g in grouped(err.problems)[:3]), icon=":material/error:")
        return
    logger.exception("reading the upload %s failed", names)  # for the server log; the user sees plain words
    st.error(
        f"Nothing was written: {names} could not be read (the file looks damaged). Open it in the program that made "
        "it and save it again (XLSX, CSV UTF-8, JSON, GraphML or GEXF), then upload that.",
        icon=":material/error:",
    )


def files_key(data: list[tuple[str, bytes]]) -> str:
    """A hash of the uploaded files (names and contents): what the cached reading and checking are keyed by."""
    digest = hashlib.sha256()
    for name, content in data:
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def load_uploads(path: str, actor) -> list[dict]:
    """Uploads of the pilots this user may change (all for administrators), newest first."""
    with reading(path) as db:
        return uploads.visible(list_uploads(db), actor)


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def load_template(path: str, version: int) -> bytes:
    """The pilot-summary template, with the store's current vocabularies in its drop-downs."""
    with reading(path) as db:
        return build_template(db)


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def check_upload(path: str, version: int, actor, key: str, _files, options):
    """Read and check uploaded files and work out the preview (nothing is written), once per store version, user,
    files (``key``: their hash; ``_files`` itself is not hashed) and options."""
    with reading(path) as db:
        return check(db, actor, _files, options)


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def read_upload(key: str, _data: list[tuple[str, bytes]]) -> Upload:
    """The uploaded files read once per content (``key`` from :func:`files_key`), for the mapping editor."""
    return read_files(_data)


def read_and_check(path: str, actor, data: list[tuple[str, bytes]], options_for) -> tuple[Options, Outcome] | None:
    """Read the uploaded files and check them, ``options_for(upload)`` giving the options (the mapping editor
    runs there); return the options and the outcome, or ``None`` after a plain refusal shown on the page. Both are
    cached by the files' hash, so a rerun that changes nothing reads and checks nothing again."""
    names = ", ".join(name for name, _ in data)
    try:
        key = files_key(data)
        options = options_for(read_upload(key, data))
        checker = twomode_views.check if twomode_views.is_two_mode(options) else check_upload
        return options, checker(path, loaders.data_version(path), actor, key, data, options)
    except Exception as err:  # noqa: BLE001 — the page boundary: whatever the file, a message, never a traceback
        _refuse(names, err)
        return None


def mapping_editor(upload: Upload, *, key: str) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """For each sheet read, one chooser per field offering the file's columns, preset to the best guess; for a
    required field no column holds, a value for every row. Returns (mapping, defaults)."""
    mapping: dict[str, dict[str, str]] = {}
    defaults: dict[str, dict[str, str]] = {}
    for sheet in upload.sheets:
        if sheet.name not in ("Lessons", "Stakeholders", "Ties") or mapping.get(sheet.name):
            continue
        guess = guess_mapping(sheet.columns, sheet.name)
        options = [NONE, *sheet.columns]
        exact = all(guess.get(f.name) == f.name for f in SHEETS[sheet.name] if f.name in sheet.columns)
        with st.expander(
            f"Columns of {safe(sheet.file)} → {safe(sheet.name)}", expanded=not exact, icon=":material/table_view:"
        ):
            st.caption("Which column of your file holds each field? The guesses come from the column names.")
            chosen = {}
            columns = st.columns(3)
            for position, f in enumerate(SHEETS[sheet.name]):
                current = guess.get(f.name, NONE)
                label = f"{f.label}{' (required)' if f.required else ''}"
                value = columns[position % 3].selectbox(
                    label,
                    options,
                    index=options.index(current),
                    key=f"{key}_map_{sheet.name}_{f.name}",
                    help=f.help or None,
                )
                if value != NONE:
                    chosen[f.name] = value
            mapping[sheet.name] = chosen
            for f in SHEETS[sheet.name]:
                if f.required and f.name not in chosen:
                    label = f"No column holds {f.label.lower()}: the same value for every row"
                    widget_key = f"{key}_default_{sheet.name}_{f.name}"
                    if f.name in FIXED_VALUES:
                        value = st.selectbox(
                            label,
                            [None, *FIXED_VALUES[f.name]],
                            key=widget_key,
                            format_func=lambda v: v or "— choose —",
                        )
                    else:
                        value = st.text_input(label, key=widget_key)
                    if value:
                        defaults.setdefault(sheet.name, {})[f.name] = value
    return mapping, defaults


#: How many causes the page lists in its error and warning boxes (the table and the download hold them all).
SHOWN_CAUSES = 12


def _causes(groups) -> str:
    lines = [f"- {safe(str(g))}" for g in groups[:SHOWN_CAUSES]]
    if len(groups) > SHOWN_CAUSES:
        lines.append(f"- … and {len(groups) - SHOWN_CAUSES} more kind(s): see the table below.")
    return "\n".join(lines)


def problems_table(problems, *, key: str) -> None:
    """One line per cause (its count and first rows), errors first; every problem row by row below, as CSV too."""
    frame = problems_frame(problems).sort_values(
        "severity", key=lambda s: s.map({"error": 0, "warning": 1}), kind="stable"
    )
    groups = grouped(problems)
    errors = [g for g in groups if g.severity == "error"]
    warnings = [g for g in groups if g.severity != "error"]
    if errors:
        count = sum(g.count for g in errors)
        st.error(
            f"{count} problem(s) of {len(errors)} kind(s) must be fixed before anything is written:\n\n"
            + _causes(errors),
            icon=":material/error:",
        )
    if warnings:
        st.warning(
            ("The upload can go ahead, but have a look:\n\n" if not errors else "Warnings:\n\n") + _causes(warnings),
            icon=":material/warning:",
        )
    with st.expander(f"Every problem, row by row ({len(frame):,})", icon=":material/list:"):
        st.dataframe(
            frame, hide_index=True, width="stretch", column_config={"row": st.column_config.NumberColumn(format="%d")}
        )
    st.download_button(
        "Download every problem (CSV)", to_csv(frame), file_name="upload-problems.csv", mime="text/csv",
        key=f"{key}_problems_csv", icon=":material/download:",
    )  # fmt: skip


KEEP = "— keep as written —"


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def load_recode_columns(path: str, version: int, key: str, _upload: Upload, mapping: dict, separator: str):
    """The vocabulary columns of the upload (``key``: the files' hash) with their values and suggestions."""
    with reading(path) as db:
        return recode_columns(db, _upload, mapping, separator)


def recode_editor(path: str, upload: Upload, mapping: dict, separator: str, *, key: str) -> dict:
    """For each vocabulary column holding a value we do not know, one choice per distinct value, preset to the
    suggestion; returns the recode as ``Options.values`` (sheet → field → value in the file → our value)."""
    values: dict[str, dict[str, dict[str, str]]] = {}
    files = ",".join(f["sha256"] for f in upload.files)
    columns = load_recode_columns(path, loaders.data_version(path), files, upload, mapping, separator)
    for entry in columns:
        if entry.known:
            continue
        chosen = _recode_column(entry, key=key)
        if chosen:
            values.setdefault(entry.sheet, {})[entry.field] = chosen
    return values


def _recode_column(entry: RecodeColumn, *, key: str) -> dict[str, str]:
    chosen = {}
    with st.expander(
        f"Values of the column {safe(entry.column)} → {safe(entry.label)}", expanded=True, icon=":material/swap_horiz:"
    ):
        st.caption(
            f"Each value found in the column, with the {safe(entry.label.lower())} it becomes: the suggestion is "
            "preselected; choose another, or keep the value as written."
        )
        options = [KEEP, *entry.codes]
        names = {KEEP: KEEP, **{c: (n if n == c else f"{n} ({c})") for c, n in entry.codes.items()}}
        grid = st.columns(3)
        for position, (value, rows, suggestion) in enumerate(entry.values):
            picked = grid[position % 3].selectbox(
                f"'{value}' ({rows:,} row{'s' if rows != 1 else ''})",
                options,
                index=options.index(suggestion) if suggestion in options else 0,
                key=f"{key}_recode_{entry.sheet}_{entry.field}_{value}",
                format_func=names.get,
            )
            if picked != KEEP:
                chosen[value] = picked
        if entry.more:
            st.caption(f'{entry.more:,} more value(s) are not listed: recode them in a mapping file ("values").')
    return chosen


def _describe(change) -> dict:
    key = " → ".join(str(k) for k in change.key) if change.table == "ties" else str(change.key[0])
    if change.op == "update":
        what = "; ".join(f"{f}: {_short(change.before.get(f))} → {_short(change.after.get(f))}" for f in change.fields)
    elif change.op == "insert":
        what = _short(change.after.get("title") or change.after.get("name") or change.after.get("relation"))
    else:
        what = _short(change.before.get("title") or change.before.get("name") or change.before.get("relation"))
    owner = "model" if change.table in ("models", "model elements") else "pilot"
    return {owner: change.pilot, "what": OPS[change.op], "key": key, "details": what}


def _short(value, limit: int = 80) -> str:
    text = "—" if value in (None, "", []) else ", ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def preview(plan: Plan) -> None:
    """What the commit will change, per pilot and table, and row by row (changed rows field by field)."""
    counts = plan.counts()
    if not plan.changes:
        st.info(f"{NOTHING_CHANGED} There is nothing to commit.", icon=":material/check:")
        return
    cols = st.columns(3)
    cols[0].metric("New rows", f"{counts['added']:,}")
    cols[1].metric("Changed rows", f"{counts['changed']:,}")
    cols[2].metric("Removed rows", f"{counts['removed']:,}")
    for note in plan.notes:
        st.caption(safe(note))
    if plan.new_pilots:
        st.caption(f"New pilots: {', '.join(safe(p) for p in sorted(plan.new_pilots))}.")
    if plan.new_themes:
        st.caption(f"New free tags: {', '.join(safe(t) for t in plan.new_themes.values())}.")
    st.dataframe(pd.DataFrame(plan.summary()), hide_index=True, width="stretch")
    for table in ("pilots", "stakeholders", "lessons", "ties", "models", "model elements", "lesson links"):
        changes = [c for c in plan.changes if c.table == table]
        if changes:
            with st.expander(f"{table.capitalize()}: {len(changes):,} change(s) row by row"):
                st.dataframe(pd.DataFrame([_describe(c) for c in changes[:2000]]), hide_index=True, width="stretch")
                if len(changes) > 2000:
                    st.caption(f"The first 2,000 of {len(changes):,} are shown.")


def history(uploads: list[dict]) -> pd.DataFrame:
    """Uploads as a table for the page."""
    frame = pd.DataFrame(uploads)
    if frame.empty:
        return frame
    return readable(
        frame,
        {
            "id": "Upload", "uploaded_at": "Uploaded at", "username": "By", "filename": "File", "pilots": "Pilots",
            "rows_added": "Rows added", "rows_changed": "Rows changed", "rows_removed": "Rows removed",
            "status": "Status",
        },
    )  # fmt: skip


def options_form(actor, names: dict[str, str], path: str | None = None):
    """The upload's options (pilot for rows naming none, separator, date order, skipping invalid rows, removing
    missing rows, country of new pilots); returns ``options_for(upload)``, which adds the column mapping."""
    with st.expander("Options", icon=":material/tune:"):
        left, right = st.columns(2)
        pilot = left.selectbox(
            "Pilot for rows that name none",
            [None, *names],
            format_func=lambda s: names.get(s, "— named in the file —"),
            key="upload_pilot",
        )
        separator = right.text_input(
            "Separator inside cells with several values", value=";", max_chars=3, key="upload_separator"
        )
        date_order = left.radio(
            "Dates like 04/05/2021 are",
            ["DMY", "MDY"],
            format_func={"DMY": "day first (4 May)", "MDY": "month first (April 5)"}.get,
            horizontal=True,
            key="upload_dates",
        )
        skip_invalid = right.checkbox("Import the valid rows and set the others aside", key="upload_skip")
        remove_missing = left.checkbox(
            "Remove the pilot's rows that the file no longer has",
            key="upload_remove",
            help="For a complete, revised summary: lessons, stakeholders or ties missing from an uploaded sheet are removed. The preview shows them first.",
        )
        country = (
            right.text_input("Country of new pilots (administrators)", max_chars=2, key="upload_country")
            if can(actor, "pilot.create")
            else ""
        )
    two_mode = st.checkbox("This file is an affiliation list (two-mode)", key="upload_two_mode")

    def options_for(upload: Upload) -> Options:
        if two_mode:
            return twomode_views.options(upload, pilot=pilot, country=country, skip_invalid=skip_invalid)
        mapping, defaults = mapping_editor(upload, key="upload")
        values = recode_editor(path, upload, mapping, separator or ";", key="upload") if path else {}
        return Options(
            pilot=pilot, mapping=mapping, separator=separator or ";", date_order=date_order, skip_invalid=skip_invalid,
            country=country.upper() or None, defaults=defaults, remove_missing=remove_missing, values=values,
        )  # fmt: skip

    return options_for


def commit_section(path: str, actor, data: list[tuple[str, bytes]], options: Options, outcome: Outcome) -> None:
    """The problems found, the preview and the commit button; after a commit the page starts a fresh upload."""
    if twomode_views.is_two_mode(options):
        return twomode_views.commit_section(path, actor, data, options, outcome, show_problems=problems_table)
    if outcome.problems:
        problems_table(outcome.problems, key="upload")
    if outcome.plan is None or (outcome.errors and not options.skip_invalid):
        return
    st.subheader("Preview", anchor=False)
    preview(outcome.plan)
    if outcome.prepared.rejected:
        st.download_button(
            "Download the rows set aside (CSV)",
            rejected_csv(outcome.prepared),
            file_name="rejected-rows.csv",
            key="upload_rejected",
        )
    if st.button(
        "Commit this upload",
        type="primary",
        key="upload_commit",
        disabled=not outcome.plan.changes,
        icon=":material/publish:",
    ):
        done = auth.write_with_progress(path, run_import, actor, data, options)
        if done:
            st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
            st.session_state["upload_done"] = done.upload_id
            st.rerun()


def undo_section(path: str, actor, uploads: list[dict]) -> None:
    """Choose an upload that may be undone (:func:`lessons.uploads.can_undo`) and undo it."""
    choices = undoable(uploads)
    if not choices:
        return
    left, right = st.columns([2, 1])
    chosen = left.selectbox("Upload to undo", choices, key="upload_undo_pick")
    if right.button("Undo this upload", key="upload_undo", icon=":material/undo:"):
        if auth.write(
            path, undo_upload, actor, chosen, success=f"Upload {chosen} undone: its pilots are as they were before it."
        ):
            st.session_state.pop("upload_done", None)
