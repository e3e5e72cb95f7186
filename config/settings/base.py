"""Settings shared by every environment. Secrets and hosts come from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_list, env_str

# Lets admin.ModelAdmin[Model] and other generic Django classes be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("KINERJA_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for the TemplatesSetting form renderer
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "django_htmx",
    "processes.organisation",
    "processes.skp",
    "workflow",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "processes.organisation.middleware.AgencyTimezoneMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflow.context_processors.unread_count",
                "config.navigation.nav_items",
            ],
            # config is not an installed app, so its tag library is registered by name.
            "libraries": {"ui": "config.templatetags.ui"},
        },
    },
]
# {{ form }} renders templates/includes/_form.html: errors next to each field, ARIA wired.
FORM_RENDERER = "config.forms.FormRenderer"


def database_from_env(default_sqlite_path: Path) -> dict[str, Any]:
    """Return the default database: DATABASE_URL if set, else SQLite under var/."""
    url = env_str("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=int(env_str("DATABASE_CONN_MAX_AGE", "0")))
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite_path),
            "OPTIONS": {
                # Writers wait for the lock instead of failing at once; the embedded
                # default serves one small office, not a whole province.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    config["ATOMIC_REQUESTS"] = False  # transactions are explicit, inside actions
    return dict(config)


DATABASES = {"default": database_from_env(VAR_DIR / "kinerja.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.User"
# The engine's tenant: every template and document belongs to one. The engine refers to it
# only through this setting, so it stays free of any process's models.
WORKFLOW_TENANT_MODEL = "organisation.Agency"
AUTHENTICATION_BACKENDS = [
    "processes.organisation.auth.UsernameOrNipBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Bahasa Indonesia first, English second. Instants are stored in UTC and shown in
# each agency's zone (WIB/WITA/WIT) by AgencyTimezoneMiddleware.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
DEFAULT_AGENCY_TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("KINERJA_MEDIA_ROOT", str(VAR_DIR / "media")))

# django-guardian: direct foreign-key permission tables are declared per model;
# anonymous users get no object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Celery: without a broker URL tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Scheduled work: run exactly one `celery -A config beat` (or `manage.py run_scheduler`).
# Times are UTC: 00:00 UTC is 07:00 WIB (Asia/Jakarta). A quarter-hourly run left waiting
# longer than its period (workers down) expires instead of piling up.
CELERY_BEAT_SCHEDULE = {
    "workflow-due-reminders": {
        "task": "workflow.tasks.send_due_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "workflow-escalate-breaches": {
        "task": "workflow.tasks.escalate_breaches",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "workflow-daily-digest": {
        "task": "workflow.tasks.send_daily_digests",
        "schedule": crontab(minute=0, hour=0),
    },
    # Long jobs whose worker died (killed, redeployed) continue from their last batch.
    "workflow-resume-stale-jobs": {
        "task": "workflow.tasks.resume_stale_jobs",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Keberatan windows end at local midnight (17:00, 16:00 or 15:00 UTC): hourly is enough.
    "skp-expire-discussion-windows": {
        "task": "processes.skp.tasks.expire_discussion_windows",
        "schedule": crontab(minute=5),
        "options": {"expires": 55 * 60},
    },
}

# Engine work on the workers (see workflow/conf.py for what each means).
WORKFLOW_REMINDER_HOURS = int(env_str("WORKFLOW_REMINDER_HOURS", "48"))
WORKFLOW_SITE_URL = env_str("WORKFLOW_SITE_URL", "http://127.0.0.1:8000")
WORKFLOW_JOBS_QUEUE = env_str("WORKFLOW_JOBS_QUEUE")
WORKFLOW_JOB_STALE_SECONDS = int(env_str("WORKFLOW_JOB_STALE_SECONDS", "300"))

# The public citizen feedback pages (/layanan/<slug>/): how many ratings one client (network
# address) may send within how many seconds, across services; and whether the address a
# trusted reverse proxy appends to X-Forwarded-For is the client (set it behind nginx, or
# every citizen shares the proxy's address and its limit).
CITIZEN_FEEDBACK_RATE = (
    int(env_str("CITIZEN_FEEDBACK_RATE_COUNT", "10")),
    int(env_str("CITIZEN_FEEDBACK_RATE_SECONDS", "3600")),
)
CITIZEN_FEEDBACK_TRUST_PROXY = env_bool("CITIZEN_FEEDBACK_TRUST_PROXY", False)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kinerja@localhost")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
