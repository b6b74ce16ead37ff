"""Users: who may sign in, and what they may do (admins only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import ui
from pydantic import ValidationError

from tracker.errors import TrackerError, describe
from tracker.users import NewUser, Role, add_user, list_users, set_active

actor = ui.current_actor()
if actor is None or not actor.can_manage_users:
    st.error("Only admins can manage users.", icon=":material/block:")
    st.stop()

st.title("Users")
st.caption(
    "Viewers read; editors also add and change records; admins also manage users. "
    "A change of role or a deactivation takes effect at once, even for a user signed in now."
)
if flash := st.session_state.pop("users.flash", None):
    st.success(flash, icon=":material/check_circle:")
users = ui.read(list_users)
st.dataframe(
    pd.DataFrame(
        [
            {
                "name": user.name,
                "role": user.role.value,
                "status": "active" if user.active else "deactivated",
            }
            for user in users
        ],
        columns=["name", "role", "status"],
    ),
    hide_index=True,
    column_config={"name": "Name", "role": "Role", "status": "Status"},
)

st.subheader("Add a user, or reset a user's password and role")
with st.form("add-user"):
    name = st.text_input("Name", key="users.name")
    role = st.selectbox("Role", list(Role), format_func=lambda role: role.value, key="users.role")
    password = st.text_input(
        "Password (at least 10 characters)", type="password", key="users.password"
    )
    reset = st.checkbox(
        "The user exists: reset their password and role",
        key="users.reset",
        help="Without this, a name already taken is refused and nothing changes.",
    )
    submitted = st.form_submit_button("Save user", type="primary")
if submitted:
    try:
        user = ui.write(
            add_user, user=NewUser(name=name, password=password, role=role), reset=reset
        )
    except (ValidationError, TrackerError) as error:
        st.error(describe(error), icon=":material/error:")
    else:
        st.success(f"{user.name} can now sign in as {Role(user.role).with_article}.")

st.subheader("Deactivate or reactivate a user")
others = [user for user in users if user.name != actor.name]
if not others:
    st.caption("There is no other user.")
else:
    chosen = st.selectbox(
        "User",
        others,
        format_func=lambda user: f"{user.name} ({'active' if user.active else 'deactivated'})",
        key="users.chosen",
    )
    label = "Reactivate" if not chosen.active else "Deactivate"
    if st.button(f"{label} {chosen.name}", key="users.toggle"):
        try:
            ui.write(set_active, name=chosen.name, active=not chosen.active)
        except TrackerError as error:
            st.error(describe(error), icon=":material/error:")
        else:
            done = "can sign in again" if not chosen.active else "can no longer sign in"
            st.session_state["users.flash"] = f"{chosen.name} {done}."
            st.rerun()
