"""HR's SKP pages (cycles, settings, the stuck-approval console, dashboards).

Included by ``processes/skp/urls.py`` (under ``skp/``), so the names live in its ``skp``
namespace: ``skp:cycle_list``, ``skp:stuck_console``, ``skp:hr_dashboard``, ...
"""

from __future__ import annotations

from django.urls import path

from processes.skp import views_hr

urlpatterns = [
    path("siklus/", views_hr.cycle_list, name="cycle_list"),
    path("siklus/baru/", views_hr.cycle_create, name="cycle_create"),
    path("siklus/<int:pk>/", views_hr.cycle_detail, name="cycle_detail"),
    path("siklus/<int:pk>/buka/", views_hr.cycle_open, name="cycle_open"),
    path("siklus/<int:pk>/tutup/", views_hr.cycle_close, name="cycle_close"),
    path("siklus/<int:pk>/ekspor/", views_hr.cycle_export, name="cycle_export"),
    path(
        "siklus/ekspor/<int:job_id>/unduh/",
        views_hr.cycle_export_download,
        name="cycle_export_download",
    ),
    path("pengaturan/", views_hr.skp_settings, name="hr_settings"),
    path("macet/", views_hr.stuck_console, name="stuck_console"),
    path("macet/pengguna/", views_hr.user_search, name="stuck_user_search"),
    path("macet/massal/", views_hr.stuck_bulk_reassign, name="stuck_bulk_reassign"),
    path("macet/<int:task_id>/alihkan/", views_hr.stuck_reassign, name="stuck_reassign"),
    path("macet/<int:task_id>/kembalikan/", views_hr.stuck_return, name="stuck_return"),
    path("macet/<int:task_id>/batalkan/", views_hr.stuck_cancel, name="stuck_cancel"),
    path("macet/dibatalkan/", views_hr.cancelled_list, name="stuck_cancelled"),
    path("macet/dibatalkan/<int:pk>/hidupkan/", views_hr.skp_revive, name="stuck_revive"),
    path("dasbor/", views_hr.dashboard, name="hr_dashboard"),
]
