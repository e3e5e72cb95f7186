"""Template design actions: create a template, save its draft, publish an immutable version.

Drafts are validated on every save; an invalid draft is refused with every problem named,
so a published version is always valid. Publishing copies the draft into a new numbered
version; documents already running stay pinned to the version they started with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import audit
from workflow.errors import ActionForbidden, InvalidTemplate, StaleDocument, StepNotAllowed
from workflow.models import AuditCode, Team, TemplateVersion, WorkflowTemplate, stages_checksum
from workflow.registry import get_process
from workflow.spec import (
    StageSpec,
    TemplateFormatError,
    TemplateProblem,
    parse_stages,
    validate_stages,
)


def template_problems(
    tenant_id: int, process_kind: str, stages: Sequence[StageSpec]
) -> list[TemplateProblem]:
    """Return every problem of ``stages`` for a template of this tenant and process."""
    definition = get_process(process_kind)
    teams = Team.objects.filter(tenant_id=tenant_id).values_list("code", flat=True)
    return validate_stages(stages, definition.vocabulary(teams=list(teams)))


def _specs_or_raise(raw: Any) -> list[StageSpec]:
    try:
        return parse_stages(raw)
    except TemplateFormatError as error:
        raise InvalidTemplate([str(error)]) from error


def _require_designer(actor: Any, tenant_id: int, process_kind: str) -> None:
    if not get_process(process_kind).administers(actor, tenant_id):
        raise ActionForbidden(_("Hanya admin instansi yang boleh mengubah templat."))


def lock_template(template_id: int) -> WorkflowTemplate:
    """Lock and return a template row."""
    queryset = WorkflowTemplate.objects.all()
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=template_id)
    except WorkflowTemplate.DoesNotExist as error:
        raise StepNotAllowed(_("Templat tidak ditemukan.")) from error


@transaction.atomic
def create_template(
    *,
    tenant_id: int,
    process_kind: str,
    code: str,
    name: str,
    actor: Any,
    stages: Sequence[StageSpec] = (),
    description: str = "",
) -> WorkflowTemplate:
    """Create a template with a validated draft (an empty draft is allowed until publishing)."""
    _require_designer(actor, tenant_id, process_kind)
    if WorkflowTemplate.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise StepNotAllowed(_("Kode templat %(code)s sudah dipakai.") % {"code": code})
    if stages:
        problems = template_problems(tenant_id, process_kind, stages)
        if problems:
            raise InvalidTemplate([problem.message for problem in problems])
    return WorkflowTemplate.objects.create(
        tenant_id=tenant_id,
        process_kind=process_kind,
        code=code,
        name=name,
        description=description,
        draft_stages=[stage.to_dict() for stage in stages],
    )


@transaction.atomic
def save_draft(
    *,
    template_id: int,
    actor: Any,
    stages: Sequence[StageSpec],
    expected_revision: int | None = None,
) -> WorkflowTemplate:
    """Replace the template's draft with ``stages`` after validating them.

    Raise InvalidTemplate listing every problem (nothing is saved), or StaleDocument when
    someone else saved the draft since ``expected_revision``.
    """
    template = lock_template(template_id)
    _require_designer(actor, template.tenant_id, template.process_kind)
    if expected_revision is not None and expected_revision != template.draft_revision:
        raise StaleDocument(_("Draf ini sudah diubah orang lain. Muat ulang halaman."))
    problems = template_problems(template.tenant_id, template.process_kind, stages)
    if problems:
        raise InvalidTemplate([problem.message for problem in problems])
    template.draft_stages = [stage.to_dict() for stage in stages]
    template.draft_revision += 1
    template.updated_at = timezone.now()
    template.save(update_fields=["draft_stages", "draft_revision", "updated_at"])
    return template


@transaction.atomic
def publish_template(*, template_id: int, actor: Any, note: str = "") -> TemplateVersion:
    """Publish the draft as the next immutable version; refuse an invalid or unchanged draft."""
    template = lock_template(template_id)
    _require_designer(actor, template.tenant_id, template.process_kind)
    stages = _specs_or_raise(template.draft_stages)
    problems = template_problems(template.tenant_id, template.process_kind, stages)
    if problems:
        raise InvalidTemplate([problem.message for problem in problems])
    latest = template.latest_version()
    payload = [stage.to_dict() for stage in stages]
    if latest is not None and latest.checksum == stages_checksum(payload):
        raise StepNotAllowed(
            _("Draf sama dengan versi %(n)d; tidak ada yang diterbitkan.") % {"n": latest.number}
        )
    version = TemplateVersion.objects.create(
        template=template,
        number=(latest.number + 1) if latest else 1,
        stages=payload,
        published_by=actor,
        note=note,
    )
    audit.record(
        code=AuditCode.TEMPLATE_PUBLISHED,
        tenant_id=template.tenant_id,
        chain=f"template:{template.pk}",
        actor_id=actor.pk,
        reason=note,
        payload={"version": version.number, "checksum": version.checksum},
    )
    return version
