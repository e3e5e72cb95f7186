"""Error pages: Indonesian, no stack trace, and a 500 page that needs nothing to render."""

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.utils import translation

from processes.organisation.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.config.error_urls"),
]


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Requests here switch the thread's language; give the next test the default back."""
    with translation.override(None):
        yield


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def test_unknown_address_answers_the_indonesian_404_page(client: Client) -> None:
    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    assert template_names(response)[0] == "404.html"
    html = response.content.decode()
    assert '<html lang="id"' in html
    assert "<h1>Halaman tidak ditemukan</h1>" in html
    assert "Kembali ke Beranda" in html


def test_404_for_a_signed_in_user_keeps_the_menu(client: Client) -> None:
    client.force_login(User.objects.create_user("siti", password="rahasia-123"))

    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    assert '<a href="/">Beranda</a>' in response.content.decode()


def test_permission_denied_answers_the_indonesian_403_page(client: Client) -> None:
    response = client.get("/test/forbidden/")

    assert response.status_code == 403
    assert template_names(response)[0] == "403.html"
    html = response.content.decode()
    assert "<h1>Akses ditolak</h1>" in html
    assert "internal reason" not in html


def test_suspicious_request_answers_the_indonesian_400_page(client: Client) -> None:
    response = client.get("/test/bad-request/")

    assert response.status_code == 400
    assert template_names(response)[0] == "400.html"
    html = response.content.decode()
    assert "<h1>Permintaan tidak valid</h1>" in html
    assert "internal reason" not in html


def test_csrf_failure_answers_the_indonesian_page() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "siti", "password": "x"})

    assert response.status_code == 403
    assert "<h1>Formulir kedaluwarsa</h1>" in response.content.decode()


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_crash_answers_the_standalone_500_page_without_traceback() -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/test/crash/")

    assert response.status_code == 500
    # Only 500.html: no base template, no includes, nothing that needs the database.
    assert template_names(response) == ["500.html"]
    html = response.content.decode()
    assert "<h1>Terjadi kesalahan pada server</h1>" in html
    assert '<html lang="id">' in html
    for leak in ("Traceback", "RuntimeError", "kinerja-secret-traceback-marker", 'File "'):
        assert leak not in html


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_500_page_follows_the_chosen_language() -> None:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"

    response = client.get("/test/crash/")

    assert response.status_code == 500
    assert "<h1>Server error</h1>" in response.content.decode()
