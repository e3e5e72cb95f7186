"""Signing in with a username or an NIP, and the login page."""

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from processes.organisation.models import Agency, Employee, User


@pytest.fixture
def employee_user(db: None) -> User:
    agency = Agency.objects.create(name="Kab. Uji", code="uji", time_zone="Asia/Makassar")
    user = User.objects.create_user("siti", password="rahasia-123", agency=agency)
    Employee.objects.create(agency=agency, user=user, nip="198609262015051001", name="Siti")
    return user


@pytest.mark.parametrize(
    "identifier", ["siti", "SITI", "198609262015051001", "19860926 201505 1 001", " siti "]
)
def test_sign_in_with_username_or_nip(employee_user: User, identifier: str) -> None:
    assert authenticate(username=identifier, password="rahasia-123") == employee_user


@pytest.mark.parametrize(
    ("identifier", "password"),
    [("siti", "salah"), ("198609262015051001", "salah"), ("198609262015051002", "rahasia-123")],
)
def test_wrong_password_or_unknown_nip_is_refused(
    employee_user: User, identifier: str, password: str
) -> None:
    assert authenticate(username=identifier, password=password) is None


def test_inactive_user_cannot_sign_in(employee_user: User) -> None:
    employee_user.is_active = False
    employee_user.save()

    assert authenticate(username="198609262015051001", password="rahasia-123") is None


def test_login_page_is_in_indonesian(client: Client, db: None) -> None:
    response = client.get("/login/")

    assert response.status_code == 200
    assert 'lang="id"' in response.content.decode()
    assert "Nama pengguna atau NIP" in response.content.decode()


def test_home_requires_login(client: Client, db: None) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_with_nip_then_home_shows_agency_zone(client: Client, employee_user: User) -> None:
    response = client.post(
        "/login/", {"username": "19860926 201505 1 001", "password": "rahasia-123"}
    )
    assert response.status_code == 302

    home = client.get("/")

    assert home.status_code == 200
    assert "Waktu ditampilkan dalam WITA" in home.content.decode()


def test_failed_login_shows_error_and_does_not_sign_in(client: Client, employee_user: User) -> None:
    response = client.post("/login/", {"username": "siti", "password": "salah"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors() == [
        "Nama pengguna, NIP atau sandi tidak cocok. Periksa kembali lalu coba lagi; huruf besar "
        "dan kecil pada sandi dibedakan."
    ]
