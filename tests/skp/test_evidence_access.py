"""Evidence files: what is stored, what is refused, and who may download it.

Kabid's SKP is monitored; the Kepala Dinas appraises it, the Sekretaris Daerah is the
appraiser's supervisor, ``staf1`` another employee of the agency. Each test stores files
under its own MEDIA_ROOT so "nothing left on disk" is exact.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from processes.skp.actions import monitoring
from processes.skp.actions.monitoring import InvalidMonitoring
from processes.skp.models import Evidence
from tests.factories.organisation import make_agency
from tests.factories.skp import SkpWorld, build_skp_world
from tests.factories.skp_monitoring import (
    EXE,
    HTML,
    JPEG,
    PDF,
    PNG,
    SVG,
    docx,
    manual_indicators,
    monitoring_state,
    reach_monitoring,
    set_settings,
    upload,
    xlsx,
)
from workflow.errors import ActionForbidden, StepNotAllowed
from workflow.models import AuditEntry

# 10:00 WITA, in UTC as timezone.now() gives it.
NOW = datetime.datetime(2026, 8, 20, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def world(db: None, media: Path, monkeypatch: pytest.MonkeyPatch) -> SkpWorld:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    world = build_skp_world()
    reach_monitoring(world, "kabid")
    return world


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_a_file_is_stored_under_a_random_name_and_keeps_its_own(
    world: SkpWorld, media: Path
) -> None:
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    before = AuditEntry.objects.filter(case=skp.case).count()

    evidence = monitoring.add_evidence_file(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        # What the browser claims is ignored: the type comes from the checked extension.
        uploaded=upload("C:\\Dokumen\\Laporan Triwulan II.PDF", PDF, content_type="text/html"),
        indicator_id=indicator.pk,
        period_index=2,
        note=" SK pengesahan ",
    )

    stored = Evidence.objects.get()
    assert stored.pk == evidence.pk
    assert re.fullmatch(
        rf"evidence/{skp.agency_id}/{skp.pk}/[0-9a-f]{{32}}\.pdf", stored.file.name
    ), stored.file.name
    assert (stored.original_name, stored.content_type, stored.size, stored.kind) == (
        "Laporan Triwulan II.PDF",
        "application/pdf",
        len(PDF),
        "evidence",
    )
    assert (stored.indicator_id, stored.period_index, stored.note, stored.uploaded_by_id) == (
        indicator.pk,
        2,
        "SK pengesahan",
        world.user("kabid").pk,
    )
    assert files_under(media) == [media / stored.file.name]
    assert (media / stored.file.name).read_bytes() == PDF
    rows = list(AuditEntry.objects.filter(case=skp.case).order_by("sequence")[before:])
    assert [(row.actor_id, row.capacity, row.payload) for row in rows] == [
        (
            world.user("kabid").pk,
            "",
            {
                "event": "evidence_added",
                "evidence": evidence.pk,
                "kind": "evidence",
                "name": "Laporan Triwulan II.PDF",
                "size": len(PDF),
                "content_type": "application/pdf",
                "sha256": hashlib.sha256(PDF).hexdigest(),
                "indicator": indicator.pk,
                "period": 2,
            },
        )
    ]


def test_each_allowed_type_is_accepted_when_its_content_matches(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    for name, content, content_type in [
        ("foto.png", PNG, "image/png"),
        ("foto.jpg", JPEG, "image/jpeg"),
        ("foto.jpeg", JPEG, "image/jpeg"),
        (
            "surat.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "rekap.xlsx",
            xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]:
        evidence = monitoring.add_evidence_file(
            skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload(name, content)
        )
        assert (evidence.original_name, evidence.content_type, evidence.size) == (
            name,
            content_type,
            len(content),
        )
        assert evidence.file.read() == content
        evidence.file.close()


def test_refused_files_leave_nothing_behind(world: SkpWorld, media: Path) -> None:
    set_settings(world, evidence_max_mb=1)
    skp = world.skp("kabid")
    allowed = "docx, jpeg, jpg, pdf, png, xlsx"
    cases = [
        ("besar.pdf", PDF + b"0" * 1024 * 1024, "Ukuran berkas 1,1 MB melebihi batas 1 MB."),
        ("kosong.pdf", b"", "Berkas kosong."),
        ("setup.exe", EXE, "Jenis berkas .exe tidak diterima."),
        ("laporan.html", HTML, "Jenis berkas .html tidak diterima."),
        ("logo.svg", SVG, "Jenis berkas .svg tidak diterima."),
        (
            "arsip.rar",
            b"Rar!\x1a\x07\x00",
            f"Jenis berkas .rar tidak diizinkan; gunakan: {allowed}.",
        ),
        ("README", b"teks", f"Jenis berkas tanpa ekstensi tidak diizinkan; gunakan: {allowed}."),
        (
            "laporan.pdf",
            EXE,
            "Isi berkas adalah program (executable); berkas seperti ini tidak diterima.",
        ),
        (
            "laporan.pdf",
            HTML,
            "Isi berkas berupa HTML atau SVG; berkas seperti ini tidak diterima.",
        ),
        ("gambar.png", SVG, "Isi berkas berupa HTML atau SVG; berkas seperti ini tidak diterima."),
        ("foto.jpg", PNG, "Isi berkas tidak sesuai dengan jenis .jpg."),
        ("surat.docx", PDF, "Isi berkas tidak sesuai dengan jenis .docx."),
        ("rekap.xlsx", docx(), "Isi berkas tidak sesuai dengan jenis .xlsx."),
        ("surat.docx", b"PK\x03\x04rusak", "Isi berkas tidak sesuai dengan jenis .docx."),
    ]
    for name, content, message in cases:
        before = monitoring_state(skp)
        with pytest.raises(InvalidMonitoring) as raised:
            monitoring.add_evidence_file(
                skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload(name, content)
            )
        assert raised.value.errors == {"file": [message]}, name
        assert monitoring_state(skp) == before, name
        assert files_under(media) == [], name
    assert not Evidence.objects.exists()


def test_a_program_type_stored_before_settings_refused_it_is_still_refused_on_upload(
    world: SkpWorld, media: Path
) -> None:
    # A row written before save_skp_settings refused programs (not through the action).
    set_settings(world, evidence_extensions="pdf,exe,sh")
    skp = world.skp("kabid")
    for name, content in [("setup.exe", EXE), ("pasang.sh", b"#!/bin/sh\necho hai\n")]:
        before = monitoring_state(skp)
        with pytest.raises(InvalidMonitoring) as raised:
            monitoring.add_evidence_file(
                skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload(name, content)
            )
        extension = name.rsplit(".", 1)[1]
        assert raised.value.errors == {"file": [f"Jenis berkas .{extension} tidak diterima."]}
        assert monitoring_state(skp) == before, name
    assert files_under(media) == []
    assert not Evidence.objects.exists()


def test_field_observations_are_the_appraisers_outside_a_team_review(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    before = monitoring_state(skp)
    with pytest.raises(ActionForbidden) as raised:
        monitoring.add_evidence_file(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            uploaded=upload("foto.jpg", JPEG),
            kind="field_observation",
        )
    assert str(raised.value) == (
        "Hanya pejabat penilai atau tim penilai kinerja yang boleh mencatat bukti "
        "observasi lapangan."
    )
    assert monitoring_state(skp) == before

    evidence = monitoring.add_evidence_file(
        skp_id=skp.pk,
        actor=world.user("kadis"),
        uploaded=upload("kunjungan.jpg", JPEG),
        kind="field_observation",
        note="Kunjungan ke SD Negeri 3",
    )

    assert (evidence.kind, evidence.uploaded_by_id) == (
        "field_observation",
        world.user("kadis").pk,
    )
    row = AuditEntry.objects.filter(case=skp.case).latest("sequence")
    assert (row.capacity, row.payload["kind"]) == ("Kepala Dinas Pendidikan", "field_observation")
    with pytest.raises(InvalidMonitoring) as unknown:
        monitoring.add_evidence_file(
            skp_id=skp.pk, actor=world.user("kadis"), uploaded=upload("a.pdf", PDF), kind="lain"
        )
    assert unknown.value.errors == {"kind": ["Jenis bukti dukung tidak dikenal."]}


def test_uploads_need_a_monitored_skp_and_its_employee_or_appraiser(
    world: SkpWorld, media: Path
) -> None:
    skp = world.skp("kabid")
    _agency, other_admin = make_agency("lain")
    for intruder in (
        world.user("staf1"),
        world.user("sekdis"),
        world.user("sekda"),
        world.org.admin,
        other_admin,
    ):
        before = monitoring_state(skp)
        with pytest.raises(ActionForbidden):
            monitoring.add_evidence_file(
                skp_id=skp.pk, actor=intruder, uploaded=upload("a.pdf", PDF)
            )
        assert monitoring_state(skp) == before
    drafting = world.skp("sekdis")
    with pytest.raises(StepNotAllowed) as raised:
        monitoring.add_evidence_file(
            skp_id=drafting.pk, actor=world.user("sekdis"), uploaded=upload("a.pdf", PDF)
        )
    assert str(raised.value) == (
        "SKP sedang di fase «Penyusunan rencana»; tindakan ini tidak berlaku sekarang."
    )
    assert files_under(media) == []


# Downloads ---------------------------------------------------------------------------------------


def download(client: Client, evidence_id: int) -> Any:
    return client.get(reverse("skp:evidence_download", args=[evidence_id]))


def test_those_who_may_see_the_skp_download_the_exact_file(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    evidence = monitoring.add_evidence_file(
        skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload("Laporan Triwulan II.pdf", PDF)
    )
    assert reverse("skp:evidence_download", args=[evidence.pk]) == (
        f"/skp/bukti/{evidence.pk}/unduh/"
    )
    viewers = {
        "the employee": world.user("kabid"),
        "the appraiser": world.user("kadis"),
        "the appraiser's supervisor": world.user("sekda"),
        "the agency's HR admin": world.org.admin,
    }
    for who, user in viewers.items():
        client = Client()
        client.force_login(user)
        response = download(client, evidence.pk)
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == PDF, who
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Laporan Triwulan II.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Length"] == str(len(PDF))
        assert response["Cache-Control"] == "private, no-store"


def test_everyone_else_gets_not_found_and_strangers_sign_in_first(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    evidence = monitoring.add_evidence_file(
        skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload("rahasia.pdf", PDF)
    )
    link = monitoring.add_evidence_link(
        skp_id=skp.pk, actor=world.user("kabid"), url="https://contoh.go.id/a"
    )
    _agency, other_admin = make_agency("lain")
    for who, user in {
        "another employee": world.user("staf1"),
        "a peer": world.user("sekdis"),
        "another agency's admin": other_admin,
    }.items():
        client = Client()
        client.force_login(user)
        response = download(client, evidence.pk)
        assert response.status_code == 404, who
        assert b"%PDF" not in response.content, who
    anonymous = download(Client(), evidence.pk)
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        f"/login/?next=/skp/bukti/{evidence.pk}/unduh/",
    )
    owner = Client()
    owner.force_login(world.user("kabid"))
    assert download(owner, link.pk).status_code == 404
    assert download(owner, evidence.pk + link.pk + 1000).status_code == 404
    assert owner.post(reverse("skp:evidence_download", args=[evidence.pk])).status_code == 405
