"""Settings split into base / dev / test / prod; choose with DJANGO_SETTINGS_MODULE."""
