"""Read-only aggregations for HR's cycle pages and dashboards; each a fixed number of queries.

Every function takes a cycle (or an agency) and returns plain dataclasses the pages turn
into tables and Chart.js data. None of them writes. SKPs are counted by the unit they were
opened for (``Skp.unit``); cancelled SKPs count only as cancelled.

- ``phase_counts_by_unit``: where each unit's SKPs stand (one query);
- ``phase_counts_by_cycle``: the same per cycle of an agency (one query);
- ``overdue_by_unit``: open tasks past their due time per unit (one query);
- ``curve_by_unit``: each unit's annual predikat spread against the distribution curve of
  its organisation predikat (three queries);
- ``predikat_trend``: periodic evaluations per predikat per period (one query).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS

from processes.organisation.models import Agency
from processes.skp import rules
from processes.skp.models import Cycle, OrganisationResult, PeriodEvaluation, Skp, SkpSettings
from processes.skp.rules import CurveRounding, OrgPredikat, Predikat
from workflow.models import WorkItem
from workflow.selectors import OPEN
from workflow.spec import PHASE_ORDER, Phase

# The funnel's phases in cycle order, then cancelled (shown in tables, not in the funnel).
FUNNEL_PHASES: tuple[str, ...] = PHASE_ORDER
ALL_PHASES: tuple[str, ...] = (*PHASE_ORDER, Phase.CANCELLED)
_ONE_PLACE = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal:
    """Return ``part`` of ``whole`` in percent with one decimal (0 for an empty whole)."""
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


# Phases ---------------------------------------------------------------------------------


@dataclass
class UnitPhases:
    """How many SKPs of one unit stand in each phase."""

    unit_id: int
    unit_name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Return all SKPs of the unit, cancelled included."""
        return sum(self.counts.values())

    @property
    def final(self) -> int:
        """Return the SKPs that reached the final phase."""
        return self.counts.get(Phase.FINAL, 0)

    def ordered(self) -> list[int]:
        """Return the counts in ``ALL_PHASES`` order (tables)."""
        return [self.counts.get(phase, 0) for phase in ALL_PHASES]


def phase_counts_by_unit(cycle: Cycle) -> list[UnitPhases]:
    """Return each unit's SKP counts per phase, units by name (one query)."""
    rows = (
        Skp.objects.filter(cycle=cycle)
        .order_by()
        .values("unit_id", "unit__name", "case__phase")
        .annotate(count=Count("pk"))
        .values_list("unit_id", "unit__name", "case__phase", "count")
    )
    units: dict[int, UnitPhases] = {}
    for unit_id, unit_name, phase, count in rows:
        entry = units.setdefault(unit_id, UnitPhases(unit_id, unit_name))
        # An SKP whose case is still being linked (mid-enrolment) counts as drafting.
        key = phase or Phase.PLAN_DRAFTED
        entry.counts[key] = entry.counts.get(key, 0) + count
    return sorted(units.values(), key=lambda entry: (entry.unit_name, entry.unit_id))


def phase_totals(rows: list[UnitPhases]) -> UnitPhases:
    """Return the sum of ``rows`` as one line (no query)."""
    total = UnitPhases(0, _("Jumlah"))
    for row in rows:
        for phase, count in row.counts.items():
            total.counts[phase] = total.counts.get(phase, 0) + count
    return total


def phase_counts_by_cycle(agency: Agency) -> dict[int, dict[str, int]]:
    """Return {cycle id: {phase: SKPs}} for every cycle of the agency (one query)."""
    rows = (
        Skp.objects.filter(cycle__agency=agency)
        .order_by()
        .values("cycle_id", "case__phase")
        .annotate(count=Count("pk"))
        .values_list("cycle_id", "case__phase", "count")
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for cycle_id, phase, count in rows:
        key = phase or Phase.PLAN_DRAFTED
        result[cycle_id][key] = result[cycle_id].get(key, 0) + count
    return dict(result)


# Overdue tasks --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCount:
    """A count for one unit."""

    unit_id: int
    unit_name: str
    count: int


def overdue_by_unit(cycle: Cycle, now: datetime.datetime | None = None) -> list[UnitCount]:
    """Return the open current-stage tasks past their due time per unit (one query).

    Units without an overdue task are left out; units by name.
    """
    moment = now or timezone.now()
    rows = (
        WorkItem.objects.filter(
            status__in=OPEN,
            process__status=PROCESS.NEW,
            process__case__visit=F("visit"),
            process__case__stage_key=F("stage_key"),
            process__case__skp__cycle=cycle,
            due_at__lt=moment,
        )
        .order_by()
        .values("process__case__skp__unit_id", "process__case__skp__unit__name")
        .annotate(count=Count("pk"))
        .values_list("process__case__skp__unit_id", "process__case__skp__unit__name", "count")
    )
    return sorted(
        (UnitCount(unit_id, name, count) for unit_id, name, count in rows),
        key=lambda entry: (entry.unit_name, entry.unit_id),
    )


# Distribution curve ---------------------------------------------------------------------


@dataclass(frozen=True)
class CurveCategory:
    """One predikat (or group of predikat the curve counts together) of a unit's spread.

    ``min_percent`` / ``max_percent`` are the curve's limits as shares of the unit (None
    where the curve sets none); ``min_count`` / ``max_count`` the same in whole people.
    """

    key: str
    label: str
    count: int
    share: Decimal
    min_percent: Decimal | None = None
    max_percent: Decimal | None = None
    min_count: int | None = None
    max_count: int | None = None


@dataclass(frozen=True)
class UnitCurve:
    """A unit's annual predikat spread checked against its organisation predikat's curve."""

    unit_id: int
    unit_name: str
    organisation: OrgPredikat
    population: int
    categories: list[CurveCategory]
    rules: list[str]
    violations: list[str]

    @property
    def conforms(self) -> bool:
        """Return True when no limit of the curve is broken."""
        return not self.violations


def _categories(
    counts: dict[Predikat, int], limits: list[rules.CurveLimit], population: int
) -> list[CurveCategory]:
    """Return one category per predikat, then one per group a limit counts together."""
    by_group: dict[frozenset[Predikat], dict[str, object]] = defaultdict(dict)
    for limit in limits:
        if limit.largest:
            continue
        entry = by_group[limit.group]
        bound = limit.bound
        if bound.min_percent is not None:
            entry["min_percent"] = bound.min_percent
            entry["min_count"] = limit.min_count
        elif bound.min_persons is not None:
            entry["min_percent"] = percent(bound.min_persons, population)
            entry["min_count"] = limit.min_count
        if bound.max_percent is not None:
            entry["max_percent"] = bound.max_percent
            entry["max_count"] = limit.max_count
    groups: list[frozenset[Predikat]] = [frozenset({predikat}) for predikat in Predikat]
    groups += [group for group in by_group if len(group) > 1]
    categories = []
    for group in groups:
        members = [predikat for predikat in Predikat if predikat in group]
        count = sum(counts.get(predikat, 0) for predikat in members)
        entry = by_group.get(group, {})
        categories.append(
            CurveCategory(
                key="+".join(str(predikat.value) for predikat in members),
                label=" + ".join(str(predikat.label) for predikat in members),
                count=count,
                share=percent(count, population),
                min_percent=entry.get("min_percent"),  # type: ignore[arg-type]
                max_percent=entry.get("max_percent"),  # type: ignore[arg-type]
                min_count=entry.get("min_count"),  # type: ignore[arg-type]
                max_count=entry.get("max_count"),  # type: ignore[arg-type]
            )
        )
    return categories


def curve_by_unit(cycle: Cycle) -> list[UnitCurve]:
    """Return each unit with an annual organisation predikat, its spread and the curve check.

    The population is the unit's rated SKPs in the cycle, sub-units included (the unit's
    employees, DOMAIN.md section 5), cancelled SKPs left out. Rounding follows the agency's
    setting. Three queries: the settings, the organisation results, the counts.
    """
    choice = SkpSettings.objects.filter(agency_id=cycle.agency_id).first()
    rounding = CurveRounding(choice.curve_rounding if choice else CurveRounding.NEAREST)
    results = list(
        OrganisationResult.objects.filter(cycle=cycle, period_index__isnull=True)
        .select_related("unit")
        .order_by("unit__name", "unit_id")
    )
    spread = (
        Skp.objects.filter(cycle=cycle)
        .exclude(predikat="")
        .exclude(case__phase=Phase.CANCELLED)
        .order_by()
        .values("unit__path", "predikat")
        .annotate(count=Count("pk"))
        .values_list("unit__path", "predikat", "count")
    )
    by_path: dict[str, dict[Predikat, int]] = defaultdict(dict)
    for path, predikat, count in spread:
        by_path[path][Predikat(predikat)] = count
    curves = []
    for result in results:
        counts: dict[Predikat, int] = {}
        for path, unit_counts in by_path.items():
            if path.startswith(result.unit.path):
                for predikat, count in unit_counts.items():
                    counts[predikat] = counts.get(predikat, 0) + count
        organisation = OrgPredikat(result.predikat)
        check = rules.check_curve(organisation, counts, rounding)
        curves.append(
            UnitCurve(
                unit_id=result.unit_id,
                unit_name=result.unit.name,
                organisation=organisation,
                population=check.population,
                categories=_categories(counts, check.limits, check.population),
                rules=[limit.sentence for limit in check.limits],
                violations=check.violations,
            )
        )
    return curves


# Trend across periods -------------------------------------------------------------------


@dataclass(frozen=True)
class PredikatTrend:
    """Periodic evaluations per predikat: ``series[predikat][i]`` for ``periods[i]``."""

    periods: list[rules.Period]
    series: dict[Predikat, list[int]]

    @property
    def total(self) -> int:
        """Return every counted evaluation."""
        return sum(sum(values) for values in self.series.values())

    @property
    def evaluated(self) -> list[bool]:
        """Return, per period, whether any evaluation of it is counted yet."""
        return [
            any(self.series[predikat][index] for predikat in Predikat)
            for index in range(len(self.periods))
        ]

    def rows(self) -> list[tuple[rules.Period, list[int] | None]]:
        """Return one line per period with its counts in predikat order (tables); None
        for a period nobody has been evaluated in yet (not a period of zeros)."""
        return [
            (period, [self.series[predikat][index] for predikat in Predikat] if done else None)
            for index, (period, done) in enumerate(zip(self.periods, self.evaluated, strict=True))
        ]

    def chart_counts(self, predikat: Predikat) -> list[int | None]:
        """Return the predikat's counts per period, None where the period is not evaluated
        yet (the line stops there instead of dropping to zero)."""
        return [
            count if done else None
            for count, done in zip(self.series[predikat], self.evaluated, strict=True)
        ]


def predikat_trend(cycle: Cycle) -> PredikatTrend:
    """Return how many periodic evaluations got each predikat per period (one query).

    Unrated evaluations and those of cancelled SKPs are left out.
    """
    periods = rules.periods_for(cycle.year, rules.PeriodType(cycle.period_type))
    positions = {period.index: position for position, period in enumerate(periods)}
    series = {predikat: [0] * len(periods) for predikat in Predikat}
    rows = (
        PeriodEvaluation.objects.filter(skp__cycle=cycle)
        .exclude(predikat="")
        .exclude(skp__case__phase=Phase.CANCELLED)
        .order_by()
        .values("period_index", "predikat")
        .annotate(count=Count("pk"))
        .values_list("period_index", "predikat", "count")
    )
    for period_index, predikat, count in rows:
        position = positions.get(period_index)
        if position is not None:
            series[Predikat(predikat)][position] += count
    return PredikatTrend(periods, series)
