"""Reviewed: organisation results, the rating context, rating, the team's review, observations."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from processes.organisation import actions as org_actions
from processes.skp.access import today_for
from processes.skp.actions import review
from processes.skp.actions.review import InvalidReview
from processes.skp.models import (
    FieldObservation,
    Indicator,
    OrganisationResult,
    PeriodEvaluation,
    RatingRecord,
    Realisation,
    Rhk,
    TeamReview,
)
from processes.skp.rules import OrgPredikat, Predikat, Rating
from tests.factories import skp_review as walk
from tests.factories.skp import SkpWorld, build_skp_world
from tests.factories.skp_monitoring import JPEG, PDF, set_settings, upload
from workflow import actions as engine
from workflow.errors import ActionForbidden, GuardFailed, ReasonRequired, StepNotAllowed
from workflow.models import AuditCode, AuditEntry, WorkItem
from workflow.spec import Phase

ABOVE, AS_EXPECTED, BELOW = Rating.ABOVE, Rating.AS_EXPECTED, Rating.BELOW
PLH = "SP 800/9/2026"


@pytest.fixture
def world(db: None) -> SkpWorld:
    world = build_skp_world()
    walk.to_rating(world, "staf1")
    return world


def cycle_events(world: SkpWorld) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            chain=f"cycle:{world.cycle.pk}", payload__event="organisation_result_recorded"
        ).order_by("sequence")
    )


def skp_state(world: SkpWorld, who: str) -> tuple[object, ...]:
    """Return what rating writes, to prove a refusal changed nothing."""
    skp = world.skp(who)
    return (
        skp.rating_hasil,
        skp.rating_perilaku,
        skp.predikat,
        skp.rated_at,
        RatingRecord.objects.filter(skp=skp).count(),
        walk.audit_rows(world, who),
        world.case(who).stage_key,
    )


def appoint_plh(world: SkpWorld, who: str, post: str) -> None:
    org_actions.appoint_acting_official(
        actor=world.org.admin,
        employee=world.org.people[who],
        position=world.org.positions[post],
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        decree_number=PLH,
        kind="plh",
    )


# Organisation results ------------------------------------------------------------------


def test_the_leader_one_level_up_records_and_corrects_the_units_result(world: SkpWorld) -> None:
    result = review.record_organisation_result(
        actor=world.user("kabid"),
        cycle=world.cycle,
        unit=world.org.units["SEK-KUR"],
        predikat="baik",
        note=" Keputusan Kepala Bidang 12/2026 ",
    )

    assert (
        result.cycle_id,
        result.unit_id,
        result.period_index,
        result.predikat,
        result.note,
        result.recorded_by_id,
    ) == (
        world.cycle.pk,
        world.org.units["SEK-KUR"].pk,
        None,
        "baik",
        "Keputusan Kepala Bidang 12/2026",
        world.user("kabid").pk,
    )
    (row,) = cycle_events(world)
    assert (row.actor_id, row.capacity, row.acting_for_id, row.reason, row.payload) == (
        world.user("kabid").pk,
        "Kepala Bidang Pembinaan SD",
        None,
        "Keputusan Kepala Bidang 12/2026",
        {
            "event": "organisation_result_recorded",
            "unit": world.org.units["SEK-KUR"].pk,
            "period_index": None,
            "predikat": "baik",
            "previous": None,
        },
    )

    corrected = review.record_organisation_result(
        actor=world.user("kabid"),
        cycle=world.cycle,
        unit=world.org.units["SEK-KUR"],
        predikat="istimewa",
    )

    assert (corrected.pk, corrected.predikat, corrected.note) == (result.pk, "istimewa", "")
    assert OrganisationResult.objects.count() == 1
    assert [(r.payload["predikat"], r.payload["previous"]) for r in cycle_events(world)] == [
        ("baik", None),
        ("istimewa", "baik"),
    ]


def test_hr_and_an_acting_leader_may_record_a_result(world: SkpWorld) -> None:
    review.record_organisation_result(
        actor=world.org.admin, cycle=world.cycle, unit=world.org.units["DISDIK"], predikat="baik"
    )
    appoint_plh(world, "staf3", "KABID")
    review.record_organisation_result(
        actor=world.user("staf3"),
        cycle=world.cycle,
        unit=world.org.units["SEK-KUR"],
        predikat="kurang",
    )

    assert [(r.actor_id, r.capacity, r.acting_for_id) for r in cycle_events(world)] == [
        (world.org.admin.pk, "Pengelola kinerja", None),
        (
            world.user("staf3").pk,
            f"Plh. Kepala Bidang Pembinaan SD ({PLH})",
            world.user("kabid").pk,
        ),
    ]


@pytest.mark.parametrize("intruder", ["kasi", "staf1", "kadis", "sekda"])
def test_nobody_else_records_the_units_result(world: SkpWorld, intruder: str) -> None:
    with pytest.raises(ActionForbidden) as raised:
        review.record_organisation_result(
            actor=world.user(intruder),
            cycle=world.cycle,
            unit=world.org.units["SEK-KUR"],
            predikat="baik",
        )
    assert str(raised.value) == (
        "Hanya pimpinan satu tingkat di atas kepala unit atau pengelola kinerja yang boleh "
        "menetapkan predikat kinerja organisasi."
    )
    assert (OrganisationResult.objects.count(), cycle_events(world)) == (0, [])


def test_an_unknown_predikat_or_period_is_refused(world: SkpWorld) -> None:
    with pytest.raises(InvalidReview) as raised:
        review.record_organisation_result(
            actor=world.user("kabid"),
            cycle=world.cycle,
            unit=world.org.units["SEK-KUR"],
            predikat="luar_biasa",
            period_index=5,
        )
    assert raised.value.errors == {
        "predikat": ["Pilih predikat kinerja organisasi."],
        "period_index": ["Periode tidak termasuk siklus ini."],
    }
    assert (OrganisationResult.objects.count(), cycle_events(world)) == (0, [])


def test_a_period_result_is_kept_apart_and_does_not_bound_the_annual_curve(
    world: SkpWorld,
) -> None:
    walk.record_result(world, "SEK-KUR", "sangat_kurang", period_index=2)

    assert list(OrganisationResult.objects.values_list("period_index", "predikat")) == [
        (2, "sangat_kurang")
    ]
    context = review.rating_context(world.skp("staf1"))
    assert (context.curve_unit, context.organisation_predikat, context.limits) == (
        world.org.units["SEK-KUR"],
        None,
        (),
    )


# Rating context and preview --------------------------------------------------------------


def test_the_rating_context_names_the_periods_left_unrated(db: None) -> None:
    world = build_skp_world()
    walk.to_rating(world, "staf1")
    skp = world.skp("staf1")
    PeriodEvaluation.objects.filter(skp=skp, period_index__in=(2, 3)).update(
        rating_hasil="", rating_perilaku="", predikat=""
    )

    assert review.rating_context(skp).unrated_periods == ("Triwulan II", "Triwulan III")


def test_the_rating_context_shows_curve_spread_suggestion_and_achievement(db: None) -> None:
    world = build_skp_world()
    walk.agree_for(world, "staf1")
    walk.monitor(world, "staf1", hasil=ABOVE, perilaku=AS_EXPECTED)
    walk.self_assess(world, "staf1")
    walk.record_result(world, "BID-SD", "istimewa")

    context = review.rating_context(world.skp("staf1"))

    assert context.curve_unit == world.org.units["BID-SD"]
    assert (context.organisation_predikat, context.population, context.population_size) == (
        OrgPredikat.ISTIMEWA,
        "unit",
        6,  # kabid, kasi, guru and the three staff of the Bidang's subtree
    )
    assert context.limit_sentences == (
        "Sangat Baik paling banyak 70% (4 dari 6 orang)",
        "Sangat Baik harus menjadi kelompok terbanyak",
    )
    assert (dict(context.counts), context.rated) == (dict.fromkeys(Predikat, 0), 0)
    assert (context.suggested_hasil, context.suggested_perilaku) == (ABOVE, AS_EXPECTED)
    assert context.unrated_periods == ()  # every quarter was rated while monitored
    (achievement,) = context.achievements
    assert (
        achievement.text,
        achievement.aspect,
        achievement.target,
        achievement.realised,
        achievement.percent,
    ) == (
        "Jumlah dokumen kurikulum 1 yang disahkan",
        "kuantitas",
        Decimal("4.00"),
        Decimal("4.00"),
        Decimal("100.00"),
    )
    assert (context.unit_head_hasil, context.curve_mode, context.curve_rounding) == (
        None,
        "warn",
        "nearest",
    )

    set_settings(world, curve_population="direct_reports")
    narrow = review.rating_context(world.skp("staf1"))
    assert (narrow.curve_unit, narrow.population, narrow.population_size) == (
        world.org.units["BID-SD"],
        "direct_reports",
        3,  # the Kepala Seksi's three staff
    )


def test_the_years_achievement_adds_up_counts_and_averages_rates(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    rhk = Rhk.objects.get(skp=skp)
    added = [
        # (text, aspect, target, unit, aggregation, the four quarters' realisations)
        ("Persentase kehadiran", "kuantitas", 95, "%", "", (100, 100, 100, 100)),
        ("Persentase aduan tuntas", "kuantitas", 90, "persen", "", (80, 90, 100)),
        ("Anggaran kegiatan", "biaya", 1000, "ribu rupiah", "", (200, 200, 200, 200)),
        ("Rata-rata kunjungan per hari", "kuantitas", 25, "kunjungan", "average", (10, 20, 30, 40)),
        ("Cakupan sekolah binaan", "kuantitas", 40, "sekolah", "last", (10, 20, 30, 46)),
    ]
    for order, (text, aspect, target, unit, aggregation, quarters) in enumerate(added, start=2):
        indicator = Indicator.objects.create(
            rhk=rhk,
            order=order,
            text=text,
            aspect=aspect,
            target_value=Decimal(target),
            target_unit=unit,
            aggregation=aggregation,
        )
        for index, value in enumerate(quarters, start=1):
            Realisation.objects.create(indicator=indicator, period_index=index, value=value)

    achievements = review.achievements_of(skp)

    assert [
        (a.text, a.realised, a.percent, a.aggregation, a.aggregation_label) for a in achievements
    ] == [
        # Four quarters of a quarter of 4 documents each.
        (
            "Jumlah dokumen kurikulum 1 yang disahkan",
            Decimal(4),
            Decimal(100),
            "sum",
            "Dijumlahkan",
        ),
        # A percentage averages whatever its aspect: 100 % every quarter is not 400 %.
        ("Persentase kehadiran", Decimal(100), Decimal("105.26"), "average", "Dirata-rata"),
        ("Persentase aduan tuntas", Decimal(90), Decimal(100), "average", "Dirata-rata"),
        ("Anggaran kegiatan", Decimal(800), Decimal(125), "sum", "Dijumlahkan"),  # less is better
        ("Rata-rata kunjungan per hari", Decimal(25), Decimal(100), "average", "Dirata-rata"),
        ("Cakupan sekolah binaan", Decimal(46), Decimal(115), "last", "Nilai periode terakhir"),
    ]


def test_the_preview_computes_the_predikat_and_its_fit_with_the_curve(world: SkpWorld) -> None:
    walk.record_result(world, "SEK-KUR", "istimewa")
    skp = world.skp("staf1")
    # staf1 alone in the Seksi's population: every limit is decided by this one result.
    for who in ("kasi", "staf2", "staf3"):
        engine.cancel_case(case_id=world.case(who).pk, actor=world.org.admin, reason="Mutasi")

    inside = review.preview_rating(skp, ABOVE, ABOVE)
    outside = review.preview_rating(skp, AS_EXPECTED, ABOVE)

    assert (inside.predikat, inside.conforms, inside.justification_required, inside.blocked) == (
        Predikat.SANGAT_BAIK,
        True,
        False,
        False,
    )
    assert (inside.messages, inside.counts[Predikat.SANGAT_BAIK]) == ((), 1)
    assert (outside.predikat, outside.conforms, outside.justification_required) == (
        Predikat.BAIK,
        False,
        True,
    )
    assert outside.messages == (
        "Hasil ini membuat Seksi Kurikulum (Istimewa) keluar dari kurva distribusi, apa pun hasil "
        "pegawai yang belum dinilai: Sangat Baik harus "
        "menjadi kelompok terbanyak, saat ini 0 orang sedangkan Baik 1 orang. "
        "Tuliskan justifikasi.",
    )
    with pytest.raises(InvalidReview) as raised:
        review.preview_rating(skp, "bagus", ABOVE)
    assert raised.value.errors == {"rating_hasil": ["Pilih rating hasil kerja."]}


# Rating ----------------------------------------------------------------------------------


def test_the_appraiser_rates_and_the_predikat_is_computed(world: SkpWorld) -> None:
    walk.record_result(world, "SEK-KUR", "istimewa")
    skp = world.skp("staf1")

    record = review.rate_skp(
        skp_id=skp.pk, actor=world.user("kasi"), rating_hasil="above", rating_perilaku="above"
    )

    skp = world.skp("staf1")
    assert (skp.rating_hasil, skp.rating_perilaku, skp.predikat) == (
        "above",
        "above",
        "sangat_baik",
    )
    assert skp.rated_at == record.at
    assert (
        record.kind,
        record.rating_hasil,
        record.rating_perilaku,
        record.predikat,
        record.justification,
        record.curve_conforms,
        record.by_id,
        record.capacity,
    ) == (
        "appraiser",
        "above",
        "above",
        "sangat_baik",
        "",
        True,
        world.user("kasi").pk,
        "Kepala Seksi Kurikulum",
    )
    assert record.curve_detail == {
        "unit": world.org.units["SEK-KUR"].pk,
        "organisation_predikat": "istimewa",
        "population": "unit",
        "mode": "warn",
        "counts": {
            "sangat_baik": 1,
            "baik": 0,
            "butuh_perbaikan": 0,
            "kurang": 0,
            "sangat_kurang": 0,
        },
        "violations": [],
    }
    (row,) = walk.events(world, "staf1", "skp_rated")
    assert (row.actor_id, row.capacity, row.acting_for_id, row.reason, row.payload) == (
        world.user("kasi").pk,
        "Kepala Seksi Kurikulum",
        None,
        "",
        {
            "event": "skp_rated",
            "rating_hasil": "above",
            "rating_perilaku": "above",
            "predikat": "sangat_baik",
            "curve_conforms": True,
            "rating_record": record.pk,
        },
    )
    # Rating does not end the stage; submitting does.
    assert (world.case("staf1").stage_key, world.task("staf1").status) == ("rate", "ASSIGNED")


def test_every_pair_of_ratings_gives_the_matrix_predikat(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    given = {}
    for hasil in Rating:
        for perilaku in Rating:
            review.rate_skp(
                skp_id=skp.pk,
                actor=world.user("kasi"),
                rating_hasil=hasil,
                rating_perilaku=perilaku,
                justification="Predikat unit belum ada.",
            )
            given[(hasil.value, perilaku.value)] = world.skp("staf1").predikat
    assert given == {
        ("above", "above"): "sangat_baik",
        ("above", "as_expected"): "baik",
        ("above", "below"): "kurang",
        ("as_expected", "above"): "baik",
        ("as_expected", "as_expected"): "baik",
        ("as_expected", "below"): "kurang",
        ("below", "above"): "butuh_perbaikan",
        ("below", "as_expected"): "butuh_perbaikan",
        ("below", "below"): "sangat_kurang",
    }
    # Every rating stays in the history.
    assert RatingRecord.objects.filter(skp=skp, kind="appraiser").count() == 9


def test_submitting_the_rating_sends_the_result_to_the_employee(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    with pytest.raises(GuardFailed) as raised:
        review.submit_rating(skp_id=skp.pk, actor=world.user("kasi"))
    assert raised.value.problems == [
        "Rating hasil kerja dan rating perilaku kerja belum diberikan."
    ]

    walk.rate(world, "staf1", justification="Predikat unit belum ada.")

    case = world.case("staf1")
    skp = world.skp("staf1")
    assert (case.stage_key, case.phase) == ("discuss", Phase.DISCUSSED)
    # The keberatan window starts when the result reaches the employee.
    assert case.stage_entered_at is not None
    assert skp.result_received_at is not None
    assert skp.result_received_at - case.stage_entered_at < datetime.timedelta(seconds=5)
    assert world.task("staf1").owner_id == world.user("staf1").pk
    done = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED, from_stage="rate")
    assert (done.actor_id, done.payload) == (world.user("kasi").pk, {"outcome": "rated"})


def test_without_an_organisation_predikat_warn_asks_a_justification_and_block_refuses(
    world: SkpWorld,
) -> None:
    skp = world.skp("staf1")
    before = skp_state(world, "staf1")
    with pytest.raises(InvalidReview) as raised:
        review.rate_skp(
            skp_id=skp.pk, actor=world.user("kasi"), rating_hasil="above", rating_perilaku="above"
        )
    assert raised.value.errors == {
        "justification": [
            "Predikat kinerja organisasi unit belum ditetapkan; tuliskan justifikasi penilaian."
        ]
    }
    assert skp_state(world, "staf1") == before

    record = review.rate_skp(
        skp_id=skp.pk,
        actor=world.user("kasi"),
        rating_hasil="above",
        rating_perilaku="above",
        justification="  Capaian melampaui target seluruh triwulan.  ",
    )
    assert (record.justification, record.curve_conforms) == (
        "Capaian melampaui target seluruh triwulan.",
        None,
    )
    assert walk.events(world, "staf1", "skp_rated")[0].reason == (
        "Capaian melampaui target seluruh triwulan."
    )

    set_settings(world, curve_mode="block")
    before = skp_state(world, "staf1")
    with pytest.raises(InvalidReview) as raised:
        review.rate_skp(
            skp_id=skp.pk,
            actor=world.user("kasi"),
            rating_hasil="as_expected",
            rating_perilaku="above",
            justification="Tetap ingin dinilai.",
        )
    assert raised.value.errors == {"curve": ["Predikat kinerja organisasi unit belum ditetapkan."]}
    assert skp_state(world, "staf1") == before


def test_a_unit_heads_rating_hasil_follows_the_units_result(db: None) -> None:
    world = build_skp_world()
    walk.to_rating(world, "kasi")
    walk.record_result(world, "SEK-KUR", "baik")
    skp = world.skp("kasi")
    assert review.rating_context(skp).unit_head_hasil == AS_EXPECTED
    before = skp_state(world, "kasi")

    with pytest.raises(InvalidReview) as raised:
        review.rate_skp(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            rating_hasil="above",
            rating_perilaku="above",
            justification="Sangat berprestasi.",
        )

    assert raised.value.errors == {
        "rating_hasil": [
            "Rating hasil kerja kepala unit mengikuti predikat kinerja organisasi "
            "Seksi Kurikulum: Sesuai Ekspektasi."
        ]
    }
    assert skp_state(world, "kasi") == before
    review.rate_skp(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        rating_hasil="as_expected",
        rating_perilaku="above",
        justification="Unit baru dinilai satu orang.",
    )
    assert world.skp("kasi").predikat == "baik"

    # An agency that does not tie the head's result to the unit's leaves it to the appraiser.
    set_settings(world, unit_head_follows_unit=False)
    assert review.rating_context(skp).unit_head_hasil is None
    review.rate_skp(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        rating_hasil="above",
        rating_perilaku="above",
        justification="Sangat berprestasi.",
    )
    assert world.skp("kasi").predikat == "sangat_baik"


@pytest.mark.parametrize("intruder", ["staf1", "staf2", "kabid", "admin"])
def test_only_the_appraiser_rates(world: SkpWorld, intruder: str) -> None:
    actor = world.org.admin if intruder == "admin" else world.user(intruder)
    walk.record_result(world, "SEK-KUR", "istimewa")
    skp = world.skp("staf1")
    before = skp_state(world, "staf1")

    with pytest.raises(ActionForbidden) as raised:
        review.rate_skp(skp_id=skp.pk, actor=actor, rating_hasil="above", rating_perilaku="above")
    assert str(raised.value) == "Hanya pejabat penilai pegawai ini yang boleh melakukan ini."
    with pytest.raises(ActionForbidden):
        review.submit_rating(skp_id=skp.pk, actor=actor)
    with pytest.raises(ActionForbidden):
        review.return_to_self_assessment(skp_id=skp.pk, actor=actor, reason="Ulangi")

    assert skp_state(world, "staf1") == before


def test_an_acting_appraiser_rates_in_their_capacity(world: SkpWorld) -> None:
    appoint_plh(world, "staf3", "KASI")
    walk.record_result(world, "SEK-KUR", "istimewa")

    record = review.rate_skp(
        skp_id=world.skp("staf1").pk,
        actor=world.user("staf3"),
        rating_hasil="above",
        rating_perilaku="above",
    )

    label = f"Plh. Kepala Seksi Kurikulum ({PLH})"
    assert (record.by_id, record.capacity) == (world.user("staf3").pk, label)
    (row,) = walk.events(world, "staf1", "skp_rated")
    assert (row.actor_id, row.capacity, row.acting_for_id) == (
        world.user("staf3").pk,
        label,
        world.user("kasi").pk,
    )


def test_ratings_must_be_one_of_the_three_and_only_in_the_rating_stage(db: None) -> None:
    world = build_skp_world()
    walk.to_self_assessment(world, "staf1")
    skp = world.skp("staf1")
    with pytest.raises(StepNotAllowed) as raised:
        review.rate_skp(
            skp_id=skp.pk, actor=world.user("kasi"), rating_hasil="above", rating_perilaku="above"
        )
    assert str(raised.value) == (
        "SKP sedang di tahap «Penilaian mandiri»; tindakan ini tidak berlaku sekarang."
    )
    walk.self_assess(world, "staf1")
    before = skp_state(world, "staf1")
    with pytest.raises(InvalidReview) as raised:
        review.rate_skp(
            skp_id=skp.pk, actor=world.user("kasi"), rating_hasil="", rating_perilaku="baik"
        )
    assert raised.value.errors == {
        "rating_hasil": ["Pilih rating hasil kerja."],
        "rating_perilaku": ["Pilih rating perilaku kerja."],
    }
    assert skp_state(world, "staf1") == before


def test_the_appraiser_returns_the_self_assessment_with_a_reason(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    before = skp_state(world, "staf1")
    with pytest.raises(ReasonRequired) as raised:
        review.return_to_self_assessment(skp_id=skp.pk, actor=world.user("kasi"), reason=" ")
    assert str(raised.value) == "Alasan wajib diisi."
    assert skp_state(world, "staf1") == before

    case = review.return_to_self_assessment(
        skp_id=skp.pk, actor=world.user("kasi"), reason="Ringkasan RHK belum menyebut bukti."
    )

    assert (case.stage_key, case.phase) == ("self_assess", Phase.SELF_ASSESSED)
    returned = AuditEntry.objects.get(case=case, code=AuditCode.CASE_RETURNED)
    assert (returned.actor_id, returned.reason, returned.from_stage, returned.to_stage) == (
        world.user("kasi").pk,
        "Ringkasan RHK belum menyebut bukti.",
        "rate",
        "self_assess",
    )
    assert world.task("staf1").owner_id == world.user("staf1").pk


# Team review and field observations ------------------------------------------------------


@pytest.fixture
def team(db: None) -> SkpWorld:
    """A world whose template has the evaluation team review the rating; staf1 is rated."""
    world = walk.build_team_world()
    walk.to_rating(world, "staf1")
    walk.record_result(world, "SEK-KUR", "istimewa")
    walk.rate(world, "staf1", ABOVE, ABOVE)
    return world


def team_task(world: SkpWorld) -> WorkItem:
    return world.task("staf1")


def test_the_team_review_stage_is_a_pool_for_the_teams_members(team: SkpWorld) -> None:
    case = team.case("staf1")
    task = team_task(team)
    assert (case.stage_key, case.phase) == ("team_review", Phase.REVIEWED)
    assert (task.is_pool, task.owner_id, task.candidate_ids, task.seat_label) == (
        True,
        None,
        [walk.team_member(team, 1).pk, walk.team_member(team, 2).pk],
        walk.TEAM_NAME,
    )


def test_a_team_member_takes_the_task_and_submits_the_review(team: SkpWorld) -> None:
    member = walk.team_member(team, 1)
    skp = team.skp("staf1")

    found = review.submit_team_review(
        skp_id=skp.pk,
        actor=member,
        summary="  Capaian sesuai bukti dukung dan observasi.  ",
        recommendation="Usulkan penghargaan.",
        agrees_with_rating=True,
    )

    assert (
        found.skp_id,
        found.author_id,
        found.summary,
        found.recommendation,
        found.agrees_with_rating,
    ) == (
        skp.pk,
        member.pk,
        "Capaian sesuai bukti dukung dan observasi.",
        "Usulkan penghargaan.",
        True,
    )
    (row,) = walk.events(team, "staf1", "team_review_submitted")
    assert (row.actor_id, row.capacity, row.payload) == (
        member.pk,
        walk.TEAM_NAME,
        {"event": "team_review_submitted", "team_review": found.pk, "agrees_with_rating": True},
    )
    claimed = AuditEntry.objects.get(case=skp.case, code=AuditCode.TASK_CLAIMED)
    assert claimed.actor_id == member.pk
    case = team.case("staf1")
    assert (case.stage_key, case.phase) == ("discuss", Phase.DISCUSSED)


@pytest.mark.parametrize("intruder", ["staf1", "staf2", "kasi"])
def test_only_team_members_review(team: SkpWorld, intruder: str) -> None:
    rows = walk.audit_rows(team, "staf1")
    with pytest.raises(ActionForbidden):
        review.submit_team_review(
            skp_id=team.skp("staf1").pk,
            actor=team.user(intruder),
            summary="Sesuai.",
            agrees_with_rating=True,
        )
    with pytest.raises(ActionForbidden):
        review.return_from_team_review(
            skp_id=team.skp("staf1").pk, actor=team.user(intruder), reason="Ulangi."
        )
    assert (TeamReview.objects.count(), walk.audit_rows(team, "staf1")) == (0, rows)
    assert (team_task(team).owner_id, team.case("staf1").stage_key) == (None, "team_review")


def test_a_review_needs_a_summary_and_a_refusal_leaves_the_task_unclaimed(team: SkpWorld) -> None:
    rows = walk.audit_rows(team, "staf1")
    with pytest.raises(InvalidReview) as raised:
        review.submit_team_review(
            skp_id=team.skp("staf1").pk,
            actor=walk.team_member(team, 2),
            summary="  ",
            agrees_with_rating=False,
        )
    assert raised.value.errors == {"summary": ["Hasil reviu wajib diisi."]}
    assert (TeamReview.objects.count(), walk.audit_rows(team, "staf1")) == (0, rows)
    assert team_task(team).owner_id is None


def test_the_team_sends_the_rating_back_to_the_appraiser(team: SkpWorld) -> None:
    member = walk.team_member(team, 2)
    skp = team.skp("staf1")
    rows = walk.audit_rows(team, "staf1")
    with pytest.raises(ReasonRequired):
        review.return_from_team_review(skp_id=skp.pk, actor=member, reason="")
    assert (walk.audit_rows(team, "staf1"), team_task(team).owner_id) == (rows, None)

    case = review.return_from_team_review(
        skp_id=skp.pk, actor=member, reason="Bukti dukung triwulan IV belum diperiksa."
    )

    assert (case.stage_key, case.phase) == ("rate", Phase.REVIEWED)
    returned = AuditEntry.objects.get(case=case, code=AuditCode.CASE_RETURNED)
    assert (returned.actor_id, returned.reason, returned.to_stage) == (
        member.pk,
        "Bukti dukung triwulan IV belum diperiksa.",
        "rate",
    )
    # The appraiser's rating stands until changed; submitting it again reaches the team again.
    review.submit_rating(skp_id=skp.pk, actor=team.user("kasi"))
    assert team.case("staf1").stage_key == "team_review"


def test_team_members_and_the_appraiser_record_field_observations(team: SkpWorld) -> None:
    skp = team.skp("staf1")
    member = walk.team_member(team, 1)
    day = today_for(skp)

    by_team = review.add_field_observation(
        skp_id=skp.pk,
        actor=member,
        observed_on=day,
        location=" SD Negeri 1 Limboto ",
        notes=" Dokumen kurikulum dipakai guru kelas. ",
    )
    by_appraiser = review.add_field_observation(
        skp_id=skp.pk,
        actor=team.user("kasi"),
        observed_on=day - datetime.timedelta(days=3),
        location="SD Negeri 2 Limboto",
        notes="Sosialisasi kurikulum berjalan.",
        evidence_file=upload("kunjungan.pdf", PDF),
    )

    assert (by_team.author_id, by_team.observed_on, by_team.location, by_team.notes) == (
        member.pk,
        day,
        "SD Negeri 1 Limboto",
        "Dokumen kurikulum dipakai guru kelas.",
    )
    assert by_team.evidence_id is None
    assert by_appraiser.evidence is not None
    evidence = by_appraiser.evidence
    assert (evidence.kind, evidence.original_name, evidence.uploaded_by_id) == (
        "field_observation",
        "kunjungan.pdf",
        team.user("kasi").pk,
    )
    rows = walk.events(team, "staf1", "field_observation_added")
    assert [(r.actor_id, r.capacity, r.payload) for r in rows] == [
        (
            member.pk,
            walk.TEAM_NAME,
            {
                "event": "field_observation_added",
                "observation": by_team.pk,
                "observed_on": day.isoformat(),
                "evidence": None,
            },
        ),
        (
            team.user("kasi").pk,
            "Kepala Seksi Kurikulum",
            {
                "event": "field_observation_added",
                "observation": by_appraiser.pk,
                "observed_on": (day - datetime.timedelta(days=3)).isoformat(),
                "evidence": evidence.pk,
            },
        ),
    ]


def test_a_team_member_attaches_a_file_to_a_field_observation(team: SkpWorld) -> None:
    skp = team.skp("staf1")
    member = walk.team_member(team, 1)

    observation = review.add_field_observation(
        skp_id=skp.pk,
        actor=member,
        observed_on=today_for(skp),
        location="Puskesmas Limboto",
        notes="Antrean layanan tertib.",
        evidence_file=upload("foto-lapangan.jpg", JPEG),
    )

    assert observation.evidence is not None
    assert (
        observation.evidence.kind,
        observation.evidence.original_name,
        observation.evidence.uploaded_by_id,
    ) == ("field_observation", "foto-lapangan.jpg", member.pk)
    [added] = walk.events(team, "staf1", "evidence_added")
    assert (added.actor_id, added.capacity) == (member.pk, walk.TEAM_NAME)


def test_field_observations_are_refused_to_others_out_of_review_or_incomplete(
    team: SkpWorld,
) -> None:
    skp = team.skp("staf1")
    day = today_for(skp)
    for intruder in ("staf1", "staf2", "kabid"):
        with pytest.raises(ActionForbidden) as raised:
            review.add_field_observation(
                skp_id=skp.pk,
                actor=team.user(intruder),
                observed_on=day,
                location="SD",
                notes="Catatan",
            )
    assert str(raised.value) == (
        "Hanya tim penilai kinerja atau pejabat penilai yang boleh mencatat observasi."
    )
    with pytest.raises(InvalidReview) as invalid:
        review.add_field_observation(
            skp_id=skp.pk,
            actor=team.user("kasi"),
            observed_on=day + datetime.timedelta(days=1),
            location=" ",
            notes="",
        )
    assert invalid.value.errors == {
        "observed_on": ["Tanggal kunjungan tidak boleh setelah hari ini."],
        "location": ["Lokasi wajib diisi."],
        "notes": ["Catatan pengamatan wajib diisi."],
    }
    review.submit_team_review(
        skp_id=skp.pk, actor=walk.team_member(team, 1), summary="Sesuai.", agrees_with_rating=True
    )
    with pytest.raises(StepNotAllowed) as late:
        review.add_field_observation(
            skp_id=skp.pk,
            actor=walk.team_member(team, 1),
            observed_on=day,
            location="SD",
            notes="Catatan",
        )
    assert str(late.value) == (
        "SKP sedang di tahap «Dialog hasil dan tanggapan pegawai»; "
        "tindakan ini tidak berlaku sekarang."
    )
    assert FieldObservation.objects.count() == 0
