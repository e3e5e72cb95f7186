"""Designing, publishing, pinning and migrating template versions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.workflow.conftest import KIND, World, complete_stage, open_tasks, snapshot
from workflow import actions
from workflow.designer import create_template, publish_template, save_draft
from workflow.doctor import diagnose
from workflow.errors import ActionForbidden, InvalidTemplate, StaleDocument, StepNotAllowed
from workflow.library import default_stages
from workflow.models import AuditCode, AuditEntry, Case, ImmutableRowError, TemplateVersion
from workflow.spec import Phase


def test_invalid_draft_is_refused_and_nothing_saved(world: World) -> None:
    template = world.templates["default"]
    stages = default_stages()
    stages[1] = replace(stages[1], return_to=("rate",))
    before = (template.draft_stages, template.draft_revision)

    with pytest.raises(InvalidTemplate) as raised:
        save_draft(template_id=template.pk, actor=world.admin, stages=stages)

    assert raised.value.problems == [
        "Tahap «Menyetujui rencana» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Penilaian oleh pejabat penilai»."
    ]
    template.refresh_from_db()
    assert (template.draft_stages, template.draft_revision) == before


def test_designer_rights(world: World) -> None:
    template = world.templates["default"]
    for actor in (world.employee, world.other_admin):
        with pytest.raises(ActionForbidden):
            save_draft(template_id=template.pk, actor=actor, stages=default_stages())
        with pytest.raises(ActionForbidden):
            publish_template(template_id=template.pk, actor=actor)
    with pytest.raises(ActionForbidden):
        create_template(
            tenant_id=world.tenant.pk,
            process_kind=KIND,
            code="x",
            name="x",
            actor=world.other_admin,
        )


def test_stale_draft_revision(world: World) -> None:
    template = world.templates["default"]
    save_draft(
        template_id=template.pk, actor=world.admin, stages=default_stages(), expected_revision=0
    )
    with pytest.raises(StaleDocument):
        save_draft(
            template_id=template.pk, actor=world.admin, stages=default_stages(), expected_revision=0
        )


def test_publishing_an_unchanged_draft_is_refused(world: World) -> None:
    with pytest.raises(StepNotAllowed, match="sama dengan versi 1"):
        publish_template(template_id=world.templates["default"].pk, actor=world.admin)
    assert TemplateVersion.objects.filter(template=world.templates["default"]).count() == 1


def test_published_versions_are_immutable(world: World) -> None:
    version = world.templates["default"].latest_version()
    assert version is not None
    version.note = "diubah"
    with pytest.raises(ImmutableRowError):
        version.save()
    with pytest.raises(ImmutableRowError):
        version.delete()


def _second_version(world: World) -> TemplateVersion:
    template = world.templates["default"]
    stages = default_stages()
    stages[2] = replace(stages[2], key="monitoring", name="Pemantauan berkala")
    save_draft(template_id=template.pk, actor=world.admin, stages=stages)
    return publish_template(template_id=template.pk, actor=world.admin, note="Ganti nama tahap")


def test_running_documents_stay_pinned_and_new_ones_use_newest(world: World) -> None:
    old = world.start()
    version = _second_version(world)
    new = world.start()

    assert Case.objects.get(pk=old.pk).template_version.number == 1
    assert Case.objects.get(pk=new.pk).template_version_id == version.pk
    row = AuditEntry.objects.get(chain=f"template:{world.templates['default'].pk}", sequence=2)
    assert (row.code, row.payload["version"], row.reason) == (
        AuditCode.TEMPLATE_PUBLISHED,
        2,
        "Ganti nama tahap",
    )


def test_migrate_maps_the_current_stage(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    complete_stage(world, case)
    case.refresh_from_db()
    assert case.stage_key == "monitor"
    version = _second_version(world)

    before = snapshot(case.pk)
    with pytest.raises(StepNotAllowed, match="tentukan pemetaannya"):
        actions.migrate_case(
            case_id=case.pk, actor=world.admin, version=version, reason="Versi baru"
        )
    assert snapshot(case.pk) == before

    actions.migrate_case(
        case_id=case.pk,
        actor=world.admin,
        version=version,
        stage_map={"monitor": "monitoring"},
        reason="Versi baru",
    )

    case.refresh_from_db()
    assert (case.template_version_id, case.stage_key, case.phase) == (
        version.pk,
        "monitoring",
        Phase.MONITORED,
    )
    row = AuditEntry.objects.get(case=case, code=AuditCode.CASE_MIGRATED)
    assert (row.payload, row.from_stage, row.to_stage) == (
        {"from_version": 1, "to_version": 2},
        "monitor",
        "monitoring",
    )
    [task] = open_tasks(case)
    assert task.stage_key == "monitoring"
    assert diagnose(case) == []


def test_migrate_refuses_older_versions_and_non_admins(world: World) -> None:
    case = world.start()
    version = _second_version(world)
    with pytest.raises(ActionForbidden):
        actions.migrate_case(case_id=case.pk, actor=world.employee, version=version, reason="x")
    actions.migrate_case(case_id=case.pk, actor=world.admin, version=version, reason="x")
    first = TemplateVersion.objects.get(template=world.templates["default"], number=1)
    with pytest.raises(StepNotAllowed, match="lebih baru"):
        actions.migrate_case(case_id=case.pk, actor=world.admin, version=first, reason="x")
