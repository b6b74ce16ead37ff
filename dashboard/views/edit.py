"""Data entry: add, edit, retire and restore records, each with its citations and its history."""

from __future__ import annotations

import forms
import pandas as pd
import streamlit as st
import ui
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from tracker.errors import TrackerError, describe
from tracker.history import history_of
from tracker.kinds import kind_of
from tracker.kinds.sources import SourceCreate
from tracker.records import choices, for_editing, restore, retire, revert, save

actor = ui.current_actor()
if actor is None or not actor.can_edit:
    st.error(
        "Only editors can add or change records: sign in as an editor.", icon=":material/block:"
    )
    st.stop()

st.title("Add or edit records")
st.caption(
    "Every record cites at least one source with the passage quoted. Records are retired, never "
    "deleted, and every change is kept: any earlier version can be restored."
)
if flash := st.session_state.pop("edit.flash", None):
    st.success(flash, icon=":material/check_circle:")

kind = st.selectbox(
    "Kind of record",
    list(forms.FORMS),
    index=list(forms.FORMS).index("pledge"),
    format_func=lambda name: kind_of(name).label.capitalize(),
    key="edit.kind",
)
label = kind_of(kind).label
options = forms.pickers()
left, right = st.columns([4, 1])
show_retired = right.toggle(
    "Retired records", key="edit.retired", help="Pick among retired records to restore them."
)
records = ui.load(choices, filtered=False, kind=kind, retired=show_retired)
choice_key = f"edit.record.{kind}"
if (chosen := st.session_state.pop("edit.choose", None)) is not None:
    st.session_state[choice_key] = chosen
if st.session_state.get(choice_key) not in (None, *records):
    st.session_state[choice_key] = None
record_id = left.selectbox(
    f"Which {label}",
    [None, *records],
    format_func=lambda value: f"A new {label}" if value is None else records[value],
    key=choice_key,
)

# Load the chosen record into the form once, when the choice changes; after that the form
# keeps what the editor types, even across a refused save.
if st.session_state.get("edit.loaded") != (kind, record_id):
    editing = ui.read(for_editing, kind=kind, record_id=record_id) if record_id else None
    forms.fill(kind, editing.record if editing else {}, options)
    st.session_state["edit.version"] = editing.version if editing else None
    st.session_state["edit.is_retired"] = bool(editing and editing.retired)
    st.session_state["edit.loaded"] = (kind, record_id)
    st.session_state["edit.errors"] = {}

errors: dict[str, str] = st.session_state.get("edit.errors", {})
if "form" in errors:
    st.error(errors["form"], icon=":material/error:")
if st.session_state.get("edit.is_retired"):
    st.warning(
        f"This {label} is retired: it shows nowhere until it is restored.",
        icon=":material/inventory_2:",
    )

with st.form(f"edit.form.{kind}", clear_on_submit=False):
    tables = forms.render(kind, errors, options)
    if told := forms.summary(kind, errors):
        st.error(told, icon=":material/error:")
    submitted = st.form_submit_button(f"Save the {label}", type="primary", icon=":material/save:")


def _problems() -> dict[str, str]:
    """Everything wrong with the form, the new source and the record alike, each by the field
    it concerns, found in one round; nothing is written while anything is wrong."""
    problems: dict[str, str] = {}
    new_source = forms.new_source(kind)
    if new_source is not None or forms.cites_new_source(kind, tables):
        try:
            SourceCreate.model_validate(new_source or {})
        except ValidationError as error:
            problems |= forms.placed_source_errors(error)
    try:
        kind_of(kind).model.model_validate(forms.collect(kind, tables, options, forms.NEW_SOURCE))
    except ValidationError as error:
        problems |= forms.placed_errors(error, kind, tables, options)
    return problems


def _save() -> None:
    new_source = forms.new_source(kind)

    def source_then_record(session, actor):  # one transaction: both or neither
        source_id = None
        if new_source is not None:
            source_id = save(session=session, actor=actor, kind="source", record=new_source).id
        return save(
            session=session,
            actor=actor,
            kind=kind,
            record=forms.collect(kind, tables, options, source_id),
            record_id=record_id,
            expected_version=st.session_state.get("edit.version"),
        )

    if problems := _problems():
        st.session_state["edit.errors"] = problems
        st.rerun()
    try:
        row = ui.write(source_then_record)
    except ValidationError as error:
        st.session_state["edit.errors"] = forms.placed_errors(error, kind, tables, options)
    except (TrackerError, IntegrityError) as error:
        st.session_state["edit.errors"] = {"form": ui.sentence(describe(error))}
    else:
        st.session_state["edit.flash"] = f"Saved the {label}."
        st.session_state["edit.choose"] = row.id
        st.session_state["edit.loaded"] = None
    st.rerun()


if submitted:
    _save()

if record_id is None:
    st.stop()

version = st.session_state.get("edit.version")
retired = st.session_state.get("edit.is_retired")
if st.button(
    f"Restore this {label}" if retired else f"Retire this {label}",
    icon=":material/unarchive:" if retired else ":material/archive:",
    help=None if retired else "It leaves every view but is kept, and can be restored.",
):
    try:
        ui.write(
            restore if retired else retire, kind=kind, record_id=record_id, expected_version=version
        )
    except TrackerError as error:  # another editor saved it first, or the rights changed
        st.error(ui.sentence(describe(error)), icon=":material/error:")
    else:
        st.session_state.update(
            {"edit.loaded": None, "edit.retired": False, "edit.choose": record_id}
            if retired
            else {"edit.loaded": None}
        )
        st.session_state["edit.flash"] = (
            f"Restored the {label}."
            if retired
            else f"Retired the {label}; it can be restored from the retired records."
        )
        st.rerun()

st.subheader("History")
changes = ui.read(history_of, table=kind, record_id=record_id)
current = next((change for change in changes if change.row_table == kind), None)
for change in changes:
    own = change.row_table == kind and change.after is not None
    with st.container(border=True):
        st.markdown(
            ui.plain(f"{change.at:%Y-%m-%d %H:%M} · {change.user_name} · {change.what}")
            + (f"  \n*{ui.plain(change.note)}*" if change.note else "")
        )
        if change.described:
            # A table of text, not a grid: a long quoted passage wraps and is read whole.
            st.table(
                pd.DataFrame(change.described, columns=["Field", "Before", "After"]),
                hide_index=True,
            )
        if (
            own
            and change is not current
            and st.button(
                "Restore this version", key=f"revert.{change.id}", icon=":material/history:"
            )
        ):
            try:
                ui.write(
                    revert,
                    kind=kind,
                    record_id=record_id,
                    change_id=change.id,
                    expected_version=version,
                )
            except (ValidationError, TrackerError) as error:
                st.error(describe(error), icon=":material/error:")
            else:
                st.session_state.update(
                    {
                        "edit.loaded": None,
                        "edit.flash": "Restored the earlier version.",
                        "edit.choose": record_id,
                    }
                )
                st.rerun()
