"""The history tab ("riwayat") of the SKP page: what happened to it, and every result it had.

The engine's timeline (``workflow/_timeline.html``: who, in which capacity and for whom,
what, from which stage to which, the reason, when in the agency's zone), the agreed plan
versions, and every rating record: the appraiser's and, after a keberatan, the decision's;
both stay visible (DOMAIN.md section 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext_lazy

from processes.skp import tabs
from processes.skp.access import SkpAccess
from processes.skp.models import RatingRecord, Skp

TAB = "riwayat"


def history_context(skp: Skp) -> dict[str, Any]:
    """Return the tab's context: plan versions and rating records (the timeline renders itself)."""
    return {
        "versions": list(skp.plan_versions.select_related("agreed_by").order_by("-number")),
        "records": list(
            RatingRecord.objects.filter(skp=skp).select_related("by").order_by("at", "pk")
        ),
    }


def history_tab(
    request: HttpRequest, skp: Skp, access: SkpAccess
) -> HttpResponse | Mapping[str, Any]:
    """Show the SKP's history (read-only)."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return history_context(skp)


tabs.register_tab(
    tabs.Tab(
        key=TAB,
        label=cast(str, gettext_lazy("Riwayat")),
        order=90,
        view=history_tab,
        template="skp/history/tab.html",
    )
)
