"""The "penilaian" tab of the SKP page: peer feedback, the appraiser's rating, the team's review.

Who sees what on the tab (from the reviewed phase on):

- a peer holding (or able to claim) a task of the peer feedback stage rates the seven
  BerAKHLAK values, each with a comment (``give_peer_feedback``);
- the appraiser, while the SKP stands in the rating stage, gets THE RATING PAGE: two radio
  groups (rating hasil kerja, rating perilaku kerja), the predikat computed live (htmx posts
  the two ratings to ``skp:rating_preview``, which calls ``preview_rating``; the predikat is
  never an input), beside it the curve unit's distribution curve and current spread
  (``rating_context``), whether this result would conform, and a justification that becomes
  required (curve mode "warn") or a submit refused with its reason ("block"); the
  suggestion from the period evaluations, the achievement per indicator, a unit head's
  fixed rating hasil, and the peers' and the team's reviews. "Simpan penilaian" calls
  ``rate_skp``, "Kirim" saves when needed and calls ``submit_rating``, "Kembalikan ke
  penilaian mandiri" calls ``return_to_self_assessment`` with a reason;
- a member of the evaluation team holding (or able to claim) the team's task reviews the
  rating (``submit_team_review``), sends it back (``return_from_team_review``) and records
  field observations with an optional file (``add_field_observation``);
- the appraiser's supervisor and HR read the result; the employee reads it once the rating
  was sent (the discussion is on the "dialog" tab).

POSTs go to the tab's own URL with ``aksi`` naming the action; a role that may never do it
gets 403, an action's refusal comes back next to the fields, as the guard's list of missing
inputs, or as a message, and nothing is written then. Success redirects (POST-redirect-GET).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from processes.skp import tabs
from processes.skp.access import SkpAccess, access_skp
from processes.skp.actions import review as review_actions
from processes.skp.actions.assessment import (
    HeldTask,
    InvalidAssessment,
    give_peer_feedback,
    held_or_claimable_task,
)
from processes.skp.actions.common import current_form, open_task_for, team_seat
from processes.skp.actions.final import InvalidReopening
from processes.skp.actions.monitoring import InvalidMonitoring
from processes.skp.actions.objection import InvalidObjection
from processes.skp.actions.review import InvalidReview, RatingContext, RatingPreview
from processes.skp.dashboards import percent
from processes.skp.forms_review import (
    FieldObservationForm,
    PeerFeedbackForm,
    RatingForm,
    ReturnForm,
    TeamReviewForm,
    apply_errors,
)
from processes.skp.models import (
    BerAkhlak,
    FieldObservation,
    PeerFeedback,
    RatingRecord,
    Skp,
    TeamReview,
)
from processes.skp.rules import CurveLimit, Predikat, Rating
from processes.skp.views_detail import landing_url, person_name, tab_url
from workflow.errors import ActionForbidden, GuardFailed, ReasonRequired, WorkflowError
from workflow.spec import Phase

TAB = "penilaian"
# The tab shows from the reviewed phase on (peers and the team act in that phase too).
SHOWN_PHASES = frozenset({Phase.REVIEWED, Phase.DISCUSSED, Phase.FINAL})
INVALID_INPUT = (
    InvalidReview,
    InvalidAssessment,
    InvalidObjection,
    InvalidMonitoring,
    InvalidReopening,
)
RATING_LABELS: dict[str, StrOrPromise] = dict(Rating.choices)
PREDIKAT_LABELS: dict[str, StrOrPromise] = dict(Predikat.choices)


# Shared with the other appraiser pages (views_objection) ------------------------------------


def refuse_unless(allowed: bool) -> None:
    """Answer 403 when the viewer's role may never do what they posted."""
    if not allowed:
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini pada SKP ini."))


@dataclass
class Outcome:
    """What came of calling an action from a page."""

    ok: bool
    result: Any = None
    problems: list[str] = field(default_factory=list)


def run(
    request: HttpRequest,
    call: Callable[[], Any],
    form: forms.Form | None = None,
    apply: Callable[[Mapping[str, Sequence[str]]], None] | None = None,
) -> Outcome:
    """Call an action; turn its refusal into what the page shows.

    Invalid input lands on ``form``'s fields (through ``apply`` when given), a missing
    reason on the form's ``reason`` field, a guard's problems are returned to be listed,
    and any other refusal becomes an error message (and a form-wide error).
    """
    try:
        return Outcome(ok=True, result=call())
    except INVALID_INPUT as error:
        if apply is not None:
            apply(error.errors)
        elif form is not None:
            apply_errors(form, error.errors)
        else:
            messages.error(request, error.message)
        return Outcome(ok=False)
    except ReasonRequired as error:
        if form is not None and "reason" in form.fields:
            form.add_error("reason", error.message)
        else:
            messages.error(request, error.message)
        return Outcome(ok=False)
    except GuardFailed as error:
        return Outcome(ok=False, problems=list(error.problems))
    except WorkflowError as error:
        messages.error(request, error.message)
        return Outcome(ok=False)


def done(request: HttpRequest, url: str, text: str) -> HttpResponse:
    """Redirect after a successful POST with a success message."""
    messages.success(request, text)
    return HttpResponseRedirect(url)


def rating_label(value: str) -> StrOrPromise:
    """Return a rating's label ("Sesuai Ekspektasi"), or an empty string."""
    return RATING_LABELS.get(value, "")


def predikat_label(value: str) -> StrOrPromise:
    """Return a predikat's label ("Baik"), or an empty string."""
    return PREDIKAT_LABELS.get(value, "")


@dataclass(frozen=True)
class RecordRow:
    """A RatingRecord as the pages show it."""

    record: RatingRecord
    kind_label: StrOrPromise
    hasil: StrOrPromise
    perilaku: StrOrPromise
    predikat: StrOrPromise
    by: str


def rating_records(skp: Skp) -> list[RecordRow]:
    """Return every result the SKP had, oldest first (one query)."""
    return [
        RecordRow(
            record=record,
            kind_label=record.get_kind_display(),
            hasil=rating_label(record.rating_hasil),
            perilaku=rating_label(record.rating_perilaku),
            predikat=predikat_label(record.predikat),
            by=person_name(record.by),
        )
        for record in RatingRecord.objects.filter(skp=skp).select_related("by").order_by("at", "pk")
    ]


def claimable(skp: Skp, user: Any, form: str) -> HeldTask | None:
    """Return the viewer's task (held or claimable) when the SKP stands in ``form``'s stage."""
    if skp.case is None or current_form(skp) != form:
        return None
    try:
        return held_or_claimable_task(skp, user)
    except (ActionForbidden, WorkflowError):
        return None


# The curve beside the rating ----------------------------------------------------------------


@dataclass(frozen=True)
class CurveRow:
    """One predikat (or a group a limit counts together) of the curve table and chart."""

    key: str
    label: str
    group: frozenset[Predikat]
    count: int
    share: Decimal
    min_percent: Decimal | None = None
    max_percent: Decimal | None = None
    min_count: int | None = None
    max_count: int | None = None


def curve_rows(
    counts: Mapping[Predikat, int], limits: Sequence[CurveLimit], population: int
) -> list[CurveRow]:
    """Return one row per predikat, then one per group a limit counts together.

    Shares are of the whole population (rated or not), as the curve's limits are.
    """
    bounds: dict[frozenset[Predikat], dict[str, Any]] = {}
    for limit in limits:
        if limit.largest:
            continue
        entry = bounds.setdefault(limit.group, {})
        bound = limit.bound
        if bound.min_percent is not None:
            entry.update(min_percent=bound.min_percent, min_count=limit.min_count)
        elif bound.min_persons is not None:
            entry.update(
                min_percent=percent(bound.min_persons, population), min_count=limit.min_count
            )
        if bound.max_percent is not None:
            entry.update(max_percent=bound.max_percent, max_count=limit.max_count)
    groups: list[frozenset[Predikat]] = [frozenset({predikat}) for predikat in Predikat]
    groups += [group for group in bounds if len(group) > 1]
    rows = []
    for group in groups:
        members = [predikat for predikat in Predikat if predikat in group]
        count = sum(counts.get(predikat, 0) for predikat in members)
        rows.append(
            CurveRow(
                key="+".join(str(predikat.value) for predikat in members),
                label=" + ".join(str(predikat.label) for predikat in members),
                group=group,
                count=count,
                share=percent(count, population),
                **bounds.get(group, {}),
            )
        )
    return rows


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def curve_chart(rows: Sequence[CurveRow]) -> dict[str, Any]:
    """Return the chart's data for Chart.js (labels already translated)."""
    return {
        "labels": [row.label for row in rows],
        "actual": [_number(row.share) for row in rows],
        "min": [_number(row.min_percent) for row in rows],
        "max": [_number(row.max_percent) for row in rows],
        "text": {
            "actual": _("Sebaran saat ini (%)"),
            "after": _("Setelah penilaian ini (%)"),
            "min": _("Batas minimal kurva (%)"),
            "max": _("Batas maksimal kurva (%)"),
            "percent": _("Persen dari seluruh pegawai"),
        },
    }


def after_shares(
    preview: RatingPreview, rows: Sequence[CurveRow], population: int
) -> list[float | None]:
    """Return each row's share after the previewed result (for the chart's fourth series)."""
    size = max(population, 1)
    return [
        _number(percent(sum(preview.counts.get(p, 0) for p in row.group), size)) for row in rows
    ]


# Peer feedback and the team's reviews -------------------------------------------------------


@dataclass(frozen=True)
class ValueSummary:
    """How the peers rated one BerAKHLAK value: counts per rating and their comments."""

    label: StrOrPromise
    above: int
    as_expected: int
    below: int
    comments: tuple[str, ...]


def peer_summary(skp: Skp) -> tuple[list[ValueSummary], int]:
    """Return the peers' ratings counted per value, and how many peers gave feedback."""
    rows = list(
        PeerFeedback.objects.filter(skp=skp).values_list("value", "rating", "text", "author_id")
    )
    summary = []
    for value in BerAkhlak:
        mine = [(rating, text) for key, rating, text, _author in rows if key == value.value]
        summary.append(
            ValueSummary(
                label=value.label,
                above=sum(1 for rating, _text in mine if rating == Rating.ABOVE),
                as_expected=sum(1 for rating, _text in mine if rating == Rating.AS_EXPECTED),
                below=sum(1 for rating, _text in mine if rating == Rating.BELOW),
                comments=tuple(text for _rating, text in mine if text),
            )
        )
    return summary, len({author for _v, _r, _t, author in rows})


# Who may do what on the tab -----------------------------------------------------------------


@dataclass(frozen=True)
class Abilities:
    """What the viewer may do on the tab now."""

    peer: HeldTask | None  # a peer feedback task held or claimable
    rate: bool  # the appraiser while the SKP stands in the rating stage
    holds_rating_task: bool
    team: HeldTask | None  # the team review task held or claimable
    observe: bool  # may record a field observation
    reads_review: bool  # sees the rating, the peers' and the team's reviews

    @property
    def acts(self) -> bool:
        """Return True when the viewer has something to do on the tab."""
        return self.peer is not None or self.rate or self.team is not None


def abilities(skp: Skp, access: SkpAccess, user: Any) -> Abilities:
    """Return what ``user`` may do on the tab now (a few queries)."""
    form = current_form(skp)
    case = skp.case
    rate = form == "rating" and access.is_appraiser
    team = claimable(skp, user, "team_review")
    seat = team_seat(skp, user) if form == "team_review" else None
    in_review = case is not None and case.is_open and case.phase == Phase.REVIEWED
    return Abilities(
        peer=claimable(skp, user, "peer_feedback"),
        rate=rate,
        holds_rating_task=rate and open_task_for(skp, user) is not None,
        team=team,
        observe=seat is not None or (access.is_appraiser and in_review),
        reads_review=(
            access.is_appraiser
            or access.is_supervisor
            or access.is_hr
            or team is not None
            or seat is not None
        ),
    )


def tab_visible(skp: Skp, access: SkpAccess) -> bool:
    """Show the tab from the reviewed phase on."""
    return skp.case is not None and skp.case.phase in SHOWN_PHASES


# The rating form ----------------------------------------------------------------------------


def latest_record(skp: Skp, kind: str = RatingRecord.Kind.APPRAISER) -> RatingRecord | None:
    """Return the SKP's latest result of ``kind``."""
    return RatingRecord.objects.filter(skp=skp, kind=kind).order_by("-at", "-pk").first()


def preview_of(skp: Skp, hasil: Any, perilaku: Any) -> RatingPreview | None:
    """Return the preview of two ratings, or None while either is missing or unknown."""
    if hasil not in Rating.values or perilaku not in Rating.values:
        return None
    try:
        return review_actions.preview_rating(skp, str(hasil), str(perilaku))
    except InvalidReview:
        return None


def _posted_ratings(data: Mapping[str, Any], fixed: Rating | None) -> tuple[str, str]:
    hasil = str(data.get("rating_hasil") or "")
    if fixed is not None and not hasil:
        hasil = fixed.value
    return hasil, str(data.get("rating_perilaku") or "")


@dataclass(frozen=True)
class Live:
    """The live part of the rating form: the predikat, its fit with the curve, the buttons."""

    preview: RatingPreview | None
    form: RatingForm
    holds_task: bool
    after: list[float | None] | None

    @property
    def blocked(self) -> bool:
        """Return True when the curve mode refuses this result."""
        return self.preview is not None and self.preview.blocked


def live_part(
    skp: Skp,
    context: RatingContext,
    rows: Sequence[CurveRow],
    form: RatingForm,
    hasil: str,
    perilaku: str,
    holds_task: bool,
) -> Live:
    """Return the live part for the ratings ``hasil`` and ``perilaku``."""
    preview = preview_of(skp, hasil, perilaku)
    form.require_justification(preview is not None and preview.justification_required)
    after = (
        after_shares(preview, rows, context.population_size)
        if preview is not None and context.organisation_predikat is not None
        else None
    )
    return Live(preview=preview, form=form, holds_task=holds_task, after=after)


def rating_form_for(
    skp: Skp, context: RatingContext, data: Mapping[str, Any] | None = None
) -> RatingForm:
    """Return the rating form, bound to ``data`` or showing the stored ratings."""
    if data is not None:
        return RatingForm(data, fixed_hasil=context.unit_head_hasil)
    record = latest_record(skp)
    fixed = context.unit_head_hasil
    initial = {
        # A unit head's hasil follows the unit's result: the only choice, chosen already.
        "rating_hasil": fixed.value if fixed is not None else (skp.rating_hasil or None),
        "rating_perilaku": skp.rating_perilaku or None,
        "justification": record.justification if record is not None else "",
    }
    return RatingForm(initial=initial, fixed_hasil=context.unit_head_hasil)


# The tab's context --------------------------------------------------------------------------


def penilaian_context(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    *,
    bound: Mapping[str, forms.Form] | None = None,
    problems: Sequence[str] = (),
    previewed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return what the tab's template shows (``bound`` forms replace the blank ones)."""
    user = request.user
    can = abilities(skp, access, user)
    forms_in = dict(bound or {})
    case = skp.case
    context: dict[str, Any] = {
        "review_tab": TAB,
        "can": can,
        "problems": list(problems),
        "result": {
            "hasil": rating_label(skp.rating_hasil),
            "perilaku": rating_label(skp.rating_perilaku),
            "predikat": predikat_label(skp.predikat),
        },
        # The employee reads the result once it reaches them for the dialog (a team may
        # still send it back to the appraiser before that).
        "rating_sent": case is not None and case.phase in (Phase.DISCUSSED, Phase.FINAL),
        "action_url": tab_url(skp, TAB),
    }
    if can.peer is not None:
        context["peer_form"] = forms_in.get("peer") or PeerFeedbackForm()
        context["expectations"] = {
            row.get_value_display(): row.text for row in skp.expectations.all().order_by("value")
        }
    elif not access.is_employee:
        context["own_feedback"] = list(
            PeerFeedback.objects.filter(skp=skp, author_id=user.pk).order_by("value")
        )
    if can.reads_review:
        summary, peers = peer_summary(skp)
        context.update(
            {
                "peer_summary": summary,
                "peer_count": peers,
                "team_reviews": list(
                    TeamReview.objects.filter(skp=skp)
                    .select_related("author")
                    .order_by("-created_at")
                ),
                "observations": list(
                    FieldObservation.objects.filter(skp=skp)
                    .select_related("author", "evidence")
                    .order_by("-observed_on", "-pk")
                ),
                "records": rating_records(skp),
            }
        )
    if can.rate:
        rating = review_actions.rating_context(skp)
        rows = curve_rows(rating.counts, rating.limits, rating.population_size)
        rating_form = cast(RatingForm | None, forms_in.get("rating"))
        if previewed is not None:
            rating_form = RatingForm(initial=dict(previewed), fixed_hasil=rating.unit_head_hasil)
        if rating_form is None:
            rating_form = rating_form_for(skp, rating)
        source: Mapping[str, Any] = (
            rating_form.data if rating_form.is_bound else (previewed or rating_form.initial)
        )
        hasil, perilaku = _posted_ratings(source, rating.unit_head_hasil)
        context.update(
            {
                "rating": rating,
                "curve_rows": rows,
                "curve_chart": curve_chart(rows) if rating.organisation_predikat else None,
                "live": live_part(
                    skp, rating, rows, rating_form, hasil, perilaku, can.holds_rating_task
                ),
                "rating_form": rating_form,
                "return_form": forms_in.get("return") or ReturnForm(prefix="kembali"),
                "unit_head_unit": skp.position.unit.name if rating.unit_head_hasil else "",
                "preview_url": _preview_url(skp),
            }
        )
    if can.team is not None:
        context["team_form"] = forms_in.get("team") or TeamReviewForm()
        context["team_return_form"] = forms_in.get("team_return") or ReturnForm(prefix="tim")
    if can.observe:
        context["observation_form"] = forms_in.get("observation") or FieldObservationForm()
    return context


def _preview_url(skp: Skp) -> str:
    return reverse("skp:rating_preview", kwargs={"skp_id": skp.pk})


# POST -----------------------------------------------------------------------------------------


def _failed(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    key: str,
    form: forms.Form,
    outcome: Outcome | None = None,
) -> Mapping[str, Any]:
    return penilaian_context(
        request, skp, access, bound={key: form}, problems=outcome.problems if outcome else ()
    )


def _rate_then_submit(
    request: HttpRequest, skp: Skp, access: SkpAccess, form: RatingForm, submit: bool
) -> HttpResponse | Mapping[str, Any]:
    """Save the ratings (when needed) and, for "Kirim", complete the rating task."""
    user = request.user
    data = form.cleaned_data
    hasil = data.get("rating_hasil") or ""
    perilaku = data.get("rating_perilaku") or ""
    justification = data.get("justification") or ""
    record = latest_record(skp)
    unchanged = (
        record is not None
        and (skp.rating_hasil, skp.rating_perilaku) == (hasil, perilaku)
        and record.justification == justification.strip()
    )
    if not (submit and unchanged):
        outcome = run(
            request,
            lambda: review_actions.rate_skp(
                skp_id=skp.pk,
                actor=user,
                rating_hasil=hasil,
                rating_perilaku=perilaku,
                justification=justification,
            ),
            form,
        )
        if not outcome.ok:
            return _failed(request, skp, access, "rating", form, outcome)
    rated = Skp.objects.only("predikat").get(pk=skp.pk)
    label = predikat_label(rated.predikat)
    if not submit:
        return done(
            request,
            tab_url(skp, TAB, "penilaian-form"),
            _("Penilaian disimpan. Predikat: %(predikat)s.") % {"predikat": label},
        )
    outcome = run(request, lambda: review_actions.submit_rating(skp_id=skp.pk, actor=user), form)
    if not outcome.ok:
        # The ratings are saved; what is still missing is listed above the form.
        fresh = RatingForm(request.POST, fixed_hasil=review_actions.unit_head_hasil(skp))
        fresh.is_valid()
        return _failed(request, skp, access, "rating", fresh, outcome)
    return done(
        request,
        tab_url(skp, TAB),
        _("Penilaian dikirim. Predikat: %(predikat)s.") % {"predikat": label},
    )


def _post(request: HttpRequest, skp: Skp, access: SkpAccess) -> HttpResponse | Mapping[str, Any]:
    action = request.POST.get("aksi", "")
    user = request.user
    can = abilities(skp, access, user)

    if action == "umpan_balik":
        refuse_unless(can.peer is not None or current_form(skp) != "peer_feedback")
        peer_form = PeerFeedbackForm(request.POST)
        peer_form.is_valid()
        outcome = run(
            request,
            lambda: give_peer_feedback(skp_id=skp.pk, actor=user, entries=peer_form.entries()),
            peer_form,
            peer_form.apply,
        )
        if outcome.ok:
            return done(request, tab_url(skp, TAB), _("Umpan balik Anda terkirim. Terima kasih."))
        return _failed(request, skp, access, "peer", peer_form, outcome)

    if action in ("simpan", "kirim", "pratinjau"):
        refuse_unless(access.is_appraiser)
        fixed = review_actions.unit_head_hasil(skp)
        rating_form = RatingForm(request.POST, fixed_hasil=fixed)
        if action == "pratinjau":
            # Without JavaScript: show the predikat of the posted ratings; nothing is written.
            rating_form.is_valid()
            return penilaian_context(
                request,
                skp,
                access,
                previewed={
                    "rating_hasil": request.POST.get("rating_hasil", ""),
                    "rating_perilaku": request.POST.get("rating_perilaku", ""),
                    "justification": request.POST.get("justification", ""),
                },
            )
        if not rating_form.is_valid():
            return _failed(request, skp, access, "rating", rating_form)
        return _rate_then_submit(request, skp, access, rating_form, action == "kirim")

    if action == "kembalikan":
        refuse_unless(access.is_appraiser)
        return_form = ReturnForm(request.POST, prefix="kembali")
        if return_form.is_valid():
            reason = return_form.cleaned_data["reason"]
            outcome = run(
                request,
                lambda: review_actions.return_to_self_assessment(
                    skp_id=skp.pk, actor=user, reason=reason
                ),
                return_form,
            )
            if outcome.ok:
                # The SKP is back in the self-assessed phase, where this tab does not show.
                return done(
                    request,
                    landing_url(skp, access, TAB),
                    _("SKP dikembalikan ke penilaian mandiri pegawai."),
                )
        return _failed(request, skp, access, "return", return_form)

    if action == "reviu_tim":
        refuse_unless(can.team is not None or current_form(skp) != "team_review")
        team_form = TeamReviewForm(request.POST)
        if team_form.is_valid():
            data = team_form.cleaned_data
            outcome = run(
                request,
                lambda: review_actions.submit_team_review(
                    skp_id=skp.pk,
                    actor=user,
                    summary=data.get("summary") or "",
                    recommendation=data.get("recommendation") or "",
                    agrees_with_rating=bool(data["agrees_with_rating"]),
                ),
                team_form,
            )
            if outcome.ok:
                return done(request, tab_url(skp, TAB), _("Reviu tim penilai kinerja terkirim."))
        return _failed(request, skp, access, "team", team_form)

    if action == "kembalikan_tim":
        refuse_unless(can.team is not None or current_form(skp) != "team_review")
        team_return = ReturnForm(request.POST, prefix="tim")
        if team_return.is_valid():
            reason = team_return.cleaned_data["reason"]
            outcome = run(
                request,
                lambda: review_actions.return_from_team_review(
                    skp_id=skp.pk, actor=user, reason=reason
                ),
                team_return,
            )
            if outcome.ok:
                return done(
                    request,
                    landing_url(skp, access, TAB),
                    _("Penilaian dikembalikan ke pejabat penilai."),
                )
        return _failed(request, skp, access, "team_return", team_return)

    if action == "observasi":
        case = skp.case
        refuse_unless(can.observe or case is None or case.phase != Phase.REVIEWED)
        observation_form = FieldObservationForm(request.POST, request.FILES)
        if observation_form.is_valid():
            data = observation_form.cleaned_data
            outcome = run(
                request,
                lambda: review_actions.add_field_observation(
                    skp_id=skp.pk,
                    actor=user,
                    observed_on=data["observed_on"],
                    location=data.get("location") or "",
                    notes=data.get("notes") or "",
                    evidence_file=data.get("evidence_file"),
                ),
                observation_form,
            )
            if outcome.ok:
                return done(
                    request, tab_url(skp, TAB, "observasi"), _("Observasi lapangan dicatat.")
                )
        return _failed(request, skp, access, "observation", observation_form)

    raise BadRequest(_("Tindakan tidak dikenal."))


def penilaian_tab(
    request: HttpRequest, skp: Skp, access: SkpAccess
) -> HttpResponse | Mapping[str, Any]:
    """Show the tab, or handle one of its forms (POST)."""
    if request.method == "POST":
        return _post(request, skp, access)
    return penilaian_context(request, skp, access)


# The live preview (htmx) --------------------------------------------------------------------


@require_POST
def rating_preview(request: HttpRequest, skp_id: int) -> HttpResponse:
    """Return the live part of the rating form for the posted ratings (nothing is written).

    Only the appraiser of an SKP in its rating stage may ask; others who may see the SKP
    get 403, anyone else 404.
    """
    skp, access = access_skp(request.user, skp_id)
    refuse_unless(access.is_appraiser and current_form(skp) == "rating")
    rating = review_actions.rating_context(skp)
    rows = curve_rows(rating.counts, rating.limits, rating.population_size)
    hasil, perilaku = _posted_ratings(request.POST, rating.unit_head_hasil)
    form = RatingForm(
        initial={
            "rating_hasil": hasil,
            "rating_perilaku": perilaku,
            "justification": request.POST.get("justification", ""),
        },
        fixed_hasil=rating.unit_head_hasil,
    )
    live = live_part(
        skp, rating, rows, form, hasil, perilaku, open_task_for(skp, request.user) is not None
    )
    return render(
        request,
        "skp/review/_rating_live.html",
        {"skp": skp, "live": live, "rating": rating, "oob": True},
    )


tabs.register_tab(
    tabs.Tab(
        key=TAB,
        label=cast(str, gettext_lazy("Penilaian")),
        order=40,
        view=penilaian_tab,
        template="skp/review/tab.html",
        visible=tab_visible,
        forms=frozenset({"peer_feedback", "rating", "team_review"}),
        for_peers=True,
    )
)
