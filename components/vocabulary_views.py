"""The Vocabularies page's pieces (themes, tie types, crosswalk, methodology import) and the pilot-deletion
confirmation and undo on *Edit pilot data*. They gather values and pass them to the domain, which checks and writes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth, loaders
from components.widgets import readable, safe
from lessons.editing import EditError, map_methodology_step, save_theme
from lessons.methodologies import ImportRefused, commit_import, unzip
from lessons.pilot_archive import delete_pilot, restore_pilot
from lessons.vocabularies import merge_theme, rename_relation, retire_theme

NEW = "— a new theme —"


def _labels(frame: pd.DataFrame, key: str, label: str) -> dict[str, str]:
    return dict(zip(frame[key], frame[label]))


def themes_editor(path: str, actor, themes: pd.DataFrame) -> None:
    """The theme table; add, rename or describe a theme; retire or restore it; merge one into another."""
    st.dataframe(themes, hide_index=True, width="stretch")
    names = _labels(themes, "code", "name")
    with st.form("vocab_theme_form"):
        st.markdown("**Add a theme, or rename or describe one**")
        code = st.selectbox("Theme", [NEW, *names], format_func=lambda c: names.get(c, c), key="vocab_theme_pick")
        new_code = st.text_input("Code of a new theme", key="vocab_theme_code", help="e.g. housing-first")
        name = st.text_input("Name", key="vocab_theme_name")
        description = st.text_area("Description", key="vocab_theme_description")
        if st.form_submit_button("Save theme", type="primary"):
            chosen = new_code.strip() if code == NEW else code
            current = themes.set_index("code").to_dict("index").get(chosen, {})
            auth.write(
                path, save_theme, actor, chosen, name.strip() or current.get("name") or "",
                description.strip() or current.get("description"), success="Theme saved.",
            )  # fmt: skip
    left, right = st.columns(2)
    with left.form("vocab_retire_form"):
        st.markdown("**Retire a theme** (lessons keep it)")
        code = st.selectbox("Theme", list(names), format_func=names.get, key="vocab_retire_pick")
        retired = bool(themes.set_index("code")["retired"].get(code, 0)) if code else False
        if st.form_submit_button("Bring back" if retired else "Retire"):
            auth.write(path, retire_theme, actor, code, not retired, success="Done.")
    with right.form("vocab_merge_form"):
        st.markdown("**Merge a theme or free tag into another**")
        tags = themes.sort_values("controlled")["code"].tolist()
        source = st.selectbox("Merge", tags, format_func=names.get, key="vocab_merge_source")
        target = st.selectbox("Into", list(names), format_func=names.get, key="vocab_merge_target")
        if st.form_submit_button("Merge"):
            moved = auth.write(path, merge_theme, actor, source, target)
            if moved is not None:
                st.success(f"Merged: {moved} lesson(s) now carry {safe(names.get(target, target))}.")


def relations_editor(path: str, actor, relations: pd.DataFrame) -> None:
    """Tie relation types in use, and renaming one across every tie."""
    st.caption("Relation types are free text on ties; renaming one changes every tie that uses it.")
    st.dataframe(relations, hide_index=True, width="stretch")
    if relations.empty:
        return
    with st.form("vocab_relation_form"):
        old = st.selectbox("Relation type", relations["relation"].tolist(), key="vocab_relation_pick")
        new = st.text_input("New name", key="vocab_relation_new")
        if st.form_submit_button("Rename", type="primary"):
            count = auth.write(path, rename_relation, actor, old, new)
            if count is not None:
                st.success(f"Renamed on {count} tie(s).", icon=":material/check_circle:")


def _phase_choices(phases: pd.DataFrame, mapping: dict[int, str], steps: list[tuple[int, str]], key: str) -> dict:
    labels = _labels(phases, "code", "name")
    codes = list(labels)
    return {
        position: st.selectbox(
            f"{position}. {name}", codes, index=codes.index(mapping[position]) if mapping.get(position) in codes else 0,
            format_func=labels.get, key=f"{key}_{position}",
        )
        for position, name in steps
    }  # fmt: skip


def crosswalk_editor(path: str, actor, crosswalk: pd.DataFrame, phases: pd.DataFrame) -> None:
    """Each methodology's steps and the shared phase each maps to; change the mapping of one methodology."""
    st.dataframe(
        readable(
            crosswalk,
            {
                "methodology_name": "Methodology", "position": "Step number", "step": "Step",
                "phase_name": "Shared phase",
            },
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    methods = dict(zip(crosswalk["methodology"], crosswalk["methodology_name"]))
    if not methods:
        return
    method = st.selectbox("Methodology", list(methods), format_func=methods.get, key="vocab_crosswalk_pick")
    rows = crosswalk[crosswalk["methodology"] == method]
    with st.form(f"vocab_crosswalk_form_{method}"):
        current = dict(zip(rows["position"], rows["phase"]))
        chosen = _phase_choices(phases, current, list(zip(rows["position"], rows["step"])), f"vocab_step_{method}")
        if st.form_submit_button("Save mapping", type="primary"):
            changed = [p for p in chosen if chosen[p] != current[p]]
            for position in changed:
                if auth.write(path, map_methodology_step, actor, method, int(position), chosen[position]) is None:
                    break
            else:
                loaders.clear_all()
                st.success(f"Saved: {len(changed)} step(s) changed.", icon=":material/check_circle:")


def _uploaded_files(uploads) -> dict[str, bytes]:
    """Uploaded JSON files (metadata.json and phase files) or one zip, by name relative to the schema folder."""
    if len(uploads) == 1 and uploads[0].name.lower().endswith(".zip"):
        return unzip(uploads[0].getvalue(), uploads[0].name)
    return {(u.name if u.name == "metadata.json" else f"phases/{u.name}"): u.getvalue() for u in uploads}


def _refusal(refused: ImportRefused) -> None:
    st.error(f"Nothing was written: {len(refused.problems)} problem(s).", icon=":material/error:")
    for file, where, cause, fix in refused.problems:
        st.markdown(f"- {safe(file)} · {safe(where)}: {safe(cause)}. Fix: {safe(fix)}.")


def _import(db, actor, methodology, mapping, *, replace):
    try:
        return commit_import(db, actor, methodology, mapping, replace=replace)
    except ImportRefused as refused:
        raise EditError(" ".join(f"{w}: {c}. Fix: {x}." for _, w, c, x in refused.problems)) from None


def methodology_import(path: str, actor, phases: pd.DataFrame) -> None:
    """Upload a published process description (an INTERLINK co-production schema), map its steps, import it."""
    st.caption(
        "An INTERLINK co-production schema: its metadata.json with the phase files (phases/*.json), or the schema "
        "folder as one zip. Each of its phases becomes a step; check the suggested shared phase of each."
    )
    uploads = st.file_uploader(
        "Schema files", type=["json", "zip"], accept_multiple_files=True, key="vocab_import_files"
    )
    if not uploads:
        return
    try:
        files = _uploaded_files(uploads)
        methodology, mapping = loaders.check_methodology(path, files, uploads[0].name)
    except ImportRefused as refused:
        _refusal(refused)
        return
    st.markdown(f"**{safe(methodology.name)}** · {len(methodology.steps)} steps")
    with st.form("vocab_import_form"):
        code = st.text_input("Code", value=methodology.code, key="vocab_import_code")
        steps = [(s.position, s.name) for s in methodology.steps]
        chosen = _phase_choices(phases, mapping, steps, "vocab_import_step")
        replace = st.checkbox("Replace the steps of an existing methodology with this code", key="vocab_import_replace")
        if st.form_submit_button("Import methodology", type="primary"):
            methodology.code = code.strip()
            written = auth.write(path, _import, actor, methodology, chosen, replace=replace)
            if written is not None:
                loaders.clear_all()
                st.success(f"Imported {safe(methodology.code)} with {written} steps.", icon=":material/check_circle:")


def pilot_deletion(path: str, actor, pilot: dict) -> None:
    """The confirmation for deleting a pilot: what goes with it, the slug typed to confirm, then the deletion."""
    summary, _ = loaders.load_deletion(path, pilot["id"])
    with st.expander("Delete this pilot", icon=":material/delete_forever:"):
        st.warning(
            f"Deleting {safe(pilot['name'])} removes its {summary['lessons']} lesson(s), {summary['stakeholders']} "
            f"stakeholder(s), {summary['ties']} tie(s) and {summary['links']} link(s) of its lessons to themes, "
            f"groups, stakeholders and model elements, and {summary['accounts']} coordinator assignment(s). "
            f"Kept, but without the link to it: {summary['uploads']} upload(s), {summary['statements']} workshop "
            f"statement(s) drawn from its lessons and {summary['participants']} workshop participant(s). "
            "The deletion is recorded in the audit log and an administrator can undo it.",
            icon=":material/warning:",
        )
        typed = st.text_input(f"Type the pilot's slug, {safe(pilot['slug'])}, to confirm", key="pilotdata_delete_slug")
        if st.button(
            "Delete pilot", key="pilotdata_delete", type="primary", disabled=typed.strip() != pilot["slug"],
            icon=":material/delete_forever:",
        ):  # fmt: skip
            rows = auth.write(path, delete_pilot, actor, pilot["id"], confirm_slug=typed)
            if rows is not None:
                st.success(f"Deleted {safe(pilot['slug'])} ({rows} rows). You can undo it below.")


def deletion_undo(path: str, actor) -> None:
    """Deleted pilots that can be restored, each with an Undo button."""
    _, deleted = loaders.load_deletion(path)
    if not deleted:
        return
    with st.expander(f"Deleted pilots ({len(deleted)})", icon=":material/restore_from_trash:"):
        for entry in deleted:
            st.markdown(
                f"{safe(entry['name'])} ({safe(entry['slug'])}) · {entry['rows']} rows · deleted "
                f"{safe(entry['deleted_at'])} by {safe(entry['deleted_by'])}"
            )
            if st.button("Undo deletion", key=f"pilotdata_undo_{entry['id']}", icon=":material/undo:"):
                rows = auth.write(path, restore_pilot, actor, entry["id"])
                if rows is not None:
                    st.success(f"Restored {safe(entry['slug'])} ({rows} rows).", icon=":material/check_circle:")
