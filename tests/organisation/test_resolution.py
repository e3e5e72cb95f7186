"""Who appraises whom: holders, vacant posts, acting officials on and off their dates."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from processes.organisation import actions
from processes.organisation.models import ActingAppointment, EmployeeStatus
from processes.organisation.selectors import (
    appraiser_of,
    appraiser_supervisor_of,
    employees_in_units,
    official_of_post,
    vacancies,
)
from tests.factories.organisation import Org, build_org
from workflow import policy
from workflow.models import Case, Delegation

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def org(db: None) -> Org:
    return build_org()


def names(resolution: object) -> str | None:
    official = getattr(resolution, "official", None)
    return official.employee.name if official is not None else None


def test_appraiser_is_the_holder_of_the_post_reported_to(org: Org) -> None:
    staff = org.people["staf1"]
    assert names(appraiser_of(staff, DAY)) == "Nurhayati Hasan"
    assert appraiser_of(staff, DAY).gaps == ()
    assert names(appraiser_supervisor_of(staff, DAY)) == "Drs. Arifin Lamato"
    assert names(appraiser_of(org.people["kasi"], DAY)) == "Drs. Arifin Lamato"
    assert names(appraiser_supervisor_of(org.people["kasi"], DAY)) == "Dr. Hj. Rahmawati Usman"


def test_the_top_post_has_no_appraiser_and_says_so(org: Org) -> None:
    resolution = appraiser_of(org.people["kadis"], DAY)
    assert resolution.official is None
    assert resolution.gaps == (
        "Jabatan Kepala Dinas Pendidikan tidak punya atasan pada data jabatan.",
    )


def test_a_vacant_post_resolves_to_the_next_post_up_and_reports_the_gap(org: Org) -> None:
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kasi"],
        position=org.positions["GURU"],
        on=datetime.date(2026, 3, 1),
        reason="Alih jabatan ke fungsional",
    )

    resolution = appraiser_of(org.people["staf1"], DAY)
    assert names(resolution) == "Drs. Arifin Lamato"
    assert resolution.gaps == (
        "Jabatan Kepala Seksi Kurikulum kosong pada 10 Mar 2026 dan tidak ada Plt/Plh; "
        "diteruskan ke Kepala Bidang Pembinaan SD.",
    )
    # The day before the transfer the old holder still appraised.
    assert names(appraiser_of(org.people["staf1"], datetime.date(2026, 2, 28))) == "Nurhayati Hasan"
    [(post, where)] = vacancies(org.agency, DAY)
    assert (post.code, names(where)) == ("KASI", "Drs. Arifin Lamato")


def test_the_gap_names_the_day_as_people_read_dates_in_the_active_language(org: Org) -> None:
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kasi"],
        position=org.positions["GURU"],
        on=datetime.date(2026, 3, 1),
        reason="Alih jabatan ke fungsional",
    )
    october = datetime.date(2026, 10, 6)

    with translation.override("id"):
        vacant = appraiser_of(org.people["staf1"], october).gaps
        unplaced = appraiser_of(org.people["staf1"], datetime.date(2000, 8, 17)).gaps
    with translation.override("en"):
        english = appraiser_of(org.people["staf1"], october).gaps

    assert vacant == (
        "Jabatan Kepala Seksi Kurikulum kosong pada 6 Okt 2026 dan tidak ada Plt/Plh; "
        "diteruskan ke Kepala Bidang Pembinaan SD.",
    )
    assert unplaced == ("Andi Pratama tidak memangku jabatan pada 17 Agu 2000.",)
    assert english == (
        "Position Kepala Seksi Kurikulum is vacant on 6 Oct 2026 and has no Plt/Plh; "
        "passed on to Kepala Bidang Pembinaan SD.",
    )


def test_acting_official_holds_a_vacant_post_only_on_their_dates(org: Org) -> None:
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kasi"],
        position=org.positions["GURU"],
        on=datetime.date(2026, 3, 1),
        reason="Alih jabatan",
    )
    appointment = actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["staf3"],
        position=org.positions["KASI"],
        starts_on=datetime.date(2026, 3, 5),
        ends_on=datetime.date(2026, 3, 31),
        decree_number="800/12/BKPSDM/2026",
    )

    on = appraiser_of(org.people["staf1"], DAY)
    assert names(on) == "Yusuf Mokodompit"
    assert on.official is not None
    assert on.official.label == ("Plt. Kepala Seksi Kurikulum (800/12/BKPSDM/2026)")
    assert on.gaps == ()
    before = appraiser_of(org.people["staf1"], datetime.date(2026, 3, 4))
    after = appraiser_of(org.people["staf1"], datetime.date(2026, 4, 1))
    assert (names(before), names(after)) == ("Drs. Arifin Lamato", "Drs. Arifin Lamato")
    assert vacancies(org.agency, DAY) == []
    assert appointment.kind == ActingAppointment.Kind.PLT


def test_a_holder_on_study_leave_does_not_hold_the_post(org: Org) -> None:
    actions.set_employee_status(
        actor=org.admin,
        employee=org.people["kasi"],
        status=EmployeeStatus.STUDY_LEAVE,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 8, 31),
        reference="SK Tugas Belajar 12/2026",
    )

    assert official_of_post(org.positions["KASI"], DAY) is None
    assert names(appraiser_of(org.people["staf1"], DAY)) == "Drs. Arifin Lamato"
    assert names(appraiser_of(org.people["staf1"], datetime.date(2026, 9, 1))) == "Nurhayati Hasan"
    enrolled = set(
        employees_in_units(org.agency, [org.units["DISDIK"]], DAY).values_list("name", flat=True)
    )
    assert "Nurhayati Hasan" not in enrolled
    assert len(enrolled) == 7


def test_plh_beside_a_holder_acts_for_them_through_a_delegation(org: Org) -> None:
    actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["staf3"],
        position=org.positions["KASI"],
        starts_on=datetime.date(2026, 3, 5),
        ends_on=datetime.date(2026, 3, 20),
        decree_number="SP 12/2026",
        kind=ActingAppointment.Kind.PLH,
    )

    delegation = Delegation.objects.get()
    assert (
        delegation.principal_id,
        delegation.delegate_id,
        delegation.starts_on,
        delegation.ends_on,
        delegation.capacity_label,
        delegation.reference,
    ) == (
        org.user("kasi").pk,
        org.user("staf3").pk,
        datetime.date(2026, 3, 5),
        datetime.date(2026, 3, 20),
        "Plh. Kepala Seksi Kurikulum",
        "SP 12/2026",
    )
    case = Case(tenant_id=org.agency.pk)
    acting = policy.acting_capacity(org.user("staf3"), case, DAY, org.user("kasi").pk)
    assert acting is not None
    assert (acting.acting_for_id, acting.label) == (
        org.user("kasi").pk,
        "Plh. Kepala Seksi Kurikulum (SP 12/2026)",
    )
    assert (
        policy.acting_capacity(
            org.user("staf3"), case, datetime.date(2026, 3, 21), org.user("kasi").pk
        )
        is None
    )
    # The holder is present, so the holder stays the appraiser.
    assert names(appraiser_of(org.people["staf1"], DAY)) == "Nurhayati Hasan"


def test_overlapping_acting_appointments_are_refused_and_nothing_is_written(org: Org) -> None:
    actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["staf3"],
        position=org.positions["KASI"],
        starts_on=datetime.date(2026, 3, 5),
        ends_on=datetime.date(2026, 3, 20),
        decree_number="SP 1",
    )
    with pytest.raises(actions.InvalidInput) as raised:
        actions.appoint_acting_official(
            actor=org.admin,
            employee=org.people["staf2"],
            position=org.positions["KASI"],
            starts_on=datetime.date(2026, 3, 15),
            ends_on=datetime.date(2026, 3, 25),
            decree_number="SP 2",
        )
    assert raised.value.errors == {
        "starts_on": [
            "Jabatan ini sudah punya Plt. Kepala Seksi Kurikulum (SP 1) pada tanggal yang beririsan."
        ]
    }
    assert ActingAppointment.objects.count() == 1
