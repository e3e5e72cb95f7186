"""The demo of issue 8: ``seed_demo`` loads all five agencies so every page shows something.

Each agency gets a realistic unit tree (at least 3 units and 40 employees with valid NIPs and
Indonesian names) and SKPs in all seven phases, some late and one stuck on a vacant post;
the whole demo has exactly one keberatan awaiting its decision, and its audit chains verify.
A second run creates nothing, and the printed logins sign in with the demo password.

The seed walks a year of SKPs through the product's actions and takes minutes, so it runs
once for this module and commits, as ``make run`` does. The module's teardown then puts the
database back as it found it, the way Django's ``serialized_rollback`` does: every table
emptied, the rows that were there before (the migrations' data) loaded again. Each test runs
inside its own transaction on top of the seeded data, rolled back as usual.
"""

from __future__ import annotations

import datetime
import io
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import F, QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from viewflow.workflow.status import PROCESS, STATUS

from processes.organisation.demo import DEMO_PASSWORD, SUPERADMIN, DemoLogin, row_counts
from processes.organisation.identity import EmployeeType, parse_number
from processes.organisation.management.commands.seed_demo import demo_logins
from processes.organisation.models import (
    Agency,
    Employee,
    EmployeeStatusPeriod,
    PositionHolding,
    Unit,
    User,
)
from processes.skp.agencies import shipped_codes
from processes.skp.agencies.loader import read_config
from processes.skp.demo import CYCLE_NAME, STORIES, VACANCY_DAYS, YEAR, phase_counts
from processes.skp.models import Cycle, Objection, ObjectionExplanation, Skp
from workflow import selectors
from workflow.audit import verify_all
from workflow.doctor import diagnose, diagnose_all
from workflow.models import AuditEntry, Case, WorkItem
from workflow.spec import PHASE_ORDER, Phase

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the demo is what `make run` loads into the embedded SQLite database; the "
        "agencies' own cycles run on PostgreSQL in tests/skp/agencies",
    ),
]

# The shipped configurations by file name (``tanjung_selor``; its agency code has a hyphen).
CONFIGS: dict[str, dict[str, Any]] = {name: read_config(name) for name in shipped_codes()}
LOGINS = demo_logins()
OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
# Capitalised words (given and family names, "Daeng", "Moh.") after optional academic titles.
PERSON_NAME = re.compile(r"(?:(?:Dr|Dra|Drs)\. )?[A-Z][a-z]+\.?(?: [A-Z][a-z]+\.?)+")


# The seed, once for the module -----------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """What the first ``seed_demo`` run printed, the row counts it left and when it ran."""

    output: str
    counts: dict[str, int]
    started: datetime.datetime
    finished: datetime.datetime

    def days(self, agency: Agency) -> set[datetime.date]:
        """Return the agency's local dates while the seed ran (its "today")."""
        zone = zoneinfo.ZoneInfo(agency.time_zone)
        return {timezone.localdate(moment, zone) for moment in (self.started, self.finished)}


def _media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def _restore(snapshot: str, media: set[Path]) -> None:
    """Empty every table, load the rows of ``snapshot`` again and delete new media files.

    ``flush`` truncates on PostgreSQL (the audit table's trigger refuses only DELETE) and
    keeps the sequences, so the restored rows' keys are never handed out again.
    """
    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True
    )
    connection.creation.deserialize_db_from_string(snapshot)
    for path in _media_files() - media:
        path.unlink()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Seeded]:
    """Run ``seed_demo`` once, committed; afterwards restore the database as it was."""
    with django_db_blocker.unblock():
        snapshot = connection.creation.serialize_db_to_string()
        media = _media_files()
        output = io.StringIO()
        started = timezone.now()
        try:
            call_command("seed_demo", stdout=output)
            counts = row_counts()
        except BaseException:
            _restore(snapshot, media)
            raise
    try:
        yield Seeded(output.getvalue(), counts, started, timezone.now())
    finally:
        with django_db_blocker.unblock():
            _restore(snapshot, media)


def _agency(name: str) -> Agency:
    return Agency.objects.get(code=CONFIGS[name]["agency"]["code"])


def _current_open_tasks(agency: Agency) -> QuerySet[WorkItem]:
    """Return the agency's open tasks of the stages its open cases stand in."""
    return WorkItem.objects.filter(
        status__in=OPEN,
        process__status=PROCESS.NEW,
        process__case__tenant=agency,
        process__case__visit=F("visit"),
        process__case__stage_key=F("stage_key"),
    )


def _regional_secretary(agency: Agency) -> Employee:
    """Return the holder of the agency's top post (the one reporting to nobody)."""
    return Employee.objects.get(
        agency=agency, holdings__ends_on=None, holdings__position__reports_to=None
    )


# The organisation ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CONFIGS)
def test_each_agency_has_a_unit_tree_and_at_least_forty_employees(
    seeded: Seeded, name: str
) -> None:
    config = CONFIGS[name]
    agency = _agency(name)
    units = Unit.objects.filter(agency=agency)
    employees = Employee.objects.filter(agency=agency)
    top_units = [unit for unit in config["organisation"]["units"] if not unit.get("parent")]

    assert agency.name == config["agency"]["name"]
    assert units.count() == len(config["organisation"]["units"]) >= 3
    assert employees.count() == len(config["organisation"]["employees"]) >= 40
    # A tree: several top units with sections below them, each inside its parent's path.
    assert units.filter(parent=None).count() == len(top_units) >= 2
    children = units.exclude(parent=None).values_list("code", "path", "parent__path")
    assert len(children) == units.count() - len(top_units) >= 1
    assert [code for code, path, above in children if not path.startswith(above)] == []
    # Everyone holds a post in one of the agency's units.
    holders = PositionHolding.objects.filter(
        employee__agency=agency, ends_on=None, position__unit__agency=agency
    )
    assert holders.values("employee").distinct().count() == employees.count()


@pytest.mark.parametrize("name", CONFIGS)
def test_every_nip_is_valid_for_its_employee_type(seeded: Seeded, name: str) -> None:
    employees = list(Employee.objects.filter(agency=_agency(name)).select_related("user"))

    for employee in employees:
        parsed = parse_number(employee.nip, employee.employee_type)
        assert (parsed.digits, parsed.sex) == (employee.nip, employee.sex), employee.name
        assert employee.user is not None
        assert employee.user.username == employee.nip
    # Both kinds of number are in the demo: NIP (PNS) and NI PPPK.
    assert {employee.employee_type for employee in employees} == {
        EmployeeType.PNS.value,
        EmployeeType.PPPK.value,
    }


@pytest.mark.parametrize("name", CONFIGS)
def test_employees_have_the_indonesian_names_of_the_configuration(
    seeded: Seeded, name: str
) -> None:
    names = list(Employee.objects.filter(agency=_agency(name)).values_list("name", flat=True))
    story = STORIES[name]

    assert sorted(names) == sorted(e["name"] for e in CONFIGS[name]["organisation"]["employees"])
    assert len(set(names)) == len(names)
    assert [n for n in names if not PERSON_NAME.fullmatch(n)] == []
    assert {story.employee, story.appraiser, story.supervisor} <= set(names)


# The SKPs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CONFIGS)
def test_every_employee_but_the_regional_secretary_has_an_skp(seeded: Seeded, name: str) -> None:
    agency = _agency(name)
    cycle = Cycle.objects.get(agency=agency, year=YEAR, name=CYCLE_NAME)
    secretary = _regional_secretary(agency)

    assert cycle.status == Cycle.Status.OPEN
    assert sorted(Skp.objects.filter(cycle=cycle).values_list("employee__name", flat=True)) == (
        sorted(
            Employee.objects.filter(agency=agency)
            .exclude(pk=secretary.pk)
            .values_list("name", flat=True)
        )
    )
    assert Skp.objects.filter(agency=agency).exclude(cycle=cycle).count() == 0


@pytest.mark.parametrize("name", CONFIGS)
def test_skps_stand_in_all_seven_phases_as_printed(seeded: Seeded, name: str) -> None:
    agency = _agency(name)
    counts = phase_counts(Cycle.objects.get(agency=agency, year=YEAR, name=CYCLE_NAME))
    spread = ", ".join(f"{Phase(phase).label.lower()} {counts[phase]}" for phase in PHASE_ORDER)

    assert set(counts) == set(PHASE_ORDER)
    assert min(counts.values()) >= 1
    assert f"  {agency.name}: {sum(counts.values())} SKP ({spread})\n" in seeded.output


@pytest.mark.parametrize("name", CONFIGS)
def test_some_tasks_are_late_since_january(seeded: Seeded, name: str) -> None:
    agency = _agency(name)
    late = _current_open_tasks(agency).filter(due_at__lt=timezone.now(), needs_actor=False)
    first_due = {
        stage: min(
            timezone.localtime(t.due_at, zoneinfo.ZoneInfo(agency.time_zone)).date()
            for t in late
            if t.stage_key == stage and t.due_at is not None
        )
        for stage in {task.stage_key for task in late}
    }

    # Plans never drafted (the employee's task) and never agreed (the appraiser's).
    assert {"draft_plan", "agree_plan"} <= set(first_due)
    assert first_due["draft_plan"].replace(day=1) == datetime.date(YEAR, 1, 1)
    assert first_due["agree_plan"].replace(day=1) == datetime.date(YEAR, 1, 1)
    assert all(task.owner_id is not None for task in late)


@pytest.mark.parametrize("name", CONFIGS)
def test_one_revised_plan_is_stuck_on_the_vacant_secretary_post(seeded: Seeded, name: str) -> None:
    agency = _agency(name)
    story = STORIES[name]
    secretary = _regional_secretary(agency)
    vacancy = EmployeeStatusPeriod.objects.get(employee=secretary)
    post = secretary.holdings.get(ends_on=None).position
    (stuck,) = _current_open_tasks(agency).filter(needs_actor=True)
    case = Case.objects.get(pk=stuck.process_id)
    hr = User.objects.get(username=CONFIGS[name]["hr_admin"]["username"])

    assert (vacancy.status, vacancy.reference) == (story.vacancy, story.vacancy_reference)
    assert vacancy.starts_on + datetime.timedelta(days=VACANCY_DAYS) in seeded.days(agency)
    assert (stuck.stage_key, stuck.owner_id, case.phase) == ("agree_plan", None, Phase.AGREED)
    assert stuck.problems[0].startswith(f"Jabatan {post.name} kosong pada ")
    assert Skp.objects.get(case=case).position.reports_to == post
    # The HR console lists it with the reason.
    reasons = {task.pk: selectors.stuck_reason(task) for task in selectors.stuck_work(hr)}
    assert reasons[stuck.pk].code == "no_actor"
    assert reasons[stuck.pk].label == f"Tidak ada pelaksana: {stuck.problems[0]}"
    # The doctor finds the stuck case consistent: its task waits for a person, it is not lost.
    assert diagnose(case) == []


def test_the_doctor_finds_every_case_consistent(seeded: Seeded) -> None:
    assert Case.objects.count() == Skp.objects.count() >= 5 * 40
    assert [str(problem) for problem in diagnose_all()] == []


def test_the_stuck_console_shows_each_agency_its_stuck_task(seeded: Seeded, client: Client) -> None:
    for name, config in CONFIGS.items():
        agency = _agency(name)
        (stuck,) = _current_open_tasks(agency).filter(needs_actor=True)
        client.force_login(User.objects.get(username=config["hr_admin"]["username"]))

        page = client.get(reverse("skp:stuck_console")).content.decode()

        assert stuck.problems[0] in page, name


def test_exactly_one_objection_awaits_its_decision(seeded: Seeded) -> None:
    story = STORIES["dumai"]
    objection = Objection.objects.select_related("skp__employee", "skp__case").get()
    explanations = list(
        ObjectionExplanation.objects.filter(objection=objection).values_list(
            "party", "answered_by__employee__name", "evidence__original_name"
        )
    )

    assert Objection.objects.exclude(status=Objection.Status.DECIDED).count() == 1
    assert objection.skp.agency_id == _agency("dumai").pk
    assert objection.skp.employee.name == story.employee
    assert (objection.status, objection.decision) == (Objection.Status.EXPLANATION_REQUESTED, "")
    assert objection.skp.case is not None
    assert (objection.skp.case.phase, objection.skp.case.stage_key) == (
        Phase.DISCUSSED,
        "decide_objection",
    )
    # The appraiser has explained, with the recap attached; the employee's answer is awaited.
    assert explanations == [
        ("appraiser", story.appraiser, "rekap-realisasi.pdf"),
        ("employee", None, None),
    ]


def test_every_audit_chain_verifies(seeded: Seeded) -> None:
    chains = AuditEntry.objects.filter(chain__startswith="case:").values("chain").distinct()

    assert list(verify_all()) == []
    assert chains.count() == Case.objects.count()
    assert Case.objects.filter(audit_sequence=0).count() == 0


# Running it again ------------------------------------------------------------------------------


def test_a_second_run_creates_nothing_and_changes_no_count(seeded: Seeded) -> None:
    passwords = dict(User.objects.values_list("username", "password"))
    before = row_counts()
    output = io.StringIO()

    call_command("seed_demo", stdout=output)

    assert before == seeded.counts
    assert row_counts() == before
    assert "Data demo siap (0 rekaman baru," in output.getvalue()
    assert dict(User.objects.values_list("username", "password")) == passwords


# The demo logins -------------------------------------------------------------------------------


def test_only_the_printed_logins_have_a_password(seeded: Seeded) -> None:
    usable = {user.username for user in User.objects.all() if user.has_usable_password()}

    assert usable == {login.username for login in LOGINS}
    # The superadmin, five per agency, a peer and a team member.
    assert len(LOGINS) == 1 + 5 * 5 + 2


@pytest.mark.parametrize("login", LOGINS, ids=[login.username for login in LOGINS])
def test_each_printed_login_signs_in_with_the_demo_password(
    seeded: Seeded, client: Client, login: DemoLogin
) -> None:
    user = User.objects.get(username=login.username)

    response = client.post("/login/", {"username": login.username, "password": DEMO_PASSWORD})

    assert f"{login.role:<26} {login.username:<22} {login.name}\n" in seeded.output
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("home")).status_code == 200
    if login.username == SUPERADMIN:
        assert user.is_superuser
    elif login.agency:
        assert user.agency is not None
        assert user.agency.name == login.agency


@pytest.mark.parametrize(
    "login",
    [login for login in LOGINS if login.username.isdigit()],
    ids=[login.name for login in LOGINS if login.username.isdigit()],
)
def test_employees_sign_in_with_the_nip_as_printed_on_decrees(
    seeded: Seeded, client: Client, login: DemoLogin
) -> None:
    employee = Employee.objects.get(nip=login.username)
    spaced = parse_number(employee.nip, employee.employee_type).formatted

    response = client.post("/login/", {"username": spaced, "password": DEMO_PASSWORD})

    assert " " in spaced
    assert employee.name == login.name
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(employee.user_id)


def test_a_wrong_password_does_not_sign_in(seeded: Seeded, client: Client) -> None:
    login = next(login for login in LOGINS if login.username.isdigit())

    response = client.post("/login/", {"username": login.username, "password": "demo123456"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
