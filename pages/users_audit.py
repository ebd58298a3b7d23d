"""Users and audit (administrators): accounts and roles, and who changed what, when."""

from datetime import date, timedelta

import streamlit as st

from components import auth, loaders
from components.editors import account_form
from components.widgets import readable, safe
from lessons.accounts import add_user, remove_user, set_password, update_user
from lessons.exports import to_csv
from lessons.i18n import N_, _, ngettext, number, pgettext
from lessons.permissions import can

path = loaders.db_path()
#: The audit log's kinds of action, by the code its entries start with.
ACTIONS = {
    "": N_("everything"), "signin": N_("signing in"), "user": N_("accounts"), "pilot": N_("pilots"),
    "lesson": N_("lessons"), "workshop": N_("workshops"), "demo": N_("demo data"), "theme": N_("themes"),
    "crosswalk": N_("crosswalk"), "model": N_("governance models"),
}  # fmt: skip

st.title(_("Users and audit"))
actor = auth.require_actor(path, _("Sign in (in the sidebar) to manage accounts and read the audit log."))
if not can(actor, "user.manage"):
    st.info(_("Only administrators manage accounts and read the audit log."))
    st.stop()

pilots = loaders.load_overview(path, loaders.data_version(path), audience=auth.audience(path))["pilots"]
accounts_tab, audit_tab = st.tabs([_("Accounts"), _("Audit log")])
with accounts_tab:
    users = loaders.load_users(path, actor)
    accounts = readable(
        users,
        {
            "username": _("User name"), "display_name": _("Name"), "email": _("E-mail"), "role": _("Role"),
            "active": _("Active"), "pilots": _("Pilots"), "created_at": _("Created"),
            "last_login_at": _("Last signed in"),
        },
    )  # fmt: skip
    st.dataframe(
        accounts, hide_index=True, width="stretch", column_config={_("Active"): st.column_config.CheckboxColumn()}
    )
    with st.expander(_("Add an account"), icon=":material/person_add:"):
        new = account_form(pilots, key="users")
        if new is not None:
            password = new.pop("password")
            auth.write(path, add_user, actor, new.pop("username"), password, **new, success=_("Account created."))
    with st.expander(_("Change or remove an account"), icon=":material/manage_accounts:"):
        name = st.selectbox(_("Account"), users["username"], key="users_pick")
        user = users.set_index("username").loc[name].to_dict() | {"username": name}
        changes = account_form(pilots, key="users", user=user)
        if changes is not None:
            password = changes.pop("password")
            if auth.write(path, update_user, actor, name, **changes, success=_("Changes saved.")) and password:
                auth.write(path, set_password, actor, name, password, success=_("Password changed."))
        confirm = st.checkbox(_("Yes, remove the account {name}").format(name=safe(name)), key="users_confirm_remove")
        if st.button(_("Remove account"), key="users_remove", disabled=not confirm, icon=":material/person_remove:"):
            removed = _("{name} removed; the audit log keeps its history.").format(name=safe(name))
            auth.write(path, remove_user, actor, name, success=removed)
with audit_tab:
    left, middle, right = st.columns([2, 1, 1])
    dates = left.date_input(
        _("Between"), value=(date.today() - timedelta(days=30), date.today()), key="audit_dates", format="YYYY-MM-DD"
    )
    who = middle.text_input(pgettext("audit log", "Who"), key="audit_who", placeholder=_("user name"))
    action = right.selectbox(
        pgettext("audit log", "What"), list(ACTIONS), format_func={a: _(label) for a, label in ACTIONS.items()}.get, key="audit_action",
    )  # fmt: skip
    entries = loaders.load_audit(
        path, actor, since=dates[0] if dates else None, until=dates[1] if len(dates) > 1 else None,
        who=who.strip() or None, action=action or None,
    )  # fmt: skip
    st.caption(
        ngettext("{n} entry, newest first", "{n} entries, newest first", len(entries)).format(n=number(len(entries)))
    )
    shown = (
        entries.assign(object_type=entries["object_type"].str.replace("_", " "))
        if "object_type" in entries
        else entries
    )
    log = readable(
        shown,
        {
            "id": _("Entry"), "at": _("When"), "actor": pgettext("audit log", "Who"),
            "action": pgettext("audit log", "What"), "object_type": _("On"),
            "object_id": _("Which"), "rows": _("Rows"), "detail": _("Detail"),
        },
    )  # fmt: skip
    st.dataframe(log, hide_index=True, width="stretch")
    st.download_button(
        _("Download as CSV"), to_csv(entries), file_name="audit-log.csv", mime="text/csv", key="audit_csv",
        icon=":material/download:", disabled=entries.empty,
    )  # fmt: skip
