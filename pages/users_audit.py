"""Users and audit (administrators): accounts and roles, and who changed what, when."""

from datetime import date, timedelta

import streamlit as st

from components import auth, loaders
from components.editors import account_form
from components.widgets import readable, safe
from lessons.accounts import add_user, remove_user, set_password, update_user
from lessons.exports import to_csv
from lessons.permissions import can

path = loaders.db_path()
st.title("Users and audit")
actor = auth.require_actor(path, "manage accounts and read the audit log")
if not can(actor, "user.manage"):
    st.info("Only administrators manage accounts and read the audit log.")
    st.stop()

pilots = loaders.load_overview(path, loaders.data_version(path), audience=auth.audience(path))["pilots"]
accounts_tab, audit_tab = st.tabs(["Accounts", "Audit log"])
with accounts_tab:
    users = loaders.load_users(path, actor)
    accounts = readable(
        users,
        {
            "username": "User name", "display_name": "Name", "email": "E-mail", "role": "Role", "active": "Active",
            "pilots": "Pilots", "created_at": "Created", "last_login_at": "Last signed in",
        },
    )  # fmt: skip
    st.dataframe(
        accounts, hide_index=True, width="stretch", column_config={"Active": st.column_config.CheckboxColumn()}
    )
    with st.expander("Add an account", icon=":material/person_add:"):
        new = account_form(pilots, key="users")
        if new is not None:
            password = new.pop("password")
            auth.write(path, add_user, actor, new.pop("username"), password, **new, success="Account created.")
    with st.expander("Change or remove an account", icon=":material/manage_accounts:"):
        name = st.selectbox("Account", users["username"], key="users_pick")
        user = users.set_index("username").loc[name].to_dict() | {"username": name}
        changes = account_form(pilots, key="users", user=user)
        if changes is not None:
            password = changes.pop("password")
            if auth.write(path, update_user, actor, name, **changes, success="Changes saved.") and password:
                auth.write(path, set_password, actor, name, password, success="Password changed.")
        confirm = st.checkbox(f"Yes, remove the account {safe(name)}", key="users_confirm_remove")
        if st.button("Remove account", key="users_remove", disabled=not confirm, icon=":material/person_remove:"):
            auth.write(
                path, remove_user, actor, name, success=f"{safe(name)} removed; the audit log keeps its history."
            )
with audit_tab:
    left, middle, right = st.columns([2, 1, 1])
    dates = left.date_input(
        "Between", value=(date.today() - timedelta(days=30), date.today()), key="audit_dates", format="YYYY-MM-DD"
    )
    who = middle.text_input("Who", key="audit_who", placeholder="user name")
    action = right.selectbox(
        "What", ["", "signin", "user", "pilot", "lesson", "workshop", "demo", "theme", "crosswalk", "model"],
        format_func=lambda a: a or "everything", key="audit_action",
    )  # fmt: skip
    entries = loaders.load_audit(
        path, actor, since=dates[0] if dates else None, until=dates[1] if len(dates) > 1 else None,
        who=who.strip() or None, action=action or None,
    )  # fmt: skip
    st.caption(f"{len(entries):,} entries, newest first")
    shown = (
        entries.assign(object_type=entries["object_type"].str.replace("_", " "))
        if "object_type" in entries
        else entries
    )
    log = readable(
        shown,
        {
            "id": "Entry", "at": "When", "actor": "Who", "action": "What", "object_type": "On", "object_id": "Which",
            "rows": "Rows", "detail": "Detail",
        },
    )  # fmt: skip
    st.dataframe(log, hide_index=True, width="stretch")
    st.download_button(
        "Download as CSV", to_csv(entries), file_name="audit-log.csv", mime="text/csv", key="audit_csv",
        icon=":material/download:", disabled=entries.empty,
    )  # fmt: skip
