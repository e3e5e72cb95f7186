"""The SKP pages of employees and appraisers, included by the project under ``skp/``.

URL names live in the ``skp`` namespace.
"""

from __future__ import annotations

from django.urls import include, path

from processes.skp import evidence_views

app_name = "skp"

urlpatterns = [
    path("", include("processes.skp.urls_hr")),
    path("", include("processes.skp.urls_employee")),
    path("", include("processes.skp.urls_review")),
    path(
        "bukti/<int:evidence_id>/unduh/",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
]
