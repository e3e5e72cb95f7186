"""Reviewed: organisation results, the appraiser's rating, an independent team's review.

Glossary: *capaian kinerja organisasi* is a unit's own predikat, recorded by the leader one
level up; it bounds the spread of its employees' predikat (the distribution curve,
DOMAIN.md section 5). The appraiser gives *rating hasil kerja* and *rating perilaku kerja*;
the *predikat* follows from the matrix and is never typed. A *Tim Penilai Kinerja* may
review the rating afterwards and record field visits (*observasi lapangan*).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.organisation.access import administers
from processes.organisation.models import Position, Unit
from processes.organisation.selectors import official_of_post
from processes.skp import curve, rules
from processes.skp.access import Seat, official_seat, today_for
from processes.skp.actions import monitoring
from processes.skp.actions.assessment import claim_if_needed, held_or_claimable_task
from processes.skp.actions.common import (
    access_for,
    lock_skp,
    record,
    require_appraiser,
    require_form,
    require_open,
    require_task,
    team_seat,
)
from processes.skp.models import (
    Cycle,
    FieldObservation,
    Indicator,
    OrganisationResult,
    PeriodEvaluation,
    RatingRecord,
    Realisation,
    Skp,
    SkpSettings,
    TeamReview,
)
from processes.skp.process import periods_of, settings_for
from processes.skp.rules import CurveLimit, OrgPredikat, Predikat, Rating
from workflow import actions as engine
from workflow import audit
from workflow.calendar import local_date
from workflow.errors import ActionForbidden, ReasonRequired, StepNotAllowed
from workflow.models import AuditCode, Case, Team
from workflow.spec import Phase


class InvalidReview(StepNotAllowed):
    """Review input that does not validate; ``errors`` maps field names to messages."""

    code = "invalid_review"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def _return_target(case: Case, form: str) -> str:
    """Return the stage this stage may send the SKP back to whose page is ``form``."""
    spec = case.current_stage()
    for key in spec.return_to:
        if case.template_version.stage(key).form == form:
            return key
    raise StepNotAllowed(
        _("Templat tidak mengizinkan pengembalian dari tahap «%(stage)s» ke tahap ini.")
        % {"stage": spec.name}
    )


# Organisation results ----------------------------------------------------------------------


def _cycle_day(cycle: Cycle) -> datetime.date:
    """Return today in the agency's zone, clamped to the cycle's dates."""
    today = local_date(timezone.now(), cycle.agency.time_zone)
    return min(max(today, cycle.starts_on), cycle.ends_on)


def organisation_result_seat(actor: Any, cycle: Cycle, unit: Unit) -> Seat | None:
    """Return how ``actor`` may record ``unit``'s organisation result, or None.

    PermenPANRB 6/2022: the unit's result is set by the leader one level up, that is
    whoever exercises (own, Plt/Plh, or a delegation) the post the unit head's post reports
    to. The agency's HR admins may record it too (entering a decree on the leader's behalf).
    """
    head = (
        Position.objects.filter(unit=unit, is_unit_head=True)
        .select_related("reports_to")
        .order_by("pk")
        .first()
    )
    if head is not None and head.reports_to is not None:
        day = _cycle_day(cycle)
        seat = official_seat(actor, official_of_post(head.reports_to, day), day)
        if seat is not None:
            return seat
    if administers(actor, cycle.agency_id):
        return Seat(label=_("Pengelola kinerja"))
    return None


def _lock_cycle(cycle_id: int) -> Cycle:
    queryset = Cycle.objects.select_related("agency")
    if connection.features.has_select_for_update:
        # Results of one cycle are written one at a time: the upsert below reads, then writes.
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=cycle_id)


@transaction.atomic
def record_organisation_result(
    *,
    actor: Any,
    cycle: Cycle,
    unit: Unit,
    predikat: str,
    period_index: int | None = None,
    note: str = "",
) -> OrganisationResult:
    """Record (or correct) a unit's organisation predikat for the cycle or one period.

    Before: the cycle is open; the actor is the leader one level up or an HR admin; no SKP
    of the unit's subtree in the cycle is final yet (a final result was set within the
    curve this predikat defines). Written: the result, one audit row on the cycle's chain.
    Raise ActionForbidden, StepNotAllowed or InvalidReview.
    """
    locked = _lock_cycle(cycle.pk)
    if locked.status != Cycle.Status.OPEN:
        raise StepNotAllowed(_("Siklus ini tidak sedang berjalan."))
    seat = organisation_result_seat(actor, locked, unit)
    if seat is None or unit.agency_id != locked.agency_id:
        raise ActionForbidden(
            _(
                "Hanya pimpinan satu tingkat di atas kepala unit atau pengelola kinerja yang "
                "boleh menetapkan predikat kinerja organisasi."
            )
        )
    errors: dict[str, list[str]] = {}
    if predikat not in OrgPredikat.values:
        errors["predikat"] = [_("Pilih predikat kinerja organisasi.")]
    periods = rules.periods_within(
        locked.starts_on, locked.ends_on, rules.PeriodType(locked.period_type)
    )
    if period_index is not None and period_index not in {period.index for period in periods}:
        errors["period_index"] = [_("Periode tidak termasuk siklus ini.")]
    if errors:
        raise InvalidReview(errors)
    if Skp.objects.filter(
        cycle=locked, unit__path__startswith=unit.path, finalised_at__isnull=False
    ).exists():
        raise StepNotAllowed(
            _(
                "Sudah ada SKP final di %(unit)s; predikat kinerja organisasinya tidak dapat "
                "diubah lagi."
            )
            % {"unit": unit.name}
        )
    now = timezone.now()
    clean_note = (note or "").strip()
    result = OrganisationResult.objects.filter(
        cycle=locked, unit=unit, period_index=period_index
    ).first()
    previous = result.predikat if result is not None else None
    if result is None:
        result = OrganisationResult(cycle=locked, unit=unit, period_index=period_index)
    result.predikat, result.note = predikat, clean_note
    result.recorded_by, result.recorded_at = actor, now
    result.save()
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=locked.agency_id,
        chain=f"cycle:{locked.pk}",
        actor_id=actor.pk,
        acting_for_id=seat.acting_for_id,
        capacity=seat.label,
        reason=clean_note,
        payload={
            "event": "organisation_result_recorded",
            "unit": unit.pk,
            "period_index": period_index,
            "predikat": predikat,
            "previous": previous,
        },
    )
    return result


# Rating context and preview ----------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorAchievement:
    """An indicator's target, its realisation over the SKP's periods and the percentage."""

    indicator_id: int
    rhk_id: int
    text: str
    aspect: str
    target: Decimal
    target_unit: str
    realised: Decimal | None
    percent: Decimal | None
    aggregation: str  # how the periods make up ``realised`` (rules.Aggregation)

    @property
    def aggregation_label(self) -> str:
        """Return how the periods' values were combined, in Indonesian."""
        return str(rules.Aggregation(self.aggregation).label)


@dataclass(frozen=True)
class RatingContext:
    """What the appraiser sees beside the rating form.

    The curve unit and its organisation predikat (None until recorded), the curve's limits
    for the whole population with their Indonesian sentences, the current spread among
    the population's rated SKPs, the ratings the periodic evaluations suggest, the
    achievement per indicator, the rating hasil a unit head must get (or None) and the
    agency's curve settings.
    """

    curve_unit: Unit
    organisation_predikat: OrgPredikat | None
    population: str
    population_size: int
    limits: tuple[CurveLimit, ...]
    limit_sentences: tuple[str, ...]
    counts: Mapping[Predikat, int]
    rated: int
    suggested_hasil: Rating | None
    suggested_perilaku: Rating | None
    achievements: tuple[IndicatorAchievement, ...]
    unit_head_hasil: Rating | None
    curve_mode: str
    curve_rounding: str
    # The SKP's periods without a periodic rating, by label (the suggestion leaves them out).
    unrated_periods: tuple[str, ...] = ()


def achievements_of(skp: Skp) -> tuple[IndicatorAchievement, ...]:
    """Return each indicator's realisation over the SKP's periods against its target.

    The periods' values make up the result as the indicator's aggregation says
    (``rules.aggregation_for``): counts add up, rates and levels average (or take the last
    period's value).
    """
    values: dict[int, list[Decimal]] = {}
    for indicator_id, value in (
        Realisation.objects.filter(indicator__rhk__skp=skp)
        .order_by("indicator_id", "period_index")
        .values_list("indicator_id", "value")
    ):
        values.setdefault(indicator_id, []).append(Decimal(value))
    result = []
    for indicator in Indicator.objects.filter(rhk__skp=skp).order_by(
        "rhk__kind", "rhk__order", "rhk_id", "order", "pk"
    ):
        realised = rules.aggregate(values.get(indicator.pk, []), indicator.aggregation_rule)
        result.append(
            IndicatorAchievement(
                indicator_id=indicator.pk,
                rhk_id=indicator.rhk_id,
                text=indicator.text,
                aspect=indicator.aspect,
                target=indicator.target_value,
                target_unit=indicator.target_unit,
                realised=realised,
                percent=rules.achievement_percent(
                    rules.Aspect(indicator.aspect), indicator.target_value, realised
                ),
                aggregation=indicator.aggregation_rule.value,
            )
        )
    return tuple(result)


def unit_head_hasil(skp: Skp, choice: SkpSettings | None = None) -> Rating | None:
    """Return the rating hasil kerja a unit head must get, or None when it is free.

    PermenPANRB 6/2022: for the head of a unit, the unit's own organisation result becomes
    their rating hasil kerja (when the agency keeps that setting and the result exists).
    """
    settings = choice or settings_for(skp.agency_id)
    if not (skp.position.is_unit_head and settings.unit_head_follows_unit):
        return None
    result = curve.annual_result(skp.cycle_id, skp.position.unit_id)
    if result is None:
        return None
    return rules.unit_head_hasil_rating(OrgPredikat(result.predikat))


def rating_context(skp: Skp) -> RatingContext:
    """Return what the appraiser sees while rating ``skp`` (read only)."""
    settings = settings_for(skp.agency_id)
    scope = curve.curve_scope(skp, settings.curve_population)
    org = scope.organisation_predikat
    rounding = rules.CurveRounding(settings.curve_rounding)
    limits = tuple(rules.curve_limits(org, scope.size, rounding)) if org is not None else ()
    rated_periods = list(
        PeriodEvaluation.objects.filter(skp=skp)
        .exclude(rating_hasil="")
        .order_by("period_index")
        .values_list("period_index", "rating_hasil", "rating_perilaku")
    )
    evaluations = [(hasil, perilaku) for _index, hasil, perilaku in rated_periods]
    rated_indexes = {index for index, _h, _p in rated_periods}
    unrated = tuple(
        str(period.label) for period in periods_of(skp) if period.index not in rated_indexes
    )
    return RatingContext(
        curve_unit=scope.unit,
        organisation_predikat=org,
        population=scope.population,
        population_size=scope.size,
        limits=limits,
        limit_sentences=tuple(limit.sentence for limit in limits),
        counts=dict(scope.counts),
        rated=scope.rated,
        suggested_hasil=rules.suggested_rating([Rating(hasil) for hasil, _p in evaluations]),
        suggested_perilaku=rules.suggested_rating(
            [Rating(perilaku) for _h, perilaku in evaluations if perilaku]
        ),
        achievements=achievements_of(skp),
        unit_head_hasil=unit_head_hasil(skp, settings),
        curve_mode=settings.curve_mode,
        curve_rounding=settings.curve_rounding,
        unrated_periods=unrated,
    )


@dataclass(frozen=True)
class RatingPreview:
    """What a pair of ratings would give: the predikat and its fit with the curve.

    ``conforms`` is None when the unit has no organisation predikat yet. ``blocked`` means
    the agency's curve mode refuses this result; ``justification_required`` that it is
    accepted only with a written justification. ``messages`` explain both in Indonesian.
    ``counts`` is the spread after this result.
    """

    predikat: Predikat
    curve_unit: Unit
    organisation_predikat: OrgPredikat | None
    population: str
    counts: Mapping[Predikat, int]
    conforms: bool | None
    violations: tuple[str, ...]
    justification_required: bool
    blocked: bool
    messages: tuple[str, ...]
    unit_head_hasil: Rating | None


def _validate_ratings(rating_hasil: Any, rating_perilaku: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if rating_hasil not in Rating.values:
        errors["rating_hasil"] = [_("Pilih rating hasil kerja.")]
    if rating_perilaku not in Rating.values:
        errors["rating_perilaku"] = [_("Pilih rating perilaku kerja.")]
    return errors


def assess_rating(
    skp: Skp, hasil: Rating, perilaku: Rating, settings: SkpSettings, *, curve_applies: bool
) -> RatingPreview:
    predikat = rules.predikat_for(hasil, perilaku)
    scope = curve.curve_scope(skp, settings.curve_population)
    org = scope.organisation_predikat
    counts = dict(scope.counts)
    replacing = Predikat(skp.predikat) if skp.predikat and skp.pk in scope.skp_ids else None
    after = dict(counts)
    if replacing is not None:
        after[replacing] -= 1
    after[predikat] = after.get(predikat, 0) + 1
    block = settings.curve_mode == rules.CurveMode.BLOCK
    messages: list[str] = []
    conforms: bool | None = None
    violations: tuple[str, ...] = ()
    if org is None:
        if curve_applies:
            messages.append(
                _("Predikat kinerja organisasi unit belum ditetapkan.")
                if block
                else _(
                    "Predikat kinerja organisasi unit belum ditetapkan; tuliskan justifikasi "
                    "penilaian."
                )
            )
    else:
        check = rules.would_conform(
            org,
            counts,
            predikat,
            replacing,
            rules.CurveRounding(settings.curve_rounding),
            population=scope.size,
        )
        conforms, violations = check.conforms, tuple(check.violations)
        if not check.conforms and curve_applies:
            # The limits are of the whole population, as in the curve panel beside; a lower
            # bound the people not yet rated could still meet is not broken yet.
            text = _(
                "Hasil ini membuat %(unit)s (%(org)s) keluar dari kurva distribusi, apa pun "
                "hasil pegawai yang belum dinilai: %(violations)s."
            ) % {
                "unit": scope.unit.name,
                "org": org.label,
                "violations": "; ".join(check.violations),
            }
            messages.append(text if block else f"{text} {_('Tuliskan justifikasi.')}")
    outside = curve_applies and (org is None or conforms is False)
    return RatingPreview(
        predikat=predikat,
        curve_unit=scope.unit,
        organisation_predikat=org,
        population=scope.population,
        counts=after,
        conforms=conforms,
        violations=violations,
        justification_required=outside and not block,
        blocked=outside and block,
        messages=tuple(messages),
        unit_head_hasil=unit_head_hasil(skp, settings),
    )


def preview_rating(skp: Skp, rating_hasil: str, rating_perilaku: str) -> RatingPreview:
    """Return the predikat a pair of ratings gives and how it fits the curve (live page).

    Raise InvalidReview for ratings that are not Di Atas / Sesuai / Di Bawah Ekspektasi.
    """
    errors = _validate_ratings(rating_hasil, rating_perilaku)
    if errors:
        raise InvalidReview(errors)
    return assess_rating(
        skp,
        Rating(rating_hasil),
        Rating(rating_perilaku),
        settings_for(skp.agency_id),
        curve_applies=True,
    )


def unit_head_problem(skp: Skp, hasil: Rating, fixed: Rating | None) -> str | None:
    """Return why ``hasil`` is refused for a unit head whose rating follows the unit."""
    if fixed is None or hasil == fixed:
        return None
    return _(
        "Rating hasil kerja kepala unit mengikuti predikat kinerja organisasi %(unit)s: %(rating)s."
    ) % {"unit": skp.position.unit.name, "rating": fixed.label}


def curve_detail(preview: RatingPreview, settings: SkpSettings) -> dict[str, Any]:
    """Return the curve facts stored with a rating record (JSON)."""
    return {
        "unit": preview.curve_unit.pk,
        "organisation_predikat": preview.organisation_predikat,
        "population": preview.population,
        "mode": settings.curve_mode,
        "counts": {str(key): value for key, value in preview.counts.items()},
        "violations": list(preview.violations),
    }


# Rating ------------------------------------------------------------------------------------


@transaction.atomic
def rate_skp(
    *,
    skp_id: int,
    actor: Any,
    rating_hasil: str,
    rating_perilaku: str,
    justification: str = "",
) -> RatingRecord:
    """Give the annual ratings as the appraiser; the predikat follows from the matrix.

    Before: the SKP stands in a rating stage; the actor appraises it today (own or acting).
    A unit head's rating hasil must equal the one their unit's result gives (when the agency
    keeps that rule). A result outside the unit's curve, or before the unit has an
    organisation predikat, needs a justification (curve mode "warn") or is refused ("block").
    Written: the SKP's ratings, predikat and rated_at; a RatingRecord of kind appraiser;
    one audit row. The task stays open (``submit_rating`` completes it). Raise
    ActionForbidden or InvalidReview (fields rating_hasil, rating_perilaku, curve,
    justification).
    """
    skp = lock_skp(skp_id)
    require_form(skp, "rating")
    access = require_appraiser(actor, skp)
    assert access.appraiser is not None
    errors = _validate_ratings(rating_hasil, rating_perilaku)
    if errors:
        raise InvalidReview(errors)
    settings = settings_for(skp.agency_id)
    hasil, perilaku = Rating(rating_hasil), Rating(rating_perilaku)
    preview = assess_rating(skp, hasil, perilaku, settings, curve_applies=True)
    problem = unit_head_problem(skp, hasil, preview.unit_head_hasil)
    if problem is not None:
        raise InvalidReview({"rating_hasil": [problem]})
    text = (justification or "").strip()
    if preview.blocked:
        raise InvalidReview({"curve": list(preview.messages)})
    if preview.justification_required and not text:
        raise InvalidReview({"justification": list(preview.messages)})
    now = timezone.now()
    skp.rating_hasil, skp.rating_perilaku = hasil, perilaku
    skp.predikat, skp.rated_at = preview.predikat, now
    skp.save(update_fields=["rating_hasil", "rating_perilaku", "predikat", "rated_at"])
    rating = RatingRecord.objects.create(
        skp=skp,
        kind=RatingRecord.Kind.APPRAISER,
        rating_hasil=hasil,
        rating_perilaku=perilaku,
        predikat=preview.predikat,
        justification=text,
        curve_conforms=preview.conforms,
        curve_detail=curve_detail(preview, settings),
        by=actor,
        capacity=access.appraiser.label,
        at=now,
    )
    record(
        skp,
        actor,
        "skp_rated",
        capacity=access.appraiser.label,
        acting_for_id=access.appraiser.acting_for_id,
        reason=text,
        rating_hasil=str(hasil),
        rating_perilaku=str(perilaku),
        predikat=str(preview.predikat),
        curve_conforms=preview.conforms,
        rating_record=rating.pk,
    )
    return rating


@transaction.atomic
def submit_rating(*, skp_id: int, actor: Any, comment: str = "") -> Case:
    """Complete the rating task; the engine checks both ratings were given."""
    skp = lock_skp(skp_id)
    require_form(skp, "rating")
    task = require_task(skp, actor)
    return engine.complete_task(
        task_id=task.pk, actor=actor, outcome="rated", comment=(comment or "").strip()
    )


@transaction.atomic
def return_to_self_assessment(*, skp_id: int, actor: Any, reason: str) -> Case:
    """Send the SKP back to the employee's self-assessment with a written reason."""
    skp = lock_skp(skp_id)
    case = require_form(skp, "rating")
    task = require_task(skp, actor)
    return engine.return_case(
        task_id=task.pk,
        actor=actor,
        to_stage=_return_target(case, "self_assessment"),
        reason=reason,
    )


# Team review -------------------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReasonRequired(_("Alasan wajib diisi."))
    return text


@transaction.atomic
def submit_team_review(
    *,
    skp_id: int,
    actor: Any,
    summary: str,
    recommendation: str = "",
    agrees_with_rating: bool,
) -> TeamReview:
    """Record the evaluation team's review of the rating and complete the team's task.

    Before: the SKP stands in a team review stage; the actor holds its task or is a team
    member who may take it (taken here). Raise ActionForbidden or InvalidReview.
    """
    skp = lock_skp(skp_id)
    require_form(skp, "team_review")
    held = held_or_claimable_task(skp, actor)
    clean_summary = (summary or "").strip()
    if not clean_summary:
        raise InvalidReview({"summary": [_("Hasil reviu wajib diisi.")]})
    task = claim_if_needed(held, actor)
    review = TeamReview.objects.create(
        skp=skp,
        author=actor,
        summary=clean_summary,
        recommendation=(recommendation or "").strip(),
        agrees_with_rating=bool(agrees_with_rating),
        created_at=timezone.now(),
    )
    record(
        skp,
        actor,
        "team_review_submitted",
        capacity=held.label,
        acting_for_id=held.acting_for_id,
        team_review=review.pk,
        agrees_with_rating=review.agrees_with_rating,
    )
    engine.complete_task(task_id=task.pk, actor=actor, outcome="reviewed")
    return review


@transaction.atomic
def return_from_team_review(*, skp_id: int, actor: Any, reason: str) -> Case:
    """Send the rating back to the appraiser with the team's written reason."""
    skp = lock_skp(skp_id)
    case = require_form(skp, "team_review")
    held = held_or_claimable_task(skp, actor)
    text = _require_reason(reason)
    target = _return_target(case, "rating")
    task = claim_if_needed(held, actor)
    return engine.return_case(task_id=task.pk, actor=actor, to_stage=target, reason=text)


def _team_of(case: Case) -> Team | None:
    spec = case.current_stage()
    if not spec.team:
        return None
    return Team.objects.filter(tenant_id=case.tenant_id, code=spec.team).first()


def _observer_seat(skp: Skp, case: Case, actor: Any) -> Seat | None:
    """Return how ``actor`` may record a field observation now, or None."""
    seat = team_seat(skp, actor)
    if seat is not None:
        return seat
    appraiser = access_for(actor, skp).appraiser
    if appraiser is not None and case.phase == Phase.REVIEWED:
        return appraiser
    return None


@transaction.atomic
def add_field_observation(
    *,
    skp_id: int,
    actor: Any,
    observed_on: datetime.date,
    location: str,
    notes: str,
    evidence_file: Any = None,
) -> FieldObservation:
    """Record a field visit as evidence for the review (kunjungan lapangan).

    Allowed to the evaluation team's members while the SKP stands in the team review
    stage, and to the appraiser while it is in the review phase. A file goes through
    ``monitoring.add_evidence_file`` as evidence of kind "field_observation" (its type,
    size and storage rules; the team's members and the appraiser may attach one). Raise
    ActionForbidden, StepNotAllowed, InvalidReview or the evidence action's errors.
    """
    skp = lock_skp(skp_id)
    case = require_open(skp)
    if case.phase != Phase.REVIEWED:
        raise StepNotAllowed(
            _("SKP sedang di tahap «%(stage)s»; tindakan ini tidak berlaku sekarang.")
            % {"stage": case.current_stage().name}
        )
    seat = _observer_seat(skp, case, actor)
    if seat is None:
        raise ActionForbidden(
            _("Hanya tim penilai kinerja atau pejabat penilai yang boleh mencatat observasi.")
        )
    errors: dict[str, list[str]] = {}
    if observed_on > today_for(skp):
        errors["observed_on"] = [_("Tanggal kunjungan tidak boleh setelah hari ini.")]
    if not (location or "").strip():
        errors["location"] = [_("Lokasi wajib diisi.")]
    if not (notes or "").strip():
        errors["notes"] = [_("Catatan pengamatan wajib diisi.")]
    if errors:
        raise InvalidReview(errors)
    evidence = None
    if evidence_file is not None:
        # The file follows the evidence rules (type, size, storage, audit row "evidence_added").
        evidence = monitoring.add_evidence_file(
            skp_id=skp.pk,
            actor=actor,
            uploaded=evidence_file,
            note=(location or "").strip(),
            kind="field_observation",
        )
    observation = FieldObservation.objects.create(
        skp=skp,
        author=actor,
        observed_on=observed_on,
        location=location.strip(),
        notes=notes.strip(),
        evidence=evidence,
        created_at=timezone.now(),
    )
    record(
        skp,
        actor,
        "field_observation_added",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        observation=observation.pk,
        observed_on=observed_on.isoformat(),
        evidence=evidence.pk if evidence is not None else None,
    )
    return observation
