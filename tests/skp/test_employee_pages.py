"""The employee-facing SKP pages: the list, the SKP page's shell and its plan, monitoring,
self-assessment and history tabs.

Every form goes through its action: a success shows the written rows and exactly one audit
row; a refusal shows the Indonesian message next to its field (or the guard's list, or a
message) and changes nothing. The clock stands at Friday 20 November 2026, 09:00 WITA: every
quarter of the 2026 cycle has begun and the third has ended.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.navigation import items_for, unregister
from processes.organisation import actions as org_actions
from processes.organisation.models import User
from processes.skp.access import today_for
from processes.skp.actions import monitoring as monitoring_actions
from processes.skp.actions import plan as plan_actions
from processes.skp.models import (
    ActionPlan,
    BehaviourExpectation,
    BerAkhlak,
    DailyActivity,
    Evidence,
    ExtraAspectRating,
    Feedback,
    Indicator,
    IndicatorTemplate,
    PerformanceDialog,
    PeriodEvaluation,
    PlanAttachment,
    PlanVersion,
    Realisation,
    Rhk,
    SelfAssessment,
    Skp,
)
from processes.skp.nav_employee import register_employee_nav
from tests.factories.organisation import make_agency
from tests.factories.skp import (
    EXPECTATIONS,
    SkpWorld,
    agree_chain,
    build_skp_world,
    draft_plan,
)
from tests.factories.skp_monitoring import (
    PDF,
    clock,
    enter_realisations,
    monitoring_state,
    reach_monitoring,
    rhks_of,
    set_settings,
    upload,
)
from tests.factories.skp_review import summaries, to_self_assessment
from workflow.models import AuditCode, AuditEntry, Case, Notification, WorkItem

AT = datetime.datetime(2026, 11, 20, 1, 0, tzinfo=datetime.UTC)  # 09:00 WITA
TABS = ("rencana", "pemantauan", "mandiri", "riwayat")


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with clock(AT):
        yield


@pytest.fixture
def world(db: None) -> SkpWorld:
    """kasi monitors (appraiser kabid, supervisor kadis); staf1 drafts (appraiser kasi)."""
    world = build_skp_world()
    agree_chain(world, "kadis", "kabid")
    reach_monitoring(world, "kasi")
    draft_plan(world, "staf1")
    return world


# Helpers ---------------------------------------------------------------------------------------


def login(world: SkpWorld, who: str) -> Client:
    client = Client()
    client.force_login(world.org.admin if who == "admin" else world.user(who))
    return client


def tab_url(skp: Skp, key: str) -> str:
    return reverse("skp:detail_tab", kwargs={"skp_id": skp.pk, "tab": key})


def post(client: Client, skp: Skp, key: str, aksi: str, /, **data: Any) -> Any:
    return client.post(tab_url(skp, key), {"aksi": aksi, **data})


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_errors(response: Any, field_id: str) -> list[str]:
    """Return the messages rendered next to the field (Django's <ul id="<id>_error">)."""
    page = response.content.decode()
    block = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', page, re.S
    )
    if block is None:
        return []
    # The widget (or the fieldset of a radio group) points at its error.
    assert re.search(rf'aria-describedby="[^"]*{re.escape(field_id)}_error', page)
    return [text_of(item) for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def form_errors(response: Any) -> list[str]:
    """Return the form-wide errors rendered on the page."""
    page = response.content.decode()
    return [
        text_of(item)
        for block in re.findall(r'<ul class="errorlist nonfield">(.*?)</ul>', page, re.S)
        for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


def messages_of(response: Any) -> list[str]:
    page = response.content.decode()
    block = re.search(r'<ul class="messages" role="status">(.*?)</ul>', page, re.S)
    return (
        [text_of(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", block.group(1), re.S)]
        if block
        else []
    )


def problems_of(response: Any) -> list[str]:
    page = response.content.decode()
    block = re.search(r'<ul class="problem-list">(.*?)</ul>', page, re.S)
    return (
        [text_of(item) for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]
        if block
        else []
    )


def events(skp: Skp, event: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            case__skp=skp, code=AuditCode.PROCESS_EVENT, payload__event=event
        ).order_by("sequence")
    )


def stage_of(skp: Skp) -> str:
    """Return the key of the stage the SKP stands in now."""
    return Case.objects.get(skp=skp).stage_key


def state(skp: Skp) -> dict[str, Any]:
    """Everything the SKP pages can write, to prove a refusal changed nothing."""
    case = Case.objects.get(skp=skp)
    return {
        **monitoring_state(skp),
        "case": (case.stage_key, case.phase, case.visit),
        "rhks": list(
            Rhk.objects.filter(skp=skp).order_by("pk").values_list("pk", "text", "parent_id")
        ),
        "indicators": list(
            Indicator.objects.filter(rhk__skp=skp)
            .order_by("pk")
            .values_list("pk", "text", "target_value")
        ),
        "action_plans": list(
            ActionPlan.objects.filter(rhk__skp=skp).order_by("pk").values_list("pk", "text")
        ),
        "attachment": list(
            PlanAttachment.objects.filter(skp=skp).values_list("resources", flat=True)
        ),
        "expectations": BehaviourExpectation.objects.filter(skp=skp).count(),
        "versions": PlanVersion.objects.filter(skp=skp).count(),
        "self_assessments": list(
            SelfAssessment.objects.filter(skp=skp).values_list("text", flat=True)
        ),
        "revision": Skp.objects.get(pk=skp.pk).revision_reason,
    }


# Access --------------------------------------------------------------------------------------

POSTS = (
    [
        ("rencana", aksi)
        for aksi in (
            "rhk",
            "rhk_hapus",
            "indikator",
            "indikator_hapus",
            "rencana_aksi",
            "rencana_aksi_hapus",
            "lampiran",
            "ekspektasi",
            "ajukan",
            "setujui",
            "kembalikan",
            "perubahan",
        )
    ]
    + [
        ("pemantauan", aksi)
        for aksi in (
            "realisasi",
            "kemajuan",
            "bukti",
            "bukti_hapus",
            "umpan_balik",
            "umpan_balik_nilai",
            "dialog",
            "harian",
            "harian_tempel",
            "harian_ubah",
            "harian_hapus",
            "laporan",
            "nilai_periode",
            "aspek",
            "selesai",
        )
    ]
    + [("mandiri", "simpan"), ("mandiri", "kirim")]
)


@pytest.fixture
def assessed(world: SkpWorld) -> SkpWorld:
    """guru stands in self-assessment (appraiser kabid, supervisor kadis): every tab shows."""
    to_self_assessment(world, "guru")
    return world


@pytest.mark.parametrize("role", ["guru", "kabid", "kadis", "admin"])
def test_the_employee_appraiser_supervisor_and_hr_open_every_page_and_posts_change_nothing(
    assessed: SkpWorld, role: str
) -> None:
    skp = assessed.skp("guru")
    client = login(assessed, role)
    assert client.get(reverse("skp:my_list")).status_code == 200
    assert client.get(reverse("skp:detail", kwargs={"skp_id": skp.pk})).status_code == 200
    for key in TABS:
        assert (key, client.get(tab_url(skp, key)).status_code) == (key, 200)
    before = state(skp)
    for key, aksi in POSTS:
        response = post(client, skp, key, aksi)
        expected = 302 if (role, aksi) == ("guru", "simpan") else 200
        assert (aksi, response.status_code) == (aksi, expected)
        assert state(skp) == before, aksi


@pytest.mark.parametrize("role", ["staf2", "other_admin"])
def test_others_in_or_outside_the_agency_get_404_and_nothing_changes(
    assessed: SkpWorld, role: str
) -> None:
    skp = assessed.skp("guru")
    client = Client()
    if role == "other_admin":
        _agency, other_admin = make_agency("lain")
        client.force_login(other_admin)
    else:
        client.force_login(assessed.user(role))
    assert client.get(reverse("skp:my_list")).status_code == 200
    assert client.get(reverse("skp:detail", kwargs={"skp_id": skp.pk})).status_code == 404
    for key in TABS:
        assert (key, client.get(tab_url(skp, key)).status_code) == (key, 404)
    before = state(skp)
    for key, aksi in POSTS:
        assert (aksi, post(client, skp, key, aksi).status_code) == (aksi, 404)
    assert state(skp) == before


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_changes(assessed: SkpWorld) -> None:
    skp = assessed.skp("guru")
    client = Client()
    for url in [
        reverse("skp:my_list"),
        reverse("skp:detail", kwargs={"skp_id": skp.pk}),
        *(tab_url(skp, key) for key in TABS),
    ]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")
    before = state(skp)
    for key, aksi in POSTS:
        response = post(client, skp, key, aksi)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/login/?next={tab_url(skp, key)}",
        )
    assert state(skp) == before


def test_unknown_or_hidden_tabs_and_actions(world: SkpWorld) -> None:
    client = login(world, "kasi")
    skp = world.skp("kasi")
    assert client.get(tab_url(skp, "tidak-ada")).status_code == 404
    # The self-assessment tab shows from the self-assessed phase on.
    assert client.get(tab_url(skp, "mandiri")).status_code == 404
    assert post(client, skp, "rencana", "entah").status_code == 400
    assert client.post(reverse("skp:detail", kwargs={"skp_id": skp.pk})).status_code == 404
    assert client.post(tab_url(skp, "riwayat")).status_code == 405


# The shell and the list -------------------------------------------------------------------------


def test_default_tab_follows_the_stage_and_the_header_says_who_acts(world: SkpWorld) -> None:
    client = login(world, "staf1")
    staf1 = world.skp("staf1")
    response = client.get(reverse("skp:detail", kwargs={"skp_id": staf1.pk}))
    assert response.context["tab"].key == "rencana"
    header = response.context["header"]
    assert header.nip.count(" ") == 3
    assert (header.appraiser.name, header.appraiser.capacity) == (
        "Nurhayati Hasan",
        "Kepala Seksi Kurikulum",
    )
    assert (header.supervisor.name, header.supervisor.capacity) == (
        "Drs. Arifin Lamato",
        "Kepala Bidang Pembinaan SD",
    )
    assert header.stage_name == "Penyusunan rencana SKP"
    assert [(actor.name, actor.capacity) for actor in header.actors] == [
        ("Andi Pratama", "Pegawai")
    ]
    page = response.content.decode()
    assert "WITA" in text_of(page.split('class="facts"')[1].split("</dl>")[0])
    assert [item["tab"].key for item in response.context["tabs"]] == ["rencana", "riwayat"]
    assert f'<a href="/skp/{staf1.pk}/rencana/" aria-current="page">' in page
    assert 'class="wf-diagram"' in page

    kasi = world.skp("kasi")
    response = login(world, "kasi").get(reverse("skp:detail", kwargs={"skp_id": kasi.pk}))
    assert response.context["tab"].key == "pemantauan"


def test_acting_appraiser_is_shown_with_the_plt_capacity(world: SkpWorld) -> None:
    # kasi is on study leave from November; staf2 acts as Plt. Kepala Seksi.
    org_actions.set_employee_status(
        actor=world.org.admin,
        employee=world.org.people["kasi"],
        status="study_leave",
        starts_on=datetime.date(2026, 11, 1),
    )
    org_actions.appoint_acting_official(
        actor=world.org.admin,
        employee=world.org.people["staf2"],
        position=world.org.positions["KASI"],
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2026, 12, 31),
        decree_number="800/12/2026",
    )
    response = login(world, "staf1").get(tab_url(world.skp("staf1"), "rencana"))
    appraiser = response.context["header"].appraiser
    assert (appraiser.name, appraiser.capacity) == (
        "Siti Aminah Gobel",
        "Plt. Kepala Seksi Kurikulum (800/12/2026)",
    )


def test_my_list_shows_own_skps_and_those_appraised_today(world: SkpWorld) -> None:
    response = login(world, "kasi").get(reverse("skp:my_list"))
    [row] = response.context["rows"]
    assert (row.skp.pk, row.stage_name, str(row.phase_label)) == (
        world.skp("kasi").pk,
        "Pemantauan kinerja dan bukti dukung",
        "Pemantauan",
    )
    assert [(actor.name, actor.capacity) for actor in row.actors] == [
        ("Nurhayati Hasan", "Pegawai")
    ]
    assert [r.skp.employee.name for r in response.context["appraised"]] == [
        "Andi Pratama",
        "Siti Aminah Gobel",
        "Yusuf Mokodompit",
    ]
    page = text_of(response.content.decode())
    assert "SKP yang Anda nilai" in page

    assert login(world, "staf3").get(reverse("skp:my_list")).context["appraised"] == []


def test_menu_item_for_agency_users(world: SkpWorld, rf: Any) -> None:
    register_employee_nav()
    try:
        request = rf.get("/skp/")
        request.user = world.user("staf1")
        assert [item.key for item in items_for(request) if item.key == "skp_mine"] == ["skp_mine"]
        request.user = User.objects.create_superuser("root", password="x")
        assert [item.key for item in items_for(request) if item.key == "skp_mine"] == []
    finally:
        unregister("skp_mine")


# The plan tab ---------------------------------------------------------------------------------


def test_employee_adds_an_rhk_linked_to_the_appraisers_rhk(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    parent = plan_actions.cascade_options(skp)[0]
    response = post(
        login(world, "staf1"),
        skp,
        "rencana",
        "rhk",
        **{
            "rhk-baru-kind": "utama",
            "rhk-baru-text": "Terlaksananya uji coba kurikulum",
            "rhk-baru-parent": parent.pk,
        },
    )
    rhk = Rhk.objects.get(skp=skp, text="Terlaksananya uji coba kurikulum")
    assert (rhk.parent_id, rhk.kind) == (parent.pk, "utama")
    assert response.status_code == 302
    assert response["Location"] == f"{tab_url(skp, 'rencana')}#rhk-{rhk.pk}"
    [entry] = events(skp, "rhk_saved")[-1:]
    assert entry.payload["rhk"] == rhk.pk


def test_rhk_errors_are_shown_next_to_the_fields_and_nothing_is_saved(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    before = state(skp)
    response = post(login(world, "staf1"), skp, "rencana", "rhk", **{"rhk-baru-kind": "utama"})
    assert response.status_code == 200
    assert field_errors(response, "id_rhk-baru-text") == ["Uraian RHK wajib diisi."]
    assert state(skp) == before

    response = post(
        login(world, "staf1"),
        skp,
        "rencana",
        "rhk",
        **{"rhk-baru-kind": "utama", "rhk-baru-text": "Baru"},
    )
    assert field_errors(response, "id_rhk-baru-parent") == [
        "Pilih satu RHK pejabat penilai yang diintervensi."
    ]
    assert state(skp) == before


def test_employee_edits_and_deletes_an_rhk(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    [rhk] = rhks_of(skp)
    client = login(world, "staf1")
    post(
        client,
        skp,
        "rencana",
        "rhk",
        rhk=rhk.pk,
        **{
            f"rhk-{rhk.pk}-kind": "tambahan",
            f"rhk-{rhk.pk}-text": "Teks baru",
            f"rhk-{rhk.pk}-parent": rhk.parent_id,
        },
    )
    rhk.refresh_from_db()
    assert (rhk.kind, rhk.text) == ("tambahan", "Teks baru")
    response = post(client, skp, "rencana", "rhk_hapus", rhk=rhk.pk)
    assert response.status_code == 302
    assert Rhk.objects.filter(skp=skp).count() == 0
    [entry] = events(skp, "rhk_deleted")
    assert entry.payload["rhk"] == rhk.pk


def test_jpt_rhk_takes_a_perspective_and_a_unit_goal(db: None) -> None:
    world = build_skp_world()
    skp = world.skp("kadis")
    goal = world.goals[0]
    client = login(world, "kadis")
    response = client.get(tab_url(skp, "rencana"))
    form = response.context["new_rhk_form"]
    assert sorted(form.fields) == ["kind", "perspective", "text", "unit_goal"]
    response = post(
        client,
        skp,
        "rencana",
        "rhk",
        **{
            "rhk-baru-kind": "utama",
            "rhk-baru-text": "Meningkatnya mutu",
            "rhk-baru-unit_goal": goal.pk,
        },
    )
    assert field_errors(response, "id_rhk-baru-perspective") == [
        "Pilih salah satu dari empat perspektif."
    ]
    assert Rhk.objects.filter(skp=skp).count() == 0
    post(
        client,
        skp,
        "rencana",
        "rhk",
        **{
            "rhk-baru-kind": "utama",
            "rhk-baru-text": "Meningkatnya mutu",
            "rhk-baru-unit_goal": goal.pk,
            "rhk-baru-perspective": "penerima_layanan",
        },
    )
    rhk = Rhk.objects.get(skp=skp)
    assert (rhk.unit_goal_id, rhk.perspective) == (goal.pk, "penerima_layanan")


def test_indicator_added_through_htmx_rerenders_the_rhk_card(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    [rhk] = rhks_of(skp)
    client = login(world, "staf1")
    response = client.post(
        tab_url(skp, "rencana"),
        {
            "aksi": "indikator",
            "rhk": rhk.pk,
            f"ind-{rhk.pk}-baru-text": "Persentase sekolah yang memakai kurikulum",
            f"ind-{rhk.pk}-baru-aspect": "kualitas",
            f"ind-{rhk.pk}-baru-target_value": "92,5",
            f"ind-{rhk.pk}-baru-target_unit": "persen",
        },
        HTTP_HX_REQUEST="true",
    )
    indicator = Indicator.objects.get(rhk=rhk, text="Persentase sekolah yang memakai kurikulum")
    assert (indicator.aspect, indicator.target_value, indicator.target_unit) == (
        "kualitas",
        Decimal("92.50"),
        "persen",
    )
    assert events(skp, "indicator_saved")[-1].payload["indicator"] == indicator.pk
    assert response["Location"] == f"{tab_url(skp, 'rencana')}?disimpan=rhk-{rhk.pk}"
    page = client.get(response["Location"]).content.decode()
    card = page.split(f'id="rhk-{rhk.pk}"')[1].split("</article>")[0]
    assert "Tersimpan." in text_of(card)
    assert "Persentase sekolah yang memakai kurikulum" in text_of(card)


def test_indicator_errors_stay_in_the_card_and_nothing_is_saved(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    [rhk] = rhks_of(skp)
    before = state(skp)
    response = login(world, "staf1").post(
        tab_url(skp, "rencana"),
        {
            "aksi": "indikator",
            "rhk": rhk.pk,
            f"ind-{rhk.pk}-baru-text": "Jumlah modul",
            f"ind-{rhk.pk}-baru-aspect": "kuantitas",
            f"ind-{rhk.pk}-baru-target_value": "banyak",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert field_errors(response, f"id_ind-{rhk.pk}-baru-target_value") == ["Isi dengan angka."]
    assert field_errors(response, f"id_ind-{rhk.pk}-baru-target_unit") == [
        "Satuan target wajib diisi."
    ]
    assert state(skp) == before


def test_indicator_from_the_library_fills_the_blank_fields(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    [rhk] = rhks_of(skp)
    template = IndicatorTemplate.objects.create(
        agency=world.org.agency,
        unit=None,
        code="LAY-01",
        text="Waktu tanggap pengaduan",
        aspect="waktu",
        target_unit="hari",
        default_target=Decimal(3),
    )
    IndicatorTemplate.objects.create(
        agency=world.org.agency,
        unit=world.org.units["SEKRE"],
        code="SEK-01",
        text="Indikator unit lain",
        aspect="kuantitas",
        target_unit="dokumen",
    )
    # The Dinas's own entry reaches the staff of its Seksi (Dinas > Bidang > Seksi).
    dinas = IndicatorTemplate.objects.create(
        agency=world.org.agency,
        unit=world.org.units["DISDIK"],
        code="DIK-01",
        text="Jumlah sekolah binaan",
        aspect="kuantitas",
        target_unit="sekolah",
    )
    client = login(world, "staf1")
    form = client.get(tab_url(skp, "rencana")).context["cards"][0].indicator_form
    assert [value for value, _label in form.fields["template"].choices] == [
        "",
        dinas.pk,
        template.pk,
    ]
    post(
        client,
        skp,
        "rencana",
        "indikator",
        rhk=rhk.pk,
        **{f"ind-{rhk.pk}-baru-template": template.pk},
    )
    indicator = Indicator.objects.get(rhk=rhk, template=template)
    assert (indicator.text, indicator.aspect, indicator.target_value, indicator.target_unit) == (
        "Waktu tanggap pengaduan",
        "waktu",
        Decimal("3.00"),
        "hari",
    )


def test_employee_edits_and_deletes_an_indicator(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    [rhk] = rhks_of(skp)
    indicator = rhk.indicators.get()
    client = login(world, "staf1")
    post(
        client,
        skp,
        "rencana",
        "indikator",
        rhk=rhk.pk,
        indikator=indicator.pk,
        **{
            f"ind-{indicator.pk}-text": "Jumlah dokumen yang disahkan",
            f"ind-{indicator.pk}-aspect": "kuantitas",
            f"ind-{indicator.pk}-target_value": "6",
            f"ind-{indicator.pk}-target_unit": "dokumen",
        },
    )
    indicator.refresh_from_db()
    assert (indicator.text, indicator.target_value) == ("Jumlah dokumen yang disahkan", Decimal(6))
    response = post(client, skp, "rencana", "indikator_hapus", rhk=rhk.pk, indikator=indicator.pk)
    assert response["Location"] == f"{tab_url(skp, 'rencana')}#rhk-{rhk.pk}"
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert events(skp, "indicator_deleted")[0].payload["indicator"] == indicator.pk


def test_action_plans_per_period(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    [rhk] = rhks_of(skp)
    client = login(world, "staf1")
    before = state(skp)
    response = post(client, skp, "rencana", "rencana_aksi", rhk=rhk.pk)
    assert field_errors(response, f"id_aksi-{rhk.pk}-baru-period_index") == [
        "Periode tidak termasuk masa SKP ini."
    ]
    assert field_errors(response, f"id_aksi-{rhk.pk}-baru-text") == [
        "Uraian rencana aksi wajib diisi."
    ]
    assert state(skp) == before
    post(
        client,
        skp,
        "rencana",
        "rencana_aksi",
        rhk=rhk.pk,
        **{
            f"aksi-{rhk.pk}-baru-period_index": "2",
            f"aksi-{rhk.pk}-baru-text": "Menyusun draf modul",
            f"aksi-{rhk.pk}-baru-target": "2 modul",
        },
    )
    plan = ActionPlan.objects.get(rhk=rhk)
    assert (plan.period_index, plan.text, plan.target) == (2, "Menyusun draf modul", "2 modul")
    assert events(skp, "action_plan_saved")[0].payload == {
        "event": "action_plan_saved",
        "action_plan": plan.pk,
        "period": 2,
    }
    post(client, skp, "rencana", "rencana_aksi_hapus", rhk=rhk.pk, rencana_aksi=plan.pk)
    assert not ActionPlan.objects.filter(pk=plan.pk).exists()
    assert len(events(skp, "action_plan_deleted")) == 1


def test_attachment(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    response = post(
        login(world, "staf1"),
        skp,
        "rencana",
        "lampiran",
        **{
            "lampiran-resources": "Anggaran BOS",
            "lampiran-accountability": "Laporan bulanan",
            "lampiran-consequences": "",
        },
    )
    assert response["Location"] == f"{tab_url(skp, 'rencana')}#lampiran"
    attachment = PlanAttachment.objects.get(skp=skp)
    assert (attachment.resources, attachment.accountability) == ("Anggaran BOS", "Laporan bulanan")
    assert len(events(skp, "attachment_saved")) == 1


def test_only_the_employee_drafts_and_a_refusal_is_a_message(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    before = state(skp)
    response = post(
        login(world, "kasi"), skp, "rencana", "lampiran", **{"lampiran-resources": "Diubah atasan"}
    )
    assert response.status_code == 200
    assert messages_of(response) == ["Hanya pegawai pemilik SKP yang boleh melakukan ini."]
    assert state(skp) == before
    # The appraiser sees the plan read-only.
    assert response.context["cards"][0].edit_form is None


def test_appraiser_writes_the_expectations_with_the_behaviour_guides(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    client = login(world, "kasi")
    page = client.get(tab_url(skp, "rencana"))
    form = page.context["expectations_form"]
    assert form.fields["akuntabel"].help_text == (
        "Jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi; Menggunakan "
        "barang milik negara secara bertanggung jawab, efektif, dan efisien; Tidak "
        "menyalahgunakan kewenangan jabatan."
    )
    response = post(
        client,
        skp,
        "rencana",
        "ekspektasi",
        **{f"ekspektasi-{k}": v for k, v in EXPECTATIONS.items()},
    )
    assert response["Location"] == f"{tab_url(skp, 'rencana')}#ekspektasi"
    assert BehaviourExpectation.objects.filter(skp=skp).count() == 7
    [entry] = events(skp, "expectations_saved")
    assert entry.capacity == "Kepala Seksi Kurikulum"
    # The employee may not write them: a message, nothing written.
    before = state(skp)
    response = post(
        login(world, "staf1"), skp, "rencana", "ekspektasi", **{"ekspektasi-loyal": "x"}
    )
    assert messages_of(response) == ["Hanya pejabat penilai pegawai ini yang boleh melakukan ini."]
    assert state(skp) == before


def test_submit_lists_what_the_plan_still_lacks_and_changes_nothing(world: SkpWorld) -> None:
    skp = world.skp("staf2")
    before = state(skp)
    response = post(login(world, "staf2"), skp, "rencana", "ajukan")
    assert response.status_code == 200
    assert problems_of(response) == ["Rencana belum punya RHK utama."]
    assert state(skp) == before


def test_submit_return_fix_resubmit_approve(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    employee, appraiser = login(world, "staf1"), login(world, "kasi")
    response = post(employee, skp, "rencana", "ajukan", **{"ajukan-comment": "Mohon diperiksa"})
    assert response.status_code == 302
    assert stage_of(skp) == "agree_plan"
    # Not agreed yet: the badge says what it waits for, on the page and in the list.
    page = employee.get(tab_url(skp, "rencana"))
    assert str(page.context["header"].phase_label) == "Menunggu persetujuan rencana"
    listed = employee.get(reverse("skp:my_list")).content.decode()
    assert "Menunggu persetujuan rencana" in listed

    # A return needs a reason.
    before = state(skp)
    response = post(appraiser, skp, "rencana", "kembalikan")
    assert field_errors(response, "id_kembalikan-reason") == ["Alasan wajib diisi."]
    assert state(skp) == before
    post(appraiser, skp, "rencana", "kembalikan", **{"kembalikan-reason": "Target terlalu rendah."})
    assert stage_of(skp) == "draft_plan"
    returned = AuditEntry.objects.get(case__skp=skp, code=AuditCode.CASE_RETURNED)
    assert (returned.reason, returned.actor_id) == ("Target terlalu rendah.", world.user("kasi").pk)
    page = employee.get(tab_url(skp, "rencana"))
    assert page.context["returned"] == returned
    assert "Target terlalu rendah." in text_of(page.content.decode())

    post(employee, skp, "rencana", "ajukan")
    # Approving without the seven expectations lists each missing one.
    before = state(skp)
    response = post(appraiser, skp, "rencana", "setujui")
    assert problems_of(response) == [
        f"Ekspektasi khusus untuk {value.label} belum diisi." for value in BerAkhlak
    ]
    assert state(skp) == before
    post(
        appraiser,
        skp,
        "rencana",
        "ekspektasi",
        **{f"ekspektasi-{k}": v for k, v in EXPECTATIONS.items()},
    )
    response = post(appraiser, skp, "rencana", "setujui", **{"setujui-comment": "Disetujui"})
    assert response.status_code == 302
    version = PlanVersion.objects.get(skp=skp)
    assert (version.number, version.agreed_by_id) == (1, world.user("kasi").pk)
    assert stage_of(skp) == "monitor"
    page = employee.get(tab_url(skp, "rencana"))
    assert [view.version.number for view in page.context["versions"]] == [1]
    assert page.context["versions"][0].rhks[0].text == "Tersusunnya dokumen kurikulum 1"


def test_revision_during_monitoring_needs_a_reason(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    skp = world.skp("kasi")
    client = login(world, "kasi")
    before = state(skp)
    response = post(client, skp, "rencana", "perubahan", **{"perubahan-reason": "  "})
    assert field_errors(response, "id_perubahan-reason") == ["Alasan wajib diisi."]
    assert state(skp) == before
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            skp,
            "rencana",
            "perubahan",
            **{"perubahan-reason": "Ada tugas tambahan dari kepala dinas."},
        )
    assert stage_of(skp) == "draft_plan"
    assert Skp.objects.get(pk=skp.pk).revision_reason == "Ada tugas tambahan dari kepala dinas."
    # What was monitored stays visible while the plan is revised.
    assert client.get(tab_url(skp, "pemantauan")).status_code == 200
    # The employee's own request reads as such: not a return, no notice of it to themselves.
    plan_page = client.get(tab_url(skp, "rencana"))
    assert plan_page.context["returned"] is None
    assert "Perubahan rencana diajukan" in plan_page.content.decode()
    # Only the new drafting task reaches the employee.
    assert [note.title for note in Notification.objects.filter(recipient=world.user("kasi"))] == [
        "Tugas baru: Penyusunan rencana SKP"
    ]
    history = client.get(tab_url(skp, "riwayat")).content.decode()
    assert "Ditarik kembali untuk diubah" in history


# The monitoring tab ---------------------------------------------------------------------------


def monitoring_post(client: Client, skp: Skp, aksi: str, period: int = 4, /, **data: Any) -> Any:
    return client.post(tab_url(skp, "pemantauan"), {"aksi": aksi, "periode": period, **data})


def test_realisation_through_the_page(world: SkpWorld) -> None:
    skp = world.skp("kasi")
    indicator = Indicator.objects.get(rhk__skp=skp)
    client = login(world, "kasi")
    key = f"realisasi-{indicator.pk}-2"
    before = state(skp)
    response = monitoring_post(
        client, skp, "realisasi", 2, indikator=indicator.pk, **{f"{key}-value": "dua"}
    )
    assert field_errors(response, f"id_{key}-value") == ["Isi dengan angka."]
    assert state(skp) == before
    response = monitoring_post(
        client,
        skp,
        "realisasi",
        2,
        indikator=indicator.pk,
        **{f"{key}-value": "1,5", f"{key}-note": "Dua draf"},
    )
    assert (
        response["Location"] == f"{tab_url(skp, 'pemantauan')}?periode=2#indikator-{indicator.pk}"
    )
    realisation = Realisation.objects.get(indicator=indicator, period_index=2)
    assert (realisation.value, realisation.note) == (Decimal("1.50"), "Dua draf")
    [entry] = events(skp, "realisation_saved")
    assert entry.payload["value"] == "1.50"
    page = client.get(f"{tab_url(skp, 'pemantauan')}?periode=2")
    [cell] = [view.cell for rhk in page.context["rhk_views"] for view in rhk.indicators]
    # A count's quarter is measured against the quarter's share of the yearly target (4 / 4).
    assert (cell.target, cell.achievement) == (Decimal(1), Decimal("150.00"))
    assert "Target 4 dokumen Target periode ini 1 dokumen Realisasi 1,50 Capaian 150%" in text_of(
        page.content.decode()
    )


def test_appraiser_enters_realisations_where_the_agency_says_so(world: SkpWorld) -> None:
    set_settings(world, employee_enters_realisation=False)
    skp = world.skp("kasi")
    indicator = Indicator.objects.get(rhk__skp=skp)
    key = f"realisasi-{indicator.pk}-4"
    employee_page = login(world, "kasi").get(tab_url(skp, "pemantauan"))
    assert employee_page.context["rhk_views"][0].indicators[0].realisation_form is None
    before = state(skp)
    response = monitoring_post(
        login(world, "kasi"), skp, "realisasi", indikator=indicator.pk, **{f"{key}-value": "1"}
    )
    assert messages_of(response) == ["Realisasi di instansi ini diisi oleh pejabat penilai."]
    assert state(skp) == before
    monitoring_post(
        login(world, "kabid"), skp, "realisasi", indikator=indicator.pk, **{f"{key}-value": "1"}
    )
    assert Realisation.objects.get(indicator=indicator).updated_by_id == world.user("kabid").pk


def test_progress_on_a_rencana_aksi(world: SkpWorld) -> None:
    skp = world.skp("kasi")
    plan = ActionPlan.objects.get(rhk__skp=skp, period_index=4)
    client = login(world, "kasi")
    before = state(skp)
    response = monitoring_post(client, skp, "kemajuan", rencana_aksi=plan.pk)
    assert field_errors(response, f"id_kemajuan-{plan.pk}-progress_note") == [
        "Uraian kemajuan wajib diisi."
    ]
    assert state(skp) == before
    monitoring_post(
        client,
        skp,
        "kemajuan",
        rencana_aksi=plan.pk,
        **{f"kemajuan-{plan.pk}-progress_note": "Draf selesai 80%"},
    )
    plan.refresh_from_db()
    assert plan.progress_note == "Draf selesai 80%"
    assert len(events(skp, "action_plan_progress_saved")) == 1


def test_evidence_upload_through_the_page(world: SkpWorld) -> None:
    skp = world.skp("kasi")
    indicator = Indicator.objects.get(rhk__skp=skp)
    client = login(world, "kasi")
    key = f"bukti-{indicator.pk}-4"
    page = client.get(tab_url(skp, "pemantauan"))
    file_input = re.search(rf'<input[^>]*name="{key}-file"[^>]*>', page.content.decode())
    assert file_input is not None
    assert 'accept=".docx,.jpeg,.jpg,.pdf,.png,.xlsx"' in file_input.group(0)
    assert "Paling besar 10 MB." in text_of(page.content.decode())

    before = state(skp)
    response = monitoring_post(
        client,
        skp,
        "bukti",
        indikator=indicator.pk,
        **{f"{key}-file": upload("program.exe", b"MZ\x90\x00")},
    )
    assert field_errors(response, f"id_{key}-file") == ["Jenis berkas .exe tidak diterima."]
    response = monitoring_post(client, skp, "bukti", indikator=indicator.pk)
    assert field_errors(response, f"id_{key}-file") == ["Pilih berkas atau isi tautan."]
    response = monitoring_post(
        client, skp, "bukti", indikator=indicator.pk, **{f"{key}-url": "javascript:alert(1)"}
    )
    assert field_errors(response, f"id_{key}-url") == [
        "Tautan harus alamat lengkap yang diawali http:// atau https://."
    ]
    assert state(skp) == before

    response = monitoring_post(
        client,
        skp,
        "bukti",
        indikator=indicator.pk,
        **{
            f"{key}-file": upload("Notulen rapat.pdf", PDF, "application/pdf"),
            f"{key}-note": "Notulen",
        },
    )
    assert (
        response["Location"] == f"{tab_url(skp, 'pemantauan')}?periode=4#indikator-{indicator.pk}"
    )
    evidence = Evidence.objects.get(skp=skp)
    assert (
        evidence.original_name,
        evidence.indicator_id,
        evidence.period_index,
        evidence.note,
    ) == (
        "Notulen rapat.pdf",
        indicator.pk,
        4,
        "Notulen",
    )
    [entry] = events(skp, "evidence_added")
    assert entry.payload["name"] == "Notulen rapat.pdf"
    listing = client.get(tab_url(skp, "pemantauan")).content.decode()
    download = reverse("skp:evidence_download", kwargs={"evidence_id": evidence.pk})
    assert f'<a href="{download}">Notulen rapat.pdf</a>' in listing
    # Deleting asks first; only the uploader is offered it.
    assert (
        'data-confirm="Hapus bukti dukung «Notulen rapat.pdf»? Berkas yang dihapus tidak '
        'dapat dikembalikan."' in listing
    )
    appraiser_view = login(world, "kabid").get(tab_url(skp, "pemantauan")).content.decode()
    assert f'<a href="{download}">Notulen rapat.pdf</a>' in appraiser_view
    assert "data-confirm" not in appraiser_view
    # The appraiser downloads it.
    assert login(world, "kabid").get(download).status_code == 200

    monitoring_post(
        client, skp, "bukti", **{"bukti-umum-4-url": "https://drive.example.go.id/laporan"}
    )
    link = Evidence.objects.get(skp=skp, url="https://drive.example.go.id/laporan")
    assert (link.indicator_id, link.period_index) == (None, 4)

    monitoring_post(client, skp, "bukti_hapus", bukti=link.pk)
    assert not Evidence.objects.filter(pk=link.pk).exists()
    assert len(events(skp, "evidence_deleted")) == 1
    # Only the uploader may delete: the appraiser gets a message.
    before = state(skp)
    response = monitoring_post(login(world, "kabid"), skp, "bukti_hapus", bukti=evidence.pk)
    assert messages_of(response) == ["Hanya pengunggah bukti dukung yang boleh menghapusnya."]
    assert state(skp) == before


def test_feedback_per_indicator_and_per_value(world: SkpWorld) -> None:
    skp = world.skp("kasi")
    indicator = Indicator.objects.get(rhk__skp=skp)
    appraiser = login(world, "kabid")
    key = f"umpan-{indicator.pk}-4"
    before = state(skp)
    response = monitoring_post(appraiser, skp, "umpan_balik", indikator=indicator.pk)
    assert field_errors(response, f"id_{key}-text") == ["Isi umpan balik wajib diisi."]
    assert state(skp) == before
    monitoring_post(
        appraiser,
        skp,
        "umpan_balik",
        indikator=indicator.pk,
        **{f"{key}-text": "Percepat finalisasi."},
    )
    feedback = Feedback.objects.get(skp=skp, indicator=indicator)
    assert (feedback.text, feedback.period_index, feedback.capacity) == (
        "Percepat finalisasi.",
        4,
        "Kepala Bidang Pembinaan SD",
    )
    response = monitoring_post(appraiser, skp, "umpan_balik_nilai", **{"umpan-nilai-text": "Bagus"})
    assert field_errors(response, "id_umpan-nilai-value") == [
        "Pilih nilai BerAKHLAK yang diberi umpan balik."
    ]
    monitoring_post(
        appraiser,
        skp,
        "umpan_balik_nilai",
        **{"umpan-nilai-value": "kompeten", "umpan-nilai-text": "Aktif berbagi ilmu."},
    )
    assert Feedback.objects.get(skp=skp, value="kompeten").text == "Aktif berbagi ilmu."
    assert len(events(skp, "feedback_given")) == 2
    # Everyone who may see the SKP reads it; the employee has no form.
    page = login(world, "kasi").get(tab_url(skp, "pemantauan"))
    assert page.context["value_feedback_form"] is None
    assert [item.text for item in page.context["values"][2].feedback] == ["Aktif berbagi ilmu."]


def test_dialog_kinerja(world: SkpWorld) -> None:
    skp = world.skp("kasi")
    appraiser = login(world, "kabid")
    before = state(skp)
    response = monitoring_post(
        appraiser,
        skp,
        "dialog",
        **{
            "dialog-held_on": "2026-11-25",
            "dialog-agenda": "Kemajuan",
            "dialog-outcome": "Sepakat",
        },
    )
    assert field_errors(response, "id_dialog-held_on") == [
        "Tanggal dialog tidak boleh di masa depan."
    ]
    response = monitoring_post(appraiser, skp, "dialog", **{"dialog-agenda": "Kemajuan"})
    assert field_errors(response, "id_dialog-held_on") == ["Isi tanggal dialog."]
    assert state(skp) == before
    monitoring_post(
        appraiser,
        skp,
        "dialog",
        **{
            "dialog-held_on": "19/11/2026",
            "dialog-agenda": "Kemajuan",
            "dialog-outcome": "Sepakat",
        },
    )
    dialog = PerformanceDialog.objects.get(skp=skp)
    assert (dialog.kind, dialog.held_on, dialog.period_index) == (
        "coaching",
        datetime.date(2026, 11, 19),
        4,
    )
    assert len(events(skp, "dialog_recorded")) == 1


def test_daily_activities_one_and_pasted_with_one_bad_line(world: SkpWorld) -> None:
    set_settings(world, daily_activities_enabled=True)
    skp = world.skp("kasi")
    client = login(world, "kasi")
    before = state(skp)
    response = monitoring_post(
        client, skp, "harian", **{"harian-day": "2027-01-04", "harian-description": "Rapat"}
    )
    assert field_errors(response, "id_harian-day") == [
        "Tanggal di luar masa SKP (01/01/2026 s.d. 31/12/2026)."
    ]
    text = (
        "16/11/2026; Menyusun draf modul; 2; dokumen\n"
        "\n"
        "32/13/2026; Rapat koordinasi\n"
        "18/11/2026; Verifikasi data sekolah"
    )
    response = monitoring_post(client, skp, "harian_tempel", **{"tempel-lines": text})
    assert field_errors(response, "id_tempel-lines") == [
        "Baris 3: Tanggal «32/13/2026» tidak dikenali; tulis DD/MM/YYYY."
    ]
    # A day the action refuses is reported on its own line too.
    response = monitoring_post(
        client, skp, "harian_tempel", **{"tempel-lines": "16/11/2026; Modul\n\n30/11/2026; Rapat"}
    )
    assert field_errors(response, "id_tempel-lines") == [
        "Baris 3: Tanggal tidak boleh di masa depan."
    ]
    assert state(skp) == before

    monitoring_post(
        client,
        skp,
        "harian",
        **{"harian-day": "2026-11-19", "harian-description": "Rapat", "harian-quantity": "1"},
    )
    response = monitoring_post(
        client, skp, "harian_tempel", **{"tempel-lines": text.replace("32/13/2026", "17/11/2026")}
    )
    assert response.status_code == 302
    assert list(
        DailyActivity.objects.filter(skp=skp)
        .order_by("day")
        .values_list("day", "description", "quantity")
    ) == [
        (datetime.date(2026, 11, 16), "Menyusun draf modul", Decimal(2)),
        (datetime.date(2026, 11, 17), "Rapat koordinasi", Decimal(1)),
        (datetime.date(2026, 11, 18), "Verifikasi data sekolah", Decimal(1)),
        (datetime.date(2026, 11, 19), "Rapat", Decimal(1)),
    ]
    assert [entry.payload["count"] for entry in events(skp, "daily_activities_added")] == [1, 3]


def test_daily_activities_are_corrected_and_deleted_on_the_page(world: SkpWorld) -> None:
    set_settings(world, daily_activities_enabled=True)
    skp = world.skp("kasi")
    client = login(world, "kasi")
    first_day, last_day = datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)
    expected_day = min(max(today_for(skp), first_day), last_day)

    page = client.get(tab_url(skp, "pemantauan"), {"periode": 4})
    # The new entry starts on today (in the agency's zone), inside the period shown.
    assert page.context["daily_form"]["day"].value() == expected_day
    monitoring_post(
        client,
        skp,
        "harian_tempel",
        **{"tempel-lines": "05/10/2026; Rapt kurikulum\n06/10/2026; Verifikasi data"},
    )
    typo, other = DailyActivity.objects.filter(skp=skp).order_by("day")
    page = client.get(tab_url(skp, "pemantauan"), {"periode": 4})
    html = page.content.decode()
    assert f'id="id_harian-{typo.pk}-description"' in html
    assert 'data-confirm="Hapus kegiatan tanggal 5 Okt 2026?"' in html

    before = state(skp)
    key = f"harian-{typo.pk}"
    response = monitoring_post(
        client,
        skp,
        "harian_ubah",
        kegiatan=typo.pk,
        **{f"{key}-day": "05/10/2026", f"{key}-description": " ", f"{key}-quantity": "0"},
    )
    assert field_errors(response, f"id_{key}-description") == ["Uraian kegiatan wajib diisi."]
    assert field_errors(response, f"id_{key}-quantity") == ["Isi dengan angka lebih dari 0."]
    assert state(skp) == before
    # The appraiser cannot change the employee's log.
    appraiser = login(world, "kabid")
    refused = monitoring_post(appraiser, skp, "harian_hapus", kegiatan=other.pk)
    assert refused.status_code == 200
    assert state(skp) == before

    response = monitoring_post(
        client,
        skp,
        "harian_ubah",
        kegiatan=typo.pk,
        **{
            f"{key}-day": "05/10/2026",
            f"{key}-description": "Rapat kurikulum",
            f"{key}-quantity": "2",
            f"{key}-output_unit": "kegiatan",
        },
    )
    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == ["Kegiatan harian diubah."]
    response = monitoring_post(client, skp, "harian_hapus", kegiatan=other.pk)
    assert response.status_code == 302
    assert list(
        DailyActivity.objects.filter(skp=skp).values_list(
            "day", "description", "quantity", "output_unit"
        )
    ) == [(datetime.date(2026, 10, 5), "Rapat kurikulum", Decimal(2), "kegiatan")]
    assert len(events(skp, "daily_activity_changed")) == 1
    assert len(events(skp, "daily_activity_deleted")) == 1


def test_period_report_and_rating(world: SkpWorld) -> None:
    set_settings(world, period_report_required=True)
    skp = world.skp("kasi")
    employee, appraiser = login(world, "kasi"), login(world, "kabid")
    before = state(skp)
    response = monitoring_post(employee, skp, "laporan", 4, **{"laporan-4-report": "Belum"})
    assert form_errors(response) == [
        "Laporan capaian Triwulan IV dapat diserahkan mulai 24 Des 2026."
    ]
    response = monitoring_post(appraiser, skp, "nilai_periode", 3)
    assert field_errors(response, "id_nilai-3-rating_hasil") == ["Pilih rating hasil kerja."]
    assert field_errors(response, "id_nilai-3-rating_perilaku") == ["Pilih rating perilaku kerja."]
    assert state(skp) == before

    monitoring_post(employee, skp, "laporan", 3, **{"laporan-3-report": "Semua draf selesai."})
    monitoring_post(
        appraiser,
        skp,
        "nilai_periode",
        3,
        **{
            "nilai-3-rating_hasil": "above",
            "nilai-3-rating_perilaku": "above",
            "nilai-3-predikat": "sangat_kurang",
        },
    )
    evaluation = PeriodEvaluation.objects.get(skp=skp, period_index=3)
    assert (evaluation.report, evaluation.predikat) == ("Semua draf selesai.", "sangat_baik")
    assert [entry.payload["predikat"] for entry in events(skp, "period_rated")] == ["sangat_baik"]
    page = employee.get(f"{tab_url(skp, 'pemantauan')}?periode=3")
    assert "Sangat Baik" in text_of(
        page.content.decode().split('id="evaluasi"')[1].split("</section>")[0]
    )


def test_extra_aspect_rating(world: SkpWorld) -> None:
    set_settings(world, extra_aspects=[{"code": "kompetensi", "name": "Kompetensi teknis"}])
    skp = world.skp("kasi")
    appraiser = login(world, "kabid")
    before = state(skp)
    response = monitoring_post(appraiser, skp, "aspek", **{"aspek-aspect": "kompetensi"})
    assert field_errors(response, "id_aspek-rating") == ["Pilih rating."]
    assert state(skp) == before
    monitoring_post(
        appraiser, skp, "aspek", **{"aspek-aspect": "kompetensi", "aspek-rating": "as_expected"}
    )
    rating = ExtraAspectRating.objects.get(skp=skp)
    assert (rating.aspect, rating.rating, rating.period_index) == (
        "kompetensi",
        "as_expected",
        None,
    )
    assert len(events(skp, "extra_aspect_rated")) == 1


def test_finish_monitoring_lists_what_is_missing_then_moves_on(world: SkpWorld) -> None:
    skp = world.skp("kasi")
    client = login(world, "kasi")
    before = state(skp)
    response = monitoring_post(client, skp, "selesai")
    assert problems_of(response) == [
        "Realisasi indikator «Jumlah dokumen kurikulum 1 yang disahkan» belum diisi untuk "
        "Triwulan I, Triwulan II, Triwulan III, Triwulan IV."
    ]
    assert state(skp) == before
    enter_realisations(world, "kasi")
    response = monitoring_post(client, skp, "selesai", **{"selesai-comment": "Lengkap"})
    assert response.status_code == 302
    assert stage_of(skp) == "self_assess"
    task = WorkItem.objects.get(process__case__skp=skp, stage_key="monitor")
    assert task.outcome == "finished"


def test_chart_data_and_table(world: SkpWorld) -> None:
    skp = world.skp("kasi")
    enter_realisations(world, "kasi")
    response = login(world, "kabid").get(tab_url(skp, "pemantauan"))
    assert response.context["chart"] == {
        "periods": ["Triwulan I", "Triwulan II", "Triwulan III", "Triwulan IV"],
        "series": [
            {
                "label": "Jumlah dokumen kurikulum 1 yang disahkan",
                "data": [100.0, 100.0, 100.0, 100.0],
            }
        ],
        "axis": "Capaian (%)",
    }
    page = response.content.decode()
    assert '<script id="grafik-capaian" type="application/json">' in page
    assert "<summary>Tabel capaian per periode</summary>" in page


# Self-assessment ------------------------------------------------------------------------------


def test_self_assessment_save_and_send(assessed: SkpWorld) -> None:
    skp = assessed.skp("guru")
    client = login(assessed, "guru")
    rhk_texts, value_texts = summaries(assessed, "guru")
    before = state(skp)
    response = client.post(tab_url(skp, "mandiri"), {"aksi": "kirim"})
    assert problems_of(response)[0] == (
        "Penilaian mandiri untuk RHK «Tersusunnya dokumen kurikulum 1» belum diisi."
    )
    assert len(problems_of(response)) == 8
    assert state(skp) == before
    data = {f"mandiri-rhk_{pk}": text for pk, text in rhk_texts.items()}
    data.update({f"mandiri-nilai_{value}": text for value, text in value_texts.items()})
    response = client.post(tab_url(skp, "mandiri"), {"aksi": "simpan", **data})
    assert response.status_code == 302
    assert SelfAssessment.objects.filter(skp=skp).count() == 8
    [entry] = events(skp, "self_assessment_saved")
    assert entry.payload["values"] == sorted(value_texts)
    client.post(tab_url(skp, "mandiri"), {"aksi": "kirim", "kirim-comment": "Selesai"})
    assert stage_of(skp) == "rate"
    # Read-only now, for everyone.
    page = login(assessed, "kabid").get(tab_url(skp, "mandiri"))
    assert (page.context["editable"], page.context["form"]) == (False, None)
    assert page.context["value_items"][0].text == value_texts["berorientasi_pelayanan"]


def test_kirim_saves_what_was_typed_then_sends_or_keeps_it_when_refused(
    assessed: SkpWorld,
) -> None:
    skp = assessed.skp("guru")
    client = login(assessed, "guru")
    rhk_texts, value_texts = summaries(assessed, "guru")
    data = {f"mandiri-rhk_{pk}": text for pk, text in rhk_texts.items()}
    data.update({f"mandiri-nilai_{value}": text for value, text in value_texts.items()})
    partial_data = {**data, "mandiri-nilai_kolaboratif": ""}
    page = client.get(tab_url(skp, "mandiri")).content.decode()

    refused = client.post(tab_url(skp, "mandiri"), {"aksi": "kirim", **partial_data})
    kept = SelfAssessment.objects.filter(skp=skp).count()
    stage_after_refusal = stage_of(skp)
    sent = client.post(tab_url(skp, "mandiri"), {"aksi": "kirim", **data, "kirim-comment": "Ok"})

    # One form: the summaries and the "Kirim" button travel together.
    assert page.count(f'action="{tab_url(skp, "mandiri")}"') == 1
    assert 'name="aksi" value="kirim"' in page
    assert problems_of(refused) == ["Penilaian mandiri untuk nilai Kolaboratif belum diisi."]
    assert refused.context["form"]["nilai_adaptif"].value() == value_texts["adaptif"]
    assert (kept, stage_after_refusal) == (7, "self_assess")
    assert sent.status_code == 302
    assert SelfAssessment.objects.filter(skp=skp).count() == 8
    assert stage_of(skp) == "rate"


def test_history_shows_the_timeline_versions_and_results(assessed: SkpWorld) -> None:
    skp = assessed.skp("guru")
    page = login(assessed, "guru").get(tab_url(skp, "riwayat"))
    assert [version.number for version in page.context["versions"]] == [1]
    assert page.context["records"] == []
    text = text_of(page.content.decode())
    assert "Tahap selesai : Pemantauan kinerja dan bukti dukung → Penilaian mandiri" in text


# Query counts -----------------------------------------------------------------------------------


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_skp_page_costs_the_same_for_one_and_six_rhk(
    world: SkpWorld, django_assert_num_queries: Any
) -> None:
    # Plans being drafted: staf1 has one RHK, staf2 six (with rencana aksi).
    draft_plan(world, "staf2", rhk_count=6)
    for skp_name in ("staf1", "staf2"):
        skp = world.skp(skp_name)
        for rhk in rhks_of(skp):
            plan_actions.save_action_plan(
                skp_id=skp.pk,
                actor=world.user(skp_name),
                rhk_id=rhk.pk,
                period_index=1,
                text="Aksi",
            )
    one = count_queries(login(world, "staf1"), tab_url(world.skp("staf1"), "rencana"))
    client, url = login(world, "staf2"), tab_url(world.skp("staf2"), "rencana")
    with django_assert_num_queries(one):
        client.get(url)

    # Monitored: kasi has one RHK, sekdis six; both with realisations, evidence and feedback.
    reach_monitoring(world, "sekdis", rhk_count=6)
    for who in ("kasi", "sekdis"):
        enter_realisations(world, who)
        skp = world.skp(who)
        for indicator in Indicator.objects.filter(rhk__skp=skp):
            monitoring_actions.add_evidence_link(
                skp_id=skp.pk,
                actor=world.user(who),
                url="https://contoh.go.id/a",
                indicator_id=indicator.pk,
                period_index=4,
            )
    one = count_queries(login(world, "kasi"), tab_url(world.skp("kasi"), "pemantauan"))
    client, url = login(world, "sekdis"), tab_url(world.skp("sekdis"), "pemantauan")
    with django_assert_num_queries(one):
        client.get(url)
