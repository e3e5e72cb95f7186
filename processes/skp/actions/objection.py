"""Discussed and keberatan: the employee acknowledges the result or objects within the window.

Glossary: after the result dialog (*dialog hasil penilaian*) the employee either accepts
the result or files a *keberatan* with reasons within the window (DOMAIN.md section 7:
14 calendar days by default, counted in the agency's zone). PP 30/2019: the objection goes
to the appraiser's own supervisor (*atasan pejabat penilai*), who may ask both sides for
explanations and decides; the decision is final. A changed result is a new RatingRecord
beside the appraiser's, so both stay in the history.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from processes.organisation.selectors import appraiser_of
from processes.skp import rules
from processes.skp.access import Seat, role_day
from processes.skp.actions import monitoring
from processes.skp.actions.common import (
    access_for,
    current_form,
    lock_skp,
    record,
    require_employee,
    require_form,
    require_open,
    require_task,
)
from processes.skp.actions.monitoring import InvalidMonitoring
from processes.skp.actions.review import assess_rating, curve_detail, unit_head_problem
from processes.skp.models import Objection, ObjectionExplanation, RatingRecord, Skp
from processes.skp.process import case_url, result_dialog_at, settings_for
from processes.skp.rules import Rating
from workflow import actions as engine
from workflow import policy
from workflow.errors import ActionForbidden, StepNotAllowed, WorkflowError
from workflow.holidays import holidays_for
from workflow.models import AuditCode, Case, WorkItem
from workflow.notifications import notify
from workflow.spec import Phase

logger = logging.getLogger(__name__)


class InvalidObjection(StepNotAllowed):
    """Objection input that does not validate; ``errors`` maps field names to messages."""

    code = "invalid_objection"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


# The window ------------------------------------------------------------------------------


def objection_window(
    skp: Skp, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, bool]:
    """Return the last instant to file a keberatan (UTC) and whether ``now`` is within it.

    The window runs from the moment the employee can answer: the result reached them (the
    discussion stage was entered) and the appraiser recorded the result dialog, whichever
    came later, so an appraiser's delay never eats the employee's window. It lasts the
    agency's number of calendar or working days and ends at the end of that local day in
    the agency's zone. Raise StepNotAllowed before the result is given or before the dialog
    is recorded (the window has not started).
    """
    if skp.result_received_at is None:
        raise StepNotAllowed(_("Hasil penilaian belum disampaikan kepada pegawai."))
    dialog_at = result_dialog_at(skp)
    if dialog_at is None:
        raise StepNotAllowed(
            _(
                "Jangka waktu keberatan belum berjalan: pejabat penilai belum mencatat dialog "
                "hasil penilaian."
            )
        )
    choice = settings_for(skp.agency_id)
    deadline = rules.objection_deadline(
        max(skp.result_received_at, dialog_at),
        choice.objection_days,
        skp.agency.time_zone,
        working_days=choice.objection_working_days,
        holidays=holidays_for(skp.agency_id) if choice.objection_working_days else frozenset(),
    )
    moment = now or timezone.now()
    return deadline, rules.objection_is_on_time(moment, deadline)


def local_deadline_text(skp: Skp, deadline: datetime.datetime) -> str:
    """Write a deadline in the agency's zone as users read it: "7 Desember 2026 23.59 WITA"."""
    local = deadline.astimezone(zoneinfo.ZoneInfo(skp.agency.time_zone))
    return f"{formats.date_format(local, 'j F Y')} {local:%H.%M} {skp.agency.zone_label}"


def ask_for_result_dialog(case: Case) -> None:
    """Tell the appraiser the result waits for its dialog (called as the discussion starts).

    The employee may accept the result or object only after the appraiser recorded the
    result dialog (``result_discussed``), and the discussion task is the employee's: the
    appraiser's part reaches them as a notification, after the transaction commits.
    """
    skp = Skp.objects.filter(case=case).select_related("employee").first()
    if skp is None:
        return
    official = appraiser_of(skp.employee, role_day(skp)).official
    if official is None or official.user is None:
        return
    notify(
        [official.user.pk],
        tenant_id=skp.agency_id,
        case_id=case.pk,
        code=AuditCode.PROCESS_EVENT,
        title=_("Catat dialog hasil penilaian: %(name)s") % {"name": skp.employee.name},
        body=_(
            "Hasil penilaian sudah disampaikan. Bahas hasilnya dengan pegawai lalu catat "
            "dialognya; sesudah itu pegawai dapat menerima hasil atau mengajukan keberatan."
        ),
        # The "dialog" tab's form (processes/skp/views_objection.py).
        url=reverse("skp:detail_tab", kwargs={"skp_id": skp.pk, "tab": "dialog"}) + "#catat-dialog",
    )


# Acknowledging and filing ----------------------------------------------------------------


@transaction.atomic
def acknowledge_result(*, skp_id: int, actor: Any) -> Case:
    """Accept the result as the employee; the SKP goes on to finalisation.

    Before: the SKP stands in the discussion stage and the result dialog was recorded (the
    engine's guard). Written: ``acknowledged_at``, one audit row, the task completed with
    outcome "acknowledged".
    """
    skp = lock_skp(skp_id)
    require_form(skp, "discussion")
    require_employee(actor, skp)
    task = require_task(skp, actor)
    skp.acknowledged_at = timezone.now()
    skp.save(update_fields=["acknowledged_at"])
    record(skp, actor, "result_acknowledged")
    return engine.complete_task(task_id=task.pk, actor=actor, outcome="acknowledged")


@transaction.atomic
def file_objection(*, skp_id: int, actor: Any, reasons: str) -> Objection:
    """File a keberatan with reasons within the window; it goes to the appraiser's supervisor.

    Before: the SKP stands in the discussion stage, the actor is its employee, the window
    is open, no keberatan was filed on this SKP before, and the result dialog was recorded.
    Written: the Objection with its deadline, one audit row, the employee's task completed
    with outcome "objection" (so the decision stage is entered). Raise StepNotAllowed for
    a late keberatan (naming the deadline in the agency's zone), InvalidObjection without
    reasons.
    """
    skp = lock_skp(skp_id)
    require_form(skp, "discussion")
    require_employee(actor, skp)
    task = require_task(skp, actor)
    now = timezone.now()
    deadline, on_time = objection_window(skp, now)
    if not on_time:
        raise StepNotAllowed(
            _("Batas waktu keberatan sudah lewat (%(deadline)s).")
            % {"deadline": local_deadline_text(skp, deadline)}
        )
    if Objection.objects.filter(skp=skp).exists():
        raise StepNotAllowed(_("Keberatan atas hasil ini sudah pernah diajukan."))
    text = (reasons or "").strip()
    if not text:
        raise InvalidObjection({"reasons": [_("Alasan keberatan wajib diisi.")]})
    objection = Objection.objects.create(
        skp=skp, reasons=text, filed_by=actor, filed_at=now, deadline=deadline
    )
    record(skp, actor, "objection_filed", objection=objection.pk, deadline=deadline.isoformat())
    engine.complete_task(task_id=task.pk, actor=actor, outcome="objection")
    return objection


# Explanations ----------------------------------------------------------------------------


def _decider_seat(skp: Skp, actor: Any, task: WorkItem) -> Seat:
    """Return the capacity in which the holder of the decision task acts."""
    supervisor = access_for(actor, skp).supervisor
    if supervisor is not None:
        return supervisor
    case = skp.case
    assert case is not None
    capacity = policy.acting_capacity(actor, case, role_day(skp), task.owner_id)
    if capacity is not None and capacity.acting_for_id is not None:
        return Seat(label=capacity.label, acting_for_id=capacity.acting_for_id)
    return Seat(label=task.seat_label)


def _open_objection(skp: Skp) -> Objection:
    objection = Objection.objects.filter(skp=skp).first()
    if objection is None:
        raise StepNotAllowed(_("SKP ini tidak punya keberatan."))
    if objection.status == Objection.Status.DECIDED:
        raise StepNotAllowed(_("Keberatan ini sudah diputus; keputusannya bersifat final."))
    return objection


def _appraiser_user_ids(skp: Skp) -> list[int]:
    official = appraiser_of(skp.employee, role_day(skp)).official
    if official is None or official.user is None:
        return []
    return [official.user.pk]


@transaction.atomic
def request_explanation(
    *, skp_id: int, actor: Any, party: str, question: str
) -> ObjectionExplanation:
    """Ask the appraiser or the employee to explain, as the holder of the decision task.

    Written: the question, the objection's status "explanation requested", one audit row;
    the party is notified after commit. Raise ActionForbidden or InvalidObjection.
    """
    skp = lock_skp(skp_id)
    require_open(skp)
    objection = _open_objection(skp)
    require_form(skp, "objection_decision")
    task = require_task(skp, actor)
    seat = _decider_seat(skp, actor, task)
    errors: dict[str, list[str]] = {}
    if party not in ObjectionExplanation.Party.values:
        errors["party"] = [_("Pilih pihak yang dimintai penjelasan.")]
    text = (question or "").strip()
    if not text:
        errors["question"] = [_("Pertanyaan wajib diisi.")]
    if errors:
        raise InvalidObjection(errors)
    explanation = ObjectionExplanation.objects.create(
        objection=objection,
        party=party,
        question=text,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    objection.status = Objection.Status.EXPLANATION_REQUESTED
    objection.save(update_fields=["status"])
    record(
        skp,
        actor,
        "objection_explanation_requested",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        explanation=explanation.pk,
        party=party,
    )
    if party == ObjectionExplanation.Party.EMPLOYEE:
        recipients = [skp.employee.user_id] if skp.employee.user_id else []
    else:
        recipients = _appraiser_user_ids(skp)
    case = skp.case
    assert case is not None
    notify(
        recipients,
        tenant_id=skp.agency_id,
        case_id=case.pk,
        code=AuditCode.PROCESS_EVENT,
        title=_("Penjelasan keberatan diminta: %(skp)s") % {"skp": skp},
        body=text,
        url=case_url(case),
    )
    return explanation


@transaction.atomic
def give_explanation(
    *, explanation_id: int, actor: Any, answer: str, evidence_file: UploadedFile | None = None
) -> ObjectionExplanation:
    """Answer a request for explanation as the party asked (the appraiser or the employee).

    Before: the keberatan awaits its decision and the request has no answer yet; a
    supporting file, when sent, passes the agency's evidence rules. Written: the answer
    (with the file as evidence of kind "explanation" and its own audit row); the objection
    back to "filed" when nothing else awaits an answer; one audit row; the one who asked is
    notified. Raise ActionForbidden or InvalidObjection (keys ``answer``, ``evidence_file``).
    """
    skp_id = (
        ObjectionExplanation.objects.filter(pk=explanation_id)
        .values_list("objection__skp_id", flat=True)
        .first()
    )
    if skp_id is None:
        raise StepNotAllowed(_("Permintaan penjelasan tidak ditemukan."))
    skp = lock_skp(skp_id)
    require_open(skp)
    objection = _open_objection(skp)
    require_form(skp, "objection_decision")
    explanation = ObjectionExplanation.objects.get(pk=explanation_id)
    access = access_for(actor, skp)
    seat: Seat | None = None
    if explanation.party == ObjectionExplanation.Party.EMPLOYEE and access.is_employee:
        seat = Seat(label=_("Pegawai"))
    elif explanation.party == ObjectionExplanation.Party.APPRAISER and access.appraiser:
        seat = access.appraiser
    if seat is None:
        raise ActionForbidden(
            _("Penjelasan ini diminta dari %(party)s.")
            % {"party": explanation.get_party_display().lower()}
        )
    if explanation.answered_at is not None:
        raise StepNotAllowed(_("Penjelasan ini sudah diberikan."))
    text = (answer or "").strip()
    if not text:
        raise InvalidObjection({"answer": [_("Penjelasan wajib diisi.")]})
    if evidence_file is not None:
        try:
            explanation.evidence = monitoring.store_evidence_file(
                skp,
                actor,
                evidence_file,
                seat=None if explanation.party == ObjectionExplanation.Party.EMPLOYEE else seat,
                kind="explanation",
                note=_("Lampiran penjelasan keberatan"),
            )
        except InvalidMonitoring as error:
            raise InvalidObjection({"evidence_file": error.errors.get("file", [])}) from error
    explanation.answer, explanation.answered_by = text, actor
    explanation.answered_at = timezone.now()
    explanation.save(update_fields=["answer", "answered_by", "answered_at", "evidence"])
    waiting = objection.explanations.filter(answered_at__isnull=True).exists()
    if not waiting:
        objection.status = Objection.Status.FILED
        objection.save(update_fields=["status"])
    record(
        skp,
        actor,
        "objection_explanation_given",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        explanation=explanation.pk,
        party=explanation.party,
    )
    case = skp.case
    assert case is not None
    notify(
        [explanation.requested_by_id],
        tenant_id=skp.agency_id,
        case_id=case.pk,
        code=AuditCode.PROCESS_EVENT,
        title=_("Penjelasan keberatan diberikan: %(skp)s") % {"skp": skp},
        body=text,
        url=case_url(case),
    )
    return explanation


# Decision --------------------------------------------------------------------------------


@transaction.atomic
def decide_objection(
    *,
    skp_id: int,
    actor: Any,
    decision: str,
    reason: str,
    rating_hasil: str | None = None,
    rating_perilaku: str | None = None,
) -> Objection:
    """Decide the keberatan as the appraiser's supervisor; the decision is final.

    "upheld" and "partly" change the ratings (they must differ from the current ones); the
    predikat is recomputed and written to the SKP together with a RatingRecord of kind
    objection, beside the appraiser's, which stays. "rejected" keeps the result. A unit
    head's rating hasil still follows the unit's result. Written: the decision with its
    reasoning and capacity, one audit row, the task completed with the decision as outcome;
    the employee and the appraiser are notified. A second decision is refused.
    """
    skp = lock_skp(skp_id)
    require_open(skp)
    objection = _open_objection(skp)
    require_form(skp, "objection_decision")
    task = require_task(skp, actor)
    seat = _decider_seat(skp, actor, task)
    errors: dict[str, list[str]] = {}
    if decision not in Objection.Decision.values:
        errors["decision"] = [_("Pilih keputusan: diterima, diterima sebagian atau ditolak.")]
    text = (reason or "").strip()
    if not text:
        errors["reason"] = [_("Pertimbangan keputusan wajib diisi.")]
    current = (skp.rating_hasil, skp.rating_perilaku)
    changes = decision in (Objection.Decision.UPHELD, Objection.Decision.PARTLY)
    if changes:
        if rating_hasil not in Rating.values:
            errors["rating_hasil"] = [_("Pilih rating hasil kerja yang baru.")]
        if rating_perilaku not in Rating.values:
            errors["rating_perilaku"] = [_("Pilih rating perilaku kerja yang baru.")]
        if (rating_hasil, rating_perilaku) == current:
            errors["ratings"] = [
                _("Keberatan yang diterima mengubah hasil; pilih rating yang berbeda.")
            ]
    elif decision == Objection.Decision.REJECTED and (
        (rating_hasil is not None and rating_hasil != current[0])
        or (rating_perilaku is not None and rating_perilaku != current[1])
    ):
        errors["ratings"] = [_("Keberatan yang ditolak tidak mengubah rating.")]
    if errors:
        raise InvalidObjection(errors)
    settings = settings_for(skp.agency_id)
    now = timezone.now()
    old = {"rating_hasil": skp.rating_hasil, "rating_perilaku": skp.rating_perilaku}
    old["predikat"] = skp.predikat
    new_record: RatingRecord | None = None
    if changes:
        assert rating_hasil is not None
        assert rating_perilaku is not None
        hasil, perilaku = Rating(rating_hasil), Rating(rating_perilaku)
        # The curve informs but does not bind a final decision; it is stored with it.
        preview = assess_rating(skp, hasil, perilaku, settings, curve_applies=False)
        problem = unit_head_problem(skp, hasil, preview.unit_head_hasil)
        if problem is not None:
            raise InvalidObjection({"rating_hasil": [problem]})
        skp.rating_hasil, skp.rating_perilaku, skp.predikat = hasil, perilaku, preview.predikat
        skp.save(update_fields=["rating_hasil", "rating_perilaku", "predikat"])
        new_record = RatingRecord.objects.create(
            skp=skp,
            kind=RatingRecord.Kind.OBJECTION,
            rating_hasil=hasil,
            rating_perilaku=perilaku,
            predikat=preview.predikat,
            justification=text,
            curve_conforms=preview.conforms,
            curve_detail=curve_detail(preview, settings),
            by=actor,
            capacity=seat.label,
            at=now,
        )
    objection.status = Objection.Status.DECIDED
    objection.decision, objection.decision_reason = decision, text
    objection.decided_by, objection.decided_capacity = actor, seat.label
    objection.decided_at = now
    objection.save(
        update_fields=[
            "status",
            "decision",
            "decision_reason",
            "decided_by",
            "decided_capacity",
            "decided_at",
        ]
    )
    record(
        skp,
        actor,
        "objection_decided",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        reason=text,
        decision=decision,
        before=old,
        after={
            "rating_hasil": skp.rating_hasil,
            "rating_perilaku": skp.rating_perilaku,
            "predikat": skp.predikat,
        },
        rating_record=new_record.pk if new_record is not None else None,
    )
    engine.complete_task(task_id=task.pk, actor=actor, outcome=decision)
    case = skp.case
    assert case is not None
    notify(
        [*([skp.employee.user_id] if skp.employee.user_id else []), *_appraiser_user_ids(skp)],
        tenant_id=skp.agency_id,
        case_id=case.pk,
        code=AuditCode.PROCESS_EVENT,
        title=_("Keberatan telah diputus: %(skp)s") % {"skp": skp},
        body=f"{objection.get_decision_display()}. {text}",
        url=case_url(case),
    )
    return objection


# Window expiry (scheduled) ---------------------------------------------------------------


def expire_discussion_windows(*, now: datetime.datetime | None = None) -> list[int]:
    """Acknowledge, as the system, results whose keberatan window passed unused.

    For each open SKP in its discussion stage, past its window, without a keberatan, the
    employee's task is completed with outcome "acknowledged" and ``acknowledged_at`` set,
    each SKP in its own transaction. The stage's guards still apply: an SKP whose result
    dialog is missing stays where it is for the admins. Safe to run twice or in two
    schedulers at once (each SKP is re-checked under its lock). Return the ids acknowledged.
    """
    moment = now or timezone.now()
    candidates = list(
        Skp.objects.filter(
            case__closed_at__isnull=True,
            case__phase=Phase.DISCUSSED,
            result_received_at__isnull=False,
            # The shortest window is one day: nothing younger can have expired.
            result_received_at__lt=moment - datetime.timedelta(days=1),
            objection__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done: list[int] = []
    for skp_id in candidates:
        try:
            if _expire_one(skp_id, moment):
                done.append(skp_id)
        except WorkflowError as error:
            logger.info("SKP %s stays in discussion: %s", skp_id, error)
        except Exception:
            logger.exception("Could not close the keberatan window of SKP %s", skp_id)
    return done


@transaction.atomic
def _expire_one(skp_id: int, moment: datetime.datetime) -> bool:
    skp = lock_skp(skp_id)
    if current_form(skp) != "discussion" or Objection.objects.filter(skp=skp).exists():
        return False
    _deadline, on_time = objection_window(skp, moment)
    if on_time:
        return False
    case = skp.case
    assert case is not None
    task = (
        WorkItem.objects.filter(
            process_id=case.pk,
            visit=case.visit,
            stage_key=case.stage_key,
            status__in=engine.OPEN_TASK_STATUSES,
            owner__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    if task is None:
        return False
    skp.acknowledged_at = moment
    skp.save(update_fields=["acknowledged_at"])
    record(skp, None, "result_acknowledged", capacity=_("sistem"), automatic=True)
    engine.complete_task_as_system(
        task_id=task.pk,
        outcome="acknowledged",
        reason=_("Batas waktu keberatan lewat; hasil dianggap diterima."),
    )
    return True
