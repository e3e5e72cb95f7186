"""The SKP pages HR admins reach from the main menu.

Call ``register_hr_nav()`` once at start-up (``SkpConfig.ready``). The items are shown to
agency HR admins and superadmins only; the pages themselves check the same and answer 403
to anyone else.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.navigation import AnyUser, NavItem, register
from processes.organisation.access import administered_agency_ids


def administers_some_agency(user: AnyUser) -> bool:
    """Return True for agency HR admins and superadmins (who may open the HR pages)."""
    return administered_agency_ids(user) != []


def register_hr_nav() -> None:
    """Add the cycles and the stuck-approval console to the admin menu (idempotent).

    Two items only: the menu is shared by every app, and the SKP pages link to each other
    (cycles, stuck tasks, dashboards, settings) through their own tabs.
    """
    register(
        NavItem(
            "skp_cycles",
            _("Siklus SKP"),
            "skp:cycle_list",
            visible=administers_some_agency,
            order=50,
            section="admin",
            # The dashboards and settings are tabs beside the cycles (their URLs sit
            # under /skp/, which would otherwise mark "SKP saya").
            also_active=("skp:hr_dashboard", "skp:hr_settings"),
        ),
        NavItem(
            "skp_stuck",
            _("Tugas macet"),
            "skp:stuck_console",
            visible=administers_some_agency,
            order=51,
            section="admin",
        ),
    )
