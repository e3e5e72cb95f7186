"""The SKP page employees and appraisers reach from the main menu: "SKP saya".

Call ``register_employee_nav()`` once at start-up (``SkpConfig.ready``). The item is shown
to signed-in users of an agency (employees and appraisers); the page lists their own SKPs
and, briefly, those they appraise today.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.navigation import AnyUser, NavItem, register


def belongs_to_agency(user: AnyUser) -> bool:
    """Return True for a signed-in user of some agency (who may have an SKP)."""
    return bool(user.is_authenticated and getattr(user, "agency_id", None) is not None)


def register_employee_nav() -> None:
    """Add "SKP saya" to the main menu after the task inbox (idempotent)."""
    register(NavItem("skp_mine", _("SKP saya"), "skp:my_list", visible=belongs_to_agency, order=20))
