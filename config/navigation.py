"""The main menu: each app registers the pages it offers and who may see them.

An app registers its items once, usually in ``AppConfig.ready()``::

    from config.navigation import NavItem, register, requires_perm

    register(
        NavItem("inbox", _("Kotak tugas"), "workflow:inbox", order=10),
        NavItem("designer", _("Desain tahapan"), "workflow:designer",
                visible=requires_perm("workflow.change_stagetemplate"), order=50,
                section="admin"),
    )

The ``nav_items`` context processor gives every template the items visible to the
signed-in user, with resolved URLs. An item whose ``url_name`` does not reverse (yet) is
left out, so an app may register before its pages exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, PermissionsMixin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AnyUser = AbstractBaseUser | AnonymousUser
Visibility = Callable[[AnyUser], bool]

# Sections in the order the menu shows them; an unknown section goes last.
SECTIONS = ("main", "admin")


def signed_in(user: AnyUser) -> bool:
    """Show the item to every signed-in user (the default)."""
    return bool(user.is_authenticated)


def staff_only(user: AnyUser) -> bool:
    """Show the item to staff (Django admin) users."""
    return bool(user.is_authenticated and getattr(user, "is_staff", False))


def requires_perm(*perms: str) -> Visibility:
    """Return a visibility test: signed in and holding every model permission named."""

    def visible(user: AnyUser) -> bool:
        return (
            user.is_authenticated and isinstance(user, PermissionsMixin) and user.has_perms(perms)
        )

    return visible


@dataclass(frozen=True)
class NavItem:
    """One entry of the main menu."""

    key: str
    label: str | Promise
    url_name: str
    visible: Visibility = signed_in
    order: int = 100
    section: str = "main"
    # Further URL names whose pages belong to this item (its tabs), e.g. "skp:hr_dashboard".
    also_active: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShownNavItem:
    """A menu entry as a template sees it: the URL resolved and whether it is the current page."""

    key: str
    label: str | Promise
    url: str
    section: str
    active: bool


_registry: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    """Add items to the menu; registering a key again replaces the earlier item."""
    for item in items:
        _registry[item.key] = item


def unregister(key: str) -> None:
    """Remove the item with this key, if any (for tests and apps that turn a page off)."""
    _registry.pop(key, None)


def registered_items() -> list[NavItem]:
    """Return every registered item in menu order (section, then order, then key)."""

    def sort_key(item: NavItem) -> tuple[int, int, str]:
        section = SECTIONS.index(item.section) if item.section in SECTIONS else len(SECTIONS)
        return (section, item.order, item.key)

    return sorted(_registry.values(), key=sort_key)


def items_for(request: HttpRequest) -> list[ShownNavItem]:
    """Return the items visible to the request's user with resolved URLs, one marked active."""
    user: AnyUser = getattr(request, "user", None) or AnonymousUser()
    resolved: list[tuple[NavItem, str]] = []
    for item in registered_items():
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        resolved.append((item, url))
    active_key = _active_key(request, resolved)
    return [
        ShownNavItem(item.key, item.label, url, item.section, item.key == active_key)
        for item, url in resolved
    ]


def _active_key(request: HttpRequest, resolved: list[tuple[NavItem, str]]) -> str | None:
    """Pick the item of the current page: an exact URL name (its own or one it claims),
    else the longest URL prefix."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for item, _url in resolved:
            if item.url_name == match.view_name:
                return item.key
        for item, _url in resolved:
            if match.view_name in item.also_active:
                return item.key
    path = request.path
    best: tuple[int, str] | None = None
    for item, url in resolved:
        matches = url == path or (url != "/" and path.startswith(url))
        if matches and (best is None or len(url) > best[0]):
            best = (len(url), item.key)
    return best[1] if best else None


def nav_items(request: HttpRequest) -> dict[str, list[ShownNavItem]]:
    """Context processor: ``nav_items`` for the main menu in ``base.html``."""
    return {"nav_items": items_for(request)}


register(NavItem("home", _("Beranda"), "home", order=0))
