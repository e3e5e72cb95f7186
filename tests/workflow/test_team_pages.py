"""Team pages and actions: create a team, add and remove members, audited; who may do it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.workflow.conftest import TEAM_CODE, World, open_tasks
from workflow import actions, teams
from workflow.errors import ActionForbidden, StepNotAllowed
from workflow.models import AuditCode, AuditEntry, Team

LIST = "/tim/"


@pytest.fixture
def team(world: World) -> Team:
    return Team.objects.get(tenant=world.tenant, code=TEAM_CODE)


def member_ids(team: Team) -> list[int]:
    return sorted(team.group.user_set.values_list("pk", flat=True))


def team_rows(team: Team) -> list[tuple[int | None, dict[str, Any]]]:
    return list(
        AuditEntry.objects.filter(chain=f"team:{team.pk}")
        .order_by("sequence")
        .values_list("actor_id", "payload")
    )


def state(team: Team) -> tuple[Any, ...]:
    """Everything a team action could change."""
    return (
        Team.objects.count(),
        Group.objects.count(),
        member_ids(team),
        AuditEntry.objects.filter(chain__startswith="team:").count(),
    )


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Pages ---------------------------------------------------------------------------------


def test_the_list_shows_the_tenants_teams_with_member_counts(client: Any, world: World) -> None:
    client.force_login(world.admin)

    response = client.get(LIST)

    assert response.status_code == 200
    assert [(t.name, t.members) for t in response.context["teams"]] == [
        ("Tim Penilai Independen", 2)
    ]
    assert "2 anggota" in response.content.decode()


def test_create_a_team_through_the_page(client: Any, world: World) -> None:
    client.force_login(world.admin)

    response = client.post(LIST, {"code": "tim-keberatan", "name": "Tim Keberatan"})

    team = Team.objects.get(tenant=world.tenant, code="tim-keberatan")
    assert response.status_code == 302
    assert response["Location"] == f"/tim/{team.pk}/"
    assert (team.name, team.group.name, member_ids(team)) == (
        "Tim Keberatan",
        f"tim:{world.tenant.pk}:tim-keberatan",
        [],
    )
    row = AuditEntry.objects.get(chain=f"team:{team.pk}")
    assert (row.code, row.tenant_id, row.actor_id, row.payload) == (
        AuditCode.PROCESS_EVENT,
        world.tenant.pk,
        world.admin.pk,
        {"event": "team_created", "code": "tim-keberatan", "name": "Tim Keberatan"},
    )


def test_a_used_code_is_shown_on_the_code_field_and_nothing_changes(
    client: Any, world: World, team: Team
) -> None:
    client.force_login(world.admin)
    before = state(team)

    response = client.post(LIST, {"code": TEAM_CODE, "name": "Lagi"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Kode tim tim-independen sudah dipakai."]}
    assert state(team) == before


def test_add_and_remove_members_through_the_page(client: Any, world: World, team: Team) -> None:
    client.force_login(world.admin)

    response = client.post(f"/tim/{team.pk}/tambah/", {"user": world.outsider.pk}, follow=True)

    assert response.redirect_chain == [(f"/tim/{team.pk}/", 302)]
    assert messages_of(response) == ["Orang-Luar ditambahkan ke tim."]
    assert world.outsider.pk in member_ids(team)
    assert f'id="anggota-{world.outsider.pk}"' in response.content.decode()

    response = client.post(
        f"/tim/{team.pk}/keluarkan/", {"user": world.team_members[0].pk}, follow=True
    )

    assert messages_of(response) == ["Tim1 dikeluarkan dari tim."]
    assert member_ids(team) == sorted([world.team_members[1].pk, world.outsider.pk])
    assert team_rows(team) == [
        (world.admin.pk, {"event": "member_added", "user": world.outsider.pk}),
        (world.admin.pk, {"event": "member_removed", "user": world.team_members[0].pk}),
    ]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("other_tenant_user", "Pengguna ini bukan dari instansi tim ini."),
        ("inactive", "Pengguna ini tidak aktif."),
        ("member", "Pengguna ini sudah menjadi anggota tim."),
        ("missing", "Pengguna ini tidak aktif."),
    ],
)
def test_a_refused_addition_shows_the_message_and_changes_nothing(
    client: Any, world: World, team: Team, who: str, message: str
) -> None:
    users = {
        "other_tenant_user": world.other_admin,
        "inactive": get_user_model().objects.create_user(
            "nonaktif", agency=world.tenant, is_active=False
        ),
        "member": world.team_members[0],
    }
    user_id = users[who].pk if who in users else 999999
    client.force_login(world.admin)
    before = state(team)

    response = client.post(f"/tim/{team.pk}/tambah/", {"user": user_id}, follow=True)

    assert messages_of(response) == [message]
    assert state(team) == before


def test_removing_a_non_member_is_refused_and_changes_nothing(
    client: Any, world: World, team: Team
) -> None:
    client.force_login(world.admin)
    before = state(team)

    response = client.post(f"/tim/{team.pk}/keluarkan/", {"user": world.outsider.pk}, follow=True)

    assert messages_of(response) == ["Pengguna ini bukan anggota tim."]
    assert state(team) == before


def test_search_finds_active_people_of_the_tenant_who_are_not_members(
    client: Any, world: World, team: Team
) -> None:
    get_user_model().objects.create_user(
        "rekan-nonaktif", agency=world.tenant, first_name="Rekan", is_active=False
    )
    get_user_model().objects.create_user(
        "rekan-lain", agency=world.other_tenant, first_name="Rekan"
    )
    client.force_login(world.admin)

    response = client.get(f"/tim/{team.pk}/", {"q": "rekan"})

    assert [user.username for user in response.context["candidates"]] == [
        "rekan1",
        "rekan2",
        "rekan3",
    ]
    assert [
        u.username for u in client.get(f"/tim/{team.pk}/", {"q": "tim"}).context["candidates"]
    ] == []
    partial = client.get(
        f"/tim/{team.pk}/", {"q": "rekan 2", "partial": "1"}, HTTP_HX_REQUEST="true"
    )
    assert [user.username for user in partial.context["candidates"]] == ["rekan2"]
    assert partial.content.decode().lstrip().startswith("<ul")


# Access matrix -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("employee", {"list": 403, "detail": 403, "add": 403, "remove": 403, "create": 403}),
        ("team_member", {"list": 403, "detail": 403, "add": 403, "remove": 403, "create": 403}),
        ("other_admin", {"list": 200, "detail": 404, "add": 404, "remove": 404, "create": 302}),
        ("superuser", {"list": 200, "detail": 200, "add": 302, "remove": 302, "create": 302}),
        ("admin", {"list": 200, "detail": 200, "add": 302, "remove": 302, "create": 302}),
    ],
)
def test_access_matrix(
    client: Any, world: World, team: Team, who: str, expected: dict[str, int]
) -> None:
    users = {
        "employee": world.employee,
        "team_member": world.team_members[0],
        "other_admin": world.other_admin,
        "admin": world.admin,
        "superuser": get_user_model().objects.create_superuser("root", password="x"),
    }
    client.force_login(users[who])
    if who == "superuser":
        client.get(LIST, {"tenant": world.tenant.pk})
    before_members = member_ids(team)
    before_rows = team_rows(team)

    seen = {
        "list": client.get(LIST).status_code,
        "detail": client.get(f"/tim/{team.pk}/").status_code,
        "add": client.post(f"/tim/{team.pk}/tambah/", {"user": world.outsider.pk}).status_code,
        "remove": client.post(
            f"/tim/{team.pk}/keluarkan/", {"user": world.team_members[1].pk}
        ).status_code,
        "create": client.post(LIST, {"code": "tim-baru", "name": "Tim Baru"}).status_code,
    }

    assert seen == expected
    if expected["add"] != 302:
        assert member_ids(team) == before_members
        assert team_rows(team) == before_rows
    if expected["create"] != 302:
        assert not Team.objects.filter(code="tim-baru").exists()
    if who == "other_admin":
        assert Team.objects.get(code="tim-baru").tenant_id == world.other_tenant.pk


# Actions -------------------------------------------------------------------------------


def test_team_actions_refuse_non_admins_and_write_nothing(world: World, team: Team) -> None:
    before = state(team)

    with pytest.raises(ActionForbidden, match="Hanya admin instansi"):
        teams.create_team(tenant_id=world.tenant.pk, code="x", name="X", actor=world.employee)
    with pytest.raises(ActionForbidden, match="Hanya admin instansi"):
        teams.add_team_member(team_id=team.pk, user=world.outsider, actor=world.other_admin)
    with pytest.raises(ActionForbidden, match="Hanya admin instansi"):
        teams.remove_team_member(team_id=team.pk, user=world.team_members[0], actor=world.employee)

    assert state(team) == before


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("Tim Besar", "Tim", "Kode tim harus diawali"),
        ("tim-ok", "  ", "Nama tim wajib diisi."),
    ],
)
def test_create_team_checks_its_input(
    world: World, team: Team, code: str, name: str, message: str
) -> None:
    before = state(team)

    with pytest.raises(StepNotAllowed, match=message):
        teams.create_team(tenant_id=world.tenant.pk, code=code, name=name, actor=world.admin)

    assert state(team) == before


def test_a_removed_member_keeps_the_task_they_claimed(world: World, team: Team) -> None:
    from tests.workflow.test_actions import to_stage

    case = world.start("team")
    to_stage(world, case, "team_review")
    [task] = open_tasks(case)
    actions.claim_task(task_id=task.pk, actor=world.team_members[0])

    teams.remove_team_member(team_id=team.pk, user=world.team_members[0], actor=world.admin)

    task.refresh_from_db()
    assert task.owner_id == world.team_members[0].pk
    actions.complete_task(task_id=task.pk, actor=world.team_members[0])
    case.refresh_from_db()
    assert case.stage_key == "discuss"


def test_a_new_member_can_claim_open_team_work(world: World, team: Team) -> None:
    from tests.workflow.test_actions import to_stage

    case = world.start("team")
    to_stage(world, case, "team_review")
    [task] = open_tasks(case)

    teams.add_team_member(team_id=team.pk, user=world.outsider, actor=world.admin)
    actions.claim_task(task_id=task.pk, actor=world.outsider)

    task.refresh_from_db()
    assert task.owner_id == world.outsider.pk
