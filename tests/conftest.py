"""Shared fixtures. Tests marked ``postgres`` run only against a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection, transaction
from pytest_django import DjangoDbBlocker
from pytest_django.plugin import blocking_manager_key

from config import navigation

# The browser harness's fixtures (one Chromium per test process, whichever folder asks).
from tests.browser.harness import browser_page, chromium_browser, shots  # noqa: F401


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests when the configured database is not PostgreSQL."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); runs in CI")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# Rows the data migrations seed ------------------------------------------------------------------

# The models whose rows data migrations seed (workflow/migrations/0004: national holidays).
SEEDED_MODELS = ("workflow.Holiday",)
_SEEDED_ROWS = pytest.StashKey[str]()


@pytest.fixture(scope="session", autouse=True)
def _seeded_rows(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[None]:
    """Keep the rows the migrations seeded, as JSON, before any test changes them.

    At the end of the session, before the test database is dropped, end the PostgreSQL
    sessions that threads of the tests left open on it (a dropped database must have none).
    """
    with django_db_blocker.unblock():
        rows = chain.from_iterable(
            apps.get_model(label)._default_manager.order_by("pk") for label in SEEDED_MODELS
        )
        request.config.stash[_SEEDED_ROWS] = serializers.serialize("json", rows)
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def _is_transactional(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return (
        "transactional_db" in fixtures
        or "live_server" in fixtures
        or bool(marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Seed the migrations' rows again after a transactional test emptied every table.

    pytest-django runs transactional tests last, but ``--dist loadfile`` runs each file's
    tests together, so later files would otherwise find no national holidays.
    """
    result = yield
    seeded = item.config.stash.get(_SEEDED_ROWS, "")
    # After the last test the test database is already gone; nothing needs the rows then.
    if seeded and nextitem is not None and _is_transactional(item):
        with item.config.stash[blocking_manager_key].unblock(), transaction.atomic():
            empty = not any(
                apps.get_model(label)._default_manager.exists() for label in SEEDED_MODELS
            )
            if empty:
                for row in serializers.deserialize("json", seeded):
                    row.save()
    return result


@pytest.fixture
def is_postgres() -> bool:
    """Return True when the tests run on PostgreSQL."""
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _restore_main_menu() -> Iterator[None]:
    """Put the main menu's registry back after each test, whatever the test (un)registered.

    Apps register their menu items once at start-up; a test that removes one (to check the
    menu without it) must not change the menu, and the query count, of later tests.
    """
    saved = dict(navigation._registry)
    yield
    navigation._registry.clear()
    navigation._registry.update(saved)
