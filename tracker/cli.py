"""The `tracker` command: a thin layer over the library, one command per function."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from tracker import __version__
from tracker.activity import SPREAD_WINDOW_DAYS, headlines
from tracker.articles import read_article
from tracker.citations import Stance
from tracker.database import URL_VARIABLE, backup, engine_for, init_database, session_for
from tracker.dates import FuzzyDate
from tracker.errors import TrackerError, describe
from tracker.exchange.cow import load_cow
from tracker.exchange.exports import TABLES, export, filtered, new_export_target
from tracker.exchange.imports import Policy, import_data
from tracker.exchange.seeds import SeedProblems, load_seeds
from tracker.filters import Filters
from tracker.kinds import RecordKind
from tracker.kinds.deployments import list_estimates
from tracker.kinds.estimates import Measure
from tracker.kinds.sources import Reliability
from tracker.kinds.states import find_state
from tracker.kinds.treaties import treaties_in_force
from tracker.memory import freeze_loaded
from tracker.proposals import propose
from tracker.serve import prepare, serve
from tracker.users import SYSTEM, NewUser, Role, add_user, set_active

PASSWORD_VARIABLE = "TRACKER_PASSWORD"


class _Commands(typer.core.TyperGroup):
    """Shows any problem the user can act on as one line ("Error: ...") and exit code 1."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (TrackerError, ValidationError, SQLAlchemyError, OSError) as error:
            typer.echo(f"Error: {describe(error)}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Commands,
    help="Track alliances from open sources: states, treaties, engagements, deployments, pledges.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _engine(ctx: typer.Context) -> Engine:
    return ctx.obj


# The dashboard's filters, as options of every command that shows or writes what is in view.
StartOption = Annotated[
    str | None, typer.Option("--from-date", help="Records from this day (YYYY-MM-DD).")
]
EndOption = Annotated[
    str | None, typer.Option("--to-date", help="Records up to this day (YYYY-MM-DD).")
]
StateOption = Annotated[
    list[str] | None,
    typer.Option(help="A state's code, name or alias (two or more: between them)."),
]
KindOption = Annotated[list[RecordKind] | None, typer.Option(help="Only these kinds of record.")]
PerspectiveOption = Annotated[
    list[str] | None, typer.Option(help="Records resting on a source of this perspective.")
]
ReliabilityOption = Annotated[
    Reliability, typer.Option(help="Records resting on a source this reliable (F: any).")
]


def _filters(
    engine: Engine,
    start: str | None,
    end: str | None,
    state: list[str] | None,
    kind: list[RecordKind] | None,
    perspective: list[str] | None,
    min_reliability: Reliability,
) -> Filters:
    """The dashboard's filters from the command's options, states found by any of their names."""
    with session_for(engine) as session:
        codes = tuple(find_state(session=session, name=name).code for name in state or ())
    return Filters(
        start=start,
        end=end,
        states=codes,
        kinds=tuple(kind or RecordKind),
        perspectives=tuple(perspective or ()),
        min_reliability=min_reliability,
    )


@app.callback()
def _database(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            envvar=URL_VARIABLE,
            help="SQLAlchemy URL of the database [default: sqlite:///tracker.db].",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = engine_for(database_url)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade its schema, and load the reference data."""
    loaded = init_database(_engine(ctx))
    typer.echo(
        f"Database ready at {_engine(ctx).url.render_as_string()}: "
        f"{loaded['states']} states, {loaded['cameo_events']} CAMEO event codes."
    )


@app.command()
def seed(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Seed files (.toml), or folders of them read in name order "
            "[default: the tracker's own seeds].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load seed data (creating the schema if needed). An entry changes only the fields it
    gives, never a record someone else changed since; running it again changes nothing. If
    any file holds a problem, each is listed and nothing is written."""
    engine = _engine(ctx)
    init_database(engine)
    try:
        with session_for(engine) as session:
            report = load_seeds(session=session, paths=paths)
    except SeedProblems as refused:
        for problem in refused.problems:
            typer.echo(str(problem), err=True)
        typer.echo(
            f"Error: nothing was written: {len(refused.problems):,} problem(s) above.", err=True
        )
        raise typer.Exit(1) from None
    typer.echo(
        "Seed data loaded: " + ", ".join(f"{count} {kind}" for kind, count in report.counts.items())
    )
    for record in report.left_alone:
        typer.echo(str(record))


@app.command()
def dashboard(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    require_sign_in: Annotated[
        bool, typer.Option(help="Readers must sign in too (editors always must, to write).")
    ] = False,
) -> None:
    """Start the dashboard, first migrating the database and seeding it if it is empty."""
    engine = _engine(ctx)
    if prepare(engine):
        typer.echo("The database was empty: seed data loaded.")
    typer.echo(f"Dashboard at http://{address}:{port} (Ctrl+C stops it)")
    raise typer.Exit(serve(engine, port=port, address=address, require_sign_in=require_sign_in))


@app.command(name="backup")
def backup_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="New file to write the backup to.")],
) -> None:
    """Write a consistent copy of the whole database to PATH."""
    written = backup(_engine(ctx), path)
    typer.echo(f"Backup written to {written}")


@app.command()
def estimates(
    ctx: typer.Context,
    sending: Annotated[
        str | None, typer.Option("--from", help="Sending state: code, name or alias.")
    ] = None,
    receiving: Annotated[
        str | None, typer.Option("--to", help="Receiving state: code, name or alias.")
    ] = None,
    start: StartOption = None,
    end: EndOption = None,
    state: StateOption = None,
    perspective: PerspectiveOption = None,
    min_reliability: ReliabilityOption = Reliability.F,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Every source's estimate of deployments: what it measures and where, whose figure it is,
    through whom it was relayed, and the passages it rests on."""
    engine = _engine(ctx)
    filters = _filters(engine, start, end, state, None, perspective, min_reliability)
    with session_for(engine) as session:
        sending_code = find_state(session=session, name=sending).code if sending else None
        receiving_code = find_state(session=session, name=receiving).code if receiving else None
        rows = list_estimates(
            session=session,
            sending_state_code=sending_code,
            receiving_state_code=receiving_code,
            where=filters.conditions(RecordKind.ESTIMATE, kept_apart=True),
        )
    if as_json:
        typer.echo(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No estimates match.")
    for row in rows:
        words = f' ("{row.as_of_words}")' if row.as_of_words else ""
        typer.echo(
            f"{row.deployment}: {row.figure} {Measure(row.measure).words} in {row.scope} "
            f"(as of {row.as_of}{words}, {row.rank}, {row.standing}) "
            f"per {row.source} [{row.reliability}]"
        )
        for citation in row.citations:
            stance = "" if citation.stance == Stance.SUPPORTS else f"{citation.stance}: "
            source = f"{citation.provenance}; credibility {citation.credibility}"
            typer.echo(f'    {stance}"{citation.quote}" ({source})')


@app.command()
def overview(
    ctx: typer.Context,
    start: StartOption = None,
    end: EndOption = None,
    state: StateOption = None,
    kind: KindOption = None,
    perspective: PerspectiveOption = None,
    min_reliability: ReliabilityOption = Reliability.F,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """The Overview's headline figures for the dashboard's filters, as of the end of the range
    (or today): treaties in force, engagements in the last 90 days, open pledges, and the
    spread of estimates of each deployment, measure and scope."""
    engine = _engine(ctx)
    filters = _filters(engine, start, end, state, kind, perspective, min_reliability)
    with session_for(engine) as session:
        figures = headlines(session=session, filters=filters)
    if as_json:
        typer.echo(json.dumps(figures.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    typer.echo(f"As of {figures.as_of}:")
    typer.echo(f"  Treaties in force: {figures.treaties_in_force}")
    if figures.treaties_status_not_recorded:
        typer.echo(
            f"    and {figures.treaties_status_not_recorded} more whose status that day is "
            "not recorded"
        )
    typer.echo(f"  Engagements in the last 90 days: {figures.engagements_last_90_days}")
    typer.echo(f"  Open pledges: {figures.open_pledges}")
    for spread in figures.estimates:
        typer.echo(
            f"  {spread.deployment}, {Measure(spread.measure).words} in {spread.scope}: "
            f"{spread.figures} ({spread.sources} source{'' if spread.sources == 1 else 's'}; "
            f"compares the estimates dated within {SPREAD_WINDOW_DAYS} days of the latest)"
        )
        for estimate in spread.compared:
            typer.echo(f"    {estimate}")
    if figures.more_spreads:
        typer.echo(f"  … and {figures.more_spreads} more deployments, measures or scopes")


@app.command()
def treaties(
    ctx: typer.Context,
    state: Annotated[
        str,
        typer.Option(
            help="A state's ISO code, name, alias or Correlates of War abbreviation (the ISO "
            "meaning wins; cow:AUS names COW's Austria)."
        ),
    ],
    on: Annotated[
        str | None, typer.Option(help="The day (YYYY-MM-DD) [default: today].", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """The treaties in force for a state on a day, by its own spells of membership."""
    day = TypeAdapter(date).validate_python(on) if on else date.today()
    with session_for(_engine(ctx)) as session:
        found = treaties_in_force(session=session, state=state, on=day)
    if as_json:
        typer.echo(json.dumps([treaty.model_dump(mode="json") for treaty in found], indent=2))
        return
    if not found:
        typer.echo(f"No treaty is recorded as in force for {state} on {day}.")
    for treaty in found:
        ended = f", ended {treaty.ended}" if treaty.ended else ""
        typer.echo(
            f"{treaty.name} (signed {treaty.signed or 'not recorded'}{ended}): {treaty.status}; "
            f"{len(treaty.parties)} members that day"
        )


def _published(text: str) -> FuzzyDate:
    try:
        return FuzzyDate.parse(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


@app.command()
def extract(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The article: a .txt file, a saved web page (.html), or - to read it from "
            "standard input.",
        ),
    ],
    published: Annotated[
        FuzzyDate,
        typer.Option(
            parser=_published,
            help="When the article was published: 2025-08-13, or the days it may have been "
            "(2025-08-13/2025-08-14). Its relative dates count from the first.",
        ),
    ],
    outlet: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Propose the engagements, estimates, pledges and treaties an article holds, each quoting
    its sentence, for review: nothing is saved. A proposal that repeats a stored record says
    which."""
    content = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    article = read_article(content, published=published, outlet=outlet, name=path.name)
    with session_for(_engine(ctx)) as session:
        proposals = propose(session=session, article=article)
    if as_json:
        shown = [proposal.as_json() for proposal in proposals]
        typer.echo(json.dumps(shown, indent=2, ensure_ascii=False, default=str))
        return
    if not proposals:
        typer.echo("No record proposed: no engagement, estimate, pledge or treaty was read.")
    for proposal in proposals:
        typer.echo(proposal.described)
        typer.echo(f'    "{proposal.quote}"')


@app.command(name="import-cow")
def import_cow(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="The COW membership file (alliance_v4.1_by_member.csv), with "
            "COW-country-codes.csv beside it, or their folder."
        ),
    ],
) -> None:
    """Load the Correlates of War Formal Alliances (v4.1): each alliance a treaty with its COW id,
    each member's spells, every record citing the data set. Running it again changes nothing."""
    engine = _engine(ctx)
    init_database(engine)
    with (
        typer.progressbar(length=1, label="Importing alliances", file=sys.stderr) as bar,
        session_for(engine) as session,
    ):

        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        report = load_cow(session=session, path=path, progress=advance)
    typer.echo(
        f"Created {report.treaties_created} treaties and {report.states_created} historical "
        f"states; gave {report.states_linked} states their COW abbreviation; left "
        f"{report.treaties_unchanged} treaties unchanged."
    )
    for reason in report.left_alone:
        typer.echo(reason)


@app.command(name="export")
def export_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="A folder, or a file ending in .zip.")],
    table: Annotated[
        list[str] | None, typer.Option(help="Only this table (repeat for more).")
    ] = None,
    start: StartOption = None,
    end: EndOption = None,
    state: StateOption = None,
    kind: KindOption = None,
    perspective: PerspectiveOption = None,
    min_reliability: ReliabilityOption = Reliability.F,
) -> None:
    """Export the database as CSV, one file per table, described by a datapackage.json."""
    engine = _engine(ctx)
    filters = _filters(engine, start, end, state, kind, perspective, min_reliability)
    chosen = filters.model_dump(mode="json", exclude_defaults=True)
    tables = table or list(TABLES)
    new_export_target(out)  # refused before the progress bar starts
    with typer.progressbar(length=len(tables), label="Exporting", file=sys.stderr) as bar:
        counts = export(
            engine,
            out,
            tables=tables,
            filters=chosen,
            where=filtered(filters),
            progress=lambda name, count: bar.update(1),
        )
    typer.echo(f"Exported {sum(counts.values()):,} rows in {len(counts)} tables to {out}")


@app.command(name="import")
def import_command(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="An export's folder or .zip, or one table's CSV file.")
    ],
    dry_run: Annotated[bool, typer.Option(help="Report what would happen; write nothing.")] = False,
    existing: Annotated[
        Policy, typer.Option(help="What to do with rows already stored.")
    ] = Policy.UPDATE,
) -> None:
    """Import CSV in one transaction: every row checked by the forms' rules; if any is bad,
    nothing is written and every problem is listed with its file, line and column."""
    with typer.progressbar(length=len(TABLES), label="Importing", file=sys.stderr) as bar:
        report = import_data(
            _engine(ctx),
            path,
            policy=existing,
            dry_run=dry_run,
            progress=lambda table, rows: bar.update(1),
        )
    for problem in report.problems:
        typer.echo(str(problem), err=True)
    if report.more_problems:
        typer.echo(f"... and {report.more_problems:,} more problems", err=True)
    if report.total_problems:
        listed = f", the first {len(report.problems):,}" if report.more_problems else ""
        typer.echo(
            f"Error: nothing was written: {report.total_problems:,} problem(s){listed} above.",
            err=True,
        )
        raise typer.Exit(1)
    counts = (
        sum(report.created.values()),
        sum(report.updated.values()),
        sum(report.unchanged.values()),
        sum(report.skipped.values()),
    )
    if dry_run:
        typer.echo(
            "Would create {:,} rows, update {:,}, leave {:,} unchanged and skip {:,} "
            "(dry run: nothing written).".format(*counts)
        )
    else:
        typer.echo(
            "Created {:,} rows, updated {:,}, left {:,} unchanged and skipped {:,}.".format(*counts)
        )


users = typer.Typer(help="Who may sign in to the dashboard, and what they may do.")
app.add_typer(users, name="user")


@users.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[
        Role, typer.Option(help="viewer reads; editor also writes; admin also manages users.")
    ] = Role.VIEWER,
    reset_password: Annotated[
        bool,
        typer.Option("--reset-password", help="The user exists: give them this password and role."),
    ] = False,
) -> None:
    """Add a user; with --reset-password, give an existing user a new password and role. The
    password is read from $TRACKER_PASSWORD, or asked for without echo."""
    password = os.environ.get(PASSWORD_VARIABLE) or typer.prompt(
        f"Password for {name}", hide_input=True, confirmation_prompt=True
    )
    with session_for(_engine(ctx)) as session:
        user = add_user(
            session=session,
            actor=SYSTEM,
            user=NewUser(name=name, password=password, role=role),
            reset=reset_password,
        )
        typer.echo(f"{user.name} can now sign in as {Role(user.role).with_article}.")


UserName = Annotated[str, typer.Argument(help="The user's name.")]


def _set_active(ctx: typer.Context, name: str, *, active: bool) -> None:
    with session_for(_engine(ctx)) as session:
        user = set_active(session=session, actor=SYSTEM, name=name, active=active)
        typer.echo(
            f"{user.name} can sign in again as {Role(user.role).with_article}."
            if active
            else f"{user.name} can no longer sign in."
        )


@users.command("deactivate")
def user_deactivate(ctx: typer.Context, name: UserName) -> None:
    """Stop a user signing in; any session they have open ends at its next step."""
    _set_active(ctx, name, active=False)


@users.command("activate")
def user_activate(ctx: typer.Context, name: UserName) -> None:
    """Let a deactivated user sign in again, with the role and password they had."""
    _set_active(ctx, name, active=True)


@app.command()
def version() -> None:
    """Print the tracker's version."""
    typer.echo(__version__)


def unreadable_argument(arguments: list[str]) -> str | None:
    """Why one of ARGUMENTS cannot be read as text, or None. Python keeps bytes that are not
    UTF-8 as lone surrogates, which fail later wherever the text is written."""
    for position, argument in enumerate(arguments, start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            return (
                f"argument {position} ({shown!r}) is not UTF-8 text: "
                "type it again, or set the terminal to UTF-8"
            )
    return None


def main() -> None:
    if problem := unreadable_argument(sys.argv[1:]):
        typer.echo(f"Error: {problem}", err=True)
        raise SystemExit(1)
    freeze_loaded()
    app()
