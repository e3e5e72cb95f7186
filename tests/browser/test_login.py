"""Signing in through a real browser, at desktop and phone size."""

from __future__ import annotations

from typing import Any

import pytest

from processes.organisation.models import Agency, Employee, User
from tests.browser.harness import BrowserPages, Shots, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser

PASSWORD = "rahasia-123"
NIP_WITH_SPACES = "19860926 201505 1 001"


@pytest.fixture
def employee(transactional_db: None) -> User:
    agency = Agency.objects.create(name="Kab. Uji", code="uji", time_zone="Asia/Makassar")
    user = User.objects.create_user(
        "siti", password=PASSWORD, agency=agency, first_name="Siti", last_name="Rahmawati"
    )
    Employee.objects.create(agency=agency, user=user, nip="198609262015051001", name="Siti")
    return user


def assert_clean(pages: BrowserPages) -> None:
    assert pages.external_requests == []
    assert pages.errors == []


def test_sign_in_with_nip_at_desktop_size(
    browser_page: BrowserPages, live_server: Any, shots: Shots, employee: User
) -> None:
    page = browser_page("desktop")

    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/login/?next=/"
    assert page.locator("h1").inner_text() == "Masuk"
    shots.take(page, "login")

    page.fill("#id_username", NIP_WITH_SPACES)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form [type=submit]")

    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "Selamat datang, Siti Rahmawati"
    current = page.locator('#main-nav a[aria-current="page"]')
    assert current.inner_text() == "Beranda"
    assert page.locator(".nav-toggle").is_hidden()
    assert page.locator("#main-nav").is_visible()
    shots.take(page, "home")
    assert_clean(browser_page)


def test_sign_in_with_nip_at_phone_width_has_no_horizontal_scroll(
    browser_page: BrowserPages, live_server: Any, shots: Shots, employee: User
) -> None:
    page = browser_page("phone")

    page.goto(f"{live_server.url}/login/")
    assert_no_horizontal_scroll(page)
    shots.take(page, "login")

    login(page, live_server, NIP_WITH_SPACES, PASSWORD)

    assert page.url == f"{live_server.url}/"
    assert_no_horizontal_scroll(page)
    toggle = page.locator(".nav-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#main-nav").is_hidden()
    shots.take(page, "home")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator('#main-nav a[aria-current="page"]').is_visible()
    assert_no_horizontal_scroll(page)
    shots.take(page, "menu-open")

    page.keyboard.press("Escape")
    assert page.locator("#main-nav").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    assert_clean(browser_page)


def test_wrong_password_shows_the_error_on_a_phone(
    browser_page: BrowserPages, live_server: Any, shots: Shots, employee: User
) -> None:
    page = browser_page("phone")

    login(page, live_server, NIP_WITH_SPACES, "salah")

    assert page.url == f"{live_server.url}/login/"
    assert page.locator('.form-errors[role="alert"]').is_visible()
    assert_no_horizontal_scroll(page)
    shots.take(page, "error")
    assert_clean(browser_page)


def test_switching_to_english_on_the_login_page(
    browser_page: BrowserPages, live_server: Any, shots: Shots, transactional_db: None
) -> None:
    page = browser_page("desktop")
    page.goto(f"{live_server.url}/login/")

    with page.expect_navigation():
        page.select_option("#lang-select", "en")

    assert page.url == f"{live_server.url}/login/"
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("html").get_attribute("lang") == "en"
    shots.take(page, "login-english")
    assert_clean(browser_page)
