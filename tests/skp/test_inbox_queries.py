"""The inbox lists SKP tasks with a constant number of queries (one URL lookup per page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from processes.skp.actions import plan as plan_actions
from tests.factories.skp import SkpWorld, agree_chain, build_skp_world, draft_plan


@pytest.fixture
def world(db: None) -> SkpWorld:
    world = build_skp_world()
    agree_chain(world, "kadis", "kabid", "kasi")
    return world


def inbox_queries(world: SkpWorld) -> tuple[int, str]:
    client = Client()
    client.force_login(world.user("kasi"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def submit(world: SkpWorld, who: str) -> None:
    draft_plan(world, who)
    plan_actions.submit_plan(skp_id=world.skp(who).pk, actor=world.user(who))


def test_the_inbox_costs_the_same_for_one_and_three_skp_tasks(world: SkpWorld) -> None:
    submit(world, "staf1")
    one, page = inbox_queries(world)
    assert f'href="/skp/{world.skp("staf1").pk}/"' in page

    submit(world, "staf2")
    submit(world, "staf3")
    three, page = inbox_queries(world)

    assert three == one
    for who in ("staf1", "staf2", "staf3"):
        assert f'href="/skp/{world.skp(who).pk}/"' in page
