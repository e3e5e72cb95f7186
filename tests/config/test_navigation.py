"""The main menu: items registered by apps, shown by role, the current page marked."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.utils import translation

from config import navigation
from config.navigation import NavItem, items_for, register, requires_perm, staff_only
from processes.organisation.models import User


@pytest.fixture
def menu() -> Iterator[None]:
    """Give the test a menu with only "home" (apps register their own); restore it afterwards."""
    saved = dict(navigation._registry)
    navigation._registry.clear()
    navigation._registry["home"] = saved["home"]
    yield
    navigation._registry.clear()
    navigation._registry.update(saved)


def request_for(user: User | AnonymousUser, path: str = "/") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_home_is_registered_for_signed_in_users_only(db: None, menu: None) -> None:
    user = User.objects.create_user("siti", password="rahasia-123")

    shown = items_for(request_for(user))

    with translation.override("id"):
        labels = [(item.key, str(item.label), item.url, item.active) for item in shown]
    assert labels == [("home", "Beranda", "/", True)]
    assert items_for(request_for(AnonymousUser())) == []


def test_items_are_filtered_by_role_ordered_and_unreversible_ones_skipped(
    db: None, menu: None
) -> None:
    register(
        NavItem(
            "admin-site", "Admin", "admin:index", visible=staff_only, order=90, section="admin"
        ),
        NavItem("later", "Belum ada", "no-such-page", order=5),
        NavItem("login-again", "Masuk", "login", order=20),
        NavItem("perm", "Butuh izin", "healthz", visible=requires_perm("workflow.act_case")),
    )
    staff = User.objects.create_user("admin1", password="rahasia-123", is_staff=True)
    plain = User.objects.create_user("biasa", password="rahasia-123")

    assert [item.key for item in items_for(request_for(staff))] == [
        "home",
        "login-again",
        "admin-site",
    ]
    assert [item.key for item in items_for(request_for(plain))] == ["home", "login-again"]
    superuser = User.objects.create_superuser("root", password="rahasia-123")
    assert [item.key for item in items_for(request_for(superuser))] == [
        "home",
        "login-again",
        "perm",
        "admin-site",
    ]


def test_registering_a_key_again_replaces_the_item(menu: None) -> None:
    register(NavItem("home", "Halaman awal", "home", order=0))

    assert [str(item.label) for item in navigation.registered_items()] == ["Halaman awal"]


def test_the_deepest_matching_item_is_active(db: None, menu: None) -> None:
    register(NavItem("admin-site", "Admin", "admin:index", visible=staff_only))
    staff = User.objects.create_user("admin1", password="rahasia-123", is_staff=True)

    shown = items_for(request_for(staff, "/admin/organisation/"))

    assert [(item.key, item.active) for item in shown] == [("home", False), ("admin-site", True)]


def test_menu_renders_with_aria_current_on_the_page(client: Client, db: None, menu: None) -> None:
    client.force_login(User.objects.create_user("siti", password="rahasia-123"))

    html = client.get("/").content.decode()

    assert '<nav id="main-nav" class="nav" aria-label="Navigasi utama">' in html
    assert '<li><a href="/" aria-current="page">Beranda</a></li>' in html
    assert 'aria-controls="main-nav"' in html
