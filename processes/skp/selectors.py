"""Reads for the SKP monitoring pages: the overview per period, evidence, feedback, attendance.

Every selector runs a fixed number of queries whatever the number of RHK, indicators,
periods or rows (``select_related`` / ``prefetch_related`` and grouped counts), so a page
costs the same for a plan of one RHK and a plan of twenty. Pass an SKP loaded with its
``agency``, ``cycle`` and ``employee`` (as ``access.access_skp`` does) to keep it so.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from processes.skp import rules
from processes.skp.access import today_for
from processes.skp.models import (
    ActionPlan,
    AttendanceRecord,
    BerAkhlak,
    DailyActivity,
    Evidence,
    ExtraAspectRating,
    Feedback,
    Indicator,
    IndicatorTemplate,
    PerformanceDialog,
    PeriodEvaluation,
    Realisation,
    Rhk,
    Skp,
    SkpSettings,
)
from processes.skp.process import periods_of, settings_for

_PERCENT = Decimal("0.01")


# Attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    """An employee's attendance over one period, summed from the imported months."""

    period: rules.Period
    records: tuple[AttendanceRecord, ...]
    missing_months: tuple[int, ...]  # months of the period that have begun, without figures
    working_days: int
    present_days: int
    late_count: int
    leave_days: int
    absent_days: int

    @property
    def present_percent(self) -> Decimal | None:
        """Return days present as a percentage of working days (None without figures)."""
        if not self.working_days:
            return None
        return (Decimal(self.present_days) * 100 / Decimal(self.working_days)).quantize(
            _PERCENT, rounding=ROUND_HALF_UP
        )

    @property
    def complete(self) -> bool:
        """Return True when every begun month of the period has figures."""
        return not self.missing_months


def _months(period: rules.Period) -> list[tuple[int, int]]:
    months = []
    year, month = period.starts_on.year, period.starts_on.month
    while (year, month) <= (period.ends_on.year, period.ends_on.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _summary(
    period: rules.Period,
    rows: dict[tuple[int, int], AttendanceRecord],
    today: datetime.date,
) -> AttendanceSummary:
    records = tuple(rows[key] for key in _months(period) if key in rows)
    missing = tuple(
        month
        for year, month in _months(period)
        if (year, month) not in rows and datetime.date(year, month, 1) <= today
    )
    return AttendanceSummary(
        period=period,
        records=records,
        missing_months=missing,
        working_days=sum(r.working_days for r in records),
        present_days=sum(r.present_days for r in records),
        late_count=sum(r.late_count for r in records),
        leave_days=sum(r.leave_days for r in records),
        absent_days=sum(r.absent_days for r in records),
    )


def _attendance_rows(
    skp: Skp, periods: list[rules.Period]
) -> dict[tuple[int, int], AttendanceRecord]:
    if not periods:
        return {}
    years = {p.starts_on.year for p in periods} | {p.ends_on.year for p in periods}
    return {
        (row.year, row.month): row
        for row in AttendanceRecord.objects.filter(employee_id=skp.employee_id, year__in=years)
    }


def attendance_for(skp: Skp, period: rules.Period) -> AttendanceSummary:
    """Return the employee's attendance in ``period`` (one query), e.g. as behaviour evidence.

    Pages show it beside the behaviour rating when ``SkpSettings.attendance_enabled``.
    """
    rows = {
        (row.year, row.month): row
        for row in AttendanceRecord.objects.filter(
            employee_id=skp.employee_id,
            year__in={period.starts_on.year, period.ends_on.year},
        )
    }
    return _summary(period, rows, today_for(skp))


def attendance_by_period(skp: Skp) -> dict[int, AttendanceSummary]:
    """Return the attendance summary of every period of the SKP, by period index (one query)."""
    periods = periods_of(skp)
    rows = _attendance_rows(skp, periods)
    today = today_for(skp)
    return {period.index: _summary(period, rows, today) for period in periods}


# The overview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One indicator in one period: its realisation and achievement against the period's target.

    ``target`` is the period's share of the indicator's target (``rules.period_target``): the
    target spread evenly over the SKP's periods when the periods add up, the target itself
    when they average (a rate or a level).
    """

    period: rules.Period
    realisation: Realisation | None
    value: Decimal | None  # the realisation, or the figure computed for its source
    target: Decimal
    achievement: Decimal | None  # percent of ``target``, rules.achievement_percent
    evidence_count: int


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator with one cell per period and the feedback given on it."""

    indicator: Indicator
    cells: list[Cell]
    feedback: list[Feedback]
    evidence_count: int  # every evidence item of the indicator, with or without a period

    @property
    def is_manual(self) -> bool:
        """Return True when the realisation is entered by hand (not computed)."""
        return self.indicator.source == IndicatorTemplate.Source.MANUAL

    @property
    def latest(self) -> Cell | None:
        """Return the last period that has a value."""
        return next((cell for cell in reversed(self.cells) if cell.value is not None), None)


@dataclass(frozen=True)
class RhkRow:
    """An RHK of the agreed plan with its indicators and rencana aksi."""

    rhk: Rhk
    indicators: list[IndicatorRow]
    action_plans: list[ActionPlan]


@dataclass(frozen=True)
class PeriodRow:
    """One evaluation period: whether it has begun or ended, progress, evaluation, attendance."""

    period: rules.Period
    started: bool
    ended: bool
    report_opens_on: datetime.date  # the first day the achievement report may be submitted
    entered: int  # realisations entered for hand-entered indicators
    expected: int  # hand-entered indicators
    evaluation: PeriodEvaluation | None
    attendance: AttendanceSummary | None  # None unless the agency uses attendance
    suggested_hasil: rules.Rating | None  # from the mean achievement, agency thresholds

    @property
    def realisations_complete(self) -> bool:
        """Return True when every hand-entered indicator has a realisation for the period."""
        return self.entered == self.expected

    @property
    def report_submitted(self) -> bool:
        """Return True when the employee submitted the period's achievement report."""
        return self.evaluation is not None and self.evaluation.report_submitted_at is not None

    @property
    def rated(self) -> bool:
        """Return True when the appraiser rated the period."""
        return self.evaluation is not None and bool(self.evaluation.predikat)


@dataclass(frozen=True)
class MonitoringOverview:
    """Everything the monitoring page of one SKP shows, read in a fixed number of queries."""

    skp: Skp
    settings: SkpSettings
    today: datetime.date
    periods: list[PeriodRow]
    rhks: list[RhkRow]
    value_feedback: dict[str, list[Feedback]]  # BerAKHLAK value → newest first
    extra_ratings: list[ExtraAspectRating]
    evidence_count: int
    feedback_count: int

    @property
    def realisations_complete(self) -> bool:
        """Return True when every period has every hand-entered realisation."""
        return all(row.realisations_complete for row in self.periods)


def _mean_achievement(percents: list[Decimal]) -> Decimal | None:
    if not percents:
        return None
    return (sum(percents, Decimal(0)) / len(percents)).quantize(_PERCENT, rounding=ROUND_HALF_UP)


def monitoring_overview(skp: Skp) -> MonitoringOverview:
    """Return the SKP's monitoring overview: per RHK, indicator and period, in fixed queries.

    Realisations of indicators computed from attendance show the period's attendance
    percentage (when the agency imports attendance). A period's achievement follows
    ``rules.achievement_percent`` against the period's target (``rules.period_target``: a
    count's target spread over the SKP's periods, a rate's or level's target as it is); the
    suggested rating of a period's results is the agency's threshold rule on their mean,
    shown beside the appraiser's own judgement (DOMAIN.md section 4).
    """
    choice = settings_for(skp.agency_id)
    today = today_for(skp)
    periods = periods_of(skp)
    rhks = list(
        Rhk.objects.filter(skp=skp)
        .prefetch_related("indicators", "action_plans")
        .order_by("kind", "order", "pk")
    )
    realisations = {
        (row.indicator_id, row.period_index): row
        for row in Realisation.objects.filter(indicator__rhk__skp=skp)
    }
    evidence_counts: dict[tuple[int | None, int | None], int] = {
        (row["indicator_id"], row["period_index"]): row["n"]
        for row in Evidence.objects.filter(skp=skp)
        .order_by()
        .values("indicator_id", "period_index")
        .annotate(n=Count("pk"))
    }
    feedback = list(Feedback.objects.filter(skp=skp).select_related("author"))
    by_indicator: dict[int, list[Feedback]] = defaultdict(list)
    by_value: dict[str, list[Feedback]] = {value: [] for value in BerAkhlak.values}
    for item in feedback:
        if item.indicator_id is not None:
            by_indicator[item.indicator_id].append(item)
        elif item.value:
            by_value.setdefault(item.value, []).append(item)
    evaluations = {
        row.period_index: row
        for row in PeriodEvaluation.objects.filter(skp=skp).select_related("rated_by")
    }
    attendance = attendance_by_period(skp) if choice.attendance_enabled else {}

    rhk_rows: list[RhkRow] = []
    percents: dict[int, list[Decimal]] = defaultdict(list)
    entered: dict[int, int] = defaultdict(int)
    expected = 0
    for rhk in rhks:
        indicator_rows = []
        for indicator in rhk.indicators.all():
            manual = indicator.source == IndicatorTemplate.Source.MANUAL
            expected += 1 if manual else 0
            aspect = rules.Aspect(indicator.aspect)
            target = rules.period_target(
                indicator.target_value, indicator.aggregation_rule, max(len(periods), 1)
            )
            cells = []
            for period in periods:
                realisation = realisations.get((indicator.pk, period.index))
                value: Decimal | None = realisation.value if realisation else None
                if indicator.source == IndicatorTemplate.Source.ATTENDANCE:
                    summary = attendance.get(period.index)
                    value = summary.present_percent if summary else None
                if manual and realisation is not None:
                    entered[period.index] += 1
                achievement = rules.achievement_percent(aspect, target, value)
                if achievement is not None:
                    percents[period.index].append(achievement)
                cells.append(
                    Cell(
                        period=period,
                        realisation=realisation,
                        value=value,
                        target=target,
                        achievement=achievement,
                        evidence_count=evidence_counts.get((indicator.pk, period.index), 0),
                    )
                )
            indicator_rows.append(
                IndicatorRow(
                    indicator=indicator,
                    cells=cells,
                    feedback=by_indicator.get(indicator.pk, []),
                    evidence_count=sum(
                        n for (iid, _period), n in evidence_counts.items() if iid == indicator.pk
                    ),
                )
            )
        rhk_rows.append(
            RhkRow(
                rhk=rhk,
                indicators=indicator_rows,
                action_plans=list(rhk.action_plans.all()),
            )
        )
    period_rows = []
    for period in periods:
        mean = _mean_achievement(percents.get(period.index, []))
        period_rows.append(
            PeriodRow(
                period=period,
                started=period.starts_on <= today,
                ended=period.ends_on <= today,
                report_opens_on=rules.report_opens_on(
                    period.ends_on, choice.period_report_lead_days
                ),
                entered=entered.get(period.index, 0),
                expected=expected,
                evaluation=evaluations.get(period.index),
                attendance=attendance.get(period.index) if choice.attendance_enabled else None,
                suggested_hasil=rules.rating_from_achievement(
                    mean,
                    above_from=choice.above_from_percent,
                    below_under=choice.below_under_percent,
                )
                if mean is not None
                else None,
            )
        )
    return MonitoringOverview(
        skp=skp,
        settings=choice,
        today=today,
        periods=period_rows,
        rhks=rhk_rows,
        value_feedback=by_value,
        extra_ratings=list(
            ExtraAspectRating.objects.filter(skp=skp).order_by("aspect", "period_index")
        ),
        evidence_count=sum(evidence_counts.values()),
        feedback_count=len(feedback),
    )


# Lists -----------------------------------------------------------------------------------


def evidence_for(
    skp: Skp, *, indicator_id: int | None = None, period_index: int | None = None
) -> list[Evidence]:
    """Return the SKP's evidence, newest first (optionally of one indicator and/or period)."""
    queryset = Evidence.objects.filter(skp=skp).select_related("indicator", "uploaded_by")
    if indicator_id is not None:
        queryset = queryset.filter(indicator_id=indicator_id)
    if period_index is not None:
        queryset = queryset.filter(period_index=period_index)
    return list(queryset.order_by("-uploaded_at", "-pk"))


def feedback_for(skp: Skp) -> list[Feedback]:
    """Return the appraiser's feedback on the SKP, newest first."""
    return list(
        Feedback.objects.filter(skp=skp)
        .select_related("indicator", "author")
        .order_by("-created_at", "-pk")
    )


def dialogs_for(skp: Skp) -> list[PerformanceDialog]:
    """Return the SKP's recorded dialogs, the most recent first."""
    return list(
        PerformanceDialog.objects.filter(skp=skp)
        .select_related("recorded_by")
        .order_by("-held_on", "-pk")
    )


def daily_activities_for(
    skp: Skp, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[DailyActivity]:
    """Return the SKP's daily activities between ``start`` and ``end``, newest day first."""
    queryset = DailyActivity.objects.filter(skp=skp).select_related("rhk")
    if start is not None:
        queryset = queryset.filter(day__gte=start)
    if end is not None:
        queryset = queryset.filter(day__lte=end)
    return list(queryset.order_by("-day", "pk"))
