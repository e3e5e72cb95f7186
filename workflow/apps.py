"""App configuration for the generic workflow engine."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The engine: stage templates, lifecycle state, permissions, actions, inboxes, audit."""

    name = "workflow"
    verbose_name = _("Mesin alur kerja")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the system checks, the notification listener and the menu items."""
        from config.navigation import NavItem, register
        from workflow import checks  # noqa: F401
        from workflow.actions import add_event_listener
        from workflow.notifications import on_workflow_event
        from workflow.views_designer import is_designer

        add_event_listener(on_workflow_event)
        register(
            NavItem("inbox", _("Kotak tugas"), "workflow:inbox", order=10),
            NavItem(
                "designer",
                _("Templat tahapan"),
                "workflow:designer",
                visible=is_designer,
                order=60,
                section="admin",
            ),
            NavItem(
                "teams", _("Tim"), "workflow:teams", visible=is_designer, order=61, section="admin"
            ),
        )
