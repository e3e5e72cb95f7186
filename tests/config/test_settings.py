"""Settings: production refuses to start without secrets; defaults are the embedded ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list, env_str
from config.settings.base import database_from_env

ROOT = Path(__file__).resolve().parents[2]


def _import_prod(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.prod"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_prod_refuses_to_start_without_secret_key() -> None:
    result = _import_prod({"DJANGO_ALLOWED_HOSTS": "x.example", "DATABASE_URL": "postgres://h/db"})

    assert result.returncode != 0
    assert "The environment variable DJANGO_SECRET_KEY must be set." in result.stderr


def test_prod_refuses_to_start_without_allowed_hosts() -> None:
    result = _import_prod({"DJANGO_SECRET_KEY": "s" * 50, "DATABASE_URL": "postgres://h/db"})

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_prod_refuses_to_start_without_database_url() -> None:
    result = _import_prod({"DJANGO_SECRET_KEY": "s" * 50, "DJANGO_ALLOWED_HOSTS": "x.example"})

    assert result.returncode != 0
    assert "DATABASE_URL must be set in production" in result.stderr


def test_prod_starts_with_all_secrets() -> None:
    result = _import_prod(
        {
            "DJANGO_SECRET_KEY": "s" * 50,
            "DJANGO_ALLOWED_HOSTS": "x.example",
            "DATABASE_URL": "postgres://u@h:5432/db",
        }
    )

    assert result.returncode == 0, result.stderr


def test_sqlite_under_var_is_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    config = database_from_env(tmp_path / "kinerja.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "kinerja.sqlite3")
    assert config["ATOMIC_REQUESTS"] is False


def test_database_url_selects_postgresql(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://kin:pw@db.internal:5433/kinerja")

    config = database_from_env(tmp_path / "unused.sqlite3")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "kinerja")
    assert (config["USER"], config["PASSWORD"]) == ("kin", "pw")


def test_locale_and_time_zone_defaults() -> None:
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "UTC"
    assert settings.AUTH_USER_MODEL == "organisation.User"


def test_env_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    monkeypatch.setenv("X_BAD", "maybe")

    assert env_bool("X_BOOL") is True
    assert env_bool("X_MISSING", default=True) is True
    assert env_list("X_LIST") == ["a", "b", "c"]
    assert env_str("X_MISSING", "d") == "d"
    with pytest.raises(ImproperlyConfigured, match="X_BAD must be a boolean"):
        env_bool("X_BAD")
    with pytest.raises(ImproperlyConfigured, match="X_MISSING must be set"):
        env_str("X_MISSING", required=True)
