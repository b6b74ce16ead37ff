"""Import: upload an export (a .zip, or one table's CSV), preview what it would do, confirm."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
import ui

from tracker.database import engine_for
from tracker.errors import TrackerError
from tracker.imports import ImportReport, Policy, import_data

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


def run(path: Path, *, dry_run: bool) -> ImportReport:
    bar = st.progress(0.0, text="Checking the rows…" if dry_run else "Importing…")
    done: list[str] = []

    def advance(table: str, rows: int) -> None:
        done.append(table)
        bar.progress(min(1.0, len(done) / 14), text=f"{table}: {rows:,} rows")

    report = import_data(
        engine_for(), path, actor=actor, policy=existing, dry_run=dry_run, progress=advance
    )
    bar.empty()
    return report


def show(report: ImportReport) -> None:
    if report.problems:
        st.error(
            f"Nothing can be imported: {len(report.problems)} problem(s).", icon=":material/error:"
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
    tables = sorted({*report.created, *report.updated, *report.skipped})
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "table": table,
                    "new": report.created[table],
                    "updated": report.updated[table],
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
            "kept": "Kept as they were",
        },
    )


if upload is not None:
    folder = Path(tempfile.mkdtemp(prefix="tracker-import-"))
    path = folder / upload.name
    path.write_bytes(upload.getvalue())
    try:
        preview = run(path, dry_run=True)
    except TrackerError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    st.subheader("What the import would do")
    show(preview)
    if not preview.problems and st.button(
        "Import these rows", type="primary", icon=":material/upload:"
    ):
        report = run(path, dry_run=False)
        show(report)
        if report.written:
            st.success(
                "Imported. The dashboard shows the new data now.", icon=":material/check_circle:"
            )
