"""The template designer: a tenant's stage templates, the draft editor, versions, migration.

Who may open it: HR designers, the users a registered process says administer a tenant
(``ProcessDefinition.administers``). A designer of one tenant works on that tenant; one who
administers several (a superadmin administers every tenant) chooses with ``?tenant=<id>``,
remembered in the session. Anyone else gets 403; a template of a tenant the user does not
administer answers 404, so its existence is not revealed.

The draft editor posts the whole stage list on every change (htmx, debounced) to the
preview endpoint, which validates it with ``template_problems`` and answers the stage list
with each problem next to its field, and the live diagram. Views never write models:
saving, publishing and migrating go through ``workflow.designer`` and ``workflow.actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import update_wrapper
from typing import Any, Concatenate, ParamSpec

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.navigation import AnyUser
from workflow import actions
from workflow.designer import create_template, publish_template, save_draft, template_problems
from workflow.diagram import render_svg
from workflow.errors import ActionForbidden, InvalidTemplate, StaleDocument, WorkflowError
from workflow.forms_designer import (
    PREFIX,
    MigrationForm,
    StageEditor,
    TemplateCreateForm,
    designer_choices,
    row_views,
)
from workflow.models import Case, Team, TemplateVersion, WorkflowTemplate
from workflow.registry import ProcessDefinition, UnknownProcess, get_process, registered_processes
from workflow.spec import Phase, TemplateFormatError

P = ParamSpec("P")

SESSION_TENANT = "workflow_tenant"
MIGRATION_CASES_SHOWN = 200


# Access ----------------------------------------------------------------------------------


def designer_processes(user: Any) -> list[ProcessDefinition]:
    """Return the registered processes whose templates ``user`` may design somewhere."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    found = []
    for definition in registered_processes():
        tenant_ids = definition.administered_tenant_ids(user)
        if tenant_ids is None or list(tenant_ids):
            found.append(definition)
    return found


def is_designer(user: AnyUser) -> bool:
    """Return True when ``user`` administers some tenant (menu visibility of the HR pages)."""
    return bool(designer_processes(user))


def designer_tenant_ids(user: Any) -> list[int] | None:
    """Return the tenants ``user`` administers for any process; None means every tenant."""
    ids: set[int] = set()
    for definition in designer_processes(user):
        tenant_ids = definition.administered_tenant_ids(user)
        if tenant_ids is None:
            return None
        ids.update(int(value) for value in tenant_ids)
    return sorted(ids)


def tenant_model() -> type[Model]:
    """Return the model that stands for a tenant (``settings.WORKFLOW_TENANT_MODEL``)."""
    return apps.get_model(settings.WORKFLOW_TENANT_MODEL)


def designer_user(request: HttpRequest) -> Any:
    """Return the signed-in user if they administer some tenant; raise 403 otherwise."""
    if not is_designer(request.user):
        raise PermissionDenied(_("Halaman ini hanya untuk admin instansi."))
    return request.user


def _tenants_for(user: Any) -> QuerySet[Model]:
    ids = designer_tenant_ids(user)
    queryset = tenant_model()._default_manager.all()
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.order_by("pk")


def _remember(request: HttpRequest, tenant: Model) -> None:
    if request.session.get(SESSION_TENANT) != tenant.pk:
        request.session[SESSION_TENANT] = tenant.pk


def chosen_tenant(request: HttpRequest, user: Any) -> Model | None:
    """Return the tenant of a list page: ``?tenant=<id>``, the remembered one, or the only one.

    A tenant the user does not administer answers 404; None asks the user to choose.
    """
    tenants = _tenants_for(user)
    raw = request.GET.get("tenant", "").strip()
    if raw:
        tenant = tenants.filter(pk=int(raw)).first() if raw.isdigit() else None
        if tenant is None:
            raise Http404(_("Instansi tidak ditemukan."))
        _remember(request, tenant)
        return tenant
    remembered = request.session.get(SESSION_TENANT)
    if isinstance(remembered, int):
        tenant = tenants.filter(pk=remembered).first()
        if tenant is not None:
            return tenant
    first_two = list(tenants[:2])
    return first_two[0] if len(first_two) == 1 else None


@dataclass(frozen=True)
class Scope:
    """The designer on a page, the tenant the page is about, and the processes there."""

    user: Any
    tenant: Model
    processes: tuple[ProcessDefinition, ...]
    several_tenants: bool

    @property
    def tenant_id(self) -> int:
        """Return the tenant's id."""
        return int(self.tenant.pk)


def scope_for(user: Any, tenant: Model) -> Scope:
    """Return the designer's scope on ``tenant`` (the processes they administer there)."""
    processes = tuple(
        definition
        for definition in registered_processes()
        if definition.administers(user, int(tenant.pk))
    )
    ids = designer_tenant_ids(user)
    return Scope(user, tenant, processes, ids is None or len(ids) > 1)


def tenant_page(
    view: Callable[Concatenate[HttpRequest, Scope, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Give a list page its designer and tenant; without a choice, show the tenant chooser."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = designer_user(request)
        tenant = chosen_tenant(request, user)
        if tenant is None:
            return render(
                request,
                "workflow/designer/tenant_choose.html",
                {"tenants": _tenants_for(user), "next": request.path},
            )
        return view(request, scope_for(user, tenant), *args, **kwargs)

    update_wrapper(wrapper, view)
    return wrapper


def tenants_context(scope: Scope) -> dict[str, Any]:
    """Return the tenant picker's context for pages of a designer with several tenants."""
    return {
        "tenant": scope.tenant,
        "tenants": _tenants_for(scope.user) if scope.several_tenants else None,
    }


@dataclass(frozen=True)
class Editing:
    """A template the designer may change, with its process."""

    scope: Scope
    template: WorkflowTemplate
    definition: ProcessDefinition


def _template_for(request: HttpRequest, template_id: int) -> Editing:
    user = designer_user(request)
    template = WorkflowTemplate.objects.select_related("tenant").filter(pk=template_id).first()
    if template is None:
        raise Http404(_("Templat tidak ditemukan."))
    try:
        definition = get_process(template.process_kind)
    except UnknownProcess as error:
        raise Http404(_("Templat tidak ditemukan.")) from error
    if not definition.administers(user, template.tenant_id):
        raise Http404(_("Templat tidak ditemukan."))
    _remember(request, template.tenant)
    return Editing(scope_for(user, template.tenant), template, definition)


# The template list and creating a template --------------------------------------------------


@dataclass(frozen=True)
class TemplateRow:
    """A template on the list with its published versions, oldest first."""

    template: WorkflowTemplate
    versions: list[TemplateVersion]

    @property
    def newest(self) -> TemplateVersion | None:
        """Return the newest published version, or None for a template never published."""
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class ProcessTemplates:
    """One process's templates in the tenant."""

    definition: ProcessDefinition
    templates: list[TemplateRow]


@require_http_methods(["GET"])
@tenant_page
def template_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    """List the tenant's templates per registered process, each with its published versions."""
    kinds = [definition.kind for definition in scope.processes]
    templates = (
        WorkflowTemplate.objects.filter(tenant_id=scope.tenant_id, process_kind__in=kinds)
        .prefetch_related("versions")
        .order_by("name", "pk")
    )
    by_kind: dict[str, list[TemplateRow]] = {kind: [] for kind in kinds}
    for template in templates:
        versions = sorted(template.versions.all(), key=lambda version: version.number)
        by_kind[template.process_kind].append(TemplateRow(template, versions))
    groups = [
        ProcessTemplates(definition, by_kind[definition.kind]) for definition in scope.processes
    ]
    return render(
        request,
        "workflow/designer/template_list.html",
        {"groups": groups, **tenants_context(scope)},
    )


def _sources(scope: Scope) -> dict[int, tuple[str, str]]:
    """Return the newest published version of each of the tenant's templates, by id."""
    kinds = [definition.kind for definition in scope.processes]
    versions = (
        TemplateVersion.objects.filter(
            template__tenant_id=scope.tenant_id, template__process_kind__in=kinds
        )
        .select_related("template")
        .order_by("template__name", "template_id", "-number")
    )
    sources: dict[int, tuple[str, str]] = {}
    seen: set[int] = set()
    for version in versions:
        if version.template_id in seen:
            continue
        seen.add(version.template_id)
        label = _("%(name)s, versi %(number)d") % {
            "name": version.template.name,
            "number": version.number,
        }
        sources[version.pk] = (version.template.process_kind, label)
    return sources


@require_http_methods(["GET", "POST"])
@tenant_page
def template_create(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Create a template: code, name, process, and stages copied from a published version."""
    sources = _sources(scope)
    form = TemplateCreateForm(request.POST or None, processes=scope.processes, sources=sources)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stages = []
        if data["start_from"]:
            stages = TemplateVersion.objects.get(pk=int(data["start_from"])).specs()
        try:
            template = create_template(
                tenant_id=scope.tenant_id,
                process_kind=data["process_kind"],
                code=data["code"],
                name=data["name"],
                description=data["description"],
                stages=stages,
                actor=scope.user,
            )
        except ActionForbidden as error:
            raise PermissionDenied(error.message) from error
        except InvalidTemplate as error:
            form.add_error("start_from", error.problems)
        except WorkflowError as error:
            # The only other refusal: the tenant already has a template with this code.
            form.add_error("code", error.message)
        else:
            messages.success(request, _("Templat %(name)s dibuat.") % {"name": template.name})
            return redirect("workflow:template_edit", template_id=template.pk)
    return render(
        request,
        "workflow/designer/template_create.html",
        {"form": form, **tenants_context(scope)},
    )


# The draft editor --------------------------------------------------------------------------


def _teams(tenant_id: int) -> list[tuple[str, str]]:
    return list(
        Team.objects.filter(tenant_id=tenant_id).order_by("name").values_list("code", "name")
    )


def _checked(editing: Editing, editor: StageEditor) -> StageEditor:
    """Validate the edited stages and put every problem next to its field."""
    specs = editor.specs()
    editor.attach(
        template_problems(editing.template.tenant_id, editing.template.process_kind, specs)
    )
    return editor


def _stored_editor(editing: Editing) -> StageEditor:
    try:
        specs = editing.template.draft_specs()
    except TemplateFormatError as error:
        editor = StageEditor([])
        editor.general_errors.append(str(error))
        return editor
    return _checked(editing, StageEditor.from_specs(specs))


def _editor_context(editing: Editing, editor: StageEditor, revision: int) -> dict[str, Any]:
    specs = editor.specs()
    choices = designer_choices(editing.definition, _teams(editing.template.tenant_id))
    return {
        "template": editing.template,
        "definition": editing.definition,
        "editor": editor,
        "rows": row_views(editor, choices),
        "choices": choices,
        "total": len(editor.rows),
        "prefix": PREFIX,
        "revision": revision,
        "svg": render_svg(specs, title=editing.template.name) if specs else "",
    }


@dataclass(frozen=True)
class VersionView:
    """A published version on the editor page: its diagram and its running documents."""

    version: TemplateVersion
    svg: str
    open_cases: int
    migration: MigrationForm | None
    shown_cases: int


def _open_cases(version: TemplateVersion) -> QuerySet[Case]:
    return (
        Case.objects.filter(template_version=version, closed_at__isnull=True)
        .exclude(phase=Phase.CANCELLED)
        .order_by("title", "pk")
    )


def _migration_form(
    version: TemplateVersion, latest: TemplateVersion, data: Any = None
) -> MigrationForm:
    names = {spec.key: spec.name for spec in version.specs()}
    shown = _open_cases(version)[:MIGRATION_CASES_SHOWN]
    cases = [
        (case.pk, f"{case.title} · {names.get(case.stage_key, case.stage_key)}") for case in shown
    ]
    return MigrationForm(
        data,
        cases=cases,
        old_stages=version.specs(),
        new_stages=latest.specs(),
        prefix=f"v{version.number}",
    )


def _versions(
    template: WorkflowTemplate, bound: tuple[int, MigrationForm] | None = None
) -> list[VersionView]:
    versions = list(template.versions.select_related("published_by").order_by("-number"))
    counts = dict(
        Case.objects.filter(template_version__template=template, closed_at__isnull=True)
        .exclude(phase=Phase.CANCELLED)
        .values_list("template_version_id")
        .annotate(count=Count("pk"))
        .values_list("template_version_id", "count")
    )
    latest = versions[0] if versions else None
    views = []
    for version in versions:
        count = counts.get(version.pk, 0)
        form: MigrationForm | None = None
        if latest is not None and version.pk != latest.pk and count:
            if bound is not None and bound[0] == version.pk:
                form = bound[1]
            else:
                form = _migration_form(version, latest)
        views.append(
            VersionView(
                version=version,
                svg=render_svg(
                    version.specs(),
                    title=_("%(name)s, versi %(number)d")
                    % {"name": template.name, "number": version.number},
                ),
                open_cases=count,
                migration=form,
                shown_cases=min(count, MIGRATION_CASES_SHOWN),
            )
        )
    return views


def _edit_page(
    request: HttpRequest,
    editing: Editing,
    editor: StageEditor,
    revision: int,
    *,
    stale: bool = False,
    note: str = "",
    migration: tuple[int, MigrationForm] | None = None,
    migration_results: list[tuple[str, bool, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        **_editor_context(editing, editor, revision),
        **tenants_context(editing.scope),
        "versions": _versions(editing.template, migration),
        "stale": stale,
        "note": note,
        "migration_results": migration_results,
    }
    return render(request, "workflow/designer/template_edit.html", context, status=status)


def _posted_revision(request: HttpRequest) -> int | None:
    raw = request.POST.get("revision", "")
    return int(raw) if raw.isdigit() else None


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """Show the draft editor; POST applies a button, saves the draft, or publishes it.

    Buttons: ``op=add|remove:<i>|up:<i>|down:<i>|check`` change or check the list without
    saving (the page without JavaScript); ``op=save`` saves the draft when it is valid and
    nobody saved it since (optimistic concurrency); ``op=publish`` saves the changes, if
    any, then publishes the next version with the note.
    """
    editing = _template_for(request, template_id)
    template = editing.template
    if request.method == "GET":
        return _edit_page(request, editing, _stored_editor(editing), template.draft_revision)

    editor = StageEditor.from_post(request.POST)
    operation = request.POST.get("op", "check")
    revision = _posted_revision(request)
    shown_revision = template.draft_revision if revision is None else revision
    note = request.POST.get("note", "").strip()
    if operation not in ("save", "publish"):
        editor.apply(operation)
        return _edit_page(request, editing, _checked(editing, editor), shown_revision, note=note)

    _checked(editing, editor)
    if not editor.is_valid:
        messages.error(request, _("Draf belum disimpan: perbaiki isian yang ditandai lebih dulu."))
        return _edit_page(request, editing, editor, shown_revision, note=note)
    try:
        if operation == "save" or not editor.same_as(template.draft_specs()):
            template = save_draft(
                template_id=template.pk,
                actor=editing.scope.user,
                stages=editor.specs(),
                expected_revision=revision,
            )
        if operation == "save":
            messages.success(request, _("Draf disimpan."))
            return redirect("workflow:template_edit", template_id=template.pk)
        version = publish_template(template_id=template.pk, actor=editing.scope.user, note=note)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except StaleDocument as error:
        messages.error(request, error.message)
        return _edit_page(request, editing, editor, shown_revision, stale=True, note=note)
    except InvalidTemplate as error:
        editor.general_errors.extend(error.problems)
        return _edit_page(request, editing, editor, shown_revision, note=note)
    except WorkflowError as error:
        messages.error(request, error.message)
        editing = _template_for(request, template_id)
        return _edit_page(request, editing, editor, editing.template.draft_revision, note=note)
    messages.success(request, _("Versi %(number)d diterbitkan.") % {"number": version.number})
    url = reverse("workflow:template_edit", kwargs={"template_id": template.pk})
    return redirect(f"{url}#versi-{version.number}")


@require_POST
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """Answer the posted stage list checked, with its live diagram (htmx; nothing is saved)."""
    editing = _template_for(request, template_id)
    editor = StageEditor.from_post(request.POST)
    operation = request.POST.get("op", "")
    if operation:
        editor.apply(operation)
    revision = _posted_revision(request)
    context = _editor_context(
        editing,
        _checked(editing, editor),
        editing.template.draft_revision if revision is None else revision,
    )
    return render(request, "workflow/designer/_editor.html", context)


# Running documents -------------------------------------------------------------------------


@require_POST
def template_migrate(request: HttpRequest, template_id: int, version_id: int) -> HttpResponse:
    """Move chosen open documents of an older version to the newest one, one by one.

    Each document is migrated in its own transaction (``actions.migrate_case``): one that
    cannot move (its stage is not mapped, it closed meanwhile) is reported and the others
    still move.
    """
    editing = _template_for(request, template_id)
    template = editing.template
    version = template.versions.filter(pk=version_id).first()
    latest = template.latest_version()
    if version is None or latest is None or version.pk == latest.pk:
        raise Http404(_("Versi tidak ditemukan."))
    form = _migration_form(version, latest, request.POST)
    editor = _stored_editor(editing)
    if not form.is_valid():
        return _edit_page(
            request, editing, editor, template.draft_revision, migration=(version.pk, form)
        )
    names = dict(_open_cases(version).values_list("pk", "title"))
    results: list[tuple[str, bool, str]] = []
    for case_id in form.case_ids():
        title = names.get(case_id, f"#{case_id}")
        try:
            case = actions.migrate_case(
                case_id=case_id,
                actor=editing.scope.user,
                version=latest,
                stage_map=form.stage_map(),
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            results.append((title, False, error.message))
        else:
            stage = latest.stage(case.stage_key).name
            results.append(
                (
                    title,
                    True,
                    _("Dipindah ke versi %(number)d, tahap %(stage)s.")
                    % {"number": latest.number, "stage": stage},
                )
            )
    moved = sum(1 for _title, ok, _message in results if ok)
    messages.info(
        request,
        _("%(moved)d dari %(total)d dokumen dipindah ke versi %(number)d.")
        % {"moved": moved, "total": len(results), "number": latest.number},
    )
    return _edit_page(request, editing, editor, template.draft_revision, migration_results=results)
