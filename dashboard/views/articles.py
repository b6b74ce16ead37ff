"""Add from an article: paste or upload an article, review the records it seems to hold beside
its text, and save the ones accepted, each citing its sentence (tracker.proposals)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import ui

from tracker.articles import Article, read_article
from tracker.dates import FuzzyDate
from tracker.errors import TrackerError
from tracker.figures import Qualifier
from tracker.kinds import RecordKind
from tracker.kinds.engagements import EngagementKind, EngagementStatus
from tracker.kinds.estimates import Measure
from tracker.kinds.kind import DATE_HELP
from tracker.kinds.sources import SourceType
from tracker.proposals import Proposal, ProposalProblems, accept, propose
from tracker.records import choices

actor = ui.current_actor()
if actor is None or not actor.can_edit:
    st.error("Only editors can add records: sign in as an editor.", icon=":material/block:")
    st.stop()

st.title("Add from an article")
st.caption(
    "Paste an article or upload it (a .txt file, or a web page saved as .html). The tracker "
    "proposes the engagements, estimates, pledges and treaties it reads there, each with the "
    "sentence that says it; check each, put right what it misread, and save the ones you "
    "accept. Each saved record cites the article, its sentence quoted word for word."
)

if saved := st.session_state.pop("article.saved", None):
    st.success(
        "Saved, each citing the article:\n" + "\n".join(f"- {ui.plain(line)}" for line in saved),
        icon=":material/check_circle:",
    )

# Problems of the last reading, shown under their fields (a form is drawn before it is read).
problems: dict[str, str] = st.session_state.pop("article.problems", {})


def problem_under(field: str) -> None:
    if field in problems:
        st.error(problems[field], icon=":material/error:")


with st.form("article"):
    text = st.text_area("Article text", height=200, key="article.text")
    upload = st.file_uploader(
        "…or the article's file", type=["txt", "html", "htm"], key="article.file"
    )
    problem_under("text")
    outlet_column, title_column = st.columns(2)
    with outlet_column:
        outlet = st.text_input("Outlet", key="article.outlet")
        problem_under("outlet")
    with title_column:
        title = st.text_input(
            "Title", key="article.title", help="A saved page's own title is used if left empty."
        )
    published_column, type_column, url_column = st.columns(3)
    with published_column:
        published = st.text_input(
            "Published", placeholder="2025-08-13", key="article.published", help=DATE_HELP
        )
        problem_under("published")
    source_type = type_column.selectbox(
        "Type of source",
        list(SourceType),
        index=list(SourceType).index(SourceType.NEWS_REPORT),
        format_func=lambda kind: kind.value.replace("_", " "),
        key="article.type",
    )
    url = url_column.text_input("Address (URL)", key="article.url")
    read = st.form_submit_button("Read the article", type="primary")


def problems_of_the_form() -> dict[str, str]:
    """What keeps the form from being read, by field, all at once."""
    found = {}
    if not text.strip() and upload is None:
        found["text"] = "Paste the article, or upload its file."
    if not outlet.strip():
        found["outlet"] = "Required: who published it."
    if not published.strip():
        found["published"] = "Required: the day it was published, or the days it may have been."
    else:
        try:
            FuzzyDate.parse(published)
        except ValueError as error:
            found["published"] = ui.sentence(str(error))
    return found


if read:
    st.session_state.pop("article.read", None)
    found = problems_of_the_form()
    if not found:
        try:
            article = read_article(
                upload.getvalue() if upload is not None else text,
                published=FuzzyDate.parse(published),
                outlet=outlet.strip(),
                name=upload.name if upload is not None else "the pasted text",
            )
        except TrackerError as error:
            found["text"] = ui.sentence(str(error))
        else:
            source = {
                "outlet": outlet.strip(),
                "title": title.strip() or article.title or "Untitled article",
                "type": source_type,
                "published": published.strip(),
                "url": url.strip() or None,
            }
            st.session_state["article.read"] = (article, source, ui.read(propose, article=article))
    st.session_state["article.problems"] = found
    st.rerun()

if "article.read" not in st.session_state:
    st.stop()
article, source, proposals = st.session_state["article.read"]
article: Article
proposals: list[Proposal]

if not proposals:
    st.info(
        "No engagement, estimate, pledge or treaty was read in this article: add its records "
        "on the **Add or edit records** page.",
        icon=":material/info:",
    )
    st.stop()


def highlighted(article: Article, proposals: list[Proposal]) -> str:
    """The article as markdown, each proposed sentence marked and numbered by its proposals."""
    numbers: dict[tuple[int, int], list[int]] = {}
    for number, proposal in enumerate(proposals, start=1):
        numbers.setdefault((proposal.start, proposal.end), []).append(number)
    parts, position = [], 0
    for (start, end), found in sorted(numbers.items()):
        if start < position:
            continue
        parts.append(ui.plain(article.text[position:start]))
        labels = ", ".join(str(number) for number in found)
        parts.append(f":orange-background[{ui.plain(article.text[start:end])}] **[{labels}]**")
        position = end
    parts.append(ui.plain(article.text[position:]))
    return "".join(parts).replace("\n", "  \n")


def words(value: str) -> str:
    """A vocabulary value as a reader says it: "phone call", "cumulative sent"."""
    return value.replace("_", " ")


# Each kind's table: the columns an editor may put right, as (field, label, column config).
deployments = ui.read(choices, kind="deployment")
state_names = ui.read(choices, kind="state", by="code")


def states_column(label: str, help: str) -> Any:
    """States chosen by code, each shown with its name, as many as the record takes."""
    return st.column_config.MultiselectColumn(
        label, options=list(state_names), format_func=state_names.get, width=220, help=help
    )


COLUMNS: dict[RecordKind, list[tuple[str, str, Any]]] = {
    RecordKind.ENGAGEMENT: [
        ("title", "Title", st.column_config.TextColumn("Title", width="medium")),
        (
            "engagement_kind",
            "Kind",
            st.column_config.SelectboxColumn(
                "Kind", options=[kind.value for kind in EngagementKind], format_func=words
            ),
        ),
        (
            "status",
            "Status",
            st.column_config.SelectboxColumn(
                "Status", options=[status.value for status in EngagementStatus]
            ),
        ),
        (
            "states",
            "States",
            states_column(
                "States taking part",
                "A person read in the sentence takes part for their state; a state added "
                "takes part without a person named.",
            ),
        ),
    ],
    RecordKind.ESTIMATE: [
        (
            "deployment",
            "Deployment",
            st.column_config.SelectboxColumn(
                "Deployment", options=list(deployments.values()), width=280
            ),
        ),
        (
            "measure",
            "Measure",
            st.column_config.SelectboxColumn(
                "Measure", options=[m.value for m in Measure], format_func=words
            ),
        ),
        (
            "qualifier",
            "Qualifier",
            st.column_config.SelectboxColumn(
                "Qualifier", options=[q.value for q in Qualifier], format_func=words
            ),
        ),
        ("low", "Low", st.column_config.NumberColumn("Low", min_value=0, step=1, format="%d")),
        ("high", "High", st.column_config.NumberColumn("High", min_value=0, step=1, format="%d")),
        ("scope", "Scope", st.column_config.TextColumn("Scope")),
    ],
    RecordKind.PLEDGE: [
        ("title", "Title", st.column_config.TextColumn("Title")),
        (
            "pledger",
            "Pledged by",
            st.column_config.SelectboxColumn(
                "Pledged by", options=list(state_names), format_func=state_names.get, width=160
            ),
        ),
        ("recipients", "Pledged to", states_column("Pledged to", "The states it is made to.")),
    ],
    RecordKind.TREATY: [
        ("title", "Name", st.column_config.TextColumn("Name", width="medium")),
        ("states", "Parties", states_column("Parties", "The states party to it.")),
    ],
}
# Who told it, for every kind: names, the nearest to the reader first, as text an editor can
# put right (a name no stored source answers to is said so when saved).
RELAYS = (
    "relayed_via",
    "Told by",
    st.column_config.TextColumn(
        "Told by",
        help="Who told it, the nearest to the reader first, separated by ';' "
        "(Yonhap; the NIS): each names a stored source, the last the originator.",
        width=200,
    ),
)
for columns in COLUMNS.values():
    columns.append(RELAYS)
# Fields holding a list: a cell emptied is an empty list, not nothing.
LISTS = {"states", "recipients"}


def table(kind: RecordKind, numbered: list[tuple[int, Proposal]]) -> pd.DataFrame:
    rows = []
    for number, proposal in numbered:
        values = proposal.model_dump(mode="json")
        rows.append(
            {
                "number": number,
                "accept": True,
                **{field: values[field] for field, _, _ in COLUMNS[kind]},
                "relayed_via": "; ".join(proposal.relayed_via),
                "date": proposal.date,
                "repeats": proposal.duplicate_of.split(":")[0] if proposal.duplicate_of else "",
            }
        )
    return pd.DataFrame(rows)


text_column, proposals_column = st.columns([2, 3])
with text_column:
    st.subheader("The article")
    st.caption(
        f"{ui.plain(source['outlet'])}, published {ui.plain(str(article.published))}. "
        "Each sentence a proposal quotes is marked, with the proposals' numbers."
    )
    with st.container(height=900):
        st.markdown(highlighted(article, proposals))

edited: dict[int, dict[str, Any]] = {}
with proposals_column:
    st.subheader("What it proposes")
    st.caption(
        "Untick what you reject; put right any cell. A proposal that repeats a stored record "
        "adds its sentence to that record's citations. A date is the tracker's notation "
        "(2025-08-12, 2025-07, 2025-06-01/2025-08-13); a record needs one to be saved."
    )
    numbered = list(enumerate(proposals, start=1))
    for kind in COLUMNS:
        of_kind = [(number, proposal) for number, proposal in numbered if proposal.kind is kind]
        if not of_kind:
            continue
        st.markdown(f"**{ui.KIND_LABELS.get(kind, kind.value.title() + 's')}**")
        frame = table(kind, of_kind)
        result = st.data_editor(
            frame,
            key=f"article.{kind.value}",
            hide_index=True,
            width="stretch",
            disabled=["number", "repeats"],
            column_config={
                # Pinned, so a wide table scrolls under them and each row stays known.
                "number": st.column_config.NumberColumn("#", width=36, pinned=True),
                "accept": st.column_config.CheckboxColumn("Accept", width=64, pinned=True),
                **{field: config for field, _, config in COLUMNS[kind]},
                "date": st.column_config.TextColumn("Date", width=170),
                "repeats": st.column_config.TextColumn(
                    "Repeats",
                    help="The stored record it repeats: its sentence is added to "
                    "that record's citations.",
                    width=110,
                ),
            },
            placeholder="—",
        )
        for row in result.to_dict("records"):
            edited[int(row["number"])] = row
    with st.expander("Each proposal in full, with its sentence"):
        for number, proposal in numbered:
            st.markdown(
                f"**{number}.** {ui.plain(proposal.described)}  \n> {ui.plain(proposal.quote)}"
            )


def _cell(value: Any) -> Any:
    return None if pd.isna(value) or value == "" else value


def as_accepted(number: int, proposal: Proposal) -> Proposal:
    """PROPOSAL with the cells the editor put right; a cell emptied is nothing (None)."""
    row = edited[number]
    changes = {
        field: (list(row[field] or []) if field in LISTS else _cell(row[field]))
        for field in [name for name, _, _ in COLUMNS[proposal.kind]] + ["date"]
    }
    told = changes.pop("relayed_via") or ""
    changes["relayed_via"] = [name.strip() for name in told.split(";") if name.strip()]
    for field in ("low", "high"):
        if changes.get(field) is not None:
            changes[field] = int(changes[field])
    return Proposal.model_validate(proposal.model_dump() | changes)


chosen = [(number, proposal) for number, proposal in numbered if edited[number]["accept"]]
if st.button(
    f"Save the {len(chosen)} accepted",
    type="primary",
    disabled=not chosen,
    icon=":material/save:",
):
    try:
        saved = ui.write(accept, source=source, proposals=[as_accepted(n, p) for n, p in chosen])
    except ProposalProblems as refused:
        lines = [
            f"- Proposal {chosen[index][0]}: {ui.plain(problem)}"
            for index, problem in refused.problems.items()
        ]
        st.error("Nothing was saved:\n" + "\n".join(lines), icon=":material/error:")
    except (TrackerError, ValueError) as error:
        st.error(f"Nothing was saved: {ui.plain(str(error))}.", icon=":material/error:")
    else:
        del st.session_state["article.read"]
        st.session_state["article.saved"] = saved
        st.rerun()
