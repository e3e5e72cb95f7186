"""The appraiser's SKP pages: live previews, the team overview and the unit head's view.

Included by ``processes/skp/urls.py`` (under ``skp/``), so the names live in its ``skp``
namespace. Importing the views registers the "penilaian", "dialog" and "hasil" tabs of the
SKP page (``skp:detail_tab``), whose forms post to the tab's own URL.
"""

from __future__ import annotations

from django.urls import path

from processes.skp import views_objection, views_review, views_team

urlpatterns = [
    path("tim/", views_team.team, name="team"),
    path("tim/unit/", views_team.leader, name="leader"),
    path(
        "<int:skp_id>/penilaian/pratinjau/",
        views_review.rating_preview,
        name="rating_preview",
    ),
    path(
        "<int:skp_id>/dialog/pratinjau/",
        views_objection.decision_preview,
        name="decision_preview",
    ),
]
