"""The real dashboard in a real browser: `streamlit run` on a free loopback port, driven by
Playwright in Debian's Chromium, each page checked for its content and for errors, and
screenshotted into the folder the test run reports at its end."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd
import pytest
from conftest import Databases
from playwright.sync_api import Browser, Download, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy.engine import URL
from sqlmodel import Session
from support.postgres import free_port

from tracker.database import URL_VARIABLE, create_engine, session_for
from tracker.exchange.cow import load_cow
from tracker.exchange.exports import export
from tracker.serve import streamlit_command
from tracker.users import (
    SIGN_IN_COOKIE,
    SIGN_IN_LENGTH,
    SIGN_IN_VARIABLE,
    SYSTEM,
    NewUser,
    add_user,
)

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COW_DATA = Path(__file__).parent / "data" / "cow"
PAGES = {
    "overview": (
        "Alliance activity",
        [
            "over 11,000",
            "25,000 to 30,000",
            "only the same measure and scope are compared",
            "Activity over time",
        ],
    ),
    "deployments": ("Deployments", ["roughly 15,000", "over 11,000", "25,000 to 30,000"]),
    # Rapallo is not shown: nothing recorded says it was in force in the seed's date range.
    "treaties": (
        "Treaties",
        ["Comprehensive Strategic Partnership Treaty", "The alliance network on a day"],
    ),
    "engagements": ("Engagements", ["Putin–Kim phone call", "2025-08-12"]),
    "pledges": ("Pledges", ["fully support all measures taken by the Russian leadership"]),
    "sources": (
        "Sources",
        ["KCNA (Korean Central News Agency)", "Records resting on a single source"],
    ),
}


def screenshot_folder() -> Path:
    return Path(
        os.environ.get(
            "TRACKER_SCREENSHOTS", Path(__file__).parent.parent / "test-artifacts" / "screenshots"
        )
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run scripts/test.sh, which installs it"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@contextmanager
def served(database: URL, log: Path, **settings: str) -> Iterator[str]:
    """The address of the dashboard, served by `streamlit run` on DATABASE with the extra
    environment SETTINGS, until the block ends."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    environment = (
        os.environ | {URL_VARIABLE: database.render_as_string(hide_password=False)} | settings
    )
    with log.open("w") as output:
        server = subprocess.Popen(
            streamlit_command(port=port), env=environment, stdout=output, stderr=output
        )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{address}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; its log: {log.read_text()[-2000:]}")
                time.sleep(0.25)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextmanager
def dashboard_on_seeds(
    databases: Databases,
    log_name: str,
    prepare: Callable[[Session], object],
    **settings: str,
) -> Iterator[str]:
    """The address of the dashboard served on a fresh seeded database that PREPARE has added
    to, with SETTINGS in its environment and its log in LOG_NAME; dropped after."""
    database = databases.prepared(seeded=True)
    engine = create_engine(database)
    with session_for(engine) as session:
        prepare(session)
    engine.dispose()
    log = screenshot_folder().parent / f"{log_name}-{databases.backend}.log"
    try:
        with served(database, log, **settings) as address:
            yield address
    finally:
        create_engine(database).dispose()
        databases.drop(database)


def add_an_editor_and_a_viewer(session: Session) -> None:
    for name, role in (("ana", "editor"), ("vic", "viewer")):
        add_user(
            session=session, actor=SYSTEM, user=NewUser(name=name, password=PASSWORD, role=role)
        )


@pytest.fixture(scope="session")
def dashboard_url(databases: Databases) -> Iterator[str]:
    """The address of the dashboard, served on a seeded database with an editor and a viewer."""
    with dashboard_on_seeds(databases, "streamlit", add_an_editor_and_a_viewer) as address:
        yield address


@pytest.fixture(scope="session")
def cow_dashboard_url(databases: Databases) -> Iterator[str]:
    """The address of the dashboard on the seeds with the COW alliances loaded: 414 treaties
    from 1815 to 2012, many with dozens of members."""
    with dashboard_on_seeds(
        databases, "streamlit-cow", lambda session: load_cow(session=session, path=COW_DATA)
    ) as address:
        yield address


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    yield page
    context.close()


def finished(page: Page) -> None:
    """Wait for the page's script to finish: Streamlit shows a running indicator until then,
    and redraws widgets when it ends (an open dropdown would close under the test)."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def press(page: Page, button: str, heading: str) -> None:
    """Press BUTTON and wait for the page headed HEADING. A run starting as the button is
    pressed can lose the click: it is pressed again, up to three times, while still there."""
    arrived = page.get_by_role("heading", level=1, name=heading, exact=True)
    for _ in range(3):
        finished(page)
        pressed = page.get_by_role("button", name=button, exact=True)
        if pressed.count():
            pressed.click()
        with suppress(AssertionError):
            expect(arrived).to_be_visible(timeout=15_000)
            break
    expect(page.get_by_role("heading", level=1)).to_have_text(heading, timeout=30_000)
    finished(page)


def download(page: Page, button: str, key: str | None = None) -> Download:
    """Press the first BUTTON, or the one the page keys KEY, and take the file it downloads. A
    run starting as the button is pressed can lose the click: it is pressed again, up to three
    times. (Where a page has several, a key finds the button while a run redraws the page, when
    counting buttons may not.)"""
    pressed = (
        page.locator(f".st-key-{key}").get_by_role("button", name=button)
        if key
        else page.get_by_role("button", name=button).first
    )
    for _ in range(3):
        finished(page)
        with suppress(PlaywrightTimeout), page.expect_download(timeout=20_000) as started:
            pressed.click()
        with suppress(PlaywrightTimeout):
            return started.value
    raise AssertionError(f"pressing {button!r} three times downloaded nothing")


def sign_out(page: Page) -> None:
    """Sign out from the account page, and wait for the sign-in form alone."""
    press(page, "Sign out", "Sign in")
    # The account page's fields go when the run ends: until then "Password" names three.
    expect(page.get_by_role("textbox", name="Current password")).to_have_count(0)
    finished(page)


def open_page(page: Page, address: str, path: str, heading: str) -> None:
    page.goto(f"{address}/{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading, timeout=60_000)
    finished(page)


def assert_no_errors(page: Page) -> None:
    for error in ("stException", "stAlertContentError"):
        expect(page.get_by_test_id(error)).to_have_count(0)


def picture(page: Page, path: Path) -> None:
    """The whole page in PATH, however long: Streamlit scrolls its main block, not the
    document, so a full-page screenshot alone stops at the window's foot. The window is made
    as tall as the page for the picture."""
    size = page.viewport_size or {"width": 1400, "height": 2000}
    tall = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight,
            ...[...document.querySelectorAll('[data-testid="stMain"], section.main')]
                .map(block => block.scrollHeight))"""
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], tall + 40)})
    page.wait_for_timeout(500)  # the charts redraw to the new window
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)


@pytest.mark.parametrize("width", [1400, 1000])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_shows_its_content_without_errors(
    page: Page, dashboard_url: str, databases: Databases, name: str, width: int
) -> None:
    """At a desktop's width and a narrow laptop's, each page's content is there, with no
    error; the picture is whole, for a reader to look at."""
    page.set_viewport_size({"width": width, "height": 2000})
    heading, facts = PAGES[name]
    open_page(page, dashboard_url, "" if name == "overview" else name, heading)
    for fact in facts:
        # Table cells sit in the data grid's accessibility layer; the grid is drawn on a canvas.
        expect(page.get_by_text(fact, exact=False).first).to_be_attached(timeout=30_000)
    charts = page.locator(".vega-embed")
    expect(charts.first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Sources:", exact=False).first).to_be_visible()
    assert_no_errors(page)
    page.wait_for_timeout(500)  # let the charts finish their transitions before the picture
    picture(page, screenshot_folder() / databases.backend / f"{name}-{width}.png")


@pytest.mark.parametrize("width", [1400, 1000])
@pytest.mark.parametrize("name", ["overview", "treaties", "sources"])
def test_each_page_reads_with_two_centuries_of_alliances_loaded(
    page: Page, cow_dashboard_url: str, databases: Databases, name: str, width: int
) -> None:
    """With the COW alliances loaded and the dates reaching back to 1815, the pages that show
    them draw without error; the pictures are for a reader to look at."""
    page.set_viewport_size({"width": width, "height": 2000})
    heading = PAGES[name][0]
    path = "" if name == "overview" else name
    open_page(page, cow_dashboard_url, f"{path}?dates=1815-01-01&dates=2025-08-15", heading)
    expect(page.get_by_role("spinbutton", name="year, Dates start date")).to_have_text("1815")
    expect(page.locator(".vega-embed").first).to_be_visible(timeout=30_000)
    assert_no_errors(page)
    page.wait_for_timeout(500)
    picture(page, screenshot_folder() / databases.backend / f"cow-{name}-{width}.png")


def test_the_perspectives_page_quotes_each_perspective_in_full(
    page: Page, dashboard_url: str, databases: Databases
) -> None:
    open_page(page, dashboard_url, "perspectives", "Perspectives")
    choose(page, "Which engagement", "Putin–Kim phone call")
    for perspective in (
        "Pro-Kremlin or Russia-friendly",
        "Mainstream Western",
        "Ukrainian-aligned",
    ):
        expect(page.get_by_role("heading", name=perspective)).to_be_visible(timeout=30_000)
    # The quoted passage is shown whole, not clipped to a cell.
    expect(
        page.get_by_text("Moscow’s reliance on foreign forces.", exact=False).first
    ).to_be_visible()
    expect(page.get_by_text("South Korean government", exact=False).first).to_be_visible()
    assert_no_errors(page)
    folder = screenshot_folder() / databases.backend
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / "perspectives.png", full_page=True)


@pytest.mark.parametrize(
    ("path", "heading", "named_by", "dates"),
    [
        ("engagements", "Engagements", "engagement", ["first_day", "last_day"]),
        ("deployments", "Deployments", "deployment", ["as_of_first_day", "as_of_last_day"]),
        ("treaties", "Treaties", "treaty", ["signed_first_day", "signed_last_day"]),
    ],
)
def test_a_download_is_ready_for_analysis(
    page: Page, dashboard_url: str, path: str, heading: str, named_by: str, dates: list[str]
) -> None:
    """Every date parses, beside its notation; figures are numbers; each row names its record
    (NAMED_BY)."""
    open_page(page, dashboard_url, path, heading)
    frame = pd.read_csv(download(page, "Download this table").path(), parse_dates=dates)
    assert len(frame) > 0
    for column in dates:
        assert frame[column].notna().all(), f"{column} has a day pandas cannot read"
    assert (frame[dates[0]] <= frame[dates[1]]).all()
    assert frame[named_by].notna().all()
    if path == "deployments":
        assert set(frame["deployment"]) == {"North Korean troops in Russia (Kursk)"}
        assert pd.api.types.is_numeric_dtype(frame["low"])
        assert sorted(frame["low"].dropna().astype(int)) == [11000, 15000, 25000]


def test_the_sources_downloads_are_made_when_pressed_and_have_every_row(
    page: Page, dashboard_url: str
) -> None:
    """The page reads only the sources it shows; the file is made outside the page's run, with
    the filters of the page it was pressed on."""
    open_page(page, dashboard_url, "sources", "Sources")
    label = page.locator(".st-key-download-sources").get_by_role("button").inner_text()
    rows = int(label.split("CSV, ")[1].split(" row")[0].replace(",", ""))
    frame = pd.read_csv(download(page, "Download this table", key="download-sources").path())
    assert list(frame.columns) == ["outlet", "grade", "records", "type", "perspective", "title"]
    assert len(frame) == rows > 0
    assert "KCNA (Korean Central News Agency)" in set(frame["outlet"])
    assert frame["records"].is_monotonic_decreasing
    # The records resting on a single source, made the same way.
    single = pd.read_csv(
        download(page, "Download this table", key="download-single-source-records").path()
    )
    assert list(single.columns) == ["kind", "record", "origins"]
    assert "Lavrov visits North Korea and meets Kim" in set(single["record"])


def test_a_shared_link_opens_the_same_view(page: Page, dashboard_url: str) -> None:
    page.goto(f"{dashboard_url}/engagements?states=China+%28CHN%29")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagements", timeout=60_000)
    expect(page.get_by_text("Putin–Xi phone call").first).to_be_attached(timeout=30_000)
    finished(page)
    expect(page.get_by_text("Putin–Kim phone call")).to_have_count(0)
    assert_no_errors(page)


def test_choosing_a_filter_puts_it_in_the_address(page: Page, dashboard_url: str) -> None:
    open_page(page, dashboard_url, "treaties", "Treaties")
    states = page.get_by_test_id("stMultiSelect").filter(has_text="States")
    states.locator("input").fill("Germany")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => window.location.search.includes('states=Germany')", timeout=30_000
    )
    expect(page.get_by_text("Comprehensive Strategic Partnership Treaty")).to_have_count(
        0, timeout=30_000
    )
    expect(page.get_by_text("No treaties with a known span match").first).to_be_attached()


def sign_in(page: Page, address: str, name: str) -> None:
    open_page(page, address, "account", "Sign in")
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    press(page, "Sign in", "Account")
    # The page asks the server for the cookie after the run that signed in: a page opened
    # before the answer lands (as a test's next goto can, under load) would start signed out.
    assert settled_sign_in(page, kept=True), "the browser kept no sign-in"


def fill(page: Page, box: Locator, text: str) -> None:
    """Type TEXT into the text BOX and commit it, as leaving the box does (the page then runs
    again): checked once the run ends, and typed again if a redraw meanwhile wiped it."""
    for _attempt in range(3):
        finished(page)
        box.fill(text)
        box.press("Tab")
        finished(page)
        with suppress(AssertionError):
            expect(box).to_have_value(text, timeout=5_000)
            return
    expect(box).to_have_value(text)


def choose(page: Page, label: str, option: str) -> None:
    """Pick OPTION in the select box labelled LABEL, by typing to search it as an analyst would."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    search = box.get_by_role("combobox")  # the control itself, not its label
    match = page.get_by_role("option", name=option, exact=True).first
    # A text box commits its value when it loses focus, and the page then runs again and
    # redraws its widgets, closing any menu opened meanwhile: commit first, wait, and check
    # the choice took, trying again if a redraw swallowed it.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _attempt in range(3):
        finished(page)
        search.click()
        search.fill(option)
        try:
            expect(match).to_be_attached(timeout=5_000)
            # The search highlights the match; Enter picks it, as a keyboard user would (a
            # click on a menu near the foot of the page can land on whatever covers it).
            search.press("Enter")
            finished(page)
            expect(search).to_have_value(option, timeout=5_000)
            return
        except AssertionError:
            search.press("Escape")
    raise AssertionError(f"could not choose {option!r} in the {label!r} box")


def test_an_editor_adds_a_pledge_with_a_new_source_and_sees_it(
    page: Page, dashboard_url: str, databases: Databases
) -> None:
    sign_in(page, dashboard_url, "ana")
    page.get_by_role("link", name="Add or edit records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add or edit records", timeout=30_000)
    typed: list[tuple[Locator, str]] = []

    def type_in(box: Locator, text: str) -> None:
        fill(page, box, text)
        typed.append((box, text))

    title = page.get_by_role("textbox", name="Title", exact=True)
    type_in(title.first, "Russia pledges grain to North Korea")
    choose(page, "Pledged by (state)", "Russia (RUS)")
    # The recipients are a table drawn on a canvas; AppTest fills it (tests/test_data_entry.py).
    type_in(page.get_by_role("textbox", name="Made", exact=True), "2025-09")
    type_in(
        page.get_by_role("textbox", name="Exact words", exact=True),
        "We will send grain to our friends",
    )
    choose(page, "Source read", "A new source (fill in below)")
    type_in(
        page.get_by_role("textbox", name="Quoted passage", exact=True),
        "Russia will send grain to North Korea, the minister said",
    )
    page.get_by_text("A new source to cite").click()
    type_in(page.get_by_role("textbox", name="Outlet or author", exact=True), "Example Wire")
    type_in(title.nth(1), "Grain for Pyongyang")
    choose(page, "Type", "news report")
    finished(page)
    for box, text in typed:  # every box still holds what was typed, whatever ran since
        expect(box).to_have_value(text)
    page.get_by_role("button", name="Save the pledge").click()
    expect(page.get_by_text("Saved the pledge.")).to_be_visible(timeout=30_000)
    assert_no_errors(page)
    folder = screenshot_folder() / databases.backend
    page.screenshot(path=folder / "data-entry.png", full_page=True)
    page.get_by_role("link", name="Pledges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pledges", timeout=30_000)
    expect(page.get_by_text("Russia pledges grain to North Korea").first).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("We will send grain to our friends", exact=False).first).to_be_visible()


def test_a_viewer_cannot_reach_the_form(page: Page, dashboard_url: str) -> None:
    sign_in(page, dashboard_url, "vic")
    expect(page.get_by_role("link", name="Add or edit records")).to_have_count(0)
    page.goto(f"{dashboard_url}/edit")
    finished(page)
    page.wait_for_timeout(1000)
    expect(page.get_by_role("button", name="Save the pledge")).to_have_count(0)
    expect(page.get_by_role("heading", name="Add or edit records")).to_have_count(0)


def test_an_editor_uploads_an_export_previews_it_and_imports_it(
    page: Page, dashboard_url: str, databases: Databases, tmp_path: Path
) -> None:
    copy = databases.prepared(seeded=True)  # the same records as the dashboard's database
    engine = create_engine(copy)
    export(engine, tmp_path / "export.zip")
    engine.dispose()
    databases.drop(copy)
    sign_in(page, dashboard_url, "ana")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import CSV", timeout=30_000)
    finished(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(tmp_path / "export.zip")
    expect(page.get_by_text("What the import would do")).to_be_visible(timeout=60_000)
    finished(page)
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_text("Imported. The dashboard shows the new data now.")).to_be_visible(
        timeout=60_000
    )
    assert_no_errors(page)


def test_with_sign_in_required_every_address_shows_the_sign_in_form_then_its_page(
    page: Page, databases: Databases
) -> None:
    def add_a_viewer(session: Session) -> None:
        add_user(session=session, actor=SYSTEM, user=NewUser(name="vic", password=PASSWORD))

    with dashboard_on_seeds(
        databases, "streamlit-sign-in", add_a_viewer, **{SIGN_IN_VARIABLE: "1"}
    ) as address:
        for path in ("account", "sources", ""):
            open_page(page, address, path, "Sign in")
            expect(page.get_by_text("Page not found")).to_have_count(0)
            expect(page.get_by_role("link", name="Overview")).to_have_count(0)
        open_page(page, address, "sources", "Sign in")
        page.get_by_role("textbox", name="Name").fill("vic")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        press(page, "Sign in", "Sources")
        assert_no_errors(page)


def kept_sign_in(page: Page) -> dict | None:
    """The cookie that keeps this browser's sign-in, if it has one."""
    cookies = page.context.cookies()
    return next((cookie for cookie in cookies if cookie["name"] == SIGN_IN_COOKIE), None)


def settled_sign_in(page: Page, *, kept: bool) -> dict | None:
    """The sign-in cookie once the browser has it (KEPT) or has dropped it, waiting up to 30 s
    for the server's answer to the page's request."""
    deadline = time.monotonic() + 30
    while ((cookie := kept_sign_in(page)) is None) == kept and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return cookie


def post(address: str, path: str, body: bytes, origin: str) -> int:
    """The status of a POST to the dashboard's own address PATH, as sent from ORIGIN."""
    request = urllib.request.Request(
        f"{address}/{path}", data=body, method="POST", headers={"Origin": origin}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as refusal:
        return refusal.code


def test_a_sign_in_survives_a_reload_in_an_http_only_cookie_until_signing_out(
    page: Page, browser: Browser, dashboard_url: str
) -> None:
    sign_in(page, dashboard_url, "ana")
    cookie = kept_sign_in(page)
    assert cookie is not None
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # Chromium corrects an Expires date by the server's Date header, which is whole seconds, so
    # the cookie may outlive the sign-in by up to a second.
    assert 0 < cookie["expires"] - time.time() <= SIGN_IN_LENGTH.total_seconds() + 1
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account", timeout=30_000)
    expect(page.get_by_role("link", name="Add or edit records")).to_be_visible()

    sign_out(page)
    assert settled_sign_in(page, kept=False) is None, "signing out left the cookie in the browser"
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in", timeout=30_000)

    # A copy of the cookie taken before signing out signs nobody in: the sign-in ended on the
    # server, not just in this browser.
    elsewhere = browser.new_context()
    elsewhere.add_cookies([cookie])
    stolen = elsewhere.new_page()
    open_page(stolen, dashboard_url, "account", "Sign in")
    elsewhere.close()


def test_another_site_cannot_sign_a_browser_in_or_out(dashboard_url: str) -> None:
    assert post(dashboard_url, "api/sign-in", b"a code", "https://elsewhere.example") == 403
    assert post(dashboard_url, "api/sign-out", b"", "https://elsewhere.example") == 403
    assert post(dashboard_url, "api/sign-in", b"a guessed code", dashboard_url) == 400


def test_a_data_entry_address_asks_for_the_sign_in_it_needs_then_shows_its_page(
    page: Page, dashboard_url: str
) -> None:
    open_page(page, dashboard_url, "imports", "Sign in")
    expect(page.get_by_text("Import CSV is for editors: sign in to use it.")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_role("textbox", name="Name").fill("vic")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    press(page, "Sign in", "Account")
    expect(
        page.get_by_text("Import CSV is for editors: you are signed in as a viewer.")
    ).to_be_visible()
    sign_out(page)
    page.get_by_role("textbox", name="Name", exact=True).fill("ana")
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    press(page, "Sign in", "Import CSV")


def test_an_editor_reads_an_article_into_proposals_beside_its_text(
    page: Page, dashboard_url: str
) -> None:
    sign_in(page, dashboard_url, "ana")
    open_page(page, dashboard_url, "articles", "Add from an article")
    page.get_by_role("textbox", name="Article text").fill(
        "On Tuesday night, the Kremlin revealed that Putin had spoken with Kim Jong-un."
    )
    page.get_by_role("textbox", name="Outlet").fill("El Mundo")
    page.get_by_role("textbox", name="Published").fill("2025-08-13")
    finished(page)
    page.get_by_role("button", name="Read the article").click()
    expect(page.get_by_role("heading", name="What it proposes")).to_be_visible(timeout=30_000)
    finished(page)
    expect(page.get_by_text("[1]")).to_be_visible()
    expect(page.get_by_role("button", name="Save the 1 accepted")).to_be_enabled()
    assert_no_errors(page)
    page.screenshot(path=screenshot_folder() / "articles.png", full_page=True)
