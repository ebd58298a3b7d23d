"""Upload pilot summary: template, files, column mapping, every problem at once, preview, commit, undo."""

import streamlit as st

from components import auth, loaders
from components.upload_views import history, mapping_editor, preview, problems_table, read_and_check
from lessons.ingest.changes import undo_upload
from lessons.ingest.pipeline import rejected_csv, run_import
from lessons.ingest.validate import Options
from lessons.permissions import can

path = loaders.db_path()
st.title("Upload pilot summary")
actor = auth.require_actor(path, "upload your pilot's summary")
targets = loaders.load_editable_pilots(path, actor)
if targets.empty and not can(actor, "pilot.create") and not can(actor, "model.edit"):
    st.info("Your account may not upload into any pilot. An administrator assigns pilots to coordinators.")
    st.stop()
st.download_button(
    "Download the template (XLSX)", loaders.load_template(path, loaders.data_version(path, "lessons")),
    file_name="pilot-summary-template.xlsx", icon=":material/download:", key="upload_template",
)  # fmt: skip
names = dict(zip(targets["slug"], targets["name"] + " (" + targets["country"] + ")"))
round_ = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    "Pilot summary files", type=["xlsx", "csv", "zip", "json", "graphml", "gexf", "tsv", "txt"],
    accept_multiple_files=True, key=f"upload_files_{round_}",
    help="The template workbook, CSV files named after its sheets (or a ZIP of them), JSON, GraphML or GEXF.",
)  # fmt: skip
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


def options_for(upload) -> Options:
    mapping, defaults = mapping_editor(upload, key="upload")
    return Options(
        pilot=pilot, mapping=mapping, separator=separator or ";", date_order=date_order, skip_invalid=skip_invalid,
        country=country.upper() or None, defaults=defaults, remove_missing=remove_missing,
    )  # fmt: skip


data = [(f.name, f.getvalue()) for f in files or []]
checked = read_and_check(path, actor, data, options_for) if data else None
if checked:
    options, outcome = checked
    if outcome.problems:
        problems_table(outcome.problems, key="upload")
    if outcome.plan is not None and (skip_invalid or not outcome.errors):
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
            bar = st.progress(0.0, text="Starting")
            done = auth.write(
                path, run_import, actor, data, options, progress=lambda f, m: bar.progress(min(f, 1.0), text=m)
            )
            if done:
                st.session_state["upload_round"] = round_ + 1
                st.session_state["upload_done"] = done.upload_id
                st.rerun()
if st.session_state.get("upload_done"):
    st.success(
        f"Upload {st.session_state['upload_done']} committed. You can undo it below.", icon=":material/check_circle:"
    )
st.subheader("Uploads", anchor=False)
uploads = loaders.load_uploads(path, actor)
st.dataframe(history(uploads), hide_index=True, width="stretch")
undoable = [u["id"] for u in uploads if u["status"] == "applied" and u["format"] not in ("demo", "synthetic")]
if undoable:
    left, right = st.columns([2, 1])
    chosen = left.selectbox("Upload to undo", undoable, key="upload_undo_pick")
    if right.button("Undo this upload", key="upload_undo", icon=":material/undo:"):
        if auth.write(
            path, undo_upload, actor, chosen, success=f"Upload {chosen} undone: its pilots are as they were before it."
        ):
            st.session_state.pop("upload_done", None)
