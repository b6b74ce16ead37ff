"""The record forms: how the fields each kind declares are drawn, and how what an editor
typed becomes the record that the tracker validates and saves.

The rules live in tracker/: a form only gathers values, and shows the tracker's refusals next
to the fields they concern.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import streamlit as st
import ui
from pydantic import ValidationError

from tracker.citations import Credibility, Stance
from tracker.dates import EARLIEST, LATEST, FuzzyDate
from tracker.errors import message
from tracker.kinds import KINDS, kind_of
from tracker.kinds.kind import DATE_HELP, Input, Rows
from tracker.records import choices
from tracker.schema import INTEGER_LIMIT

NEW_SOURCE = -1  # the source added in the same form, before it has an id
NEW_SOURCE_LABEL = "(the new source)"

# Each kind's form, as its declaration gives it.
FORMS: dict[str, tuple[Input | Rows, ...]] = {
    kind.name: kind.form for kind in KINDS.values() if kind.form
}


def _inputs(form: tuple[Input | Rows, ...]) -> Iterator[Input]:
    for field in form:
        yield from field.columns if isinstance(field, Rows) else (field,)


WORDS_LABEL = "In the source's words"
WORDS_HELP = "The source's own words for the date, kept beside it: last July, earlier this summer."


def words_of(field: Input, model: type) -> Input | None:
    """The text field beside a fuzzy date FIELD for the source's own words (NAME_words), where
    MODEL keeps them."""
    name = f"{field.name}_words"
    if field.widget != "date" or name not in model.model_fields:
        return None
    return Input(name, WORDS_LABEL, help=WORDS_HELP)


def _row_columns(kind: str, field: Rows) -> list[Input]:
    """A table's columns, each fuzzy date followed by its words, where the rows keep them."""
    model = dict(kind_of(kind).parts)[field.name].model
    columns: list[Input] = []
    for column in field.columns:
        columns.append(column)
        if (words := words_of(column, model)) is not None:
            label = f"{column.label}, in the source's words"
            columns.append(Input(words.name, label, help=WORDS_HELP))
    return columns


_CREDIBILITY = {
    grade.value: f"{grade.value} {grade.name.replace('_', ' ').lower()}" for grade in Credibility
}


def pickers() -> dict[str, dict[Any, str]]:
    """What each picker offers (the stored records of a kind, by the value other records refer
    to them by), named for a reader, from the database. Citations always pick sources."""
    picked = {field.widget for form in FORMS.values() for field in _inputs(form)} & set(KINDS)
    return {
        name: ui.load(choices, filtered=False, kind=name, by=kind_of(name).reference)
        for name in sorted(picked | {"source"})
    }


def key(kind: str, name: str) -> str:
    return f"form.{kind}.{name}"


def _optional(kind: str, name: str) -> bool:
    field = kind_of(kind).model.model_fields.get(name)
    return field is None or not field.is_required()


def _not_recorded_allowed(kind: str, name: str) -> bool:
    """Whether a yes-or-no field may be left not recorded (None), rather than default to no."""
    field = kind_of(kind).model.model_fields.get(name)
    return field is None or (not field.is_required() and field.default is None)


_YES_NO = {None: "not recorded", True: "yes", False: "no"}


def _input(kind: str, field: Input, options: dict[str, dict[Any, str]]) -> None:
    widget_key, optional = key(kind, field.name), _optional(kind, field.name)
    common: dict[str, Any] = {"key": widget_key, "help": field.help}
    match field.widget:
        case "area":
            st.text_area(field.label, **common)
        case "number":
            st.number_input(
                field.label, value=None, step=1, min_value=0, max_value=INTEGER_LIMIT, **common
            )
        case "check" if _not_recorded_allowed(kind, field.name):  # not recorded is not "no"
            st.selectbox(
                field.label,
                [None, True, False],
                format_func=lambda value: _YES_NO.get(value, value),
                **common,
            )
        case "check":
            st.checkbox(field.label, **common)
        case "day":
            st.date_input(field.label, value=None, min_value=EARLIEST, max_value=LATEST, **common)
        case "choice":
            values = [None, *field.options] if optional else list(field.options)
            st.selectbox(
                field.label,
                values,
                format_func=lambda value: "—" if value is None else value.replace("_", " "),
                **common,
            )
        case "text" | "date":
            st.text_input(
                field.label, placeholder="2025-08-12" if field.widget == "date" else None, **common
            )
        case picker:
            labels = options[picker]
            st.selectbox(
                field.label,
                [None, *labels],
                format_func=lambda value: "—" if value is None else labels.get(value, str(value)),
                **common,
            )


def _column(field: Input, options: dict[str, dict[Any, str]]) -> Any:
    match field.widget:
        case "choice":
            return st.column_config.SelectboxColumn(field.label, options=list(field.options))
        case "text" | "date":
            return st.column_config.TextColumn(field.label, help=field.help)
        case picker:
            return st.column_config.SelectboxColumn(
                field.label, options=list(options[picker].values()), width="medium"
            )


def _citation_columns(options: dict[str, dict[Any, str]]) -> dict[str, Any]:
    sources = [NEW_SOURCE_LABEL, *options["source"].values()]
    return {
        "source": st.column_config.SelectboxColumn(
            "Source read", options=sources, width="medium", required=True
        ),
        "relayed": st.column_config.SelectboxColumn(
            "Relaying (primary source)", options=list(options["source"].values()), width="medium"
        ),
        "quote": st.column_config.TextColumn("Quoted passage", width="large", required=True),
        "credibility": st.column_config.SelectboxColumn(
            "Credibility", options=list(_CREDIBILITY.values()), required=True
        ),
        # Shown, so that editing a correction's quote never turns it into support.
        "stance": st.column_config.SelectboxColumn(
            "Stance",
            options=[stance.value for stance in Stance],
            default=Stance.SUPPORTS.value,
            required=True,
            help="supports the record, or a later source corrects or retracts it",
        ),
        "stated": st.column_config.TextColumn(
            "Stated", help="When a correction or retraction was made. " + DATE_HELP
        ),
    }


def _new_source_fields(*names: str) -> tuple[Input, ...]:
    """The source form's fields of NAMES, each fuzzy date followed by its words."""
    by_name = {field.name: field for field in _inputs(FORMS["source"])}
    model = kind_of("source").model
    return tuple(
        field
        for name in names
        for field in (by_name[name], words_of(by_name[name], model))
        if field is not None
    )


NEW_SOURCE_INPUTS = _new_source_fields(
    "outlet", "title", "type", "reliability", "perspective", "url", "published"
)
NEW_SOURCE_FIELDS = tuple(field.name for field in NEW_SOURCE_INPUTS)


# How an empty cell of a table reads: nothing recorded (never a grey "None").
EMPTY_CELL = "—"


def _shown_error(errors: dict[str, str], name: str) -> None:
    """The problem with the field NAME, if any, right under it."""
    if name in errors:
        st.error(errors[name], icon=":material/error:")


def render(
    kind: str, errors: dict[str, str], options: dict[str, dict[Any, str]]
) -> dict[str, pd.DataFrame]:
    """Draw KIND's fields inside the current form with ERRORS under the fields they concern;
    return the tables of rows as edited."""
    tables: dict[str, pd.DataFrame] = {}
    for field in FORMS[kind]:
        if isinstance(field, Rows):
            st.markdown(f"**{field.label}**")
            if field.help:
                st.caption(field.help)
            tables[field.name] = st.data_editor(
                st.session_state[key(kind, f"{field.name}.rows")],
                num_rows="dynamic",
                hide_index=True,
                column_config={
                    column.name: _column(column, options) for column in _row_columns(kind, field)
                },
                key=key(kind, field.name),
                width="stretch",
                placeholder=EMPTY_CELL,
            )
            _shown_error(errors, field.name)
        elif (words := words_of(field, kind_of(kind).model)) is not None:
            left, right = st.columns([3, 2])
            with left:
                _input(kind, field, options)
                _shown_error(errors, field.name)
            with right:
                _input(kind, words, options)
                _shown_error(errors, words.name)
        else:
            _input(kind, field, options)
            _shown_error(errors, field.name)
    if "citations" in kind_of(kind).nested():
        _citation_inputs(kind, errors, options)
        st.markdown("Further citations, if more sources support the record")
        tables["citations"] = st.data_editor(
            st.session_state[key(kind, "citations.rows")],
            num_rows="dynamic",
            hide_index=True,
            column_config=_citation_columns(options),
            key=key(kind, "citations"),
            width="stretch",
            placeholder=EMPTY_CELL,
        )
        _shown_error(errors, "citations.rows")
    return tables


def _citation_inputs(kind: str, errors: dict[str, str], options: dict[str, dict[Any, str]]) -> None:
    """The first citation, as plain fields: most records rest on one passage."""
    st.markdown("**Citation** · every record rests on at least one source, with the passage quoted")
    _shown_error(errors, "citations")
    sources = options["source"]
    labels = {NEW_SOURCE: "A new source (fill in below)", **sources}
    left, right = st.columns(2)
    with left:
        st.selectbox(
            "Source read",
            [None, *labels],
            format_func=lambda value: "—" if value is None else labels[value],
            key=key(kind, "cite.source"),
        )
        _shown_error(errors, "cite.source")
    with right:
        st.selectbox(
            "Relaying (the primary source it repeats)",
            [None, *sources],
            format_func=lambda value: "—" if value is None else sources[value],
            key=key(kind, "cite.relayed"),
        )
        _shown_error(errors, "cite.relayed")
    st.multiselect(
        "Relayed through, in order",
        list(sources),
        format_func=lambda value: sources.get(value, str(value)),
        key=key(kind, "cite.via"),
        help="The sources between the one read and the originator, from the one read outward "
        "(the article, then the lawmaker it quotes); leave empty if it relays the originator "
        "directly.",
    )
    _shown_error(errors, "cite.via")
    st.text_area(
        "Quoted passage", key=key(kind, "cite.quote"), help="The words that support the record."
    )
    _shown_error(errors, "cite.quote")
    stance, stated, stated_words = st.columns(3)
    with stance:
        st.selectbox(
            "Stance",
            [value.value for value in Stance],
            format_func=lambda value: {
                "supports": "supports the record",
                "corrects": "corrects it (a later source)",
                "retracts": "retracts it (a later source)",
            }.get(value, value),
            key=key(kind, "cite.stance"),
            help="Whether the passage supports the record, or a later source corrects or "
            "retracts it.",
        )
        _shown_error(errors, "cite.stance")
    with stated:
        st.text_input(
            "Stated (for a correction or retraction)",
            placeholder="2025-09",
            key=key(kind, "cite.stated"),
            help="When the source corrected or retracted the record. " + DATE_HELP,
        )
        _shown_error(errors, "cite.stated")
    with stated_words:
        st.text_input(WORDS_LABEL, key=key(kind, "cite.stated_words"), help=WORDS_HELP)
        _shown_error(errors, "cite.stated_words")
    st.selectbox(
        "Credibility of the information (Admiralty)",
        list(_CREDIBILITY),
        format_func=_CREDIBILITY.get,
        key=key(kind, "cite.credibility"),
    )
    _shown_error(errors, "cite.credibility")
    with st.expander(
        "A new source to cite",
        expanded=cites_new_source(kind) or any(name.startswith("new.") for name in errors),
    ):
        for field in NEW_SOURCE_INPUTS:
            _new_source_input(kind, field)
            _shown_error(errors, f"new.{field.name}")
        _shown_error(errors, "new_source")


def _new_source_input(kind: str, field: Input) -> None:
    widget_key = key(kind, f"new.{field.name}")
    match field.widget:
        case "choice":
            st.selectbox(
                field.label,
                [None, *field.options],
                format_func=lambda value: "—" if value is None else value.replace("_", " "),
                key=widget_key,
            )
        case _:
            st.text_input(field.label, key=widget_key, help=field.help)


def fill(kind: str, record: dict[str, Any], options: dict[str, dict[Any, str]]) -> None:
    """Put RECORD's values (or nothing, for a new record) into KIND's form."""
    for field in FORMS[kind]:
        if isinstance(field, Rows):
            part = dict(kind_of(kind).parts)[field.name]
            rows = [{part.plain: row} if part.plain else row for row in record.get(field.name, [])]
            columns = _row_columns(kind, field)
            st.session_state[key(kind, f"{field.name}.rows")] = pd.DataFrame(
                [
                    {
                        column.name: _shown(column, row.get(column.name), options)
                        for column in columns
                    }
                    for row in rows
                ],
                columns=[column.name for column in columns],
            )
            # Rows keep their own citations through the form (the table does not show them).
            st.session_state[key(kind, f"{field.name}.cited")] = {
                _row_key(kind, field.name, row): row["citations"]
                for row in rows
                if isinstance(row, dict) and "citations" in row
            }
        else:
            default = (
                False
                if field.widget == "check" and not _not_recorded_allowed(kind, field.name)
                else None
            )
            if field.widget == "choice":
                # The model's default, else (for a required choice) the first option.
                model_default = kind_of(kind).model.model_fields[field.name].default
                if model_default in list(field.options):
                    default = model_default
                elif not _optional(kind, field.name):
                    default = next(iter(field.options))
            st.session_state[key(kind, field.name)] = (
                record.get(field.name, default) if record else default
            )
            if (words := words_of(field, kind_of(kind).model)) is not None:
                st.session_state[key(kind, words.name)] = record.get(words.name)
    citations = record.get("citations") or []
    # What the citations table does not show (a citation's chain of relays, the words for when
    # it was stated) is kept through the form, by the citation's source, originator and quote,
    # the way rows keep their own citations.
    st.session_state[key(kind, "citations.kept")] = {
        _citation_key(citation): {name: citation.get(name) for name in _KEPT if name in citation}
        for citation in citations
    }
    first, *further = citations or [{}]
    st.session_state[key(kind, "cite.source")] = first.get("source_id")
    st.session_state[key(kind, "cite.relayed")] = first.get("relayed_source_id")
    st.session_state[key(kind, "cite.via")] = list(first.get("relayed_via") or [])
    st.session_state[key(kind, "cite.stance")] = str(first.get("stance") or Stance.SUPPORTS.value)
    st.session_state[key(kind, "cite.stated")] = _stated(first) or ""
    st.session_state[key(kind, "cite.stated_words")] = first.get("stated_words") or ""
    st.session_state[key(kind, "cite.quote")] = first.get("quote", "")
    st.session_state[key(kind, "cite.credibility")] = first.get(
        "credibility", Credibility.CANNOT_BE_JUDGED.value
    )
    st.session_state[key(kind, "citations.rows")] = pd.DataFrame(
        [
            {
                "source": options["source"].get(citation["source_id"]),
                "relayed": options["source"].get(citation.get("relayed_source_id")),
                "quote": citation["quote"],
                "credibility": _CREDIBILITY[citation.get("credibility", 6)],
                "stance": str(citation.get("stance") or Stance.SUPPORTS.value),
                "stated": _stated(citation),
            }
            for citation in further
        ],
        columns=["source", "relayed", "quote", "credibility", "stance", "stated"],
    )
    for name in NEW_SOURCE_FIELDS:
        st.session_state[key(kind, f"new.{name}")] = None


# A citation's fields the citations table does not show, kept through the form.
_KEPT = ("relayed_via", "stated_words")


def _text(cell: Any) -> str | None:
    """A table cell's text, or None for an empty cell (which pandas may hold as NaN)."""
    return cell if isinstance(cell, str) and cell.strip() else None


def _stated(citation: dict[str, Any]) -> str | None:
    """When a stored CITATION was stated, in the text form of a fuzzy date."""
    stated = citation.get("stated")
    if stated is None or isinstance(stated, str):
        return stated
    return str(
        FuzzyDate.from_columns(
            stated, citation.get("stated_precision"), citation.get("stated_latest")
        )
    )


def _citation_key(citation: dict[str, Any]) -> tuple:
    return (citation.get("source_id"), citation.get("relayed_source_id"), citation.get("quote"))


def _row_key(kind: str, name: str, row: dict[str, Any]) -> tuple:
    """A row's natural key within its record (a status step: its status and date)."""
    child = dict(kind_of(kind).parts)[name]
    return tuple(str(row.get(field)) for field in child.key if field != child.parent[0])


def _shown(column: Input, value: Any, options: dict[str, dict[Any, str]]) -> Any:
    if column.widget in options:
        return options[column.widget].get(value)
    return value


def _stored(column: Input, value: Any, options: dict[str, dict[Any, str]]) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if column.widget in options:
        return {label: stored for stored, label in options[column.widget].items()}.get(value)
    return value


def new_source(kind: str) -> dict[str, Any] | None:
    """The source typed into the form to be added with the record, if any."""
    values = {name: st.session_state.get(key(kind, f"new.{name}")) for name in NEW_SOURCE_FIELDS}
    if not any(values.values()):
        return None
    return {name: value for name, value in values.items() if value not in (None, "")}


def cites_new_source(kind: str, tables: dict[str, pd.DataFrame] | None = None) -> bool:
    """Whether the record cites the source added in the same form: its first citation, or
    (given the TABLES as edited) a further one."""
    further = tables["citations"]["source"] if tables and "citations" in tables else []
    return st.session_state.get(key(kind, "cite.source")) == NEW_SOURCE or any(
        label == NEW_SOURCE_LABEL for label in further
    )


def _typed_rows(
    kind: str, field: Rows, table: pd.DataFrame, options: dict[str, dict[Any, str]]
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a table in which anything was typed, each with its number in the table
    (from 1) and its values as the record holds them."""
    columns = _row_columns(kind, field)
    rows = (
        {column.name: _stored(column, row.get(column.name), options) for column in columns}
        for row in table.to_dict("records")
    )
    return [
        (number, row)
        for number, row in enumerate(rows, start=1)
        if any(value is not None for value in row.values())
    ]


def _first_citation_given(kind: str) -> bool:
    """Whether anything was given for the first citation (its source or its quote)."""
    return bool(
        st.session_state.get(key(kind, "cite.source")) is not None
        or st.session_state.get(key(kind, "cite.quote"))
    )


def _typed_citations(table: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """The further citations typed into their table, each with its number there (from 1)."""
    return [
        (number, row)
        for number, row in enumerate(table.to_dict("records"), start=1)
        if any(pd.notna(value) and value != "" for value in row.values())
    ]


def collect(
    kind: str,
    tables: dict[str, pd.DataFrame],
    options: dict[str, dict[Any, str]],
    new_source_id: int | None,
) -> dict[str, Any]:
    """What the editor typed, as the record KIND's model validates."""
    record: dict[str, Any] = {}
    for field in FORMS[kind]:
        if isinstance(field, Rows):
            # A cell left empty is not given: the row takes the model's default for it.
            rows = [
                {name: value for name, value in row.items() if value is not None}
                for _, row in _typed_rows(kind, field, tables[field.name], options)
            ]
            part = dict(kind_of(kind).parts)[field.name]
            record[field.name] = [row.get(part.plain) for row in rows] if part.plain else rows
        else:
            value = st.session_state.get(key(kind, field.name))
            record[field.name] = None if value == "" else value
            if (words := words_of(field, kind_of(kind).model)) is not None:
                record[words.name] = st.session_state.get(key(kind, words.name)) or None
    if "citations" in kind_of(kind).nested():
        by_label = {label: stored for stored, label in options["source"].items()}
        credibility = {label: grade for grade, label in _CREDIBILITY.items()}
        source = st.session_state.get(key(kind, "cite.source"))
        stated = st.session_state.get(key(kind, "cite.stated")) or None
        first = (
            [
                {
                    "source_id": new_source_id if source == NEW_SOURCE else source,
                    "relayed_source_id": st.session_state.get(key(kind, "cite.relayed")),
                    "relayed_via": list(st.session_state.get(key(kind, "cite.via")) or []),
                    "quote": st.session_state.get(key(kind, "cite.quote")),
                    "credibility": st.session_state.get(key(kind, "cite.credibility")),
                    "stance": st.session_state.get(key(kind, "cite.stance"))
                    or Stance.SUPPORTS.value,
                    "stated": stated,
                    "stated_words": st.session_state.get(key(kind, "cite.stated_words")) or None,
                }
            ]
            if _first_citation_given(kind)
            else []
        )
        kept = st.session_state.get(key(kind, "citations.kept"), {})
        further = [
            {
                "source_id": new_source_id
                if row["source"] == NEW_SOURCE_LABEL
                else by_label.get(row["source"]),
                "relayed_source_id": by_label.get(row["relayed"]),
                "quote": _text(row["quote"]),
                "credibility": credibility.get(row["credibility"], Credibility.CANNOT_BE_JUDGED),
                "stance": _text(row.get("stance")) or Stance.SUPPORTS.value,
                "stated": _text(row.get("stated")),
            }
            for _, row in _typed_citations(tables["citations"])
        ]
        # A citation whose source, originator and quote are unchanged keeps what the table
        # does not show.
        record["citations"] = first + [
            kept.get(_citation_key(citation), {}) | citation for citation in further
        ]
        for name, child in kind_of(kind).parts:
            if "citations" in child.model.model_fields:
                cited = st.session_state.get(key(kind, f"{name}.cited"), {})
                for row in record.get(name, []):
                    # A row keeps the citations it had; a new row rests on the record's.
                    row["citations"] = cited.get(_row_key(kind, name, row), record["citations"])
    return record


# Each field of a citation: where the first citation (entered as plain fields) takes it, and
# how a reader names it (the further citations' table shows the same names).
_CITATION_FIELDS: dict[str, tuple[str, str]] = {
    "source_id": ("cite.source", "Source read"),
    "relayed_source_id": ("cite.relayed", "Relaying"),
    "relayed_via": ("cite.via", "Relayed through"),
    "quote": ("cite.quote", "Quoted passage"),
    "stance": ("cite.stance", "Stance"),
    "stated": ("cite.stated", "Stated"),
    "stated_words": ("cite.stated_words", "Stated, in the source's words"),
    "credibility": ("cite.credibility", "Credibility"),
}


def _field_of(name: str) -> str:
    """The form field holding the model's field NAME: a fuzzy date's precision and last day
    are typed as the date."""
    return name.removesuffix("_precision").removesuffix("_latest")


def field_labels(kind: str) -> dict[str, str]:
    """A reader's name for each place in KIND's form a problem can be shown, in form order."""
    named: dict[str, str] = {}
    model = kind_of(kind).model
    for field in FORMS[kind]:
        named[field.name] = field.label
        if isinstance(field, Input) and (words := words_of(field, model)) is not None:
            named[words.name] = f"{field.label}, in the source's words"
    if "citations" in kind_of(kind).nested():
        named["citations"] = "Citation"
        for place, label in _CITATION_FIELDS.values():
            named[place] = f"Citation: {label.lower()}"
        named |= {f"new.{field.name}": f"New source: {field.label}" for field in NEW_SOURCE_INPUTS}
        named["new_source"] = "New source"
        named["citations.rows"] = "Further citations"
    return named


def _row_label(kind: str, rows: str, column: str) -> str:
    """How a reader names COLUMN of the table of ROWS (the citations' or the record's rows)."""
    if rows == "citations":
        return _CITATION_FIELDS.get(column, ("", column.replace("_", " ")))[1]
    field = next(field for field in FORMS[kind] if field.name == rows)
    assert isinstance(field, Rows)
    named = {column.name: column.label for column in _row_columns(kind, field)}
    return named.get(column, column.replace("_", " "))


def _in_row(kind: str, rows: str, number: int, location: list[Any], said: str) -> str:
    """A problem at LOCATION within row NUMBER of the table of ROWS, naming the row and the
    column (and, for a row's own citations, which of them)."""
    where = f"Row {number}"
    if location[:1] == ["citations"] and rows != "citations":
        where += f", citation {location[1] + 1}" if len(location) > 1 else ", citations"
        location = location[2:]
        rows = "citations"
    if location:
        where += f", {_row_label(kind, rows, _field_of(str(location[0])))}"
    return f"{where}: {said}"


def _numbers(
    kind: str, tables: dict[str, pd.DataFrame], options: dict[str, dict[Any, str]]
) -> dict[str, list[int | None]]:
    """Where each row the record holds was typed: its number in its table, or None for the
    first citation, entered as plain fields."""
    numbers: dict[str, list[int | None]] = {
        field.name: [number for number, _ in _typed_rows(kind, field, tables[field.name], options)]
        for field in FORMS[kind]
        if isinstance(field, Rows) and field.name in tables
    }
    if "citations" in tables:
        first: list[int | None] = [None] if _first_citation_given(kind) else []
        further = [number for number, _ in _typed_citations(tables["citations"])]
        numbers["citations"] = first + further
    return numbers


def placed_errors(
    error: ValidationError,
    kind: str,
    tables: dict[str, pd.DataFrame],
    options: dict[str, dict[Any, str]],
) -> dict[str, str]:
    """A validation error's problems, in words, by the place in the form they concern (see
    `field_labels`; "form" for the rest, which then name their field). A problem in a table
    names its row as numbered there (in TABLES, as edited); the first citation's problems go
    to its own fields."""
    places = field_labels(kind)
    numbers = _numbers(kind, tables, options)
    placed: dict[str, list[str]] = {}
    problems = [(list(problem["loc"]), message(problem)) for problem in error.errors()]
    # A new row rests on the record's citations: their problems are told once, with them.
    told = {(tuple(where[1:]), said) for where, said in problems if where[:1] == ["citations"]}
    for location, said in problems:
        if not location:
            placed.setdefault("form", []).append(said)
            continue
        head = _field_of(str(location[0]))
        is_rows = head == "citations" or any(
            isinstance(field, Rows) and field.name == head for field in FORMS[kind]
        )
        if is_rows and len(location) > 1 and isinstance(location[1], int):
            index, within = location[1], location[2:]
            given = numbers.get(head)
            number = given[index] if given is not None and index < len(given) else index + 1
            if head == "citations" and number is None:  # the first citation's own fields
                field = _field_of(str(within[0])) if within else ""
                place = _CITATION_FIELDS.get(field, ("citations", ""))[0]
                text = said if place != "citations" else f"{field.replace('_', ' ')}: {said}"
                placed.setdefault(place, []).append(text)
            elif head == "citations":
                text = _in_row(kind, head, number, within, said)
                placed.setdefault("citations.rows", []).append(text)
            elif within[:1] != ["citations"] or (tuple(within[1:]), said) not in told:
                placed.setdefault(head, []).append(_in_row(kind, head, number, within, said))
        elif head in places:
            placed.setdefault(head, []).append(said)
        else:
            placed.setdefault("form", []).append(f"{head.replace('_', ' ')}: {said}")
    return {place: "; ".join(dict.fromkeys(texts)) for place, texts in placed.items()}


def placed_source_errors(error: ValidationError) -> dict[str, str]:
    """The problems with the source added in the same form, by its field there ("new.NAME"),
    "new_source" for the rest."""
    placed: dict[str, list[str]] = {}
    for problem in error.errors():
        name = _field_of(str(problem["loc"][0])) if problem["loc"] else ""
        if name in NEW_SOURCE_FIELDS:
            placed.setdefault(f"new.{name}", []).append(message(problem))
        else:
            place = f"{name.replace('_', ' ')}: " if name else ""
            placed.setdefault("new_source", []).append(place + message(problem))
    return {place: "; ".join(dict.fromkeys(texts)) for place, texts in placed.items()}


def summary(kind: str, errors: dict[str, str]) -> str | None:
    """What to tell beside the save button when a save was refused: that nothing was saved,
    and where the problems are shown."""
    named = field_labels(kind)
    where = [label for place, label in named.items() if place in errors]
    if not where:
        return None
    return (
        f"Nothing was saved: {len(where)} field{'s' if len(where) > 1 else ''} to put right, "
        f"each marked above: {'; '.join(where)}."
    )
