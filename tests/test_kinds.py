"""The registry of record kinds: every list of kinds the tracker uses is derived from it, and
every declaration is whole, so a new kind needs its module, a registry line, its citation
column, a migration, its page and its tests, and nothing else."""

from __future__ import annotations

import tomllib

import sqlalchemy as sa
from sqlmodel import Session

from tracker.citations import CITED_TABLES, Citation
from tracker.database import project_path
from tracker.exchange.exports import TABLES
from tracker.exchange.imports import RULES
from tracker.exchange.seeds import SECTIONS
from tracker.filters import Filters
from tracker.history import _OWNERS
from tracker.kinds import DATED, KINDS, RecordKind, kind_of, with_parts
from tracker.kinds.kind import Input, Rows
from tracker.models import metadata

# What an export leaves behind: users and their sign-ins, the change history, the data version,
# and the rollups, which are counted from the records.
UNEXPORTED = {
    "user_account",
    "sign_in",
    "sign_in_failure",
    "change",
    "change_set",
    "change_set_run",
    "table_version",
    "rollup",
    "rollup_dirty",
    "rollup_thin",
}


def test_an_export_holds_every_table_of_records_once_each_after_what_it_refers_to() -> None:
    assert sorted(TABLES) == sorted(set(metadata.tables) - UNEXPORTED)
    for position, name in enumerate(TABLES):
        for key in metadata.tables[name].foreign_keys:
            referred = key.column.table.name
            assert referred == name or TABLES.index(referred) < position, (name, referred)


def test_the_import_checks_every_exported_table_by_its_kinds_rules() -> None:
    assert list(RULES) == list(TABLES)
    for kind in with_parts():
        assert RULES[kind.name] is kind.rules


def test_the_kinds_whose_records_are_cited_each_have_a_citation_column() -> None:
    cited = {kind.name for kind in with_parts() if "citations" in kind.model.model_fields}
    assert set(CITED_TABLES) == cited
    referred = {key.column.table.name for key in Citation.__table__.foreign_keys}
    assert referred == cited | {"source"}


def test_each_section_of_the_seed_files_loads_the_kind_that_declares_it() -> None:
    for path in project_path("seeds").glob("*.toml"):
        sections = set(tomllib.loads(path.read_text())) - {"aliases"}
        assert sections <= set(SECTIONS), path.name
    for section, name in SECTIONS.items():
        assert kind_of(name).section == section
    assert list(SECTIONS.values()) == [name for name in KINDS if kind_of(name).section]


def test_the_history_files_each_kinds_rows_under_their_record() -> None:
    for kind in KINDS.values():
        for _, part in kind.parts:
            if part.name not in KINDS and part.parent[1] == "id":
                assert _OWNERS[part.name] == (kind.name, part.parent[0])
    assert set(_OWNERS) <= {part.name for kind in KINDS.values() for _, part in kind.parts}


def test_the_dashboards_kinds_are_the_dated_ones() -> None:
    assert [kind.value for kind in RecordKind] == [kind.name for kind in DATED]
    assert Filters().kinds == tuple(RecordKind)


def test_every_declaration_names_columns_its_table_has() -> None:
    for kind in with_parts():
        columns = set(kind.table.__table__.columns.keys())
        assert set(kind.key) <= columns, kind.name
        unique = {
            tuple(column.name for column in constraint.columns)
            for constraint in kind.table.__table__.constraints
            if isinstance(constraint, sa.UniqueConstraint)
        }
        assert kind.key in unique or kind.key == (kind.table.__table__.primary_key,), kind.name
        if kind.parent:
            assert kind.parent[0] in columns, kind.name
        for name in (kind.starts, kind.ends, *kind.sources):
            assert name is None or name in columns, (kind.name, name)
        assert kind.plain is None or kind.plain in columns


def test_every_dated_kind_says_how_it_involves_states_and_is_named_and_coloured() -> None:
    for kind in DATED:
        assert kind.states is not None and kind.plural and kind.colour, kind.name
    assert len({kind.colour for kind in DATED}) == len(DATED)


def test_every_form_field_is_a_field_of_its_kinds_model() -> None:
    for kind in KINDS.values():
        fields = kind.model.model_fields
        for field in kind.form:
            assert field.name in fields, (kind.name, field.name)
            if isinstance(field, Rows):
                part = dict(kind.parts)[field.name]
                columns = part.model.model_fields if part.plain is None else {part.plain}
                assert {column.name for column in field.columns} <= set(columns)
            else:
                assert isinstance(field, Input)
                assert field.widget not in KINDS or kind_of(field.widget).form


def test_every_kind_with_a_page_has_its_page() -> None:
    for kind in KINDS.values():
        if kind.page:
            assert (project_path("dashboard") / "views" / f"{kind.page[0]}.py").exists()


def test_every_dated_kind_is_filtered_by_the_states_it_involves(seeded: Session) -> None:
    def between(*codes: str) -> dict[str, int]:
        pair = Filters(states=codes)
        return {
            kind.name: seeded.scalar(
                sa.select(sa.func.count()).select_from(kind.table).where(*pair.conditions(kind))
            )
            for kind in DATED
        }

    seeded_kinds = {name for name, count in between().items() if count}
    assert len(seeded_kinds) >= 5
    # Every seeded kind has records of the seed articles' alliance, and none between two
    # states Putin called that never dealt with each other.
    assert all(between("RUS", "PRK")[name] for name in seeded_kinds)
    assert not any(between("BRA", "ZAF").values())
