"""The alliance tracker dashboard: run it with `tracker dashboard`.

The sidebar's filters apply to every page and live in the address bar, so a view can be shared
as a link.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st
import ui

from tracker.activity import record_span
from tracker.dates import EARLIEST, LATEST
from tracker.filters import Filters
from tracker.kinds import KINDS, RecordKind
from tracker.kinds.sources import Reliability, perspectives
from tracker.kinds.states import state_names
from tracker.users import reading_requires_sign_in

st.set_page_config(page_title="Alliance tracker", page_icon=":material/handshake:", layout="wide")


def sidebar_filters() -> Filters:
    earliest, latest = ui.load(record_span, filtered=False)
    latest = latest or date.today()
    earliest = earliest or latest
    default_start = max(earliest, latest - timedelta(days=730), EARLIEST)
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
        min_value=EARLIEST,
        max_value=LATEST,
        key="dates",
        bind="query-params",
        help="Records dated within these days; by default the two years to the latest record.",
    )
    # While a range is being picked the widget holds only its first day.
    start, end = (*chosen, None, None)[:2] if chosen else (None, None)
    if start and end and end < start:  # a link may give the days in either order
        start, end = end, start
        bar.caption(f"Showing {ui.day(start)} to {ui.day(end)}: the link gave them the other way.")
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


# Every page: (section, file, title, icon), with who may see it.
READING = [
    ("Dashboard", "overview", "Overview", ":material/insights:"),
    *(  # each kind's own page, as it declares it
        ("Dashboard", kind.page[0], kind.plural, kind.page[1])
        for kind in KINDS.values()
        if kind.page
    ),
    ("Dashboard", "perspectives", "Perspectives", ":material/diversity_3:"),
    ("Dashboard", "sources", "Sources", ":material/library_books:"),
]
EDITING = [
    ("Data entry", "edit", "Add or edit records", ":material/edit_note:"),
    ("Data entry", "articles", "Add from an article", ":material/article:"),
    ("Data entry", "imports", "Import CSV", ":material/upload_file:"),
]
ADMINISTRATION = [("Data entry", "users", "Users", ":material/group:")]

actor = ui.current_actor()
ui.keep_or_forget_sign_in()
if notice := st.session_state.pop("signed_out", None):
    st.warning(f"You were signed out: {notice}.", icon=":material/logout:")
st.session_state["account.asked_for"] = None
if actor is None and reading_requires_sign_in():
    # Every page's address shows the sign-in form (never "page not found"), and once signed
    # in, the same address shows the page asked for.
    addresses = ["account"] + [name for _, name, _, _ in (*READING, *EDITING, *ADMINISTRATION)]
    navigation = st.navigation(
        [
            st.Page("views/account.py", title="Sign in", url_path="sign-in", default=True),
            *(
                st.Page("views/account.py", title="Sign in", url_path=address)
                for address in addresses
            ),
        ],
        position="hidden",
    )
else:
    st.session_state["filters"] = sidebar_filters()
    pages = list(READING)
    if actor is not None and actor.can_edit:
        pages += EDITING
    if actor is not None and actor.can_manage_users:
        pages += ADMINISTRATION
    sections: dict[str, list[st.Page]] = {}
    for section, name, title, icon in pages:
        sections.setdefault(section, []).append(
            st.Page(f"views/{name}.py", title=title, icon=icon, default=name == "overview")
        )
    sections["Account"] = [
        st.Page(
            "views/account.py",
            title="Account" if actor else "Sign in",
            icon=":material/account_circle:" if actor else ":material/login:",
        )
    ]
    # The address of a page this actor may not use shows the sign-in form (never "page not
    # found"), saying whose page it is; once signed in with the right role, it shows the page.
    locked = {
        name: (title, whose)
        for whose, entries in (("editors", EDITING), ("admins", ADMINISTRATION))
        for _, name, title, _ in entries
        if not any(name == page[1] for page in pages)
    }
    sections["Account"] += [
        st.Page("views/account.py", title=title, url_path=name, visibility="hidden")
        for name, (title, _) in locked.items()
    ]
    navigation = st.navigation(sections)
    st.session_state["account.asked_for"] = locked.get(navigation.url_path)
navigation.run()
