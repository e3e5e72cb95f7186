"""Errors raised by engine actions; a refused action writes nothing."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class of every refusal by an engine action."""

    code = "workflow_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ActionForbidden(WorkflowError):
    """The actor may not do this to this document."""

    code = "forbidden"


class StepNotAllowed(WorkflowError):
    """The document or task is not in a state where this action applies."""

    code = "not_allowed"


class AlreadyDecided(StepNotAllowed):
    """Someone else already completed, claimed or changed this (a lost race, cleanly refused)."""

    code = "already_decided"


class StaleDocument(StepNotAllowed):
    """The document changed since the actor loaded it (optimistic concurrency)."""

    code = "stale"


class GuardFailed(WorkflowError):
    """Inputs the stage requires are incomplete; ``problems`` lists each in a sentence."""

    code = "guard_failed"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class InvalidTemplate(WorkflowError):
    """A template does not validate; ``problems`` lists each sentence."""

    code = "invalid_template"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class ReasonRequired(WorkflowError):
    """This action needs a written reason."""

    code = "reason_required"
