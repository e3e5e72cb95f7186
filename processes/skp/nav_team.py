"""The team pages in the main menu: "Tim saya" for appraisers, "Pegawai unit" for unit heads.

Call ``register_team_nav()`` once at start-up (``SkpConfig.ready``). Each item shows only to
those the page is for (whoever exercises a post others report to; whoever heads a unit),
answered once per request by ``processes.skp.team.roles_of``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.navigation import AnyUser, NavItem, register
from processes.skp.team import roles_of


def appraises_someone(user: AnyUser) -> bool:
    """Return True for a signed-in user who exercises a post others report to today."""
    return bool(user.is_authenticated) and roles_of(user).appraises


def heads_a_unit(user: AnyUser) -> bool:
    """Return True for a signed-in user who exercises a unit head's post today."""
    return bool(user.is_authenticated) and roles_of(user).heads_unit


def register_team_nav() -> None:
    """Add the team overview and the unit head's view to the main menu (idempotent)."""
    register(
        NavItem("skp_team", _("Tim saya"), "skp:team", visible=appraises_someone, order=20),
        NavItem("skp_leader", _("Pegawai unit"), "skp:leader", visible=heads_a_unit, order=21),
    )
