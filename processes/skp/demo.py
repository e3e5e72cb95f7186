"""The SKP demo: each shipped agency's 2026 cycle with SKPs in every phase (``seed_demo``).

For each of the five agencies of ``processes/skp/agencies/configs`` the demo loads the
configuration (``load_agency``), opens a 2026 cycle on the agency's template and period type
for every top unit but the regional secretariat (its head has no supervisor post, so nothing
of theirs would ever find an appraiser), and walks the SKPs through the product's actions
only, as the people concerned: the appraisers' plans are agreed top-down first, then the
rest spread over every phase:

- some still drafting, some waiting for the appraiser's agreement (both late: their tasks
  were due in January), most in monitoring with realisations per past period, evidence
  links, feedback, coaching dialogs and period ratings;
- some self-assessing, some waiting for their rating (late ones and recent ones), some with
  the result dialog recorded and the employee's answer awaited, some acknowledged and
  waiting for HR, some final with credit points for functional posts;
- organisation results for each top unit (and the featured section), so the curve shows;
- one head's revised plan stuck: the regional secretary's post fell vacant (retired or on
  leave, no Plt appointed), so its approval task has nobody and the HR console shows it;
- per agency what its seed asks for: Gorontalo's unit indicator library; Bantul's monthly
  periods, imported attendance refreshed into realisations and the "kompetensi" aspect;
  Tanjung Selor's achievement reports per period; Makassar's citizen feedback on its public
  services refreshed into realisations, daily activities and peer feedback in progress;
  Dumai's independent team review in progress with a field observation, and the one
  keberatan of the whole demo, awaiting its decision.

Time. Every step runs at its moment in the story (plans in January, realisations after each
period, results in the last weeks before today), under a clock moved with ``time-machine``
(a development dependency): records then carry their real story dates and tasks whose due
date passed are late. A step that the rules allow only later than today (December's
realisations for Bantul's monthly periods, Tanjung Selor's report of the last quarter, which
needs the quarter ended) runs at the first moment the rules allow. Without ``time-machine``
every step runs now, steps that would need a later date are left out, and nothing is late;
the command says so.

Speed. Each action validates, locks and audits like a click on a page, so the demo walks few
SKPs far and uses the bulk-friendly actions where the product has them (one attendance
import, one refresh writing every computed realisation, daily activities in one batch).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import partial
from types import ModuleType
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes.organisation.actions import set_employee_status
from processes.organisation.models import (
    Agency,
    Employee,
    EmployeeStatus,
    Position,
    PositionKind,
    Unit,
    User,
)
from processes.organisation.selectors import appraiser_of, appraiser_supervisor_of
from processes.skp import rules
from processes.skp.access import role_day, today_for
from processes.skp.actions import assessment, final, monitoring, objection, plan, review
from processes.skp.actions import cycle as cycle_actions
from processes.skp.actions.assessment import PeerEntry
from processes.skp.actions.attendance import import_attendance
from processes.skp.actions.citizen import (
    refresh_attendance_realisations,
    refresh_citizen_realisations,
    submit_citizen_feedback,
)
from processes.skp.agencies import shipped_codes
from processes.skp.agencies.loader import LoadedAgency, load_agency, planned_nips, read_config
from processes.skp.models import (
    ActionPlan,
    BerAkhlak,
    Cycle,
    Indicator,
    IndicatorTemplate,
    PublicService,
    Rhk,
    Skp,
    UnitGoal,
)
from processes.skp.process import periods_of, settings_for
from processes.skp.rules import Aspect, OrgPredikat, Period, PeriodType, Rating
from workflow.models import Case, Team, WorkItem
from workflow.spec import Phase

YEAR = 2026
CYCLE_NAME = "SKP Tahunan 2026"

_CENT = Decimal("0.01")
# The regional secretary's post has been vacant this many days (since mid-autumn).
VACANCY_DAYS = 35
_OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


# The clock ------------------------------------------------------------------------------------


def _time_machine() -> ModuleType | None:
    try:
        import time_machine
    except ImportError:  # a production install without the development dependencies
        return None
    return time_machine


class StoryClock:
    """Run each step at its moment in the story (``time-machine``), or now without it."""

    def __init__(self, *, travel: bool = True) -> None:
        self._machine = _time_machine() if travel else None

    @property
    def travels(self) -> bool:
        """Return True when steps run at their own moments (time-machine is installed)."""
        return self._machine is not None

    @contextmanager
    def at(self, moment: datetime.datetime) -> Iterator[None]:
        """Run the block with ``timezone.now()`` at ``moment`` (ticking on from there)."""
        if self._machine is None:
            yield
            return
        with self._machine.travel(moment, tick=True):
            yield


def local_moment(
    zone: str, day: datetime.date, hour: int = 9, minute: int = 0
) -> datetime.datetime:
    """Return ``day`` at ``hour``:``minute`` in ``zone`` as an instant in UTC.

    UTC, as ``timezone.now()`` gives it: audit rows hash their time as written.
    """
    moment = datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone)
    )
    return moment.astimezone(datetime.UTC)


# What each SKP becomes -----------------------------------------------------------------------


class Target(StrEnum):
    """Where the demo leaves an SKP (its phase follows from it)."""

    DRAFTING = "drafting"  # plan drafted: nothing or a first RHK; late since January
    SUBMITTED = "submitted"  # waiting for the appraiser's agreement since January (late)
    SUBMITTED_RECENT = "submitted_recent"  # submitted two days ago
    REVISING = "revising"  # a head's revised plan; the approver's post is vacant (stuck)
    MONITORING = "monitoring"
    SELF_ASSESSING = "self_assessing"
    PEERS = "peers"  # Makassar: one of the two peers has given feedback
    RATING = "rating"  # self-assessment submitted; the rating is overdue
    RATING_RECENT = "rating_recent"
    TEAM_REVIEW = "team_review"  # Dumai: rated; the team has visited, not yet decided
    DISCUSSING = "discussing"  # result dialog recorded; the employee's answer awaited
    OBJECTING = "objecting"  # Dumai: keberatan filed, explanations asked, no decision yet
    FINALISING = "finalising"  # acknowledged; HR fixes the result next
    FINAL = "final"


PHASE_OF = {
    Target.DRAFTING: Phase.PLAN_DRAFTED,
    Target.SUBMITTED: Phase.AGREED,
    Target.SUBMITTED_RECENT: Phase.AGREED,
    Target.REVISING: Phase.AGREED,
    Target.MONITORING: Phase.MONITORED,
    Target.SELF_ASSESSING: Phase.SELF_ASSESSED,
    Target.PEERS: Phase.REVIEWED,
    Target.RATING: Phase.REVIEWED,
    Target.RATING_RECENT: Phase.REVIEWED,
    Target.TEAM_REVIEW: Phase.REVIEWED,
    Target.DISCUSSING: Phase.DISCUSSED,
    Target.OBJECTING: Phase.DISCUSSED,
    Target.FINALISING: Phase.FINAL,
    Target.FINAL: Phase.FINAL,
}

# Targets past the monitored phase, in walking order.
_LATER = (
    Target.SELF_ASSESSING,
    Target.PEERS,
    Target.RATING,
    Target.RATING_RECENT,
    Target.TEAM_REVIEW,
    Target.DISCUSSING,
    Target.OBJECTING,
    Target.FINALISING,
    Target.FINAL,
)

# How many days before today an SKP that should not be overdue finishes monitoring: its
# last step then falls yesterday (see ``AgencyDemo.later_start``).
_RECENT_SPAN = {
    Target.SELF_ASSESSING: 2,
    Target.PEERS: 3,
    Target.RATING_RECENT: 3,
    Target.TEAM_REVIEW: 4,
    Target.DISCUSSING: 5,
    Target.FINALISING: 6,
    Target.OBJECTING: 7,
}

# The other staff, in the order of the organisation file, cycle through this pattern.
PATTERN = (
    Target.MONITORING,
    Target.DRAFTING,
    Target.MONITORING,
    Target.SUBMITTED,
    Target.MONITORING,
    Target.FINAL,
    Target.DRAFTING,
    Target.RATING,
    Target.MONITORING,
    Target.SELF_ASSESSING,
    Target.DRAFTING,
    Target.DISCUSSING,
    Target.MONITORING,
    Target.FINALISING,
    Target.DRAFTING,
    Target.MONITORING,
)


@dataclass(frozen=True)
class Profile:
    """How an employee performs: the share of the target realised and the annual ratings."""

    name: str
    factor: Decimal
    hasil: Rating
    perilaku: Rating


STRONG = Profile("strong", Decimal("1.15"), Rating.ABOVE, Rating.ABOVE)  # Sangat Baik
SOLID = Profile("solid", Decimal("1.00"), Rating.AS_EXPECTED, Rating.AS_EXPECTED)  # Baik
STEADY = Profile("steady", Decimal("1.02"), Rating.AS_EXPECTED, Rating.ABOVE)  # Baik
WEAK = Profile("weak", Decimal("0.75"), Rating.BELOW, Rating.AS_EXPECTED)  # Butuh Perbaikan
# Rated SKPs take these in turn, so every agency shows awards and training recommendations.
RATED_PROFILES = (STRONG, SOLID, WEAK, STEADY, SOLID)


def profile_of(name: str) -> Profile:
    """Return the profile of an employee the demo does not rate (a hash of the name)."""
    digit = hashlib.sha256(name.encode()).digest()[0] % 10
    if digit < 2:
        return STRONG
    if digit < 8:
        return SOLID if digit % 2 else STEADY
    return WEAK


@dataclass(frozen=True)
class Story:
    """The people each agency's demo features (the README's logins) and its particulars.

    ``employee`` is appraised by ``appraiser``, whose own appraiser is ``supervisor``.
    ``featured`` is where the employee's SKP stands; the appraiser's other staff wait for
    the plan agreement and for the rating; the supervisor's functional staff are final
    (credit points) and ``second`` (waiting for the rating by default).
    """

    code: str
    employee: str
    appraiser: str
    supervisor: str
    featured: Target = Target.DISCUSSING
    second: Target = Target.RATING_RECENT
    peer: str = ""  # Makassar: asked for peer feedback on the employee, not given yet
    team_member: str = ""  # Dumai: a member of the evaluation team (README login)
    observer: str = ""  # Dumai: the member who visited the employee's service
    vacancy: str = EmployeeStatus.RETIRED  # why the regional secretary's post is empty
    vacancy_reference: str = ""


STORIES: dict[str, Story] = {
    story.code: story
    for story in (
        Story(
            code="gorontalo",
            employee="Fitriyani Tangahu",
            appraiser="Irwan Lihawa",
            supervisor="Yuniarti Mohamad",
            vacancy=EmployeeStatus.RETIRED,
            vacancy_reference="SK Pensiun 800.1.6.3/BKD/2026",
        ),
        Story(
            code="bantul",
            employee="Rini Handayani",
            appraiser="Budi Prasetyo",
            supervisor="Retno Rahmawati",
            vacancy=EmployeeStatus.STUDY_LEAVE,
            vacancy_reference="SK Tugas Belajar 800/BKPSDM/2026",
        ),
        Story(
            code="tanjung_selor",
            employee="Abdul Hamid Kasim",
            appraiser="Markus Ding",
            supervisor="Jumiati Effendi",
            vacancy=EmployeeStatus.RETIRED,
            vacancy_reference="SK Pensiun 800.1.6.3/BKPSDM/2026",
        ),
        Story(
            code="makassar",
            employee="Hamzah Daeng Rowa",
            appraiser="Andi Irfan Mappasessu",
            supervisor="Hasmawati Amir",
            featured=Target.PEERS,
            peer="Irwan Rewa",
            vacancy=EmployeeStatus.STUDY_LEAVE,
            vacancy_reference="SK Tugas Belajar 800/BKPSDM/2026",
        ),
        Story(
            code="dumai",
            employee="Suryani Sulaiman",
            appraiser="Encik Rosmaniar Hamzah",
            supervisor="Syahrial Arif",
            featured=Target.OBJECTING,
            second=Target.TEAM_REVIEW,
            team_member="Raja Ali Ismail",
            observer="Mahyudin Munir",
            vacancy=EmployeeStatus.RETIRED,
            vacancy_reference="SK Pensiun 800.1.6.3/BKPSDM/2026",
        ),
    )
}


def appraisers_other_staff(config: dict[str, Any], story: Story) -> list[str]:
    """Return the staff the story's appraiser rates besides its employee, in file order.

    Staff hold posts nobody reports to. The README's peer and team member come last, so
    the first is the colleague whose plan waits for the appraiser's agreement: a README
    login from which a newcomer follows an SKP through agreement (or a return) onwards.
    """
    organisation = config["organisation"]
    reports_to = {post["code"]: post.get("reports_to") for post in organisation["positions"]}
    bosses = {boss for boss in reports_to.values() if boss}
    post_of = {entry["name"]: entry["position"] for entry in organisation["employees"]}
    names = [
        name
        for name, post in post_of.items()
        if reports_to.get(post) == post_of[story.appraiser]
        and post not in bosses
        and name != story.employee
    ]
    special = {story.peer, story.team_member} - {""}
    return sorted(names, key=lambda name: name in special)


# The demo logins -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyLogin:
    """A demo account of an agency: its role, username (an NIP for employees) and name."""

    agency: str
    role: str
    username: str
    name: str


def agency_logins(code: str) -> list[AgencyLogin]:
    """Return the README's logins of agency ``code``: HR, employee, appraiser, supervisor, ..."""
    config = read_config(code)
    story = STORIES[code]
    numbers = planned_nips(config)
    agency = config["agency"]["name"]
    hr = config["hr_admin"]
    logins = [
        AgencyLogin(agency, "Pengelola kinerja (HR)", hr["username"], hr["first_name"]),
        AgencyLogin(agency, "Pegawai", numbers[story.employee], story.employee),
        AgencyLogin(agency, "Pejabat penilai", numbers[story.appraiser], story.appraiser),
        AgencyLogin(agency, "Atasan pejabat penilai", numbers[story.supervisor], story.supervisor),
    ]
    waiting = appraisers_other_staff(config, story)[0]
    logins.append(
        AgencyLogin(agency, "Pegawai (rencana diajukan)", numbers[waiting], waiting),
    )
    if story.peer:
        logins.append(AgencyLogin(agency, "Rekan kerja", numbers[story.peer], story.peer))
    if story.team_member:
        logins.append(
            AgencyLogin(
                agency, "Anggota tim penilai", numbers[story.team_member], story.team_member
            )
        )
    return logins


def all_agency_logins() -> list[AgencyLogin]:
    """Return the demo logins of every shipped agency, in the README's order."""
    return [login for code in STORY_ORDER for login in agency_logins(code)]


STORY_ORDER = ("gorontalo", "bantul", "tanjung_selor", "makassar", "dumai")


# Small generated evidence ------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def receipt_pdf(lines: list[str]) -> bytes:
    """Return a one-page PDF with ``lines`` of text (a small generated evidence document)."""
    content = "BT /F1 12 Tf 56 780 Td 16 TL " + " ".join(f"({_pdf_text(line)}) '" for line in lines)
    stream = content.encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    )
    return out.getvalue()


# Acting for the people of one agency -------------------------------------------------------------

EXPECTATION = "Menunjukkan perilaku {value} dalam tugas sebagai {position}."
VALUE_SUMMARY = "Perilaku {value} tampak dalam pelayanan dan kerja sama sehari-hari."


def extra_aspect_codes(raw: Any) -> list[str]:
    """Return the codes of the agency's extra aspects (entries are dicts or plain codes)."""
    codes = []
    for item in raw or []:
        code = item.get("code") if isinstance(item, dict) else item
        if isinstance(code, str) and code.strip():
            codes.append(code.strip())
    return codes


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class Walker:
    """Act for the people of one agency's cycle through the SKP actions.

    The demo and the agencies' end-to-end tests use it for the steps every agency shares
    (plans, realisations, ratings, the result); each step acts as the person it belongs to
    at the current time (``timezone.now()``).
    """

    def __init__(self, loaded: LoadedAgency, cycle: Cycle) -> None:
        self.loaded = loaded
        self.agency: Agency = loaded.agency
        self.cycle = cycle
        self.settings = settings_for(self.agency.pk)
        self._skp_ids: dict[str, int] = dict(
            Skp.objects.filter(cycle=cycle, sequence=1).values_list("employee__name", "pk")
        )
        self._skps: dict[str, Skp] = {}

    # Reading -------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """Return the names of the cycle's employees."""
        return list(self._skp_ids)

    def skp(self, name: str) -> Skp:
        """Return ``name``'s SKP for what stays fixed in the demo (read once).

        Its agency, cycle, employee, position, unit, dates and case id do not change while
        the demo walks it (no transfers); the actions read the rest themselves, and the case
        is read afresh where it matters (``stage``, ``open_tasks``).
        """
        skp = self._skps.get(name)
        if skp is None:
            skp = Skp.objects.select_related(
                "agency", "cycle", "employee__user", "position", "unit"
            ).get(pk=self._skp_ids[name])
            self._skps[name] = skp
        return skp

    def user(self, name: str) -> User:
        """Return the account of the employee called ``name``."""
        return self.loaded.user(name)

    def appraiser(self, skp: Skp) -> User | None:
        """Return the account of the SKP's appraiser today (None: nobody holds the post)."""
        official = appraiser_of(skp.employee, role_day(skp)).official
        return official.user if official is not None else None

    def supervisor(self, skp: Skp) -> User | None:
        """Return the account of the appraiser's own supervisor today (or None)."""
        official = appraiser_supervisor_of(skp.employee, role_day(skp)).official
        return official.user if official is not None else None

    def stage(self, name: str) -> str:
        """Return the stage ``name``'s SKP stands in ('' once closed)."""
        case = self._case(self.skp(name))
        return case.stage_key if case.closed_at is None else ""

    @staticmethod
    def _case(skp: Skp) -> Case:
        """Return the SKP's case as it stands now."""
        assert skp.case_id is not None, f"{skp} has no case"
        return Case.objects.get(pk=skp.case_id)

    def open_tasks(self, skp: Skp) -> list[WorkItem]:
        """Return the open tasks of the SKP's current stage (the case freshly read)."""
        case = self._case(skp)
        return list(
            WorkItem.objects.filter(
                process_id=case.pk, visit=case.visit, status__in=_OPEN
            ).order_by("pk")
        )

    def library_for(self, skp: Skp) -> list[IndicatorTemplate]:
        """Return the library entries the plan page offers the SKP (``plan.library_options``)."""
        return plan.library_options(skp)

    def indicators_for(self, skp: Skp, index: int) -> list[IndicatorTemplate]:
        """Choose the SKP's indicators: computed ones of its unit, then one entered by hand."""
        offered = self.library_for(skp)
        manual = [t for t in offered if t.source == IndicatorTemplate.Source.MANUAL]
        computed = [
            t
            for t in offered
            if t.source == IndicatorTemplate.Source.CITIZEN_FEEDBACK
            or (
                t.source == IndicatorTemplate.Source.ATTENDANCE and self.settings.attendance_enabled
            )
        ]
        specific = [t for t in manual if t.unit_id is not None] or manual
        chosen = computed[:1]
        if specific:
            chosen.append(specific[index % len(specific)])
        return chosen

    # Plans ---------------------------------------------------------------------------------

    def draft_plan(
        self,
        name: str,
        *,
        templates: list[IndicatorTemplate] | None = None,
        index: int = 0,
        action_plans: bool = False,
        submit: bool = True,
    ) -> Skp:
        """Draft ``name``'s plan as the employee (one RHK cascaded, its indicators), submit it.

        A JPT plan hangs under its unit's goal; any other under the appraiser's first RHK.
        """
        skp = self.skp(name)
        employee = self.user(name)
        chosen = templates if templates is not None else self.indicators_for(skp, index)
        if skp.is_jpt:
            goals = plan.goal_options(skp)
            own = [goal for goal in goals if goal.unit_id == skp.unit_id] or goals
            goal: UnitGoal = own[index % len(own)]
            rhk = plan.save_rhk(
                skp_id=skp.pk,
                actor=employee,
                text=goal.text,
                unit_goal_id=goal.pk,
                perspective=goal.perspective or "penerima_layanan",
            )
        else:
            parent = plan.cascade_options(skp)[0]
            main = next((t for t in chosen if t.source == "manual"), chosen[0])
            rhk = plan.save_rhk(
                skp_id=skp.pk,
                actor=employee,
                text=f"Tercapainya target {_lower_first(main.text)}",
                parent_id=parent.pk,
            )
        for template in chosen:
            plan.save_indicator(
                skp_id=skp.pk,
                actor=employee,
                rhk_id=rhk.pk,
                text=template.text,
                aspect=template.aspect,
                target_value=template.default_target or Decimal(100),
                target_unit=template.target_unit,
                template_id=template.pk,
            )
        if action_plans:
            for period in periods_of(skp):
                plan.save_action_plan(
                    skp_id=skp.pk,
                    actor=employee,
                    rhk_id=rhk.pk,
                    period_index=period.index,
                    text=f"Menyusun dan melaporkan capaian {period.label}",
                    target="1 laporan",
                )
        if submit:
            plan.submit_plan(skp_id=skp.pk, actor=employee, comment="Mohon persetujuan.")
        return skp

    def agree_plan(self, name: str) -> None:
        """Write the expectations and agree ``name``'s submitted plan as the appraiser."""
        skp = self.skp(name)
        appraiser = self.appraiser(skp)
        assert appraiser is not None, f"{name} has no appraiser"
        plan.save_expectations(
            skp_id=skp.pk,
            actor=appraiser,
            expectations={
                value.value: EXPECTATION.format(
                    value=value.label, position=_lower_first(skp.position.name)
                )
                for value in BerAkhlak
            },
        )
        plan.approve_plan(skp_id=skp.pk, actor=appraiser)

    # Monitoring ------------------------------------------------------------------------------

    def manual_indicators(self, skp: Skp) -> list[Indicator]:
        """Return the SKP's hand-entered indicators in plan order."""
        return list(
            Indicator.objects.filter(rhk__skp=skp, source=IndicatorTemplate.Source.MANUAL).order_by(
                "rhk__kind", "rhk__order", "order", "pk"
            )
        )

    @staticmethod
    def realised(indicator: Indicator, periods: int, period_index: int, factor: Decimal) -> Decimal:
        """Return a period's realisation reaching ``factor`` of the target over the year.

        Around the period's target (``rules.period_target``): counts add up over the
        periods, rates and levels average. Less is better for waktu and biaya.
        """
        base = rules.period_target(indicator.target_value, indicator.aggregation_rule, periods)
        wobble = Decimal(1) + Decimal((period_index % 3) - 1) / 50
        lower_is_better = indicator.aspect in (Aspect.WAKTU, Aspect.BIAYA)
        value = base / factor if lower_is_better else base * factor
        return max((value * wobble).quantize(_CENT, rounding=ROUND_HALF_UP), _CENT)

    def enter_realisations(
        self, name: str, periods: list[Period], factor: Decimal = Decimal(1)
    ) -> None:
        """Enter the hand-entered realisations of ``periods`` as the employee."""
        skp = self.skp(name)
        employee = self.user(name)
        count = len(periods_of(skp))
        for indicator in self.manual_indicators(skp):
            for period in periods:
                monitoring.save_realisation(
                    skp_id=skp.pk,
                    actor=employee,
                    indicator_id=indicator.pk,
                    period_index=period.index,
                    value=self.realised(indicator, count, period.index, factor),
                    note=f"Capaian {period.label}",
                )

    def report_progress(self, name: str, period: Period) -> None:
        """Write the employee's progress on the period's rencana aksi."""
        skp = self.skp(name)
        for action_plan in ActionPlan.objects.filter(rhk__skp=skp, period_index=period.index):
            monitoring.update_action_plan_progress(
                skp_id=skp.pk,
                actor=self.user(name),
                action_plan_id=action_plan.pk,
                progress_note=f"Laporan {period.label} selesai dan diserahkan tepat waktu.",
            )

    def add_evidence_link(self, name: str, period: Period) -> None:
        """Link the period's evidence (a document in the agency's archive) as the employee."""
        skp = self.skp(name)
        indicator = self.manual_indicators(skp)[0]
        monitoring.add_evidence_link(
            skp_id=skp.pk,
            actor=self.user(name),
            url=(
                f"https://arsip.{self.agency.code}.example.id/skp/{YEAR}/"
                f"{skp.employee.nip}/periode-{period.index}.pdf"
            ),
            indicator_id=indicator.pk,
            period_index=period.index,
            note=f"Laporan kegiatan {period.label}",
        )

    def add_evidence_file(self, name: str, period: Period) -> None:
        """Upload a small generated PDF as the period's evidence, as the employee."""
        skp = self.skp(name)
        indicator = self.manual_indicators(skp)[0]
        content = receipt_pdf(
            [
                f"{self.agency.name}",
                f"Laporan capaian {period.label} {YEAR}",
                f"{skp.employee.name} - {skp.position.name}",
                f"Indikator: {indicator.text}",
            ]
        )
        monitoring.add_evidence_file(
            skp_id=skp.pk,
            actor=self.user(name),
            uploaded=SimpleUploadedFile(
                f"laporan-{period.index}.pdf", content, content_type="application/pdf"
            ),
            indicator_id=indicator.pk,
            period_index=period.index,
            note=f"Laporan capaian {period.label} yang ditandatangani",
        )

    def give_feedback(self, name: str, period: Period, *, value: str = "") -> bool:
        """Give the appraiser's feedback on the first indicator's period (and on a value).

        Return False when nobody appraises the SKP today (the step is left out).
        """
        skp = self.skp(name)
        appraiser = self.appraiser(skp)
        if appraiser is None:
            return False
        indicator = Indicator.objects.filter(rhk__skp=skp).order_by("pk").first()
        assert indicator is not None
        monitoring.give_feedback(
            skp_id=skp.pk,
            actor=appraiser,
            text=f"Capaian {period.label} sudah sesuai rencana aksi; pertahankan ritmenya.",
            indicator_id=indicator.pk,
            period_index=period.index,
        )
        if value:
            monitoring.give_feedback(
                skp_id=skp.pk,
                actor=appraiser,
                text=f"Perilaku {BerAkhlak(value).label} terlihat saat melayani masyarakat.",
                value=value,
            )
        return True

    def submit_report(self, name: str, period: Period) -> None:
        """Submit the period's achievement report as the employee (laporan capaian)."""
        skp = self.skp(name)
        monitoring.submit_period_report(
            skp_id=skp.pk,
            actor=self.user(name),
            period_index=period.index,
            report=(
                f"Seluruh rencana aksi {period.label} terlaksana; realisasi dan bukti dukung "
                "terlampir."
            ),
        )

    def rate_period(self, name: str, period: Period, profile: Profile) -> bool:
        """Rate the period as the appraiser (and the agency's extra aspects).

        Return False when nobody appraises the SKP today.
        """
        skp = self.skp(name)
        appraiser = self.appraiser(skp)
        if appraiser is None:
            return False
        monitoring.rate_period(
            skp_id=skp.pk,
            actor=appraiser,
            period_index=period.index,
            rating_hasil=profile.hasil,
            rating_perilaku=profile.perilaku,
            note=f"Penilaian {period.label}",
        )
        for aspect in extra_aspect_codes(self.settings.extra_aspects):
            monitoring.rate_extra_aspect(
                skp_id=skp.pk,
                actor=appraiser,
                aspect=aspect,
                rating=profile.perilaku,
                period_index=period.index,
            )
        return True

    def coach(self, name: str, period: Period | None = None) -> None:
        """Record a coaching dialog held today by the appraiser."""
        skp = self.skp(name)
        appraiser = self.appraiser(skp)
        if appraiser is None:
            return
        monitoring.record_dialog(
            skp_id=skp.pk,
            actor=appraiser,
            kind="coaching",
            held_on=today_for(skp),
            agenda="Kemajuan rencana aksi dan kendala di lapangan",
            outcome="Rencana aksi berjalan; dukungan data dari bidang disepakati",
            follow_up="Dipantau kembali pada dialog berikutnya",
            period_index=period.index if period else None,
        )

    def finish_monitoring(self, name: str) -> None:
        """End the monitored phase as the employee (the stage's guards decide)."""
        skp = self.skp(name)
        monitoring.finish_monitoring(
            skp_id=skp.pk, actor=self.user(name), comment="Seluruh realisasi telah diisi."
        )

    # Assessment, review and the result ------------------------------------------------------

    def self_assess(self, name: str, *, submit: bool = True) -> None:
        """Write the summaries of every RHK and value and (unless told not to) submit them."""
        skp = self.skp(name)
        employee = self.user(name)
        assessment.save_self_assessment(
            skp_id=skp.pk,
            actor=employee,
            rhk_summaries={
                rhk.pk: f"Capaian {_lower_first(rhk.text)} sesuai bukti dukung."
                for rhk in Rhk.objects.filter(skp=skp)
            },
            value_summaries={
                value.value: VALUE_SUMMARY.format(value=value.label) for value in BerAkhlak
            },
        )
        if submit:
            assessment.submit_self_assessment(skp_id=skp.pk, actor=employee)

    def peer_candidates(self, name: str) -> list[User]:
        """Return the accounts the current peer stage asks, in order."""
        skp = self.skp(name)
        ids: list[int] = []
        for task in self.open_tasks(skp):
            for user_id in task.candidate_ids:
                if user_id not in ids:
                    ids.append(user_id)
        users = {user.pk: user for user in User.objects.filter(pk__in=ids)}
        return [users[user_id] for user_id in ids if user_id in users]

    def give_peer_feedback(self, name: str, peer: User, rating: Rating) -> None:
        """Give ``peer``'s feedback on all seven values of ``name``."""
        skp = self.skp(name)
        assessment.give_peer_feedback(
            skp_id=skp.pk,
            actor=peer,
            entries=[
                PeerEntry(value.value, rating, f"{value.label}: konsisten dalam kerja tim.")
                for value in BerAkhlak
            ],
        )

    def record_result(self, unit: Unit, predikat: str, actor: User) -> None:
        """Record the unit's annual organisation predikat as ``actor``."""
        review.record_organisation_result(
            actor=actor,
            cycle=self.cycle,
            unit=unit,
            predikat=predikat,
            note="Berdasarkan capaian indikator kinerja utama unit.",
        )

    def rate(self, name: str, profile: Profile, *, submit: bool = True) -> None:
        """Rate ``name`` as the appraiser (with a justification) and submit the rating."""
        skp = self.skp(name)
        appraiser = self.appraiser(skp)
        assert appraiser is not None, f"{name} has no appraiser"
        review.rate_skp(
            skp_id=skp.pk,
            actor=appraiser,
            rating_hasil=profile.hasil,
            rating_perilaku=profile.perilaku,
            justification="Sesuai capaian indikator dan catatan perilaku sepanjang tahun.",
        )
        if submit:
            review.submit_rating(skp_id=skp.pk, actor=appraiser)

    def team_member_for(self, name: str, preferred: str = "") -> User:
        """Return a member of the reviewing team other than the SKP's employee."""
        skp = self.skp(name)
        (task,) = self.open_tasks(skp)
        group_id = task.data.get("team_group_id")
        team = Team.objects.get(group_id=group_id)
        members = list(team.group.user_set.filter(is_active=True).order_by("pk"))
        if preferred:
            members.sort(key=lambda user: user.pk != self.user(preferred).pk)
        return next(user for user in members if user.pk != skp.employee.user_id)

    def observe(self, name: str, member: User) -> None:
        """Record the team member's field visit to ``name``'s service (kunjungan lapangan)."""
        skp = self.skp(name)
        review.add_field_observation(
            skp_id=skp.pk,
            actor=member,
            observed_on=today_for(skp),
            location=f"{skp.unit.name}, {self.agency.name}",
            notes=(
                "Layanan berjalan sesuai standar; antrean tertib dan catatan pelayanan lengkap. "
                "Petugas menjelaskan alur layanan dengan jelas."
            ),
        )

    def team_review(self, name: str, member: User) -> None:
        """Submit the team's review agreeing with the rating, as ``member``."""
        skp = self.skp(name)
        review.submit_team_review(
            skp_id=skp.pk,
            actor=member,
            summary="Rating sesuai bukti dukung dan hasil kunjungan lapangan.",
            recommendation="Pertahankan; bagikan praktik baik kepada unit lain.",
            agrees_with_rating=True,
        )

    def discuss(self, name: str) -> None:
        """Record the result dialog with ``name`` as the appraiser."""
        skp = self.skp(name)
        appraiser = self.appraiser(skp)
        assert appraiser is not None
        monitoring.record_dialog(
            skp_id=skp.pk,
            actor=appraiser,
            kind="result",
            held_on=today_for(skp),
            agenda="Pembahasan hasil penilaian kinerja tahunan",
            outcome="Pegawai memahami hasil penilaian dan catatan pengembangannya",
        )

    def acknowledge(self, name: str) -> None:
        """Accept the result as the employee."""
        objection.acknowledge_result(skp_id=self.skp(name).pk, actor=self.user(name))

    def finalise(self, name: str, note: str = "") -> None:
        """Fix the result as the agency's HR admin (the SKP closes and locks)."""
        final.finalise_skp(skp_id=self.skp(name).pk, actor=self.loaded.admin, follow_up_note=note)


# The demo of one agency -------------------------------------------------------------------------


@dataclass
class _Step:
    moment: datetime.datetime
    order: int
    run: Callable[[], Any]


@dataclass
class AgencyDemo:
    """Build one agency's demo cycle (see the module docstring); ``build`` runs it once."""

    loaded: LoadedAgency
    clock: StoryClock
    story: Story
    notes: list[str] = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)
    _steps: list[_Step] = field(default_factory=list)

    @property
    def agency(self) -> Agency:
        """Return the agency."""
        return self.loaded.agency

    @property
    def zone(self) -> str:
        """Return the agency's time zone."""
        return self.agency.time_zone

    def at(self, day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
        """Return ``day`` at ``hour``:``minute`` in the agency's zone (UTC)."""
        return local_moment(self.zone, day, hour, minute)

    def schedule(
        self, day: datetime.date, run: Callable[[], Any], hour: int = 9, minute: int = 0
    ) -> None:
        """Run ``run`` at ``day`` ``hour``:``minute`` local, in story order."""
        moment = self.at(day, hour, minute)
        self._steps.append(_Step(moment, len(self._steps), run))

    # Building ---------------------------------------------------------------------------------

    def build(self) -> Cycle:
        """Open the cycle and walk every SKP to its target; return the cycle."""
        today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(self.zone))
        cycle = self.open_cycle()
        walker = Walker(self.loaded, cycle)
        self.targets = self.plan_targets(walker)
        self.schedule_story(walker, today)
        for step in sorted(self._steps, key=lambda step: (step.moment, step.order)):
            with self.clock.at(step.moment):
                step.run()
        return cycle

    def open_cycle(self) -> Cycle:
        """Create and open the 2026 cycle for every top unit but the secretariat."""
        units = [
            unit
            for unit in self.loaded.units.values()
            if unit.parent_id is None and self._has_supervisor_post(unit)
        ]
        with self.clock.at(self.at(datetime.date(YEAR, 1, 5), 8)):
            cycle = cycle_actions.create_cycle(
                actor=self.loaded.admin,
                agency=self.agency,
                year=YEAR,
                name=CYCLE_NAME,
                template=self.loaded.template,
                period_type=self.settings_period_type,
                units=units,
                evaluation_deadline=datetime.date(YEAR + 1, 1, 31),
            )
            cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=self.loaded.admin)
        return cycle

    @property
    def settings_period_type(self) -> str:
        """Return the agency's period type (its SKP settings)."""
        return str(settings_for(self.agency.pk).period_type)

    def _has_supervisor_post(self, unit: Unit) -> bool:
        head = Position.objects.filter(unit=unit, is_unit_head=True).order_by("pk").first()
        return head is not None and head.reports_to_id is not None

    # Who goes where ----------------------------------------------------------------------------

    def plan_targets(self, walker: Walker) -> dict[str, Target]:
        """Decide each SKP's target (see the module docstring)."""
        people = {
            name: employee
            for name, employee in self.loaded.employees.items()
            if name in walker.names
        }
        holders = {
            employee.name: self.loaded.positions[entry["position"]]
            for entry in self.loaded.config["organisation"]["employees"]
            if (employee := people.get(entry["name"])) is not None
        }
        boss_posts = {post.reports_to_id for post in holders.values()}
        heads = [name for name, post in holders.items() if post.pk in boss_posts]
        staff = [name for name in holders if name not in heads]
        appraiser_of_name = {
            name: next((n for n, p in holders.items() if p.pk == post.reports_to_id), "")
            for name, post in holders.items()
        }
        story = self.story
        targets: dict[str, Target] = dict.fromkeys(heads, Target.MONITORING)
        targets[story.employee] = story.featured
        colleagues = appraisers_other_staff(self.loaded.config, story)
        for name, target in zip(
            colleagues, (Target.SUBMITTED_RECENT, Target.RATING_RECENT), strict=False
        ):
            targets[name] = target
        functional = [
            n
            for n in staff
            if appraiser_of_name[n] == story.supervisor
            and holders[n].kind == PositionKind.FUNGSIONAL
        ]
        for name, target in zip(functional, (Target.FINAL, story.second), strict=False):
            targets[name] = target
        first_functional = next(
            n for n in staff if holders[n].kind == PositionKind.FUNGSIONAL and n not in targets
        )
        targets[first_functional] = Target.FINAL
        # A head's plan revision waits on the regional secretary's post, vacant since autumn.
        jpt = [n for n in heads if holders[n].kind == PositionKind.JPT]
        targets[jpt[-1]] = Target.REVISING
        rest = [n for n in staff if n not in targets]
        for index, name in enumerate(rest):
            targets[name] = PATTERN[index % len(PATTERN)]
        return {name: targets[name] for name in walker.names}

    # The story ----------------------------------------------------------------------------------

    def schedule_story(self, walker: Walker, today: datetime.date) -> None:
        """Schedule every step of the agency's year (run in time order by ``build``)."""
        period_type = PeriodType(self.settings_period_type)
        periods = rules.periods_for(YEAR, period_type)
        # A period counts as past once its follow-up (ratings ten days on) is behind us.
        past = [p for p in periods if p.ends_on + datetime.timedelta(days=10) < today]
        last = periods[-1]
        needed = last.ends_on if walker.settings.period_report_required else last.starts_on
        walk_day = max(today - datetime.timedelta(days=16), needed)
        if past:
            walk_day = max(walk_day, past[-1].ends_on + datetime.timedelta(days=11))
        if walk_day > today and not self.clock.travels:
            self.notes.append(
                f"{self.agency.name}: penilaian akhir baru dapat dijalankan mulai "
                f"{walk_day:%d/%m/%Y}; SKP yang akan melewati pemantauan tetap dipantau."
            )
            for name, target in self.targets.items():
                if target in _LATER:
                    self.targets[name] = Target.MONITORING
        revision_day = today - datetime.timedelta(days=VACANCY_DAYS + 6)
        self._schedule_plans(walker, today)
        monitored = [
            name
            for name, target in self.targets.items()
            if target not in (Target.DRAFTING, Target.SUBMITTED, Target.SUBMITTED_RECENT)
        ]
        self._schedule_monitoring(walker, monitored, past, revision_day)
        self._schedule_vacancy(walker, today)
        self._schedule_agency_data(walker, today, walk_day)
        self._schedule_results(walker, walk_day - datetime.timedelta(days=1))
        self._schedule_later(walker, periods, walk_day, today)

    def _depth(self, skp: Skp) -> int:
        posts = {post.pk: post for post in self.loaded.positions.values()}
        depth, boss_id = 0, skp.position.reports_to_id
        while boss_id is not None and boss_id in posts:
            depth, boss_id = depth + 1, posts[boss_id].reports_to_id
        return depth

    def _schedule_plans(self, walker: Walker, today: datetime.date) -> None:
        january = datetime.date(YEAR, 1, 1)
        for index, name in enumerate(walker.names):
            target = self.targets[name]
            skp = walker.skp(name)
            # Top-down: heads of units first (6 January), then each level three days on.
            drafted = january + datetime.timedelta(days=5 + 3 * max(self._depth(skp) - 1, 0))
            featured = name == self.story.employee
            minute = index % 60
            if target == Target.DRAFTING:
                if index % 2:
                    self.schedule(
                        january + datetime.timedelta(days=20),
                        partial(walker.draft_plan, name, index=index, submit=False),
                        minute=minute,
                    )
                continue
            if target == Target.SUBMITTED_RECENT:
                self.schedule(
                    today - datetime.timedelta(days=2),
                    partial(walker.draft_plan, name, index=index),
                    minute=minute,
                )
                continue
            if target == Target.SUBMITTED:
                drafted = january + datetime.timedelta(days=19)
            self.schedule(
                drafted,
                partial(walker.draft_plan, name, index=index, action_plans=featured),
                minute=minute,
            )
            if target != Target.SUBMITTED:
                self.schedule(
                    drafted + datetime.timedelta(days=1),
                    partial(walker.agree_plan, name),
                    hour=10,
                    minute=minute,
                )

    def _schedule_monitoring(
        self, walker: Walker, names: list[str], past: list[Period], cutoff: datetime.date
    ) -> None:
        """Realisations after each past period; evidence, feedback and ratings for some.

        Monthly agencies' staff mostly entered only the last three months (the rest lag
        behind, as the monitoring pages then show). The head revising a plan stops at
        ``cutoff``, the day the plan went back to drafting.
        """
        monthly = len(past) > 4
        reports = walker.settings.period_report_required
        values = list(BerAkhlak.values)
        story = self.story
        for index, name in enumerate(names):
            featured = name in (story.employee, story.appraiser, story.supervisor)
            full = featured or index % 3 == 0 or self.targets[name] in _LATER
            entered = past if (full or not monthly) else past[-3:]
            profile = profile_of(name)
            rated = featured or index % 3 == 1
            reported = rated or (reports and index % 3 == 2)
            minute = index % 60

            def at(
                day: datetime.date,
                hour: int,
                run: Callable[[], Any],
                minute: int = minute,
                name: str = name,
            ) -> None:
                if self.targets[name] != Target.REVISING or day < cutoff:
                    self.schedule(day, run, hour, minute)

            for period in entered:
                after = period.ends_on
                at(
                    after + datetime.timedelta(days=4),
                    8,
                    partial(walker.enter_realisations, name, [period], profile.factor),
                )
                if name == story.employee:
                    at(
                        after + datetime.timedelta(days=4),
                        8,
                        partial(walker.report_progress, name, period),
                    )
                if reports and reported:
                    at(
                        after + datetime.timedelta(days=3),
                        8,
                        partial(walker.submit_report, name, period),
                    )
                if rated:
                    at(
                        after + datetime.timedelta(days=8),
                        14,
                        partial(walker.rate_period, name, period, profile),
                    )
            if not past:
                continue
            latest = past[-1]
            if featured or index % 3 == 0:
                at(
                    latest.ends_on + datetime.timedelta(days=4),
                    8,
                    partial(walker.add_evidence_link, name, latest),
                )
            if featured or index % 2 == 0:
                at(
                    latest.ends_on + datetime.timedelta(days=7),
                    13,
                    partial(walker.give_feedback, name, latest, value=values[index % len(values)]),
                )
            if featured or index % 5 == 0:
                at(
                    latest.ends_on + datetime.timedelta(days=10),
                    10,
                    partial(walker.coach, name, latest),
                )

    def _schedule_vacancy(self, walker: Walker, today: datetime.date) -> None:
        """The secretary's post falls vacant; a head's revised plan then waits on nobody."""
        start = today - datetime.timedelta(days=VACANCY_DAYS)
        top = next(
            employee
            for entry in self.loaded.config["organisation"]["employees"]
            if self.loaded.positions[entry["position"]].reports_to_id is None
            and (employee := self.loaded.employees[entry["name"]]) is not None
        )
        reviser = next(name for name, target in self.targets.items() if target == Target.REVISING)

        def vacate(employee: Employee = top) -> None:
            set_employee_status(
                actor=self.loaded.admin,
                employee=employee,
                status=self.story.vacancy,
                starts_on=start,
                reference=self.story.vacancy_reference,
            )

        def request_revision(name: str = reviser) -> None:
            skp = walker.skp(name)
            plan.request_plan_revision(
                skp_id=skp.pk,
                actor=walker.user(name),
                reason="Penyesuaian target setelah APBD Perubahan 2026.",
            )

        def resubmit(name: str = reviser) -> None:
            skp = walker.skp(name)
            employee = walker.user(name)
            rhk = Rhk.objects.filter(skp=skp).order_by("pk").first()
            assert rhk is not None
            template = next(
                (
                    t
                    for t in walker.library_for(skp)
                    if t.source == IndicatorTemplate.Source.MANUAL
                    and not Indicator.objects.filter(rhk=rhk, template=t).exists()
                ),
                None,
            )
            if template is not None:
                plan.save_indicator(
                    skp_id=skp.pk,
                    actor=employee,
                    rhk_id=rhk.pk,
                    text=template.text,
                    aspect=template.aspect,
                    target_value=template.default_target or Decimal(100),
                    target_unit=template.target_unit,
                    template_id=template.pk,
                )
            plan.submit_plan(skp_id=skp.pk, actor=employee, comment="Rencana hasil perubahan.")

        self.schedule(start - datetime.timedelta(days=6), request_revision, hour=10)
        self.schedule(start, vacate, hour=8)
        self.schedule(start + datetime.timedelta(days=4), resubmit, hour=11)

    def _schedule_agency_data(
        self, walker: Walker, today: datetime.date, walk_day: datetime.date
    ) -> None:
        """Attendance, citizen feedback and daily activities where the agency keeps them."""
        settings = walker.settings
        admin = self.loaded.admin
        cycle_id = walker.cycle.pk
        if settings.attendance_enabled:
            # The months whose figures exist: every month of the year already over.
            months = [
                period.index
                for period in rules.periods_for(YEAR, PeriodType.MONTHLY)
                if period.ends_on < today
            ]
            if months:
                ended = rules.periods_for(YEAR, PeriodType.MONTHLY)[months[-1] - 1].ends_on
                day = min(ended + datetime.timedelta(days=3), today - datetime.timedelta(days=1))
                self.schedule(day, partial(self.import_attendance, walker, months), hour=8)
                self.schedule(
                    day,
                    partial(refresh_attendance_realisations, cycle_id=cycle_id, actor=admin),
                    hour=8,
                    minute=30,
                )
        if settings.citizen_feedback_enabled:
            self.submit_citizen_feedback(today)
            self.schedule(
                walk_day - datetime.timedelta(days=2),
                partial(refresh_citizen_realisations, cycle_id=cycle_id, actor=admin),
                hour=7,
            )
        if settings.daily_activities_enabled:
            employee = self.story.employee
            start = self.later_start(self.targets[employee], walk_day, today)
            day = start - datetime.timedelta(days=1) if self.targets[employee] in _LATER else today
            self.schedule(day, partial(self.log_daily, walker, employee), hour=16)
            unit_id = walker.skp(employee).unit_id
            colleagues = [
                name
                for name in walker.names
                if self.targets[name] == Target.MONITORING and walker.skp(name).unit_id == unit_id
            ]
            for name in colleagues[:2]:
                self.schedule(
                    today - datetime.timedelta(days=1), partial(self.log_daily, walker, name), 16
                )

    def import_attendance(self, walker: Walker, months: list[int]) -> None:
        """Import the agency's monthly attendance (an export as CSV) for ``months``."""
        lines = ["NIP;Tahun;Bulan;Hari Kerja;Hadir;Terlambat;Cuti/Izin;Tanpa Keterangan"]
        employees = Employee.objects.filter(skps__cycle=walker.cycle).order_by("pk").distinct()
        for employee in employees:
            seed = hashlib.sha256(employee.nip.encode()).digest()
            for month in months:
                working = (21, 19, 20, 21, 19, 20, 22, 20, 21, 22, 20, 19)[month - 1]
                leave = seed[month] % 3 if seed[month] % 4 == 0 else 0
                absent = 1 if seed[month + 12] % 9 == 0 else 0
                present = working - leave - absent
                late = seed[month + 4] % 4
                lines.append(
                    f"{employee.nip};{YEAR};{month};{working};{present};{late};{leave};{absent}"
                )
        report = import_attendance(
            actor=self.loaded.admin,
            agency=self.agency,
            file=io.BytesIO("\n".join(lines).encode()),
            filename=f"kehadiran-{YEAR}.csv",
            dry_run=False,
        )
        assert report.ok, [str(problem) for problem in report.problems]

    def submit_citizen_feedback(self, today: datetime.date) -> None:
        """Citizens rate each public service through the year (the public page's action)."""
        services = PublicService.objects.filter(agency=self.agency, is_active=True).order_by("pk")
        comments = (
            "Pelayanan cepat dan ramah.",
            "Petugas membantu sampai selesai.",
            "Antrean agak lama, tetapi jelas.",
            "",
            "Informasinya lengkap.",
        )
        for number, service in enumerate(services):
            day = datetime.date(YEAR, 1, 5 + number)
            count = 0
            while day < today and day.year == YEAR:
                score = (3, 4, 5, 4, 5, 4, 3, 5)[(count + number) % 8]
                submit_citizen_feedback(
                    service_slug=service.slug,
                    score=score,
                    comment=comments[count % len(comments)],
                    client_key=f"demo-warga-{service.pk}-{count}",
                    now=self.at(day, 10 + count % 6, (count * 7) % 60),
                )
                count += 1
                day += datetime.timedelta(days=6 + count % 5)

    def log_daily(self, walker: Walker, name: str) -> None:
        """Add the employee's daily activities of the last ten working days in one batch."""
        skp = walker.skp(name)
        rhk = Rhk.objects.filter(skp=skp).order_by("pk").first()
        today = today_for(skp)
        days: list[datetime.date] = []
        day = today
        while len(days) < 10:
            if day.weekday() < 5 and day >= skp.period_start:
                days.append(day)
            day -= datetime.timedelta(days=1)
        tasks = (
            ("Menindaklanjuti pengaduan masyarakat melalui kanal daring", 6, "pengaduan"),
            ("Memverifikasi data layanan dan memperbarui status", 12, "berkas"),
            ("Rapat koordinasi tindak lanjut pengaduan", 1, "kegiatan"),
        )
        monitoring.add_daily_activities(
            skp_id=skp.pk,
            actor=walker.user(name),
            entries=[
                monitoring.DailyEntry(
                    day=day,
                    description=tasks[number % 3][0],
                    quantity=tasks[number % 3][1] + number % 4,
                    output_unit=tasks[number % 3][2],
                    rhk_id=rhk.pk if rhk else None,
                )
                for number, day in enumerate(reversed(days))
            ],
        )

    def _schedule_results(self, walker: Walker, day: datetime.date) -> None:
        """Organisation results: HR for the top units, the supervisor for the featured section."""
        tops = [
            unit
            for unit in self.loaded.units.values()
            if unit.parent_id is None and self._has_supervisor_post(unit)
        ]
        for number, unit in enumerate(tops):
            predikat = OrgPredikat.ISTIMEWA if number == 2 else OrgPredikat.BAIK
            self.schedule(
                day,
                partial(walker.record_result, unit, predikat, self.loaded.admin),
                hour=15,
                minute=number,
            )
        section = walker.skp(self.story.employee).unit
        self.schedule(
            day,
            lambda: walker.record_result(
                section, OrgPredikat.BAIK, walker.user(self.story.supervisor)
            ),
            hour=16,
        )

    def later_start(
        self, target: Target, walk_day: datetime.date, today: datetime.date
    ) -> datetime.date:
        """Return the day an SKP walked past monitoring finishes its monitoring.

        Overdue ones (waiting for the rating, final) start when the walk may; the others so
        that their last step falls yesterday, leaving their current task on time.
        """
        span = _RECENT_SPAN.get(target)
        if span is None:
            return walk_day
        return max(walk_day, today - datetime.timedelta(days=span))

    def _schedule_later(
        self, walker: Walker, periods: list[Period], walk_day: datetime.date, today: datetime.date
    ) -> None:
        """Walk the SKPs past monitoring (every step of one SKP on its own later day)."""
        later = [name for name in walker.names if self.targets[name] in _LATER]
        later.sort(key=lambda name: _LATER.index(self.targets[name]))
        for number, name in enumerate(later):
            target = self.targets[name]
            featured = name == self.story.employee
            profile = STEADY if featured else RATED_PROFILES[number % len(RATED_PROFILES)]
            start = self.later_start(target, walk_day, today)
            self._walk_one(walker, name, target, start, profile, number % 60, periods)

    def _walk_one(
        self,
        walker: Walker,
        name: str,
        target: Target,
        start: datetime.date,
        profile: Profile,
        minute: int,
        periods: list[Period],
    ) -> None:
        featured = name == self.story.employee

        def step(offset: int, hour: int, run: Callable[[], Any]) -> None:
            self.schedule(start + datetime.timedelta(days=offset), run, hour, minute)

        # Whatever monitoring left open: the last periods' realisations, reports and ratings.
        step(0, 8, lambda: self.complete_periods(walker, name, profile.factor))
        if walker.settings.period_report_required:
            for period in periods:
                step(0, 8, partial(self.report_if_missing, walker, name, period))
                step(0, 10, partial(self.rate_if_missing, walker, name, period, profile))
        if featured:
            step(0, 8, lambda: walker.add_evidence_file(name, periods[-1]))
        step(0, 11, lambda: walker.finish_monitoring(name))
        if target == Target.SELF_ASSESSING:
            step(0, 15, lambda: walker.self_assess(name, submit=False))
            return
        step(1, 9, lambda: walker.self_assess(name))
        if self._has_stage(walker, "peer_feedback"):
            count = 1 if target == Target.PEERS else 2
            step(1, 14, lambda: self.peer_feedback(walker, name, count=count))
        if target in (Target.PEERS, Target.RATING, Target.RATING_RECENT):
            return
        step(2, 10, lambda: walker.rate(name, profile))
        if self._has_stage(walker, "team_review"):
            observer = self.story.observer
            if target == Target.TEAM_REVIEW or featured:
                step(3, 9, lambda: walker.observe(name, walker.team_member_for(name, observer)))
            if target == Target.TEAM_REVIEW:
                return
            step(3, 14, lambda: walker.team_review(name, walker.team_member_for(name, observer)))
        step(4, 10, lambda: walker.discuss(name))
        if target == Target.DISCUSSING:
            return
        if target == Target.OBJECTING:
            step(5, 9, lambda: self.object(walker, name))
            step(6, 9, lambda: self.ask_explanations(walker, name))
            return
        step(5, 9, lambda: walker.acknowledge(name))
        if target == Target.FINALISING:
            return
        step(6, 10, lambda: walker.finalise(name, FOLLOW_UP_NOTES[profile.name]))

    def _has_stage(self, walker: Walker, form: str) -> bool:
        version = walker.cycle.template.latest_version()
        assert version is not None
        return any(spec.form == form for spec in version.specs())

    def complete_periods(self, walker: Walker, name: str, factor: Decimal) -> None:
        """Enter every realisation still missing (all periods must have one to finish)."""
        skp = walker.skp(name)
        entered = set(
            Indicator.objects.filter(rhk__skp=skp, source=IndicatorTemplate.Source.MANUAL)
            .filter(realisations__isnull=False)
            .values_list("pk", "realisations__period_index")
        )
        manual = walker.manual_indicators(skp)
        missing = [
            period
            for period in periods_of(skp)
            if any((indicator.pk, period.index) not in entered for indicator in manual)
        ]
        if missing:
            walker.enter_realisations(name, missing, factor)

    def report_if_missing(self, walker: Walker, name: str, period: Period) -> None:
        """Submit the period's achievement report unless it was submitted already."""
        skp = walker.skp(name)
        if (
            not skp.period_evaluations.filter(period_index=period.index)
            .exclude(report_submitted_at=None)
            .exists()
        ):
            walker.submit_report(name, period)

    def rate_if_missing(self, walker: Walker, name: str, period: Period, profile: Profile) -> None:
        """Rate the period unless it was rated already."""
        skp = walker.skp(name)
        if (
            not skp.period_evaluations.filter(period_index=period.index)
            .exclude(predikat="")
            .exists()
        ):
            walker.rate_period(name, period, profile)

    def peer_feedback(self, walker: Walker, name: str, *, count: int) -> None:
        """Let ``count`` peers give feedback (on the featured SKP never the README's peer,
        whose task waits for them)."""
        waiting = walker.user(self.story.peer).pk if name == self.story.employee else None
        peers = [peer for peer in walker.peer_candidates(name) if peer.pk != waiting]
        for peer in peers[:count]:
            walker.give_peer_feedback(name, peer, Rating.AS_EXPECTED)

    def object(self, walker: Walker, name: str) -> None:
        """File the employee's keberatan against the result."""
        objection.file_objection(
            skp_id=walker.skp(name).pk,
            actor=walker.user(name),
            reasons=(
                "Target kunjungan pelayanan terlampaui dan hasil kunjungan lapangan tim penilai "
                "menilai layanan sesuai standar; hasil kerja semestinya di atas ekspektasi."
            ),
        )

    def ask_explanations(self, walker: Walker, name: str) -> None:
        """The appraiser's supervisor asks both sides; the appraiser has answered."""
        skp = walker.skp(name)
        supervisor = walker.user(self.story.supervisor)
        asked = objection.request_explanation(
            skp_id=skp.pk,
            actor=supervisor,
            party="appraiser",
            question="Apa dasar rating hasil kerja sesuai ekspektasi?",
        )
        recap = receipt_pdf(
            [
                f"{walker.agency.name}",
                f"Rekap realisasi {skp.employee.name} {YEAR}",
                "Realisasi seluruh indikator sama dengan target.",
            ]
        )
        objection.give_explanation(
            explanation_id=asked.pk,
            actor=walker.user(self.story.appraiser),
            answer="Realisasi sama dengan target; belum ada capaian di atas target.",
            evidence_file=SimpleUploadedFile(
                "rekap-realisasi.pdf", recap, content_type="application/pdf"
            ),
        )
        objection.request_explanation(
            skp_id=skp.pk,
            actor=supervisor,
            party="employee",
            question="Lampirkan bukti capaian yang melampaui target.",
        )


FOLLOW_UP_NOTES = {
    "strong": "Diusulkan untuk penghargaan pegawai berkinerja terbaik.",
    "solid": "",
    "steady": "",
    "weak": "Diikutkan pelatihan teknis pada semester berikutnya.",
}


# The whole demo -----------------------------------------------------------------------------------


@dataclass
class DemoReport:
    """What ``seed_skp_demo`` did: per agency the cycle's SKPs by phase, and notes."""

    phases: dict[str, Counter[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def phase_counts(cycle: Cycle) -> Counter[str]:
    """Return how many of the cycle's SKPs stand in each phase."""
    return Counter(
        dict(
            Skp.objects.filter(cycle=cycle)
            .values_list("case__phase")
            .annotate(number=Count("pk"))
            .values_list("case__phase", "number")
        )
    )


def seed_skp_demo(*, actor: User, clock: StoryClock | None = None) -> DemoReport:
    """Load the five agencies and build each one's demo cycle unless it exists already.

    Before: ``actor`` is an active superadmin. Idempotent: a loaded configuration writes
    nothing (see ``load_agency``), and an agency whose demo cycle exists is left alone, so
    a second run adds nothing. Accounts keep unusable passwords (``seed_demo`` gives the
    README's logins theirs).
    """
    clock = clock or StoryClock()
    report = DemoReport()
    if not clock.travels:
        report.notes.append(
            "time-machine tidak terpasang: data demo dibuat pada waktu sekarang, tanpa tugas "
            "yang terlambat (pasang requirements/dev.txt untuk cerita setahun penuh)."
        )
    for code in shipped_codes():
        config = read_config(code)
        # One transaction per agency: an interrupted seed leaves whole agencies only, and
        # the next run builds the rest.
        with transaction.atomic():
            if Agency.objects.filter(code=config["agency"]["code"]).exists():
                loaded = load_agency(code, actor=actor)
            else:
                first_day = local_moment(
                    config["agency"]["time_zone"], datetime.date(YEAR, 1, 2), 8
                )
                with clock.at(first_day):
                    loaded = load_agency(code, actor=actor)
            cycle = Cycle.objects.filter(agency=loaded.agency, year=YEAR, name=CYCLE_NAME).first()
            if cycle is None:
                demo = AgencyDemo(loaded=loaded, clock=clock, story=STORIES[code])
                cycle = demo.build()
                report.notes.extend(demo.notes)
        report.phases[loaded.agency.name] = phase_counts(cycle)
    return report
