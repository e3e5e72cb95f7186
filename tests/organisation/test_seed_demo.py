"""The demo seed is idempotent: a second run adds nothing (on SQLite, where `make run` loads it)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from processes.organisation.models import Agency, Employee, User


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the demo is what `make run` loads into the embedded SQLite database; on "
    "PostgreSQL its ~260 SKP walks take minutes, and the agencies' own cycles run there in "
    "tests/skp/agencies",
)
def test_seed_demo_twice_adds_nothing_twice() -> None:
    first = io.StringIO()
    call_command("seed_demo", stdout=first)
    counts = (User.objects.count(), Agency.objects.count(), Employee.objects.count())

    second = io.StringIO()
    call_command("seed_demo", stdout=second)

    assert (User.objects.count(), Agency.objects.count(), Employee.objects.count()) == counts
    assert "(0 rekaman baru," in second.getvalue()
    assert "admin" in first.getvalue()
    assert User.objects.get(username="admin").is_superuser is True
    assert User.objects.get(username="pengelola-dumai").check_password("demo12345") is True
