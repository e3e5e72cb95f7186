"""App configuration for the SKP appraisal process."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkpConfig(AppConfig):
    """The yearly SKP of every civil servant, run by the workflow engine."""

    name = "processes.skp"
    label = "skp"
    verbose_name = _("Sasaran Kinerja Pegawai")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the process, its jobs and menu items, and follow organisation changes."""
        from processes.organisation import hooks
        from processes.skp.actions.transfer import follow_organisation_change
        from processes.skp.jobs import register_skp_jobs
        from processes.skp.nav import register_hr_nav
        from processes.skp.nav_employee import register_employee_nav
        from processes.skp.nav_team import register_team_nav
        from processes.skp.process import register_process
        from processes.skp.tasks import expire_discussion_windows_at as expire_discussion_windows
        from workflow import scheduler

        register_process()
        hooks.add_listener(follow_organisation_change)
        register_skp_jobs()
        register_hr_nav()
        register_employee_nav()
        register_team_nav()
        scheduler.register_periodic("keberatan_expired", expire_discussion_windows)
