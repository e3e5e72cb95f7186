"""Shared fixtures. Tests marked ``postgres`` run only against a real PostgreSQL server."""

from __future__ import annotations

import pytest
from django.db import connection

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


@pytest.fixture
def is_postgres() -> bool:
    """Return True when the tests run on PostgreSQL."""
    return connection.vendor == "postgresql"
