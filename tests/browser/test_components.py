"""The shared UI components in a real browser: phone layout, vendored scripts, htmx + CSRF."""

from __future__ import annotations

from typing import Any

import pytest

from processes.organisation.models import User
from tests.browser.harness import BrowserPages, Shots, assert_no_horizontal_scroll, login

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.ui_urls")]


@pytest.fixture
def signed_in_user(transactional_db: None) -> User:
    return User.objects.create_user("budi", password="rahasia-123")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_components_fit_the_screen_and_scripts_load_offline(
    browser_page: BrowserPages, live_server: Any, shots: Shots, signed_in_user: User, size: str
) -> None:
    page = browser_page(size)
    login(page, live_server, "budi", "rahasia-123")

    page.goto(f"{live_server.url}/test/components/")

    assert_no_horizontal_scroll(page)
    table = page.locator("#wide-table")
    assert table.evaluate("el => el.scrollWidth > el.clientWidth") == (size == "phone")
    main_box = page.locator("#main-column").bounding_box()
    side_box = page.locator("#side-column").bounding_box()
    assert main_box is not None
    assert side_box is not None
    if size == "phone":
        assert side_box["y"] > main_box["y"] + main_box["height"] - 1  # stacked
    else:
        assert side_box["x"] > main_box["x"] + main_box["width"] - 1  # side by side
    assert page.evaluate("typeof window.htmx.ajax") == "function"
    assert page.evaluate("typeof window.Chart") == "function"
    assert page.locator(".badge-late").inner_text() == "Terlambat"
    assert page.locator("progress").get_attribute("value") == "67"
    assert page.locator("#id_nip").get_attribute("aria-invalid") == "true"
    shots.take(page, "components")
    assert browser_page.external_requests == []
    assert browser_page.errors == []


def test_htmx_posts_carry_the_csrf_token(
    browser_page: BrowserPages, live_server: Any, signed_in_user: User
) -> None:
    page = browser_page("desktop")
    login(page, live_server, "budi", "rahasia-123")
    page.goto(f"{live_server.url}/test/components/")

    page.click("#ping")

    page.wait_for_selector("#pong:has-text('pong POST')")
    assert browser_page.errors == []
