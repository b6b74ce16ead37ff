"""Signing in and out, and changing one's password."""

from __future__ import annotations

import streamlit as st
import ui

from tracker.errors import TrackerError
from tracker.users import Actor, change_password, end_sign_in, sign_in


def say_whose_page_was_asked_for(actor: Actor | None) -> None:
    """At the address of a page the visitor may not use: whose page it is."""
    if asked_for := st.session_state.get("account.asked_for"):
        title, whose = asked_for
        who = f"you are signed in as {actor.role.with_article}" if actor else "sign in to use it"
        st.info(f"{title} is for {whose}: {who}.", icon=":material/lock:")


actor = ui.current_actor()
if actor is not None:
    st.title("Account")
    say_whose_page_was_asked_for(actor)
    st.write(f"Signed in as **{ui.plain(actor.name)}**, {actor.role.with_article}.")
    if st.button("Sign out", icon=":material/logout:"):
        ui.write(end_sign_in)
        del st.session_state["actor"]
        st.session_state["sign_in.forget"] = True
        st.rerun()
    if flash := st.session_state.pop("account.flash", None):
        st.success(flash, icon=":material/check_circle:")
    st.subheader("Change your password")
    st.caption("Changing it signs you out everywhere else.")
    with st.form("password"):
        current = st.text_input("Current password", type="password", key="password.current")
        new = st.text_input(
            "New password (at least 10 characters)", type="password", key="password.new"
        )
        again = st.text_input("New password again", type="password", key="password.again")
        changing = st.form_submit_button("Change the password")
    if changing:
        if new != again:
            st.error("The two new passwords differ: nothing was changed.", icon=":material/error:")
        else:
            try:
                actor = ui.write(change_password, current=current, new=new)
            except (TrackerError, ValueError) as error:
                st.error(ui.sentence(str(error)), icon=":material/error:")
            else:
                st.session_state["actor"] = actor
                st.session_state["account.flash"] = "Your password was changed."
                st.rerun()
    st.stop()

st.title("Sign in")
say_whose_page_was_asked_for(actor)
st.caption("Editors sign in to add and change records; admins also manage users.")
with st.form("sign-in"):
    name = st.text_input("Name", key="sign_in.name")
    password = st.text_input("Password", type="password", key="sign_in.password")
    submitted = st.form_submit_button("Sign in", type="primary")
if submitted:
    address = st.context.ip_address
    try:
        st.session_state["actor"], st.session_state["sign_in.code"] = ui.read(
            sign_in,
            name=name,
            password=password,
            client=address if isinstance(address, str) else None,  # None under AppTest
        )
    except TrackerError as error:
        st.error(ui.sentence(str(error)), icon=":material/error:")
    else:
        st.rerun()
