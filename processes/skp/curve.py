"""The distribution curve's database side: which unit bounds an SKP, who is counted, the spread.

The pure rules (limits, conformance) live in ``rules``; this module finds their inputs.
DOMAIN.md section 5: a unit's organisation predikat (capaian kinerja organisasi) bounds the
spread of its employees' predikat. The *curve unit* of an SKP is the nearest unit, from
the SKP's own unit upwards, with an annual organisation result in the SKP's cycle. The
*population* is configurable (SkpSettings.curve_population): the SKPs of the cycle in the
curve unit's subtree ("unit", the default), or the SKPs of the cycle whose appraiser today
is the same official in the same post ("direct_reports"). The *spread* counts the predikat
of the population's SKPs already rated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from processes.organisation.models import Position, Unit
from processes.organisation.selectors import Official, appraiser_of, official_of_post
from processes.skp.access import role_day
from processes.skp.models import CurvePopulation, Cycle, OrganisationResult, Skp
from processes.skp.rules import OrgPredikat, Predikat
from workflow.spec import Phase

# Reporting lines are short; the walk down through vacant posts stops here regardless.
MAX_DEPTH = 12


@dataclass(frozen=True)
class CurveScope:
    """The unit whose result bounds an SKP, its predikat, the population and its spread."""

    unit: Unit
    result: OrganisationResult | None
    population: str
    skp_ids: tuple[int, ...]
    counts: dict[Predikat, int] = field(default_factory=dict)

    @property
    def organisation_predikat(self) -> OrgPredikat | None:
        """Return the unit's organisation predikat, or None while it is not recorded."""
        return OrgPredikat(self.result.predikat) if self.result is not None else None

    @property
    def size(self) -> int:
        """Return how many SKPs the population holds (rated or not)."""
        return len(self.skp_ids)

    @property
    def rated(self) -> int:
        """Return how many SKPs of the population are rated."""
        return sum(self.counts.values())


def ancestor_ids(unit: Unit) -> list[int]:
    """Return the ids of ``unit`` and its ancestors, the unit itself last."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def annual_result(cycle: Cycle | int, unit: Unit | int) -> OrganisationResult | None:
    """Return the unit's own annual organisation result in the cycle, or None."""
    return (
        OrganisationResult.objects.filter(cycle=cycle, unit=unit, period_index__isnull=True)
        .select_related("unit")
        .first()
    )


def curve_unit(skp: Skp) -> tuple[Unit, OrganisationResult | None]:
    """Return the nearest ancestor-or-self unit of the SKP's unit with an annual result.

    Without any result on the way up, return the SKP's own unit and None.
    """
    lineage = ancestor_ids(skp.unit)
    results = {
        result.unit_id: result
        for result in OrganisationResult.objects.filter(
            cycle_id=skp.cycle_id, unit_id__in=lineage, period_index__isnull=True
        ).select_related("unit")
    }
    for unit_id in reversed(lineage):
        if unit_id in results:
            return results[unit_id].unit, results[unit_id]
    return skp.unit, None


def _counted(queryset: QuerySet[Skp]) -> QuerySet[Skp]:
    # A cancelled SKP (a transfer before agreement) is nobody's result.
    return queryset.exclude(case__phase=Phase.CANCELLED)


def unit_population(cycle_id: int, unit: Unit) -> QuerySet[Skp]:
    """Return the cycle's SKPs whose unit lies in ``unit``'s subtree."""
    return _counted(Skp.objects.filter(cycle_id=cycle_id, unit__path__startswith=unit.path))


def _same_official(left: Official | None, right: Official) -> bool:
    return (
        left is not None
        and left.employee.pk == right.employee.pk
        and left.position.pk == right.position.pk
    )


def _posts_reporting_to(official: Official, skp: Skp) -> set[int]:
    """Return the posts whose holders this official may appraise: the official's post and
    the vacant posts under it, through which appraisal passes upwards."""
    day = role_day(skp)
    reached = {official.position.pk}
    frontier = {official.position.pk}
    for _depth in range(MAX_DEPTH):
        children = list(Position.objects.filter(reports_to_id__in=frontier).exclude(pk__in=reached))
        frontier = {post.pk for post in children if official_of_post(post, day) is None}
        reached |= frontier
        if not frontier:
            break
    return reached


def direct_report_population(skp: Skp) -> QuerySet[Skp]:
    """Return the cycle's SKPs whose appraiser today is the same official as ``skp``'s.

    The same official means the same person in the same post (a Plt appraising for a
    second post has a second population). Without an appraiser, only the SKP itself.
    """
    official = appraiser_of(skp.employee, role_day(skp)).official
    if official is None:
        return Skp.objects.filter(pk=skp.pk)
    candidates = _counted(
        Skp.objects.filter(
            cycle_id=skp.cycle_id, position__reports_to_id__in=_posts_reporting_to(official, skp)
        )
    ).select_related("agency", "employee", "employee__user")
    ids = [
        candidate.pk
        for candidate in candidates
        if _same_official(appraiser_of(candidate.employee, role_day(candidate)).official, official)
    ]
    return Skp.objects.filter(pk__in=ids)


def spread(queryset: QuerySet[Skp]) -> dict[Predikat, int]:
    """Return how many SKPs of ``queryset`` hold each predikat (rated ones only)."""
    counts = dict.fromkeys(Predikat, 0)
    for value, number in (
        queryset.exclude(predikat="")
        .order_by()
        .values_list("predikat")
        .annotate(number=Count("pk"))
        .values_list("predikat", "number")
    ):
        counts[Predikat(value)] = int(number)
    return counts


def curve_scope(skp: Skp, population: str = CurvePopulation.UNIT) -> CurveScope:
    """Return the curve unit, its result, the population chosen and its current spread."""
    unit, result = curve_unit(skp)
    if population == CurvePopulation.DIRECT_REPORTS:
        members = direct_report_population(skp)
    else:
        members = unit_population(skp.cycle_id, unit)
    ids = tuple(sorted(members.values_list("pk", flat=True)))
    return CurveScope(
        unit=unit,
        result=result,
        population=str(population),
        skp_ids=ids,
        counts=spread(Skp.objects.filter(pk__in=ids)),
    )
