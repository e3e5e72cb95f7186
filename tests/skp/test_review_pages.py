"""The appraiser's SKP pages: the "penilaian", "dialog" and "hasil" tabs and the live previews.

One world runs staf1's SKP on a template with everything these pages handle: two of two
peers (staf2, staf3) before the rating, the evaluation team's review after it, the
discussion, the keberatan and HR's penetapan. The roles on staf1's SKP: the appraiser is
the Kepala Seksi (kasi), the appraiser's supervisor the Kepala Bidang (kabid), the peer
staf2, the team member tim1, HR the agency's admin; guru is an unrelated colleague and
"foreign" an HR admin of another agency.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.templatetags.ui import local_time_filter
from processes.organisation.models import User
from processes.skp.access import today_for
from processes.skp.actions import assessment, monitoring, objection, review
from processes.skp.actions.assessment import PeerEntry
from processes.skp.models import (
    BehaviourExpectation,
    BerAkhlak,
    FieldObservation,
    Objection,
    ObjectionExplanation,
    PeerFeedback,
    PerformanceDialog,
    Perspective,
    RatingRecord,
    TeamReview,
    UnitGoal,
)
from processes.skp.rules import Predikat, Rating
from processes.skp.stages import (
    default_stages,
    insert_after,
    insert_before,
    peer_feedback_stage,
    team_review_stage,
    with_guards,
)
from tests.factories import skp_review as walk
from tests.factories.organisation import build_org, make_agency
from tests.factories.skp import YEAR, SkpWorld, add_top, build_skp_world, publish_skp_template
from tests.factories.skp_monitoring import PDF, clock, set_settings, upload
from workflow import actions as engine
from workflow.models import AuditCode, AuditEntry, Team, WorkItem

ABOVE, AS_EXPECTED, BELOW = Rating.ABOVE, Rating.AS_EXPECTED, Rating.BELOW
ROLES = (
    "appraiser",
    "employee",
    "supervisor",
    "hr",
    "peer",
    "team",
    "other",
    "foreign",
    "anonymous",
)
PEOPLE = {"appraiser": "kasi", "employee": "staf1", "supervisor": "kabid", "peer": "staf2"}
PEOPLE["other"] = "guru"
OPEN_STATUSES = ("NEW", "ASSIGNED", "STARTED")
JUSTIFICATION = "Unit baru dinilai sebagian; capaian melampaui target."


@dataclass
class Review:
    """The world of the module docstring and the other agency's HR admin."""

    world: SkpWorld
    foreign: User

    def user(self, role: str) -> User | None:
        if role == "hr":
            return self.world.org.admin
        if role == "team":
            return walk.team_member(self.world, 1)
        if role == "foreign":
            return self.foreign
        if role == "anonymous":
            return None
        return self.world.user(PEOPLE[role])

    def client(self, role: str) -> Client:
        client = Client()
        user = self.user(role)
        if user is not None:
            client.force_login(user)
        return client

    @property
    def skp_id(self) -> int:
        return self.world.skp("staf1").pk

    def tab(self, name: str) -> str:
        return reverse("skp:detail_tab", kwargs={"skp_id": self.skp_id, "tab": name})

    def preview(self) -> str:
        return reverse("skp:rating_preview", kwargs={"skp_id": self.skp_id})

    def decision_preview(self) -> str:
        return reverse("skp:decision_preview", kwargs={"skp_id": self.skp_id})

    def stage(self) -> str:
        return self.world.case("staf1").stage_key


def build_review_world(code: str = "uji") -> Review:
    """Build the world: the team must exist before a template naming it is published."""
    org = build_org(code=code)
    add_top(org)
    group = Group.objects.create(name=f"{code}:{walk.TEAM_CODE}")
    for number in (1, 2):
        group.user_set.add(
            User.objects.create_user(
                f"tim{number}-{code}",
                password="x",
                agency=org.agency,
                first_name=f"Anggota Tim {number}",
            )
        )
    Team.objects.create(tenant=org.agency, code=walk.TEAM_CODE, name=walk.TEAM_NAME, group=group)
    stages = insert_before(default_stages(), "rate", peer_feedback_stage(n=2))
    stages = insert_after(stages, "rate", team_review_stage(team=walk.TEAM_CODE))
    template = publish_skp_template(org, stages, code="skp-lengkap")
    from processes.skp.actions import cycle as cycle_actions

    cycle = cycle_actions.create_cycle(
        actor=org.admin,
        agency=org.agency,
        year=YEAR,
        name=f"SKP Tahunan {YEAR}",
        template=template,
        period_type="quarterly",
        units=[org.units["DISDIK"]],
    )
    goals = [
        UnitGoal.objects.create(
            agency=org.agency,
            unit=org.units["DISDIK"],
            year=YEAR,
            code="SS1",
            text="Meningkatnya mutu lulusan pendidikan dasar",
            perspective=Perspective.PENERIMA_LAYANAN,
        )
    ]
    cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=org.admin)
    _agency, foreign = make_agency("lain", zone="Asia/Jayapura")
    return Review(SkpWorld(org=org, template=template, cycle=cycle, goals=goals), foreign)


def entries(rating: str = AS_EXPECTED) -> list[PeerEntry]:
    return [PeerEntry(value.value, rating, f"Catatan {value.label}.") for value in BerAkhlak]


def peer_post(rating: str = AS_EXPECTED, skip: str = "") -> dict[str, str]:
    data = {"aksi": "umpan_balik"}
    for value in BerAkhlak:
        if value.value != skip:
            data[f"rating_{value.value}"] = rating
        data[f"text_{value.value}"] = f"Catatan {value.label}."
    return data


# Walking staf1's SKP through the stages ------------------------------------------------------


def to_peers(r: Review) -> None:
    walk.to_rating(r.world, "staf1")
    assert r.stage() == "peer_feedback"


def to_rate(r: Review) -> None:
    to_peers(r)
    for peer in ("staf2", "staf3"):
        assessment.give_peer_feedback(
            skp_id=r.skp_id, actor=r.world.user(peer), entries=entries(ABOVE)
        )
    walk.record_result(r.world, "SEK-KUR", "baik")
    assert r.stage() == "rate"


def to_team(r: Review) -> None:
    to_rate(r)
    walk.rate(r.world, "staf1", ABOVE, AS_EXPECTED, justification=JUSTIFICATION)
    assert r.stage() == "team_review"


def to_discussion(r: Review, *, dialog: bool = True) -> None:
    to_team(r)
    review.submit_team_review(
        skp_id=r.skp_id,
        actor=walk.team_member(r.world, 1),
        summary="Rating sesuai bukti.",
        agrees_with_rating=True,
    )
    assert r.stage() == "discuss"
    if dialog:
        walk.discuss(r.world, "staf1")


def to_decision(r: Review) -> None:
    to_discussion(r)
    objection.file_objection(
        skp_id=r.skp_id, actor=r.world.user("staf1"), reasons="Capaian saya melebihi target."
    )
    assert r.stage() == "decide_objection"


def to_finalisation(r: Review) -> None:
    to_decision(r)
    objection.decide_objection(
        skp_id=r.skp_id, actor=r.world.user("kabid"), decision="rejected", reason="Sudah sesuai."
    )
    assert r.stage() == "finalise"


def state(r: Review) -> tuple[Any, ...]:
    """Return everything these pages could write, to prove a refusal changed nothing."""
    skp = r.world.skp("staf1")
    case = r.world.case("staf1")
    return (
        case.stage_key,
        case.visit,
        case.closed_at,
        skp.rating_hasil,
        skp.rating_perilaku,
        skp.predikat,
        skp.acknowledged_at,
        skp.follow_up_note,
        RatingRecord.objects.filter(skp=skp).count(),
        PeerFeedback.objects.filter(skp=skp).count(),
        TeamReview.objects.filter(skp=skp).count(),
        FieldObservation.objects.filter(skp=skp).count(),
        PerformanceDialog.objects.filter(skp=skp).count(),
        Objection.objects.filter(skp=skp).count(),
        ObjectionExplanation.objects.filter(objection__skp=skp).count(),
        AuditEntry.objects.filter(case=case).count(),
        sorted(
            WorkItem.objects.filter(process_id=case.pk, status__in=OPEN_STATUSES).values_list(
                "pk", "owner_id"
            )
        ),
    )


def status_of(response: Any) -> int | str:
    """Return the status, or "login" for a redirect to the sign-in page."""
    if response.status_code == 302 and response["Location"].startswith("/login/?next="):
        return "login"
    return int(response.status_code)


def refusals(r: Review, method: str, url: str, data: dict[str, Any], roles: tuple[str, ...]):
    """Return each role's answer to the request; every refused request changes nothing."""
    before = state(r)
    answers = {}
    for role in roles:
        client = r.client(role)
        response = client.post(url, data) if method == "post" else client.get(url)
        answers[role] = status_of(response)
        assert state(r) == before, role
    return answers


def text(response: Any) -> str:
    """Return the page's text without tags, with single spaces."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def flash(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Access matrix ------------------------------------------------------------------------------------


@pytest.fixture
def r(db: None) -> Review:
    return build_review_world()


def test_peer_stage_access_matrix(r: Review) -> None:
    to_peers(r)
    url = r.tab("penilaian")

    shown = refusals(r, "get", url, {}, ROLES)
    posted = refusals(r, "post", url, peer_post(), tuple(role for role in ROLES if role != "peer"))

    assert shown == {
        "appraiser": 200,
        "employee": 200,
        "supervisor": 200,
        "hr": 200,
        "peer": 200,
        "team": 404,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    assert posted == {
        "appraiser": 403,
        "employee": 403,
        "supervisor": 403,
        "hr": 403,
        "team": 404,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    response = r.client("peer").post(url, peer_post())
    assert (response.status_code, response["Location"]) == (302, url)


def test_rating_stage_access_matrix(r: Review) -> None:
    to_rate(r)
    url = r.tab("penilaian")
    rating = {"rating_hasil": ABOVE, "rating_perilaku": ABOVE, "justification": "Baik sekali."}
    others = tuple(role for role in ROLES if role != "appraiser")

    shown = refusals(r, "get", url, {}, ROLES)
    saved = refusals(r, "post", url, {"aksi": "simpan", **rating}, others)
    sent = refusals(r, "post", url, {"aksi": "kirim", **rating}, others)
    returned = refusals(
        r, "post", url, {"aksi": "kembalikan", "kembali-reason": "Lengkapi."}, others
    )
    previewed = refusals(r, "post", r.preview(), rating, ROLES)

    refused = {
        "employee": 403,
        "supervisor": 403,
        "hr": 403,
        "peer": 403,  # a peer who gave feedback keeps seeing the SKP
        "team": 404,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    assert shown == {**dict.fromkeys(ROLES, 200), **{k: v for k, v in refused.items() if v != 403}}
    assert saved == sent == returned == refused
    assert previewed == {"appraiser": 200, **refused}
    response = r.client("appraiser").post(url, {"aksi": "simpan", **rating})
    assert (response.status_code, response["Location"]) == (302, f"{url}#penilaian-form")


def test_team_stage_access_matrix(r: Review) -> None:
    to_team(r)
    url = r.tab("penilaian")
    others = tuple(role for role in ROLES if role != "team")
    reviewed = {"aksi": "reviu_tim", "summary": "Sesuai bukti.", "agrees_with_rating": "yes"}
    observed = {
        "aksi": "observasi",
        "observed_on": "2026-11-02",
        "location": "SD Negeri 1",
        "notes": "Kurikulum diterapkan.",
    }

    # The employee waits: the team may still send the rating back to the appraiser.
    waiting = r.client("employee").get(url)
    assert "Pejabat penilai sedang menilai SKP Anda." in text(waiting)
    assert "Di Atas Ekspektasi" not in text(waiting)
    posted = refusals(r, "post", url, reviewed, others)
    returned = refusals(r, "post", url, {"aksi": "kembalikan_tim", "tim-reason": "Ulangi."}, others)
    observations = refusals(
        r,
        "post",
        url,
        observed,
        ("employee", "supervisor", "hr", "peer", "other", "foreign", "anonymous"),
    )

    refused = {
        "appraiser": 403,
        "employee": 403,
        "supervisor": 403,
        "hr": 403,
        "peer": 403,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    assert posted == returned == refused
    assert observations == {role: refused[role] for role in observations}
    response = r.client("team").post(url, reviewed)
    assert (response.status_code, r.stage()) == (302, "discuss")


def test_discussion_stage_access_matrix(r: Review) -> None:
    to_discussion(r, dialog=False)
    url = r.tab("dialog")
    dialog = {
        "aksi": "dialog",
        "hasil-held_on": today_for(r.world.skp("staf1")).isoformat(),
        "hasil-agenda": "Pembahasan hasil",
        "hasil-outcome": "Dipahami",
    }
    not_appraiser = tuple(role for role in ROLES if role != "appraiser")
    not_employee = tuple(role for role in ROLES if role != "employee")

    shown = refusals(r, "get", url, {}, ROLES)
    recorded = refusals(r, "post", url, dialog, not_appraiser)
    assert r.client("appraiser").post(url, dialog).status_code == 302
    accepted = refusals(r, "post", url, {"aksi": "terima"}, not_employee)
    objected = refusals(
        r, "post", url, {"aksi": "keberatan", "reasons": "Tidak adil."}, not_employee
    )

    # A peer reads the plan and gives feedback; the dialog and keberatan are not theirs.
    assert shown == {
        **dict.fromkeys(ROLES, 200),
        "peer": 404,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    viewers = {"supervisor": 403, "hr": 403, "peer": 404, "team": 403}
    outsiders = {"other": 404, "foreign": 404, "anonymous": "login"}
    assert recorded == {"employee": 403, **viewers, **outsiders}
    assert accepted == objected == {"appraiser": 403, **viewers, **outsiders}
    response = r.client("employee").post(url, {"aksi": "keberatan", "reasons": "Tidak adil."})
    assert (response.status_code, r.stage()) == (302, "decide_objection")


def test_decision_stage_access_matrix(r: Review) -> None:
    to_decision(r)
    url = r.tab("dialog")
    not_supervisor = tuple(role for role in ROLES if role != "supervisor")
    asked = {"aksi": "minta_penjelasan", "party": "appraiser", "question": "Mengapa?"}
    decided = {"aksi": "putuskan", "decision": "rejected", "reason": "Sudah sesuai."}

    previewed = refusals(
        r, "post", r.decision_preview(), {"rating_hasil": ABOVE, "rating_perilaku": ABOVE}, ROLES
    )
    requested = refusals(r, "post", url, asked, not_supervisor)
    judged = refusals(r, "post", url, decided, not_supervisor)

    refused = {
        "appraiser": 403,
        "employee": 403,
        "hr": 403,
        "peer": 403,
        "team": 403,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    assert previewed == {"supervisor": 200, **refused}
    assert requested == judged == {**refused, "peer": 404}
    assert r.client("supervisor").post(url, asked).status_code == 302
    (explanation,) = ObjectionExplanation.objects.filter(objection__skp_id=r.skp_id)
    answer = {"aksi": "jawab", "penjelasan": str(explanation.pk)}
    answer[f"jawab-{explanation.pk}-answer"] = "Sesuai bukti dukung."
    # Only the party asked (here the appraiser) answers; the employee's own try is refused
    # by the action with a message, others may never answer.
    answered = refusals(
        r,
        "post",
        url,
        answer,
        ("employee", "supervisor", "hr", "peer", "team", "other", "foreign", "anonymous"),
    )
    assert answered == {
        "employee": 200,
        "supervisor": 403,
        "hr": 403,
        "peer": 404,
        "team": 403,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    assert r.client("appraiser").post(url, answer).status_code == 302
    assert r.client("supervisor").post(url, decided).status_code == 302
    assert r.stage() == "finalise"


def test_finalisation_access_matrix(r: Review) -> None:
    to_finalisation(r)
    url = r.tab("hasil")
    not_hr = tuple(role for role in ROLES if role != "hr")

    shown = refusals(r, "get", url, {}, ROLES)
    fixed = refusals(r, "post", url, {"aksi": "tetapkan", "follow_up_note": "Catatan."}, not_hr)

    # While the penetapan is pending the tab is HR's only.
    pending = {**dict.fromkeys(ROLES, 404), "hr": 200, "anonymous": "login"}
    assert shown == pending
    assert fixed == {role: pending[role] for role in not_hr}
    response = r.client("hr").post(url, {"aksi": "tetapkan", "follow_up_note": "Catatan."})
    assert (response.status_code, response["Location"]) == (302, url)
    after = {role: status_of(r.client(role).get(url)) for role in ROLES}
    assert after == {
        **dict.fromkeys(ROLES, 200),
        "peer": 404,
        "other": 404,
        "foreign": 404,
        "anonymous": "login",
    }
    # A team member who took part may open the SKP, not read its result; a peer does not
    # even get the tab.
    page = r.client("team").get(url)
    assert page.context["reads"] is False
    assert "Hasil akhir SKP ini hanya dapat dibaca" in text(page)
    assert "Di Atas Ekspektasi" not in text(page)
    assert "Di Atas Ekspektasi" in text(r.client("employee").get(url))


# The rating page --------------------------------------------------------------------------------


@pytest.fixture
def rating(db: None) -> SkpWorld:
    """The standard world with staf1's SKP in the rating stage and Seksi Kurikulum "Baik"."""
    world = build_skp_world()
    walk.to_rating(world, "staf1")
    walk.record_result(world, "SEK-KUR", "baik")
    return world


def alone_in_the_seksi(world: SkpWorld) -> None:
    """Leave staf1 alone in the Seksi's curve population: nobody is left unrated when staf1
    is, so every limit of the curve is decided by staf1's result."""
    for who in ("kasi", "staf2", "staf3"):
        engine.cancel_case(case_id=world.case(who).pk, actor=world.org.admin, reason="Mutasi")


def rating_client(world: SkpWorld, who: str = "kasi") -> Client:
    client = Client()
    client.force_login(world.user(who))
    return client


def penilaian(world: SkpWorld, who: str = "staf1") -> str:
    return reverse("skp:detail_tab", kwargs={"skp_id": world.skp(who).pk, "tab": "penilaian"})


def preview_url(world: SkpWorld, who: str = "staf1") -> str:
    return reverse("skp:rating_preview", kwargs={"skp_id": world.skp(who).pk})


def shown_predikat(response: Any) -> tuple[str, str]:
    match = re.search(
        r'<p class="predikat-value[^"]*" id="predikat-value" data-predikat="([a-z_]*)">([^<]*)</p>',
        response.content.decode(),
    )
    assert match is not None
    return match.group(1), match.group(2)


def test_the_rating_page_shows_the_curve_the_suggestion_and_the_achievement(
    rating: SkpWorld,
) -> None:
    response = rating_client(rating).get(penilaian(rating))

    assert response.status_code == 200
    page = text(response)
    assert "Kurva distribusi Seksi Kurikulum" in page
    assert "Predikat kinerja organisasi: Baik . 4 pegawai dalam kurva, 0 sudah dinilai." in page
    assert response.context["rating"].limit_sentences == (
        "Baik paling banyak 70% (3 dari 4 orang)",
        "Baik harus menjadi kelompok terbanyak",
        "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 1 orang",
    )
    for sentence in response.context["rating"].limit_sentences:
        assert f"<li>{sentence}</li>" in response.content.decode()
    assert [
        (row.label, row.count, row.max_percent, row.min_count)
        for row in response.context["curve_rows"]
    ] == [
        ("Sangat Baik", 0, None, None),
        ("Baik", 0, 70, None),
        ("Butuh Perbaikan", 0, None, None),
        ("Kurang/Misconduct", 0, None, None),
        ("Sangat Kurang", 0, None, None),
        ("Butuh Perbaikan + Kurang/Misconduct", 0, None, 1),
    ]
    chart = response.context["curve_chart"]
    assert (chart["labels"][1], chart["max"][1], chart["min"][5]) == ("Baik", 70.0, 25.0)
    assert 'id="rating-curve-data"' in response.content.decode()
    assert "Saran dari evaluasi periodik Rating hasil kerja Sesuai Ekspektasi" in page
    assert (
        "Jumlah dokumen kurikulum 1 yang disahkan Target 4 dokumen Realisasi 4 dokumen "
        "Capaian 100,00% Realisasi periode Dijumlahkan"
    ) in page
    assert shown_predikat(response) == ("", "Pilih kedua rating")
    # The predikat is never an input.
    assert 'name="predikat"' not in response.content.decode()


def test_a_unit_heads_only_possible_hasil_rating_is_already_chosen(db: None) -> None:
    world = build_skp_world()
    walk.to_rating(world, "kasi")
    walk.record_result(world, "SEK-KUR", "baik")

    page = rating_client(world, "kabid").get(penilaian(world, "kasi"))

    field = page.context["rating_form"]["rating_hasil"]
    assert [choice.data["value"] for choice in field] == ["as_expected"]
    assert field.value() == "as_expected"
    assert str(field).count(" checked") == 1


def test_without_an_organisation_predikat_the_page_says_so(db: None) -> None:
    world = build_skp_world()
    walk.to_rating(world, "staf1")

    response = rating_client(world).get(penilaian(world))

    assert "Predikat organisasi belum ditetapkan" in text(response)
    assert response.context["curve_chart"] is None
    assert 'id="rating-curve-data"' not in response.content.decode()


@pytest.mark.parametrize(
    ("hasil", "perilaku", "predikat"),
    [
        (ABOVE, BELOW, Predikat.KURANG),
        (ABOVE, AS_EXPECTED, Predikat.BAIK),
        (ABOVE, ABOVE, Predikat.SANGAT_BAIK),
        (AS_EXPECTED, BELOW, Predikat.KURANG),
        (AS_EXPECTED, AS_EXPECTED, Predikat.BAIK),
        (AS_EXPECTED, ABOVE, Predikat.BAIK),
        (BELOW, BELOW, Predikat.SANGAT_KURANG),
        (BELOW, AS_EXPECTED, Predikat.BUTUH_PERBAIKAN),
        (BELOW, ABOVE, Predikat.BUTUH_PERBAIKAN),
    ],
)
def test_the_preview_shows_the_computed_predikat(
    rating: SkpWorld, hasil: str, perilaku: str, predikat: Predikat
) -> None:
    before = walk.audit_rows(rating, "staf1")

    response = rating_client(rating).post(
        preview_url(rating),
        {"rating_hasil": hasil, "rating_perilaku": perilaku},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert shown_predikat(response) == (predikat.value, str(predikat.label))
    assert f"Predikat: {predikat.label}." in text(response)
    assert rating.skp("staf1").predikat == ""
    assert walk.audit_rows(rating, "staf1") == before


def test_the_preview_says_whether_the_result_would_conform(rating: SkpWorld) -> None:
    alone_in_the_seksi(rating)
    walk.record_result(rating, "SEK-KUR", "istimewa")
    client = rating_client(rating)

    inside = client.post(preview_url(rating), {"rating_hasil": ABOVE, "rating_perilaku": ABOVE})
    outside = client.post(
        preview_url(rating), {"rating_hasil": AS_EXPECTED, "rating_perilaku": ABOVE}
    )
    incomplete = client.post(preview_url(rating), {"rating_hasil": ABOVE})

    assert "Sesuai kurva distribusi" in text(inside)
    assert "Justifikasi penilaian (bila perlu)" in text(inside)
    assert not re.search(r"<textarea[^>]*required", inside.content.decode())
    assert "Di luar kurva distribusi" in text(outside)
    assert outside.context["live"].preview.messages == (
        "Hasil ini membuat Seksi Kurikulum (Istimewa) keluar dari kurva distribusi, apa pun hasil "
        "pegawai yang belum dinilai: Sangat Baik harus "
        "menjadi kelompok terbanyak, saat ini 0 orang sedangkan Baik 1 orang. "
        "Tuliskan justifikasi.",
    )
    assert outside.context["live"].preview.messages[0] in text(outside)
    assert "Justifikasi penilaian (wajib)" in text(outside)
    assert re.search(r"<textarea[^>]*required", outside.content.decode())
    assert shown_predikat(incomplete) == ("", "Pilih kedua rating")


def test_warn_mode_needs_the_justification_next_to_the_field(rating: SkpWorld) -> None:
    alone_in_the_seksi(rating)
    client = rating_client(rating)
    url = penilaian(rating)
    before = (rating.skp("staf1").predikat, RatingRecord.objects.count())

    refused = client.post(url, {"aksi": "simpan", "rating_hasil": ABOVE, "rating_perilaku": ABOVE})

    message = (
        "Hasil ini membuat Seksi Kurikulum (Baik) keluar dari kurva distribusi, apa pun hasil "
        "pegawai yang belum dinilai: Baik harus menjadi kelompok "
        "terbanyak, saat ini 0 orang sedangkan Sangat Baik 1 orang; Butuh Perbaikan dan/atau "
        "Kurang/Misconduct paling sedikit 1 orang, saat ini 0 orang. Tuliskan justifikasi."
    )
    assert refused.status_code == 200
    assert refused.context["rating_form"].errors == {"justification": [message]}
    html = refused.content.decode()
    field = re.search(
        r'<div class="field field-invalid">\s*<label for="id_justification">'
        r"Justifikasi penilaian \(wajib\)</label>.*?</div>",
        html,
        flags=re.S,
    )
    assert field is not None
    assert message in field.group(0)
    assert shown_predikat(refused) == ("sangat_baik", "Sangat Baik")
    assert (rating.skp("staf1").predikat, RatingRecord.objects.count()) == before

    saved = client.post(
        url,
        {
            "aksi": "simpan",
            "rating_hasil": ABOVE,
            "rating_perilaku": ABOVE,
            "justification": JUSTIFICATION,
        },
    )

    assert (saved.status_code, saved["Location"]) == (302, f"{url}#penilaian-form")
    skp = rating.skp("staf1")
    assert (skp.rating_hasil, skp.rating_perilaku, skp.predikat) == (ABOVE, ABOVE, "sangat_baik")
    record = RatingRecord.objects.get(skp=skp)
    assert (record.justification, record.curve_conforms) == (JUSTIFICATION, False)
    page = client.get(url)
    assert flash(page) == ["Penilaian disimpan. Predikat: Sangat Baik."]
    assert page.context["rating_form"].initial == {
        "rating_hasil": ABOVE,
        "rating_perilaku": ABOVE,
        "justification": JUSTIFICATION,
    }
    assert shown_predikat(page) == ("sangat_baik", "Sangat Baik")
    # Still the appraiser's stage until "Kirim".
    assert rating.case("staf1").stage_key == "rate"


def test_block_mode_refuses_and_disables_the_submit_with_the_reason(rating: SkpWorld) -> None:
    alone_in_the_seksi(rating)
    set_settings(rating, curve_mode="block")
    client = rating_client(rating)
    url = penilaian(rating)
    before = (walk.audit_rows(rating, "staf1"), RatingRecord.objects.count())

    preview = client.post(preview_url(rating), {"rating_hasil": ABOVE, "rating_perilaku": ABOVE})
    refused = client.post(
        url,
        {
            "aksi": "simpan",
            "rating_hasil": ABOVE,
            "rating_perilaku": ABOVE,
            "justification": "Tetap ingin dinilai.",
        },
    )

    html = preview.content.decode()
    assert 'value="simpan" disabled aria-describedby="rating-blocked"' in html
    assert 'value="kirim" disabled aria-describedby="rating-blocked"' in html
    assert "instansi memblokir hasil di luar kurva distribusi" in text(preview)
    assert "Tuliskan justifikasi" not in text(preview)
    assert refused.status_code == 200
    assert refused.context["rating_form"].non_field_errors() == [
        "Hasil ini membuat Seksi Kurikulum (Baik) keluar dari kurva distribusi, apa pun hasil "
        "pegawai yang belum dinilai: Baik harus menjadi kelompok "
        "terbanyak, saat ini 0 orang sedangkan Sangat Baik 1 orang; Butuh Perbaikan dan/atau "
        "Kurang/Misconduct paling sedikit 1 orang, saat ini 0 orang."
    ]
    assert (walk.audit_rows(rating, "staf1"), RatingRecord.objects.count()) == before
    assert rating.skp("staf1").predikat == ""


def test_a_unit_heads_rating_hasil_is_fixed_to_the_units_result(db: None) -> None:
    world = build_skp_world()
    walk.to_rating(world, "kasi")
    walk.record_result(world, "SEK-KUR", "baik")
    client = rating_client(world, "kabid")
    url = penilaian(world, "kasi")

    page = client.get(url)

    assert (
        "Pegawai ini kepala unit: rating hasil kerjanya mengikuti predikat kinerja organisasi "
        "Seksi Kurikulum, yaitu Sesuai Ekspektasi."
    ) in text(page)
    html = page.content.decode()
    assert re.findall(r'name="rating_hasil" value="([a-z_]+)"', html) == ["as_expected"]
    assert re.findall(r'name="rating_perilaku" value="([a-z_]+)"', html) == [
        "above",
        "as_expected",
        "below",
    ]
    # Only the rating hasil the unit gives: the live preview fills it in by itself.
    live = client.post(preview_url(world, "kasi"), {"rating_perilaku": ABOVE})
    assert shown_predikat(live) == ("baik", "Baik")

    before = (walk.audit_rows(world, "kasi"), world.skp("kasi").predikat)
    refused = client.post(
        url,
        {
            "aksi": "simpan",
            "rating_hasil": ABOVE,
            "rating_perilaku": ABOVE,
            "justification": "Sangat berprestasi.",
        },
    )
    assert refused.context["rating_form"].errors == {
        "rating_hasil": [
            "Rating hasil kerja kepala unit mengikuti predikat kinerja organisasi "
            "Seksi Kurikulum: Sesuai Ekspektasi."
        ]
    }
    assert (walk.audit_rows(world, "kasi"), world.skp("kasi").predikat) == before


def test_kirim_saves_the_ratings_and_sends_the_result(rating: SkpWorld) -> None:
    client = rating_client(rating)
    url = penilaian(rating)

    response = client.post(
        url,
        {
            "aksi": "kirim",
            "rating_hasil": ABOVE,
            "rating_perilaku": AS_EXPECTED,
            "justification": JUSTIFICATION,
        },
    )

    assert (response.status_code, response["Location"]) == (302, url)
    skp = rating.skp("staf1")
    assert (skp.predikat, rating.case("staf1").stage_key) == ("baik", "discuss")
    assert RatingRecord.objects.filter(skp=skp).count() == 1
    assert flash(client.get(url)) == ["Penilaian dikirim. Predikat: Baik."]


def test_kirim_lists_what_the_stage_still_misses(db: None) -> None:
    world = build_skp_world(with_guards(default_stages(), "rate", "expectations_complete"))
    walk.to_rating(world, "staf1")
    walk.record_result(world, "SEK-KUR", "baik")
    skp = world.skp("staf1")
    # Test setup only: an expectation lost after the plan was agreed.
    BehaviourExpectation.objects.filter(skp=skp, value=BerAkhlak.LOYAL).delete()
    client = rating_client(world)

    response = client.post(
        penilaian(world),
        {
            "aksi": "kirim",
            "rating_hasil": ABOVE,
            "rating_perilaku": AS_EXPECTED,
            "justification": JUSTIFICATION,
        },
    )

    assert response.status_code == 200
    assert response.context["problems"] == ["Ekspektasi khusus untuk Loyal belum diisi."]
    assert "Penilaian belum dapat dikirim: Ekspektasi khusus untuk Loyal belum diisi." in text(
        response
    )
    # The ratings were saved; the task stays with the appraiser.
    assert (world.skp("staf1").predikat, world.case("staf1").stage_key) == ("baik", "rate")


def test_the_appraiser_returns_the_self_assessment_with_a_reason(rating: SkpWorld) -> None:
    client = rating_client(rating)
    url = penilaian(rating)
    before = walk.audit_rows(rating, "staf1")

    refused = client.post(url, {"aksi": "kembalikan", "kembali-reason": "  "})
    assert refused.context["return_form"].errors == {"reason": ["Alasan wajib diisi."]}
    assert walk.audit_rows(rating, "staf1") == before

    response = client.post(url, {"aksi": "kembalikan", "kembali-reason": "Lengkapi ringkasan RHK."})
    assert rating.case("staf1").stage_key == "self_assess"
    # The "penilaian" tab does not show in the self-assessed phase: the redirect lands on
    # the tab of the stage the SKP went back to, which shows the success message.
    mandiri = penilaian(rating).replace("/penilaian/", "/mandiri/")
    assert (response.status_code, response["Location"]) == (302, mandiri)
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert flash(landed) == ["SKP dikembalikan ke penilaian mandiri pegawai."]
    assert client.get(url).status_code == 404


def test_a_returned_self_assessment_says_who_returned_it_when_and_why(rating: SkpWorld) -> None:
    skp = rating.skp("staf1")
    mandiri = penilaian(rating).replace("/penilaian/", "/mandiri/")
    employee = rating_client(rating, "staf1")
    assert employee.get(mandiri).context["returned"] is None

    rating_client(rating).post(
        penilaian(rating), {"aksi": "kembalikan", "kembali-reason": "Lengkapi ringkasan RHK 1."}
    )

    returned = AuditEntry.objects.get(case=rating.case("staf1"), code=AuditCode.CASE_RETURNED)
    with timezone.override(zoneinfo.ZoneInfo(skp.agency.time_zone)):
        when = local_time_filter(returned.created_at)
    appraiser_name = rating.user("kasi").get_full_name()
    for who in ("staf1", "kasi"):
        page = rating_client(rating, who).get(mandiri)
        assert page.context["returned"] == returned
        notice = text(page).split("Penilaian mandiri dikembalikan", 1)[1]
        assert returned.capacity == ""  # the appraiser in their own post
        assert notice.startswith(
            f" Dikembalikan oleh {appraiser_name} · {when} Alasan: Lengkapi ringkasan RHK 1. "
        )
    # Sent again, the self-assessment no longer reads as returned.
    walk.self_assess(rating, "staf1")
    page = employee.get(mandiri)
    assert page.context["returned"] is None
    assert "Penilaian mandiri dikembalikan" not in text(page)


def test_an_unknown_action_is_a_bad_request(rating: SkpWorld) -> None:
    assert rating_client(rating).post(penilaian(rating), {"aksi": "hapus"}).status_code == 400


# Peers and the team through the pages -------------------------------------------------------------


def test_peer_feedback_through_the_page_completes_the_tasks(r: Review) -> None:
    to_peers(r)
    url = r.tab("penilaian")
    peer = r.client("peer")

    form = peer.get(url)
    assert "Umpan balik rekan kerja" in text(form)
    assert len(re.findall(r'name="rating_[a-z_]+" value="above"', form.content.decode())) == 7

    incomplete = peer.post(url, peer_post(skip=BerAkhlak.LOYAL))
    assert incomplete.context["peer_form"].errors == {
        "rating_loyal": ["Pilih penilaian untuk Loyal."]
    }
    assert PeerFeedback.objects.count() == 0

    done = peer.post(url, peer_post(ABOVE))
    assert done.status_code == 302
    assert sorted(
        PeerFeedback.objects.filter(author=r.user("peer")).values_list("value", "rating")
    ) == sorted((value.value, ABOVE) for value in BerAkhlak)
    assert r.stage() == "peer_feedback"
    after = peer.get(url)
    assert flash(after) == ["Umpan balik Anda terkirim. Terima kasih."]
    assert "Umpan balik Anda sudah terkirim:" in text(after)

    third = Client()
    third.force_login(r.world.user("staf3"))
    assert third.post(url, peer_post(BELOW)).status_code == 302
    assert r.stage() == "rate"
    walk.record_result(r.world, "SEK-KUR", "baik")

    summary = r.client("appraiser").get(url)
    rows = [
        (row.label, row.above, row.as_expected, row.below)
        for row in summary.context["peer_summary"]
    ]
    assert rows == [(value.label, 1, 0, 1) for value in BerAkhlak]
    assert summary.context["peer_count"] == 2


def test_the_team_reviews_observes_and_returns_through_the_page(r: Review) -> None:
    to_team(r)
    url = r.tab("penilaian")
    member = r.client("team")

    page = member.get(url)
    assert "Reviu tim penilai kinerja" in text(page)
    assert "Predikat Baik" in text(page)

    observed = member.post(
        url,
        {
            "aksi": "observasi",
            "observed_on": "2026-11-02",
            "location": "SD Negeri 1 Limboto",
            "notes": "Kurikulum baru sudah diterapkan di kelas.",
            "evidence_file": upload("kunjungan.pdf", PDF),
        },
    )
    assert (observed.status_code, observed["Location"]) == (302, f"{url}#observasi")
    observation = FieldObservation.objects.get(skp_id=r.skp_id)
    assert observation.evidence is not None
    assert observation.evidence.original_name == "kunjungan.pdf"
    listed = member.get(url)
    assert "SD Negeri 1 Limboto" in text(listed)
    assert (
        reverse("skp:evidence_download", kwargs={"evidence_id": observation.evidence.pk})
        in listed.content.decode()
    )

    missing = member.post(url, {"aksi": "kembalikan_tim", "tim-reason": ""})
    assert missing.context["team_return_form"].errors == {"reason": ["Alasan wajib diisi."]}
    returned = member.post(url, {"aksi": "kembalikan_tim", "tim-reason": "Bukti belum cukup."})
    # Back in the rating stage of the same phase: the tab still shows, for the team too.
    assert (returned.status_code, returned["Location"]) == (302, url)
    assert r.stage() == "rate"
    assert flash(member.get(url)) == ["Penilaian dikembalikan ke pejabat penilai."]

    walk.rate(r.world, "staf1", ABOVE, AS_EXPECTED, justification=JUSTIFICATION)
    before = state(r)
    for choice in ("no", "yes"):
        no_summary = member.post(
            url,
            {
                "aksi": "reviu_tim",
                "agrees_with_rating": choice,
                "summary": "  ",
                "recommendation": "Pelatihan",
            },
        )
        assert no_summary.context["team_form"].errors == {"summary": ["Hasil reviu wajib diisi."]}
        # The choice and the texts come back as they were sent; nothing was written.
        html = no_summary.content.decode()
        assert re.findall(r'name="agrees_with_rating" value="(\w+)"[^>]*\schecked>', html) == [
            choice
        ]
        assert ">\nPelatihan</textarea>" in html
        assert state(r) == before
    reviewed = member.post(
        url,
        {
            "aksi": "reviu_tim",
            "summary": "Rating sesuai bukti dan observasi.",
            "recommendation": "Penghargaan",
            "agrees_with_rating": "yes",
        },
    )
    assert reviewed.status_code == 302
    assert r.stage() == "discuss"
    (team_review,) = TeamReview.objects.filter(skp_id=r.skp_id)
    assert (team_review.summary, team_review.agrees_with_rating) == (
        "Rating sesuai bukti dan observasi.",
        True,
    )
    appraiser_view = r.client("appraiser").get(url)
    assert "Rating sesuai bukti dan observasi." in text(appraiser_view)


# Dialog and keberatan ---------------------------------------------------------------------------


def test_the_objection_flow_through_the_pages(r: Review) -> None:
    to_discussion(r, dialog=False)
    url = r.tab("dialog")
    appraiser, employee, supervisor = (
        r.client(role) for role in ("appraiser", "employee", "supervisor")
    )

    # The employee cannot answer before the result dialog is recorded.
    early = employee.post(url, {"aksi": "terima"})
    assert flash(early) == ["Dialog hasil penilaian belum dicatat oleh pejabat penilai."]
    recorded = appraiser.post(
        url,
        {
            "aksi": "dialog",
            "hasil-held_on": today_for(r.world.skp("staf1")).isoformat(),
            "hasil-agenda": "Pembahasan hasil penilaian tahunan",
            "hasil-outcome": "Pegawai memahami hasil penilaian",
        },
    )
    assert recorded.status_code == 302

    page = employee.get(url)
    deadline = objection.local_deadline_text(
        r.world.skp("staf1"), objection.objection_window(r.world.skp("staf1"))[0]
    )
    assert f"Keberatan dapat diajukan sampai {deadline}." in text(page)
    assert deadline.endswith("23.59 WITA")
    assert "Predikat Baik" in text(page)

    without = employee.post(url, {"aksi": "keberatan", "reasons": " "})
    assert without.context["objection_form"].errors == {
        "reasons": ["Alasan keberatan wajib diisi."]
    }
    filed = employee.post(url, {"aksi": "keberatan", "reasons": "Capaian saya melebihi target."})
    assert filed.status_code == 302
    assert r.stage() == "decide_objection"

    for party in ("appraiser", "employee"):
        asked = supervisor.post(
            url,
            {"aksi": "minta_penjelasan", "party": party, "question": f"Penjelasan {party}?"},
        )
        assert asked.status_code == 302
    by_party = {
        item.party: item for item in ObjectionExplanation.objects.filter(objection__skp_id=r.skp_id)
    }
    for party, client in (("appraiser", appraiser), ("employee", employee)):
        item = by_party[party]
        form_page = client.get(url)
        assert [pair[0].pk for pair in form_page.context["answers"]] == [item.pk]
        answered = client.post(
            url,
            {
                "aksi": "jawab",
                "penjelasan": str(item.pk),
                f"jawab-{item.pk}-answer": f"Jawaban {party}.",
            },
        )
        assert answered.status_code == 302
    assert sorted(
        ObjectionExplanation.objects.filter(objection__skp_id=r.skp_id).values_list(
            "party", "answer"
        )
    ) == [("appraiser", "Jawaban appraiser."), ("employee", "Jawaban employee.")]

    live = supervisor.post(r.decision_preview(), {"rating_hasil": ABOVE, "rating_perilaku": ABOVE})
    assert 'data-predikat="sangat_baik">Sangat Baik</p>' in live.content.decode()

    unchanged = supervisor.post(
        url,
        {
            "aksi": "putuskan",
            "decision": "upheld",
            "reason": "Bukti mendukung.",
            "rating_hasil": ABOVE,
            "rating_perilaku": AS_EXPECTED,
        },
    )
    assert unchanged.context["decision_form"].non_field_errors() == [
        "Keberatan yang diterima mengubah hasil; pilih rating yang berbeda."
    ]
    no_reason = supervisor.post(
        url,
        {"aksi": "putuskan", "decision": "upheld", "rating_hasil": ABOVE, "rating_perilaku": ABOVE},
    )
    assert no_reason.context["decision_form"].errors == {
        "reason": ["Pertimbangan keputusan wajib diisi."]
    }
    decided = supervisor.post(
        url,
        {
            "aksi": "putuskan",
            "decision": "upheld",
            "reason": "Bukti dukung menunjukkan perilaku di atas ekspektasi.",
            "rating_hasil": ABOVE,
            "rating_perilaku": ABOVE,
        },
    )
    assert decided.status_code == 302
    assert r.stage() == "finalise"
    assert r.world.skp("staf1").predikat == "sangat_baik"

    final_view = employee.get(url)
    assert [(row.record.kind, row.record.predikat) for row in final_view.context["records"]] == [
        (RatingRecord.Kind.APPRAISER, "baik"),
        (RatingRecord.Kind.OBJECTION, "sangat_baik"),
    ]
    page_text = text(final_view)
    assert "Penilaian pejabat penilai: Baik" in page_text
    assert "Keputusan keberatan: Sangat Baik" in page_text
    assert "Diterima: hasil diubah" in page_text
    assert "Bukti dukung menunjukkan perilaku di atas ekspektasi." in page_text
    assert "Capaian saya melebihi target." in page_text


def ticked_ratings(response: Any) -> list[tuple[str, str]]:
    """Return the decision form's new-rating radios that are ticked, as (name, value)."""
    return re.findall(
        r'<input type="radio" name="(rating_[a-z]+)" value="([a-z_]*)"[^>]*\schecked>',
        response.content.decode(),
    )


def test_a_rejection_drops_the_ratings_ticked_before_it(r: Review) -> None:
    to_decision(r)
    url = r.tab("dialog")
    supervisor = r.client("supervisor")
    ticked = {"rating_hasil": ABOVE, "rating_perilaku": ABOVE}

    # "Diterima" with new ratings previews the new predikat; "Ditolak" shows none.
    upheld = supervisor.post(r.decision_preview(), {"decision": "upheld", **ticked})
    assert 'data-predikat="sangat_baik">Sangat Baik</p>' in upheld.content.decode()
    assert "Predikat baru: Sangat Baik." in upheld.content.decode()
    rejected = supervisor.post(r.decision_preview(), {"decision": "rejected", **ticked})
    assert 'id="decision-predikat" data-predikat=""' in rejected.content.decode()
    assert "Predikat baru:" not in rejected.content.decode()

    # Refused for another reason: the form comes back without the ratings ticked.
    before = state(r)
    refused = supervisor.post(
        url, {"aksi": "putuskan", "decision": "rejected", "reason": " ", **ticked}
    )
    assert refused.status_code == 200
    assert refused.context["decision_form"].errors == {
        "reason": ["Pertimbangan keputusan wajib diisi."]
    }
    assert ticked_ratings(refused) == [("rating_hasil", ""), ("rating_perilaku", "")]
    assert refused.context["decision_preview"] is None
    assert state(r) == before

    # Submitted as it was left (ratings still ticked), the rejection is decided.
    decided = supervisor.post(
        url, {"aksi": "putuskan", "decision": "rejected", "reason": "Sudah sesuai.", **ticked}
    )
    assert (decided.status_code, decided["Location"]) == (302, url)
    assert r.stage() == "finalise"
    skp = r.world.skp("staf1")
    assert (skp.rating_hasil, skp.rating_perilaku, skp.predikat) == (ABOVE, AS_EXPECTED, "baik")
    assert Objection.objects.get(skp=skp).decision == Objection.Decision.REJECTED
    assert list(RatingRecord.objects.filter(skp=skp).values_list("kind", flat=True)) == [
        RatingRecord.Kind.APPRAISER
    ]
    assert flash(supervisor.get(url)) == ["Keberatan telah diputus. Keputusan ini final."]


def test_a_rating_left_unchanged_keeps_the_current_one(r: Review) -> None:
    to_decision(r)  # rated Di Atas / Sesuai Ekspektasi: Baik
    url = r.tab("dialog")
    supervisor = r.client("supervisor")

    page = supervisor.get(url)
    assert ticked_ratings(page) == [("rating_hasil", ""), ("rating_perilaku", "")]
    form = page.context["decision_form"]
    assert [(value, str(label)) for value, label in form.fields["rating_hasil"].choices] == [
        ("", "Tidak diubah (Di Atas Ekspektasi)"),
        *((value, str(label)) for value, label in Rating.choices),
    ]
    assert [(value, str(label)) for value, label in form.fields["rating_perilaku"].choices] == [
        ("", "Tidak diubah (Sesuai Ekspektasi)"),
        *((value, str(label)) for value, label in Rating.choices),
    ]
    # No new rating chosen: no new predikat; one chosen: the other counts as it is.
    nothing = supervisor.post(r.decision_preview(), {"decision": "partly"})
    assert 'id="decision-predikat" data-predikat=""' in nothing.content.decode()
    one = supervisor.post(
        r.decision_preview(), {"decision": "partly", "rating_hasil": "", "rating_perilaku": ABOVE}
    )
    assert 'data-predikat="sangat_baik">Sangat Baik</p>' in one.content.decode()

    # Upheld with both left unchanged changes nothing: refused, nothing written.
    before = state(r)
    same = supervisor.post(
        url,
        {
            "aksi": "putuskan",
            "decision": "upheld",
            "reason": "Bukti mendukung.",
            "rating_hasil": "",
            "rating_perilaku": "",
        },
    )
    assert same.context["decision_form"].non_field_errors() == [
        "Keberatan yang diterima mengubah hasil; pilih rating yang berbeda."
    ]
    assert state(r) == before

    decided = supervisor.post(
        url,
        {
            "aksi": "putuskan",
            "decision": "partly",
            "reason": "Perilaku kerja di atas ekspektasi.",
            "rating_hasil": "",
            "rating_perilaku": ABOVE,
        },
    )
    assert decided.status_code == 302
    skp = r.world.skp("staf1")
    assert (skp.rating_hasil, skp.rating_perilaku, skp.predikat) == (ABOVE, ABOVE, "sangat_baik")
    record = RatingRecord.objects.get(skp=skp, kind=RatingRecord.Kind.OBJECTION)
    assert (record.rating_hasil, record.rating_perilaku) == (ABOVE, ABOVE)


def test_a_late_objection_is_refused_and_nothing_changes(r: Review) -> None:
    to_discussion(r)
    url = r.tab("dialog")
    skp = r.world.skp("staf1")
    deadline, _open = objection.objection_window(skp)
    before = state(r)

    with clock(deadline + datetime.timedelta(minutes=1)):
        employee = r.client("employee")  # signed in then: sessions expire by the clock too
        page = employee.get(url)
        late = employee.post(url, {"aksi": "keberatan", "reasons": "Terlambat sedikit."})

    text_late = (
        f"Batas waktu keberatan sudah lewat ({objection.local_deadline_text(skp, deadline)})."
    )
    assert text_late in text(page)
    assert 'name="reasons"' not in page.content.decode()
    assert (late.status_code, late["Location"] if late.status_code == 302 else "") == (200, "")
    assert flash(late) == [text_late]
    assert state(r) == before


def test_the_employee_accepts_the_result(r: Review) -> None:
    to_discussion(r)
    employee = r.client("employee")

    response = employee.post(r.tab("dialog"), {"aksi": "terima"})

    assert response.status_code == 302
    assert r.world.skp("staf1").acknowledged_at is not None
    assert r.stage() == "finalise"


# Hasil akhir ------------------------------------------------------------------------------------


def test_hr_finalises_and_the_skp_locks(r: Review) -> None:
    to_finalisation(r)
    url = r.tab("hasil")
    hr = r.client("hr")

    pending = hr.get(url)
    assert "Menunggu penetapan" in text(pending)
    # Waiting for HR, "Final" is the current step, not a done one.
    assert [(str(s.label), s.state) for s in pending.context["header"].steps][-2:] == [
        ("Dialog hasil", "done"),
        ("Final", "current"),
    ]
    assert pending.context["header"].phase_kind == "info"
    assert str(pending.context["header"].phase_label) == "Menunggu penetapan"
    response = hr.post(url, {"aksi": "tetapkan", "follow_up_note": "Ikut diklat kepemimpinan."})

    assert response.status_code == 302
    assert flash(hr.get(url)) == ["Hasil penilaian ditetapkan. SKP sekarang final dan terkunci."]
    case = r.world.case("staf1")
    assert (case.phase, case.closed_at is not None) == ("final", True)
    page = r.client("employee").get(url)
    page_text = text(page)
    assert "SKP terkunci" in page_text
    assert "Catatan tindak lanjut Ikut diklat kepemimpinan." in page_text
    assert "Rekomendasi tindak lanjut Tidak ada tindak lanjut" in page_text
    assert page.context["finalise"] is False
    assert {s.state for s in page.context["header"].steps} == {"done"}
    assert str(page.context["header"].phase_label) == "Final"
    assert page.context["header"].phase_kind == "ok"
    # A final SKP opens on its result, not on the history.
    opened = r.client("employee").get(reverse("skp:detail", kwargs={"skp_id": r.skp_id}))
    assert opened.context["tab"].key == "hasil"
    again = hr.post(url, {"aksi": "tetapkan"})
    assert again.status_code == 200
    assert flash(again) == ["SKP ini sudah final dan terkunci."]


def test_hr_reopens_a_final_skp_with_a_reason_from_the_result_tab(r: Review) -> None:
    to_finalisation(r)
    url = r.tab("hasil")
    hr = r.client("hr")
    hr.post(url, {"aksi": "tetapkan"})
    employee_page = r.client("employee").get(url)
    page = hr.get(url)
    before = state(r)

    forbidden = r.client("employee").post(
        url, {"aksi": "buka", "buka-to_stage": "rate", "buka-reason": "Koreksi"}
    )
    no_reason = hr.post(url, {"aksi": "buka", "buka-to_stage": "rate", "buka-reason": " "})
    bad_stage = hr.post(
        url, {"aksi": "buka", "buka-to_stage": "decide_objection", "buka-reason": "X"}
    )
    unchanged = state(r)
    reopened = hr.post(
        url,
        {"aksi": "buka", "buka-to_stage": "rate", "buka-reason": "Salah input; SK 800/5/2027"},
    )

    assert "reopen_form" not in employee_page.context
    assert [key for key, _label in page.context["reopen_form"].fields["to_stage"].choices] == [
        "rate",
        "team_review",
        "discuss",
        "finalise",
    ]
    assert forbidden.status_code == 403
    assert no_reason.context["reopen_form"].errors == {"reason": ["Bidang ini tidak boleh kosong."]}
    assert list(bad_stage.context["reopen_form"].errors) == ["to_stage"]
    assert unchanged == before
    assert reopened.status_code == 302
    assert flash(hr.get(reopened["Location"])) == [
        "SKP dibuka kembali di tahap «Penilaian oleh pejabat penilai»."
    ]
    case = r.world.case("staf1")
    assert (case.stage_key, case.is_open) == ("rate", True)
    row = AuditEntry.objects.get(case=case, code=AuditCode.CASE_REOPENED)
    assert (row.actor_id, row.reason, row.to_stage) == (
        r.world.org.admin.pk,
        "Salah input; SK 800/5/2027",
        "rate",
    )


def test_a_functional_positions_credit_points_show_with_their_months(db: None) -> None:
    world = build_skp_world()
    walk.agree_for(world, "guru")
    walk.monitor(world, "guru")
    walk.self_assess(world, "guru")
    walk.rate(world, "guru", justification=JUSTIFICATION)
    walk.discuss(world, "guru")
    objection.acknowledge_result(skp_id=world.skp("guru").pk, actor=world.user("guru"))
    walk.finalise(world, "guru")
    client = Client()
    client.force_login(world.user("guru"))

    response = client.get(
        reverse("skp:detail_tab", kwargs={"skp_id": world.skp("guru").pk, "tab": "hasil"})
    )

    assert "Angka kredit 12,500 (12 bulan, Ahli Pertama)" in text(response)
    assert "Predikat Baik" in text(response)


def test_the_tabs_show_from_their_phase_on(r: Review) -> None:
    walk.agree_for(r.world, "staf1")
    employee = r.client("employee")
    shell = employee.get(reverse("skp:detail", kwargs={"skp_id": r.skp_id}))
    keys = [item["tab"].key for item in shell.context["tabs"]]
    assert "penilaian" not in keys
    assert "dialog" not in keys
    assert "hasil" not in keys
    assert employee.get(r.tab("penilaian")).status_code == 404


def test_a_peer_reads_the_plan_and_gives_feedback_and_nothing_private(r: Review) -> None:
    walk.to_self_assessment(r.world, "staf1")
    evidence = monitoring.add_evidence_file(
        skp_id=r.skp_id, actor=r.world.user("staf1"), uploaded=upload("laporan.pdf", PDF)
    )
    walk.self_assess(r.world, "staf1")
    assert r.stage() == "peer_feedback"
    download = reverse("skp:evidence_download", kwargs={"evidence_id": evidence.pk})
    private = ("pemantauan", "mandiri", "riwayat")

    def tabs_of(role: str) -> list[str]:
        response = r.client(role).get(r.tab("rencana"))
        assert response.status_code == 200
        return [str(item["tab"].label) for item in response.context["tabs"]]

    assert tabs_of("peer") == ["Rencana", "Penilaian"]
    assert tabs_of("employee") == [
        "Rencana",
        "Pemantauan",
        "Penilaian mandiri",
        "Penilaian",
        "Riwayat",
    ]
    assert {
        name: status_of(r.client("peer").get(r.tab(name))) for name in private
    } == dict.fromkeys(private, 404)
    assert (
        r.client("peer").get(download).status_code,
        r.client("employee").get(download).status_code,
    ) == (404, 200)
    # The SKP opens on the feedback form for the peer.
    opened = r.client("peer").get(reverse("skp:detail", kwargs={"skp_id": r.skp_id}))
    assert opened.context["tab"].key == "penilaian"

    # Feedback given and the SKP on to its discussion: the peer still sees only the two tabs,
    # while a member of the independent team (also a participant) sees the monitoring.
    for peer in ("staf2", "staf3"):
        assessment.give_peer_feedback(
            skp_id=r.skp_id, actor=r.world.user(peer), entries=entries(ABOVE)
        )
    walk.record_result(r.world, "SEK-KUR", "baik")
    walk.rate(r.world, "staf1", ABOVE, AS_EXPECTED, justification=JUSTIFICATION)
    review.submit_team_review(
        skp_id=r.skp_id,
        actor=walk.team_member(r.world, 1),
        summary="Rating sesuai bukti.",
        agrees_with_rating=True,
    )
    walk.discuss(r.world, "staf1")
    assert r.stage() == "discuss"
    assert tabs_of("peer") == ["Rencana", "Penilaian"]
    assert status_of(r.client("peer").get(r.tab("dialog"))) == 404
    member = Client()
    member.force_login(walk.team_member(r.world, 1))
    assert member.get(r.tab("pemantauan")).status_code == 200
    assert member.get(download).status_code == 200
