"""The engine's pages: notifications and jobs, the task inbox, the template designer, teams.

Included at the site root; every group carries its own prefix.
"""

from __future__ import annotations

from django.urls import include, path

from workflow import views, views_designer, views_inbox, views_teams

app_name = "workflow"

notification_patterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:notification_id>/dibaca/", views.notification_read, name="notification_read"),
    path("semua-dibaca/", views.notifications_read_all, name="notifications_read_all"),
    path("preferensi/", views.notification_preferences, name="notification_preferences"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/progress", views.job_progress, name="job_progress"),
]

inbox_patterns = [
    path("", views_inbox.inbox, name="inbox"),
    path("antrean/", views_inbox.inbox_queue, name="inbox_queue"),
    path("terlambat/", views_inbox.inbox_overdue, name="inbox_overdue"),
    path("selesai/", views_inbox.inbox_done, name="inbox_done"),
    path("<int:task_id>/ambil/", views_inbox.task_claim, name="task_claim"),
    path("<int:task_id>/lepas/", views_inbox.task_release, name="task_release"),
]

designer_patterns = [
    path("", views_designer.template_list, name="designer"),
    path("baru/", views_designer.template_create, name="template_create"),
    path("<int:template_id>/", views_designer.template_edit, name="template_edit"),
    path("<int:template_id>/pratinjau/", views_designer.template_preview, name="template_preview"),
    path(
        "<int:template_id>/versi/<int:version_id>/pindah/",
        views_designer.template_migrate,
        name="template_migrate",
    ),
]

team_patterns = [
    path("", views_teams.team_list, name="teams"),
    path("<int:team_id>/", views_teams.team_detail, name="team_detail"),
    path("<int:team_id>/tambah/", views_teams.team_member_add, name="team_member_add"),
    path("<int:team_id>/keluarkan/", views_teams.team_member_remove, name="team_member_remove"),
]

urlpatterns = [
    path("notifikasi/", include(notification_patterns)),
    path("tugas/", include(inbox_patterns)),
    path("templat/", include(designer_patterns)),
    path("tim/", include(team_patterns)),
]
