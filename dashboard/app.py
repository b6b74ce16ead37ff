"""The alliance tracker dashboard: run it with `tracker dashboard`.

The sidebar's filters apply to every page and live in the address bar, so a view can be shared
as a link.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st
import ui

from tracker.activity import record_span
from tracker.filters import Filters, RecordKind
from tracker.sources import Reliability, perspectives
from tracker.states import state_names
from tracker.users import reading_requires_sign_in

st.set_page_config(page_title="Alliance tracker", page_icon=":material/handshake:", layout="wide")


def sidebar_filters() -> Filters:
    earliest, latest = ui.load(record_span, filtered=False)
    latest = latest or date.today()
    earliest = earliest or latest
    default_start = max(earliest, latest - timedelta(days=730))
    bar = st.sidebar
    bar.header("Filters")
    bar.caption(
        "They apply to every page and are kept in the address bar: copy it to share this view."
    )
    # Until the analyst picks dates, the range follows the data: a record saved after the
    # latest one so far must not fall outside the default view.
    default = (default_start, latest)
    previous = st.session_state.get("dates.default")
    if previous != default and st.session_state.get("dates", previous) == previous:
        st.session_state["dates"] = default
    st.session_state["dates.default"] = default
    chosen = bar.date_input(
        "Dates",
        min_value=min(earliest, date(1800, 1, 1)),
        max_value=max(latest, date.today()) + timedelta(days=3650),
        key="dates",
        bind="query-params",
        help="Records dated within these days; by default the two years to the latest record.",
    )
    # While a range is being picked the widget holds only its first day.
    start, end = (*chosen, None, None)[:2] if chosen else (None, None)
    states = ui.load(state_names, filtered=False)
    codes = bar.multiselect(
        "States",
        options=list(states),
        format_func=lambda code: f"{states[code]} ({code})",
        key="states",
        bind="query-params",
        placeholder="All states",
        help="One state: the records that involve it. Two or more: the records between them, "
        "so a pair of states shows that dyad in both directions.",
    )
    kinds = bar.multiselect(
        "Record kinds",
        options=list(RecordKind),
        default=list(RecordKind),
        format_func=lambda kind: ui.KIND_LABELS[kind],
        key="kinds",
        bind="query-params",
    )
    chosen_perspectives = bar.multiselect(
        "Source perspective",
        options=ui.load(perspectives, filtered=False),
        key="perspectives",
        bind="query-params",
        placeholder="Every perspective",
        help="Keep records that rest on at least one source of these perspectives.",
    )
    reliability = bar.selectbox(
        "Minimum source reliability",
        options=list(Reliability),
        index=len(Reliability) - 1,
        format_func=lambda grade: (
            "Any grade" if grade is Reliability.F else f"{grade.value} ({grade.meaning}) or better"
        ),
        key="reliability",
        bind="query-params",
        help="Admiralty code: A completely reliable, B usually, C fairly, D not usually, "
        "E unreliable, F cannot be judged. Keeps records with at least one source this reliable.",
    )
    return Filters(
        start=start,
        end=end,
        states=tuple(codes),
        kinds=tuple(kinds),
        perspectives=tuple(chosen_perspectives),
        min_reliability=reliability,
    )


actor = ui.current_actor()
account = st.Page(
    "views/account.py",
    title="Account" if actor else "Sign in",
    icon=":material/account_circle:" if actor else ":material/login:",
)
if actor is None and reading_requires_sign_in():
    navigation = st.navigation([account])
else:
    st.session_state["filters"] = sidebar_filters()
    sections = {
        "Dashboard": [
            st.Page(
                "views/overview.py", title="Overview", icon=":material/insights:", default=True
            ),
            st.Page("views/deployments.py", title="Deployments", icon=":material/groups:"),
            st.Page("views/treaties.py", title="Treaties", icon=":material/gavel:"),
            st.Page("views/engagements.py", title="Engagements", icon=":material/forum:"),
            st.Page("views/pledges.py", title="Pledges", icon=":material/campaign:"),
            st.Page("views/sources.py", title="Sources", icon=":material/library_books:"),
        ]
    }
    if actor is not None and actor.can_edit:
        sections["Data entry"] = [
            st.Page("views/edit.py", title="Add or edit records", icon=":material/edit_note:"),
            st.Page("views/imports.py", title="Import CSV", icon=":material/upload_file:"),
        ]
        if actor.can_manage_users:
            sections["Data entry"].append(
                st.Page("views/users.py", title="Users", icon=":material/group:")
            )
    sections["Account"] = [account]
    navigation = st.navigation(sections)
navigation.run()
