"""Test settings: fast hashing, in-memory e-mail, eager Celery, isolated media."""

import tempfile
from pathlib import Path

from config.env import env_bool
from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks and long jobs run in the test's own thread. The real-worker test
# (tests/workflow/test_celery_worker.py) starts a worker on these settings with both turned
# off through the environment; a normal run never sets them.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
WORKFLOW_JOBS_INLINE = env_bool("WORKFLOW_JOBS_INLINE", True)
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kinerja-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
