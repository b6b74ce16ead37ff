"""Signing in and out."""

from __future__ import annotations

import streamlit as st
import ui

from tracker.errors import TrackerError
from tracker.users import authenticate

actor = ui.current_actor()
if actor is not None:
    st.title("Account")
    st.write(f"Signed in as **{ui.plain(actor.name)}**, {actor.role.with_article}.")
    if st.button("Sign out", icon=":material/logout:"):
        del st.session_state["actor"]
        st.rerun()
    st.stop()

st.title("Sign in")
st.caption("Editors sign in to add and change records; admins also manage users.")
with st.form("sign-in"):
    name = st.text_input("Name", key="sign_in.name")
    password = st.text_input("Password", type="password", key="sign_in.password")
    submitted = st.form_submit_button("Sign in", type="primary")
if submitted:
    try:
        st.session_state["actor"] = ui.read(authenticate, name=name, password=password)
    except TrackerError as error:
        st.error(str(error).capitalize() + ".", icon=":material/error:")
    else:
        st.rerun()
