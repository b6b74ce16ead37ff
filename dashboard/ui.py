"""What every dashboard page shares: the filters, cached reads, source lines, empty states.

Pages read only through `load`, which calls a tracker service in its own session and caches the
answer, keyed by the database, the filters, the arguments and the data version: any write to
the database moves the version, so a cached answer is never stale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session

from tracker.database import engine_for, session_for
from tracker.exchange.cells import frame_csv
from tracker.filters import Filters
from tracker.kinds import DATED, RecordKind
from tracker.provenance import sources_behind
from tracker.users import SIGN_IN_COOKIE, Actor, SignedOut, refresh, resume_sign_in
from tracker.versions import data_version

T = TypeVar("T")

# How each dated kind is named and coloured on every page, from the registry.
KIND_LABELS = {kind.name: kind.plural for kind in DATED}


def database_url() -> str:
    return engine_for().url.render_as_string(hide_password=False)


@st.cache_data(show_spinner=False, max_entries=1000)
def _cached(
    name: str,
    url: str,
    version: int,
    filters: Filters | None,
    arguments: tuple,
    _service: Callable[..., Any],
) -> Any:
    with Session(engine_for(url)) as session:
        extra = {"filters": filters} if filters is not None else {}
        return _service(session=session, **extra, **dict(arguments))


def load(service: Callable[..., T], *, filtered: bool = True, **arguments: Any) -> T:
    """SERVICE's answer for the current database and filters, from the cache while the data
    has not changed since it was computed."""
    with Session(engine_for()) as session:
        version = data_version(session)
    return _cached(
        f"{service.__module__}.{service.__qualname__}",
        database_url(),
        version,
        current_filters() if filtered else None,
        tuple(sorted(arguments.items())),
        service,
    )


def current_filters() -> Filters:
    """The filters the sidebar set on this run (every filter off if the sidebar has not run)."""
    return st.session_state.get("filters") or Filters()


def sources_line(kinds: tuple[RecordKind, ...]) -> None:
    """A line under a chart naming the sources behind the records of KINDS in view."""
    names, more = load(sources_behind, kinds=kinds)
    show_sources(names, more)


def show_sources(names: list[str], more: int = 0) -> None:
    if not names:
        st.caption("Sources: none, since no records are in view.")
        return
    tail = f", and {more} more" if more else ""
    st.caption(plain(f"Sources: {'; '.join(names)}{tail}."))


def nothing_to_show(what: str) -> None:
    """Say in words that a chart has no data, rather than drawing an empty frame."""
    st.info(
        f"No {what} match the current filters. "
        "Widen the dates or clear some filters in the sidebar."
    )


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def plain(text: str | None) -> str:
    """TEXT escaped so Streamlit's markdown shows it as typed: no links, emphasis or HTML."""
    return "" if text is None else _MARKDOWN.sub(r"\\\1", text)


def day(value: date) -> str:
    """A date as analysts write it: 12 Aug 2025."""
    return f"{value.day} {value:%b %Y}"


def download(frame: pd.DataFrame, name: str) -> None:
    """A button that downloads FRAME, the table shown (with, where a page adds them, the columns
    analysis needs beside it: figures as numbers, each date's first and last possible day), as
    CSV by the export's rules. The file is written when the button is pressed, not on every
    run: a large table's CSV costs more than the rest of its page."""
    st.download_button(
        f"Download this table (CSV, {len(frame):,} rows)",
        lambda: frame_csv(frame).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"download-{name}",
    )


def possible_days(first: pd.Series, last: pd.Series, prefix: str = "") -> dict[str, pd.Series]:
    """A fuzzy date's first and last possible day, as ISO dates any tool parses, to put beside
    its notation ("2025-07", "2025-06-01/2025-08-13") in a download."""
    return {
        f"{prefix}first_day": pd.to_datetime(first).dt.date,
        f"{prefix}last_day": pd.to_datetime(last).dt.date,
    }


def dated_axis(period: str = "day") -> alt.Axis:
    """A time axis that says the year, whatever the ticks: every label of months ("Aug 2024") or
    years, and for days the first label's and each January's ("27 Jul 2025, 3 Aug, 10 Aug");
    PERIOD is the finest the chart shows: day, month or year."""
    if period != "day":
        return alt.Axis(format="%b %Y" if period == "month" else "%Y")
    return alt.Axis(
        labelExpr=(
            "datum.index == 0 || month(datum.value) == 0"
            " ? timeFormat(datum.value, '%-d %b %Y') : timeFormat(datum.value, '%-d %b')"
        )
    )


KIND_COLOURS = alt.Scale(
    domain=[kind.plural for kind in DATED], range=[kind.colour for kind in DATED]
)


def category_colours(values: Iterable[str], missing: str = "not assessed") -> alt.Scale:
    """Distinct colours for VALUES, with grey for MISSING (an unassessed source)."""
    domain = sorted(set(values) - {missing})
    palette = [
        "#4c78a8",
        "#f58518",
        "#54a24b",
        "#e45756",
        "#b279a2",
        "#72b7b2",
        "#ff9da6",
        "#9d755d",
        "#eeca3b",
    ]
    colours = [palette[index % len(palette)] for index in range(len(domain))]
    if missing in set(values):
        domain, colours = [*domain, missing], [*colours, "#bab0ac"]
    return alt.Scale(domain=domain, range=colours)


def current_actor() -> Actor | None:
    """Who is signed in on this browser session, if anyone, as the database has them now: a
    demoted user loses their pages at once; a deactivated one, or one whose password was
    changed elsewhere or whose sign-in ended or expired, is signed out, with the reason kept for
    the next page to show. A new session (a reload, another tab) resumes the sign-in this
    browser's cookie keeps."""
    actor = st.session_state.get("actor") or _resumed()
    if actor is None:
        return None
    try:
        actor = read(refresh, actor=actor)
    except SignedOut as error:
        st.session_state.pop("actor", None)
        st.session_state["signed_out"] = str(error)
        st.session_state["sign_in.forget"] = True
        return None
    st.session_state["actor"] = actor
    return actor


def _resumed() -> Actor | None:
    """The actor whose sign-in this browser's cookie keeps, if it still holds; each cookie
    is tried once a session, so signing out is not undone by the cookie the session began with."""
    token = st.context.cookies.get(SIGN_IN_COOKIE)
    if not isinstance(token, str) or st.session_state.get("sign_in.tried") == token:  # AppTest
        return None
    st.session_state["sign_in.tried"] = token
    return read(resume_sign_in, token=token)


def keep_or_forget_sign_in() -> None:
    """Have the browser keep a new sign-in in its http-only cookie, or forget an ended one: a
    script posts to the server's own address (dashboard/server.py), since only an HTTP
    response can set such a cookie. The request is kept alive should the page be left at once."""
    if code := st.session_state.pop("sign_in.code", None):
        address, body = "api/sign-in", code
    elif st.session_state.pop("sign_in.forget", False):
        address, body = "api/sign-out", ""
    else:
        return
    options = f"{{method: 'POST', keepalive: true, body: {json.dumps(body)}}}"
    st.html(
        f"<script>fetch({json.dumps(address)}, {options})</script>", unsafe_allow_javascript=True
    )


def write(service: Callable[..., T], **arguments: Any) -> T:
    """Run a tracker service that writes, as the signed-in user, in a transaction of its own:
    committed if it succeeds, rolled back (nothing changed) if it raises."""
    with session_for(engine_for(), expire_on_commit=False) as session:
        return service(session=session, actor=current_actor(), **arguments)


def read(service: Callable[..., T], **arguments: Any) -> T:
    """A tracker service's answer straight from the database, bypassing the cache (what an
    edit form starts from must be the latest version)."""
    with Session(engine_for()) as session:
        return service(session=session, **arguments)
