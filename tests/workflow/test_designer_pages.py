"""Template designer pages: list, create, edit with inline problems, preview, save, publish,
optimistic concurrency, access, and moving running documents to the newest version."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.workflow.conftest import World, open_tasks, set_data, snapshot
from workflow import actions
from workflow.designer import create_template, publish_template, save_draft
from workflow.library import default_stages
from workflow.models import AuditCode, AuditEntry, Case, TemplateVersion, WorkflowTemplate
from workflow.spec import Phase, Quorum, Role, StageSpec

LIST = "/templat/"
CREATE = "/templat/baru/"


def edit_url(template: Any) -> str:
    return f"/templat/{template.pk}/"


def preview_url(template: Any) -> str:
    return f"/templat/{template.pk}/pratinjau/"


def stage_post(stages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """Return the editor's POST data for ``stages`` (dicts of field values)."""
    data: dict[str, Any] = {"stages-TOTAL": str(len(stages)), **extra}
    for index, stage in enumerate(stages):
        for name, value in stage.items():
            data[f"stages-{index}-{name}"] = value
    return data


def spec_post(specs: list[StageSpec], **extra: Any) -> dict[str, Any]:
    rows = []
    for spec in specs:
        row: dict[str, Any] = {
            "key": spec.key,
            "name": spec.name,
            "phase": spec.phase,
            "role": spec.role,
            "team": spec.team,
            "quorum": spec.quorum,
            "quorum_n": "" if spec.quorum_n is None else str(spec.quorum_n),
            "sla_days": "" if spec.sla_days is None else str(spec.sla_days),
            "on_breach": spec.on_breach,
            "condition": spec.condition,
            "form": spec.form,
            "return_to": list(spec.return_to),
            "guards": list(spec.guards),
        }
        if spec.optional:
            row["optional"] = "on"
        rows.append(row)
    return stage_post(rows, **extra)


INVALID: list[dict[str, Any]] = [
    {"key": "draft", "name": "Menyusun", "phase": "plan_drafted", "role": "employee"},
    {
        "key": "peer",
        "name": "Umpan balik",
        "phase": "reviewed",
        "role": "peers",
        "quorum": "n_of_m",
        "quorum_n": "",
        "return_to": ["final_ok"],
    },
    {"key": "final_ok", "name": "Penetapan", "phase": "final", "role": "hr", "optional": "on"},
]
VALID: list[dict[str, Any]] = [
    {"key": "draft", "name": "Menyusun", "phase": "plan_drafted", "role": "employee"},
    {
        "key": "peer",
        "name": "Umpan balik",
        "phase": "reviewed",
        "role": "peers",
        "quorum": "n_of_m",
        "quorum_n": "2",
        "sla_days": "7",
        "return_to": ["draft"],
    },
    {"key": "final_ok", "name": "Penetapan", "phase": "final", "role": "hr"},
]


def errors_of(html: str, stage: int, field: str) -> list[str]:
    """Return the messages shown next to one field of one stage."""
    match = re.search(
        rf'<div class="field-errors" id="stage-{stage}-{field}-errors"[^>]*>(.*?)</div>',
        html,
        re.S,
    )
    assert match, f"no error slot for stage {stage} field {field}"
    return re.findall(r"<li>(.*?)</li>", match.group(1))


def all_error_slots(html: str) -> dict[str, list[str]]:
    found = re.findall(
        r'<div class="field-errors" id="(stage-\d+-\w+)-errors"[^>]*>(.*?)</div>', html, re.S
    )
    return {slot: re.findall(r"<li>(.*?)</li>", body) for slot, body in found if "<li>" in body}


@pytest.fixture
def fresh(world: World) -> WorkflowTemplate:
    """A new template with an empty draft."""
    return create_template(
        tenant_id=world.tenant.pk, process_kind="demo", code="baru", name="Baru", actor=world.admin
    )


# The list and creating -------------------------------------------------------------------


def test_the_list_shows_the_tenants_templates_with_their_versions(
    client: Any, world: World
) -> None:
    create_template(
        tenant_id=world.other_tenant.pk,
        process_kind="demo",
        code="asing",
        name="Templat asing",
        actor=world.other_admin,
    )
    client.force_login(world.admin)

    response = client.get(LIST)

    assert response.status_code == 200
    # SKP registers itself at start-up too; its group is empty here.
    groups = {group.definition.kind: group for group in response.context["groups"]}
    assert groups["skp"].templates == []
    group = groups["demo"]
    assert [row.template.name for row in group.templates] == [
        "Templat default",
        "Templat peers",
        "Templat team",
    ]
    html = response.content.decode()
    assert html.count('<span class="badge badge-info">Versi 1</span>') == 3
    assert "Templat asing" not in html


def test_create_an_empty_template(client: Any, world: World) -> None:
    client.force_login(world.admin)

    response = client.post(
        CREATE, {"code": "skp-2027", "name": "SKP 2027", "process_kind": "demo", "start_from": ""}
    )

    template = WorkflowTemplate.objects.get(tenant=world.tenant, code="skp-2027")
    assert response.status_code == 302
    assert response["Location"] == edit_url(template)
    assert (template.name, template.process_kind, template.draft_stages) == ("SKP 2027", "demo", [])
    page = client.get(edit_url(template)).content.decode()
    assert "Templat harus punya paling sedikit satu tahap." in page


def test_create_from_a_published_version_copies_its_stages(client: Any, world: World) -> None:
    source = world.templates["peers"].latest_version()
    assert source is not None
    client.force_login(world.admin)

    client.post(
        CREATE,
        {"code": "salin", "name": "Salinan", "process_kind": "demo", "start_from": str(source.pk)},
    )

    template = WorkflowTemplate.objects.get(tenant=world.tenant, code="salin")
    assert template.draft_stages == source.stages


def test_create_with_a_used_code_shows_the_error_on_the_code_and_creates_nothing(
    client: Any, world: World
) -> None:
    client.force_login(world.admin)
    before = WorkflowTemplate.objects.count()

    response = client.post(
        CREATE, {"code": "default", "name": "Lagi", "process_kind": "demo", "start_from": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Kode templat default sudah dipakai."]}
    assert WorkflowTemplate.objects.count() == before


# Editing -------------------------------------------------------------------------------


def test_an_invalid_draft_shows_each_problem_next_to_its_field_and_saves_nothing(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)

    response = client.post(edit_url(fresh), stage_post(INVALID, op="save", revision="0"))

    assert response.status_code == 200
    html = response.content.decode()
    assert errors_of(html, 1, "quorum_n") == [
        "Tahap «Umpan balik»: isi N (paling sedikit 1) untuk N dari M pelaksana."
    ]
    assert errors_of(html, 1, "return_to") == [
        "Tahap «Umpan balik» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Penetapan»."
    ]
    assert errors_of(html, 2, "optional") == ["Tahap terakhir «Penetapan» tidak boleh opsional."]
    assert all_error_slots(html) == {
        "stage-1-quorum_n": [
            "Tahap «Umpan balik»: isi N (paling sedikit 1) untuk N dari M pelaksana."
        ],
        "stage-1-return_to": [
            "Tahap «Umpan balik» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Penetapan»."
        ],
        "stage-2-optional": ["Tahap terakhir «Penetapan» tidak boleh opsional."],
    }
    assert 'id="stage-1-quorum_n-field" data-live-attrs' in html
    assert 'aria-invalid="true" data-live-attrs' in html
    assert [str(m) for m in response.context["messages"]] == [
        "Draf belum disimpan: perbaiki isian yang ditandai lebih dulu."
    ]
    # What the designer typed stays on the page.
    assert 'name="stages-1-name" value="Umpan balik"' in html
    fresh.refresh_from_db()
    assert (fresh.draft_stages, fresh.draft_revision) == ([], 0)


def test_problems_stay_in_the_users_language(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = client.post(preview_url(fresh), stage_post(INVALID)).content.decode()

    assert errors_of(html, 2, "optional") == ["The last stage «Penetapan» cannot be optional."]


def test_fix_then_publish_gives_version_1_with_the_stages(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)
    client.post(edit_url(fresh), stage_post(INVALID, op="save", revision="0"))

    response = client.post(
        edit_url(fresh), stage_post(VALID, op="publish", revision="0", note="Tahun 2027")
    )

    assert response.status_code == 302
    assert response["Location"] == f"{edit_url(fresh)}#versi-1"
    version = TemplateVersion.objects.get(template=fresh)
    assert (version.number, version.note, version.published_by_id) == (
        1,
        "Tahun 2027",
        world.admin.pk,
    )
    assert [(s.key, s.quorum, s.quorum_n, s.return_to) for s in version.specs()] == [
        ("draft", Quorum.ONE, None, ()),
        ("peer", Quorum.N_OF_M, 2, ("draft",)),
        ("final_ok", Quorum.ONE, None, ()),
    ]
    fresh.refresh_from_db()
    assert (fresh.draft_revision, fresh.draft_stages) == (1, version.stages)
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Versi 1 diterbitkan."]
    assert '<h3>Versi 1 <span class="badge badge-ok">terbaru</span></h3>' in page.content.decode()
    assert (
        AuditEntry.objects.get(
            chain=f"template:{fresh.pk}", code=AuditCode.TEMPLATE_PUBLISHED
        ).payload["version"]
        == 1
    )


def test_save_draft_keeps_a_valid_list_and_counts_the_revision(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)

    response = client.post(edit_url(fresh), stage_post(VALID, op="save", revision="0"))

    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.draft_revision == 1
    assert [stage["key"] for stage in fresh.draft_stages] == ["draft", "peer", "final_ok"]
    assert not TemplateVersion.objects.filter(template=fresh).exists()


def test_a_stale_save_is_refused_and_keeps_the_users_input(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)
    assert client.get(edit_url(fresh)).context["revision"] == 0
    theirs = [StageSpec("akhir", "Penetapan mereka", Phase.FINAL, Role.HR)]
    save_draft(template_id=fresh.pk, actor=world.admin, stages=theirs, expected_revision=0)

    response = client.post(edit_url(fresh), stage_post(VALID, op="save", revision="0"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Draf ini sudah diubah orang lain. Muat ulang halaman." in html
    assert [str(m) for m in response.context["messages"]] == [
        "Draf ini sudah diubah orang lain. Muat ulang halaman."
    ]
    assert 'name="stages-1-name" value="Umpan balik"' in html
    fresh.refresh_from_db()
    assert (fresh.draft_revision, [s["key"] for s in fresh.draft_stages]) == (1, ["akhir"])


def test_publishing_an_unchanged_draft_is_refused_with_a_message(client: Any, world: World) -> None:
    template = world.templates["default"]
    client.force_login(world.admin)
    specs = template.draft_specs()

    response = client.post(
        edit_url(template),
        spec_post(specs, op="publish", revision=str(template.draft_revision)),
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Draf sama dengan versi 1; tidak ada yang diterbitkan."
    ]
    assert TemplateVersion.objects.filter(template=template).count() == 1


def test_the_preview_answers_the_checked_list_and_an_svg_with_every_stage_name(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)

    response = client.post(preview_url(fresh), stage_post(VALID), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="stage-editor"')
    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg is not None
    for name in ("Menyusun", "Umpan balik", "Penetapan"):
        assert f"<title>{name}</title>" in svg.group(0)
    assert "Templat valid dan siap disimpan." in html
    assert all_error_slots(html) == {}
    fresh.refresh_from_db()
    assert (fresh.draft_stages, fresh.draft_revision) == ([], 0)


def test_the_preview_shows_problems_next_to_their_fields(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)

    html = client.post(preview_url(fresh), stage_post(INVALID)).content.decode()

    assert set(all_error_slots(html)) == {
        "stage-1-quorum_n",
        "stage-1-return_to",
        "stage-2-optional",
    }
    assert "Ada 3 masalah; lihat isian yang ditandai." in html


@pytest.mark.parametrize(
    ("operation", "keys"),
    [
        ("add", ["draft", "peer", "final_ok", ""]),
        ("remove:1", ["draft", "final_ok"]),
        ("up:1", ["peer", "draft", "final_ok"]),
        ("down:1", ["draft", "final_ok", "peer"]),
        ("up:0", ["draft", "peer", "final_ok"]),
    ],
)
def test_the_editing_buttons_change_the_list_without_saving(
    client: Any, world: World, fresh: WorkflowTemplate, operation: str, keys: list[str]
) -> None:
    client.force_login(world.admin)

    response = client.post(preview_url(fresh), stage_post(VALID, op=operation))

    assert [view.row.values["key"] for view in response.context["rows"]] == keys
    assert f'name="stages-TOTAL" value="{len(keys)}"' in response.content.decode()
    fresh.refresh_from_db()
    assert fresh.draft_revision == 0


def test_a_moved_stage_shows_its_now_later_return_target(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)

    html = client.post(preview_url(fresh), stage_post(VALID, op="down:0")).content.decode()

    assert errors_of(html, 0, "return_to") == [
        "Tahap «Umpan balik» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Menyusun»."
    ]
    assert 'Menyusun <span class="option-code">draft</span> · bukan tahap sebelumnya' in html


def test_the_editor_without_javascript_applies_buttons_on_the_full_page(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)

    response = client.post(edit_url(fresh), stage_post(VALID, op="add", revision="0"))

    assert response.status_code == 200
    assert len(response.context["rows"]) == 4
    assert "<h1>Baru</h1>" in response.content.decode()
    fresh.refresh_from_db()
    assert fresh.draft_revision == 0


def test_a_team_stage_offers_the_tenants_teams(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)
    rows = [
        {"key": "tim", "name": "Reviu", "phase": "reviewed", "role": "team", "team": "tak-ada"},
        {"key": "akhir", "name": "Penetapan", "phase": "final", "role": "hr"},
    ]

    html = client.post(preview_url(fresh), stage_post(rows)).content.decode()

    assert '<option value="tim-independen">Tim Penilai Independen (tim-independen)</option>' in html
    assert errors_of(html, 0, "team") == ["Tahap «Reviu»: tim tak-ada belum ada."]


def test_a_number_that_is_not_a_number_is_flagged(
    client: Any, world: World, fresh: WorkflowTemplate
) -> None:
    client.force_login(world.admin)
    rows = [{"key": "akhir", "name": "Penetapan", "phase": "final", "role": "hr", "sla_days": "x"}]

    html = client.post(preview_url(fresh), stage_post(rows)).content.decode()

    assert errors_of(html, 0, "sla_days") == ["Isi dengan bilangan bulat."]


# Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "outsider", "appraiser"])
def test_non_admins_get_403_everywhere_and_change_nothing(
    client: Any, world: World, who: str
) -> None:
    template = world.templates["default"]
    client.force_login(getattr(world, who))
    before = (template.draft_revision, TemplateVersion.objects.count())

    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.get(edit_url(template)).status_code == 403
    assert client.post(edit_url(template), stage_post(VALID, op="save")).status_code == 403
    assert client.post(preview_url(template), stage_post(VALID)).status_code == 403
    template.refresh_from_db()
    assert (template.draft_revision, TemplateVersion.objects.count()) == before


def test_another_tenants_admin_gets_404_for_the_template_and_changes_nothing(
    client: Any, world: World
) -> None:
    template = world.templates["default"]
    version = template.latest_version()
    assert version is not None
    client.force_login(world.other_admin)
    before = (template.draft_revision, TemplateVersion.objects.count())

    assert client.get(LIST).status_code == 200
    assert client.get(edit_url(template)).status_code == 404
    assert client.post(edit_url(template), stage_post(VALID, op="publish")).status_code == 404
    assert client.post(preview_url(template), stage_post(VALID)).status_code == 404
    assert client.post(f"/templat/{template.pk}/versi/{version.pk}/pindah/").status_code == 404
    assert client.get(f"{LIST}?tenant={world.tenant.pk}").status_code == 404
    template.refresh_from_db()
    assert (template.draft_revision, TemplateVersion.objects.count()) == before


def test_a_superadmin_chooses_the_tenant_and_it_is_remembered(client: Any, world: World) -> None:
    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)

    chooser = client.get(LIST)
    assert chooser.templates[0].name == "workflow/designer/tenant_choose.html"
    assert f'href="/templat/?tenant={world.tenant.pk}"' in chooser.content.decode()

    chosen = client.get(f"{LIST}?tenant={world.tenant.pk}")
    groups = {group.definition.kind: group for group in chosen.context["groups"]}
    assert len(groups["demo"].templates) == 3
    again = client.get(LIST)
    assert again.context["tenant"] == world.tenant
    assert client.get("/tim/").context["tenant"] == world.tenant


# Running documents ---------------------------------------------------------------------


def _two_cases_then_v2(world: World, **change: Any) -> tuple[WorkflowTemplate, list[Case]]:
    template = world.templates["default"]
    world.book.appraiser[world.peers[0].pk] = world.appraiser.pk
    cases = [world.start(), world.start(subject=world.peers[0])]
    set_data(cases[0], plan_ready=True)
    from tests.workflow.conftest import complete_stage

    complete_stage(world, cases[0])
    stages = default_stages(guards={"agree_plan": ("plan_complete",)})
    stages[2] = StageSpec(**{**stages[2].__dict__, "name": "Pemantauan v2", **change})
    save_draft(template_id=template.pk, actor=world.admin, stages=stages)
    publish_template(template_id=template.pk, actor=world.admin, note="v2")
    return template, cases


def test_the_version_list_counts_running_documents_per_version(client: Any, world: World) -> None:
    template, _cases = _two_cases_then_v2(world)
    client.force_login(world.admin)

    response = client.get(edit_url(template))

    counts = [(view.version.number, view.open_cases) for view in response.context["versions"]]
    assert counts == [(2, 0), (1, 2)]
    old = response.context["versions"][1]
    assert old.migration is not None
    assert "Dokumen berjalan: pindahkan ke versi 2" in response.content.decode()


def test_migrate_two_cases_to_the_newest_version_through_the_page(
    client: Any, world: World
) -> None:
    template, cases = _two_cases_then_v2(world)
    v1 = TemplateVersion.objects.get(template=template, number=1)
    v2 = TemplateVersion.objects.get(template=template, number=2)
    client.force_login(world.admin)
    stage_map = {f"v1-map_{spec.key}": spec.key for spec in v1.specs()}

    response = client.post(
        f"/templat/{template.pk}/versi/{v1.pk}/pindah/",
        {"v1-cases": [str(c.pk) for c in cases], "v1-reason": "Aturan baru 2027", **stage_map},
    )

    assert response.status_code == 200
    assert response.context["migration_results"] == [
        ("Dokumen uji", True, "Dipindah ke versi 2, tahap Menyetujui rencana."),
        ("Dokumen uji", True, "Dipindah ke versi 2, tahap Menyusun rencana."),
    ]
    for case in cases:
        case.refresh_from_db()
        assert case.template_version_id == v2.pk
        row = AuditEntry.objects.get(case=case, code=AuditCode.CASE_MIGRATED)
        assert (row.actor_id, row.reason, row.payload) == (
            world.admin.pk,
            "Aturan baru 2027",
            {"from_version": 1, "to_version": 2},
        )
    assert [str(m) for m in response.context["messages"]] == [
        "2 dari 2 dokumen dipindah ke versi 2."
    ]
    assert [(v.version.number, v.open_cases) for v in response.context["versions"]] == [
        (2, 2),
        (1, 0),
    ]


def test_a_case_whose_stage_is_not_mapped_is_reported_and_left_alone(
    client: Any, world: World
) -> None:
    template = world.templates["default"]
    case = world.start()
    stages = default_stages(guards={"agree_plan": ("plan_complete",)})
    stages[0] = StageSpec(**{**stages[0].__dict__, "key": "draft"})
    stages[1] = StageSpec(**{**stages[1].__dict__, "return_to": ("draft",)})
    save_draft(template_id=template.pk, actor=world.admin, stages=stages)
    publish_template(template_id=template.pk, actor=world.admin)
    v1 = TemplateVersion.objects.get(template=template, number=1)
    before = snapshot(case.pk)
    client.force_login(world.admin)

    response = client.post(
        f"/templat/{template.pk}/versi/{v1.pk}/pindah/",
        {"v1-cases": [str(case.pk)], "v1-reason": "Coba", "v1-map_draft_plan": ""},
    )

    assert response.context["migration_results"] == [
        ("Dokumen uji", False, "Tahap draft_plan tidak ada di versi 2; tentukan pemetaannya.")
    ]
    assert snapshot(case.pk) == before
    assert not AuditEntry.objects.filter(case=case, code=AuditCode.CASE_MIGRATED).exists()


def test_migration_needs_cases_and_a_reason(client: Any, world: World) -> None:
    template, cases = _two_cases_then_v2(world)
    v1 = TemplateVersion.objects.get(template=template, number=1)
    before = [snapshot(case.pk) for case in cases]
    client.force_login(world.admin)

    response = client.post(f"/templat/{template.pk}/versi/{v1.pk}/pindah/", {"v1-reason": ""})

    form = response.context["versions"][1].migration
    assert form.errors == {
        "cases": ["Bidang ini tidak boleh kosong."],
        "reason": ["Bidang ini tidak boleh kosong."],
    }
    assert [snapshot(case.pk) for case in cases] == before


def test_the_newest_version_cannot_be_a_migration_source(client: Any, world: World) -> None:
    template = world.templates["default"]
    latest = template.latest_version()
    assert latest is not None
    client.force_login(world.admin)

    assert client.post(f"/templat/{template.pk}/versi/{latest.pk}/pindah/").status_code == 404


def test_open_tasks_remain_usable_after_migration(client: Any, world: World) -> None:
    template, cases = _two_cases_then_v2(world)
    v1 = TemplateVersion.objects.get(template=template, number=1)
    client.force_login(world.admin)
    client.post(
        f"/templat/{template.pk}/versi/{v1.pk}/pindah/",
        {"v1-cases": [str(cases[1].pk)], "v1-reason": "Aturan baru"},
    )

    [task] = open_tasks(cases[1])
    actions.complete_task(task_id=task.pk, actor=world.peers[0])
    cases[1].refresh_from_db()
    assert cases[1].stage_key == "agree_plan"
