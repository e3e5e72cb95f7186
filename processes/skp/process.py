"""The SKP process as the engine sees it: roles, guards, conditions, forms and hooks.

Registered once at start-up (``SkpConfig.ready``). Guards answer "are the inputs this
stage needs complete?" with sentences in Bahasa Indonesia; the engine runs them inside its
actions, so a stage can never complete with missing inputs whichever page or job asks.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from processes.organisation import roles
from processes.organisation.access import administered_agency_ids
from processes.organisation.models import Agency
from processes.organisation.selectors import appraiser_of
from processes.skp import rules
from processes.skp.access import role_day
from processes.skp.models import (
    BerAkhlak,
    Indicator,
    IndicatorTemplate,
    Objection,
    PerformanceDialog,
    PeriodEvaluation,
    Realisation,
    Rhk,
    SelfAssessment,
    Skp,
    SkpSettings,
)
from workflow.holidays import holidays_for
from workflow.models import Case
from workflow.registry import DeadlinePolicy, ProcessDefinition, RoleResolution, register
from workflow.spec import Phase

KIND = "skp"

# The pages that handle a stage (a stage's ``form``); one word shared by the stage, the action,
# the audit payload, the button and the test file. The labels are what HR reads in the
# template designer, in the order of the cycle.
FORM_LABELS = {
    "plan": gettext_lazy("Rencana SKP"),
    "plan_approval": gettext_lazy("Persetujuan rencana SKP"),
    "monitoring": gettext_lazy("Pemantauan dan realisasi"),
    "self_assessment": gettext_lazy("Penilaian mandiri"),
    "peer_feedback": gettext_lazy("Umpan balik rekan kerja"),
    "rating": gettext_lazy("Penilaian pejabat penilai"),
    "team_review": gettext_lazy("Reviu tim penilai kinerja"),
    "discussion": gettext_lazy("Dialog hasil dan tanggapan pegawai"),
    "objection_decision": gettext_lazy("Keputusan keberatan"),
    "finalisation": gettext_lazy("Penetapan hasil akhir"),
}
FORMS = frozenset(FORM_LABELS)


def skp_of(case: Case) -> Skp | None:
    """Return the SKP a case runs (None while a cycle opening is still linking them)."""
    return Skp.objects.select_related("cycle", "position", "employee").filter(case=case).first()


def settings_for(agency_id: int) -> SkpSettings:
    """Return the agency's SKP settings (the defaults, unsaved, when never chosen)."""
    return SkpSettings.objects.filter(agency_id=agency_id).first() or SkpSettings(
        agency_id=agency_id
    )


def periods_of(skp: Skp) -> list[rules.Period]:
    """Return the evaluation periods an SKP covers (clipped to its own dates)."""
    return rules.periods_within(
        skp.period_start, skp.period_end, rules.PeriodType(skp.cycle.period_type)
    )


# Guards ----------------------------------------------------------------------------------


def plan_complete(case: Case) -> list[str]:
    """The plan has main results, each measured and cascaded (DOMAIN.md section 1)."""
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    rhks = list(
        Rhk.objects.filter(skp=skp)
        .select_related("parent__skp__employee")
        .annotate(indicator_count=Count("indicators"))
        .order_by("kind", "order", "pk")
    )
    problems: list[str] = []
    if not any(rhk.kind == Rhk.Kind.UTAMA for rhk in rhks):
        problems.append(_("Rencana belum punya RHK utama."))
    appraiser = appraiser_of(skp.employee, role_day(skp))
    appraiser_employee = appraiser.official.employee if appraiser.official else None
    for number, rhk in enumerate(rhks, start=1):
        label = _("RHK %(n)d") % {"n": number}
        if rhk.indicator_count == 0:
            problems.append(_("%(rhk)s belum punya indikator.") % {"rhk": label})
        if skp.is_jpt:
            if not rhk.perspective:
                problems.append(_("%(rhk)s belum memilih perspektif.") % {"rhk": label})
            if rhk.unit_goal_id is None:
                problems.append(_("%(rhk)s belum terhubung ke sasaran unit.") % {"rhk": label})
        elif rhk.parent_id is None:
            problems.append(
                _("%(rhk)s belum terhubung ke RHK pejabat penilai (intervensi).") % {"rhk": label}
            )
        elif (
            appraiser_employee is not None
            and rhk.parent is not None
            and rhk.parent.skp.employee_id != appraiser_employee.pk
        ):
            problems.append(
                _("%(rhk)s masih terhubung ke rencana %(old)s, bukan pejabat penilai sekarang.")
                % {"rhk": label, "old": rhk.parent.skp.employee.name}
            )
    return problems


def expectations_complete(case: Case) -> list[str]:
    """The appraiser wrote an ekspektasi khusus for each of the seven BerAKHLAK values."""
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    written = set(skp.expectations.exclude(text="").values_list("value", flat=True))
    return [
        _("Ekspektasi khusus untuk %(value)s belum diisi.") % {"value": value.label}
        for value in BerAkhlak
        if value.value not in written
    ]


def realisations_complete(case: Case) -> list[str]:
    """Every manually entered indicator has a realisation for every period of the SKP."""
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    periods = periods_of(skp)
    indicators = Indicator.objects.filter(
        rhk__skp=skp, source=IndicatorTemplate.Source.MANUAL
    ).order_by("rhk__kind", "rhk__order", "order", "pk")
    entered = set(
        Realisation.objects.filter(indicator__in=indicators).values_list(
            "indicator_id", "period_index"
        )
    )
    problems = []
    for indicator in indicators:
        missing = [str(p.label) for p in periods if (indicator.pk, p.index) not in entered]
        if missing:
            # The periods as the pages name them ("Triwulan I, Triwulan II", "Januari").
            problems.append(
                _("Realisasi indikator «%(text)s» belum diisi untuk %(periods)s.")
                % {"text": indicator.text, "periods": ", ".join(missing)}
            )
    return problems


def period_reports_complete(case: Case) -> list[str]:
    """Each period has the employee's achievement report and the appraiser's ratings.

    Only where the agency asks for period reports (``period_report_required``): a template
    may keep the guard while HR turns the reports off.
    """
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    if not settings_for(skp.agency_id).period_report_required:
        return []
    done = set(
        PeriodEvaluation.objects.filter(skp=skp)
        .exclude(report_submitted_at=None)
        .exclude(predikat="")
        .values_list("period_index", flat=True)
    )
    return [
        _("Laporan capaian %(label)s belum diserahkan atau belum dinilai.")
        % {"label": period.label}
        for period in periods_of(skp)
        if period.index not in done
    ]


def self_assessment_complete(case: Case) -> list[str]:
    """The employee summarised every RHK and every BerAKHLAK value."""
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    rows = SelfAssessment.objects.filter(skp=skp).exclude(text="")
    rhk_done = set(rows.exclude(rhk=None).values_list("rhk_id", flat=True))
    value_done = set(rows.exclude(value="").values_list("value", flat=True))
    problems = [
        _("Penilaian mandiri untuk RHK «%(text)s» belum diisi.") % {"text": rhk.text[:60]}
        for rhk in Rhk.objects.filter(skp=skp).order_by("kind", "order", "pk")
        if rhk.pk not in rhk_done
    ]
    problems += [
        _("Penilaian mandiri untuk nilai %(value)s belum diisi.") % {"value": value.label}
        for value in BerAkhlak
        if value.value not in value_done
    ]
    return problems


def ratings_given(case: Case) -> list[str]:
    """The appraiser gave both ratings (the predikat follows from them)."""
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    if not (skp.rating_hasil and skp.rating_perilaku and skp.predikat):
        return [_("Rating hasil kerja dan rating perilaku kerja belum diberikan.")]
    return []


def result_dialog_at(skp: Skp) -> datetime.datetime | None:
    """Return when the first result dialog after the (latest) rating was recorded, or None."""
    dialogs = PerformanceDialog.objects.filter(skp=skp, kind=PerformanceDialog.Kind.RESULT)
    if skp.rated_at is not None:
        dialogs = dialogs.filter(created_at__gte=skp.rated_at)
    first = dialogs.order_by("created_at", "pk").values_list("created_at", flat=True).first()
    return first


def result_discussed(case: Case) -> list[str]:
    """A result dialog (dialog kinerja) was recorded after the result was given."""
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    if result_dialog_at(skp) is None:
        return [_("Dialog hasil penilaian belum dicatat oleh pejabat penilai.")]
    return []


def objection_decided(case: Case) -> list[str]:
    """The keberatan has a decision."""
    skp = skp_of(case)
    if skp is None:
        return [_("SKP tidak ditemukan.")]
    if Objection.objects.filter(skp=skp).exclude(status=Objection.Status.DECIDED).exists():
        return [_("Keberatan belum diputus.")]
    return []


GUARDS = {
    "plan_complete": plan_complete,
    "expectations_complete": expectations_complete,
    "realisations_complete": realisations_complete,
    "period_reports_complete": period_reports_complete,
    "self_assessment_complete": self_assessment_complete,
    "ratings_given": ratings_given,
    "result_discussed": result_discussed,
    "objection_decided": objection_decided,
}
# The guards as HR reads them when choosing "Syarat sebelum selesai" for a stage.
GUARD_LABELS = {
    "plan_complete": gettext_lazy("Rencana lengkap"),
    "expectations_complete": gettext_lazy("Ekspektasi khusus sudah diisi"),
    "realisations_complete": gettext_lazy("Realisasi semua periode sudah diisi"),
    "period_reports_complete": gettext_lazy(
        "Laporan capaian periodik sudah diserahkan dan dinilai"
    ),
    "self_assessment_complete": gettext_lazy("Penilaian mandiri lengkap"),
    "ratings_given": gettext_lazy("Rating sudah diberikan"),
    "result_discussed": gettext_lazy("Dialog hasil sudah dicatat"),
    "objection_decided": gettext_lazy("Keberatan sudah diputus"),
}


# Conditions for optional stages ----------------------------------------------------------


def objection_filed(case: Case) -> bool:
    """Run the objection stage only when a keberatan awaits a decision."""
    return (
        Objection.objects.filter(skp__case=case).exclude(status=Objection.Status.DECIDED).exists()
    )


def is_functional(case: Case) -> bool:
    """Run a stage only for functional positions (for example a credit-point check)."""
    return Skp.objects.filter(case=case, position__kind="fungsional").exists()


CONDITIONS = {"objection_filed": objection_filed, "is_functional": is_functional}
# The conditions as HR reads them when choosing when an optional stage runs.
CONDITION_LABELS = {
    "objection_filed": gettext_lazy("Ada keberatan"),
    "is_functional": gettext_lazy("Pegawai berjabatan fungsional"),
}
# The SKP's own audit rows (``actions.common.record``) as the history names them.
EVENT_LABELS = {
    "rhk_saved": gettext_lazy("RHK disimpan"),
    "rhk_deleted": gettext_lazy("RHK dihapus"),
    "indicator_saved": gettext_lazy("Indikator disimpan"),
    "indicator_deleted": gettext_lazy("Indikator dihapus"),
    "action_plan_saved": gettext_lazy("Rencana aksi disimpan"),
    "action_plan_deleted": gettext_lazy("Rencana aksi dihapus"),
    "action_plan_progress_saved": gettext_lazy("Kemajuan rencana aksi dicatat"),
    "attachment_saved": gettext_lazy("Lampiran SKP disimpan"),
    "expectations_saved": gettext_lazy("Ekspektasi khusus disimpan"),
    "plan_agreed": gettext_lazy("Rencana disetujui"),
    "realisation_saved": gettext_lazy("Realisasi disimpan"),
    "evidence_added": gettext_lazy("Bukti dukung ditambahkan"),
    "evidence_deleted": gettext_lazy("Bukti dukung dihapus"),
    "feedback_given": gettext_lazy("Umpan balik diberikan"),
    "dialog_recorded": gettext_lazy("Dialog kinerja dicatat"),
    "daily_activities_added": gettext_lazy("Kegiatan harian dicatat"),
    "daily_activity_changed": gettext_lazy("Kegiatan harian diubah"),
    "daily_activity_deleted": gettext_lazy("Kegiatan harian dihapus"),
    "period_report_submitted": gettext_lazy("Laporan capaian diserahkan"),
    "period_rated": gettext_lazy("Penilaian periodik diberikan"),
    "extra_aspect_rated": gettext_lazy("Aspek tambahan dinilai"),
    "self_assessment_saved": gettext_lazy("Penilaian mandiri disimpan"),
    "peer_feedback_given": gettext_lazy("Umpan balik rekan kerja diberikan"),
    "team_review_submitted": gettext_lazy("Reviu tim penilai diserahkan"),
    "field_observation_added": gettext_lazy("Observasi lapangan dicatat"),
    "skp_rated": gettext_lazy("Rating diberikan"),
    "result_acknowledged": gettext_lazy("Hasil diterima pegawai"),
    "objection_filed": gettext_lazy("Keberatan diajukan"),
    "objection_explanation_requested": gettext_lazy("Penjelasan keberatan diminta"),
    "objection_explanation_given": gettext_lazy("Penjelasan keberatan diberikan"),
    "objection_decided": gettext_lazy("Keberatan diputus"),
    "skp_concluded": gettext_lazy("Hasil akhir ditetapkan"),
}
SKIP_REASONS = {
    "objection_filed": gettext_lazy("pegawai tidak mengajukan keberatan"),
    "is_functional": gettext_lazy("pegawai tidak menduduki jabatan fungsional"),
}


# Roles -----------------------------------------------------------------------------------


def resolve_role(case: Case, role: str, on: datetime.date) -> RoleResolution:
    """Resolve a role for the SKP on ``on`` clamped to the SKP's own period.

    An SKP closed early by a transfer keeps the appraisers of its own period, and an SKP
    whose period has not begun yet resolves them as of its first day.
    """
    skp = Skp.objects.filter(case=case).only("period_start", "period_end").first()
    if skp is not None:
        on = min(max(on, skp.period_start), skp.period_end)
    return roles.resolve_role(case, role, on)


# Hooks -----------------------------------------------------------------------------------


def deadline_policy(case: Case) -> DeadlinePolicy:
    """Count SLA days in the agency's zone, in calendar or working days as it chose."""
    agency = Agency.objects.only("time_zone").get(pk=case.tenant_id)
    choice = settings_for(case.tenant_id)
    return DeadlinePolicy(
        zone=agency.time_zone,
        working_days=choice.sla_working_days,
        holidays=holidays_for(case.tenant_id) if choice.sla_working_days else frozenset(),
    )


# A phase named after its outcome ("Final") would claim too much while
# its own stage still waits: the status says what is awaited instead.
_WAITING = {
    Phase.AGREED: gettext_lazy("Menunggu persetujuan rencana"),
    Phase.FINAL: gettext_lazy("Menunggu penetapan"),
}


def status_label(case: Case | None) -> StrOrPromise:
    """Return an SKP's status as its badge shows it (the phase, or what it waits for)."""
    if case is None:
        return gettext_lazy("Belum dimulai")
    if case.is_open and case.phase in _WAITING:
        return _WAITING[Phase(case.phase)]
    labels: dict[str, StrOrPromise] = dict(Phase.choices)
    phase = str(case.phase)
    return labels.get(phase, phase)


def on_stage_entered(case: Case, stage_key: str) -> None:
    """When the result reaches the employee: start the objection window, ask for the dialog."""
    if case.current_stage().form == "discussion":
        from processes.skp.actions.objection import ask_for_result_dialog

        Skp.objects.filter(case=case).update(result_received_at=timezone.now())
        ask_for_result_dialog(case)


def on_closed(case: Case) -> None:
    """Lock the SKP and derive its follow-up: credit points and recommendations."""
    from processes.skp.actions.final import conclude_skp

    skp = skp_of(case)
    if skp is not None:
        conclude_skp(skp)


def on_reopened(case: Case) -> None:
    """Unlock a reopened SKP (HR reopened it with a reason, audited by the engine)."""
    Skp.objects.filter(case=case).update(finalised_at=None)


def admin_user_ids(tenant_id: int) -> list[int]:
    """Return the agency's HR admins, told of breached deadlines."""
    return roles.hr_user_ids(tenant_id)


def case_url(case: Case) -> str:
    """Return the SKP page of a case (for notification links)."""
    skp_id = Skp.objects.filter(case=case).values_list("pk", flat=True).first()
    return f"/skp/{skp_id}/" if skp_id else ""


def case_urls(cases: Sequence[Case]) -> dict[int, str]:
    """Return the SKP pages of many cases with one query (inboxes, lists)."""
    ids = Skp.objects.filter(case_id__in=[case.pk for case in cases]).values_list("case_id", "pk")
    return {int(case_id): f"/skp/{skp_id}/" for case_id, skp_id in ids}


DEFINITION = ProcessDefinition(
    kind=KIND,
    label="SKP",
    resolve_role=resolve_role,
    administered_tenant_ids=administered_agency_ids,
    guards=GUARDS,
    conditions=CONDITIONS,
    skip_reasons=SKIP_REASONS,
    event_labels=EVENT_LABELS,
    forms=FORMS,
    form_labels=FORM_LABELS,
    guard_labels=GUARD_LABELS,
    condition_labels=CONDITION_LABELS,
    deadline_policy=deadline_policy,
    user_in_tenant=roles.user_in_agency,
    on_stage_entered=on_stage_entered,
    on_closed=on_closed,
    on_reopened=on_reopened,
    admin_user_ids=admin_user_ids,
    case_url=case_url,
    case_urls=case_urls,
)


def register_process() -> None:
    """Register the SKP process with the engine (idempotent)."""
    register(DEFINITION)
