"""App configuration for organisation and people."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    """Agencies, units, positions, employees and reporting lines."""

    name = "processes.organisation"
    label = "organisation"
    verbose_name = _("Organisasi dan pegawai")
    default_auto_field = "django.db.models.BigAutoField"
