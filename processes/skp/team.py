"""Read selectors for the appraiser's team overview and the unit head's view of their unit.

Who is on someone's team follows ``processes.organisation.selectors``: an official appraises
the holders of the posts that report to a post they exercise on the day (hold, act for as
Plt/Plh, or hold through an engine delegation), and the holders further down through vacant
posts (nobody holds them and nobody acts for them), because appraisal passes upwards through
a vacancy. A unit head (a post with ``is_unit_head``) sees every employee of the unit's
subtree. Only SKPs of open cycles are listed; cancelled SKPs are nobody's work.

Each selector runs a fixed number of queries whatever the number of employees (one walk
step per level of vacant posts, and trees are shallow).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from processes.organisation.models import ActingAppointment, Position, PositionHolding, Unit
from processes.organisation.selectors import covering, inactive_on
from processes.skp import rules
from processes.skp.models import Cycle, OrganisationResult, PeriodEvaluation, Skp, SkpSettings
from processes.skp.process import status_label
from workflow.calendar import local_date
from workflow.models import Delegation, TemplateVersion, WorkItem
from workflow.selectors import OPEN
from workflow.spec import Phase, StageSpec

# Reporting lines are short; the walk down through vacant posts stops here regardless.
MAX_DEPTH = 12
# Periods are rated while the SKP is monitored, self-assessed or under review.
RATING_PHASES = frozenset({Phase.MONITORED, Phase.SELF_ASSESSED, Phase.REVIEWED})


def today_for_user(user: Any) -> datetime.date:
    """Return today in the zone of the user's agency (the server's zone without one)."""
    agency = getattr(user, "agency", None)
    if agency is not None:
        return local_date(timezone.now(), agency.time_zone)
    return timezone.localdate()


# The posts a user exercises -------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """A post the user exercises on a day, and the capacity they do it in."""

    position: Position
    capacity: str
    acting: bool


def exercised_posts(user: Any, day: datetime.date) -> list[Post]:
    """Return the posts ``user`` holds, acts for (Plt/Plh) or holds through a delegation.

    Someone inactive on ``day`` (on study leave, suspended...) exercises no post of their
    own, as ``official_of_post`` says; a delegation still gives its principal's posts. Four
    queries: the user's status, delegations, holdings (own and the principals'), acting
    appointments. A post reached twice keeps its first capacity (own before acting).
    """
    if user is None or not user.is_authenticated:
        return []
    active = not inactive_on(day).filter(employee__user_id=user.pk).exists()
    delegations = {
        delegation.principal_id: delegation
        for delegation in Delegation.objects.filter(
            delegate_id=user.pk, starts_on__lte=day, ends_on__gte=day
        ).order_by("-starts_on", "pk")
    }
    holdings = list(
        PositionHolding.objects.filter(covering(day))
        .filter(Q(employee__user_id=user.pk) | Q(employee__user_id__in=list(delegations)))
        .select_related("position", "position__unit", "employee")
        .order_by("starts_on", "pk")
    )
    acting = list(
        ActingAppointment.objects.filter(
            employee__user_id=user.pk, starts_on__lte=day, ends_on__gte=day
        )
        .select_related("position", "position__unit")
        .order_by("starts_on", "pk")
    )
    if not active:
        holdings = [holding for holding in holdings if holding.employee.user_id != user.pk]
        acting = []
    posts: dict[int, Post] = {}
    for holding in holdings:
        if holding.employee.user_id == user.pk:
            posts.setdefault(
                holding.position_id, Post(holding.position, holding.position.name, False)
            )
    for appointment in acting:
        posts.setdefault(
            appointment.position_id, Post(appointment.position, appointment.label, True)
        )
    for holding in holdings:
        delegation = delegations.get(holding.employee.user_id or 0)
        if delegation is not None:
            label = delegation.capacity_label
            if delegation.reference:
                label = f"{label} ({delegation.reference})"
            posts.setdefault(holding.position_id, Post(holding.position, label, True))
    return list(posts.values())


def posts_of(user: Any, day: datetime.date) -> list[Post]:
    """Return ``exercised_posts`` once per request: kept on the user object for the day.

    The menu, the team overview and its organisation-result forms all ask; the user object
    lives for one request.
    """
    cached: dict[datetime.date, list[Post]] = getattr(user, "_skp_posts", None) or {}
    if day not in cached:
        cached[day] = exercised_posts(user, day)
        if user is not None and user.is_authenticated:
            user._skp_posts = cached
    return cached[day]


@dataclass(frozen=True)
class Roles:
    """What the team pages offer a user: a team to appraise, a unit to lead."""

    appraises: bool
    heads_unit: bool


def roles_of(user: Any) -> Roles:
    """Return whether ``user`` appraises anyone and heads a unit today (cached per request).

    The menu asks on every page, so the answer is kept on the user object, which lives
    for one request.
    """
    cached: Roles | None = getattr(user, "_skp_team_roles", None)
    if cached is not None:
        return cached
    posts = posts_of(user, today_for_user(user)) if user.is_authenticated else []
    ids = [post.position.pk for post in posts]
    roles = Roles(
        appraises=bool(ids) and Position.objects.filter(reports_to_id__in=ids).exists(),
        heads_unit=any(post.position.is_unit_head for post in posts),
    )
    if user.is_authenticated:
        user._skp_team_roles = roles
    return roles


# Walking down ---------------------------------------------------------------------------------


@dataclass
class Reach:
    """The posts below an official whose holders they appraise, with the acting capacity."""

    capacity: dict[int, str] = field(default_factory=dict)  # post id -> "Plt. ..." or ""


def _usable(queryset: QuerySet[Any], day: datetime.date) -> QuerySet[Any]:
    """Keep rows whose employee may exercise a post on ``day`` (active account and status)."""
    inactive = inactive_on(day).filter(employee=OuterRef("employee_id"))
    return queryset.filter(employee__user__is_active=True).exclude(Exists(inactive))


def appraised_posts(posts: Sequence[Post], day: datetime.date) -> Reach:
    """Return the posts whose holders the official of ``posts`` appraises on ``day``.

    The posts reporting to ``posts``, and, below each vacant one (no usable holder and no
    Plt/Plh), the posts reporting to it, and so on. Three queries per level walked.
    """
    reach = Reach()
    own = {post.position.pk for post in posts}
    reached = set(own)
    # Rows name the capacity only where the official acts for someone (Plt/Plh, delegation).
    frontier = {post.position.pk: post.capacity if post.acting else "" for post in posts}
    for _depth in range(MAX_DEPTH):
        if not frontier:
            break
        children = list(
            Position.objects.filter(reports_to_id__in=list(frontier))
            .exclude(pk__in=reached)
            .values_list("pk", "reports_to_id")
        )
        if not children:
            break
        child_ids = [pk for pk, _parent in children]
        held = set(
            _usable(
                PositionHolding.objects.filter(covering(day), position_id__in=child_ids), day
            ).values_list("position_id", flat=True)
        )
        acted = set(
            _usable(
                ActingAppointment.objects.filter(
                    position_id__in=child_ids, starts_on__lte=day, ends_on__gte=day
                ),
                day,
            ).values_list("position_id", flat=True)
        )
        next_frontier: dict[int, str] = {}
        for pk, parent in children:
            reached.add(pk)
            capacity = frontier[parent]
            reach.capacity[pk] = capacity
            if pk not in held and pk not in acted:
                next_frontier[pk] = capacity
        frontier = next_frontier
    return reach


# Rows -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    """One SKP as the team pages list it."""

    skp: Skp
    phase: str
    phase_label: StrOrPromise
    stage_name: str
    stage_position: int
    stage_count: int
    late: int
    awaiting: tuple[str, ...]  # labels of periods waiting for the appraiser's rating
    capacity: str = ""

    @property
    def is_final(self) -> bool:
        """Return True once the SKP reached its final phase and closed."""
        return self.phase == Phase.FINAL and self.skp.finalised_at is not None


def _open_skps() -> QuerySet[Skp]:
    return (
        Skp.objects.filter(cycle__status=Cycle.Status.OPEN, case__isnull=False)
        .exclude(case__phase=Phase.CANCELLED)
        .select_related(
            "agency", "cycle", "employee", "position", "unit", "case", "case__template_version"
        )
        .order_by("cycle__year", "cycle__name", "employee__name", "sequence", "pk")
    )


def _stage(case: Any, specs: list[StageSpec]) -> tuple[str, int]:
    """Return the stage's name and its 1-based position (the last one once closed)."""
    if case.closed_at is not None:
        return _("Selesai"), len(specs)
    for index, spec in enumerate(specs, start=1):
        if spec.key == case.stage_key:
            return spec.name, index
    return case.stage_key, 0


def _awaiting(
    skp: Skp,
    rated: dict[int, bool],
    reported: set[int],
    reports_required: bool,
    today: datetime.date,
) -> tuple[str, ...]:
    """Return the labels of the SKP's periods that wait for the appraiser's rating.

    A period waits once it has ended (or, where the agency asks for period reports, once
    its report was submitted) and until it is rated; only while periods may be rated.
    """
    case = skp.case
    if case is None or case.phase not in RATING_PHASES or skp.predikat:
        return ()
    periods = rules.periods_within(
        skp.period_start, skp.period_end, rules.PeriodType(skp.cycle.period_type)
    )
    waiting = []
    for period in periods:
        if rated.get(period.index):
            continue
        ready = period.index in reported if reports_required else period.ends_on < today
        if ready:
            waiting.append(period.label)
    return tuple(waiting)


def rows_for(
    skps: Iterable[Skp], today: datetime.date, capacity: dict[int, str] | None = None
) -> list[TeamRow]:
    """Return the rows of ``skps`` with progress, late tasks and periods awaiting a rating.

    Three queries whatever the number of SKPs: late tasks, period evaluations, settings.
    ``capacity`` maps a post id to the capacity the viewer appraises its holders in.
    """
    items = list(skps)
    if not items:
        return []
    case_ids = [skp.case_id for skp in items if skp.case_id is not None]
    late = dict(
        WorkItem.objects.filter(process_id__in=case_ids, status__in=OPEN, due_at__lt=timezone.now())
        .order_by()
        .values("process_id")
        .annotate(number=Count("pk"))
        .values_list("process_id", "number")
    )
    rated: dict[int, dict[int, bool]] = defaultdict(dict)
    reported: dict[int, set[int]] = defaultdict(set)
    for skp_id, index, submitted, predikat in PeriodEvaluation.objects.filter(
        skp_id__in=[skp.pk for skp in items]
    ).values_list("skp_id", "period_index", "report_submitted_at", "predikat"):
        rated[skp_id][index] = bool(predikat)
        if submitted is not None:
            reported[skp_id].add(index)
    reports_required: dict[int, bool] = dict(
        SkpSettings.objects.filter(agency_id__in={skp.agency_id for skp in items}).values_list(
            "agency_id", "period_report_required"
        )
    )
    specs: dict[int, list[StageSpec]] = {}
    rows = []
    for skp in items:
        case = skp.case
        assert case is not None
        version: TemplateVersion = case.template_version
        if version.pk not in specs:
            specs[version.pk] = version.specs()
        stage_name, position = _stage(case, specs[version.pk])
        rows.append(
            TeamRow(
                skp=skp,
                phase=case.phase,
                phase_label=status_label(case),
                stage_name=stage_name,
                stage_position=position,
                stage_count=len(specs[version.pk]),
                late=int(late.get(case.pk, 0)),
                awaiting=_awaiting(
                    skp,
                    rated[skp.pk],
                    reported[skp.pk],
                    reports_required.get(skp.agency_id, False),
                    today,
                ),
                capacity=(capacity or {}).get(skp.position_id, ""),
            )
        )
    return rows


def team_for(user: Any, day: datetime.date | None = None) -> list[TeamRow]:
    """Return the SKPs of open cycles of the employees ``user`` appraises on ``day``.

    The user's own SKP is never listed (a Plt above their own post does not appraise
    themselves here).
    """
    today = day or today_for_user(user)
    posts = posts_of(user, today)
    if not posts:
        return []
    reach = appraised_posts(posts, today)
    if not reach.capacity:
        return []
    holders = PositionHolding.objects.filter(
        covering(today), position_id__in=list(reach.capacity)
    ).values("employee_id")
    skps = (
        _open_skps()
        .filter(position_id__in=list(reach.capacity), employee_id__in=holders)
        .exclude(employee__user_id=user.pk)
    )
    return rows_for(skps, today, reach.capacity)


# Unit heads -----------------------------------------------------------------------------------


def headed_units(user: Any, day: datetime.date | None = None) -> list[Unit]:
    """Return the units whose head's post ``user`` exercises on ``day`` (own or acting)."""
    today = day or today_for_user(user)
    units: dict[int, Unit] = {}
    for post in posts_of(user, today):
        if post.position.is_unit_head:
            units.setdefault(post.position.unit_id, post.position.unit)
    # Highest unit first, then by name (a path of ids does not sort by meaning).
    return sorted(units.values(), key=lambda unit: (unit.path.count("/"), unit.name, unit.pk))


def subunits_of(units: Sequence[Unit]) -> list[Unit]:
    """Return every unit of the subtrees of ``units``, in tree order (one query)."""
    if not units:
        return []
    condition = Q()
    for unit in units:
        condition |= Q(agency_id=unit.agency_id, path__startswith=unit.path)
    return list(Unit.objects.filter(condition).order_by("path"))


def unit_rows(user: Any, unit: Unit, day: datetime.date | None = None) -> list[TeamRow]:
    """Return the SKPs of open cycles of every employee in ``unit``'s subtree but the user."""
    today = day or today_for_user(user)
    skps = (
        _open_skps()
        .filter(agency_id=unit.agency_id, unit__path__startswith=unit.path)
        .exclude(employee__user_id=user.pk)
    )
    return rows_for(skps, today)


# Organisation results -------------------------------------------------------------------------


@dataclass(frozen=True)
class LedUnit:
    """A unit whose organisation predikat the user records as the leader one level up."""

    cycle: Cycle
    unit: Unit
    capacity: str
    result: OrganisationResult | None


def led_units(user: Any, day: datetime.date | None = None) -> list[LedUnit]:
    """Return, per open cycle, the units whose head's post reports to a post the user exercises.

    PermenPANRB 6/2022: a unit's organisation predikat is set by the leader one level up.
    Three queries beyond ``exercised_posts``: the unit-head posts, the cycles, the results.
    """
    today = day or today_for_user(user)
    posts = {post.position.pk: post for post in posts_of(user, today)}
    if not posts:
        return []
    heads = list(
        Position.objects.filter(is_unit_head=True, reports_to_id__in=list(posts))
        .select_related("unit")
        .order_by("unit__path", "pk")
    )
    if not heads:
        return []
    agency_ids = {head.agency_id for head in heads}
    cycles = list(
        Cycle.objects.filter(agency_id__in=agency_ids, status=Cycle.Status.OPEN)
        .select_related("agency")
        .order_by("-year", "name", "pk")
    )
    results = {
        (result.cycle_id, result.unit_id): result
        for result in OrganisationResult.objects.filter(
            cycle__in=cycles, unit_id__in=[head.unit_id for head in heads], period_index=None
        )
    }
    led = []
    seen: set[tuple[int, int]] = set()
    for cycle in cycles:
        for head in heads:
            key = (cycle.pk, head.unit_id)
            if head.agency_id != cycle.agency_id or key in seen:
                continue
            seen.add(key)
            assert head.reports_to_id is not None
            led.append(
                LedUnit(
                    cycle=cycle,
                    unit=head.unit,
                    capacity=posts[head.reports_to_id].capacity,
                    result=results.get(key),
                )
            )
    return led
