from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_json_without_login(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] == connection.vendor
    assert set(body) == {"status", "database"}
    assert set(body["database"]) == {"status", "vendor", "latency_ms"}


@pytest.mark.django_db
def test_healthz_reports_unavailable_database_with_503(client: Client) -> None:
    with mock.patch("config.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": {"status": "unavailable"}}


@pytest.mark.django_db
def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.postgres
@pytest.mark.django_db
def test_healthz_reports_postgresql_vendor_on_postgres(client: Client) -> None:
    assert client.get("/healthz").json()["database"]["vendor"] == "postgresql"
