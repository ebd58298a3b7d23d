"""The Vocabularies page's pieces (themes, tie types, crosswalk, methodology import) and the pilot-deletion
confirmation and undo on *Edit pilot data*. They gather values and pass them to the domain, which checks and writes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth, loaders
from components.widgets import readable, safe
from lessons.editing import EditError, map_methodology_step, save_theme
from lessons.i18n import N_, _, moment, ngettext, number, pgettext
from lessons.methodologies import ImportRefused, commit_import, unzip
from lessons.pilot_archive import delete_pilot, restore_pilot
from lessons.vocabularies import merge_theme, rename_relation, retire_theme

NEW = N_("— a new theme —")  # the chooser's value for a new theme; shown through _()


def _labels(frame: pd.DataFrame, key: str, label: str) -> dict[str, str]:
    return dict(zip(frame[key], frame[label]))


def themes_editor(path: str, actor, themes: pd.DataFrame) -> None:
    """The theme table; add, rename or describe a theme; retire or restore it; merge one into another."""
    shown = themes.assign(name=themes["name"].map(_), description=themes["description"].map(_, na_action="ignore"))
    st.dataframe(
        readable(
            shown,
            {
                "code": _("Code"), "name": _("Name"), "description": _("Description"), "controlled": _("Controlled"),
                "retired": _("Retired"), "lessons": _("Lessons"),
            },
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    names = _labels(shown, "code", "name")  # in the reader's language; the store keeps its own
    with st.form("vocab_theme_form"):
        st.markdown(_("**Add a theme, or rename or describe one**"))
        code = st.selectbox(
            _("Theme"), [NEW, *names], format_func={NEW: _(NEW), **names}.get,
            key="vocab_theme_pick",
        )  # fmt: skip
        new_code = st.text_input(_("Code of a new theme"), key="vocab_theme_code", help=_("e.g. housing-first"))
        name = st.text_input(_("Name"), key="vocab_theme_name")
        description = st.text_area(_("Description"), key="vocab_theme_description")
        if st.form_submit_button(_("Save theme"), type="primary"):
            chosen = new_code.strip() if code == NEW else code
            current = themes.set_index("code").to_dict("index").get(chosen, {})
            auth.write(
                path, save_theme, actor, chosen, name.strip() or current.get("name") or "",
                description.strip() or current.get("description"), success=_("Theme saved."),
            )  # fmt: skip
    left, right = st.columns(2)
    with left.form("vocab_retire_form"):
        st.markdown(_("**Retire a theme** (lessons keep it)"))
        code = st.selectbox(_("Theme"), list(names), format_func=names.get, key="vocab_retire_pick")
        retired = bool(themes.set_index("code")["retired"].get(code, 0)) if code else False
        if st.form_submit_button(_("Bring back") if retired else _("Retire")):
            auth.write(path, retire_theme, actor, code, not retired, success=_("Done."))
    with right.form("vocab_merge_form"):
        st.markdown(_("**Merge a theme or free tag into another**"))
        tags = themes.sort_values("controlled")["code"].tolist()
        source = st.selectbox(_("Merge"), tags, format_func=names.get, key="vocab_merge_source")
        target = st.selectbox(_("Into"), list(names), format_func=names.get, key="vocab_merge_target")
        if st.form_submit_button(pgettext("verb", "Merge")):
            moved = auth.write(path, merge_theme, actor, source, target)
            if moved is not None:
                st.success(
                    ngettext(
                        "Merged: {n} lesson now carries {theme}.", "Merged: {n} lessons now carry {theme}.", moved
                    ).format(n=number(moved), theme=safe(names.get(target, target)))
                )


def relations_editor(path: str, actor, relations: pd.DataFrame) -> None:
    """Tie relation types in use, and renaming one across every tie."""
    st.caption(_("Relation types are free text on ties; renaming one changes every tie that uses it."))
    st.dataframe(
        readable(relations, {"relation": _("Relation type"), "ties": _("Ties"), "pilots": _("Pilots")}),
        hide_index=True,
        width="stretch",
    )
    if relations.empty:
        return
    with st.form("vocab_relation_form"):
        old = st.selectbox(_("Relation type"), relations["relation"].tolist(), key="vocab_relation_pick")
        new = st.text_input(_("New name"), key="vocab_relation_new")
        if st.form_submit_button(_("Rename"), type="primary"):
            count = auth.write(path, rename_relation, actor, old, new)
            if count is not None:
                st.success(
                    ngettext("Renamed on {n} tie.", "Renamed on {n} ties.", count).format(n=number(count)),
                    icon=":material/check_circle:",
                )


def _phase_choices(phases: pd.DataFrame, mapping: dict[int, str], steps: list[tuple[int, str]], key: str) -> dict:
    labels = _labels(phases, "code", "name")
    codes = list(labels)
    return {
        position: st.selectbox(
            f"{position}. {name}", codes, index=codes.index(mapping[position]) if mapping.get(position) in codes else 0,
            format_func={c: _(label) for c, label in labels.items()}.get,
            key=f"{key}_{position}",
        )
        for position, name in steps
    }  # fmt: skip


def crosswalk_editor(path: str, actor, crosswalk: pd.DataFrame, phases: pd.DataFrame) -> None:
    """Each methodology's steps and the shared phase each maps to; change the mapping of one methodology."""
    crosswalk = crosswalk.assign(**{c: crosswalk[c].map(_) for c in ("methodology_name", "step", "phase_name")})
    st.dataframe(
        readable(
            crosswalk,
            {
                "methodology_name": _("Methodology"), "position": _("Step number"), "step": _("Step"),
                "phase_name": _("Shared phase"),
            },
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    methods = dict(zip(crosswalk["methodology"], crosswalk["methodology_name"]))
    if not methods:
        return
    method = st.selectbox(_("Methodology"), list(methods), format_func=methods.get, key="vocab_crosswalk_pick")
    rows = crosswalk[crosswalk["methodology"] == method]
    with st.form(f"vocab_crosswalk_form_{method}"):
        current = dict(zip(rows["position"], rows["phase"]))
        chosen = _phase_choices(phases, current, list(zip(rows["position"], rows["step"])), f"vocab_step_{method}")
        if st.form_submit_button(_("Save mapping"), type="primary"):
            changed = [p for p in chosen if chosen[p] != current[p]]
            for position in changed:
                if auth.write(path, map_methodology_step, actor, method, int(position), chosen[position]) is None:
                    break
            else:
                loaders.clear_all()
                st.success(
                    ngettext("Saved: {n} step changed.", "Saved: {n} steps changed.", len(changed)).format(
                        n=number(len(changed))
                    ),
                    icon=":material/check_circle:",
                )


def _uploaded_files(uploads) -> dict[str, bytes]:
    """Uploaded JSON files (metadata.json and phase files) or one zip, by name relative to the schema folder."""
    if len(uploads) == 1 and uploads[0].name.lower().endswith(".zip"):
        return unzip(uploads[0].getvalue(), uploads[0].name)
    return {(u.name if u.name == "metadata.json" else f"phases/{u.name}"): u.getvalue() for u in uploads}


def _refusal(refused: ImportRefused) -> None:
    count = len(refused.problems)
    st.error(
        ngettext("Nothing was written: {n} problem.", "Nothing was written: {n} problems.", count).format(
            n=number(count)
        ),
        icon=":material/error:",
    )
    for file, where, cause, fix in refused.problems:
        st.markdown(
            "- "
            + _("{file} · {where}: {cause}. Fix: {fix}.").format(
                file=safe(file), where=safe(where), cause=safe(cause), fix=safe(fix)
            )
        )


def _import(db, actor, methodology, mapping, *, replace):
    try:
        return commit_import(db, actor, methodology, mapping, replace=replace)
    except ImportRefused as refused:
        raise EditError(" ".join(f"{w}: {c}. Fix: {x}." for _, w, c, x in refused.problems)) from None


def methodology_import(path: str, actor, phases: pd.DataFrame) -> None:
    """Upload a published process description (an INTERLINK co-production schema), map its steps, import it."""
    st.caption(
        _(
            "An INTERLINK co-production schema: its metadata.json with the phase files (phases/*.json), or the "
            "schema folder as one zip. Each of its phases becomes a step; check the suggested shared phase of each."
        )
    )
    uploads = st.file_uploader(
        _("Schema files"), type=["json", "zip"], accept_multiple_files=True, key="vocab_import_files"
    )
    if not uploads:
        return
    try:
        files = _uploaded_files(uploads)
        methodology, mapping = loaders.check_methodology(path, files, uploads[0].name)
    except ImportRefused as refused:
        _refusal(refused)
        return
    steps_count = ngettext("{n} step", "{n} steps", len(methodology.steps)).format(n=number(len(methodology.steps)))
    st.markdown(f"**{safe(methodology.name)}** · {steps_count}")
    with st.form("vocab_import_form"):
        code = st.text_input(_("Code"), value=methodology.code, key="vocab_import_code")
        steps = [(s.position, s.name) for s in methodology.steps]
        chosen = _phase_choices(phases, mapping, steps, "vocab_import_step")
        replace = st.checkbox(
            _("Replace the steps of an existing methodology with this code"), key="vocab_import_replace"
        )
        if st.form_submit_button(_("Import methodology"), type="primary"):
            methodology.code = code.strip()
            written = auth.write(path, _import, actor, methodology, chosen, replace=replace)
            if written is not None:
                loaders.clear_all()
                st.success(
                    ngettext("Imported {code} with {n} step.", "Imported {code} with {n} steps.", written).format(
                        code=safe(methodology.code), n=number(written)
                    ),
                    icon=":material/check_circle:",
                )


def pilot_deletion(path: str, actor, pilot: dict) -> None:
    """The confirmation for deleting a pilot: what goes with it, the slug typed to confirm, then the deletion."""
    summary, _unused = loaders.load_deletion(path, pilot["id"])
    n = summary
    counted = {
        "lessons": ngettext("{n} lesson", "{n} lessons", n["lessons"]),
        "stakeholders": ngettext("{n} stakeholder", "{n} stakeholders", n["stakeholders"]),
        "ties": ngettext("{n} tie", "{n} ties", n["ties"]),
        "links": ngettext("{n} link", "{n} links", n["links"]),
        "accounts": ngettext("{n} coordinator assignment", "{n} coordinator assignments", n["accounts"]),
        "uploads": ngettext("{n} upload", "{n} uploads", n["uploads"]),
        "statements": ngettext("{n} workshop statement", "{n} workshop statements", n["statements"]),
        "participants": ngettext("{n} workshop participant", "{n} workshop participants", n["participants"]),
    }
    counted = {name: text.format(n=number(n[name])) for name, text in counted.items()}
    with st.expander(_("Delete this pilot"), icon=":material/delete_forever:"):
        st.warning(
            _(
                "Deleting {pilot} removes its {lessons}, {stakeholders}, {ties} and {links} of its lessons to themes, "
                "groups, stakeholders and model elements, and {accounts}. Kept, but without the link to it: "
                "{uploads}, {statements} drawn from its lessons and {participants}. The deletion is recorded in the "
                "audit log and an administrator can undo it."
            ).format(pilot=safe(pilot["name"]), **counted),
            icon=":material/warning:",
        )
        typed = st.text_input(
            _("Type the pilot's slug, {slug}, to confirm").format(slug=safe(pilot["slug"])),
            key="pilotdata_delete_slug",
        )
        if st.button(
            _("Delete pilot"), key="pilotdata_delete", type="primary", disabled=typed.strip() != pilot["slug"],
            icon=":material/delete_forever:",
        ):  # fmt: skip
            rows = auth.write(path, delete_pilot, actor, pilot["id"], confirm_slug=typed)
            if rows is not None:
                st.success(
                    ngettext(
                        "Deleted {pilot} ({n} row). You can undo it below.",
                        "Deleted {pilot} ({n} rows). You can undo it below.",
                        rows,
                    ).format(pilot=safe(pilot["slug"]), n=number(rows))
                )


def deletion_undo(path: str, actor) -> None:
    """Deleted pilots that can be restored, each with an Undo button."""
    _unused, deleted = loaders.load_deletion(path)
    if not deleted:
        return
    with st.expander(
        _("Deleted pilots ({count})").format(count=number(len(deleted))), icon=":material/restore_from_trash:"
    ):
        for entry in deleted:
            st.markdown(
                ngettext(
                    "{name} ({slug}) · {n} row · deleted {when} by {who}",
                    "{name} ({slug}) · {n} rows · deleted {when} by {who}",
                    entry["rows"],
                ).format(
                    name=safe(entry["name"]), slug=safe(entry["slug"]), n=number(entry["rows"]),
                    when=safe(moment(entry["deleted_at"])), who=safe(entry["deleted_by"]),
                )
            )  # fmt: skip
            if st.button(_("Undo deletion"), key=f"pilotdata_undo_{entry['id']}", icon=":material/undo:"):
                rows = auth.write(path, restore_pilot, actor, entry["id"])
                if rows is not None:
                    st.success(
                        ngettext("Restored {pilot} ({n} row).", "Restored {pilot} ({n} rows).", rows).format(
                            pilot=safe(entry["slug"]), n=number(rows)
                        ),
                        icon=":material/check_circle:",
                    )
