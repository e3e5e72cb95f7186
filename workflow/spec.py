"""Stage templates as data: the stage specification and its validation. No ORM here.

A template is an ordered list of stages. Each stage belongs to one of the seven lifecycle
phases in canonical order (plan drafted, agreed, monitored, self-assessed, reviewed,
discussed, final); a phase may hold several stages. Each stage names who acts (a role
resolved per document by the process that runs it), how many must act, its SLA, where it
may return a document, which named guards must pass before completion, and whether it is
optional (skipped when its condition is false or nobody is eligible).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Phase(models.TextChoices):
    """Lifecycle phase of a document: seven open-to-final states plus cancelled."""

    PLAN_DRAFTED = "plan_drafted", gettext_lazy("Penyusunan rencana")
    AGREED = "agreed", gettext_lazy("Persetujuan rencana")
    MONITORED = "monitored", gettext_lazy("Pemantauan")
    SELF_ASSESSED = "self_assessed", gettext_lazy("Penilaian mandiri")
    REVIEWED = "reviewed", gettext_lazy("Penilaian")
    DISCUSSED = "discussed", gettext_lazy("Dialog hasil")
    FINAL = "final", gettext_lazy("Final")
    CANCELLED = "cancelled", gettext_lazy("Dibatalkan")


PHASE_ORDER: tuple[str, ...] = (
    Phase.PLAN_DRAFTED,
    Phase.AGREED,
    Phase.MONITORED,
    Phase.SELF_ASSESSED,
    Phase.REVIEWED,
    Phase.DISCUSSED,
    Phase.FINAL,
)
OPEN_PHASES: tuple[str, ...] = PHASE_ORDER[:-1]


def phase_index(phase: str) -> int:
    """Return the canonical position of an open-to-final phase; raise ValueError otherwise."""
    return PHASE_ORDER.index(phase)


class Role(StrEnum):
    """Who acts on a stage, resolved per document by the process (or the engine for teams)."""

    EMPLOYEE = "employee"
    APPRAISER = "appraiser"
    APPRAISER_SUPERVISOR = "appraiser_supervisor"
    HR = "hr"
    TEAM = "team"
    PEERS = "peers"


ROLE_LABELS: dict[str, str] = {
    Role.EMPLOYEE: "Pegawai",
    Role.APPRAISER: "Pejabat penilai",
    Role.APPRAISER_SUPERVISOR: "Atasan pejabat penilai",
    Role.HR: "Pengelola kinerja (BKPSDM)",
    Role.TEAM: "Tim",
    Role.PEERS: "Rekan kerja",
}


class Quorum(StrEnum):
    """How many of the resolved actors must complete the stage (in parallel)."""

    ONE = "one"
    ALL = "all"
    N_OF_M = "n_of_m"


class BreachAction(StrEnum):
    """What happens when a stage's SLA is breached."""

    NOTIFY = "notify"  # remind the assignee again
    ESCALATE = "escalate"  # notify the appraiser's supervisor and HR
    REASSIGN = "reassign"  # escalate and hand open tasks to the appraiser's supervisor


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


@dataclass(frozen=True)
class StageSpec:
    """One stage of a template."""

    key: str
    name: str
    phase: str
    role: str
    team: str = ""
    quorum: str = Quorum.ONE
    quorum_n: int | None = None
    sla_days: int | None = None
    on_breach: str = BreachAction.NOTIFY
    return_to: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    optional: bool = False
    condition: str = ""
    form: str = ""  # which page/form of the process handles this stage

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form stored in a template version."""
        return {
            "key": self.key,
            "name": self.name,
            "phase": str(self.phase),
            "role": str(self.role),
            "team": self.team,
            "quorum": str(self.quorum),
            "quorum_n": self.quorum_n,
            "sla_days": self.sla_days,
            "on_breach": str(self.on_breach),
            "return_to": list(self.return_to),
            "guards": list(self.guards),
            "optional": self.optional,
            "condition": self.condition,
            "form": self.form,
        }

    @property
    def phase_label(self) -> str:
        """Return the phase's display label."""
        return str(Phase(self.phase).label)

    @property
    def role_label(self) -> str:
        """Return the role's display label (with the team's code for team stages)."""
        label = ROLE_LABELS.get(self.role, self.role)
        return f"{label}: {self.team}" if self.role == Role.TEAM and self.team else label


class TemplateFormatError(ValueError):
    """A stored template is not a list of stage objects of the expected shape."""


def _as_int(value: Any, name: str, key: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TemplateFormatError(
            _("Tahap %(key)s: %(name)s harus bilangan bulat.") % {"key": key, "name": name}
        )
    try:
        return int(value)
    except ValueError as error:
        raise TemplateFormatError(
            _("Tahap %(key)s: %(name)s harus bilangan bulat.") % {"key": key, "name": name}
        ) from error


def _as_tuple(value: Any, name: str, key: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise TemplateFormatError(
        _("Tahap %(key)s: %(name)s harus daftar teks.") % {"key": key, "name": name}
    )


def parse_stages(raw: Any) -> list[StageSpec]:
    """Turn stored JSON into stage specs; raise TemplateFormatError on a malformed shape."""
    if not isinstance(raw, list):
        raise TemplateFormatError(_("Templat harus berupa daftar tahap."))
    stages: list[StageSpec] = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise TemplateFormatError(
                _("Tahap ke-%(position)d bukan objek tahap.") % {"position": position}
            )
        key = str(item.get("key", "")).strip()
        label = key or f"#{position}"
        stages.append(
            StageSpec(
                key=key,
                name=str(item.get("name", "")).strip(),
                phase=str(item.get("phase", "")).strip(),
                role=str(item.get("role", "")).strip(),
                team=str(item.get("team", "") or "").strip(),
                quorum=str(item.get("quorum", Quorum.ONE) or Quorum.ONE).strip(),
                quorum_n=_as_int(item.get("quorum_n"), "quorum_n", label),
                sla_days=_as_int(item.get("sla_days"), "sla_days", label),
                on_breach=str(item.get("on_breach", BreachAction.NOTIFY) or BreachAction.NOTIFY),
                return_to=_as_tuple(item.get("return_to"), "return_to", label),
                guards=_as_tuple(item.get("guards"), "guards", label),
                optional=bool(item.get("optional", False)),
                condition=str(item.get("condition", "") or "").strip(),
                form=str(item.get("form", "") or "").strip(),
            )
        )
    return stages


@dataclass(frozen=True)
class TemplateProblem:
    """One validation problem: which stage (if any), which field, and a clear sentence."""

    message: str
    stage: str = ""
    field: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """What a process offers a template: roles it resolves, guards and conditions it registers."""

    roles: frozenset[str] = field(default_factory=lambda: frozenset(Role))
    guards: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    teams: frozenset[str] | None = None  # None: do not check team codes
    forms: frozenset[str] | None = None  # None: do not check form names


def _stage_label(stage: StageSpec) -> str:
    return f"«{stage.name or stage.key}»"


def _check_fields(stage: StageSpec, vocabulary: Vocabulary) -> list[TemplateProblem]:
    problems: list[TemplateProblem] = []
    name = _stage_label(stage)

    def add(message: str, field_name: str) -> None:
        problems.append(TemplateProblem(message, stage.key, field_name))

    if not _KEY.match(stage.key):
        add(
            _(
                "Tahap %(name)s: kode harus diawali huruf kecil dan hanya berisi huruf kecil, "
                "angka dan garis bawah (paling panjang 60)."
            )
            % {"name": name},
            "key",
        )
    if not stage.name:
        add(_("Tahap %(key)s tidak punya nama.") % {"key": stage.key or "?"}, "name")
    if stage.phase not in PHASE_ORDER:
        add(_("Tahap %(name)s tidak punya fase yang valid.") % {"name": name}, "phase")
    if not stage.role:
        add(_("Tahap %(name)s tidak punya aturan pelaksana.") % {"name": name}, "role")
    elif stage.role not in vocabulary.roles:
        add(
            _("Tahap %(name)s: pelaksana %(role)s tidak dikenal proses ini.")
            % {"name": name, "role": stage.role},
            "role",
        )
    elif stage.role == Role.TEAM:
        if not stage.team:
            add(_("Tahap %(name)s: pilih tim pelaksana.") % {"name": name}, "team")
        elif vocabulary.teams is not None and stage.team not in vocabulary.teams:
            add(
                _("Tahap %(name)s: tim %(team)s belum ada.") % {"name": name, "team": stage.team},
                "team",
            )
    if stage.quorum not in set(Quorum):
        add(_("Tahap %(name)s: jumlah pelaksana tidak valid.") % {"name": name}, "quorum")
    elif stage.quorum == Quorum.N_OF_M:
        if stage.quorum_n is None or stage.quorum_n < 1:
            add(
                _("Tahap %(name)s: isi N (paling sedikit 1) untuk N dari M pelaksana.")
                % {"name": name},
                "quorum_n",
            )
        if stage.role not in {Role.PEERS, Role.TEAM, Role.HR}:
            add(
                _(
                    "Tahap %(name)s: N dari M hanya untuk rekan kerja, tim atau pengelola "
                    "kinerja, karena peran ini hanya punya satu orang."
                )
                % {"name": name},
                "quorum",
            )
    if stage.sla_days is not None and not 0 < stage.sla_days <= 366:
        add(_("Tahap %(name)s: batas waktu harus 1-366 hari.") % {"name": name}, "sla_days")
    if stage.on_breach not in set(BreachAction):
        add(_("Tahap %(name)s: tindakan saat terlambat tidak valid.") % {"name": name}, "on_breach")
    for guard in stage.guards:
        if guard not in vocabulary.guards:
            add(
                _("Tahap %(name)s: syarat %(guard)s tidak dikenal proses ini.")
                % {"name": name, "guard": guard},
                "guards",
            )
    if stage.condition:
        if not stage.optional:
            add(
                _("Tahap %(name)s: hanya tahap opsional yang boleh punya kondisi.")
                % {"name": name},
                "condition",
            )
        if stage.condition not in vocabulary.conditions:
            add(
                _("Tahap %(name)s: kondisi %(condition)s tidak dikenal proses ini.")
                % {"name": name, "condition": stage.condition},
                "condition",
            )
    if stage.form and vocabulary.forms is not None and stage.form not in vocabulary.forms:
        add(
            _("Tahap %(name)s: formulir %(form)s tidak dikenal proses ini.")
            % {"name": name, "form": stage.form},
            "form",
        )
    return problems


def validate_stages(
    stages: Sequence[StageSpec], vocabulary: Vocabulary | None = None
) -> list[TemplateProblem]:
    """Return every problem of a template, each a sentence naming its stage; [] when valid.

    Checks: at least one stage; unique keys; each field valid; phases never go backwards;
    the last stage is a final-phase stage that is not optional; returns only point to
    existing earlier stages. Every stage is reachable by construction: a template is an
    ordered list, and a document leaves a stage only forward to the next one (skipping
    optional stages whose condition is false), or back to a listed earlier stage, so no
    stage can be cut off; what can break reachability is a return target that does not
    exist, which is reported.
    """
    vocab = vocabulary or Vocabulary()
    problems: list[TemplateProblem] = []
    if not stages:
        return [TemplateProblem(_("Templat harus punya paling sedikit satu tahap."))]

    positions: dict[str, int] = {}
    for index, stage in enumerate(stages):
        problems.extend(_check_fields(stage, vocab))
        if stage.key in positions:
            problems.append(
                TemplateProblem(
                    _("Kode tahap %(key)s dipakai lebih dari sekali.") % {"key": stage.key},
                    stage.key,
                    "key",
                )
            )
        else:
            positions[stage.key] = index

    previous_phase_index = -1
    for stage in stages:
        if stage.phase not in PHASE_ORDER:
            continue
        current = phase_index(stage.phase)
        if current < previous_phase_index:
            problems.append(
                TemplateProblem(
                    _(
                        "Tahap %(name)s (fase %(phase)s) berada setelah fase yang lebih akhir; "
                        "urutan fase harus: rencana, disepakati, pemantauan, penilaian mandiri, "
                        "penilaian, dialog, final."
                    )
                    % {"name": _stage_label(stage), "phase": stage.phase_label},
                    stage.key,
                    "phase",
                )
            )
        previous_phase_index = max(previous_phase_index, current)

    last = stages[-1]
    if last.phase != Phase.FINAL:
        problems.append(
            TemplateProblem(
                _("Tahap terakhir %(name)s harus berada di fase Final.")
                % {"name": _stage_label(last)},
                last.key,
                "phase",
            )
        )
    if last.optional:
        problems.append(
            TemplateProblem(
                _("Tahap terakhir %(name)s tidak boleh opsional.") % {"name": _stage_label(last)},
                last.key,
                "optional",
            )
        )

    for index, stage in enumerate(stages):
        for target in stage.return_to:
            target_index = positions.get(target)
            if target_index is None:
                problems.append(
                    TemplateProblem(
                        _("Tahap %(name)s mengembalikan ke tahap %(target)s yang tidak ada.")
                        % {"name": _stage_label(stage), "target": target},
                        stage.key,
                        "return_to",
                    )
                )
            elif target_index >= index:
                problems.append(
                    TemplateProblem(
                        _(
                            "Tahap %(name)s hanya boleh mengembalikan ke tahap sebelumnya, "
                            "bukan ke %(target)s."
                        )
                        % {
                            "name": _stage_label(stage),
                            "target": _stage_label(stages[target_index]),
                        },
                        stage.key,
                        "return_to",
                    )
                )
    return problems


def stage_index(stages: Sequence[StageSpec], key: str) -> int:
    """Return the position of the stage ``key``; raise KeyError when absent."""
    for index, stage in enumerate(stages):
        if stage.key == key:
            return index
    raise KeyError(key)


def following_stages(stages: Sequence[StageSpec], key: str) -> Iterable[StageSpec]:
    """Yield the stages after ``key`` in template order."""
    yield from stages[stage_index(stages, key) + 1 :]
