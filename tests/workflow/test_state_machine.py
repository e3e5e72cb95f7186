"""The phase field is a protected django-fsm field: only transitions change it."""

from __future__ import annotations

import pytest
from django_fsm import TransitionNotAllowed

from tests.workflow.conftest import World
from workflow.models import Case
from workflow.spec import Phase


def test_phase_cannot_be_assigned_directly(world: World) -> None:
    case = world.start()
    with pytest.raises(AttributeError):
        case.phase = Phase.FINAL


def test_advance_only_forward_and_return_only_backward(world: World) -> None:
    case = Case.objects.get(pk=world.start().pk)
    case.advance_phase(Phase.REVIEWED)
    assert case.phase == Phase.REVIEWED
    with pytest.raises(ValueError, match="cannot advance"):
        case.advance_phase(Phase.AGREED)
    with pytest.raises(ValueError, match="cannot return"):
        case.return_phase(Phase.FINAL)
    case.return_phase(Phase.AGREED)
    assert case.phase == Phase.AGREED


def test_cancelled_only_revives(world: World) -> None:
    case = Case.objects.get(pk=world.start().pk)
    case.cancel_phase()
    assert case.phase == Phase.CANCELLED
    with pytest.raises(TransitionNotAllowed):
        case.advance_phase(Phase.AGREED)
    with pytest.raises(TransitionNotAllowed):
        case.cancel_phase()
    case.revive_phase(Phase.MONITORED)
    assert case.phase == Phase.MONITORED


def test_final_cannot_advance(world: World) -> None:
    case = Case.objects.get(pk=world.start().pk)
    case.advance_phase(Phase.FINAL)
    with pytest.raises(TransitionNotAllowed):
        case.advance_phase(Phase.FINAL)


def test_refresh_from_db_works_with_the_protected_field(world: World) -> None:
    case = world.start()
    Case.objects.filter(pk=case.pk).update(visit=9)
    case.refresh_from_db()
    assert (case.visit, case.phase) == (9, Phase.PLAN_DRAFTED)
