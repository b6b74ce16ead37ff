"""Reading the Correlates of War Formal Alliances (v4.1) membership file and the COW state list.

This is the pure half of ``tracker import-cow PATH``: it reads the two files exactly as COW
distributes them, checks them, and returns plain values; it never touches the database, so the
writing half can be tested apart and a bad file is refused before anything is written.

The files are read as they are, never edited, because the next download will have the same
quirks: the state list has old Mac line endings (CR only) and repeats a state once per spell of
statehood; a few obligation cells are empty, which means unknown and is kept as None, never 0;
dates come as day, month and year columns, any of which may be empty (or -9, COW's code for
unknown), so a date keeps its precision rather than gaining an invented day.

`left_censor` and `right_censor` look like alliance columns but COW sets them per member spell:
in alliance 3 a state's first spell (cut at 1816) is left-censored and its second spell (from
1850) is not, and a member that left before the data ends is not right-censored while the
others are. So each spell keeps its own flags and the alliance is censored if any spell is;
what is checked is that the flags agree with the dates.

Every problem found is reported, each with its file, line and column, in one `CowError`.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from tracker.citations import CitationCreate
from tracker.dates import EARLIEST, LATEST, DatePrecision, FuzzyDate
from tracker.errors import TrackerError
from tracker.exchange.imports import Problem
from tracker.kinds.sources import Source, SourceCreate, SourceType
from tracker.kinds.states import State, StateCreate, StateKind
from tracker.kinds.treaties import OBLIGATIONS, Treaty, TreatyCreate, TreatyPartyCreate
from tracker.records import as_record, save
from tracker.users import Actor, Role

COW_URL = "https://correlatesofwar.org/data-sets/formal-alliances/"
COW_CITATION = (
    "Gibler, Douglas M. 2009. International Military Alliances, 1648-2008. CQ Press. "
    f"Correlates of War Project, Formal Alliances (v4.1). {COW_URL}"
)

MEMBERS_FILE = "alliance_v4.1_by_member.csv"
STATES_FILE = "COW-country-codes.csv"

# The span the data covers. A spell with no end was in force on COW_ENDS; after that nothing is
# known, so "no end" must never be read as "still in force today".
COW_STARTS = date(1816, 1, 1)
COW_ENDS = date(2012, 12, 31)

# COW's code for an unknown value; an empty cell means the same.
UNKNOWN = "-9"

_PARTS = ("day", "month", "year")
STATE_COLUMNS = ("StateAbb", "CCode", "StateNme")
ALLIANCE_DATES = ("all_st", "all_end")
ALLIANCE_COLUMNS = (
    *(f"{name}_{part}" for name in ALLIANCE_DATES for part in _PARTS),
    "ss_type",
)
FLAGS = ("defense", "neutrality", "nonaggression", "entente")
MEMBER_COLUMNS = (
    "version4id",
    "ccode",
    "state_name",
    *ALLIANCE_COLUMNS,
    *(f"{name}_{part}" for name in ("mem_st", "mem_end") for part in _PARTS),
    "left_censor",
    "right_censor",
    *FLAGS,
)

# The import's problems have this shape already (file, line, column, reason in words).
CowProblem = Problem


class CowError(TrackerError):
    """The COW files cannot be read as they are; `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(problems)
        heading = f"the COW files cannot be read ({count} problem{'s' * (count != 1)}):"
        super().__init__("\n".join([heading, *(f"  {problem}" for problem in problems)]))


@dataclass(frozen=True, slots=True)
class CowState:
    ccode: int
    abbreviation: str
    name: str


@dataclass(frozen=True, slots=True)
class CowDate:
    """A COW date from its parts: the earliest day they allow, their precision, the last day.

    A missing day is a month (1 July .. 31 July), a missing month a year (1 Jan .. 31 Dec): the
    tracker never invents a day. `fuzzy` is the same date as the tracker stores it.
    """

    day: date
    precision: DatePrecision
    latest: date

    @classmethod
    def from_parts(cls, year: int, month: int | None = None, day: int | None = None) -> CowDate:
        """The date YEAR, MONTH, DAY allow; raise ValueError if they name no real day."""
        if day is not None and month is None:
            raise ValueError("a day without its month")
        if day is not None:
            fuzzy = FuzzyDate(date(year, month, day), DatePrecision.DAY)  # type: ignore[arg-type]
        elif month is not None:
            fuzzy = FuzzyDate(date(year, month, 1), DatePrecision.MONTH)
        else:
            fuzzy = FuzzyDate(date(year, 1, 1), DatePrecision.YEAR)
        return cls(fuzzy.earliest, fuzzy.precision, fuzzy.latest)

    @property
    def fuzzy(self) -> FuzzyDate:
        return FuzzyDate(self.day, self.precision, self.latest)

    def __str__(self) -> str:
        return str(self.fuzzy)


@dataclass(frozen=True, slots=True)
class CowSpell:
    """One row of the membership file: one member's spell in one alliance.

    An obligation is None where its cell was empty (unknown), never False. `start` and `end`
    are None where the file gives no date; an end of None with `right_censored` means the spell
    was in force when the data ends (COW_ENDS), not that it is in force today. `left_censored`
    means the spell began before the data does, so its start (1 January 1816) is where the
    data cuts it, not when the member joined; None where the cell was empty.
    """

    ccode: int
    state_name: str
    start: CowDate | None
    end: CowDate | None
    defense: bool | None
    neutrality: bool | None
    nonaggression: bool | None
    entente: bool | None
    line: int
    left_censored: bool | None = None
    right_censored: bool | None = None


@dataclass(frozen=True, slots=True)
class CowAlliance:
    """One alliance (`version4id`) with its member spells in file order.

    Censored if any spell is: `left_censored` means it began before 1816, `right_censored`
    that it was still in force when the data ends (2012).
    """

    cow_id: int
    type: str
    start: CowDate | None
    end: CowDate | None
    left_censored: bool
    right_censored: bool
    spells: tuple[CowSpell, ...]


@dataclass(frozen=True, slots=True)
class CowData:
    """The COW state list (every state in it, members or not) and the alliances by cow_id."""

    states: dict[int, CowState]
    alliances: list[CowAlliance]


def atop_obligations(spell: CowSpell) -> dict[str, bool | None]:
    """SPELL's obligations under the tracker's (ATOP's) names, each True, False or None."""
    # Defense, neutrality and non-aggression mean the same in both data sets. A COW entente is
    # a promise to consult in a crisis, which is ATOP's consultation. COW does not record
    # offense at all, so it is unknown (None), not absent (False); so is any obligation the
    # tracker may add later. An empty COW cell stays None.
    from_cow = {
        "defense": spell.defense,
        "neutrality": spell.neutrality,
        "nonaggression": spell.nonaggression,
        "consultation": spell.entente,
    }
    return {name: from_cow.get(name) for name in OBLIGATIONS}


def read_cow(path: Path) -> CowData:
    """Read the membership file PATH (or the folder holding it) and the state list beside it.

    Raise CowError (a TrackerError) listing every problem, in words, with file, line and column.
    """
    path = Path(path)
    members = path / MEMBERS_FILE if path.is_dir() else path
    states_path = members.parent / STATES_FILE
    problems: list[Problem] = []
    if not members.is_file():
        problems.append(Problem(file=members.name, reason=f"no such file: {members}"))
    if not states_path.is_file():
        problems.append(
            Problem(
                file=STATES_FILE,
                reason=f"the COW state list is missing: put it beside {members.name} "
                f"(looked for {states_path})",
            )
        )
    states = _read_states(states_path, problems) if states_path.is_file() else None
    alliances = _read_members(members, states, problems) if members.is_file() else []
    if problems:
        raise CowError(problems)
    return CowData(states=states or {}, alliances=alliances)


def _rows(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> Iterator[_Row]:
    """The rows of the CSV file PATH, by column name, with the line each starts on.

    Any line ending (CR only, LF, CRLF) ends a line, and a byte-order mark is dropped. A missing
    column is a problem, and then no row is read; so is a row with the wrong number of cells.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(
                file=path.name,
                reason=f"is not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
                f"{error.start})",
            )
        )
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.append(Problem(file=path.name, reason="the file is empty"))
        return
    header = [name.strip() for name in header]
    missing = [name for name in columns if name not in header]
    for name in missing:
        problems.append(
            Problem(file=path.name, line=1, column=name, reason="the column is missing")
        )
    if missing:
        return
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not cells:  # a blank line
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    file=path.name,
                    line=start,
                    reason=f"has {len(cells)} cells, the header {len(header)}",
                )
            )
            continue
        yield _Row(path.name, start, dict(zip(header, cells, strict=True)), problems)


class _Row:
    """One row's cells, read into values; each bad cell adds its problem and reads as None."""

    def __init__(self, file: str, line: int, cells: dict[str, str], problems: list[Problem]):
        self.file, self.line, self.cells, self.problems = file, line, cells, problems
        self.bad = False

    def problem(self, column: str | None, reason: str) -> None:
        self.bad = True
        self.problems.append(Problem(file=self.file, line=self.line, column=column, reason=reason))

    def text(self, column: str) -> str:
        """The text in COLUMN, which must not be empty."""
        value = self.cells[column].strip()
        if not value:
            self.problem(column, "the cell is empty")
        return value

    def blank(self, prefix: str) -> bool:
        """Whether the date in PREFIX_day, PREFIX_month, PREFIX_year is not given at all."""
        return all(not self.cells[f"{prefix}_{part}"].strip() for part in _PARTS)

    def number(self, column: str, what: str) -> int | None:
        """The whole number in COLUMN; None, without a problem, if empty or -9 (unknown)."""
        value = self.cells[column].strip()
        if value in ("", UNKNOWN):
            return None
        if not value.removeprefix("-").isdecimal():
            self.problem(column, f"{value!r} is not {what}")
            return None
        return int(value)

    def code(self, column: str, what: str) -> int | None:
        """A required whole number: an identifier."""
        value = self.text(column)
        if not value:
            return None
        if not value.isdecimal():
            self.problem(column, f"{value!r} is not {what}")
            return None
        return int(value)

    def flag(self, column: str) -> bool | None:
        """1 is True, 0 False; empty (or -9) is unknown, None, never False."""
        value = self.cells[column].strip()
        if value in ("", UNKNOWN):
            return None
        if value not in ("0", "1"):
            self.problem(column, f"{value!r} is not 0 or 1")
            return None
        return value == "1"

    def date(self, prefix: str) -> CowDate | None:
        """The date in PREFIX_day, PREFIX_month, PREFIX_year; None if all three are empty."""
        day_column, month_column, year_column = (f"{prefix}_{part}" for part in _PARTS)
        known = len(self.problems)
        year = self.number(year_column, "a year")
        month = self.number(month_column, "a month")
        day = self.number(day_column, "a day")
        if len(self.problems) > known:
            return None
        if year is None:
            if month is not None or day is not None:
                self.problem(year_column, "a day or month is given without its year")
            elif self.cells[year_column].strip() == UNKNOWN:
                self.problem(year_column, "the year is unknown (-9): the date cannot be placed")
            return None
        if not EARLIEST.year <= year <= LATEST.year:
            self.problem(
                year_column,
                f"{year} is not a year the tracker keeps ({EARLIEST.year} to {LATEST.year})",
            )
            return None
        if month is not None and not 1 <= month <= 12:
            self.problem(month_column, f"{month} is not a month (1 to 12)")
            return None
        if day is not None and month is None:
            self.problem(day_column, "a day is given without its month")
            return None
        if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:  # type: ignore[arg-type]
            self.problem(
                day_column,
                f"there is no {day} {calendar.month_name[month]} {year}",  # type: ignore[index]
            )
            return None
        return CowDate.from_parts(year, month, day)

    def in_order(self, prefix: str, start: CowDate | None, end: CowDate | None, what: str) -> None:
        """A problem if END ends before START begins (their periods cannot overlap)."""
        if start is not None and end is not None and end.latest < start.day:
            self.problem(f"{prefix}_end_year", f"{what} ends ({end}) before it starts ({start})")


def _read_states(path: Path, problems: list[Problem]) -> dict[int, CowState]:
    """The state list by code: a repeated row is one state, a conflicting one a problem."""
    states: dict[int, CowState] = {}
    first_line: dict[int, int] = {}
    for row in _rows(path, STATE_COLUMNS, problems):
        ccode = row.code("CCode", "a COW state code (a whole number)")
        abbreviation, name = row.text("StateAbb"), row.text("StateNme")
        if row.bad or ccode is None:
            continue
        state = CowState(ccode, abbreviation, name)
        known = states.setdefault(ccode, state)
        first_line.setdefault(ccode, row.line)
        if known != state:
            column = "StateAbb" if known.abbreviation != abbreviation else "StateNme"
            row.problem(
                column,
                f"code {ccode} is {abbreviation} {name!r} here but {known.abbreviation} "
                f"{known.name!r} on line {first_line[ccode]}: one code, one state",
            )
    return states


def _read_members(
    path: Path, states: dict[int, CowState] | None, problems: list[Problem]
) -> list[CowAlliance]:
    """The alliances in PATH by cow_id; STATES is None if the state list could not be read."""
    spells: dict[int, list[CowSpell]] = {}
    alliance_cells: dict[int, tuple[int, dict[str, str]]] = {}  # first line and its cells
    alliance_dates: dict[int, tuple[CowDate | None, CowDate | None]] = {}
    for row in _rows(path, MEMBER_COLUMNS, problems):
        cow_id = row.code("version4id", "an alliance id (a whole number)")
        ccode = row.code("ccode", "a COW state code (a whole number)")
        state_name = row.text("state_name")
        row.text("ss_type")
        if ccode is not None and states is not None and ccode not in states:
            row.problem("ccode", f"{ccode} is not in the COW state list ({STATES_FILE})")
        alliance_start, alliance_end = row.date("all_st"), row.date("all_end")
        row.in_order("all", alliance_start, alliance_end, "the alliance")
        start, end = row.date("mem_st"), row.date("mem_end")
        row.in_order("mem", start, end, "the spell")
        left, right = row.flag("left_censor"), row.flag("right_censor")
        if right and end is not None:
            row.problem("right_censor", f"a spell that ends ({end}) cannot be right-censored")
        elif right and alliance_end is not None:
            row.problem(
                "right_censor", f"the alliance ends ({alliance_end}): it cannot be right-censored"
            )
        elif right is False and row.blank("mem_end"):
            row.problem("mem_end_year", "the spell has no end but is not right-censored")
        if left and alliance_start is not None and alliance_start.day >= COW_STARTS:
            row.problem(
                "left_censor",
                f"the alliance began {alliance_start}, not before the data ({COW_STARTS}): "
                "it cannot be left-censored",
            )
        flags = {name: row.flag(name) for name in FLAGS}
        if cow_id is None:
            continue
        cells = {column: row.cells[column].strip() for column in ALLIANCE_COLUMNS}
        first = alliance_cells.setdefault(cow_id, (row.line, cells))
        for column in ALLIANCE_COLUMNS:
            if cells[column] != first[1][column]:
                row.problem(
                    column,
                    f"alliance {cow_id} has {cells[column]!r} here but {first[1][column]!r} "
                    f"on line {first[0]}: the rows of one alliance must agree",
                )
        if row.bad:
            continue
        alliance_dates.setdefault(cow_id, (alliance_start, alliance_end))
        spells.setdefault(cow_id, []).append(
            CowSpell(
                ccode=ccode,  # type: ignore[arg-type]  # not None, or the row is bad
                state_name=state_name,
                start=start,
                end=end,
                line=row.line,
                left_censored=left,
                right_censored=right,
                **flags,
            )
        )
    return [
        CowAlliance(
            cow_id=cow_id,
            type=alliance_cells[cow_id][1]["ss_type"],
            start=alliance_dates[cow_id][0],
            end=alliance_dates[cow_id][1],
            left_censored=any(spell.left_censored for spell in spells[cow_id]),
            right_censored=any(spell.right_censored for spell in spells[cow_id]),
            spells=tuple(spells[cow_id]),
        )
        for cow_id in sorted(spells)
    ]


# Writing: the data set into the database.

COW_LOADER = Actor(id=None, name="import-cow", role=Role.EDITOR)
# A COW state without an ISO 3166 code is stored under its COW abbreviation with this prefix, so
# that it never takes another state's ISO code (COW's KOR is the Korean Empire; ISO's, South
# Korea).
HISTORICAL_PREFIX = "COW"


@dataclass
class CowReport:
    """What `load_cow` did."""

    states_created: int = 0  # historical states with no ISO code, new
    states_linked: int = 0  # stored states given their COW abbreviation
    treaties_created: int = 0
    treaties_unchanged: int = 0
    left_alone: list[str] = field(default_factory=list)  # changed by someone since, and why


def load_cow(
    *,
    session: Session,
    path: Path,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> CowReport:
    """Load the COW alliances at PATH (see `read_cow`): each alliance a treaty keeping its COW
    id, each member spell a party's spell, every treaty citing the data set (a source of type
    "dataset"). A member is the stored state with its COW code, or a new historical state.
    Running it again changes nothing; a treaty someone has changed since is left as they left
    it. PROGRESS is told how many alliances are done, of how many."""
    data = read_cow(path)
    report = CowReport()
    codes = _states(session, data, report)
    source_id = _dataset_source(session)
    for done, alliance in enumerate(data.alliances, 1):
        stored = session.exec(select(Treaty).where(Treaty.cow_id == alliance.cow_id)).first()
        if stored is None:
            save(
                session=session,
                actor=COW_LOADER,
                kind="treaty",
                record=_treaty(alliance, codes, source_id),
            )
            report.treaties_created += 1
        elif stored.version == 1:
            report.treaties_unchanged += 1
        else:
            report.left_alone.append(
                f"treaty {stored.name!r} (COW alliance {alliance.cow_id}): changed since it was "
                "imported, so left as it is"
            )
        progress(done, len(data.alliances))
    return report


def _states(session: Session, data: CowData, report: CowReport) -> dict[int, str]:
    """The stored state code of each COW state, creating the historical ones."""
    codes: dict[int, str] = {}
    names = set(session.exec(select(State.name)))
    for state in data.states.values():
        # By its COW code, else by its abbreviation, which an editor may have given it alone.
        stored = session.exec(
            select(State)
            .where(
                sa.or_(State.cow_code == state.ccode, State.cow_abbreviation == state.abbreviation)
            )
            .order_by(State.cow_code.is_(None))
        ).first()
        if stored is None:
            name = state.name if state.name not in names else f"{state.name} (COW)"
            stored = save(
                session=session,
                actor=COW_LOADER,
                kind="state",
                record=StateCreate(
                    code=HISTORICAL_PREFIX + state.abbreviation,
                    name=name,
                    kind=StateKind.HISTORICAL,
                    cow_code=state.ccode,
                    cow_abbreviation=state.abbreviation,
                ),
            )
            names.add(name)
            report.states_created += 1
        elif stored.cow_abbreviation is None:
            record = as_record(session=session, kind="state", record_id=stored.id)
            save(
                session=session,
                actor=COW_LOADER,
                kind="state",
                record=record | {"cow_abbreviation": state.abbreviation},
                record_id=stored.id,
                expected_version=stored.version,
            )
            report.states_linked += 1
        codes[state.ccode] = stored.code
    return codes


def _dataset_source(session: Session) -> int:
    """The source every imported record cites: the data set, with its citation."""
    found = session.exec(select(Source.id).where(Source.url == COW_URL)).first()
    if found is not None:
        return found
    return save(
        session=session,
        actor=COW_LOADER,
        kind="source",
        record=SourceCreate(
            outlet="Correlates of War Project",
            author="Douglas M. Gibler",
            title=COW_CITATION,
            url=COW_URL,
            type=SourceType.DATASET,
        ),
    ).id


def _treaty(alliance: CowAlliance, codes: dict[int, str], source_id: int) -> TreatyCreate:
    """ALLIANCE as the tracker's treaty. COW's start is the day the alliance was signed and
    took effect, so it is both; an alliance COW leaves open was in force when the data ends,
    and its later status is not known. A treaty has an obligation if any member's spell does,
    lacks it if none does, and is not known to have it otherwise."""
    spells = alliance.spells
    obligations = [atop_obligations(spell) for spell in spells]
    start = str(alliance.start) if alliance.start else None
    lines = f"{spells[0].line}" if len(spells) == 1 else f"{spells[0].line}-{spells[-1].line}"
    return TreatyCreate(
        name=f"COW alliance {alliance.cow_id}: {alliance.type}"
        + (f", {alliance.start.day.year}" if alliance.start else ""),
        kind=alliance.type,
        summary=f"Correlates of War Formal Alliances (v4.1), alliance {alliance.cow_id}.",
        signed=start,
        in_force=start,
        ended=str(alliance.end) if alliance.end else None,
        known_in_force_until=None if alliance.end else COW_ENDS,
        cow_id=alliance.cow_id,
        **{
            name: True
            if any(each[name] for each in obligations)
            else (False if all(each[name] is False for each in obligations) else None)
            for name in OBLIGATIONS
        },
        parties=[
            TreatyPartyCreate(
                state_code=codes[spell.ccode],
                # A left-censored spell's start is where the data begins, not when it joined.
                joined=None if spell.left_censored or spell.start is None else str(spell.start),
                exited=str(spell.end) if spell.end else None,
            )
            for spell in spells
        ],
        citations=[
            CitationCreate(
                source_id=source_id,
                quote=f"version4id {alliance.cow_id}: {len(spells)} member spell(s), lines "
                f"{lines} of {MEMBERS_FILE}",
            )
        ],
    )
