"""The task inbox pages: each tab's rows per user, claim and release, constant queries.

Also the case includes other pages use: the timeline and the diagram of a case.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.utils import timezone
from viewflow.workflow.status import STATUS

from tests.workflow.conftest import World, complete_stage, open_tasks, set_data, snapshot
from workflow import actions, selectors
from workflow.designer import create_template, publish_template
from workflow.models import AuditCode, AuditEntry, Case, Delegation, Notification, WorkItem
from workflow.registry import get_process
from workflow.spec import Phase, Role, StageSpec

MINE = "/tugas/"
QUEUE = "/tugas/antrean/"
OVERDUE = "/tugas/terlambat/"
DONE = "/tugas/selesai/"


def rows(response: Any) -> list[tuple[str, str]]:
    """Return (case title, stage name) of each row the page shows."""
    return [(row.case.title, row.stage_name) for row in response.context["rows"]]


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def pool_template(world: World, code: str = "antrean") -> Any:
    """A one-stage template whose only stage is an HR pool (claimed from the queue)."""
    template = create_template(
        tenant_id=world.tenant.pk,
        process_kind="demo",
        code=code,
        name="Antrean",
        actor=world.admin,
        stages=[StageSpec("finalise", "Penetapan", Phase.FINAL, Role.HR, sla_days=3)],
    )
    publish_template(template_id=template.pk, actor=world.admin)
    return template


def start_pool(world: World, count: int = 1) -> list[Case]:
    template = pool_template(world)
    return [
        actions.start_case(
            template=template, subject_id=world.employee.pk, title=f"Antrean {i}", actor=world.admin
        )
        for i in range(count)
    ]


def at_agree(world: World) -> Case:
    """A case whose appraiser must agree the plan (draft completed by the employee)."""
    case = world.start()
    set_data(case, plan_ready=True)
    complete_stage(world, case)
    case.refresh_from_db()
    assert case.stage_key == "agree_plan"
    return case


# My tasks ------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client: Any, world: World) -> None:
    response = client.get(MINE)

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/tugas/"


def test_my_tasks_show_the_owner_their_task_and_nobody_else(client: Any, world: World) -> None:
    case = world.start()
    client.force_login(world.employee)

    response = client.get(MINE)

    assert response.status_code == 200
    assert rows(response) == [("Dokumen uji", "Menyusun rencana")]
    [row] = response.context["rows"]
    assert (row.phase_label, row.capacity, row.can_release) == ("Penyusunan rencana", "", False)
    html = response.content.decode()
    assert '<dd class="task-stage">Menyusun rencana</dd>' in html
    assert '<dd class="task-phase">Penyusunan rencana</dd>' in html
    assert f'id="tugas-{open_tasks(case)[0].pk}"' in html
    for other in (world.appraiser, world.outsider, world.hr[0]):
        client.force_login(other)
        assert rows(client.get(MINE)) == []


def test_my_tasks_link_to_the_process_page_of_the_case(client: Any, world: World) -> None:
    case = world.start()
    definition = get_process("demo")
    definition.case_url = lambda case: f"/dokumen/{case.pk}/"
    client.force_login(world.employee)

    html = client.get(MINE).content.decode()

    assert f'<a href="/dokumen/{case.pk}/">Dokumen uji</a>' in html


def test_a_delegate_sees_the_principals_task_with_the_capacity(client: Any, world: World) -> None:
    at_agree(world)
    today = timezone.localdate()
    Delegation.objects.create(
        tenant=world.tenant,
        principal=world.appraiser,
        delegate=world.outsider,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1),
        capacity_label="Plt. Kepala Bidang",
        reference="SK 800/7/2026",
    )

    client.force_login(world.outsider)
    response = client.get(MINE)

    assert rows(response) == [("Dokumen uji", "Menyetujui rencana")]
    [row] = response.context["rows"]
    assert row.capacity == "a.n. Penilai (Plt. Kepala Bidang (SK 800/7/2026))"
    assert (
        '<dd class="task-capacity">a.n. Penilai (Plt. Kepala Bidang (SK 800/7/2026))</dd>'
        in response.content.decode()
    )
    client.force_login(world.appraiser)
    owner_rows = client.get(MINE).context["rows"]
    assert [(row.stage_name, row.capacity) for row in owner_rows] == [("Menyetujui rencana", "")]
    client.force_login(world.supervisor)
    assert rows(client.get(MINE)) == []


def test_an_expired_delegation_shows_nothing(client: Any, world: World) -> None:
    at_agree(world)
    today = timezone.localdate()
    Delegation.objects.create(
        tenant=world.tenant,
        principal=world.appraiser,
        delegate=world.outsider,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=2),
        capacity_label="Plt. Kepala Bidang",
    )
    client.force_login(world.outsider)

    assert rows(client.get(MINE)) == []


# Queue, claim and release --------------------------------------------------------------


def test_the_queue_shows_pool_tasks_to_candidates_only(client: Any, world: World) -> None:
    start_pool(world)

    for candidate in world.hr:
        client.force_login(candidate)
        response = client.get(QUEUE)
        assert rows(response) == [("Antrean 0", "Penetapan")]
        assert ">Ambil<" in response.content.decode()
        mine = client.get(MINE)
        assert rows(mine) == []
        # An empty "Tugas saya" points to the claimable task.
        assert 'id="queue-waiting"' in mine.content.decode()
    for other in (world.employee, world.outsider, world.admin):
        client.force_login(other)
        assert rows(client.get(QUEUE)) == []
        assert 'id="queue-waiting"' not in client.get(MINE).content.decode()


def test_claim_through_the_page_then_release(client: Any, world: World) -> None:
    [case] = start_pool(world)
    [task] = open_tasks(case)
    client.force_login(world.hr[0])

    response = client.post(f"/tugas/{task.pk}/ambil/", follow=True)

    assert response.redirect_chain == [("/tugas/", 302)]
    assert messages_of(response) == ["Tugas diambil dan kini ada di Tugas saya."]
    assert rows(response) == [("Antrean 0", "Penetapan")]
    [row] = response.context["rows"]
    assert row.can_release is True
    assert ">Lepas<" in response.content.decode()
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.ASSIGNED, world.hr[0].pk)
    assert AuditEntry.objects.get(case=case, code=AuditCode.TASK_CLAIMED).actor_id == (
        world.hr[0].pk
    )
    client.force_login(world.hr[1])
    assert rows(client.get(QUEUE)) == []

    client.force_login(world.hr[0])
    response = client.post(f"/tugas/{task.pk}/lepas/", follow=True)

    assert response.redirect_chain == [("/tugas/", 302)]
    assert messages_of(response) == ["Tugas dilepas dan kembali ke antrean tim."]
    assert rows(response) == []
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.NEW, None)
    assert AuditEntry.objects.get(case=case, code=AuditCode.TASK_RELEASED).actor_id == (
        world.hr[0].pk
    )
    client.force_login(world.hr[1])
    assert rows(client.get(QUEUE)) == [("Antrean 0", "Penetapan")]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("outsider", "Anda bukan pelaksana tahap ini."),
        ("hr1_after_hr0", "Tugas ini sudah diambil orang lain."),
    ],
)
def test_a_refused_claim_shows_the_message_and_changes_nothing(
    client: Any, world: World, who: str, message: str
) -> None:
    [case] = start_pool(world)
    [task] = open_tasks(case)
    actor = world.outsider
    if who == "hr1_after_hr0":
        actions.claim_task(task_id=task.pk, actor=world.hr[0])
        actor = world.hr[1]
    before = snapshot(case.pk)
    client.force_login(actor)

    response = client.post(f"/tugas/{task.pk}/ambil/", follow=True)

    assert response.redirect_chain == [("/tugas/antrean/", 302)]
    assert messages_of(response) == [message]
    assert snapshot(case.pk) == before


def test_a_refused_release_shows_the_message_and_changes_nothing(client: Any, world: World) -> None:
    [case] = start_pool(world)
    [task] = open_tasks(case)
    actions.claim_task(task_id=task.pk, actor=world.hr[0])
    before = snapshot(case.pk)
    client.force_login(world.hr[1])

    response = client.post(f"/tugas/{task.pk}/lepas/", follow=True)

    assert messages_of(response) == ["Tugas ini bukan milik Anda."]
    assert snapshot(case.pk) == before


def test_an_assigned_task_has_no_release_button_and_cannot_be_released(
    client: Any, world: World
) -> None:
    case = world.start()
    [task] = open_tasks(case)
    before = snapshot(case.pk)
    client.force_login(world.employee)

    assert ">Lepas<" not in client.get(MINE).content.decode()
    response = client.post(f"/tugas/{task.pk}/lepas/", follow=True)

    assert messages_of(response) == ["Tugas ini ditetapkan untuk Anda dan tidak dapat dilepas."]
    assert snapshot(case.pk) == before


def test_claiming_a_missing_task_shows_a_message(client: Any, world: World) -> None:
    client.force_login(world.hr[0])

    response = client.post("/tugas/999999/ambil/", follow=True)

    assert messages_of(response) == ["Tugas tidak ditemukan."]


def test_claim_and_release_need_post(client: Any, world: World) -> None:
    [case] = start_pool(world)
    [task] = open_tasks(case)
    client.force_login(world.hr[0])

    assert client.get(f"/tugas/{task.pk}/ambil/").status_code == 405
    assert client.get(f"/tugas/{task.pk}/lepas/").status_code == 405
    task.refresh_from_db()
    assert task.owner_id is None


# Late and done -------------------------------------------------------------------------


def test_overdue_shows_only_late_tasks_with_the_late_mark(client: Any, world: World) -> None:
    late, on_time = world.start(), world.start(subject=world.peers[0])
    world.book.appraiser[world.peers[0].pk] = world.appraiser.pk
    past = timezone.now() - datetime.timedelta(hours=2)
    WorkItem.objects.filter(process_id=late.pk).update(due_at=past)
    client.force_login(world.employee)

    response = client.get(OVERDUE)

    assert rows(response) == [("Dokumen uji", "Menyusun rencana")]
    assert '<span class="badge badge-late">Terlambat</span>' in response.content.decode()
    client.force_login(world.peers[0])
    assert rows(client.get(OVERDUE)) == []
    assert rows(client.get(MINE)) == [("Dokumen uji", "Menyusun rencana")]
    assert on_time.pk != late.pk


def test_done_lists_what_the_user_completed(client: Any, world: World) -> None:
    at_agree(world)
    client.force_login(world.employee)

    response = client.get(DONE)

    assert rows(response) == [("Dokumen uji", "Menyusun rencana")]
    assert ">Lepas<" not in response.content.decode()
    client.force_login(world.appraiser)
    assert rows(client.get(DONE)) == []


def test_the_tabs_mark_the_current_one(client: Any, world: World) -> None:
    client.force_login(world.employee)

    html = client.get(QUEUE).content.decode()

    assert re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', html) == [
        ("/tugas/", "Kotak tugas"),
        ("/tugas/antrean/", "Antrean tim"),
    ]
    assert '<h2 id="tab-title">Antrean tim</h2>' in html


# Queries -------------------------------------------------------------------------------


def _subjects(world: World, count: int) -> list[Any]:
    subjects = [
        get_user_model().objects.create_user(f"p{i}", agency=world.tenant, first_name=f"P{i}")
        for i in range(count)
    ]
    for subject in subjects:
        world.book.appraiser[subject.pk] = world.appraiser.pk
    return subjects


INBOX_QUERIES = 11


@pytest.mark.parametrize("count", [1, 100])
def test_each_tab_costs_the_same_queries_for_1_or_100_tasks(
    client: Any, world: World, count: int, django_assert_num_queries: Any
) -> None:
    for subject in _subjects(world, count):
        case = world.start(subject=subject)
        set_data(case, plan_ready=True)
        complete_stage(world, case)
    WorkItem.objects.filter(stage_key="agree_plan").update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    start_pool(world, count)
    client.force_login(world.appraiser)
    client.get(MINE)  # the session is read once per request; warm nothing else
    # Seven for the page, and four for the main menu, which asks the installed processes
    # once per request whether to show their items (here the SKP team pages).

    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(MINE)
    assert len(response.context["rows"]) == min(count, 50)
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(OVERDUE)
    assert len(response.context["rows"]) == min(count, 50)
    client.force_login(world.hr[0])
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == min(count, 50)
    client.force_login(world.appraiser)
    for case in Case.objects.filter(stage_key="agree_plan"):
        complete_stage(world, case)
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(DONE)
    assert len(response.context["rows"]) == min(count, 50)


# The case includes ---------------------------------------------------------------------


def test_timeline_names_actor_capacity_stages_and_local_time(world: World) -> None:
    case = world.start()
    [draft] = open_tasks(case)
    actions.complete_task(task_id=draft.pk, actor=world.employee)
    set_data(case, plan_ready=True)
    [agree] = open_tasks(case)
    today = actions.today_for(case)
    Delegation.objects.create(
        tenant=world.tenant,
        principal=world.appraiser,
        delegate=world.supervisor,
        starts_on=today,
        ends_on=today,
        capacity_label="Plh. Kepala Bidang",
    )
    actions.return_case(
        task_id=agree.pk, actor=world.supervisor, to_stage="draft_plan", reason="Lengkapi target."
    )
    case.refresh_from_db()

    timeline = selectors.timeline_for(case)

    assert [
        (row.label, row.actor, row.capacity, row.from_stage, row.to_stage) for row in timeline
    ] == [
        ("Dokumen dibuat", "Admin-Uji", "", "", ""),
        ("Masuk tahap", "Admin-Uji", "", "", "Menyusun rencana"),
        ("Tugas diselesaikan", "Pegawai", "", "Menyusun rencana", "Menyusun rencana"),
        ("Tahap selesai", "Pegawai", "", "Menyusun rencana", "Menyetujui rencana"),
        ("Masuk tahap", "Pegawai", "", "Menyusun rencana", "Menyetujui rencana"),
        (
            "Dikembalikan",
            "Atasan",
            "a.n. Penilai (Plh. Kepala Bidang)",
            "Menyetujui rencana",
            "Menyusun rencana",
        ),
        ("Masuk tahap", "Atasan", "", "Menyetujui rencana", "Menyusun rencana"),
    ]
    assert timeline[5].reason == "Lengkapi target."
    html = Template('{% include "workflow/_timeline.html" with case=case %}').render(
        Context({"case": case})
    )
    assert "Dikembalikan</strong>: Menyetujui rencana → Menyusun rencana" in html
    assert 'Atasan <span class="muted">(a.n. Penilai (Plh. Kepala Bidang))</span>' in html
    assert "Alasan: Lengkapi target." in html


def test_completed_stages_and_the_case_diagram(world: World) -> None:
    case = world.start()
    set_data(case, plan_ready=True)
    complete_stage(world, case)
    complete_stage(world, case)
    case.refresh_from_db()
    assert case.stage_key == "monitor"

    assert selectors.completed_stages(case) == frozenset({"draft_plan", "agree_plan"})
    html = Template('{% include "workflow/_diagram.html" with case=case %}').render(
        Context({"case": case})
    )
    assert '<g class="stage done" data-stage="draft_plan">' in html
    assert '<g class="stage done" data-stage="agree_plan">' in html
    assert '<g class="stage current" data-stage="monitor">' in html
    assert '<g class="stage" data-stage="self_assess">' in html

    actions.admin_return_case(
        case_id=case.pk, actor=world.admin, to_stage="draft_plan", reason="Ulang."
    )
    case.refresh_from_db()
    assert selectors.completed_stages(case) == frozenset()


# The menu and the bell -----------------------------------------------------------------


def test_the_menu_offers_the_inbox_to_everyone_and_design_pages_to_admins(
    client: Any, world: World
) -> None:
    client.force_login(world.employee)
    keys = [item.key for item in client.get(MINE).context["nav_items"]]
    assert "inbox" in keys
    assert "designer" not in keys
    assert "teams" not in keys

    client.force_login(world.admin)
    shown = {
        item.key: (str(item.label), item.url) for item in client.get(MINE).context["nav_items"]
    }
    assert shown["inbox"] == ("Kotak tugas", "/tugas/")
    assert shown["designer"] == ("Templat tahapan", "/templat/")
    assert shown["teams"] == ("Tim", "/tim/")


@pytest.mark.parametrize(("unread", "badge"), [(0, None), (3, "3"), (120, "99+")])
def test_the_bell_shows_the_unread_count(
    client: Any, world: World, unread: int, badge: str | None
) -> None:
    Notification.objects.bulk_create(
        Notification(
            recipient=world.employee,
            tenant_id=world.tenant.pk,
            code=AuditCode.PROCESS_EVENT,
            title=f"Pesan {index}",
        )
        for index in range(unread)
    )
    client.force_login(world.employee)

    html = client.get(MINE).content.decode()

    bell = re.search(
        r'<a class="nav-bell" href="/notifikasi/" aria-label="([^"]*)">(.*?)</a>', html
    )
    assert bell is not None
    if badge is None:
        assert bell.group(1) == "Notifikasi"
        assert '<span class="badge"' not in bell.group(2)
    else:
        assert bell.group(1) == f"Notifikasi: {unread} belum dibaca"
        assert f'<span class="badge" aria-hidden="true">{badge}</span>' in bell.group(2)


def test_the_start_page_counts_my_tasks_late_ones_and_the_queue(client: Any, world: World) -> None:
    world.start()
    start_pool(world, count=2)
    late = open_tasks(world.start(subject=world.supervisor))[0]
    WorkItem.objects.filter(pk=late.pk).update(
        owner=world.employee, due_at=timezone.now() - datetime.timedelta(days=1)
    )

    def counts(user: Any) -> list[tuple[str, str]]:
        client.force_login(user)
        html = client.get("/").content.decode()
        section = html[
            html.index('id="home-counts"') : html.index("</ul>", html.index("home-counts"))
        ]
        return re.findall(r"<strong>(\d+)</strong> ([^<]+)</a>", section)

    assert counts(world.employee) == [
        ("2", "tugas menunggu Anda"),
        ("1", "tugas terlambat"),
        ("0", "tugas kelompok yang boleh Anda ambil"),
    ]
    assert counts(world.hr[0]) == [
        ("0", "tugas menunggu Anda"),
        ("0", "tugas terlambat"),
        ("2", "tugas kelompok yang boleh Anda ambil"),
    ]
    client.force_login(world.employee)
    assert "Waktu ditampilkan dalam WITA" in client.get("/").content.decode()
