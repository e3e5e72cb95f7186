"""Browser-test harness: Playwright's sync API driving Debian's Chromium at /usr/bin/chromium.

Never run ``playwright install`` (it downloads browsers); ``make install`` installs the
``chromium`` package instead. Without /usr/bin/chromium the browser tests skip, except under
CI=true, where they fail.

Usage::

    pytestmark = pytest.mark.browser

    def test_home(browser_page, live_server, shots, employee):
        page = browser_page("phone")            # or "desktop" (the default)
        login(page, live_server, "siti", "rahasia-123")
        shots.take(page, "home")                # test-artifacts/screenshots/<test>/01-home.png
        assert_no_horizontal_scroll(page)

The live server runs in another thread and sees committed data only: create test data
with the ``transactional_db`` fixture (or a fixture that depends on it), not ``db``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# ORM calls made by the tests "from an async context".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LOCAL_URL = re.compile(r"^(https?://(localhost|127\.0\.0\.1)(:\d+)?/|data:|blob:|about:)")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Launch one headless Chromium for the whole test session."""
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: run `make install` (it installs Debian's chromium "
            "package) or `apt-get install -y --no-install-recommends chromium`"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests cannot run under CI: {reason}.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BrowserPages:
    """Open pages in fresh browser contexts; records what must not happen in a page.

    ``external_requests``: requests to any host but the live server (blocked: the product
    must work offline). ``errors``: uncaught script errors and console errors.
    """

    browser: Any
    contexts: list[Any] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __call__(self, size: str = "desktop") -> Any:
        """Return a new page at "desktop" (1280x800) or "phone" (360x740) size, in id-ID."""
        context = self.browser.new_context(locale="id-ID", **SIZES[size])
        context.set_default_timeout(10_000)
        context.route(re.compile(r".*"), self._route)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        return page

    def _route(self, route: Any) -> None:
        url = route.request.url
        if LOCAL_URL.match(url):
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser_page(chromium_browser: Any) -> Iterator[BrowserPages]:
    """Factory of pages: ``page = browser_page("phone")``; contexts close after the test."""
    pages = BrowserPages(chromium_browser)
    try:
        yield pages
    finally:
        pages.close()


class Shots:
    """Numbered screenshots of one test: ``shots.take(page, "home")``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.taken: list[Path] = []

    def take(self, page: Any, name: str) -> Path:
        """Save a full-page PNG as <nn>-<name>.png and return its path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
        path = self.directory / f"{len(self.taken) + 1:02d}-{safe_name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    """Screenshots in test-artifacts/screenshots/<test-name>/, emptied at the test's start."""
    directory = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(directory, ignore_errors=True)
    return Shots(directory)


def login(page: Any, live_server: Any, username: str, password: str) -> None:
    """Sign in through the login form and wait for the page that follows."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form [type=submit]")


def wait_for_htmx(page: Any) -> None:
    """Wait until htmx has settled what it swapped in.

    htmx 2 binds the triggers of new content in its settle step, a moment after the content
    is visible: a test that types at once can beat it and its input goes unheard.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping')"
    )


def assert_no_horizontal_scroll(page: Any) -> None:
    """Fail when the page is wider than the window, naming the elements that stick out."""
    widths = page.evaluate(
        """() => {
            const inner = window.innerWidth;
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > inner + 0.5)
                .slice(0, 5)
                .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                    + (el.className && typeof el.className === "string"
                        ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
            return {scroll: document.documentElement.scrollWidth, inner, wide};
        }"""
    )
    assert widths["scroll"] <= widths["inner"], (
        f"horizontal scroll: page is {widths['scroll']} px wide in a {widths['inner']} px "
        f"window; too wide: {widths['wide']}"
    )
