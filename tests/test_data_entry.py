"""Data entry in the dashboard, under AppTest: signing in, the record form, refusals, conflicts,
retirement and history, and who may reach what."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Error

from tracker.citations import Citation
from tracker.database import project_path
from tracker.kinds.engagements import Engagement
from tracker.kinds.pledges import Pledge
from tracker.kinds.sources import Source
from tracker.kinds.treaties import find_treaty
from tracker.records import as_record, save
from tracker.users import SYSTEM, Actor, NewUser, add_user
from tracker.versions import data_version

APP = project_path("dashboard") / "app.py"
PASSWORD = "correct horse battery"
SAVE = "FormSubmitter:edit.form.pledge-Save the pledge"


def field(name: str) -> str:
    return f"form.pledge.{name}"


@pytest.fixture
def app(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False)
    )
    with Session(seeded_engine) as session:
        for name, role in (("ana", "editor"), ("vic", "viewer"), ("ada", "admin")):
            add_user(
                session=session, actor=SYSTEM, user=NewUser(name=name, password=PASSWORD, role=role)
            )
        session.commit()
    yield AppTest.from_file(str(APP), default_timeout=120)


def sign_in(app: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    app.run()
    app.switch_page("views/account.py").run()
    app.text_input(key="sign_in.name").input(name)
    app.text_input(key="sign_in.password").input(password)
    app.button(key="FormSubmitter:sign-in-Sign in").click().run()
    return app


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Pledge)).one(),
            session.exec(select(func.count()).select_from(Source)).one(),
        )


def save_as_colleague(engine: Engine, kind: str, record_id: int, **changes: Any) -> None:
    """Another editor, ben, saves CHANGES to a record, as if from another browser."""
    with Session(engine) as session:
        record = as_record(session=session, kind=kind, record_id=record_id)
        colleague = Actor(id=None, name="ben", role="editor")
        save(
            session=session,
            actor=colleague,
            kind=kind,
            record=record | changes,
            record_id=record_id,
        )
        session.commit()


def fill_pledge(app: AppTest, *, made: str) -> None:
    app.text_input(key=field("title")).input("Russia pledges grain to North Korea")
    app.selectbox(key=field("pledger_state_code")).set_value("RUS")
    # The recipients are a table: the rows it starts from, as an editor would type them.
    app.session_state[field("recipients.rows")] = pd.DataFrame(
        [{"state_code": "North Korea (PRK)", "person_id": None}]
    )
    app.text_input(key=field("made")).input(made)
    app.text_input(key=field("made_words")).input("next month")
    app.text_area(key=field("quote")).input("We will send grain")
    app.selectbox(key=field("kind")).set_value("economic")
    app.selectbox(key=field("cite.source")).set_value(-1)
    app.text_area(key=field("cite.quote")).input("Russia will send grain to its ally")
    app.text_input(key=field("new.outlet")).input("Example Wire")
    app.text_input(key=field("new.title")).input("Grain for Pyongyang")
    app.selectbox(key=field("new.type")).set_value("news_report")
    app.text_input(key=field("new.published")).input("2025-08")
    app.text_input(key=field("new.published_words")).input("last month")


def test_a_wrong_password_is_refused_in_words(app: AppTest) -> None:
    sign_in(app, "ana", "not the password")
    assert "actor" not in app.session_state
    assert app.error[0].value == "That name and password do not match an active user."


def test_an_editor_adds_a_pledge_with_a_new_source_and_sees_it(
    app: AppTest, seeded_engine: Engine
) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    fill_pledge(app, made="2025-09")
    app.button(key=SAVE).click().run()
    assert not app.exception
    assert [message.value for message in app.success] == ["Saved the pledge."]
    with Session(seeded_engine) as session:
        pledge = session.exec(
            select(Pledge).where(Pledge.title.startswith("Russia pledges grain"))
        ).one()
        stored = as_record(session=session, kind="pledge", record_id=pledge.id)
        source = session.get(Source, stored["citations"][0]["source_id"])
    assert (source.outlet, str(source.fuzzy("published")), source.published_words) == (
        "Example Wire",
        "2025-08",
        "last month",
    )
    assert [recipient["state_code"] for recipient in stored["recipients"]] == ["PRK"]
    assert (stored["made"], stored["made_words"]) == ("2025-09", "next month")
    app.switch_page("views/pledges.py").run()
    assert any("Russia pledges grain to North Korea" in element.value for element in app.markdown)


def test_bad_input_is_refused_next_to_its_field_keeps_what_was_typed_and_writes_nothing(
    app: AppTest, seeded_engine: Engine
) -> None:
    before = counts(seeded_engine)
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    fill_pledge(app, made="last week")
    app.selectbox(key=field("new.type")).set_value(None)
    app.button(key=SAVE).click().run()
    errors = [element.value for element in app.error]
    assert shown_under(app, field("made")).startswith("'last week' is not a date")
    # The new source's problem, shown at the same time, under its own field.
    assert shown_under(app, field("new.type")) == "required"
    # In the tracker's words, never the validator's.
    assert not any("Field required" in error or "List should" in error for error in errors)
    assert app.text_input(key=field("made")).value == "last week"
    assert app.text_input(key=field("title")).value == "Russia pledges grain to North Korea"
    assert counts(seeded_engine) == before


def test_a_pledge_without_a_citation_is_refused(app: AppTest, seeded_engine: Engine) -> None:
    before = counts(seeded_engine)
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    fill_pledge(app, made="2025-09")
    app.selectbox(key=field("cite.source")).set_value(None)
    app.text_area(key=field("cite.quote")).input("")
    app.text_input(key=field("new.outlet")).input("")
    app.text_input(key=field("new.title")).input("")
    app.selectbox(key=field("new.type")).set_value(None)
    app.button(key=SAVE).click().run()
    assert any("citations" in error.value or "at least 1" in error.value for error in app.error)
    assert counts(seeded_engine) == before


def test_a_save_over_someone_elses_newer_version_is_refused_and_keeps_the_input(
    app: AppTest, seeded_engine: Engine
) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    with Session(seeded_engine) as session:
        pledge_id = session.exec(
            select(Pledge.id).where(Pledge.title.startswith("Kim assures"))
        ).one()
    app.selectbox(key="edit.record.pledge").set_value(pledge_id).run()
    app.text_area(key=field("quote")).input("unconditional support, said Kim")
    # meanwhile, a colleague saves the same pledge
    save_as_colleague(seeded_engine, "pledge", pledge_id, conditions="none")
    app.button(key=SAVE).click().run()
    assert any("was changed by ben" in error.value for error in app.error)
    assert app.text_area(key=field("quote")).value == "unconditional support, said Kim"
    with Session(seeded_engine) as session:
        assert session.get(Pledge, pledge_id).quote == "unconditional support"


def test_retiring_from_the_form_hides_the_record_and_history_tells_who(app: AppTest) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value("treaty").run()
    choice = app.selectbox(key="edit.record.treaty")
    choice.select_index(choice.options.index("Treaty of Rapallo")).run()
    app.button(
        key=next(button.key for button in app.button if button.label == "Retire this treaty")
    ).click().run()
    assert any("Retired the treaty" in message.value for message in app.success)
    app.switch_page("views/treaties.py").run()
    assert "Treaty of Rapallo" not in set(app.dataframe[0].value["treaty"])


def test_the_history_shows_every_change_whole_in_a_table_that_wraps(
    app: AppTest, seeded_engine: Engine
) -> None:
    with Session(seeded_engine) as session:
        rapallo = find_treaty(session=session, name="Treaty of Rapallo")
        quote = session.exec(select(Citation.quote).where(Citation.treaty_id == rapallo.id)).first()
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value("treaty").run()
    choice = app.selectbox(key="edit.record.treaty")
    choice.select_index(choice.options.index("Treaty of Rapallo")).run()
    # Tables of text, not grids that clip a cell: the quoted passage is there whole.
    changes = pd.concat(table.value for table in app.table)
    assert list(changes.columns) == ["Field", "Before", "After"]
    assert quote in set(changes["After"])


def test_a_viewer_cannot_reach_the_data_entry_page(app: AppTest) -> None:
    sign_in(app, "vic")
    assert app.session_state["actor"].role == "viewer"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/edit.py")


def test_only_admins_reach_user_management(app: AppTest) -> None:
    sign_in(app, "ana")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/users.py")
    admin = sign_in(AppTest.from_file(str(APP), default_timeout=120), "ada")
    admin.switch_page("views/users.py").run()
    assert {"ana", "vic", "ada"} <= set(admin.dataframe[0].value["name"])


def test_reading_can_be_made_to_need_sign_in(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_REQUIRE_SIGN_IN", "1")
    app.run()
    assert [title.value for title in app.title] == ["Sign in"]
    assert not app.metric


@pytest.mark.parametrize(
    ("kind", "record"),
    [
        ("state", "North Korea (PRK)"),
        ("person", "Kim Jong Un (PRK)"),
        (
            "source",
            "Kremlin: Readout of Vladimir Putin's telephone conversation with Kim Jong Un, "
            "12 August 2025",
        ),
        ("treaty", "Comprehensive Strategic Partnership Treaty"),
        ("engagement", "Putin–Kim phone call"),
        ("deployment", "North Korean troops in Russia (Kursk)"),
        ("pledge", "Kim assures Lavrov of unconditional support for Russia"),
    ],
)
def test_every_kind_of_record_opens_in_the_form_and_saves_unchanged(
    app: AppTest, seeded_engine: Engine, kind: str, record: str
) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value(kind).run()
    choice = app.selectbox(key=f"edit.record.{kind}")
    choice.select_index(choice.options.index(record)).run()
    with Session(seeded_engine) as session:
        before = data_version(session)
    save_button = next(button for button in app.button if button.label.startswith("Save the"))
    save_button.click().run()
    assert not app.exception, [error.value for error in app.exception]
    assert not app.error, [error.value for error in app.error]
    assert [message.value for message in app.success] == [f"Saved the {kind}."]
    with Session(seeded_engine) as session:
        assert data_version(session) == before  # the form gave back exactly what was stored


def test_editors_reach_the_import_page_and_viewers_do_not(app: AppTest) -> None:
    sign_in(app, "ana")
    app.switch_page("views/imports.py").run()
    assert not app.exception
    assert [title.value for title in app.title] == ["Import CSV"]
    viewer = sign_in(AppTest.from_file(str(APP), default_timeout=120), "vic")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        viewer.switch_page("views/imports.py")


def test_an_obligation_is_yes_no_or_not_recorded(app: AppTest, seeded_engine: Engine) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value("treaty").run()
    choice = app.selectbox(key="edit.record.treaty")
    choice.select_index(choice.options.index("Comprehensive Strategic Partnership Treaty")).run()
    offense = app.selectbox(key="form.treaty.offense")
    assert (offense.options, offense.value) == (["not recorded", "yes", "no"], None)
    offense.select_index(offense.options.index("no"))  # in the form: sent with the save
    next(button for button in app.button if button.label == "Save the treaty").click().run()
    assert [message.value for message in app.success] == ["Saved the treaty."]
    with Session(seeded_engine) as session:
        treaty = find_treaty(session=session, name="Comprehensive Strategic Partnership Treaty")
        assert (treaty.defense, treaty.offense, treaty.neutrality) == (True, False, None)


def test_a_citations_chain_and_stance_survive_the_form_and_can_be_entered_in_it(
    app: AppTest, seeded_engine: Engine
) -> None:
    with Session(seeded_engine) as session:
        call = session.exec(
            select(Engagement.id).where(Engagement.title == "Putin–Kim phone call")
        ).one()
        ids = {source.outlet: source.id for source in session.exec(select(Source)).all()}
        record = as_record(session=session, kind="engagement", record_id=call)
    # A colleague records that a further citation reached the article through a chain of relays,
    # and that another is a later correction.
    further = record["citations"][1]
    assert further["relayed_source_id"] == ids["KCNA (Korean Central News Agency)"]
    chained = further | {"relayed_via": [ids["Yeni Şafak"], ids["Kyiv Post"]]}
    correction = {
        "source_id": ids["Kyiv Post"],
        "quote": "The call was on Monday, not Tuesday.",
        "stance": "corrects",
        "stated": "2025-08",
        "stated_words": "a week later",
    }
    citations = [record["citations"][0], chained, *record["citations"][2:], correction]
    save_as_colleague(seeded_engine, "engagement", call, citations=citations)

    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value("engagement").run()
    app.selectbox(key="edit.record.engagement").set_value(call).run()
    assert app.text_input(key="form.engagement.occurred_words").value == "Tuesday night"
    with Session(seeded_engine) as session:
        before = data_version(session)
    save = "FormSubmitter:edit.form.engagement-Save the engagement"
    app.button(key=save).click().run()
    assert not app.error, [error.value for error in app.error]
    with Session(seeded_engine) as session:
        assert data_version(session) == before  # nothing the table does not show was lost

    # The editor gives the first citation a chain of its own.
    app.multiselect(key="form.engagement.cite.via").set_value([ids["The Moscow Times"]])
    app.button(key=save).click().run()
    assert not app.error, [error.value for error in app.error]
    with Session(seeded_engine) as session:
        stored = as_record(session=session, kind="engagement", record_id=call)["citations"]
    assert stored[0]["relayed_via"] == [ids["The Moscow Times"]]
    by_quote = {(c["quote"], c["relayed_source_id"]): c for c in stored}
    relayed = by_quote[(further["quote"], further["relayed_source_id"])]
    assert relayed["relayed_via"] == [ids["Yeni Şafak"], ids["Kyiv Post"]]
    kept = by_quote[(correction["quote"], None)]
    assert (kept["stance"], kept["stated_words"]) == ("corrects", "a week later")
    assert str(kept["stated"]).startswith("2025-08")

    # The table shows each citation's stance: a correction whose quote is edited stays one.
    rows = app.session_state["form.engagement.citations.rows"].copy()
    assert set(rows["stance"]) == {"supports", "corrects"}
    rows.loc[rows["quote"] == correction["quote"], "quote"] = "The call was on Monday."
    app.session_state["form.engagement.citations.rows"] = rows
    app.button(key=save).click().run()
    assert not app.error, [error.value for error in app.error]
    with Session(seeded_engine) as session:
        stored = as_record(session=session, kind="engagement", record_id=call)["citations"]
    [edited] = [c for c in stored if c["quote"] == "The call was on Monday."]
    assert (edited["stance"], str(edited["stated"])) == ("corrects", "2025-08-01")


def test_a_correction_is_entered_as_the_first_citation(app: AppTest, seeded_engine: Engine) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    fill_pledge(app, made="2025-09")
    app.selectbox(key=field("cite.stance")).set_value("retracts")
    app.button(key=SAVE).click().run()
    assert any("say when the source retracted the record" in error.value for error in app.error)
    app.text_input(key=field("cite.stated")).input("2025-10")
    app.text_input(key=field("cite.stated_words")).input("in October")
    app.button(key=SAVE).click().run()
    assert not app.error, [error.value for error in app.error]
    with Session(seeded_engine) as session:
        pledge = session.exec(
            select(Pledge).where(Pledge.title.startswith("Russia pledges grain"))
        ).one()
        cited = as_record(session=session, kind="pledge", record_id=pledge.id)["citations"][0]
    assert (cited["stance"], cited["stated_words"]) == ("retracts", "in October")


def _in_order(node: Any) -> Iterator[Any]:
    """NODE and everything in it, in the order the page shows them."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _in_order(child)


def shown_under(app: AppTest, widget: str) -> str | None:
    """The problem the form shows right under the field (or table) with the key WIDGET."""
    nodes = [node for node in _in_order(app.main) if not isinstance(node, Block)]
    at = next(index for index, node in enumerate(nodes) if getattr(node, "key", None) == widget)
    following = nodes[at + 1] if at + 1 < len(nodes) else None
    return following.value if isinstance(following, Error) else None


def open_record(app: AppTest, kind: str, record: str | None) -> None:
    """Open the form of KIND on RECORD (by its name in the picker; None: the first)."""
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value(kind).run()
    choice = app.selectbox(key=f"edit.record.{kind}")
    choice.select_index(1 if record is None else choice.options.index(record)).run()


def type_into(app: AppTest, kind: str, values: dict[str, Any]) -> None:
    """Type VALUES into the fields of KIND's form, by name (a table: its rows)."""
    widgets = {getattr(node, "key", None): node for node in _in_order(app.main)}
    for name, value in values.items():
        if isinstance(value, pd.DataFrame):
            app.session_state[f"form.{kind}.{name}.rows"] = value
        else:
            widgets[f"form.{kind}.{name}"].set_value(value)


def save_form(app: AppTest, kind: str) -> None:
    label = kind.replace("_", " ")
    app.button(key=f"FormSubmitter:edit.form.{kind}-Save the {label}").click().run()


VALIDATORS_WORDS = ("Value error", "Field required", "List should", "Input should")

# For each kind of record, a stored record given a field of its own left empty and a problem
# across fields; what the form says under each of the two.
BOTH_AT_ONCE = [
    (
        "state",
        "North Korea (PRK)",
        {"name": "", "successor_code": "PRK"},
        {"name": "required", "successor_code": "a state cannot succeed itself"},
    ),
    (
        "person",
        "Kim Jong Un (PRK)",
        {"name": "", "office_from": "2020", "office_to": "2019"},
        {"name": "required", "office_to": "office to (2019) is before office from (2020)"},
    ),
    (
        "source",
        "Kremlin: Readout of Vladimir Putin's telephone conversation with Kim Jong Un, "
        "12 August 2025",
        {"title": "", "perspective": "", "perspective_source_id": "the first source"},
        {"title": "required", "perspective": "say which perspective the classification gives"},
    ),
    (
        "treaty",
        "Comprehensive Strategic Partnership Treaty",
        {"name": "", "ended": "2020"},
        {"name": "required", "ended": "ended (2020) is before signed (2024-06)"},
    ),
    (
        "engagement",
        "Putin–Kim phone call",
        {"title": "", "cite.stance": "corrects"},
        {"title": "required", "cite.stated": "say when the source corrected the record"},
    ),
    (
        "deployment",
        "North Korean troops in Russia (Kursk)",
        {"name": "", "ended": "2023"},
        {"name": "required", "ended": "ended (2023) is before started (2024-09-01/2024-11-30)"},
    ),
    (
        "estimate",
        None,
        {"scope": "", "qualifier": "between", "low": 9, "high": 3},
        {"scope": "required", "low": "low (9) is above high (3)"},
    ),
    (
        "pledge",
        "Kim assures Lavrov of unconditional support for Russia",
        {"title": "", "pledger_state_code": "RUS"},
        {"title": "required", "recipients": "a state cannot pledge to itself"},
    ),
]


@pytest.mark.parametrize(
    ("kind", "record", "typed", "expected"), BOTH_AT_ONCE, ids=[case[0] for case in BOTH_AT_ONCE]
)
def test_a_form_with_a_field_left_empty_and_a_rule_broken_across_fields_reports_both_at_once(
    app: AppTest,
    seeded_engine: Engine,
    kind: str,
    record: str | None,
    typed: dict[str, Any],
    expected: dict[str, str],
) -> None:
    sign_in(app, "ana")
    open_record(app, kind, record)
    if typed.get("perspective_source_id") == "the first source":
        typed |= {
            "perspective_source_id": app.selectbox(
                key=f"form.{kind}.perspective_source_id"
            ).options[1]
        }
    with Session(seeded_engine) as session:
        before = data_version(session)
    type_into(app, kind, typed)
    save_form(app, kind)
    assert not app.exception, [error.value for error in app.exception]
    assert {name: shown_under(app, f"form.{kind}.{name}") for name in expected} == expected
    said = [error.value for error in app.error]
    assert said[-1].startswith("Nothing was saved: 2 fields to put right, each marked above")
    assert len(said) == 3, said  # the two problems and what they add up to: nothing else
    assert not any(words in error for error in said for words in VALIDATORS_WORDS)
    with Session(seeded_engine) as session:
        assert data_version(session) == before


def test_a_deployment_with_no_name_and_an_end_before_its_start_reports_both_under_their_fields(
    app: AppTest,
) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value("deployment").run()
    type_into(
        app,
        "deployment",
        {
            "sending_state_code": "PRK",
            "receiving_state_code": "RUS",
            "started": "2024-10",
            "ended": "2024-09",
            "cite.source": app.selectbox(key="form.deployment.cite.source").options[2],
            "cite.quote": "Troops crossed in October and left in September.",
        },
    )
    save_form(app, "deployment")
    assert shown_under(app, "form.deployment.name") == "required"
    assert (
        shown_under(app, "form.deployment.ended") == "ended (2024-09) is before started (2024-10)"
    )
    assert app.error[-1].value == (
        "Nothing was saved: 2 fields to put right, each marked above: Name; Ended."
    )


def test_problems_in_tables_name_their_row_and_column_and_the_first_citations_its_field(
    app: AppTest,
) -> None:
    sign_in(app, "ana")
    open_record(app, "engagement", "Putin–Kim phone call")
    participants = app.session_state["form.engagement.participants.rows"]
    further = app.session_state["form.engagement.citations.rows"]
    type_into(
        app,
        "engagement",
        {
            "title": "",
            "cite.quote": "",
            "cite.source": app.selectbox(key="form.engagement.cite.source").options[2],
            # A participant with a person but no state, after a row left empty.
            "participants": pd.concat(
                [
                    participants,
                    pd.DataFrame([{}, {"person_id": participants["person_id"].dropna().iloc[0]}]),
                ],
                ignore_index=True,
            ),
            # A further citation with its source but no quoted passage.
            "citations": pd.concat(
                [further, pd.DataFrame([{"source": further["source"].iloc[0]}])],
                ignore_index=True,
            ),
        },
    )
    save_form(app, "engagement")
    assert not app.exception, [error.value for error in app.exception]
    row = len(participants) + 2  # numbered as the table shows it, the empty row counted
    assert shown_under(app, "form.engagement.participants") == f"Row {row}, State: required"
    assert shown_under(app, "form.engagement.cite.quote") == "required"
    assert shown_under(app, "form.engagement.citations") == (
        f"Row {len(further) + 1}, Quoted passage: required"
    )
    assert shown_under(app, "form.engagement.title") == "required"
    assert app.error[-1].value == (
        "Nothing was saved: 4 fields to put right, each marked above: Title; Participants; "
        "Citation: quoted passage; Further citations."
    )


@pytest.mark.parametrize("kind", ["state", "treaty", "engagement", "pledge"])
def test_an_empty_form_is_refused_in_the_trackers_words_never_the_validators(
    app: AppTest, kind: str
) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value(kind).run()
    save_form(app, kind)
    said = [error.value for error in app.error]
    assert said and said[-1].startswith("Nothing was saved")
    assert not any(words in error for error in said for words in VALIDATORS_WORDS), said


@pytest.mark.parametrize("kind", ["state", "treaty", "engagement", "pledge", "person"])
def test_the_forms_tables_show_an_empty_cell_as_a_dash_never_a_grey_none(
    app: AppTest, kind: str
) -> None:
    sign_in(app, "ana")
    app.switch_page("views/edit.py").run()
    app.selectbox(key="edit.kind").set_value(kind).run()
    tables = [table for table in app.dataframe if str(table.key).startswith(f"form.{kind}.")]
    assert tables
    assert {table.proto.placeholder for table in tables} == {"—"}


# Adding from an article (views/articles.py): read, review beside the text, save the accepted.

ARTICLE = (project_path("seeds") / "articles" / "000_5b4c11754cefc43e.txt").read_text()
READ = "FormSubmitter:article-Read the article"


def read_article_page(app: AppTest, *, text: str = ARTICLE, published: str = "2025-08-13") -> None:
    sign_in(app, "ana")
    app.switch_page("views/articles.py").run()
    app.text_area(key="article.text").input(text)
    app.text_input(key="article.outlet").input("El Mundo")
    app.text_input(key="article.title").input("Putin and Kim strengthen their military alliance")
    app.text_input(key="article.published").input(published)
    app.button(key=READ).click().run()


def test_an_article_is_read_into_proposals_marked_in_its_text(app: AppTest) -> None:
    read_article_page(app)
    assert not app.exception and not app.error
    marked = [m.value for m in app.markdown if ":orange-background[" in m.value]
    assert marked and "Kremlin revealed" in marked[0]
    engagements = app.session_state["article.read"][2]
    calls = [p.title for p in engagements if p.kind == "engagement"]
    assert "Putin–Kim phone call" in calls


def test_the_reading_form_tells_every_problem_under_its_field(app: AppTest) -> None:
    read_article_page(app, text="", published="last week")
    assert [error.value for error in app.error] == [
        "Paste the article, or upload its file.",
        "'last week' is not a date: write 2025-08-12, 2025-08, 2025-Q3, 2025 or a range such "
        "as 2025-06-01/2025-08-13.",
    ]
    assert "article.read" not in app.session_state


def test_accepted_proposals_are_saved_citing_their_sentence_and_repeats_add_a_citation(
    app: AppTest, seeded_engine: Engine
) -> None:
    read_article_page(app)
    with Session(seeded_engine) as session:
        engagements = session.exec(select(func.count()).select_from(Engagement)).one()
    # Keep only what is dated: an undated engagement cannot be saved.
    proposals = app.session_state["article.read"][2]
    for kind in ("engagement", "estimate", "pledge", "treaty"):
        key = f"article.{kind}"
        if key in app.session_state:
            rows = [number for number, p in enumerate(proposals, start=1) if p.kind == kind]
            app.session_state[key] = {
                "edited_rows": {
                    index: {"accept": proposals[number - 1].date is not None}
                    for index, number in enumerate(rows)
                },
                "added_rows": [],
                "deleted_rows": [],
            }
    app.run()
    save_button = next(b for b in app.button if b.label.startswith("Save the"))
    save_button.click().run()
    assert not app.exception
    [saved] = app.success
    assert "cited in engagement 1: Putin–Kim phone call" in saved.value.replace("\\", "")
    with Session(seeded_engine) as session:
        assert session.exec(select(func.count()).select_from(Engagement)).one() == engagements
        source = session.exec(select(Source).where(Source.outlet == "El Mundo")).one()
        quotes = set(
            session.exec(select(Citation.quote).where(Citation.source_id == source.id)).all()
        )
    assert any(quote.startswith("On Tuesday night, the Kremlin revealed") for quote in quotes)


def test_a_proposal_that_cannot_be_saved_is_named_and_nothing_is_saved(
    app: AppTest, seeded_engine: Engine
) -> None:
    read_article_page(app, text="Lavrov visited Pyongyang and met with Kim.")
    before = counts(seeded_engine)
    next(b for b in app.button if b.label.startswith("Save the")).click().run()
    [error] = app.error
    assert error.value.replace("\\", "") == "Nothing was saved:\n- Proposal 1: occurred: required"
    assert counts(seeded_engine) == before


def save_the_first_engagement_as_edited(app: AppTest, cells: dict[str, Any]) -> None:
    """Put CELLS in the first proposed engagement's row, as an editor types them, and save."""
    app.session_state["article.engagement"] = {
        "edited_rows": {0: cells},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    next(b for b in app.button if b.label.startswith("Save the")).click().run()


def test_a_cell_the_editor_empties_is_refused_in_words_under_its_proposal(
    app: AppTest, seeded_engine: Engine
) -> None:
    read_article_page(app, text="On Tuesday, Lavrov visited Pyongyang and met with Kim.")
    before = counts(seeded_engine)
    save_the_first_engagement_as_edited(app, {"title": None})
    [error] = app.error
    assert error.value.replace("\\", "") == "Nothing was saved:\n- Proposal 1: title: required"
    assert counts(seeded_engine) == before


def test_the_states_of_a_proposal_are_put_right_in_its_grid(
    app: AppTest, seeded_engine: Engine
) -> None:
    read_article_page(app, text="On Tuesday, Lavrov visited Pyongyang and met with Kim.")
    save_the_first_engagement_as_edited(app, {"states": ["CHN", "PRK"]})
    assert not app.error, [error.value for error in app.error]
    with Session(seeded_engine) as session:
        visit = session.exec(
            select(Engagement.id).where(Engagement.title == "Lavrov–Kim visit")
        ).one()
        record = as_record(session=session, kind="engagement", record_id=visit)
        taking_part = {participant["state_code"] for participant in record["participants"]}
    assert taking_part == {"CHN", "PRK"}


def test_who_told_it_is_put_right_in_the_grid_and_the_citation_names_them(
    app: AppTest, seeded_engine: Engine
) -> None:
    read_article_page(app, text="On Tuesday, Lavrov visited Pyongyang, a lawmaker said.")
    assert app.session_state["article.read"][2][0].relayed_via == ["a lawmaker"]
    save_the_first_engagement_as_edited(app, {"relayed_via": "Kremlin"})
    assert not app.error, [error.value for error in app.error]
    with Session(seeded_engine) as session:
        kremlin = session.exec(select(Source.id).where(Source.outlet == "Kremlin")).one()
        relayed = session.exec(
            select(Citation.relayed_source_id).where(
                Citation.quote.startswith("On Tuesday, Lavrov")
            )
        ).one()
    assert relayed == kremlin
