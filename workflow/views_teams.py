"""Teams of a tenant: list and create them, add and remove members.

The same people as the template designer may open these pages (see
``workflow.views_designer``): anyone else gets 403, another tenant's team 404. Writes go
through ``workflow.teams``; a refusal is shown next to the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workflow import policy, teams
from workflow.errors import ActionForbidden, WorkflowError
from workflow.forms_designer import MemberSearchForm, TeamForm
from workflow.models import Team
from workflow.selectors import person_name
from workflow.views_designer import Scope, designer_user, scope_for, tenant_page, tenants_context

SEARCH_SCANNED = 200
SEARCH_SHOWN = 20


@require_http_methods(["GET", "POST"])
@tenant_page
def team_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    """List the tenant's teams with their member counts; POST creates a team."""
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = teams.create_team(
                tenant_id=scope.tenant_id,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                actor=scope.user,
            )
        except ActionForbidden as error:
            raise PermissionDenied(error.message) from error
        except WorkflowError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, _("Tim %(name)s dibuat.") % {"name": team.name})
            return redirect("workflow:team_detail", team_id=team.pk)
    rows = (
        Team.objects.filter(tenant_id=scope.tenant_id)
        .annotate(members=Count("group__user"))
        .order_by("name", "pk")
    )
    return render(
        request,
        "workflow/teams/team_list.html",
        {"teams": rows, "form": form, **tenants_context(scope)},
    )


def _team_for(request: HttpRequest, team_id: int) -> tuple[Scope, Team]:
    user = designer_user(request)
    team = Team.objects.select_related("group", "tenant").filter(pk=team_id).first()
    if team is None or not policy.administers_tenant(user, team.tenant_id):
        raise Http404(_("Tim tidak ditemukan."))
    return scope_for(user, team.tenant), team


def _members(team: Team) -> QuerySet[Any]:
    return team.group.user_set.order_by("first_name", "last_name", "pk")


def candidates_for(team: Team, query: str) -> list[Any]:
    """Return active users of the team's tenant matching ``query`` who are not members yet.

    Every word must appear in the username, first or last name. Tenant membership is the
    processes' own test (``user_in_tenant``), so at most ``SEARCH_SCANNED`` matches are
    looked at and ``SEARCH_SHOWN`` returned: a narrower search finds the rest.
    """
    words = query.split()
    if not words:
        return []
    user_model = get_user_model()
    condition = Q(is_active=True)
    for word in words:
        condition &= (
            Q(**{f"{user_model.USERNAME_FIELD}__icontains": word})
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    matches = (
        user_model._default_manager.filter(condition)
        .exclude(groups=team.group)
        .order_by("first_name", "last_name", "pk")[:SEARCH_SCANNED]
    )
    found = [user for user in matches if teams.user_in_tenant(user, team.tenant_id)]
    return found[:SEARCH_SHOWN]


@require_http_methods(["GET"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    """Show a team's members and a search to add the tenant's people (htmx results)."""
    scope, team = _team_for(request, team_id)
    search = MemberSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    context = {
        "team": team,
        "members": _members(team),
        "search": search,
        "query": query,
        "candidates": candidates_for(team, query),
        **tenants_context(scope),
    }
    if request.headers.get("HX-Request") and request.GET.get("partial") == "1":
        return render(request, "workflow/teams/_candidates.html", context)
    return render(request, "workflow/teams/team_detail.html", context)


def _member(request: HttpRequest) -> Any:
    raw = request.POST.get("user", "")
    user_model = get_user_model()
    return user_model._default_manager.filter(pk=int(raw)).first() if raw.isdigit() else None


@require_POST
def team_member_add(request: HttpRequest, team_id: int) -> HttpResponse:
    """Add a member (POST ``user``), then show the team again."""
    scope, team = _team_for(request, team_id)
    user = _member(request)
    try:
        teams.add_team_member(team_id=team.pk, user=user, actor=scope.user)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s ditambahkan ke tim.") % {"name": person_name(user)},
        )
    return redirect("workflow:team_detail", team_id=team.pk)


@require_POST
def team_member_remove(request: HttpRequest, team_id: int) -> HttpResponse:
    """Remove a member (POST ``user``); tasks they already claimed stay with them."""
    scope, team = _team_for(request, team_id)
    user = _member(request)
    try:
        teams.remove_team_member(team_id=team.pk, user=user, actor=scope.user)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s dikeluarkan dari tim.") % {"name": person_name(user)},
        )
    return redirect("workflow:team_detail", team_id=team.pk)
