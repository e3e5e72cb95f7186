"""Development settings: debug on, console e-mail, SQLite under var/ unless DATABASE_URL is set."""

from config.env import env_bool
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
