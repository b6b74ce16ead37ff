"""Import: upload an export (a .zip, or one table's CSV), preview what it would do, confirm."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import ui
from streamlit.typing import UploadedFile

from tracker.database import engine_for
from tracker.errors import TrackerError
from tracker.exchange.exports import TABLES
from tracker.exchange.imports import (
    ImportReport,
    Policy,
    describe_size,
    import_data,
    max_upload_bytes,
)
from tracker.versions import data_version

actor = ui.current_actor()
if actor is None or not actor.can_edit:
    st.error("Only editors can import records: sign in as an editor.", icon=":material/block:")
    st.stop()

st.title("Import CSV")
st.caption(
    "An export of this tracker (a .zip, or one table's CSV file). The import is one transaction: "
    "every row is checked by the same rules as the forms, and if any row is bad nothing is written."
)
upload = st.file_uploader("File to import", type=["zip", "csv"], key="import.file")
existing = st.radio(
    "Rows already stored (same natural key, or same id)",
    list(Policy),
    format_func=lambda policy: {"update": "update them", "skip": "keep them as they are"}[policy],
    horizontal=True,
    key="import.existing",
)


def run(uploaded: UploadedFile, *, dry_run: bool) -> ImportReport:
    """Import UPLOADED from memory: its name only labels it and tells a .zip from one table's
    CSV; it is never a path, so no name can make the page write a file anywhere."""
    bar = st.progress(0.0, text="Checking the rows…" if dry_run else "Importing…")
    done: list[str] = []

    def advance(table: str, rows: int) -> None:
        done.append(table)
        bar.progress(min(1.0, len(done) / len(TABLES)), text=f"{table}: {rows:,} rows")

    uploaded.seek(0)  # an earlier run of the import read it to the end
    report = import_data(
        engine_for(),
        uploaded,
        name=uploaded.name,
        actor=actor,
        policy=existing,
        dry_run=dry_run,
        progress=advance,
    )
    bar.empty()
    return report


def show(report: ImportReport) -> None:
    if report.total_problems:
        st.error(
            f"Nothing can be imported: {report.total_problems:,} problem(s).",
            icon=":material/error:",
        )
        if report.more_problems:
            st.caption(
                f"The first {len(report.problems):,} are listed; "
                f"{report.more_problems:,} more are not."
            )
        st.dataframe(
            pd.DataFrame([problem.model_dump() for problem in report.problems]),
            hide_index=True,
            column_config={
                "file": "File",
                "line": "Line",
                "column": "Column",
                "reason": st.column_config.TextColumn("Reason", width="large"),
            },
        )
        return
    tables = sorted({*report.created, *report.updated, *report.unchanged, *report.skipped})
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "table": table,
                    "new": report.created[table],
                    "updated": report.updated[table],
                    "unchanged": report.unchanged[table],
                    "kept": report.skipped[table],
                }
                for table in tables
            ]
        ),
        hide_index=True,
        column_config={
            "table": "Table",
            "new": "New rows",
            "updated": "Updated",
            "unchanged": "Unchanged",
            "kept": "Kept as they were",
        },
    )


if upload is not None:
    try:
        limit = max_upload_bytes()
    except TrackerError as error:
        st.error(ui.plain(str(error)), icon=":material/error:")
        st.stop()
    if upload.size > limit:
        st.error(
            f"{ui.plain(upload.name)} is {describe_size(upload.size)}, and the dashboard imports "
            f"files of up to {describe_size(limit)}: import it with `tracker import`, or have "
            "the limit raised (`TRACKER_MAX_UPLOAD_MB`).",
            icon=":material/block:",
        )
        st.stop()
    # A preview holds while the file, the choice and the data are the same: checking a large
    # file again on every click would cost minutes.
    asked = (upload.file_id, existing, ui.read(data_version))
    previewed, preview = st.session_state.get("import.preview", (None, None))
    if previewed != asked:
        try:
            preview = run(upload, dry_run=True)
        except TrackerError as error:
            st.error(ui.plain(str(error)), icon=":material/error:")
            st.stop()
        st.session_state["import.preview"] = (asked, preview)
    st.subheader("What the import would do")
    show(preview)
    if not preview.total_problems and st.button(
        "Import these rows", type="primary", icon=":material/upload:"
    ):
        report = run(upload, dry_run=False)
        show(report)
        if report.written:
            st.success(
                "Imported. The dashboard shows the new data now.", icon=":material/check_circle:"
            )
