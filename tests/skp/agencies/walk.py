"""Walk one shipped agency's 2026 SKP cycle from opening to final with the product's actions.

``begin(code, spec)`` loads the agency's shipped configuration (``load_agency``) and builds a
small organisation in it with the organisation actions: a new OPD whose head (JPT) reports
to the agency's regional secretary (the Sekda of the configuration) and one Bidang whose
head appraises three pelaksana and one functional official: six SKPs. A new OPD, because a
cycle enrols whole unit subtrees and a plan below JPT hangs under its appraiser's plan in
the same cycle (the cascade): the smallest cycle that can reach final is an OPD with its
JPT head, and the shipped service OPDs hold 12 to 16 employees each.

Every step runs at its moment of the story with the clock moved (``Story.on``, with
``time-machine``): the configuration is loaded on 2 January 2026, the cycle opens on
5 January, plans are agreed that week, each period is realised and followed up in the days
after it ends, and the annual evaluation runs in January 2027. The walk therefore does not
depend on the day the tests run.

The helpers act as the person each step belongs to (``Story.user``): the employee, the
appraiser (``APPRAISER``), the appraiser's supervisor (``SUPERVISOR``), the leader one level
above a unit, or the agency's HR admin.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import time_machine

from processes.organisation import actions as org_actions
from processes.organisation.models import PositionKind, Unit, User
from processes.skp import rules
from processes.skp.access import today_for
from processes.skp.actions import assessment, final, monitoring, objection, plan, review
from processes.skp.actions import cycle as cycle_actions
from processes.skp.actions.library import save_unit_goal
from processes.skp.agencies.loader import LoadedAgency, load_agency, read_config
from processes.skp.models import (
    BerAkhlak,
    Cycle,
    Indicator,
    IndicatorTemplate,
    Rhk,
    Skp,
    UnitGoal,
)
from processes.skp.process import periods_of, settings_for
from tests.factories.organisation import Org
from workflow.audit import verify_all
from workflow.doctor import diagnose
from workflow.models import Case, WorkItem

YEAR = 2026
START = datetime.date(YEAR, 1, 1)
# The six people of the small organisation, top-down (plans are agreed in this order).
PEOPLE = ("kepala", "kabid", "staf1", "staf2", "staf3", "jf")
SEKDA = "sekda"
# Who appraises whom; the head of the OPD is appraised by the Sekda of the configuration.
APPRAISER = {
    "kepala": SEKDA,
    "kabid": "kepala",
    "staf1": "kabid",
    "staf2": "kabid",
    "staf3": "kabid",
    "jf": "kabid",
}
# The appraiser's own supervisor (atasan pejabat penilai), who decides a keberatan.
SUPERVISOR = {who: APPRAISER[boss] for who, boss in APPRAISER.items() if boss in APPRAISER}
# Who records each unit's organisation result: the leader one level above its head.
LEADER = {"opd": SEKDA, "bidang": "kepala"}
_CENT = Decimal("0.01")
_LOWER_IS_BETTER = (rules.Aspect.WAKTU, rules.Aspect.BIAYA)


@contextmanager
def travel(zone: str, day: datetime.date, hour: int = 9, minute: int = 0) -> Iterator[None]:
    """Run the block at ``day`` ``hour``:``minute`` in ``zone`` (the clock ticks on)."""
    moment = datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone)
    )
    with time_machine.travel(moment, tick=True):
        yield


def after(period: rules.Period, days: int) -> datetime.date:
    """Return the day ``days`` after the period's last day."""
    return period.ends_on + datetime.timedelta(days=days)


def january(day: int) -> datetime.date:
    """Return a day of January after the cycle's year (the annual evaluation)."""
    return datetime.date(YEAR + 1, 1, day)


# The small organisation ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    """The small organisation built in the agency: units, posts, people and goals."""

    opd_code: str
    opd_name: str
    head_title: str
    bidang_code: str
    bidang_name: str
    kabid_title: str
    staff_title: str
    jf_title: str
    jf_level: str
    names: dict[str, tuple[str, str]]  # person key -> (name, sex "1"/"2")
    goals: tuple[tuple[str, str, str], ...]  # (code, text, perspective) of the OPD for YEAR


@dataclass
class Story:
    """An agency loaded from its shipped configuration, the small organisation, the cycle."""

    loaded: LoadedAgency
    org: Org
    sekda: User
    goals: list[UnitGoal] = field(default_factory=list)
    cycle: Cycle | None = None

    @property
    def zone(self) -> str:
        return self.loaded.agency.time_zone

    @property
    def hr(self) -> User:
        return self.loaded.admin

    @property
    def opd(self) -> Unit:
        return self.org.units["opd"]

    @property
    def bidang(self) -> Unit:
        return self.org.units["bidang"]

    def on(
        self, day: datetime.date, hour: int = 9, minute: int = 0
    ) -> AbstractContextManager[None]:
        """Run the block at ``day`` ``hour``:``minute`` in the agency's zone."""
        return travel(self.zone, day, hour, minute)

    def the_cycle(self) -> Cycle:
        assert self.cycle is not None
        return self.cycle

    def user(self, who: str) -> User:
        """Return the account of ``who``: a person of the small organisation or the Sekda."""
        return self.sekda if who == SEKDA else self.org.user(who)

    def appraiser(self, who: str) -> User:
        return self.user(APPRAISER[who])

    def skp(self, who: str) -> Skp:
        """Return ``who``'s SKP in the cycle, freshly read."""
        return Skp.objects.select_related("case", "agency", "cycle", "position").get(
            cycle=self.the_cycle(), employee=self.org.people[who], sequence=1
        )

    def case(self, who: str) -> Case:
        case = self.skp(who).case
        assert case is not None
        return case

    def periods(self) -> list[rules.Period]:
        return rules.periods_for(YEAR, rules.PeriodType(self.the_cycle().period_type))

    def open_tasks(self, who: str) -> list[WorkItem]:
        """Return the open tasks of the stage ``who``'s SKP stands in, oldest first."""
        case = self.case(who)
        return list(
            WorkItem.objects.filter(
                process_id=case.pk,
                visit=case.visit,
                status__in=["NEW", "ASSIGNED", "STARTED"],
            ).order_by("pk")
        )


def begin(code: str, spec: OrgSpec) -> Story:
    """Load the agency's shipped configuration and build the small organisation in it."""
    zone = read_config(code)["agency"]["time_zone"]
    with travel(zone, datetime.date(YEAR, 1, 2), 8):
        root = User.objects.create_superuser("root", password="x")
        loaded = load_agency(code, actor=root)
        sekda_name = next(
            entry["name"]
            for entry in loaded.config["organisation"]["employees"]
            if entry["position"] == "SEKDA"
        )
        org = Org(agency=loaded.agency, admin=loaded.admin)
        build_small_org(org, spec, loaded)
        goals = [
            save_unit_goal(
                actor=loaded.admin,
                agency=loaded.agency,
                unit=org.units["opd"],
                year=YEAR,
                code=goal_code,
                text=text,
                perspective=perspective,
            )[0]
            for goal_code, text, perspective in spec.goals
        ]
    return Story(loaded=loaded, org=org, sekda=loaded.user(sekda_name), goals=goals)


def build_small_org(org: Org, spec: OrgSpec, loaded: LoadedAgency) -> None:
    """Create the OPD, its Bidang, four posts and six holders with the organisation actions."""
    admin, agency = org.admin, org.agency
    opd = org_actions.create_unit(
        actor=admin, agency=agency, code=spec.opd_code, name=spec.opd_name
    )
    bidang = org_actions.create_unit(
        actor=admin,
        agency=agency,
        code=spec.bidang_code,
        name=spec.bidang_name,
        kind=Unit.Kind.SUBUNIT,
        parent=opd,
    )
    org.units.update(opd=opd, bidang=bidang)
    posts = (
        ("KEPALA", opd, spec.head_title, PositionKind.JPT, loaded.positions["SEKDA"], True, ""),
        ("KABID", bidang, spec.kabid_title, PositionKind.ADMINISTRATOR, None, True, ""),
        ("STAF", bidang, spec.staff_title, PositionKind.PELAKSANA, None, False, ""),
        ("JF", bidang, spec.jf_title, PositionKind.FUNGSIONAL, None, False, spec.jf_level),
    )
    above = {"KABID": "KEPALA", "STAF": "KABID", "JF": "KABID"}
    for key, unit, title, kind, reports_to, head, level in posts:
        org.positions[key] = org_actions.create_position(
            actor=admin,
            agency=agency,
            unit=unit,
            code=f"{spec.opd_code}-{key}",
            name=title,
            kind=kind,
            functional_level=level,
            reports_to=reports_to or org.positions[above[key]],
            is_unit_head=head,
        )
    post_of = {"kepala": "KEPALA", "kabid": "KABID", "jf": "JF"}
    for who in PEOPLE:
        name, sex = spec.names[who]
        org.hire(who, post_of.get(who, "STAF"), name, starts_on=START, sex=sex)


def open_cycle(story: Story) -> int:
    """Create the agency's 2026 cycle for the small OPD on its template and open it (HR)."""
    agency = story.loaded.agency
    with story.on(datetime.date(YEAR, 1, 5), 8):
        cycle = cycle_actions.create_cycle(
            actor=story.hr,
            agency=agency,
            year=YEAR,
            name=f"SKP Tahunan {YEAR}",
            template=story.loaded.template,
            period_type=str(settings_for(agency.pk).period_type),
            units=[story.opd],
            evaluation_deadline=january(31),
        )
        story.cycle = cycle
        return cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=story.hr)


# Plans ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """An indicator to plan: a library entry (``code``) or one typed by hand."""

    code: str = ""
    text: str = ""
    aspect: str = ""
    target: Decimal | None = None
    unit: str = ""


def library(story: Story, code: str) -> IndicatorTemplate:
    return IndicatorTemplate.objects.get(agency=story.loaded.agency, code=code)


def draft_plan(
    story: Story,
    who: str,
    rhk_text: str,
    measures: Sequence[Measure],
) -> Rhk:
    """Draft ``who``'s plan as the employee (one RHK, cascaded) and submit it."""
    skp = story.skp(who)
    employee = story.user(who)
    if skp.is_jpt:
        goal = story.goals[0]
        rhk = plan.save_rhk(
            skp_id=skp.pk,
            actor=employee,
            text=rhk_text,
            unit_goal_id=goal.pk,
            perspective=goal.perspective,
        )
    else:
        parent = plan.cascade_options(skp)[0]
        rhk = plan.save_rhk(skp_id=skp.pk, actor=employee, text=rhk_text, parent_id=parent.pk)
    for measure in measures:
        if measure.code:
            entry = library(story, measure.code)
            plan.save_indicator(
                skp_id=skp.pk,
                actor=employee,
                rhk_id=rhk.pk,
                text=entry.text,
                aspect=entry.aspect,
                target_value=entry.default_target,
                target_unit=entry.target_unit,
                template_id=entry.pk,
            )
        else:
            plan.save_indicator(
                skp_id=skp.pk,
                actor=employee,
                rhk_id=rhk.pk,
                text=measure.text,
                aspect=measure.aspect,
                target_value=measure.target,
                target_unit=measure.unit,
            )
    plan.submit_plan(skp_id=skp.pk, actor=employee, comment="Mohon persetujuan.")
    return rhk


def agree_plan(story: Story, who: str) -> None:
    """Write the seven expectations and agree ``who``'s plan as the appraiser."""
    skp = story.skp(who)
    appraiser = story.appraiser(who)
    plan.save_expectations(
        skp_id=skp.pk,
        actor=appraiser,
        expectations={
            str(value.value): f"Menunjukkan perilaku {value.label} dalam tugas."
            for value in BerAkhlak
        },
    )
    plan.approve_plan(skp_id=skp.pk, actor=appraiser)


def agree_plans(story: Story, plans: Mapping[str, tuple[str, Sequence[Measure]]]) -> None:
    """Agree every plan top-down, one level a day: drafted at 09:00, agreed at 14:00."""
    levels = (("kepala",), ("kabid",), ("staf1", "staf2", "staf3", "jf"))
    for offset, level in enumerate(levels):
        day = datetime.date(YEAR, 1, 6 + offset)
        with story.on(day, 9):
            for who in level:
                rhk_text, measures = plans[who]
                draft_plan(story, who, rhk_text, measures)
        with story.on(day, 14):
            for who in level:
                agree_plan(story, who)


# Monitoring ----------------------------------------------------------------------------------


def manual_indicators(skp: Skp) -> list[Indicator]:
    """Return the SKP's hand-entered indicators in plan order."""
    return list(
        Indicator.objects.filter(rhk__skp=skp, source=IndicatorTemplate.Source.MANUAL).order_by(
            "rhk__kind", "rhk__order", "order", "pk"
        )
    )


def realised(indicator: Indicator, periods: int, factor: Decimal) -> Decimal:
    """Return one period's realisation reaching ``factor`` of the target over the year.

    Around the period's target (``rules.period_target``): counts add up over the periods,
    rates and levels average; less is better for waktu and biaya.
    """
    base = rules.period_target(indicator.target_value, indicator.aggregation_rule, periods)
    value = base / factor if indicator.aspect in _LOWER_IS_BETTER else base * factor
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def enter_realisations(story: Story, who: str, period: rules.Period, factor: Decimal) -> None:
    """Enter the period's realisation of every hand-entered indicator as the employee."""
    skp = story.skp(who)
    count = len(periods_of(skp))
    for indicator in manual_indicators(skp):
        monitoring.save_realisation(
            skp_id=skp.pk,
            actor=story.user(who),
            indicator_id=indicator.pk,
            period_index=period.index,
            value=realised(indicator, count, factor),
            note=f"Capaian {period.label}",
        )


def rate_period(
    story: Story, who: str, period: rules.Period, hasil: str, perilaku: str, note: str = ""
) -> None:
    """Rate the period's results and behaviour as the appraiser."""
    monitoring.rate_period(
        skp_id=story.skp(who).pk,
        actor=story.appraiser(who),
        period_index=period.index,
        rating_hasil=hasil,
        rating_perilaku=perilaku,
        note=note or f"Penilaian {period.label}",
    )


def finish_monitoring(story: Story, who: str) -> None:
    monitoring.finish_monitoring(
        skp_id=story.skp(who).pk, actor=story.user(who), comment="Seluruh realisasi telah diisi."
    )


# The annual evaluation -----------------------------------------------------------------------


def self_assess(story: Story, who: str) -> None:
    """Summarise every RHK and every value and submit the self-assessment as the employee."""
    skp = story.skp(who)
    employee = story.user(who)
    assessment.save_self_assessment(
        skp_id=skp.pk,
        actor=employee,
        rhk_summaries={
            rhk.pk: f"{rhk.text} tercapai sesuai bukti dukung."
            for rhk in Rhk.objects.filter(skp=skp)
        },
        value_summaries={
            str(value.value): f"Perilaku {value.label} tampak dalam pekerjaan sehari-hari."
            for value in BerAkhlak
        },
    )
    assessment.submit_self_assessment(skp_id=skp.pk, actor=employee)


def record_results(story: Story, opd: str, bidang: str) -> None:
    """Record the annual organisation predikat of the OPD and the Bidang, by their leaders."""
    for key, predikat in (("opd", opd), ("bidang", bidang)):
        review.record_organisation_result(
            actor=story.user(LEADER[key]),
            cycle=story.the_cycle(),
            unit=story.org.units[key],
            predikat=predikat,
            note="Berdasarkan capaian indikator kinerja utama unit.",
        )


def rate(story: Story, who: str, hasil: str, perilaku: str) -> None:
    """Give the annual ratings as the appraiser (with a justification) and submit them."""
    skp = story.skp(who)
    appraiser = story.appraiser(who)
    review.rate_skp(
        skp_id=skp.pk,
        actor=appraiser,
        rating_hasil=hasil,
        rating_perilaku=perilaku,
        justification="Sesuai capaian indikator dan catatan perilaku sepanjang tahun.",
    )
    review.submit_rating(skp_id=skp.pk, actor=appraiser)


def discuss(story: Story, who: str) -> None:
    """Record the result dialog with ``who`` as the appraiser."""
    skp = story.skp(who)
    monitoring.record_dialog(
        skp_id=skp.pk,
        actor=story.appraiser(who),
        kind="result",
        held_on=today_for(skp),
        agenda="Pembahasan hasil penilaian kinerja tahunan",
        outcome="Pegawai memahami hasil penilaian dan catatan pengembangannya",
    )


def acknowledge(story: Story, who: str) -> None:
    objection.acknowledge_result(skp_id=story.skp(who).pk, actor=story.user(who))


def finalise(story: Story, who: str, note: str = "") -> None:
    """Fix the result as the agency's HR admin (claiming the pool task); the SKP closes."""
    final.finalise_skp(skp_id=story.skp(who).pk, actor=story.hr, follow_up_note=note)


# Reading the outcome -------------------------------------------------------------------------


def stages(story: Story) -> dict[str, str]:
    """Return the stage each SKP stands in ('' once closed)."""
    result = {}
    for who in PEOPLE:
        case = story.case(who)
        result[who] = case.stage_key if case.is_open else ""
    return result


def phases(story: Story) -> dict[str, tuple[str, bool]]:
    """Return each SKP's (phase, still open)."""
    return {who: (story.case(who).phase, story.case(who).is_open) for who in PEOPLE}


def outcome(story: Story) -> dict[str, tuple[str, str, str]]:
    """Return each SKP's (rating hasil, rating perilaku, predikat)."""
    result = {}
    for who in PEOPLE:
        skp = story.skp(who)
        result[who] = (skp.rating_hasil, skp.rating_perilaku, skp.predikat)
    return result


def spread(story: Story) -> Counter[str]:
    """Return how many SKPs of the cycle hold each predikat."""
    return Counter(Skp.objects.filter(cycle=story.the_cycle()).values_list("predikat", flat=True))


def follow_ups(story: Story) -> dict[str, tuple[str, Decimal | None]]:
    """Return each SKP's (follow-up, credit points)."""
    result = {}
    for who in PEOPLE:
        skp = story.skp(who)
        result[who] = (skp.follow_up, skp.credit_points)
    return result


def problems(story: Story) -> dict[str, list[object]]:
    """Return the audit chain's problems and each case's inconsistencies (all empty when sound)."""
    found: dict[str, list[object]] = {"audit": list(verify_all())}
    for who in PEOPLE:
        found[who] = list(diagnose(story.case(who)))
    return found
