"""Upload pilot summary: template, files, column mapping, every problem at once, preview, commit, undo."""

import streamlit as st

from components import auth, loaders
from components import upload_views as views
from components.language import current as current_language
from lessons.i18n import _
from lessons.permissions import can

path = loaders.db_path()
st.title(_("Upload pilot summary"))
actor = auth.require_actor(path, _("Sign in (in the sidebar) to upload your pilot's summary."))
targets = loaders.load_editable_pilots(path, actor)
if targets.empty and not can(actor, "pilot.create") and not can(actor, "model.edit"):
    st.info(_("Your account may not upload into any pilot. An administrator assigns pilots to coordinators."))
    st.stop()
lang = current_language()  # the template's help and instructions are written in the reader's language
st.download_button(
    _("Download the template (XLSX)"), views.load_template(path, loaders.data_version(path, "lessons"), lang),
    file_name="pilot-summary-template.xlsx", icon=":material/download:", key="upload_template",
)  # fmt: skip
names = dict(zip(targets["slug"], targets["name"] + " (" + targets["country"] + ")"))
round_ = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    _("Pilot summary files"), type=["xlsx", "csv", "gz", "zip", "json", "graphml", "gexf", "tsv", "txt"],
    accept_multiple_files=True, key=f"upload_files_{round_}",
    help=_(
        "The template workbook, CSV files named after its sheets (or a ZIP of them, or .csv.gz), edge and node lists, "
        "JSON, GraphML or GEXF."
    ),
)  # fmt: skip
options_for = views.options_form(actor, names, path)
data = [(f.name, f.getvalue()) for f in files or []]
checked = views.read_and_check(path, actor, data, options_for) if data else None
if checked:
    views.commit_section(path, actor, data, *checked)
if st.session_state.get("upload_done"):
    st.success(
        _("Upload {upload} committed. You can undo it below.").format(upload=st.session_state["upload_done"]),
        icon=":material/check_circle:",
    )
st.subheader(_("Uploads"), anchor=False)
uploads = views.load_uploads(path, actor)
st.dataframe(views.history(uploads), hide_index=True, width="stretch")
views.undo_section(path, actor, uploads)
