"""App configuration for organisation and people."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    """Agencies, units, positions, employees and reporting lines."""

    name = "processes.organisation"
    label = "organisation"
    verbose_name = _("Organisasi dan pegawai")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the import job, and HR's pages in the menu for those who administer."""
        from config.navigation import NavItem, register
        from processes.organisation.access import administered_agency_ids
        from processes.organisation.import_jobs import IMPORT_JOB_KIND, run_import_job
        from workflow.jobs import register_job

        register_job(IMPORT_JOB_KIND, run_import_job, label=_("Impor data organisasi"))

        def administers_some_agency(user: object) -> bool:
            return administered_agency_ids(user) != []

        register(
            NavItem(
                "organisation",
                _("Organisasi"),
                "organisation:unit_tree",
                visible=administers_some_agency,
                order=40,
                section="admin",
            ),
            NavItem(
                "employees",
                _("Pegawai"),
                "organisation:employee_list",
                visible=administers_some_agency,
                order=41,
                section="admin",
            ),
        )
