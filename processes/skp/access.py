"""Who may see and do what on an SKP, decided in one place for pages and actions alike.

On a given day a user relates to an SKP as its employee, its appraiser (the official the
organisation resolves, or someone acting for them through a Plt/Plh delegation), the
appraiser's supervisor, an HR admin of the agency, or a past or present participant the
engine granted ``view_case`` (peers, team members, former appraisers). Anyone else may not
see it at all: pages answer 404, actions raise ActionForbidden.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.organisation.access import administers
from processes.organisation.selectors import (
    Official,
    appraiser_of,
    appraiser_supervisor_of,
)
from processes.skp.models import Skp
from workflow import policy
from workflow.calendar import local_date
from workflow.selectors import stages_taken_part_in
from workflow.spec import Role


@dataclass(frozen=True)
class Seat:
    """How a user holds an official's rights: own, or acting for the official."""

    label: str
    acting_for_id: int | None = None


class SkpAccess:
    """What one user is to one SKP on one day.

    Each relation is resolved the first time it is asked for and kept: an action that
    only needs to know whether the actor is the employee does not resolve the appraisers
    (the organisation walk costs queries), while a page that asks everything pays once.
    """

    def __init__(
        self,
        user: Any = None,
        skp: Skp | None = None,
        today: datetime.date | None = None,
    ) -> None:
        self._user = user if user is not None and user.is_authenticated else None
        if self._user is not None and not self._user.is_active:
            self._user = None
        self._skp = skp
        self._today = today

    def _on(self) -> tuple[Any, Skp, datetime.date] | None:
        if self._user is None or self._skp is None:
            return None
        if self._today is None:
            self._today = today_for(self._skp)
        return self._user, self._skp, self._today

    @cached_property
    def is_employee(self) -> bool:
        """Return True when the user is the SKP's employee."""
        known = self._on()
        return known is not None and known[1].employee.user_id == known[0].pk

    def _seat(self, resolve: Callable[[Any, datetime.date], Any]) -> Seat | None:
        """Return the user's seat as the official ``resolve`` finds for the SKP's employee."""
        known = self._on()
        if known is None:
            return None
        user, skp, today = known
        return official_seat(user, resolve(skp.employee, role_day(skp, today)).official, today)

    @cached_property
    def appraiser(self) -> Seat | None:
        """Return how the user appraises this SKP today (own or acting), or None."""
        return self._seat(appraiser_of)

    @cached_property
    def supervisor(self) -> Seat | None:
        """Return how the user is the appraiser's supervisor today, or None."""
        return self._seat(appraiser_supervisor_of)

    @cached_property
    def is_hr(self) -> bool:
        """Return True when the user administers the SKP's agency."""
        known = self._on()
        return known is not None and administers(known[0], known[1].agency_id)

    @cached_property
    def is_participant(self) -> bool:
        """Return True when the engine lets the user see the SKP's case (peers, teams, ...)."""
        known = self._on()
        if known is None:
            return False
        user, skp, today = known
        return (
            skp.case_id is not None
            and policy.visible_cases(user, today).filter(pk=skp.case_id).exists()
        )

    @cached_property
    def peer_only(self) -> bool:
        """Return True when the user sees the SKP only as a colleague asked for feedback.

        Such a peer reads the plan and gives feedback on the "penilaian" tab; the
        monitoring and its evidence, the self-assessment, the dialog, the keberatan and the
        result stay private. Anyone with another share in the SKP (a former appraiser, a
        team member, HR...) is not peer-only.
        """
        known = self._on()
        if known is None or known[1].case is None:
            return False
        if self.is_employee or self.is_hr or self.is_appraiser or self.is_supervisor:
            return False
        if not self.is_participant:
            return False
        user, skp, today = known
        case = skp.case
        assert case is not None
        stages = stages_taken_part_in(case.pk, user.pk, today)
        if not stages:
            return False
        roles = set()
        for key in stages:
            try:
                roles.add(case.template_version.stage(key).role)
            except KeyError:
                return False
        return roles == {Role.PEERS}

    @property
    def reads_private(self) -> bool:
        """Return True when the user may see the SKP's private parts (not peer-only)."""
        return self.can_view and not self.peer_only

    @property
    def is_appraiser(self) -> bool:
        """Return True when the user appraises this SKP today (own or acting)."""
        return self.appraiser is not None

    @property
    def is_supervisor(self) -> bool:
        """Return True when the user is the appraiser's supervisor today."""
        return self.supervisor is not None

    @property
    def can_view(self) -> bool:
        """Return True when the user may see the SKP and its evidence."""
        return (
            self.is_employee
            or self.is_appraiser
            or self.is_supervisor
            or self.is_hr
            or self.is_participant
        )


def today_for(skp: Skp) -> datetime.date:
    """Return today's date in the SKP's agency zone."""
    return local_date(timezone.now(), skp.agency.time_zone)


def role_day(skp: Skp, day: datetime.date | None = None) -> datetime.date:
    """Return the day whose organisation decides the SKP's appraisers.

    Today (in the agency's zone), clamped to the SKP's own period: an SKP closed early by a
    transfer keeps the appraisers of its period; one not begun yet uses its first day.
    """
    on = day or today_for(skp)
    return min(max(on, skp.period_start), skp.period_end)


def official_seat(user: Any, official: Official | None, day: datetime.date) -> Seat | None:
    if official is None or official.user is None:
        return None
    if official.user.pk == user.pk:
        return Seat(label=official.label)
    delegation = (
        policy.active_delegations(user.pk, day)
        .filter(principal_id=official.user.pk)
        .order_by("-starts_on")
        .first()
    )
    if delegation is None:
        return None
    label = delegation.capacity_label
    if delegation.reference:
        label = f"{label} ({delegation.reference})"
    return Seat(label=label, acting_for_id=official.user.pk)


def skp_access(user: Any, skp: Skp, day: datetime.date | None = None) -> SkpAccess:
    """Return what ``user`` is to ``skp`` on ``day`` (default: today in the agency's zone)."""
    return SkpAccess(user, skp, day)


def access_skp(user: Any, skp_id: int) -> tuple[Skp, SkpAccess]:
    """Return an SKP the user may see and their access; raise Http404 otherwise (pages)."""
    skp = (
        Skp.objects.select_related(
            "agency", "cycle", "employee", "employee__user", "position", "unit", "case"
        )
        .filter(pk=skp_id)
        .first()
    )
    if skp is None:
        raise Http404(_("SKP tidak ditemukan."))
    access = skp_access(user, skp)
    if not access.can_view:
        raise Http404(_("SKP tidak ditemukan."))
    return skp, access


def visible_skps(user: Any, day: datetime.date | None = None) -> QuerySet[Skp]:
    """Return the SKPs ``user`` may see in lists: own, participated in, or administered.

    Lists show what the engine's permissions and the agency role grant; today's appraisers
    also reach their subordinates' SKPs through the team selectors.
    """
    if user is None or not user.is_authenticated:
        return Skp.objects.none()
    if user.is_superuser:
        return Skp.objects.all()
    on = day or timezone.localdate()
    condition = Q(employee__user_id=user.pk) | Q(
        case_id__in=policy.visible_cases(user, on).values("pk")
    )
    if user.is_agency_admin and user.agency_id is not None:
        condition |= Q(agency_id=user.agency_id)
    return Skp.objects.filter(condition)
