"""Users: who may sign in, and what they may do (admins only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import ui
from pydantic import ValidationError

from tracker.errors import TrackerError, describe
from tracker.users import NewUser, Role, add_user, list_users

actor = ui.current_actor()
if actor is None or not actor.can_manage_users:
    st.error("Only admins can manage users.", icon=":material/block:")
    st.stop()

st.title("Users")
st.caption("Viewers read; editors also add and change records; admins also manage users.")
users = ui.read(list_users)
st.dataframe(
    pd.DataFrame(
        [{"name": user.name, "role": user.role.value} for user in users], columns=["name", "role"]
    ),
    hide_index=True,
    column_config={"name": "Name", "role": "Role"},
)

st.subheader("Add a user, or reset a user's password and role")
with st.form("add-user"):
    name = st.text_input("Name", key="users.name")
    role = st.selectbox("Role", list(Role), format_func=lambda role: role.value, key="users.role")
    password = st.text_input(
        "Password (at least 10 characters)", type="password", key="users.password"
    )
    submitted = st.form_submit_button("Save user", type="primary")
if submitted:
    try:
        user = ui.write(add_user, user=NewUser(name=name, password=password, role=role))
    except (ValidationError, TrackerError) as error:
        st.error(describe(error), icon=":material/error:")
    else:
        st.success(f"{user.name} can now sign in as {Role(user.role).with_article}.")
