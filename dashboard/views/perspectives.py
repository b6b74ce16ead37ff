"""Perspectives: what each perspective says of one record, side by side, and which say nothing."""

from __future__ import annotations

from itertools import groupby

import pandas as pd
import streamlit as st
import ui

from tracker.citations import CITED_TABLES
from tracker.kinds import DATED
from tracker.perspectives import NOT_ASSESSED, what_each_perspective_says
from tracker.records import choices

st.title("Perspectives")
st.caption(
    "What each perspective says of one record, side by side. A passage speaks for whoever first "
    "said it (its originator), under that outlet's perspective; a digest's classification of an "
    "outlet is kept as the digest's. The sidebar's filters do not apply here: every source is "
    "heard."
)

kinds = [kind for kind in DATED if kind.name in CITED_TABLES]
labels = {kind.name: kind.label for kind in kinds}
left, right = st.columns([1, 3])
kind = left.selectbox(
    "Kind of record",
    list(labels),
    index=list(labels).index("engagement") if "engagement" in labels else 0,
    format_func=lambda name: labels[name].capitalize(),
    key="perspectives.kind",
)
records = ui.load(choices, filtered=False, kind=kind)
if not records:
    st.info(f"No {labels[kind]} is recorded yet.")
    st.stop()
record_id = right.selectbox(
    f"Which {labels[kind]}",
    list(records),
    format_func=records.get,
    key=f"perspectives.record.{kind}",
)

said = ui.load(what_each_perspective_says, filtered=False, kind=kind, record_id=int(record_id))
frame = said.frame()


def present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


st.subheader(f"What each perspective says of {ui.plain(said.record)}")
if frame.empty:
    st.info("No source recorded says anything of this record.")
else:
    rows = frame.to_dict("records")
    groups = [
        (name, list(passages)) for name, passages in groupby(rows, key=lambda r: r["perspective"])
    ]
    # Up to three side by side; one or two take the width rather than a narrow third each.
    across = min(3, len(groups))
    for start in range(0, len(groups), across):
        for column, (perspective, passages) in zip(
            st.columns(across), groups[start : start + across], strict=False
        ):
            with column.container(border=True):
                st.markdown(f"#### {ui.plain(perspective)}")
                classifiers = sorted(
                    {row["classified_by"] for row in passages if present(row["classified_by"])}
                )
                if not all(present(row["classified_by"]) for row in passages):
                    classifiers.append("the analyst")
                if perspective == NOT_ASSESSED:
                    st.caption("No perspective is recorded for these originators.")
                else:
                    st.caption(ui.plain(f"Whose classification: {'; '.join(classifiers)}."))
                # Outlets a source relays in the same words are one passage, naming them all.
                same: dict[tuple, list[str]] = {}
                for row in passages:
                    words = tuple(
                        row[name] if present(row[name]) else None
                        for name in ("about", "says", "via", "stance")
                    )
                    same.setdefault(words, []).append(row["originator"])
                for (about, says, via, stance), originators in same.items():
                    who = "; ".join(originators)
                    line = f"**{ui.plain(who)}**" + (
                        f", via {ui.plain(via)}" if present(via) else ""
                    )
                    line += f" · about the {ui.plain(about)}"
                    if present(stance):
                        line += f" · {ui.plain(str(stance))} the record"
                    st.markdown(line)
                    st.markdown("\n".join(f"> {ui.plain(part)}" for part in str(says).splitlines()))

st.subheader("Perspectives that say nothing")
if said.silent:
    st.markdown(
        "No source of these perspectives is recorded as saying anything of this record: "
        + "; ".join(ui.plain(name) for name in said.silent)
        + "."
    )
else:
    st.markdown("Every perspective recorded says something of this record.")
