"""App configuration for the generic workflow engine."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The engine: stage templates, lifecycle state, permissions, actions, inboxes, audit."""

    name = "workflow"
    verbose_name = _("Mesin alur kerja")
    default_auto_field = "django.db.models.BigAutoField"
