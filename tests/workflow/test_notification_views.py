"""Notification pages: only the signed-in user's own rows; writes through workflow functions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.workflow.conftest import World
from workflow import notifications
from workflow.context_processors import unread_count
from workflow.models import AuditCode, DigestChoice, Notification, NotificationPreference

LIST = "/notifikasi/"


def make(world: World, user: Any, count: int = 1, **extra: Any) -> list[Notification]:
    start = timezone.now() - datetime.timedelta(hours=count)
    return [
        Notification.objects.create(
            recipient=user,
            tenant_id=world.tenant.pk,
            code=AuditCode.PROCESS_EVENT,
            title=f"Pesan {index}",
            body="Isi pesan",
            url="/dokumen/1/",
            created_at=start + datetime.timedelta(minutes=index),
            **extra,
        )
        for index in range(count)
    ]


def test_anonymous_users_are_sent_to_the_login_page(client: Any) -> None:
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_list_shows_only_my_notifications_newest_first_unread_marked(
    world: World, client: Any
) -> None:
    older, newer = make(world, world.employee, 2)
    notifications.mark_read(world.employee, older.pk)
    make(world, world.appraiser, 1)
    client.force_login(world.employee)

    response = client.get(LIST)

    assert response.status_code == 200
    page = response.context["page"]
    assert [row.pk for row in page.object_list] == [newer.pk, older.pk]
    html = response.content.decode()
    assert html.count("badge-unread") == 1
    assert f'id="notifikasi-{newer.pk}" class="notification is-unread"' in html
    assert f'id="notifikasi-{older.pk}" class="notification"' in html
    assert "Pesan 0" in html
    assert "Tandai semua sudah dibaca" in html


def test_the_list_is_paginated_by_twenty(world: World, client: Any) -> None:
    made = make(world, world.employee, 45)
    client.force_login(world.employee)

    first = client.get(LIST).context["page"]
    last = client.get(LIST, {"page": 3}).context["page"]

    assert (first.paginator.num_pages, len(first.object_list), len(last.object_list)) == (3, 20, 5)
    assert first.object_list[0].pk == made[-1].pk
    assert [row.pk for row in last.object_list] == [row.pk for row in reversed(made[:5])]


def _list_queries(client: Any) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_list_costs_the_same_queries_for_one_and_many_rows(world: World, client: Any) -> None:
    make(world, world.employee, 1)
    client.force_login(world.employee)
    client.get(LIST)  # warm the session

    one = _list_queries(client)
    make(world, world.employee, 24)
    many = _list_queries(client)

    assert len(one) == len(many)
    # The page's COUNT and SELECT, plus the header's unread count once base.html shows it.
    assert len([sql for sql in many if "workflow_notification" in sql]) in (2, 3)


def test_marking_my_notification_read_redirects_back_to_the_list(world: World, client: Any) -> None:
    [row] = make(world, world.employee)
    client.force_login(world.employee)

    response = client.post(f"{LIST}{row.pk}/dibaca/", {"page": "2"})

    assert (response.status_code, response["Location"]) == (302, "/notifikasi/?page=2")
    row.refresh_from_db()
    assert row.read_at is not None


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    world: World, client: Any
) -> None:
    [row] = make(world, world.employee)
    client.force_login(world.employee)

    response = client.post(f"{LIST}{row.pk}/dibaca/", {"next": "/dokumen/1/"})

    assert (response.status_code, response["Location"]) == (302, "/dokumen/1/")
    row.refresh_from_db()
    assert row.read_at is not None


def test_an_offsite_next_is_ignored(world: World, client: Any) -> None:
    [row] = make(world, world.employee)
    client.force_login(world.employee)

    response = client.post(f"{LIST}{row.pk}/dibaca/", {"next": "https://jahat.example/"})

    assert response["Location"] == LIST


def test_marking_again_keeps_the_first_read_time(world: World) -> None:
    [row] = make(world, world.employee)
    first = notifications.mark_read(world.employee, row.pk).read_at

    assert notifications.mark_read(world.employee, row.pk).read_at == first


def test_another_users_notification_answers_404_and_stays_unread(world: World, client: Any) -> None:
    [row] = make(world, world.appraiser)
    client.force_login(world.employee)

    response = client.post(f"{LIST}{row.pk}/dibaca/")

    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    with pytest.raises(Notification.DoesNotExist):
        notifications.mark_read(world.employee, row.pk)


def test_marking_read_needs_a_post(world: World, client: Any) -> None:
    [row] = make(world, world.employee)
    client.force_login(world.employee)

    assert client.get(f"{LIST}{row.pk}/dibaca/").status_code == 405
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read_changes_only_my_unread_rows(world: World, client: Any) -> None:
    mine = make(world, world.employee, 3)
    already = notifications.mark_read(world.employee, mine[0].pk).read_at
    [theirs] = make(world, world.appraiser)
    client.force_login(world.employee)

    response = client.post(f"{LIST}semua-dibaca/", follow=True)

    assert "2 notifikasi ditandai sudah dibaca." in response.content.decode()
    assert Notification.objects.filter(recipient=world.employee, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=mine[0].pk).read_at == already
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_show_the_defaults_and_save_my_choice(world: World, client: Any) -> None:
    client.force_login(world.employee)

    page = client.get(f"{LIST}preferensi/")
    assert page.context["form"].initial == {"email_enabled": True, "digest": "immediate"}
    # The digest goes out at 00.00 UTC: 08.00 on the clock of this Makassar (WITA) agency.
    assert "Ringkasan harian dikirim sekitar pukul 08.00 WITA." in page.content.decode()
    response = client.post(f"{LIST}preferensi/", {"digest": "daily"})

    assert (response.status_code, response["Location"]) == (302, "/notifikasi/preferensi/")
    preference = NotificationPreference.objects.get(user=world.employee)
    assert (preference.email_enabled, preference.digest) == (False, DigestChoice.DAILY)
    assert NotificationPreference.objects.count() == 1


def test_an_unknown_digest_is_refused_and_nothing_is_saved(world: World, client: Any) -> None:
    client.force_login(world.employee)

    response = client.post(f"{LIST}preferensi/", {"email_enabled": "on", "digest": "weekly"})

    assert response.status_code == 200
    assert response.context["form"].errors["digest"]
    assert NotificationPreference.objects.count() == 0
    with pytest.raises(ValueError, match="unknown digest"):
        notifications.save_preferences(user=world.employee, email_enabled=True, digest="weekly")
    assert NotificationPreference.objects.count() == 0


def test_the_unread_count_is_one_lazy_query_for_signed_in_users_only(
    world: World, django_assert_num_queries: Any
) -> None:
    make(world, world.employee, 3)
    notifications.mark_read(world.employee, Notification.objects.first().pk)  # type: ignore[union-attr]
    make(world, world.appraiser, 2)
    request = RequestFactory().get("/")
    request.user = world.employee

    with django_assert_num_queries(0):
        context = unread_count(request)
    with django_assert_num_queries(1):
        rendered = Template(
            "{% if unread_notifications %}{{ unread_notifications }}|"
            "{{ unread_notifications|add:1 }}{% endif %}"
        ).render(Context(context))
    assert rendered == "2|3"
    assert int(context["unread_notifications"]) == 2

    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_count(request) == {}
