"""Reading the Correlates of War Formal Alliances v4.1 files as COW distributes them.

The real files sit in ../shared/data/cow beside the checkout, and are read as they are: the
state list with its old Mac line endings and repeated rows, the empty obligation cells, the
censoring flags that COW sets per member spell. Bad files, built here, are refused with every
problem in words: file, line and column.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support.cow_oracle import alliances_in_force, members_on
from typer.testing import CliRunner

from tracker.citations import Citation
from tracker.cli import app
from tracker.database import session_for
from tracker.dates import DatePrecision
from tracker.errors import TrackerError
from tracker.exchange.cow import (
    COW_CITATION,
    COW_ENDS,
    COW_URL,
    MEMBER_COLUMNS,
    CowData,
    CowDate,
    CowError,
    CowProblem,
    CowSpell,
    CowState,
    atop_obligations,
    load_cow,
    read_cow,
)
from tracker.history import Change
from tracker.kinds.sources import Source
from tracker.kinds.states import State
from tracker.kinds.treaties import Treaty, status_on, treaties_in_force
from tracker.records import as_record, save
from tracker.users import SYSTEM

# The real files, copied byte for byte (see tests/data/cow/README.md), and their originals.
COW = Path(__file__).resolve().parent / "data" / "cow"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cow"
MEMBERS = COW / "alliance_v4.1_by_member.csv"
STATES = COW / "COW-country-codes.csv"


@pytest.fixture(scope="module")
def cow() -> CowData:
    return read_cow(COW)


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared data beside this checkout ({SHARED})")
@pytest.mark.parametrize("name", [MEMBERS.name, STATES.name])
def test_the_copies_are_the_real_files_unedited(name: str) -> None:
    assert (COW / name).read_bytes() == (SHARED / name).read_bytes()


def spells_of(data: CowData, cow_id: int, ccode: int) -> list[CowSpell]:
    alliance = next(alliance for alliance in data.alliances if alliance.cow_id == cow_id)
    return [spell for spell in alliance.spells if spell.ccode == ccode]


def day_(year: int, month: int, day: int) -> CowDate:
    return CowDate(date(year, month, day), DatePrecision.DAY, date(year, month, day))


# The real files


def test_the_real_files_hold_414_alliances_of_1221_spells_among_180_states(cow: CowData) -> None:
    assert len(cow.alliances) == 414
    assert sum(len(alliance.spells) for alliance in cow.alliances) == 1221
    members = {spell.ccode for alliance in cow.alliances for spell in alliance.spells}
    assert len(members) == 180
    assert members <= cow.states.keys()


def test_alliances_come_in_cow_id_order_and_spells_in_file_order(cow: CowData) -> None:
    ids = [alliance.cow_id for alliance in cow.alliances]
    assert ids == sorted(ids)
    for alliance in cow.alliances:
        lines = [spell.line for spell in alliance.spells]
        assert lines == sorted(lines)
    first = cow.alliances[0]
    assert (first.cow_id, first.type, first.start) == (1, "Type I: Defense Pact", day_(1386, 5, 9))
    assert [(spell.ccode, spell.state_name, spell.line) for spell in first.spells] == [
        (200, "United Kingdom", 2),
        (235, "Portugal", 3),
    ]


def test_the_folder_or_the_membership_file_reads_the_same(cow: CowData) -> None:
    assert read_cow(MEMBERS) == cow


def test_the_cr_only_state_list_reads_with_its_repeated_rows_as_one_state(cow: CowData) -> None:
    raw = STATES.read_bytes()
    assert b"\n" not in raw and raw.count(b"\r") == 243  # old Mac line endings, as distributed
    rows = raw.decode().split("\r")[1:]
    assert (len(rows), len(set(rows))) == (243, 217)  # 26 rows repeat a state
    assert len(cow.states) == 217
    assert cow.states[40] == CowState(40, "CUB", "Cuba")  # given twice in the file
    assert cow.states[990] == CowState(990, "WSM", "Samoa")  # the last line, with no ending


def test_states_that_no_longer_exist_have_their_own_codes(cow: CowData) -> None:
    assert cow.states[245] == CowState(245, "BAV", "Bavaria")
    assert cow.states[678] == CowState(678, "YAR", "Yemen Arab Republic")
    assert cow.states[365] == CowState(365, "RUS", "Russia")  # the Soviet Union too


def test_the_german_federal_republic_and_germany_are_different_members_of_nato(
    cow: CowData,
) -> None:
    assert cow.states[260] == CowState(260, "GFR", "German Federal Republic")
    assert cow.states[255] == CowState(255, "GMY", "Germany")
    (gfr,) = spells_of(cow, 227, 260)
    (germany,) = spells_of(cow, 227, 255)
    assert (gfr.start, gfr.end) == (day_(1954, 10, 23), day_(1990, 10, 2))
    assert (germany.start, germany.end) == (day_(1990, 10, 3), None)
    assert members_on(227, date(1990, 10, 2)) - members_on(227, date(1990, 10, 3)) == {260}
    assert members_on(227, date(1990, 10, 3)) - members_on(227, date(1990, 10, 2)) == {255}


def test_a_member_that_left_and_came_back_has_two_spells_in_one_alliance(cow: CowData) -> None:
    czechoslovakia = spells_of(cow, 160, 315)
    assert [(spell.start, spell.end) for spell in czechoslovakia] == [
        (day_(1935, 5, 16), day_(1939, 3, 15)),
        (day_(1945, 5, 10), day_(1989, 12, 10)),
    ]
    egypt = spells_of(cow, 199, 651)  # suspended from the Arab League, then readmitted
    assert [(spell.start, spell.end, spell.right_censored) for spell in egypt] == [
        (day_(1945, 3, 22), day_(1979, 3, 31), False),
        (day_(1989, 5, 22), None, True),
    ]


def test_empty_obligation_cells_are_unknown_never_false(cow: CowData) -> None:
    unknown = [
        (alliance.cow_id, spell.line, name)
        for alliance in cow.alliances
        for spell in alliance.spells
        for name in ("defense", "neutrality", "nonaggression", "entente")
        if getattr(spell, name) is None
    ]
    assert unknown == [(6, 30, "nonaggression"), (122, 318, "entente"), (122, 319, "entente")]
    (uk,) = spells_of(cow, 6, 200)
    assert (uk.defense, uk.neutrality, uk.nonaggression, uk.entente) == (True, False, None, True)


def test_censoring_is_per_spell_and_an_alliance_is_censored_if_any_spell_is(
    cow: CowData,
) -> None:
    # Alliance 3 began in 1815: Bavaria's first spell is cut at 1816, its second (1850) is not.
    first, second = spells_of(cow, 3, 245)
    assert (first.start, first.left_censored) == (day_(1816, 1, 1), True)
    assert (second.start, second.left_censored) == (day_(1850, 11, 29), False)
    # Alliance 304: the cell is empty for the second spells (which begin in 2004): unknown.
    assert [spell.left_censored for spell in spells_of(cow, 304, 438)] == [False, None]
    censored = {alliance.cow_id: alliance for alliance in cow.alliances}
    assert censored[3].left_censored and not censored[3].right_censored
    assert not censored[304].left_censored and censored[304].right_censored
    assert sum(alliance.left_censored for alliance in cow.alliances) == 6
    assert sum(alliance.right_censored for alliance in cow.alliances) == 98
    assert all(
        alliance.right_censored == (alliance.end is None)
        and alliance.left_censored == (alliance.start.day < date(1816, 1, 1))
        for alliance in cow.alliances
    )


def test_a_member_may_join_a_few_days_before_its_alliance_begins(cow: CowData) -> None:
    (france,) = spells_of(cow, 38, 220)  # as COW has it: not refused
    alliance = next(alliance for alliance in cow.alliances if alliance.cow_id == 38)
    assert france.start == day_(1859, 1, 19)
    assert alliance.start == day_(1859, 1, 24)


@pytest.mark.parametrize(
    ("ccode", "day"),
    [
        (315, date(1937, 1, 1)),  # Czechoslovakia, first spell in 160
        (315, date(1942, 6, 1)),  # between its two spells
        (315, date(1960, 1, 1)),  # second spell
        (365, date(1989, 12, 10)),  # last day of a spell
        (365, date(1989, 12, 11)),  # the day after
        (651, date(1985, 1, 1)),  # Egypt, out of the Arab League
        (651, date(2000, 1, 1)),  # back in
        (651, date(2012, 12, 31)),  # the last day the data knows
        (651, date(2013, 1, 1)),  # after it: nothing is known, nothing counted
        (260, date(1980, 1, 1)),  # German Federal Republic
        (260, date(1990, 10, 3)),
        (255, date(1990, 10, 2)),  # Germany
        (255, date(1990, 10, 3)),
        (255, date(1850, 1, 1)),  # between its two spells in alliance 3
        (200, date(1816, 1, 1)),  # the first day of the data
    ],
)
def test_the_reader_agrees_with_an_independent_reading_in_pandas(
    cow: CowData, ccode: int, day: date
) -> None:
    in_force = {
        alliance.cow_id
        for alliance in cow.alliances
        for spell in alliance.spells
        if spell.ccode == ccode
        and spell.start.day <= day
        and (day <= spell.end.latest if spell.end else day <= COW_ENDS)
    }
    assert in_force == alliances_in_force(ccode, day)


def test_cow_flags_map_onto_the_trackers_obligations(cow: CowData) -> None:
    (uk,) = spells_of(cow, 6, 200)
    # entente is consultation; COW never records offense, so it is unknown, not False.
    assert atop_obligations(uk) == {
        "defense": True,
        "offense": None,
        "neutrality": False,
        "nonaggression": None,
        "consultation": True,
    }


def test_the_citation_names_gibler_and_the_cow_project() -> None:
    assert COW_CITATION.startswith("Gibler, Douglas M. 2009. International Military Alliances")
    assert "Correlates of War Project, Formal Alliances (v4.1)" in COW_CITATION
    assert COW_URL in COW_CITATION


def test_the_reader_does_not_import_streamlit() -> None:
    code = "import sys, tracker.exchange.cow; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


# Dates with missing parts


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((1950, 7, 14), (date(1950, 7, 14), DatePrecision.DAY, date(1950, 7, 14))),
        ((1950, 2, None), (date(1950, 2, 1), DatePrecision.MONTH, date(1950, 2, 28))),
        ((1952, 2, None), (date(1952, 2, 1), DatePrecision.MONTH, date(1952, 2, 29))),
        ((1950, None, None), (date(1950, 1, 1), DatePrecision.YEAR, date(1950, 12, 31))),
    ],
)
def test_a_date_keeps_the_precision_its_parts_allow(
    parts: tuple[int, int | None, int | None], expected: tuple[date, DatePrecision, date]
) -> None:
    cow_date = CowDate.from_parts(*parts)
    assert (cow_date.day, cow_date.precision, cow_date.latest) == expected
    assert (cow_date.fuzzy.earliest, cow_date.fuzzy.latest) == (expected[0], expected[2])


# Files built here


def row(**cells: str) -> dict[str, str]:
    """A good row of the membership file (alliance 1, the United States), with CELLS changed."""
    good = dict.fromkeys(MEMBER_COLUMNS, "")
    good.update(
        version4id="1",
        ccode="2",
        state_name="United States of America",
        all_st_day="1",
        all_st_month="3",
        all_st_year="1950",
        ss_type="Type I: Defense Pact",
        mem_st_day="1",
        mem_st_month="3",
        mem_st_year="1950",
        left_censor="0",
        right_censor="1",
        defense="1",
        neutrality="0",
        nonaggression="1",
        entente="0",
    )
    return good | cells


CANADA = {"ccode": "20", "state_name": "Canada"}


def write_cow(
    folder: Path,
    rows: list[dict[str, str]],
    *,
    states: str = "StateAbb,CCode,StateNme\rUSA,2,United States of America\rCAN,20,Canada\r"
    "CAN,20,Canada",
) -> Path:
    """Write the membership file of ROWS, and the state list (CR-only, as COW's) beside it."""
    members = folder / "alliance_v4.1_by_member.csv"
    with members.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if states:
        (folder / "COW-country-codes.csv").write_bytes(states.encode())
    return members


def problems(path: Path) -> list[str]:
    with pytest.raises(CowError) as raised:
        read_cow(path)
    assert isinstance(raised.value, TrackerError)
    assert all(str(problem) in str(raised.value) for problem in raised.value.problems)
    return [str(problem) for problem in raised.value.problems]


def test_good_small_files_read(tmp_path: Path) -> None:
    data = read_cow(write_cow(tmp_path, [row(), row(**CANADA)]))
    (alliance,) = data.alliances
    assert [spell.ccode for spell in alliance.spells] == [2, 20]
    assert data.states[20] == CowState(20, "CAN", "Canada")


def test_missing_day_and_month_read_as_a_month_and_a_year(tmp_path: Path) -> None:
    rows = [
        row(
            mem_st_day="",
            mem_end_day="-9",
            mem_end_month="2",
            mem_end_year="1960",
            right_censor="0",
        ),
        row(**CANADA, mem_st_day="-9", mem_st_month="-9", right_censor="0", mem_end_year="1961"),
    ]
    us, canada = read_cow(write_cow(tmp_path, rows)).alliances[0].spells
    assert (us.start.precision, us.start.day) == (DatePrecision.MONTH, date(1950, 3, 1))
    assert (us.end.precision, us.end.latest) == (DatePrecision.MONTH, date(1960, 2, 29))
    assert (canada.start.precision, canada.start.latest) == (DatePrecision.YEAR, date(1950, 12, 31))
    assert (canada.end.day, canada.end.latest) == (date(1961, 1, 1), date(1961, 12, 31))


def test_a_problem_reads_as_file_line_column_and_reason() -> None:
    problem = CowProblem(
        file="alliance_v4.1_by_member.csv",
        line=12,
        column="mem_st_year",
        reason="'x' is not a year",
    )
    assert (
        str(problem)
        == "alliance_v4.1_by_member.csv, line 12, column mem_st_year: 'x' is not a year"
    )


def test_a_bad_number_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    members = write_cow(tmp_path, [row(), row(**CANADA, mem_st_year="19x0")])
    assert problems(members) == [
        "alliance_v4.1_by_member.csv, line 3, column mem_st_year: '19x0' is not a year"
    ]


def test_a_member_missing_from_the_state_list_is_refused(tmp_path: Path) -> None:
    members = write_cow(tmp_path, [row(), row(ccode="999", state_name="Nowhere")])
    assert problems(members) == [
        "alliance_v4.1_by_member.csv, line 3, column ccode: "
        "999 is not in the COW state list (COW-country-codes.csv)"
    ]


def test_an_impossible_date_is_refused(tmp_path: Path) -> None:
    members = write_cow(
        tmp_path,
        [
            row(),
            row(
                **CANADA, mem_end_day="31", mem_end_month="2", mem_end_year="1951", right_censor="0"
            ),
        ],
    )
    assert problems(members) == [
        "alliance_v4.1_by_member.csv, line 3, column mem_end_day: there is no 31 February 1951"
    ]


def test_a_spell_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    ended = {"mem_end_day": "1", "mem_end_month": "1", "mem_end_year": "1949", "right_censor": "0"}
    members = write_cow(tmp_path, [row(), row(**CANADA, **ended)])
    assert problems(members) == [
        "alliance_v4.1_by_member.csv, line 3, column mem_end_year: "
        "the spell ends (1949-01-01) before it starts (1950-03-01)"
    ]


def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    rows = [row(), row(**CANADA)]
    for each in rows:
        del each["defense"]
    assert problems(write_cow(tmp_path, rows)) == [
        "alliance_v4.1_by_member.csv, line 1, column defense: the column is missing"
    ]


def test_rows_of_one_alliance_must_agree_on_its_own_columns(tmp_path: Path) -> None:
    members = write_cow(tmp_path, [row(), row(**CANADA, ss_type="Type III: Entente")])
    assert problems(members) == [
        "alliance_v4.1_by_member.csv, line 3, column ss_type: alliance 1 has "
        "'Type III: Entente' here but 'Type I: Defense Pact' on line 2: "
        "the rows of one alliance must agree"
    ]


def test_censoring_must_agree_with_the_dates(tmp_path: Path) -> None:
    ended = {"mem_end_day": "1", "mem_end_month": "1", "mem_end_year": "1960"}
    members = write_cow(tmp_path, [row(left_censor="1"), row(**CANADA, **ended)])
    assert problems(members) == [
        "alliance_v4.1_by_member.csv, line 2, column left_censor: the alliance began "
        "1950-03-01, not before the data (1816-01-01): it cannot be left-censored",
        "alliance_v4.1_by_member.csv, line 3, column right_censor: "
        "a spell that ends (1960-01-01) cannot be right-censored",
    ]


def test_a_missing_state_list_is_refused(tmp_path: Path) -> None:
    members = write_cow(tmp_path, [row()], states="")
    assert problems(members) == [
        "COW-country-codes.csv: the COW state list is missing: put it beside "
        f"alliance_v4.1_by_member.csv (looked for {tmp_path / 'COW-country-codes.csv'})"
    ]


def test_one_code_with_two_names_in_the_state_list_is_refused(tmp_path: Path) -> None:
    states = "StateAbb,CCode,StateNme\rUSA,2,United States of America\rUSA,2,United States"
    assert problems(write_cow(tmp_path, [row()], states=states)) == [
        "COW-country-codes.csv, line 3, column StateNme: code 2 is USA 'United States' here "
        "but USA 'United States of America' on line 2: one code, one state"
    ]


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    rows = [
        row(defense="2"),
        row(**CANADA, mem_st_month="13"),
        row(version4id="x"),
        row(ccode="20", state_name="Canada", all_st_year="1951"),
    ]
    assert problems(write_cow(tmp_path, rows)) == [
        "alliance_v4.1_by_member.csv, line 2, column defense: '2' is not 0 or 1",
        "alliance_v4.1_by_member.csv, line 3, column mem_st_month: 13 is not a month (1 to 12)",
        "alliance_v4.1_by_member.csv, line 4, column version4id: "
        "'x' is not an alliance id (a whole number)",
        "alliance_v4.1_by_member.csv, line 5, column all_st_year: alliance 1 has '1951' here "
        "but '1950' on line 2: the rows of one alliance must agree",
    ]


def test_no_file_at_the_path_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path / "nothing.csv")[0] == (
        f"nothing.csv: no such file: {tmp_path / 'nothing.csv'}"
    )


# Loading: `tracker import-cow`, on each database.

CHECKED_DAYS = [
    (245, date(1840, 1, 1)),  # Bavaria in the German Confederation, first spell
    (245, date(1849, 6, 1)),  # out between its two spells
    (245, date(1860, 1, 1)),  # back for its second
    (300, date(1883, 6, 1)),  # Austria-Hungary in the Triple Alliance
    (305, date(1990, 1, 1)),  # Austria: COW's AUS, which ISO gives Australia
    (260, date(1980, 1, 1)),  # the German Federal Republic in NATO
    (260, date(1991, 1, 1)),  # gone: Germany succeeded it
    (255, date(1995, 6, 1)),  # Germany in NATO, its successor
    (365, date(1950, 6, 1)),  # the Soviet Union, under Russia's code
    (710, date(1950, 6, 1)),
    (731, date(1970, 1, 1)),
    (2, date(2012, 12, 31)),  # the last day of the data
    (2, date(2013, 1, 1)),  # after it: not known, so not in force
]


@pytest.fixture
def loaded(engine: Engine) -> Iterator[Session]:
    with session_for(engine) as session:
        load_cow(session=session, path=COW)
    with Session(engine) as session:
        yield session


def test_the_tracker_answers_as_the_file_does(loaded: Session, cow: CowData) -> None:
    """For each state and day, the treaties in force, asked of the tracker by the state's COW
    abbreviation, are the alliances a reading of the file with pandas finds."""
    for ccode, day in CHECKED_DAYS:
        state = f"cow:{cow.states[ccode].abbreviation}"
        found = treaties_in_force(session=loaded, state=state, on=day)
        assert {treaty.cow_id for treaty in found} == alliances_in_force(ccode, day), (state, day)
        for treaty in found:
            members = members_on(treaty.cow_id, day)
            assert len(treaty.parties) == len(members), (treaty.name, day)


def test_importing_again_changes_nothing_and_an_analysts_change_is_kept(
    loaded: Session, engine: Engine
) -> None:
    nato = loaded.exec(select(Treaty).where(Treaty.cow_id == 227)).one()
    save(
        session=loaded,
        actor=SYSTEM,
        kind="treaty",
        record=as_record(session=loaded, kind="treaty", record_id=nato.id)
        | {"name": "North Atlantic Treaty"},
        record_id=nato.id,
        expected_version=nato.version,
    )
    loaded.commit()
    changes = loaded.scalar(sa.select(sa.func.count()).select_from(Change))
    with session_for(engine) as session:
        report = load_cow(session=session, path=COW)
    assert (report.treaties_created, report.states_created, report.states_linked) == (0, 0, 0)
    assert report.treaties_unchanged == 413
    assert report.left_alone == [
        "treaty 'North Atlantic Treaty' (COW alliance 227): changed since it was imported, "
        "so left as it is"
    ]
    assert loaded.scalar(sa.select(sa.func.count()).select_from(Change)) == changes


def test_imported_records_keep_what_cow_says_and_no_more(loaded: Session) -> None:
    nato = loaded.exec(select(Treaty).where(Treaty.cow_id == 227)).one()
    # COW records no offence obligation: unknown, not "no". Open at the end of the data.
    assert (nato.defense, nato.offense, nato.known_in_force_until) == (True, None, COW_ENDS)
    assert status_on(nato, date(2020, 1, 1)) == "in force on 2012-12-31; later status not recorded"
    germanies = loaded.exec(
        select(State.code, State.kind, State.cow_abbreviation).where(State.cow_code.in_([255, 260]))
    ).all()
    assert sorted(germanies) == [("COWGFR", "historical", "GFR"), ("DEU", "state", "GMY")]
    [citation] = loaded.exec(select(Citation).where(Citation.treaty_id == nato.id)).all()
    source = loaded.get(Source, citation.source_id)
    assert (source.type, source.url, source.title) == ("dataset", COW_URL, COW_CITATION)


def test_the_command_prints_json_and_reads_cow_and_iso_codes(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--database-url", url, "import-cow", str(MEMBERS)])
    assert result.exit_code == 0, result.output
    assert "Created 414 treaties and 23 historical states" in result.stdout

    def treaties(state: str, day: str) -> list[dict[str, object]]:
        asked = ["--database-url", url, "treaties", "--state", state, "--on", day, "--json"]
        result = CliRunner().invoke(app, asked)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    [_brussels, nato] = treaties("GFR", "1980-01-01")
    assert {"name", "kind", "parties", "signed", "ended", "status", "cow_id"} <= set(nato)
    assert (nato["cow_id"], nato["signed"], nato["ended"], nato["status"]) == (
        227,
        "1949-04-04",
        None,
        "in force",
    )
    assert "German Federal Republic" in nato["parties"] and len(nato["parties"]) == 15
    # AUS is Australia to ISO, whose meaning wins; cow:AUS is COW's Austria.
    assert treaties("AUS", "1990-01-01") != treaties("cow:AUS", "1990-01-01")
    assert treaties("cow:AUS", "1990-01-01") == treaties("Austria", "1990-01-01")
