"""Public pages without sign-in, included by the project under ``layanan/``.

URL names live in the ``layanan`` namespace.
"""

from __future__ import annotations

from django.urls import path

from processes.skp import views_public

app_name = "layanan"

urlpatterns = [
    path("<slug:slug>/", views_public.service_feedback, name="service_feedback"),
    path("<slug:slug>/terima-kasih/", views_public.thanks, name="thanks"),
]
