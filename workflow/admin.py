"""Read-only admin for the engine: every change goes through the actions, never the admin.

The one exception is ``Holiday``: holidays are reference data with no workflow state, so
admins keep them up to date here (the decree for next year, a local day off).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from workflow.models import (
    AuditEntry,
    Case,
    Delegation,
    Holiday,
    Job,
    Notification,
    Team,
    TemplateVersion,
    WorkflowTemplate,
    WorkItem,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Show rows; refuse add, change and delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Refuse."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Refuse."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Refuse."""
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The append-only audit log."""

    list_display = [
        "chain",
        "sequence",
        "created_at",
        "code",
        "actor",
        "capacity",
        "from_stage",
        "to_stage",
    ]
    list_filter = ["code"]
    search_fields = ["chain", "reason"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Documents."""

    list_display = ["pk", "title", "process_kind", "stage_key", "phase", "status", "closed_at"]
    list_filter = ["process_kind", "phase", "status"]
    search_fields = ["title"]


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    """Tasks."""

    list_display = ["pk", "process", "stage_key", "visit", "status", "owner", "due_at"]
    list_filter = ["status", "stage_key"]


admin.site.register(WorkflowTemplate, ReadOnlyAdmin)
admin.site.register(TemplateVersion, ReadOnlyAdmin)
admin.site.register(Team, ReadOnlyAdmin)
admin.site.register(Delegation, ReadOnlyAdmin)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Notifications (users mark their own read in the application)."""

    list_display = ["created_at", "recipient", "code", "title", "read_at", "emailed_at"]
    list_filter = ["code"]
    search_fields = ["title"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Long jobs and their progress."""

    list_display = ["pk", "kind", "tenant", "status", "done", "total", "attempts", "created_at"]
    list_filter = ["status", "kind"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    """National holidays (no tenant) and tenants' own days off: admins add, edit and delete."""

    list_display = ["date", "name", "tenant"]
    list_filter = [("tenant", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]
