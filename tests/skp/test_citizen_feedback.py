"""Citizen feedback: the public page without sign-in, its protections, and the realisations
computed from the ratings (and from attendance) for the indicators that take them."""

from __future__ import annotations

import datetime
import io
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from processes.organisation import actions as org_actions
from processes.organisation.models import Agency, Unit, User
from processes.skp.actions import plan as plan_actions
from processes.skp.actions.attendance import import_attendance
from processes.skp.actions.citizen import (
    DuplicateFeedback,
    InvalidFeedback,
    TooManyFeedback,
    UnknownService,
    client_digest,
    refresh_attendance_realisations,
    refresh_citizen_realisations,
    submit_citizen_feedback,
)
from processes.skp.actions.library import (
    save_indicator_template,
    save_public_service,
)
from processes.skp.actions.settings import save_skp_settings
from processes.skp.models import (
    CitizenFeedback,
    Indicator,
    IndicatorTemplate,
    PublicService,
    Realisation,
)
from processes.skp.views_public import RATER_COOKIE
from tests.factories.organisation import make_agency
from tests.factories.skp import EXPECTATIONS, SkpWorld, build_skp_world, draft_plan
from workflow.errors import ActionForbidden
from workflow.models import AuditEntry

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    """Return an aware UTC instant from ``YYYY-MM-DD HH:MM``."""
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def make_town() -> tuple[Agency, User, Unit]:
    """Build an agency in WITA that takes citizen feedback, with two service units."""
    agency, admin = make_agency("kota", "Asia/Makassar", "Pemerintah Kota Contoh")
    save_skp_settings(actor=admin, agency=agency, citizen_feedback_enabled=True)
    dinas = org_actions.create_unit(
        actor=admin, agency=agency, code="DUKCAPIL", name="Dinas Kependudukan"
    )
    loket = org_actions.create_unit(
        actor=admin,
        agency=agency,
        code="LOKET",
        name="Seksi Pelayanan Identitas",
        kind=Unit.Kind.SUBUNIT,
        parent=dinas,
    )
    for slug, name, unit in (
        ("ktp", "Layanan KTP-el", loket),
        ("akta", "Layanan Akta Kelahiran", dinas),
        ("kia", "Kartu Identitas Anak", loket),
        ("pindah", "Surat Pindah", dinas),
    ):
        save_public_service(actor=admin, agency=agency, unit=unit, slug=slug, name=name)
    return agency, admin, loket


@pytest.fixture
def town(db: None) -> tuple[Agency, User, Unit]:
    """The town of ``make_town``."""
    return make_town()


def rows() -> list[tuple[Any, ...]]:
    return list(
        CitizenFeedback.objects.order_by("pk").values_list("service__slug", "score", "comment")
    )


# The action ----------------------------------------------------------------------------------


def test_a_rating_is_stored_exactly_with_a_keyed_fingerprint(
    town: tuple[Agency, User, Unit],
) -> None:
    feedback = submit_citizen_feedback(
        service_slug="ktp",
        score="4",
        comment="  Petugas ramah, antrean cepat.  ",
        client_key="10.1.2.3",
        now=at("2026-05-10 03:00"),
    )

    stored = CitizenFeedback.objects.get()
    assert (stored.pk, stored.service.slug, stored.score, stored.comment) == (
        feedback.pk,
        "ktp",
        4,
        "Petugas ramah, antrean cepat.",
    )
    assert stored.created_at == at("2026-05-10 03:00")
    assert len(stored.fingerprint) == 64
    assert stored.fingerprint.startswith(client_digest("10.1.2.3"))
    assert "10.1.2.3" not in stored.fingerprint


def test_a_second_rating_the_same_local_day_is_refused_and_the_next_day_accepted(
    town: tuple[Agency, User, Unit],
) -> None:
    # 15:00 UTC is 23:00 WITA on 10 May; 16:05 UTC is 00:05 WITA on 11 May (still 10 May UTC).
    submit_citizen_feedback(
        service_slug="ktp", score=5, comment="", client_key="c1", now=at("2026-05-10 15:00")
    )
    with pytest.raises(DuplicateFeedback, match="sudah kami terima hari ini"):
        submit_citizen_feedback(
            service_slug="ktp", score=1, comment="", client_key="c1", now=at("2026-05-10 15:55")
        )
    assert rows() == [("ktp", 5, "")]

    submit_citizen_feedback(
        service_slug="ktp", score=3, comment="", client_key="c1", now=at("2026-05-10 16:05")
    )
    # Another client, or another service, the same day is no duplicate.
    submit_citizen_feedback(
        service_slug="ktp", score=2, comment="", client_key="c2", now=at("2026-05-10 15:10")
    )
    submit_citizen_feedback(
        service_slug="akta", score=4, comment="", client_key="c1", now=at("2026-05-10 15:20")
    )
    assert rows() == [("ktp", 5, ""), ("ktp", 3, ""), ("ktp", 2, ""), ("akta", 4, "")]


@override_settings(CITIZEN_FEEDBACK_RATE=(3, 3600))
def test_a_client_is_limited_across_services_within_the_window(
    town: tuple[Agency, User, Unit],
) -> None:
    for minute, slug in enumerate(["ktp", "akta", "kia"]):
        submit_citizen_feedback(
            service_slug=slug,
            score=4,
            comment="",
            client_key="bot",
            now=at(f"2026-05-10 02:{minute:02d}"),
        )

    with pytest.raises(TooManyFeedback) as refused:
        submit_citizen_feedback(
            service_slug="pindah", score=4, comment="", client_key="bot", now=at("2026-05-10 02:30")
        )

    # The first of the three leaves the window at 03:00, in 30 minutes.
    assert refused.value.retry_after == 30 * 60
    assert "30 menit" in refused.value.message
    assert len(rows()) == 3
    submit_citizen_feedback(
        service_slug="pindah", score=4, comment="", client_key="other", now=at("2026-05-10 02:30")
    )
    submit_citizen_feedback(
        service_slug="pindah", score=4, comment="", client_key="bot", now=at("2026-05-10 03:01")
    )
    assert len(rows()) == 5


def test_invalid_or_unavailable_ratings_write_nothing(town: tuple[Agency, User, Unit]) -> None:
    agency, admin, _unit = town
    now = at("2026-05-10 02:00")

    with pytest.raises(InvalidFeedback) as bad:
        submit_citizen_feedback(
            service_slug="ktp", score=6, comment="x" * 1001, client_key="c", now=now
        )
    assert set(bad.value.errors) == {"score", "comment"}
    with pytest.raises(UnknownService):
        submit_citizen_feedback(service_slug="tidak-ada", score=4, comment="", client_key="c")
    save_public_service(
        actor=admin,
        agency=agency,
        unit=PublicService.objects.get(slug="kia").unit,
        slug="kia",
        name="Kartu Identitas Anak",
        is_active=False,
    )
    with pytest.raises(UnknownService):
        submit_citizen_feedback(service_slug="kia", score=4, comment="", client_key="c")
    save_skp_settings(actor=admin, agency=agency, citizen_feedback_enabled=False)
    with pytest.raises(UnknownService):
        submit_citizen_feedback(service_slug="ktp", score=4, comment="", client_key="c")

    assert rows() == []


def _race(count: int, submit: Callable[[int], object]) -> list[str]:
    """Run ``submit(n)`` in ``count`` threads released together; return each outcome."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def worker(number: int) -> None:
        try:
            barrier.wait()
            submit(number)
            outcomes.append("stored")
        except (DuplicateFeedback, TooManyFeedback) as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_client_are_serialised() -> None:
    make_town()
    now = at("2026-05-10 02:00")

    same = _race(
        6,
        lambda n: submit_citizen_feedback(
            service_slug="ktp", score=5, comment="", client_key="rush", now=now
        ),
    )
    with override_settings(CITIZEN_FEEDBACK_RATE=(3, 3600)):
        spread = _race(
            4,
            lambda n: submit_citizen_feedback(
                service_slug=["ktp", "akta", "kia", "pindah"][n],
                score=5,
                comment="",
                client_key="burst",
                now=now,
            ),
        )

    assert same == ["duplicate_feedback"] * 5 + ["stored"]
    assert spread == ["stored"] * 3 + ["too_many_feedback"]
    assert CitizenFeedback.objects.count() == 4


# The public page -----------------------------------------------------------------------------


def test_the_page_needs_no_login_and_offers_labelled_radio_buttons(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    response = client.get("/layanan/ktp/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Layanan KTP-el" in html
    assert "Seksi Pelayanan Identitas" in html
    assert html.count('type="radio"') == 5
    assert "<legend>Seberapa puas Anda dengan layanan ini?</legend>" in html
    for label in ("Sangat tidak puas", "Tidak puas", "Cukup puas", "Puas", "Sangat puas"):
        assert label in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html
    assert 'maxlength="1000"' in html


def test_a_rating_through_the_page_is_stored_and_thanked(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    response = client.post(
        "/layanan/ktp/",
        {"score": "4", "comment": "Cepat dan jelas.", "website": ""},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302
    assert response["Location"] == "/layanan/ktp/terima-kasih/"
    assert rows() == [("ktp", 4, "Cepat dan jelas.")]
    assert CitizenFeedback.objects.get().fingerprint.startswith(client_digest("203.0.113.7"))
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Terima kasih" in thanks.content.decode()


def test_the_page_keeps_csrf(town: tuple[Agency, User, Unit]) -> None:
    browser = Client(enforce_csrf_checks=True)

    refused = browser.post("/layanan/ktp/", {"score": "5"})
    browser.get("/layanan/ktp/")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post("/layanan/ktp/", {"score": "5", "csrfmiddlewaretoken": token})

    assert (refused.status_code, accepted.status_code) == (403, 302)
    assert rows() == [("ktp", 5, "")]


def test_a_duplicate_through_the_page_is_refused_politely_with_409(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    client.post("/layanan/ktp/", {"score": "5"}, REMOTE_ADDR="198.51.100.1")

    again = client.post("/layanan/ktp/", {"score": "1"}, REMOTE_ADDR="198.51.100.1")

    assert again.status_code == 409
    html = again.content.decode()
    assert "sudah kami terima hari ini" in html
    # The reason is shown instead of an empty form to fill in again.
    assert 'id="refusal"' in html
    assert "Kirim penilaian" not in html
    assert rows() == [("ktp", 5, "")]


def test_two_browsers_on_one_network_are_two_raters(town: tuple[Agency, User, Unit]) -> None:
    counter, desk = Client(), Client()
    for browser in (counter, desk):
        assert browser.get("/layanan/ktp/").status_code == 200

    first = counter.post("/layanan/ktp/", {"score": "5"}, REMOTE_ADDR="198.51.100.1")
    second = desk.post("/layanan/ktp/", {"score": "2"}, REMOTE_ADDR="198.51.100.1")
    again = counter.post("/layanan/ktp/", {"score": "1"}, REMOTE_ADDR="198.51.100.1")

    assert (first.status_code, second.status_code, again.status_code) == (302, 302, 409)
    assert sorted(rows()) == [("ktp", 2, ""), ("ktp", 5, "")]
    cookie = counter.cookies[RATER_COOKIE]
    assert re.fullmatch(r"[0-9a-f]{32}", cookie.value)
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Lax")
    assert counter.cookies[RATER_COOKIE].value != desk.cookies[RATER_COOKIE].value


@override_settings(CITIZEN_FEEDBACK_RATE=(2, 3600))
def test_new_tokens_do_not_lift_the_network_limit(town: tuple[Agency, User, Unit]) -> None:
    statuses = []
    for _attempt in range(3):
        fresh = Client()  # cookies cleared every time
        fresh.get("/layanan/ktp/")
        statuses.append(
            fresh.post("/layanan/ktp/", {"score": "4"}, REMOTE_ADDR="203.0.113.9").status_code
        )

    assert statuses == [302, 302, 429]
    assert rows() == [("ktp", 4, ""), ("ktp", 4, "")]


@override_settings(CITIZEN_FEEDBACK_RATE=(2, 3600))
def test_the_rate_limit_answers_429_with_retry_after(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    for slug in ("ktp", "akta"):
        assert client.post(f"/layanan/{slug}/", {"score": "3"}).status_code == 302

    refused = client.post("/layanan/kia/", {"score": "3"})

    assert refused.status_code == 429
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert "terlalu banyak penilaian" in refused.content.decode()
    assert len(rows()) == 2


def test_a_filled_honeypot_is_thanked_but_not_stored(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    response = client.post(
        "/layanan/ktp/", {"score": "5", "comment": "promo", "website": "http://spam.example"}
    )

    assert response.status_code == 302
    assert rows() == []


def test_an_invalid_form_is_shown_again_with_400(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    missing = client.post("/layanan/ktp/", {"comment": "tanpa skor"})
    too_long = client.post("/layanan/ktp/", {"score": "4", "comment": "x" * 1001})
    wrong = client.post("/layanan/ktp/", {"score": "9"})

    assert [r.status_code for r in (missing, too_long, wrong)] == [400, 400, 400]
    assert "Pilih salah satu penilaian." in missing.content.decode()
    assert rows() == []


def test_unknown_or_inactive_services_are_not_found(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    agency, admin, unit = town
    save_public_service(
        actor=admin, agency=agency, unit=unit, slug="kia", name="KIA", is_active=False
    )

    assert client.get("/layanan/tidak-ada/").status_code == 404
    assert client.post("/layanan/tidak-ada/", {"score": "5"}).status_code == 404
    assert client.get("/layanan/kia/").status_code == 404
    assert client.get("/layanan/kia/terima-kasih/").status_code == 404
    assert rows() == []


def test_the_client_is_the_remote_address_unless_a_proxy_is_trusted(
    client: Client, town: tuple[Agency, User, Unit]
) -> None:
    proxy = "10.0.0.1"
    first = client.post(
        "/layanan/ktp/", {"score": "5"}, HTTP_X_FORWARDED_FOR="1.1.1.1", REMOTE_ADDR=proxy
    )
    second = client.post(
        "/layanan/ktp/", {"score": "4"}, HTTP_X_FORWARDED_FOR="2.2.2.2", REMOTE_ADDR=proxy
    )
    assert (first.status_code, second.status_code) == (302, 409)

    with override_settings(CITIZEN_FEEDBACK_TRUST_PROXY=True):
        third = client.post(
            "/layanan/akta/",
            {"score": "4"},
            HTTP_X_FORWARDED_FOR="9.9.9.9, 2.2.2.2",
            REMOTE_ADDR=proxy,
        )
        fourth = client.post(
            "/layanan/akta/",
            {"score": "3"},
            HTTP_X_FORWARDED_FOR="9.9.9.9, 3.3.3.3",
            REMOTE_ADDR=proxy,
        )
    assert (third.status_code, fourth.status_code) == (302, 302)
    marks = list(CitizenFeedback.objects.order_by("pk").values_list("fingerprint", flat=True))
    assert [mark[:32] for mark in marks] == [
        client_digest("10.0.0.1"),
        client_digest("2.2.2.2"),
        client_digest("3.3.3.3"),
    ]


# Realisations from the ratings ---------------------------------------------------------------


@pytest.fixture
def world(db: None) -> SkpWorld:
    """The standard world (WITA) with services in the Dinas and the regional secretariat."""
    world = build_skp_world()
    org = world.org
    save_skp_settings(actor=org.admin, agency=org.agency, citizen_feedback_enabled=True)
    for slug, unit in (
        ("loket-kurikulum", "SEK-KUR"),
        ("loket-sd", "BID-SD"),
        ("loket-sekretariat", "SEKRE"),
        ("loket-setda", "SETDA"),
    ):
        save_public_service(
            actor=org.admin, agency=org.agency, unit=org.units[unit], slug=slug, name=slug
        )
    return world


def _citizen_indicator(world: SkpWorld, who: str, template: IndicatorTemplate) -> Indicator:
    skp = world.skp(who)
    rhk = skp.rhks.order_by("pk").first()
    assert rhk is not None
    return plan_actions.save_indicator(
        skp_id=skp.pk,
        actor=world.user(who),
        rhk_id=rhk.pk,
        text="",
        aspect=template.aspect,
        target_value=Decimal(4),
        target_unit=template.target_unit,
        template_id=template.pk,
    )


def _library_indicator(world: SkpWorld, code: str, source: str) -> IndicatorTemplate:
    template, _created = save_indicator_template(
        actor=world.org.admin,
        agency=world.org.agency,
        code=code,
        text=f"Indikator {code}",
        aspect="kualitas",
        target_unit="skor" if source == "citizen_feedback" else "%",
        source=source,
    )
    return template


def _realisations(indicator: Indicator) -> dict[int, tuple[Decimal, str]]:
    return {
        row.period_index: (row.value, row.note)
        for row in Realisation.objects.filter(indicator=indicator)
    }


def _refresh_audit(world: SkpWorld, event: str) -> list[dict[str, Any]]:
    return [
        row.payload
        for row in AuditEntry.objects.filter(chain=f"cycle:{world.cycle.pk}").order_by("sequence")
        if row.payload.get("event") == event
    ]


def test_citizen_indicators_get_the_exact_average_of_their_units_services_per_period(
    world: SkpWorld,
) -> None:
    template = _library_indicator(world, "IKM-WARGA", "citizen_feedback")
    draft_plan(world, "kadis")
    kadis = _citizen_indicator(world, "kadis", template)
    skp = world.skp("kadis")
    plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("kadis"))
    plan_actions.save_expectations(
        skp_id=skp.pk, actor=world.user("sekda"), expectations=dict(EXPECTATIONS)
    )
    plan_actions.approve_plan(skp_id=skp.pk, actor=world.user("sekda"))
    draft_plan(world, "kabid")
    kabid = _citizen_indicator(world, "kabid", template)
    manual = Indicator.objects.filter(rhk__skp=world.skp("kabid")).exclude(pk=kabid.pk).get()
    for client_key, (slug, score, when) in enumerate(
        [
            ("loket-kurikulum", 5, "2026-02-03 02:00"),
            ("loket-kurikulum", 4, "2026-02-04 02:00"),
            ("loket-sd", 4, "2026-03-31 15:30"),  # 23:30 WITA, 31 March: Triwulan I
            ("loket-sekretariat", 1, "2026-03-15 02:00"),  # the Dinas, not the Bidang
            ("loket-setda", 1, "2026-03-15 02:00"),  # outside the Dinas
            ("loket-sd", 2, "2026-03-31 16:30"),  # 00:30 WITA, 1 April: Triwulan II
            ("loket-kurikulum", 3, "2026-05-20 02:00"),
        ]
    ):
        submit_citizen_feedback(
            service_slug=slug, score=score, comment="", client_key=str(client_key), now=at(when)
        )

    written = refresh_citizen_realisations(cycle_id=world.cycle.pk, actor=world.org.admin)

    assert written == 4
    assert _realisations(kadis) == {
        1: (Decimal("3.50"), "Rata-rata 4 penilaian masyarakat"),
        2: (Decimal("2.50"), "Rata-rata 2 penilaian masyarakat"),
    }
    assert _realisations(kabid) == {
        1: (Decimal("4.33"), "Rata-rata 3 penilaian masyarakat"),
        2: (Decimal("2.50"), "Rata-rata 2 penilaian masyarakat"),
    }
    assert _realisations(manual) == {}
    audit = _refresh_audit(world, "citizen_realisations_refreshed")
    assert audit == [{"event": "citizen_realisations_refreshed", "written": 4, "skps": 2}]

    # A second run writes nothing and records nothing.
    assert refresh_citizen_realisations(cycle_id=world.cycle.pk) == 0
    assert len(_refresh_audit(world, "citizen_realisations_refreshed")) == 1

    # A new rating changes only its period; the scheduled run (no actor) is the system.
    submit_citizen_feedback(
        service_slug="loket-sd", score=5, comment="", client_key="x", now=at("2026-04-02 02:00")
    )
    assert refresh_citizen_realisations(cycle_id=world.cycle.pk) == 2
    assert _realisations(kabid)[2] == (Decimal("3.33"), "Rata-rata 3 penilaian masyarakat")
    assert _realisations(kadis)[1] == (Decimal("3.50"), "Rata-rata 4 penilaian masyarakat")
    last = AuditEntry.objects.filter(chain=f"cycle:{world.cycle.pk}").order_by("-sequence")[0]
    assert (last.actor_id, last.payload["written"]) == (None, 2)


def test_only_the_agencys_admin_may_refresh(world: SkpWorld) -> None:
    other, stranger = make_agency("lain")
    template = _library_indicator(world, "IKM-WARGA", "citizen_feedback")
    draft_plan(world, "kadis")
    _citizen_indicator(world, "kadis", template)
    submit_citizen_feedback(
        service_slug="loket-sd", score=5, comment="", client_key="x", now=at("2026-02-02 02:00")
    )

    with pytest.raises(ActionForbidden):
        refresh_citizen_realisations(cycle_id=world.cycle.pk, actor=stranger)
    with pytest.raises(ActionForbidden):
        refresh_attendance_realisations(cycle_id=world.cycle.pk, actor=world.user("kabid"))

    assert not Realisation.objects.exists()
    assert other.pk != world.org.agency.pk


def test_attendance_indicators_get_the_present_percentage_per_period(world: SkpWorld) -> None:
    template = _library_indicator(world, "HADIR", "attendance")
    draft_plan(world, "kadis")
    indicator = _citizen_indicator(world, "kadis", template)
    nip = world.org.people["kadis"].nip
    csv = "NIP,Tahun,Bulan,Hari Kerja,Hadir\n" + "".join(
        f"{nip},2026,{month},{working},{present}\n"
        for month, working, present in ((1, 21, 20), (2, 19, 17), (3, 22, 22), (4, 20, 19))
    )
    report = import_attendance(
        actor=world.org.admin,
        agency=world.org.agency,
        file=io.BytesIO(csv.encode()),
        filename="kehadiran.csv",
        dry_run=False,
    )
    assert report.ok, report.problems

    assert refresh_attendance_realisations(cycle_id=world.cycle.pk) == 2
    # Triwulan I: 59 of 62 working days; Triwulan II so far: 19 of 20.
    assert _realisations(indicator) == {
        1: (Decimal("95.16"), "Hadir 59 dari 62 hari kerja"),
        2: (Decimal("95.00"), "Hadir 19 dari 20 hari kerja"),
    }
    assert refresh_attendance_realisations(cycle_id=world.cycle.pk) == 0
    assert len(_refresh_audit(world, "attendance_realisations_refreshed")) == 1
