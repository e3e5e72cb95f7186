"""The monitoring tab ("pemantauan") of the SKP page: one evaluation period at a time.

For the chosen period (``?periode=<n>``, by default the one running today): each indicator's
target, realisation and achievement (``selectors.monitoring_overview``), its evidence with
download links and an upload form, and the appraiser's feedback; the period's rencana aksi
and their progress; attendance where the agency imports it; the employee's achievement
report where the agency asks for one; the appraiser's period rating (the predikat is computed
from the two ratings, never typed); extra aspects where the agency defines them. Across the
SKP: feedback per BerAKHLAK value, dialog kinerja records, daily activities (one at a time or
pasted in bulk), a chart of achievement over the periods with a table of the same numbers,
and "Selesai pemantauan" for the employee.

Who may do what follows the actions (``processes.skp.actions.monitoring``), which check it
again; forms are shown only to those who may use them. POSTs carry ``aksi`` and ``periode``
and redirect back to the period after success.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from processes.skp import selectors, tabs
from processes.skp.access import SkpAccess, today_for
from processes.skp.actions import monitoring as monitoring_actions
from processes.skp.actions.common import current_form, open_task_for
from processes.skp.forms_monitoring import (
    DailyActivityForm,
    DailyPasteForm,
    DialogForm,
    EvidenceForm,
    ExtraAspectForm,
    FeedbackForm,
    PeriodRatingForm,
    ProgressForm,
    RealisationForm,
    ReportForm,
    ValueFeedbackForm,
)
from processes.skp.forms_plan import BEHAVIOUR_GUIDES, CommentForm, short
from processes.skp.models import (
    ActionPlan,
    BerAkhlak,
    DailyActivity,
    Evidence,
    Feedback,
    PerformanceDialog,
    Rhk,
    Skp,
)
from processes.skp.process import periods_of, settings_for
from processes.skp.rules import Rating
from processes.skp.views_detail import Attempt, apply_errors, attempt, posted_id, saved, tab_url
from workflow.errors import WorkflowError
from workflow.spec import PHASE_ORDER, Phase

TAB = "pemantauan"
F = TypeVar("F", bound=forms.Form)
RATING_LABELS = dict(Rating.choices)


def shows_monitoring(skp: Skp, access: SkpAccess) -> bool:
    """Show the tab from the monitored phase on (and while an agreed plan is being revised)."""
    case = skp.case
    if case is None:
        return False
    if case.phase in PHASE_ORDER and PHASE_ORDER.index(case.phase) >= PHASE_ORDER.index(
        Phase.MONITORED
    ):
        return True
    # A revision sends the plan back to drafting; what was monitored stays visible.
    return skp.plan_versions.exists()


# What the tab shows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Abilities:
    """What the viewer may do on the monitoring tab now (the actions check again)."""

    realise: bool
    progress: bool
    evidence: bool
    feedback: bool
    dialog: bool
    daily: bool
    report: bool
    rate: bool
    extra: bool
    finish: bool


def abilities(skp: Skp, access: SkpAccess, user: Any, settings: Any) -> Abilities:
    """Return what ``user`` may do (one query when they might hold the monitoring task)."""
    case = skp.case
    phase = case.phase if case is not None and case.is_open else ""
    monitored = phase in monitoring_actions.MONITORING_PHASES
    rated = bool(skp.predikat) or skp.rated_at is not None
    finish = (
        current_form(skp) == "monitoring"
        and access.is_employee
        and open_task_for(skp, user) is not None
    )
    return Abilities(
        realise=monitored
        and (access.is_appraiser or (access.is_employee and settings.employee_enters_realisation)),
        progress=monitored and access.is_employee,
        evidence=phase in monitoring_actions.EVIDENCE_PHASES
        and (access.is_employee or access.is_appraiser),
        feedback=phase in monitoring_actions.FEEDBACK_PHASES and access.is_appraiser,
        dialog=phase in monitoring_actions.COACHING_PHASES and access.is_appraiser,
        daily=bool(settings.daily_activities_enabled)
        and phase in monitoring_actions.DAILY_PHASES
        and access.is_employee,
        report=bool(settings.period_report_required) and monitored and access.is_employee,
        rate=phase in monitoring_actions.RATING_PHASES and access.is_appraiser and not rated,
        extra=bool(extra_aspects(settings))
        and phase in monitoring_actions.RATING_PHASES
        and access.is_appraiser,
        finish=finish,
    )


def extra_aspects(settings: Any) -> list[tuple[str, str]]:
    """Return the agency's extra aspects as (code, name) (entries may be dicts or strings)."""
    aspects: list[tuple[str, str]] = []
    for item in settings.extra_aspects or []:
        if isinstance(item, dict) and item.get("code"):
            aspects.append((str(item["code"]), str(item.get("name") or item["code"])))
        elif isinstance(item, str) and item.strip():
            aspects.append((item.strip(), item.strip()))
    return aspects


@dataclass
class IndicatorView:
    """One indicator in the chosen period with its forms."""

    row: selectors.IndicatorRow
    cell: selectors.Cell
    evidence: list[Evidence]
    feedback: list[Feedback]
    realisation_form: RealisationForm | None
    evidence_form: EvidenceForm | None
    feedback_form: FeedbackForm | None

    @property
    def anchor(self) -> str:
        """Return the block's element id."""
        return f"indikator-{self.row.indicator.pk}"


@dataclass
class ProgressView:
    """A rencana aksi of the chosen period with the progress form."""

    plan: ActionPlan
    form: ProgressForm | None


@dataclass
class RhkView:
    """An RHK in the chosen period."""

    rhk: Rhk
    number: int
    indicators: list[IndicatorView]
    action_plans: list[ProgressView]


@dataclass
class ValueView:
    """A BerAKHLAK value with its guides and the appraiser's feedback."""

    value: str
    label: str
    guides: tuple[Any, ...]
    feedback: list[Feedback]


def pick(bound: Mapping[str, forms.Form], key: str, fresh: F | None) -> F | None:
    """Return the form just posted under ``key`` (with its errors), else ``fresh``."""
    form = bound.get(key)
    return cast(F, form) if form is not None else fresh


def chosen_period(periods: list[selectors.PeriodRow], raw: str, today: datetime.date) -> int:
    """Return the period asked for, else the one running today, else the nearest one."""
    indexes = [row.period.index for row in periods]
    if raw.isdigit() and int(raw) in indexes:
        return int(raw)
    for row in periods:
        if row.period.starts_on <= today <= row.period.ends_on:
            return row.period.index
    started = [row.period.index for row in periods if row.started]
    if started:
        return started[-1]
    return indexes[0] if indexes else 0


def _percent(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def chart_data(overview: selectors.MonitoringOverview) -> dict[str, Any]:
    """Return the achievement % of each indicator per period for the chart (json_script)."""
    series = []
    for rhk_row in overview.rhks:
        for row in rhk_row.indicators:
            series.append(
                {
                    "label": short(row.indicator.text, 60),
                    "data": [_percent(cell.achievement) for cell in row.cells],
                }
            )
    return {
        "periods": [row.period.label for row in overview.periods],
        "series": series,
        "axis": _("Capaian (%)"),
    }


def _rated_indexes(periods: list[Any]) -> set[int]:
    """Return the indexes of the overview's periods the appraiser has rated."""
    return {
        row.period.index
        for row in periods
        if row.evaluation is not None and row.evaluation.predikat
    }


def deletable_evidence(
    skp: Skp, evidence: list[Evidence], periods: list[Any], can: Abilities, user: Any
) -> set[int]:
    """Return the ids of the evidence ``user`` may delete now (``delete_evidence``'s rule)."""
    if not can.evidence:
        return set()
    rated = _rated_indexes(periods)
    annual = monitoring_actions.skp_rated(skp)
    return {
        item.pk
        for item in evidence
        if item.uploaded_by_id == user.pk
        and not monitoring_actions.evidence_kept_reason(item, rated, annual_rated=annual)
    }


def evidence_form(prefix: str, settings: Any, data: Any = None, files: Any = None) -> EvidenceForm:
    """Return an evidence form whose file input accepts the agency's extensions."""
    return EvidenceForm(
        data,
        files,
        prefix=prefix,
        extensions=sorted(settings.allowed_extensions),
        max_mb=settings.evidence_max_mb,
    )


def _posted_rhk_choices(skp: Skp) -> list[tuple[int, str]]:
    """Return the RHK a posted daily activity may name (the choices the form validates)."""
    return [(rhk.pk, short(rhk.text, 80)) for rhk in Rhk.objects.filter(skp=skp)]


def _rhk_choices(overview: selectors.MonitoringOverview) -> list[tuple[int, str]]:
    return [
        (row.rhk.pk, short(f"RHK {number}: {row.rhk.text}", 80))
        for number, row in enumerate(overview.rhks, start=1)
    ]


def monitoring_context(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    *,
    period_raw: str = "",
    bound: Mapping[str, forms.Form] | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """Return the monitoring tab's context (a fixed number of queries whatever the plan's size)."""
    bound = bound or {}
    overview = selectors.monitoring_overview(skp)
    settings = overview.settings
    can = abilities(skp, access, request.user, settings)
    selected = chosen_period(overview.periods, period_raw, overview.today)
    position = next(
        (i for i, row in enumerate(overview.periods) if row.period.index == selected), 0
    )
    period_row = overview.periods[position] if overview.periods else None
    evidence = selectors.evidence_for(skp)
    by_indicator: dict[int, list[Evidence]] = {}
    general: list[Evidence] = []
    for item in evidence:
        if item.period_index not in (selected, None):
            continue
        if item.indicator_id is not None and item.period_index == selected:
            by_indicator.setdefault(item.indicator_id, []).append(item)
        elif item.indicator_id is None:
            general.append(item)
    started = period_row is not None and period_row.started
    rhk_views = []
    for number, rhk_row in enumerate(overview.rhks, start=1):
        indicator_views = []
        for row in rhk_row.indicators:
            key = f"{row.indicator.pk}-{selected}"
            cell = row.cells[position]
            indicator_views.append(
                IndicatorView(
                    row=row,
                    cell=cell,
                    evidence=by_indicator.get(row.indicator.pk, []),
                    feedback=[
                        item for item in row.feedback if item.period_index in (selected, None)
                    ],
                    realisation_form=pick(
                        bound,
                        f"realisasi-{key}",
                        RealisationForm(
                            prefix=f"realisasi-{key}",
                            initial={
                                "value": (
                                    str(cell.realisation.value).replace(".", ",")
                                    if cell.realisation
                                    else ""
                                ),
                                "note": cell.realisation.note if cell.realisation else "",
                            },
                        )
                        if can.realise and row.is_manual and started
                        else None,
                    ),
                    evidence_form=pick(
                        bound,
                        f"bukti-{key}",
                        evidence_form(f"bukti-{key}", settings)
                        if can.evidence and started
                        else None,
                    ),
                    feedback_form=pick(
                        bound,
                        f"umpan-{key}",
                        FeedbackForm(prefix=f"umpan-{key}") if can.feedback and started else None,
                    ),
                )
            )
        plans = [plan for plan in rhk_row.action_plans if plan.period_index == selected]
        rhk_views.append(
            RhkView(
                rhk=rhk_row.rhk,
                number=number,
                indicators=indicator_views,
                action_plans=[
                    ProgressView(
                        plan,
                        pick(
                            bound,
                            f"kemajuan-{plan.pk}",
                            ProgressForm(
                                prefix=f"kemajuan-{plan.pk}",
                                initial={"progress_note": plan.progress_note},
                            )
                            if can.progress and started
                            else None,
                        ),
                    )
                    for plan in plans
                ],
            )
        )
    values = [
        ValueView(
            value=value.value,
            label=str(value.label),
            guides=tuple(BEHAVIOUR_GUIDES.get(value.value, ())),
            feedback=overview.value_feedback.get(value.value, []),
        )
        for value in BerAkhlak
    ]
    daily: list[DailyActivity] = []
    if settings.daily_activities_enabled and period_row is not None:
        daily = selectors.daily_activities_for(
            skp, period_row.period.starts_on, period_row.period.ends_on
        )
    daily_rows = (
        _daily_rows(overview.periods, daily, bound, _rhk_choices(overview))
        if can.daily
        else [{"item": item, "form": None} for item in daily]
    )
    daily_day = today_for(skp)
    if period_row is not None:
        # Today when it lies in the period shown, else the period's nearest day.
        daily_day = min(max(daily_day, period_row.period.starts_on), period_row.period.ends_on)
    evaluation = period_row.evaluation if period_row is not None else None
    aspects = extra_aspects(settings)
    aspect_names = dict(aspects)
    # Where the agency asks for period reports, a period is rated after its report.
    awaiting_report = bool(settings.period_report_required) and not (
        evaluation is not None and evaluation.report_submitted_at is not None
    )
    period_labels = {row.period.index: row.period.label for row in overview.periods}
    return {
        "overview": overview,
        "settings": settings,
        "can": can,
        "selected": selected,
        "period_row": period_row,
        "period_links": [
            {
                "row": row,
                "url": f"{tab_url(skp, TAB)}?periode={row.period.index}",
                "current": row.period.index == selected,
            }
            for row in overview.periods
        ],
        "rhk_views": rhk_views,
        "general_evidence": general,
        "deletable_evidence": deletable_evidence(
            skp, evidence, overview.periods, can, request.user
        ),
        "general_evidence_form": pick(
            bound,
            f"bukti-umum-{selected}",
            evidence_form(f"bukti-umum-{selected}", settings) if can.evidence and started else None,
        ),
        "values": values,
        "value_feedback_form": pick(
            bound, "umpan-nilai", ValueFeedbackForm(prefix="umpan-nilai") if can.feedback else None
        ),
        "dialogs": [
            {"dialog": dialog, "period": period_labels.get(dialog.period_index or 0, "")}
            for dialog in selectors.dialogs_for(skp)
        ],
        "case_open": skp.case is not None and skp.case.is_open,
        "dialog_form": pick(bound, "dialog", DialogForm(prefix="dialog") if can.dialog else None),
        "daily": daily,
        "daily_rows": daily_rows,
        "daily_form": pick(
            bound,
            "harian",
            DailyActivityForm(
                prefix="harian", rhks=_rhk_choices(overview), initial={"day": daily_day}
            )
            if can.daily
            else None,
        ),
        "paste_form": pick(bound, "tempel", DailyPasteForm(prefix="tempel") if can.daily else None),
        "evaluation": evaluation,
        "report_form": pick(
            bound,
            f"laporan-{selected}",
            ReportForm(
                prefix=f"laporan-{selected}",
                initial={"report": evaluation.report if evaluation else ""},
            )
            if can.report
            and period_row is not None
            and period_row.report_opens_on <= overview.today
            and not (evaluation is not None and evaluation.predikat)
            else None,
        ),
        "rating_form": pick(
            bound,
            f"nilai-{selected}",
            PeriodRatingForm(
                prefix=f"nilai-{selected}",
                initial={
                    "rating_hasil": evaluation.rating_hasil if evaluation else "",
                    "rating_perilaku": evaluation.rating_perilaku if evaluation else "",
                    "note": evaluation.note if evaluation else "",
                },
            )
            if can.rate and started and not awaiting_report
            else None,
        ),
        "awaiting_report": can.rate and started and awaiting_report,
        "extra_ratings": [
            {
                "rating": row,
                "aspect": aspect_names.get(row.aspect, row.aspect),
                "period": period_labels.get(row.period_index, _("Tahunan"))
                if row.period_index is not None
                else _("Tahunan"),
            }
            for row in overview.extra_ratings
        ],
        "aspects": aspects,
        "extra_form": pick(
            bound,
            "aspek",
            ExtraAspectForm(
                prefix="aspek",
                aspects=aspects,
                periods=[row.period for row in overview.periods if row.started],
                initial={"period_index": selected},
            )
            if can.extra
            else None,
        ),
        "finish_form": pick(
            bound, "selesai", CommentForm(prefix="selesai") if can.finish else None
        ),
        "problems": problems or [],
        "chart": chart_data(overview),
        "rating_labels": RATING_LABELS,
    }


# POST ------------------------------------------------------------------------------------------


def _back(skp: Skp, period: int | None, anchor: str = "") -> str:
    url = tab_url(skp, TAB)
    if period:
        url = f"{url}?periode={period}"
    return f"{url}#{anchor}" if anchor else url


def _line_numbers(text: str) -> list[int]:
    """Return the line number of each non-blank pasted line (entry n is the n-th of these)."""
    return [number for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _line_messages(errors: Mapping[str, list[str]], lines: list[int]) -> list[str]:
    """Turn ``lines.<n>`` / ``entries.<n>.<field>`` errors into "Baris n: ..." sentences."""
    messages: list[tuple[int, str]] = []
    for key, texts in errors.items():
        parts = key.split(".")
        number = 0
        if parts[0] == "lines" and len(parts) == 2 and parts[1].isdigit():
            number = int(parts[1])
        elif parts[0] == "entries" and len(parts) >= 2 and parts[1].isdigit():
            position = int(parts[1])
            number = lines[position - 1] if 0 < position <= len(lines) else position
        for text in texts:
            if number:
                messages.append(
                    (number, _("Baris %(line)d: %(text)s") % {"line": number, "text": text})
                )
            else:
                messages.append((0, text))
    return [text for _number, text in sorted(messages, key=lambda item: item[0])]


Result = HttpResponse | Mapping[str, Any]


@dataclass(frozen=True)
class Post:
    """One POST to the monitoring tab, for the period it was sent from."""

    request: HttpRequest
    skp: Skp
    access: SkpAccess
    period: int | None

    @property
    def user(self) -> Any:
        """Return the signed-in user (the actor)."""
        return self.request.user

    def back(self, anchor: str = "") -> str:
        """Return the URL of the period the form was sent from."""
        return _back(self.skp, self.period, anchor)

    def failed(self, key: str, form: forms.Form, outcome: Attempt) -> Mapping[str, Any]:
        """Show the period again with the form just posted (and the guard's problems)."""
        return monitoring_context(
            self.request,
            self.skp,
            self.access,
            period_raw=str(self.period or ""),
            bound={key: form},
            problems=outcome.problems,
        )

    def again(self) -> Mapping[str, Any]:
        """Show the period again (a message says what went wrong)."""
        return monitoring_context(
            self.request, self.skp, self.access, period_raw=str(self.period or "")
        )


def _save_realisation(post: Post) -> Result:
    indicator_id = posted_id(post.request, "indikator") or 0
    key = f"realisasi-{indicator_id}-{post.period}"
    form = RealisationForm(post.request.POST, prefix=key)
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.save_realisation(
                skp_id=post.skp.pk,
                actor=post.user,
                indicator_id=indicator_id,
                period_index=post.period or 0,
                value=data["value"],
                note=data["note"],
            ),
            form,
        )
        if outcome.ok:
            part = f"indikator-{indicator_id}"
            return saved(post.request, post.back(part), _("Realisasi disimpan."), part)
    return post.failed(key, form, outcome)


def _save_progress(post: Post) -> Result:
    plan_id = posted_id(post.request, "rencana_aksi") or 0
    key = f"kemajuan-{plan_id}"
    form = ProgressForm(post.request.POST, prefix=key)
    outcome = Attempt(ok=False)
    if form.is_valid():
        note = form.cleaned_data["progress_note"]
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.update_action_plan_progress(
                skp_id=post.skp.pk, actor=post.user, action_plan_id=plan_id, progress_note=note
            ),
            form,
        )
        if outcome.ok:
            return saved(post.request, post.back(f"aksi-{plan_id}"), _("Kemajuan disimpan."))
    return post.failed(key, form, outcome)


def _add_evidence(post: Post) -> Result:
    indicator_id = posted_id(post.request, "indikator")
    key = f"bukti-{indicator_id}-{post.period}" if indicator_id else f"bukti-umum-{post.period}"
    settings = settings_for(post.skp.agency_id)
    form = evidence_form(key, settings, post.request.POST, post.request.FILES)
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("file"):
            outcome = attempt(
                post.request,
                lambda: monitoring_actions.add_evidence_file(
                    skp_id=post.skp.pk,
                    actor=post.user,
                    uploaded=data["file"],
                    indicator_id=indicator_id,
                    period_index=post.period,
                    note=data["note"],
                ),
                form,
            )
        else:
            outcome = attempt(
                post.request,
                lambda: monitoring_actions.add_evidence_link(
                    skp_id=post.skp.pk,
                    actor=post.user,
                    url=data["url"],
                    indicator_id=indicator_id,
                    period_index=post.period,
                    note=data["note"],
                ),
                form,
            )
        if outcome.ok:
            anchor = f"indikator-{indicator_id}" if indicator_id else "bukti-umum"
            return saved(post.request, post.back(anchor), _("Bukti dukung ditambahkan."))
    return post.failed(key, form, outcome)


def _delete_evidence(post: Post) -> Result:
    evidence_id = posted_id(post.request, "bukti") or 0
    outcome = attempt(
        post.request,
        lambda: monitoring_actions.delete_evidence(
            skp_id=post.skp.pk, actor=post.user, evidence_id=evidence_id
        ),
    )
    if outcome.ok:
        return saved(post.request, post.back(), _("Bukti dukung dihapus."))
    return post.again()


def _give_feedback(post: Post) -> Result:
    indicator_id = posted_id(post.request, "indikator") or 0
    key = f"umpan-{indicator_id}-{post.period}"
    form = FeedbackForm(post.request.POST, prefix=key)
    outcome = Attempt(ok=False)
    if form.is_valid():
        text = form.cleaned_data["text"]
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.give_feedback(
                skp_id=post.skp.pk,
                actor=post.user,
                text=text,
                period_index=post.period,
                indicator_id=indicator_id,
            ),
            form,
        )
        if outcome.ok:
            part = f"indikator-{indicator_id}"
            return saved(post.request, post.back(part), _("Umpan balik disimpan."), part)
    return post.failed(key, form, outcome)


def _give_value_feedback(post: Post) -> Result:
    form = ValueFeedbackForm(post.request.POST, prefix="umpan-nilai")
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        if not data["value"]:
            form.add_error("value", _("Pilih nilai BerAKHLAK yang diberi umpan balik."))
        else:
            outcome = attempt(
                post.request,
                lambda: monitoring_actions.give_feedback(
                    skp_id=post.skp.pk,
                    actor=post.user,
                    text=data["text"],
                    period_index=post.period,
                    value=data["value"],
                ),
                form,
            )
            if outcome.ok:
                return saved(post.request, post.back("perilaku"), _("Umpan balik disimpan."))
    return post.failed("umpan-nilai", form, outcome)


def _record_dialog(post: Post) -> Result:
    form = DialogForm(post.request.POST, prefix="dialog")
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.record_dialog(
                skp_id=post.skp.pk,
                actor=post.user,
                kind=PerformanceDialog.Kind.COACHING,
                held_on=data["held_on"],
                agenda=data["agenda"],
                outcome=data["outcome"],
                follow_up=data["follow_up"],
                period_index=post.period,
            ),
            form,
        )
        if outcome.ok:
            return saved(post.request, post.back("dialog"), _("Dialog kinerja dicatat."))
    return post.failed("dialog", form, outcome)


def _add_daily_activity(post: Post) -> Result:
    rhks = _posted_rhk_choices(post.skp)
    form = DailyActivityForm(post.request.POST, prefix="harian", rhks=rhks)
    if form.is_valid():
        entry = _daily_entry(form.cleaned_data)
        try:
            monitoring_actions.add_daily_activities(
                skp_id=post.skp.pk, actor=post.user, entries=[entry]
            )
        except monitoring_actions.InvalidMonitoring as error:
            # One entry: "entries.1.day" is the form's "day".
            apply_errors(
                form, {key.rsplit(".", 1)[-1]: texts for key, texts in error.errors.items()}
            )
        except WorkflowError as error:
            messages.error(post.request, error.message)
        else:
            return saved(post.request, post.back("harian"), _("Kegiatan harian dicatat."))
    return post.failed("harian", form, Attempt(ok=False))


def _daily_rows(
    periods: list[Any], daily: list[DailyActivity], bound: Mapping[str, forms.Form], rhks: Any
) -> list[dict[str, Any]]:
    """Return the period's activities, each with its edit form unless its period is rated
    (``update_daily_activity``'s rule, on the periods the page already holds)."""
    rated = _rated_indexes(periods)
    locked = [
        (row.period.starts_on, row.period.ends_on) for row in periods if row.period.index in rated
    ]
    rows = []
    for item in daily:
        form = None
        if not monitoring_actions.in_rated_period(item.day, locked):
            key = f"harian-{item.pk}"
            form = pick(
                bound,
                key,
                DailyActivityForm(
                    prefix=key,
                    rhks=rhks,
                    initial={
                        "day": item.day,
                        "description": item.description,
                        "quantity": f"{item.quantity.normalize():f}",
                        "output_unit": item.output_unit,
                        "rhk": item.rhk_id,
                    },
                ),
            )
        rows.append({"item": item, "form": form})
    return rows


def _daily_entry(data: Mapping[str, Any]) -> monitoring_actions.DailyEntry:
    return monitoring_actions.DailyEntry(
        day=data["day"],
        description=data["description"],
        quantity=data["quantity"] or "1",
        output_unit=data["output_unit"],
        rhk_id=data["rhk"],
    )


def _change_daily_activity(post: Post) -> Result:
    activity_id = posted_id(post.request, "kegiatan") or 0
    key = f"harian-{activity_id}"
    rhks = _posted_rhk_choices(post.skp)
    form = DailyActivityForm(post.request.POST, prefix=key, rhks=rhks)
    if form.is_valid():
        try:
            monitoring_actions.update_daily_activity(
                skp_id=post.skp.pk,
                actor=post.user,
                activity_id=activity_id,
                entry=_daily_entry(form.cleaned_data),
            )
        except monitoring_actions.InvalidMonitoring as error:
            apply_errors(form, error.errors)
        except WorkflowError as error:
            messages.error(post.request, error.message)
            return post.again()
        else:
            return saved(post.request, post.back("harian"), _("Kegiatan harian diubah."))
    return post.failed(key, form, Attempt(ok=False))


def _delete_daily_activity(post: Post) -> Result:
    activity_id = posted_id(post.request, "kegiatan") or 0
    outcome = attempt(
        post.request,
        lambda: monitoring_actions.delete_daily_activity(
            skp_id=post.skp.pk, actor=post.user, activity_id=activity_id
        ),
    )
    if outcome.ok:
        return saved(post.request, post.back("harian"), _("Kegiatan harian dihapus."))
    return post.again()


def _paste_daily_activities(post: Post) -> Result:
    form = DailyPasteForm(post.request.POST, prefix="tempel")
    if form.is_valid():
        text = form.cleaned_data["lines"]
        lines = _line_numbers(text)
        entries, parse_errors = monitoring_actions.parse_daily_lines(text)
        line_errors: list[str] = []
        if parse_errors:
            line_errors = _line_messages(parse_errors, lines)
        else:
            try:
                monitoring_actions.add_daily_activities(
                    skp_id=post.skp.pk, actor=post.user, entries=entries
                )
            except monitoring_actions.InvalidMonitoring as error:
                line_errors = _line_messages(error.errors, lines)
            except WorkflowError as error:
                messages.error(post.request, error.message)
            else:
                count = len(entries)
                text_saved = ngettext(
                    "%(count)d kegiatan harian dicatat.",
                    "%(count)d kegiatan harian dicatat.",
                    count,
                ) % {"count": count}
                return saved(post.request, post.back("harian"), text_saved)
        for line_error in line_errors:
            form.add_error("lines", line_error)
    return post.failed("tempel", form, Attempt(ok=False))


def _submit_report(post: Post) -> Result:
    key = f"laporan-{post.period}"
    form = ReportForm(post.request.POST, prefix=key)
    outcome = Attempt(ok=False)
    if form.is_valid():
        report = form.cleaned_data["report"]
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.submit_period_report(
                skp_id=post.skp.pk, actor=post.user, period_index=post.period or 0, report=report
            ),
            form,
        )
        if outcome.ok:
            return saved(post.request, post.back("evaluasi"), _("Laporan capaian diserahkan."))
    return post.failed(key, form, outcome)


def _rate_period(post: Post) -> Result:
    key = f"nilai-{post.period}"
    form = PeriodRatingForm(post.request.POST, prefix=key)
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.rate_period(
                skp_id=post.skp.pk,
                actor=post.user,
                period_index=post.period or 0,
                rating_hasil=data["rating_hasil"],
                rating_perilaku=data["rating_perilaku"],
                note=data["note"],
            ),
            form,
        )
        if outcome.ok:
            return saved(post.request, post.back("evaluasi"), _("Penilaian periode disimpan."))
    return post.failed(key, form, outcome)


def _rate_extra_aspect(post: Post) -> Result:
    form = ExtraAspectForm(
        post.request.POST,
        prefix="aspek",
        aspects=extra_aspects(settings_for(post.skp.agency_id)),
        periods=periods_of(post.skp),
    )
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.rate_extra_aspect(
                skp_id=post.skp.pk,
                actor=post.user,
                aspect=data["aspect"],
                rating=data["rating"],
                period_index=data["period_index"],
                note=data["note"],
            ),
            form,
        )
        if outcome.ok:
            return saved(post.request, post.back("aspek"), _("Penilaian aspek disimpan."))
    return post.failed("aspek", form, outcome)


def _finish_monitoring(post: Post) -> Result:
    form = CommentForm(post.request.POST, prefix="selesai")
    outcome = Attempt(ok=False)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        outcome = attempt(
            post.request,
            lambda: monitoring_actions.finish_monitoring(
                skp_id=post.skp.pk, actor=post.user, comment=comment
            ),
            form,
        )
        if outcome.ok:
            return saved(post.request, tab_url(post.skp, TAB), _("Pemantauan selesai."))
    return post.failed("selesai", form, outcome)


# The ``aksi`` a form posts and the function that handles it (each calls one action).
HANDLERS: dict[str, Callable[[Post], Result]] = {
    "realisasi": _save_realisation,
    "kemajuan": _save_progress,
    "bukti": _add_evidence,
    "bukti_hapus": _delete_evidence,
    "umpan_balik": _give_feedback,
    "umpan_balik_nilai": _give_value_feedback,
    "dialog": _record_dialog,
    "harian": _add_daily_activity,
    "harian_tempel": _paste_daily_activities,
    "harian_ubah": _change_daily_activity,
    "harian_hapus": _delete_daily_activity,
    "laporan": _submit_report,
    "nilai_periode": _rate_period,
    "aspek": _rate_extra_aspect,
    "selesai": _finish_monitoring,
}


def monitoring_tab(
    request: HttpRequest, skp: Skp, access: SkpAccess
) -> HttpResponse | Mapping[str, Any]:
    """Show the chosen period, or handle one of the tab's forms (POST)."""
    if request.method != "POST":
        return monitoring_context(request, skp, access, period_raw=request.GET.get("periode", ""))
    handler = HANDLERS.get(request.POST.get("aksi", ""))
    if handler is None:
        return HttpResponseBadRequest(_("Tindakan tidak dikenal."))
    return handler(Post(request, skp, access, posted_id(request, "periode")))


tabs.register_tab(
    tabs.Tab(
        key=TAB,
        label=cast(str, gettext_lazy("Pemantauan")),
        order=20,
        view=monitoring_tab,
        template="skp/monitoring/tab.html",
        visible=shows_monitoring,
        forms=frozenset({"monitoring"}),
    )
)
