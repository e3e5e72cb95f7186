"""The five shipped agency configurations: each loads cleanly, twice without a change, onto a
valid template, with the specifics its seed asks for (DOMAIN.md section 10)."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from processes.organisation.identity import parse_number
from processes.organisation.models import (
    Agency,
    Employee,
    Position,
    PositionHolding,
    Unit,
    User,
)
from processes.organisation.roles import peer_user_ids
from processes.organisation.selectors import appraiser_of
from processes.skp.actions.library import (
    InvalidLibraryEntry,
    save_indicator_template,
    save_public_service,
    save_unit_goal,
)
from processes.skp.agencies import loader as agency_loader
from processes.skp.agencies import shipped_codes
from processes.skp.agencies.loader import (
    LoadedAgency,
    generated_nip,
    load_agency,
    planned_nips,
    read_config,
    template_stages,
)
from processes.skp.models import IndicatorTemplate, PublicService, UnitGoal
from processes.skp.process import KIND, settings_for
from processes.skp.rules import FollowUp, PeriodType
from workflow.designer import template_problems
from workflow.errors import ActionForbidden
from workflow.models import AuditCode, AuditEntry, Team, WorkflowTemplate
from workflow.registry import get_process
from workflow.spec import Phase, Quorum, Role, validate_stages

CODES = ["bantul", "dumai", "gorontalo", "makassar", "tanjung_selor"]
DAY = datetime.date(2026, 6, 1)


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser("root", password="x")


def _row_counts() -> dict[str, int]:
    """Return the number of rows of every model (a load that writes anything changes one)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_the_five_agencies_are_shipped() -> None:
    assert shipped_codes() == CODES
    assert {read_config(code)["agency"]["code"] for code in CODES} == {
        "bantul",
        "dumai",
        "gorontalo",
        "makassar",
        "tanjung-selor",
    }


@pytest.mark.parametrize("code", CODES)
def test_each_config_loads_cleanly_and_a_second_load_writes_nothing(root: User, code: str) -> None:
    config = read_config(code)
    loaded = load_agency(code, actor=root, password="rahasia-demo")
    before = _row_counts()

    again = load_agency(code, actor=root, password="rahasia-demo")

    assert again.changes == 0
    assert _row_counts() == before
    assert loaded.changes > 0
    assert again.agency.pk == loaded.agency.pk
    agency = Agency.objects.get(code=config["agency"]["code"])
    assert (agency.name, agency.time_zone) == (
        config["agency"]["name"],
        config["agency"]["time_zone"],
    )
    assert loaded.admin.is_agency_admin
    assert loaded.admin.agency_id == agency.pk
    # The organisation: a tree of at least three OPDs with sub-units, 40+ employees, each
    # holding exactly the post the configuration names, each with an account.
    opds_with_children = Unit.objects.filter(agency=agency, parent=None, children__isnull=False)
    assert opds_with_children.distinct().count() >= 3
    employees = Employee.objects.filter(agency=agency)
    assert employees.count() == len(config["organisation"]["employees"]) >= 40
    assert employees.filter(user__isnull=True).count() == 0
    held = dict(
        PositionHolding.objects.filter(agency=agency).values_list(
            "employee__name", "position__code"
        )
    )
    assert held == {e["name"]: e["position"] for e in config["organisation"]["employees"]}
    numbers = planned_nips(config)
    assert dict(employees.values_list("name", "nip")) == numbers
    logins = {e["name"] for e in config["organisation"]["employees"] if e.get("login")}
    for employee in employees.select_related("user"):
        assert employee.user is not None
        assert employee.user.check_password("rahasia-demo") is (employee.name in logins)
    # Every position's reporting line as configured; everyone but the top has an appraiser.
    lines = dict(Position.objects.filter(agency=agency).values_list("code", "reports_to__code"))
    assert lines == {p["code"]: p["reports_to"] for p in config["organisation"]["positions"]}
    for employee in employees:
        top = held[employee.name] == "SEKDA"
        assert (appraiser_of(employee, DAY).official is None) is top, employee.name
    # Settings, template, library, goals and services as configured.
    stored = settings_for(agency.pk)
    for name, value in config["settings"].items():
        expected = Decimal(value) if isinstance(getattr(stored, name), Decimal) else value
        assert getattr(stored, name) == expected, name
    template = WorkflowTemplate.objects.get(tenant=agency, code=config["template"]["code"])
    latest = template.latest_version()
    assert latest is not None
    assert latest.number == 1
    assert latest.stages == config["template"]["stages"]
    assert IndicatorTemplate.objects.filter(agency=agency).count() == sum(
        len(entries) for entries in config["indicator_library"].values()
    )
    assert UnitGoal.objects.filter(agency=agency).count() == len(config["unit_goals"])
    assert PublicService.objects.filter(agency=agency).count() == len(config["public_services"])


@pytest.mark.parametrize("code", CODES)
def test_each_template_validates_against_the_skp_vocabulary_and_ends_final(code: str) -> None:
    config = read_config(code)
    stages = template_stages(config)
    teams = [team["code"] for team in config["teams"]]

    assert validate_stages(stages, get_process(KIND).vocabulary(teams=teams)) == []
    assert stages[-1].phase == Phase.FINAL
    assert not stages[-1].optional
    assert [stage.to_dict() for stage in stages] == config["template"]["stages"]


@pytest.mark.parametrize("code", CODES)
def test_each_loaded_template_has_no_problems_in_its_agency(root: User, code: str) -> None:
    loaded = load_agency(code, actor=root)
    latest = loaded.template.latest_version()
    assert latest is not None
    assert template_problems(loaded.agency.pk, KIND, latest.specs()) == []


def test_generated_numbers_are_valid_distinct_and_stable() -> None:
    seen: dict[str, str] = {}
    for code in CODES:
        config = read_config(code)
        by_name = {e["name"]: e for e in config["organisation"]["employees"]}
        assert len(by_name) == len(config["organisation"]["employees"])
        for name, number in planned_nips(config).items():
            entry = by_name[name]
            parsed = parse_number(number, entry["type"], today=datetime.date(2024, 1, 1))
            assert parsed.sex == {"L": "1", "P": "2"}[entry["sex"]]
            assert number not in seen, (name, seen.get(number))
            seen[number] = name
        assert planned_nips(config) == planned_nips(copy.deepcopy(config))
    assert generated_nip("a", "Budi", "pns", "1") == generated_nip("a", "Budi", "pns", "1")
    assert generated_nip("a", "Budi", "pns", "1") != generated_nip("b", "Budi", "pns", "1")


# The specifics of each agency ---------------------------------------------------------------


def _library(loaded: LoadedAgency, unit_code: str | None) -> dict[str, IndicatorTemplate]:
    unit = loaded.units[unit_code] if unit_code else None
    rows = IndicatorTemplate.objects.filter(agency=loaded.agency, unit=unit)
    return {row.text: row for row in rows}


def test_gorontalo_education_library_and_self_entry(root: User) -> None:
    loaded = load_agency("gorontalo", actor=root)
    settings = settings_for(loaded.agency.pk)

    education = _library(loaded, "DISDIK")
    assert loaded.units["DISDIK"].name == "Dinas Pendidikan"
    exam = education["Peningkatan rata-rata nilai ujian siswa SMA/SMK"]
    participation = education["Persentase partisipasi masyarakat dalam program pendidikan"]
    assert (exam.aspect, exam.target_unit, exam.default_target) == ("kualitas", "poin", Decimal(5))
    assert (participation.aspect, participation.target_unit) == ("kuantitas", "%")
    agency_wide = _library(loaded, None)
    assert {row.aspect for row in agency_wide.values()} >= {"kualitas", "biaya"}
    assert "Persentase efisiensi penggunaan anggaran" in agency_wide
    assert "Indeks kepuasan masyarakat (survei IKM)" in agency_wide
    assert loaded.agency.time_zone == "Asia/Makassar"
    assert settings.employee_enters_realisation is True
    assert UnitGoal.objects.filter(unit=loaded.units["DISDIK"], year=2026).count() == 3


@pytest.mark.parametrize(
    ("code", "entry"),
    [("bantul", "UMUM-HADIR"), ("gorontalo", "DIK-PARTISIPASI"), ("makassar", "UMUM-ADUAN-TUNTAS")],
)
def test_shipped_percentages_counted_as_kuantitas_average_over_the_periods(
    root: User, code: str, entry: str
) -> None:
    loaded = load_agency(code, actor=root)
    row = IndicatorTemplate.objects.get(agency=loaded.agency, code=entry)
    assert (row.aspect, row.target_unit, row.aggregation) == ("kuantitas", "%", "average")
    # The agency's other entries leave it to their aspect and unit (rules.aggregation_for).
    others = IndicatorTemplate.objects.filter(agency=loaded.agency).exclude(code=entry)
    assert set(others.values_list("aggregation", flat=True)) == {""}


def test_bantul_monthly_with_competence_and_attendance(root: User) -> None:
    loaded = load_agency("bantul", actor=root)
    settings = settings_for(loaded.agency.pk)

    assert settings.period_type == PeriodType.MONTHLY
    assert settings.extra_aspects == [{"code": "kompetensi", "name": "Kompetensi"}]
    assert settings.attendance_enabled is True
    assert loaded.agency.time_zone == "Asia/Jakarta"
    attendance = IndicatorTemplate.objects.get(agency=loaded.agency, code="UMUM-HADIR")
    assert (attendance.source, attendance.unit_id) == (IndicatorTemplate.Source.ATTENDANCE, None)


def test_tanjung_selor_period_reports_and_training(root: User) -> None:
    loaded = load_agency("tanjung_selor", actor=root)
    settings = settings_for(loaded.agency.pk)
    stages = {stage.key: stage for stage in template_stages(loaded.config)}

    assert settings.period_report_required is True
    assert settings.below_expectation_follow_up == FollowUp.TRAINING
    assert settings.rating_method == "thresholds"
    assert "period_reports_complete" in stages["monitor"].guards
    assert {row.aspect for row in IndicatorTemplate.objects.filter(agency=loaded.agency)} >= {
        "kualitas",
        "kuantitas",
        "waktu",
    }
    assert loaded.agency.code == "tanjung-selor"


def test_makassar_peers_daily_activities_and_citizen_services(root: User) -> None:
    loaded = load_agency("makassar", actor=root)
    settings = settings_for(loaded.agency.pk)
    stages = template_stages(loaded.config)
    keys = [stage.key for stage in stages]

    peer = stages[keys.index("peer_feedback")]
    assert keys.index("peer_feedback") < keys.index("rate")
    assert (peer.role, peer.quorum, peer.quorum_n) == (Role.PEERS, Quorum.N_OF_M, 2)
    assert settings.daily_activities_enabled is True
    assert settings.citizen_feedback_enabled is True
    # One public service per service unit, each feeding a citizen-feedback indicator there.
    service_units = {u["code"] for u in loaded.config["organisation"]["units"] if u.get("service")}
    services = PublicService.objects.filter(agency=loaded.agency, is_active=True)
    assert len(service_units) == 3
    assert sorted(s.unit.code for s in services) == sorted(service_units)
    for code in service_units:
        sources = {row.source for row in _library(loaded, code).values()}
        assert IndicatorTemplate.Source.CITIZEN_FEEDBACK in sources
    response_time = IndicatorTemplate.objects.get(agency=loaded.agency, code="UMUM-RESPON-ADUAN")
    assert (response_time.aspect, response_time.target_unit) == ("waktu", "jam")
    # N-of-M peers: nobody has exactly one peer (which would leave a stuck second task);
    # the top, without a post above, has none and the optional stage is skipped.
    for name, employee in loaded.employees.items():
        peers = len(peer_user_ids(employee, DAY))
        assert peers == 0 or peers >= 2, (name, peers)


def test_dumai_team_review_discussion_and_objection(root: User) -> None:
    loaded = load_agency("dumai", actor=root)
    stages = template_stages(loaded.config)
    keys = [stage.key for stage in stages]
    by_key = {stage.key: stage for stage in stages}

    assert keys.index("team_review") == keys.index("rate") + 1
    assert (by_key["team_review"].role, by_key["team_review"].team) == (
        Role.TEAM,
        "tim-penilai-kinerja",
    )
    assert by_key["team_review"].return_to == ("rate",)
    assert "result_discussed" in by_key["discuss"].guards
    objection = by_key["decide_objection"]
    assert (objection.role, objection.condition, objection.optional) == (
        Role.APPRAISER_SUPERVISOR,
        "objection_filed",
        True,
    )
    assert keys.index("discuss") < keys.index("decide_objection") < keys.index("finalise")
    team = Team.objects.get(tenant=loaded.agency, code="tim-penilai-kinerja")
    members = set(team.group.user_set.values_list("pk", flat=True))
    expected = {loaded.employees[name].user_id for name in loaded.config["teams"][0]["members"]}
    assert members == expected
    assert len(members) == 4
    assert loaded.agency.time_zone == "Asia/Jakarta"


# Changing a configuration, and who may load one --------------------------------------------


def test_a_changed_config_is_applied_through_the_actions(
    root: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_agency("makassar", actor=root)
    changed: dict[str, Any] = copy.deepcopy(read_config("makassar"))
    changed["template"]["stages"] = [
        stage for stage in changed["template"]["stages"] if stage["key"] != "peer_feedback"
    ]
    changed["organisation"]["units"][0]["name"] = "Sekretariat Daerah Kota"
    changed["settings"]["daily_activities_enabled"] = False
    changed["public_services"][0]["name"] = "Layanan Pengaduan Warga"
    monkeypatch.setattr(agency_loader, "read_config", lambda code: changed)

    loaded = load_agency("makassar", actor=root)

    # Draft saved and published, unit renamed, settings saved, service renamed.
    assert loaded.changes == 5
    latest = loaded.template.latest_version()
    assert latest is not None
    assert latest.number == 2
    assert "peer_feedback" not in [stage["key"] for stage in latest.stages]
    assert loaded.units["SETDA"].name == "Sekretariat Daerah Kota"
    assert settings_for(loaded.agency.pk).daily_activities_enabled is False
    assert PublicService.objects.get(slug="makassar-pengaduan-masyarakat").name == (
        "Layanan Pengaduan Warga"
    )
    assert load_agency("makassar", actor=root).changes == 0


def test_only_a_superadmin_creates_an_agency(db: None) -> None:
    other = Agency.objects.create(name="Lain", code="lain")
    hr = User.objects.create_user("hr", password="x", agency=other, is_agency_admin=True)
    before = _row_counts()

    with pytest.raises(ActionForbidden):
        load_agency("dumai", actor=hr)

    assert _row_counts() == before


def test_the_command_loads_the_chosen_agencies_and_reports_no_change_the_second_time(
    root: User, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_agencies", "--only", "dumai", "tanjung-selor")
    first = capsys.readouterr().out
    call_command("load_agencies", "--only", "dumai")
    second = capsys.readouterr().out

    assert "Pemerintah Kota Dumai: " in first
    assert "perubahan." in first
    assert "Tanjung Selor" in first
    assert "Pemerintah Kota Dumai: sudah sesuai, tidak ada perubahan." in second
    assert not Agency.objects.filter(code="makassar").exists()


def test_the_command_needs_a_superadmin_and_known_codes(db: None) -> None:
    with pytest.raises(CommandError, match="superuser"):
        call_command("load_agencies", "--only", "dumai")
    User.objects.create_superuser("root", password="x")
    with pytest.raises(CommandError, match="tidak dikenal"):
        call_command("load_agencies", "--only", "atlantis")


# The library actions ------------------------------------------------------------------------


@pytest.fixture
def agency_and_admin(db: None) -> tuple[Agency, User, Unit]:
    agency = Agency.objects.create(name="Pemerintah Uji", code="uji", time_zone="Asia/Makassar")
    admin = User.objects.create_user("hr-uji", password="x", agency=agency, is_agency_admin=True)
    unit = Unit.objects.create(agency=agency, code="OPD", name="Dinas Uji", path="/1/")
    return agency, admin, unit


def _library_audit(agency: Agency) -> list[dict[str, Any]]:
    return [
        row.payload
        for row in AuditEntry.objects.filter(chain=f"library:{agency.pk}").order_by("sequence")
    ]


def test_library_entries_are_upserted_and_audited_only_when_they_change(
    agency_and_admin: tuple[Agency, User, Unit],
) -> None:
    agency, admin, unit = agency_and_admin
    fields: dict[str, Any] = {
        "code": "IKM",
        "text": "Indeks kepuasan",
        "aspect": "kualitas",
        "target_unit": "skor",
        "default_target": "4.00",
        "source": "citizen_feedback",
        "unit": unit,
    }

    row, created = save_indicator_template(actor=admin, agency=agency, **fields)
    same, changed_again = save_indicator_template(actor=admin, agency=agency, **fields)
    fields["default_target"] = "4.5"
    _row, changed = save_indicator_template(actor=admin, agency=agency, **fields)

    assert (created, changed_again, changed) == (True, False, True)
    assert same.pk == row.pk
    assert IndicatorTemplate.objects.get(pk=row.pk).default_target == Decimal("4.50")
    audit = _library_audit(agency)
    assert [entry["event"] for entry in audit] == ["indicator_template_saved"] * 2
    assert audit[1]["default_target"] == ["4", "4.5"]
    assert AuditEntry.objects.filter(chain=f"library:{agency.pk}").first().code == (  # type: ignore[union-attr]
        AuditCode.PROCESS_EVENT
    )

    goal, created = save_unit_goal(
        actor=admin, agency=agency, unit=unit, year=2026, code="SS1", text="Sasaran"
    )
    assert created
    assert save_unit_goal(
        actor=admin, agency=agency, unit=unit, year=2026, code="SS1", text="Sasaran"
    ) == (goal, False)
    service, created = save_public_service(
        actor=admin, agency=agency, unit=unit, slug="uji-loket", name="Loket"
    )
    assert created
    assert service.is_active
    assert len(_library_audit(agency)) == 4


def test_library_actions_refuse_strangers_and_bad_input_writing_nothing(
    agency_and_admin: tuple[Agency, User, Unit],
) -> None:
    agency, admin, unit = agency_and_admin
    other = Agency.objects.create(name="Lain", code="lain")
    stranger = User.objects.create_user("hr-lain", password="x", agency=other, is_agency_admin=True)
    other_unit = Unit.objects.create(agency=other, code="X", name="X", path="/9/")
    save_public_service(actor=stranger, agency=other, unit=other_unit, slug="dipakai", name="L")
    before = _row_counts()

    with pytest.raises(ActionForbidden):
        save_unit_goal(actor=stranger, agency=agency, unit=unit, year=2026, code="S", text="T")
    with pytest.raises(InvalidLibraryEntry) as bad_aspect:
        save_indicator_template(
            actor=admin, agency=agency, code="A", text="T", aspect="rasa", target_unit="x"
        )
    with pytest.raises(InvalidLibraryEntry) as bad_aggregation:
        save_indicator_template(
            actor=admin,
            agency=agency,
            code="A",
            text="T",
            aspect="kuantitas",
            target_unit="%",
            aggregation="median",
        )
    with pytest.raises(InvalidLibraryEntry) as taken:
        save_public_service(actor=admin, agency=agency, unit=unit, slug="dipakai", name="L")
    with pytest.raises(InvalidLibraryEntry) as foreign_unit:
        save_public_service(actor=admin, agency=agency, unit=other_unit, slug="baru", name="L")
    with pytest.raises(InvalidLibraryEntry) as bad_slug:
        save_public_service(actor=admin, agency=agency, unit=unit, slug="Bukan Slug", name="L")

    assert set(bad_aspect.value.errors) == {"aspect"}
    assert bad_aggregation.value.errors == {
        "aggregation": ["Cara menghitung capaian tahunan tidak dikenal."]
    }
    assert set(taken.value.errors) == {"slug"}
    assert set(foreign_unit.value.errors) == {"unit"}
    assert set(bad_slug.value.errors) == {"slug"}
    assert _row_counts() == before
