"""What every dashboard page shares: the filters, cached reads, source lines, empty states.

Pages read only through `load`, which calls a tracker service in its own session and caches the
answer with the versions of the tables it read: a write to one of them moves its version, so a
cached answer is never served stale, and a write to any other table leaves it cached.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from tracker.activity import Period
from tracker.database import engine_for, session_for
from tracker.exchange.cells import frame_csv
from tracker.figures import HIGH_ONLY, LOW_ONLY
from tracker.filters import Filters
from tracker.kinds import DATED, RecordKind
from tracker.kinds.engagements import EngagementKind, EngagementStatus
from tracker.kinds.pledges import PledgeStatusKind
from tracker.kinds.treaties import OBLIGATIONS
from tracker.memory import freeze_loaded
from tracker.provenance import sources_behind
from tracker.users import SIGN_IN_COOKIE, Actor, SignedOut, refresh, resume_sign_in
from tracker.versions import table_versions, tables_read

T = TypeVar("T")

# Imported once a process, by the first page run: what is loaded by then lives as long as the
# server.
freeze_loaded()

# How each dated kind is named and coloured on every page, from the registry.
KIND_LABELS = {kind.name: kind.plural for kind in DATED}


def database_url() -> str:
    return engine_for().url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class _Stamp:
    """The versions of the tables an answer was computed from, as they were before it was:
    of the tables it read, or, with EVERY, of them all (SQL as text names none)."""

    versions: dict[str, int]
    every: bool

    def current(self, versions: dict[str, int]) -> bool:
        if self.every:
            return self.versions == versions
        return all(versions.get(table, 0) == version for table, version in self.versions.items())


@st.cache_data(show_spinner=False, max_entries=1000)
def _cached(
    name: str,
    url: str,
    generation: int,
    filters: Filters | None,
    arguments: tuple,
    _service: Callable[..., Any],
) -> tuple[Any, _Stamp]:
    with Session(engine_for(url)) as session:
        # Read first: a write landing while the answer is computed leaves the stamp older
        # than the answer, so the answer is computed again, never kept stale.
        versions = table_versions(session)
        with tables_read(session) as read:
            extra = {"filters": filters} if filters is not None else {}
            answer = _service(session=session, **extra, **dict(arguments))
    if not read.complete:
        return answer, _Stamp(versions, every=True)
    return answer, _Stamp({table: versions.get(table, 0) for table in read.names}, every=False)


# Each call's generation in this process: it moves when a table its cached answer was
# computed from has changed, so the next answer is computed afresh and cached in its place.
_GENERATIONS: dict[tuple[str, str, str, str], int] = {}


def load(service: Callable[..., T], *, filtered: bool = True, **arguments: Any) -> T:
    """SERVICE's answer for the current database and filters, from the cache while none of the
    tables it read has changed since it was computed: a write to any other table leaves it."""
    return _answer(service, database_url(), current_filters() if filtered else None, arguments)


# Threads for the reads pages start ahead (`start`): as many as the machine has cores (two at
# least), since a read's time is mostly the database's, which runs while Python waits.
_READERS = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1), thread_name_prefix="read")


def start(service: Callable[..., T], *, filtered: bool = True, **arguments: Any) -> Future[T]:
    """SERVICE's answer as `load` gives it, computed from now in another thread: a page starts
    its slow reads at its top, side by side, and takes each answer where it shows it."""
    url, filters = database_url(), current_filters() if filtered else None
    run = get_script_run_ctx()

    def answer() -> T:
        # The page's run, as Streamlit's cache looks for it: a rerun stops waiting for a read
        # another thread is computing.
        add_script_run_ctx(threading.current_thread(), run)
        return _answer(service, url, filters, arguments)

    return _READERS.submit(answer)


def _answer(
    service: Callable[..., T], url: str, filters: Filters | None, arguments: dict[str, Any]
) -> T:
    name = f"{service.__module__}.{service.__qualname__}"
    given = tuple(sorted(arguments.items()))
    with Session(engine_for(url)) as session:
        versions = table_versions(session)
    call = (name, url, repr(filters), repr(given))
    generation = _GENERATIONS.get(call, 0)
    answer, stamp = _cached(name, url, generation, filters, given, service)
    if not stamp.current(versions):
        generation = _GENERATIONS[call] = generation + 1
        answer, stamp = _cached(name, url, generation, filters, given, service)
    return answer


def current_filters() -> Filters:
    """The filters the sidebar set on this run (every filter off if the sidebar has not run)."""
    return st.session_state.get("filters") or Filters()


def sources_line(kinds: tuple[RecordKind, ...], *, dated: bool = False) -> None:
    """A line under a chart naming the sources behind the records of KINDS in view (with DATED,
    only those with a date: all a chart over time draws)."""
    show_sources(*load(sources_behind, kinds=kinds, dated=dated))


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


def sentence(text: str) -> str:
    """TEXT as a sentence: its first letter a capital (the rest as written: "2025-Q3", "Putin"),
    ending with a full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def day(value: date) -> str:
    """A date as analysts write it: 12 Aug 2025."""
    return f"{value.day} {value:%b %Y}"


def download(
    table: pd.DataFrame | Callable[[], pd.DataFrame], name: str, *, rows: int | None = None
) -> None:
    """A button that downloads TABLE, the table shown (with, where a page adds them, the columns
    analysis needs beside it: figures as numbers, each date's first and last possible day), as
    CSV by the export's rules. The file is written when the button is pressed, not on every
    run: a large table's CSV costs more than the rest of its page. TABLE may be a function that
    makes it (see `later`), saying how many ROWS it will have: a page showing the first rows
    then reads them all only for the download."""
    rows = len(table) if rows is None else rows
    make = table if callable(table) else lambda: table
    st.download_button(
        f"Download this table (CSV, {rows:,} row{'' if rows == 1 else 's'})",
        lambda: frame_csv(make()).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"download-{name}",
        # No rerun: the page would be computed again for nothing, and a rerun racing the
        # browser's request for the file could lose the download.
        on_click="ignore",
    )


def later(service: Callable[..., T], *, filtered: bool = True, **arguments: Any) -> Callable[[], T]:
    """SERVICE's answer for the current database and filters (none, unless FILTERED), computed
    when the function returned is called: for a download, when its button is pressed. That is
    outside the page's run, where the filters can no longer be read, so they are taken now."""
    url = database_url()
    extra = {"filters": current_filters()} if filtered else {}

    def answer() -> T:
        with Session(engine_for(url)) as session:
            return service(session=session, **extra, **arguments)

    return answer


# The rows a table shows at most; the download beside it has them all.
TABLE_ROWS = 500


def first_rows(frame: pd.DataFrame, what: str, *, total: int | None = None) -> pd.DataFrame:
    """FRAME's first TABLE_ROWS rows, for a table, saying how many there are where there are
    more (WHAT they are, in which order; TOTAL, where FRAME holds only the first): a grid of
    tens of thousands of rows costs its page seconds on every visit, and the download beside it
    has them all."""
    total = len(frame) if total is None else total
    if total > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {total:,} {what}; the download has them all.")
    return frame.head(TABLE_ROWS)


def possible_days(first: pd.Series, last: pd.Series, prefix: str = "") -> dict[str, pd.Series]:
    """A fuzzy date's first and last possible day, as ISO dates any tool parses, to put beside
    its notation ("2025-07", "2025-06-01/2025-08-13") in a download."""
    return {
        f"{prefix}first_day": pd.to_datetime(first).dt.date,
        f"{prefix}last_day": pd.to_datetime(last).dt.date,
    }


def dated_axis() -> alt.Axis:
    """A time axis of days that says the year, whatever the ticks: the first label's and each
    January's ("27 Jul 2025, 3 Aug, 10 Aug")."""
    return alt.Axis(
        labelExpr=(
            "datum.index == 0 || month(datum.value) == 0"
            " ? timeFormat(datum.value, '%-d %b %Y') : timeFormat(datum.value, '%-d %b')"
        )
    )


def short_label(text: str, width: int = 30, lines: int = 2, tail: str = "") -> str:
    """TEXT in at most LINES lines of about WIDTH characters, joined by newlines, the last cut
    after a word with "…" where more remains, and ended by TAIL (a grade, say): an axis label
    that leaves a chart's width to its marks. The full text belongs in the tooltip and table."""
    wrapped = textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    kept = wrapped[:lines]
    if len(wrapped) > lines:
        rest, room = " ".join(wrapped[lines - 1 :]), max(width - len(tail), 2)
        cut = textwrap.shorten(rest, room, placeholder="…")
        kept[-1] = cut if cut != "…" else rest[: room - 1] + "…"  # one word longer than a line
    kept[-1] += tail
    return "\n".join(kept)


def short_labels(
    texts: Iterable[str], width: int = 30, lines: int = 2, tails: Iterable[str] = ()
) -> list[str]:
    """`short_label` of each of TEXTS (with its tail from TAILS), kept distinct: two texts cut to
    the same label would share one row of a chart, so the second gets an invisible mark."""
    texts = list(texts)
    tails = list(tails) or [""] * len(texts)
    labels: list[str] = []
    for text, tail in zip(texts, tails, strict=True):
        label = short_label(text, width, lines, tail)
        while label in labels:
            label += "\u200b"  # a zero-width space: the same words, a row of their own
        labels.append(label)
    return labels


def short_label_axis(width: int = 30, **options: Any) -> alt.Axis:
    """An axis whose labels are `short_label`s of WIDTH characters, a line to each line."""
    return alt.Axis(
        labelExpr="split(datum.label, '\\n')",
        # A character of the axis's 11-pixel font is about 6 pixels wide: room for WIDTH of them.
        labelLimit=width * 7,
        labelLineHeight=12,
        labelOverlap=False,
        **options,
    )


# Every scale below takes its domain from the registry, never from the data in view: a kind
# that vanishes from the data must not shift the colour or shape of the others.
KIND_COLOURS = alt.Scale(
    domain=[kind.plural for kind in DATED], range=[kind.colour for kind in DATED]
)
ENGAGEMENT_SHAPES = alt.Scale(
    domain=[kind.replace("_", " ") for kind in EngagementKind],
    range=["circle", "triangle-up", "square", "diamond"],
)
# How full an engagement's mark is drawn: held filled, planned hollow, cancelled faint. The
# scale is ordinal: a point scale, the default, would spread the fills between the first two.
_STATUS_FILLS = {
    EngagementStatus.HELD.value: 1.0,
    EngagementStatus.PLANNED.value: 0.0,
    EngagementStatus.CANCELLED.value: 0.2,
}
STATUS_FILL = alt.Scale(
    type="ordinal", domain=list(_STATUS_FILLS), range=list(_STATUS_FILLS.values())
)


def status_key(chart: alt.Chart, **position: Any) -> alt.Chart:
    """A layer for CHART that draws nothing (its points have no size) but a Status legend whose
    symbols are filled as the engagements' marks are: Vega-Lite draws no legend for a fill
    opacity. POSITION: the marks' x and y."""
    grey = "#555"
    shades = [
        # The fill's opacity over white, as a colour: full grey, white (hollow), faint grey.
        "#" + f"{round(255 - (255 - 0x55) * fill):02x}" * 3
        for fill in _STATUS_FILLS.values()
    ]
    return chart.mark_point(size=0, filled=True).encode(
        **position,
        fill=alt.Fill(
            "status:N",
            title="Status",
            scale=alt.Scale(domain=list(_STATUS_FILLS), range=shades),
            # Above the chart, in one row: where the eye starts, and clear of the legends
            # under it, which fill the width on a narrow screen.
            legend=alt.Legend(
                orient="top",
                direction="horizontal",
                symbolType="circle",
                symbolStrokeColor=grey,
                symbolStrokeWidth=2,
                symbolSize=120,
                symbolOpacity=1,
            ),
        ),
    )


# Legends under the chart, where on a narrow screen they take no width from it, and never cut
# short: a legend's title and labels are whole.
LEGEND_UNDER = {"labelLimit": 0, "titleLimit": 0, "orient": "bottom", "direction": "vertical"}
LEGENDS_UNDER = alt.Config(legend=alt.LegendConfig(**LEGEND_UNDER))

# An estimate's figure: a point or a closed range, or open at one end ("over 11,000" has no
# high, "up to 5,000" no low), drawn with an arrow towards its open end.
LOWER_BOUND, UPPER_BOUND, CLOSED = (
    "at least (no upper figure)",
    "at most (no lower figure)",
    "a figure or range",
)
FIGURE_SHAPES = alt.Scale(
    domain=[CLOSED, LOWER_BOUND, UPPER_BOUND], range=["circle", "triangle-up", "triangle-down"]
)
OBLIGATION_COLOURS = alt.Scale(
    domain=[*OBLIGATIONS, "none recorded"],
    range=["#4c78a8", "#e45756", "#f58518", "#54a24b", "#72b7b2", "#bab0ac"],
)
PLEDGE_STATUS_COLOURS = alt.Scale(
    domain=[status.replace("_", " ") for status in PledgeStatusKind],
    range=["#4c78a8", "#f58518", "#54a24b", "#e45756"],
)


def figure_bound(qualifier: str | None) -> str:
    """Which end of a figure the source leaves open, by its qualifier (see tracker.figures)."""
    if qualifier in LOW_ONLY:
        return LOWER_BOUND
    return UPPER_BOUND if qualifier in HIGH_ONLY else CLOSED


def period_label(starts: pd.Series, period: str) -> pd.Series:
    """Each period's first day as its label on a period axis: "Sep 2024", or "2024"."""
    return pd.to_datetime(starts).dt.strftime("%b %Y" if period == "month" else "%Y")


def period_axis(
    field: str, period: str, present: pd.Series, start: date | None, end: date | None
) -> alt.X:
    """An x channel with a band for every PERIOD (month or year) from START to END (or across
    the periods PRESENT), each labelled with its year under its own middle: a September bar
    stands over "Sep 2024", not astride the October tick as on a time scale, and the periods
    with no record keep their place. FIELD holds `period_label`s."""
    starts = pd.to_datetime(present)
    first = pd.Timestamp(start) if start else starts.min()
    last = pd.Timestamp(end) if end else starts.max()
    every = Period(period).starts(min(first, starts.min()), max(last, starts.max()))
    labels = list(period_label(pd.Series(every), period))
    return alt.X(
        f"{field}:O",
        title=period.title(),
        sort=labels,
        scale=alt.Scale(domain=labels),
        # Upright while they fit, else on their side: every month named under its own bar
        # (a label dropped for room would leave a bar beside its neighbour's label).
        axis=alt.Axis(
            labelAngle=0 if len(labels) <= 12 else -90, labelOverlap="greedy", labelSeparation=2
        ),
    )


# Over 4rem a row, Streamlit's grid wraps the text of its cells (1.67 has no other switch).
WRAPPING_ROW_HEIGHT = 72


def evidence_table(
    frame: pd.DataFrame,
    *,
    key: str,
    column_config: dict[str, Any],
    what: str = "row",
    detail: bool = True,
) -> None:
    """FRAME in a grid whose cells wrap their text, and under it (with DETAIL) the chosen row,
    the first until the analyst picks one, in full: the grid draws on a canvas, and clips
    whatever does not fit its cell, so a long quoted passage or name is always readable."""
    shown = st.dataframe(
        frame,
        hide_index=True,
        column_config=column_config,
        row_height=WRAPPING_ROW_HEIGHT,
        # Up to eight rows in view before the grid scrolls (its header and borders besides).
        height=min(max(len(frame), 1), 8) * WRAPPING_ROW_HEIGHT + 40,
        key=key,
        **({"on_select": "rerun", "selection_mode": "single-row"} if detail else {}),
    )
    if frame.empty or not detail:
        return
    picked = shown.selection.rows if shown is not None else []
    row = frame.iloc[picked[0] if picked else 0]
    labels = {
        name: (label if isinstance(label, str) else label.get("label")) or name
        for name, label in column_config.items()
    }
    with st.container(border=True):
        st.caption(
            f"The {'chosen' if picked else 'first'} {what} in full"
            + ("" if picked else f": tick another {what} in the table to read it here")
            + "."
        )
        lines = []
        for name in frame.columns:
            value = row[name]
            if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
                continue
            if isinstance(value, str) and not value.strip():  # a blank cell says nothing
                continue
            text = "  \n".join(plain(part) for part in str(value).splitlines())
            lines.append(f"**{plain(labels.get(name, name))}:** {text}")
        st.markdown("  \n".join(lines))


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
