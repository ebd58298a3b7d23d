"""Pieces of the upload flow: column mapping, the problems found, the preview, and the upload history."""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import streamlit as st

from components import auth, loaders, twomode_views
from components.language import current as current_language
from components.widgets import readable, safe
from lessons import uploads
from lessons.access import reading
from lessons.exports import to_csv
from lessons.i18n import N_, _, ngettext, number, using
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

NONE = "— none —"  # the chooser's value for "no column"; shown through _()
OPS = {"insert": N_("New"), "update": N_("Changed"), "delete": N_("Removed")}
#: The tables a preview lists row by row, named for the reader.
TABLE_LABELS = {
    "pilots": N_("Pilots"), "stakeholders": N_("Stakeholders"), "lessons": N_("Lessons"), "ties": N_("Ties"),
    "models": N_("Models"), "model elements": N_("Model elements"), "lesson links": N_("Lesson links"),
}  # fmt: skip


DATE_ORDERS = ("DMY", "MDY")  # codes of Options.date_order
FIXED_VALUES = {"kind": KINDS, "status": STATUSES, "evidence_strength": EVIDENCE_STRENGTHS}
logger = logging.getLogger(__name__)


def _refuse(names: str, err: Exception) -> None:
    """A plain refusal for a file the reader could not take: what happened and what to do, never a traceback."""
    if isinstance(err, PermissionDenied):
        st.error(_("Not allowed: {reason} Nothing was written.").format(reason=err), icon=":material/block:")
        return
    if isinstance(err, IngestError):
        causes = " ".join(str(g) for g in grouped(err.problems)[:3])
        st.error(_("Nothing was written. {causes}").format(causes=causes), icon=":material/error:")
        return
    logger.exception("reading the upload %s failed", names)  # for the server log; the user sees plain words
    st.error(
        _(
            "Nothing was written: {files} could not be read (the file looks damaged). Open it in the program that "
            "made it and save it again (XLSX, CSV UTF-8, JSON, GraphML or GEXF), then upload that."
        ).format(files=names),
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


@st.cache_data(ttl=loaders.TTL, max_entries=8, show_spinner=False)
def load_template(path: str, version: int, lang: str = "en") -> bytes:
    """The pilot-summary template, with the store's current vocabularies in its drop-downs, its instructions and
    help in ``lang`` (the sheets' and columns' names stay English codes, so it imports in any language)."""
    with reading(path) as db, using(lang):
        return build_template(db)


def check_upload(path: str, version: int, actor, key: str, _files, options):
    """Read and check uploaded files and work out the preview (nothing is written), once per store version, user,
    files (``key``: their hash; ``_files`` itself is not hashed), options and the reader's language (the problems
    are written in it)."""
    return _check_upload(path, version, actor, key, _files, options, lang=current_language())


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def _check_upload(path: str, version: int, actor, key: str, _files, options, *, lang: str):
    with reading(path) as db, using(lang):
        return check(db, actor, _files, options)


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def read_upload(key: str, _data: list[tuple[str, bytes]], lang: str = "en") -> Upload:
    """The uploaded files read once per content (``key`` from :func:`files_key`) and reader's language ``lang`` (what
    it finds wrong is written in it), for the mapping editor."""
    with using(lang):
        return read_files(_data)


def read_and_check(path: str, actor, data: list[tuple[str, bytes]], options_for) -> tuple[Options, Outcome] | None:
    """Read the uploaded files and check them, ``options_for(upload)`` giving the options (the mapping editor
    runs there); return the options and the outcome, or ``None`` after a plain refusal shown on the page. Both are
    cached by the files' hash, so a rerun that changes nothing reads and checks nothing again."""
    names = ", ".join(name for name, _ in data)
    try:
        key = files_key(data)
        options = options_for(read_upload(key, data, current_language()))
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
            _("Columns of {file} → {sheet}").format(file=safe(sheet.file), sheet=safe(sheet.name)),
            expanded=not exact,
            icon=":material/table_view:",
        ):
            st.caption(_("Which column of your file holds each field? The guesses come from the column names."))
            chosen = {}
            columns = st.columns(3)
            for position, f in enumerate(SHEETS[sheet.name]):
                current = guess.get(f.name, NONE)
                label = _("{field} (required)").format(field=_(f.label)) if f.required else _(f.label)
                value = columns[position % 3].selectbox(
                    label,
                    options,
                    index=options.index(current),
                    key=f"{key}_map_{sheet.name}_{f.name}",
                    help=_(f.help) if f.help else None,
                    format_func=({c: c for c in options} | {NONE: _("— none —")}).get,
                )
                if value != NONE:
                    chosen[f.name] = value
            mapping[sheet.name] = chosen
            for f in SHEETS[sheet.name]:
                if f.required and f.name not in chosen:
                    label = _("No column holds “{field}”: the same value for every row").format(field=_(f.label))
                    widget_key = f"{key}_default_{sheet.name}_{f.name}"
                    if f.name in FIXED_VALUES:
                        value = st.selectbox(
                            label,
                            [None, *FIXED_VALUES[f.name]],
                            key=widget_key,
                            format_func={None: _("— choose —"), **{v: v for v in FIXED_VALUES[f.name]}}.get,
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
        more = len(groups) - SHOWN_CAUSES
        lines.append(
            "- "
            + ngettext(
                "… and {n} more kind: see the table below.", "… and {n} more kinds: see the table below.", more
            ).format(n=number(more))
        )
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
        problems = ngettext("{n} problem", "{n} problems", count).format(n=number(count))
        kinds = ngettext("{n} kind", "{n} kinds", len(errors)).format(n=number(len(errors)))
        st.error(
            _("{problems} of {kinds} must be fixed before anything is written:").format(problems=problems, kinds=kinds)
            + "\n\n"
            + _causes(errors),
            icon=":material/error:",
        )
    if warnings:
        st.warning(
            (_("The upload can go ahead, but have a look:") if not errors else _("Warnings:"))
            + "\n\n"
            + _causes(warnings),
            icon=":material/warning:",
        )
    with st.expander(_("Every problem, row by row ({count})").format(count=number(len(frame))), icon=":material/list:"):
        shown = frame.assign(severity=frame["severity"].map(lambda s: _(SEVERITIES.get(s, s))))
        st.dataframe(
            _headed(shown, PROBLEM_HEADERS),
            hide_index=True,
            width="stretch",
            column_config={_("row"): st.column_config.NumberColumn(format="%d")},
        )
    st.download_button(
        _("Download every problem (CSV)"), to_csv(frame), file_name="upload-problems.csv", mime="text/csv",
        key=f"{key}_problems_csv", icon=":material/download:",
    )  # fmt: skip


KEEP = N_("— keep as written —")  # the chooser's value for "no recode"; shown through _()
#: The problem table's columns, shown by their (translated) names; the CSV keeps the English codes.
PROBLEM_HEADERS = {
    "file": N_("file"), "sheet": N_("sheet"), "row": N_("row"), "column": N_("column"), "problem": N_("problem"),
    "fix": N_("fix"), "severity": N_("severity"),
}  # fmt: skip
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}
#: The preview's columns, named for the reader.
PREVIEW_HEADERS = {
    "pilot": N_("pilot"), "model": N_("model"), "table": N_("table"), "added": N_("added"), "changed": N_("changed"),
    "removed": N_("removed"), "what": N_("what"), "key": N_("key"), "details": N_("details"),
}  # fmt: skip
#: The tables in the preview's summary, as its ``table`` column names them.
TABLE_NAMES = {
    "pilots": N_("pilots"), "stakeholders": N_("stakeholders"), "lessons": N_("lessons"), "ties": N_("ties"),
    "models": N_("models"), "model elements": N_("model elements"), "lesson links": N_("lesson links"),
}  # fmt: skip


def _headed(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Return ``frame`` with its columns named for the reader (in the reader's language)."""
    return frame.rename(columns={c: _(labels[c]) for c in frame.columns if c in labels})


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
        _("Values of the column {column} → {field}").format(column=safe(entry.column), field=safe(_(entry.label))),
        expanded=True,
        icon=":material/swap_horiz:",
    ):
        st.caption(
            _(
                "Each value found in the column, with the “{field}” value it becomes: the suggestion is preselected; "
                "choose another, or keep the value as written."
            ).format(field=safe(_(entry.label)))
        )
        options = [KEEP, *entry.codes]
        names = {KEEP: _(KEEP), **{c: (_(n) if n == c else f"{_(n)} ({c})") for c, n in entry.codes.items()}}
        grid = st.columns(3)
        for position, (value, rows, suggestion) in enumerate(entry.values):
            picked = grid[position % 3].selectbox(
                ngettext("'{value}' ({n} row)", "'{value}' ({n} rows)", rows).format(value=value, n=number(rows)),
                options,
                index=options.index(suggestion) if suggestion in options else 0,
                key=f"{key}_recode_{entry.sheet}_{entry.field}_{value}",
                format_func=names.get,
            )
            if picked != KEEP:
                chosen[value] = picked
        if entry.more:
            st.caption(
                ngettext(
                    '{n} more value is not listed: recode it in a mapping file ("values").',
                    '{n} more values are not listed: recode them in a mapping file ("values").',
                    entry.more,
                ).format(n=number(entry.more))
            )
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
    return {owner: change.pilot, "what": _(OPS[change.op]), "key": key, "details": what}


def _short(value, limit: int = 80) -> str:
    text = "—" if value in (None, "", []) else ", ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def preview(plan: Plan) -> None:
    """What the commit will change, per pilot and table, and row by row (changed rows field by field)."""
    counts = plan.counts()
    if not plan.changes:
        st.info(
            _("{nothing_changed} There is nothing to commit.").format(nothing_changed=_(NOTHING_CHANGED)),
            icon=":material/check:",
        )
        return
    cols = st.columns(3)
    cols[0].metric(_("New rows"), number(counts["added"]))
    cols[1].metric(_("Changed rows"), number(counts["changed"]))
    cols[2].metric(_("Removed rows"), number(counts["removed"]))
    for note in plan.notes:
        st.caption(safe(note))
    if plan.new_pilots:
        st.caption(_("New pilots: {pilots}.").format(pilots=", ".join(safe(p) for p in sorted(plan.new_pilots))))
    if plan.new_themes:
        st.caption(_("New free tags: {tags}.").format(tags=", ".join(safe(t) for t in plan.new_themes.values())))
    summary = pd.DataFrame(plan.summary())
    summary["table"] = summary["table"].map(lambda t: _(TABLE_NAMES.get(t, t)))
    st.dataframe(_headed(summary, PREVIEW_HEADERS), hide_index=True, width="stretch")
    for table in TABLE_LABELS:
        changes = [c for c in plan.changes if c.table == table]
        if changes:
            label = ngettext("{table}: {n} change row by row", "{table}: {n} changes row by row", len(changes)).format(
                table=_(TABLE_LABELS[table]), n=number(len(changes))
            )
            with st.expander(label):
                rows = pd.DataFrame([_describe(c) for c in changes[:2000]])
                st.dataframe(_headed(rows, PREVIEW_HEADERS), hide_index=True, width="stretch")
                if len(changes) > 2000:
                    st.caption(
                        _("The first {shown} of {total} are shown.").format(
                            shown=number(2000), total=number(len(changes))
                        )
                    )


def history(uploads: list[dict]) -> pd.DataFrame:
    """Uploads as a table for the page."""
    frame = pd.DataFrame(uploads)
    if frame.empty:
        return frame
    return readable(
        frame,
        {
            "id": _("Upload"), "uploaded_at": _("Uploaded at"), "username": _("By"), "filename": _("File"),
            "pilots": _("Pilots"), "rows_added": _("Rows added"), "rows_changed": _("Rows changed"),
            "rows_removed": _("Rows removed"), "status": _("Status"),
        },
    )  # fmt: skip


def options_form(actor, names: dict[str, str], path: str | None = None):
    """The upload's options (pilot for rows naming none, separator, date order, skipping invalid rows, removing
    missing rows, country of new pilots); returns ``options_for(upload)``, which adds the column mapping."""
    with st.expander(_("Options"), icon=":material/tune:"):
        left, right = st.columns(2)
        pilot = left.selectbox(
            _("Pilot for rows that name none"),
            [None, *names],
            format_func={None: _("— named in the file —"), **names}.get,
            key="upload_pilot",
        )
        separator = right.text_input(
            _("Separator inside cells with several values"), value=";", max_chars=3, key="upload_separator"
        )
        date_order = left.radio(
            _("Dates like 04/05/2021 are"),
            list(DATE_ORDERS),
            format_func={"DMY": _("day first (4 May)"), "MDY": _("month first (April 5)")}.get,
            horizontal=True,
            key="upload_dates",
        )
        skip_invalid = right.checkbox(_("Import the valid rows and set the others aside"), key="upload_skip")
        remove_missing = left.checkbox(
            _("Remove the pilot's rows that the file no longer has"),
            key="upload_remove",
            help=_(
                "For a complete, revised summary: lessons, stakeholders or ties missing from an uploaded sheet are "
                "removed. The preview shows them first."
            ),
        )
        country = (
            right.text_input(_("Country of new pilots (administrators)"), max_chars=2, key="upload_country")
            if can(actor, "pilot.create")
            else ""
        )
    two_mode = st.checkbox(_("This file is an affiliation list (two-mode)"), key="upload_two_mode")

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
    st.subheader(_("Preview"), anchor=False)
    preview(outcome.plan)
    if outcome.prepared.rejected:
        st.download_button(
            _("Download the rows set aside (CSV)"),
            rejected_csv(outcome.prepared),
            file_name="rejected-rows.csv",
            key="upload_rejected",
        )
    if st.button(
        _("Commit this upload"),
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
    chosen = left.selectbox(_("Upload to undo"), choices, key="upload_undo_pick")
    if right.button(_("Undo this upload"), key="upload_undo", icon=":material/undo:"):
        done = _("Upload {upload} undone: its pilots are as they were before it.").format(upload=chosen)
        if auth.write(path, undo_upload, actor, chosen, success=done):
            st.session_state.pop("upload_done", None)
