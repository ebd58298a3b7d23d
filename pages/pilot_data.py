"""Edit pilot data: a coordinator corrects their own pilots' facts and lessons; admins any pilot."""

import streamlit as st

from components import auth, loaders
from components.editors import changed_fields, lesson_form, pilot_facts_form, status_change_form
from components.vocabulary_views import deletion_undo, pilot_deletion
from lessons.editing import update_lesson, update_pilot
from lessons.i18n import _, number
from lessons.lifecycle import change_status
from lessons.permissions import can

path = loaders.db_path()
st.title(_("Edit pilot data"))
actor = auth.require_actor(
    path, _("Sign in (in the sidebar) to correct the facts and lessons of the pilots you coordinate.")
)
pilots = loaders.load_editable_pilots(path, actor)
if can(actor, "pilot.delete"):
    deletion_undo(path, actor)
if pilots.empty:
    st.info(_("Your account may not change any pilot. An administrator assigns pilots to coordinators."))
    st.stop()

names = dict(zip(pilots["id"], pilots["name"] + " (" + pilots["country"] + ")"))
pilot_id = st.selectbox(_("Pilot"), list(names), format_func=names.get, key="pilotdata_pilot")
version = loaders.data_version(path, "lessons")
audience = auth.audience(path)
vocab = loaders.load_vocabularies(path, version)
pilot, lessons = loaders.load_pilot(path, version, pilot_id, audience=audience)

facts_tab, lessons_tab = st.tabs([_("Pilot facts"), _("Lessons ({count})").format(count=number(len(lessons)))])
with facts_tab:
    values = pilot_facts_form(pilot, vocab, key="pilotdata")
    if values is not None:
        changed = auth.write(path, update_pilot, actor, pilot_id, **values)
        if changed is not None:
            st.session_state["pilotdata_saved"] = changed_fields(changed)
            if changed:  # the values before, to put back with one click (the audit log keeps both)
                before = {k: d["before"] for k, d in changed.items()}
                st.session_state["pilotdata_undo"] = {"pilot": pilot_id, "before": before}
            st.rerun()  # the form again, filled with what is stored now
    if saved := st.session_state.pop("pilotdata_saved", None):
        st.success(saved, icon=":material/check_circle:")
    undo = st.session_state.get("pilotdata_undo")
    if undo and undo["pilot"] == pilot_id:
        if st.button(_("Undo the last change to these facts"), key="pilotdata_facts_undo", icon=":material/undo:"):
            if auth.write(path, update_pilot, actor, pilot_id, **undo["before"]) is not None:
                st.session_state.pop("pilotdata_undo", None)
                st.session_state["pilotdata_undone"] = True
                st.rerun()
    if st.session_state.pop("pilotdata_undone", None):
        st.success(_("The last change is undone: the facts are as they were before it."), icon=":material/undo:")
with lessons_tab:
    if lessons.empty:
        st.info(_("This pilot has no lessons yet."))
    else:
        titles = dict(zip(lessons["id"], lessons["key"] + " · " + lessons["title"]))
        lesson_id = st.selectbox(_("Lesson"), list(titles), format_func=titles.get, key="pilotdata_lesson")
        lesson = loaders.load_lesson(path, version, lesson_id, audience=audience)
        actors = loaders.load_pilot_actors(path, version, lesson["pilot"], audience=audience)
        submitted = lesson_form(lesson, vocab, key="pilotdata", actors=actors)
        if submitted is not None:
            fields, themes, groups, keys = submitted
            changed = auth.write(
                path, update_lesson, actor, lesson_id, themes=themes, groups=groups, stakeholders=keys, **fields
            )
            if changed is not None:
                st.session_state["pilotdata_lesson_saved"] = changed_fields(changed)
                st.rerun()  # the form again, filled with what is stored now
        if saved := st.session_state.pop("pilotdata_lesson_saved", None):
            st.success(saved, icon=":material/check_circle:")
        if st.session_state.pop("pilotdata_status_done", None):
            st.success(_("The lesson's status is changed and recorded."), icon=":material/check_circle:")
        change = status_change_form(lesson, loaders.load_status_changes(path, actor, lesson_id), key="pilotdata")
        if change is not None and auth.write(path, change_status, actor, lesson_id, **change) is not None:
            st.session_state["pilotdata_status_done"] = True
            st.rerun()  # show the new status and the changes it now allows
if can(actor, "pilot.delete"):
    pilot_deletion(path, actor, pilot)
