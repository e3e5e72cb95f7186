"""The SKP pages of employees and appraisers: the list of one's SKPs and the SKP page.

Included by ``processes/skp/urls.py`` (under ``skp/``), so the names live in its ``skp``
namespace: ``skp:my_list``, ``skp:detail``, ``skp:detail_tab``. Importing the tab modules
registers their tabs (``processes.skp.tabs``) before the first request.
"""

from __future__ import annotations

from django.urls import path

from processes.skp import (  # noqa: F401 - importing registers each module's tab
    views_assessment,
    views_detail,
    views_history,
    views_monitoring,
    views_plan,
)

urlpatterns = [
    path("", views_detail.my_list, name="my_list"),
    path("<int:skp_id>/", views_detail.detail, name="detail"),
    path("<int:skp_id>/<slug:tab>/", views_detail.detail, name="detail_tab"),
]
