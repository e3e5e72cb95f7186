"""Django system checks: every stored template validates; every running case's stage exists."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError, connection


def _tables_ready() -> bool:
    try:
        tables = set(connection.introspection.table_names())
    except DatabaseError:
        return False
    return {"workflow_workflowtemplate", "workflow_templateversion", "workflow_case"} <= tables


@register(Tags.database)
def check_templates(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Validate every template draft and published version against its process vocabulary."""
    if not _tables_ready():
        return []
    from workflow.designer import template_problems
    from workflow.models import Case, TemplateVersion, WorkflowTemplate
    from workflow.registry import UnknownProcess
    from workflow.spec import TemplateFormatError, parse_stages

    messages: list[CheckMessage] = []

    def check(label: str, tenant_id: int, kind: str, raw: Any, obj: Any) -> None:
        try:
            stages = parse_stages(raw)
            problems = (
                [p.message for p in template_problems(tenant_id, kind, stages)] if stages else []
            )
        except TemplateFormatError as error:
            problems = [str(error)]
        except UnknownProcess:
            problems = [f"process {kind!r} is not registered"]
        for problem in problems:
            messages.append(Error(f"{label}: {problem}", obj=obj, id="workflow.E001"))

    for template in WorkflowTemplate.objects.all():
        check(
            f"template {template.code} (draft)",
            template.tenant_id,
            template.process_kind,
            template.draft_stages,
            template,
        )
    for version in TemplateVersion.objects.select_related("template"):
        template = version.template
        check(
            f"template {template.code} v{version.number}",
            template.tenant_id,
            template.process_kind,
            version.stages,
            version,
        )
    for case in Case.objects.exclude(closed_at__isnull=False).select_related("template_version"):
        try:
            case.current_stage()
        except (KeyError, TemplateFormatError):
            messages.append(
                Error(
                    f"case {case.pk}: stage {case.stage_key!r} is not in its template version",
                    obj=case,
                    id="workflow.E002",
                )
            )
    return messages
