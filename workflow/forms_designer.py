"""Forms of the template designer and the team pages.

The draft editor posts a hand-rolled list of stages (``stages-TOTAL``, ``stages-0-key``,
``stages-0-return_to`` (repeated), ...): ``StageEditor`` reads it, applies the add / remove /
move buttons, and puts each problem ``template_problems`` finds next to the stage and field
it concerns (``TemplateProblem.stage`` + ``.field``). Nothing here writes: the views save
through ``workflow.designer``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow.diagram import group_text
from workflow.registry import ProcessDefinition
from workflow.spec import (
    PHASE_ORDER,
    ROLE_LABELS,
    BreachAction,
    Phase,
    Quorum,
    Role,
    StageSpec,
    TemplateProblem,
)

PREFIX = "stages"
MAX_STAGES = 60
TEXT_FIELDS = ("key", "name", "phase", "role", "team", "quorum", "on_breach", "condition", "form")
NUMBER_FIELDS = ("quorum_n", "sla_days")
LIST_FIELDS = ("return_to", "guards")
STAGE_FIELDS = (*TEXT_FIELDS, *NUMBER_FIELDS, "optional", *LIST_FIELDS)

# The engine's role names in the user's language (the same words as spec.ROLE_LABELS).
ROLE_NAMES: dict[str, str | Promise] = {
    Role.EMPLOYEE: gettext_lazy("Pegawai"),
    Role.APPRAISER: gettext_lazy("Pejabat penilai"),
    Role.APPRAISER_SUPERVISOR: gettext_lazy("Atasan pejabat penilai"),
    Role.HR: gettext_lazy("Pengelola kinerja (BKPSDM)"),
    Role.TEAM: gettext_lazy("Tim"),
    Role.PEERS: gettext_lazy("Rekan kerja"),
}
QUORUM_NAMES: dict[str, str | Promise] = {
    Quorum.ONE: gettext_lazy("Satu orang"),
    Quorum.ALL: gettext_lazy("Semua pelaksana"),
    Quorum.N_OF_M: gettext_lazy("N dari M pelaksana"),
}
BREACH_NAMES: dict[str, str | Promise] = {
    BreachAction.NOTIFY: gettext_lazy("Ingatkan pelaksana lagi"),
    BreachAction.ESCALATE: gettext_lazy("Eskalasi ke atasan pejabat penilai dan admin"),
    BreachAction.REASSIGN: gettext_lazy("Alihkan tugas ke atasan pejabat penilai"),
}


@dataclass(frozen=True)
class Option:
    """One choice of a select or checkbox list.

    ``code`` is the stored code of a process's form, guard or condition, shown small next to
    its label for admins who meet it in configurations; empty when the label is the code.
    """

    value: str
    label: str | Promise
    code: str = ""


@dataclass(frozen=True)
class DesignerChoices:
    """What a stage of this process and tenant may choose from."""

    phases: tuple[Option, ...]
    roles: tuple[Option, ...]
    teams: tuple[Option, ...]
    quorums: tuple[Option, ...]
    breaches: tuple[Option, ...]
    conditions: tuple[Option, ...]
    guards: tuple[Option, ...]
    forms: tuple[Option, ...] | None  # None: the process names no forms (free text)


def _coded(codes: Iterable[str], labels: Mapping[str, str | Promise]) -> tuple[Option, ...]:
    """Return the process's codes as options: labelled ones in the process's order, then
    unlabelled ones by code (shown as the code itself)."""
    known = set(codes)
    ordered = [code for code in labels if code in known]
    ordered += sorted(known - set(ordered))
    return tuple(
        Option(code, labels[code], code) if labels.get(code) else Option(code, code)
        for code in ordered
    )


def designer_choices(
    definition: ProcessDefinition, teams: Iterable[tuple[str, str]]
) -> DesignerChoices:
    """Return the choices for ``definition``'s templates; ``teams`` are (code, name) pairs."""
    known = [str(role) for role in Role]
    roles = [role for role in known if role in definition.roles]
    roles += sorted(role for role in definition.roles if role not in known)
    return DesignerChoices(
        phases=tuple(Option(phase, Phase(phase).label) for phase in PHASE_ORDER),
        roles=tuple(
            Option(role, ROLE_NAMES.get(role, ROLE_LABELS.get(role, role))) for role in roles
        ),
        teams=tuple(Option(code, f"{name} ({code})") for code, name in teams),
        quorums=tuple(Option(value, QUORUM_NAMES[value]) for value in Quorum),
        breaches=tuple(Option(value, BREACH_NAMES[value]) for value in BreachAction),
        conditions=_coded(definition.conditions, definition.condition_labels),
        guards=_coded(definition.guards, definition.guard_labels),
        forms=(
            None if definition.forms is None else _coded(definition.forms, definition.form_labels)
        ),
    )


@dataclass
class StageRow:
    """One stage as the designer typed it, with the problems found next to each field."""

    values: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in STAGE_FIELDS:
            self.errors.setdefault(name, [])

    @classmethod
    def empty(cls) -> StageRow:
        """Return a new stage with the usual defaults."""
        return cls(
            {
                **dict.fromkeys(TEXT_FIELDS, ""),
                **dict.fromkeys(NUMBER_FIELDS, ""),
                "quorum": Quorum.ONE.value,
                "on_breach": BreachAction.NOTIFY.value,
                "optional": False,
                "return_to": [],
                "guards": [],
            }
        )

    @classmethod
    def from_spec(cls, spec: StageSpec) -> StageRow:
        """Return the row showing a stored stage."""
        return cls(
            {
                "key": spec.key,
                "name": spec.name,
                "phase": str(spec.phase),
                "role": str(spec.role),
                "team": spec.team,
                "quorum": str(spec.quorum),
                "on_breach": str(spec.on_breach),
                "condition": spec.condition,
                "form": spec.form,
                "quorum_n": "" if spec.quorum_n is None else str(spec.quorum_n),
                "sla_days": "" if spec.sla_days is None else str(spec.sla_days),
                "optional": spec.optional,
                "return_to": list(spec.return_to),
                "guards": list(spec.guards),
            }
        )

    @property
    def has_errors(self) -> bool:
        """Return True when any field of this stage has a problem."""
        return any(self.errors.values())

    def _number(self, name: str) -> int | None:
        raw = str(self.values.get(name, "")).strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            message = _("Isi dengan bilangan bulat.")
            if message not in self.errors[name]:
                self.errors[name].append(message)
            return None

    def spec(self) -> StageSpec:
        """Return the stage as a spec (a number that is not one is left out and flagged)."""
        role = str(self.values["role"])
        quorum = str(self.values["quorum"])
        return StageSpec(
            key=str(self.values["key"]),
            name=str(self.values["name"]),
            phase=str(self.values["phase"]),
            role=role,
            # A hidden team or N left over from an earlier choice is not kept.
            team=str(self.values["team"]) if role == Role.TEAM else "",
            quorum=quorum,
            quorum_n=self._number("quorum_n") if quorum == Quorum.N_OF_M else None,
            sla_days=self._number("sla_days"),
            on_breach=str(self.values["on_breach"]),
            return_to=tuple(self.values["return_to"]),
            guards=tuple(self.values["guards"]),
            optional=bool(self.values["optional"]),
            condition=str(self.values["condition"]) if self.values["optional"] else "",
            form=str(self.values["form"]),
        )


@dataclass
class StageEditor:
    """The draft being edited: its stages, and problems that concern no single stage."""

    rows: list[StageRow]
    general_errors: list[str] = field(default_factory=list)
    problem_count: int = 0
    checked: bool = False
    focus: int | None = None

    @classmethod
    def from_specs(cls, specs: Sequence[StageSpec]) -> StageEditor:
        """Return the editor showing stored stages."""
        return cls([StageRow.from_spec(spec) for spec in specs])

    @classmethod
    def from_post(cls, data: Any) -> StageEditor:
        """Read the posted stage list (a QueryDict); missing fields read as empty."""
        try:
            total = int(data.get(f"{PREFIX}-TOTAL", "0"))
        except ValueError:
            total = 0
        rows = []
        for index in range(max(0, min(total, MAX_STAGES))):
            prefix = f"{PREFIX}-{index}-"
            values: dict[str, Any] = {
                name: str(data.get(prefix + name, "")).strip()
                for name in (*TEXT_FIELDS, *NUMBER_FIELDS)
            }
            values["optional"] = data.get(prefix + "optional", "") in ("on", "1", "true")
            for name in LIST_FIELDS:
                chosen = [str(value).strip() for value in data.getlist(prefix + name)]
                values[name] = list(dict.fromkeys(value for value in chosen if value))
            values["quorum"] = values["quorum"] or Quorum.ONE.value
            values["on_breach"] = values["on_breach"] or BreachAction.NOTIFY.value
            rows.append(StageRow(values))
        return cls(rows)

    def apply(self, operation: str) -> bool:
        """Apply an editing button ("add", "remove:2", "up:2", "down:2"); True if applied.

        ``focus`` becomes the position of the stage the button concerned (the new or moved
        stage; the one after a removed stage), so the page can open it and move focus there.
        """
        verb, _sep, argument = operation.partition(":")
        if verb == "add":
            if len(self.rows) >= MAX_STAGES:
                return False
            self.rows.append(StageRow.empty())
            self.focus = len(self.rows) - 1
            return True
        if not argument.isdigit() or int(argument) >= len(self.rows):
            return False
        index = int(argument)
        if verb == "remove":
            del self.rows[index]
            self.focus = min(index, len(self.rows) - 1) if self.rows else None
            return True
        if verb == "up" and index > 0:
            self.rows[index - 1], self.rows[index] = self.rows[index], self.rows[index - 1]
            self.focus = index - 1
            return True
        if verb == "down" and index + 1 < len(self.rows):
            self.rows[index + 1], self.rows[index] = self.rows[index], self.rows[index + 1]
            self.focus = index + 1
            return True
        return False

    def specs(self) -> list[StageSpec]:
        """Return the stages as specs (flagging numbers that are not numbers)."""
        return [row.spec() for row in self.rows]

    def attach(self, problems: Iterable[TemplateProblem]) -> None:
        """Put each problem next to the field it concerns; the rest above the list.

        A problem names its stage by key, so it shows on every stage with that key (two
        stages sharing a key both show the duplicate).
        """
        self.checked = True
        by_key: dict[str, list[StageRow]] = {}
        for row in self.rows:
            by_key.setdefault(str(row.values["key"]), []).append(row)
        for problem in problems:
            rows = by_key.get(problem.stage, []) if problem.field in STAGE_FIELDS else []
            if not rows:
                if problem.message not in self.general_errors:
                    self.general_errors.append(problem.message)
                continue
            for row in rows:
                if problem.message not in row.errors[problem.field]:
                    row.errors[problem.field].append(problem.message)
        self.problem_count = len(self.general_errors) + sum(
            len(messages) for row in self.rows for messages in row.errors.values()
        )

    @property
    def is_valid(self) -> bool:
        """Return True once checked and nothing was found."""
        return self.checked and self.problem_count == 0

    def same_as(self, stored: Sequence[StageSpec]) -> bool:
        """Return True when the edited stages equal ``stored``."""
        return [spec.to_dict() for spec in self.specs()] == [spec.to_dict() for spec in stored]


@dataclass(frozen=True)
class ReturnOption:
    """One return target offered to a stage: the stage's name, its key shown small."""

    key: str
    label: str
    checked: bool
    later: bool  # chosen, but not an earlier stage (shown so the problem can be fixed)
    missing: bool = False  # chosen, but no stage has this key (the label is the key)


@dataclass(frozen=True)
class RowView:
    """What the template shows for one stage."""

    index: int
    number: int
    row: StageRow
    returns: tuple[ReturnOption, ...]
    first: bool
    last: bool
    facts: str  # a one-line summary: phase · who · how many · SLA · optional
    open: bool  # shown unfolded: it has problems, or the last button concerned it
    focused: bool

    @property
    def ids(self) -> dict[str, str]:
        """Return each field's element id, e.g. ``stage-2-key``."""
        return {name: f"stage-{self.index}-{name}" for name in STAGE_FIELDS}

    @property
    def names(self) -> dict[str, str]:
        """Return each field's posted name, e.g. ``stages-2-key``."""
        return {name: f"{PREFIX}-{self.index}-{name}" for name in STAGE_FIELDS}


def _facts(row: StageRow, choices: DesignerChoices) -> str:
    labels = {
        "phase": {option.value: str(option.label) for option in choices.phases},
        "role": {option.value: str(option.label) for option in choices.roles},
        "quorum": {option.value: str(option.label) for option in choices.quorums},
    }
    values = row.values
    parts = [
        labels[name].get(str(values[name]), str(values[name]))
        for name in ("phase", "role")
        if values[name]
    ]
    if values["role"] == Role.TEAM and values["team"]:
        parts[-1] = f"{parts[-1]}: {values['team']}"
    if values["quorum"] == Quorum.N_OF_M:
        raw = str(values["quorum_n"]).strip()
        parts.append(group_text(int(raw) if raw.isdigit() else None))
    elif values["quorum"] == Quorum.ALL:
        parts.append(labels["quorum"][Quorum.ALL])
    if values["sla_days"]:
        parts.append(_("%(days)s hari") % {"days": values["sla_days"]})
    if values["optional"]:
        parts.append(_("opsional"))
    return " · ".join(parts)


def _stage_names(rows: Sequence[StageRow]) -> dict[str, str]:
    """Return each stage key's name as its card is headed ("Tahap 3" while it has none)."""
    names: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        key = str(row.values["key"])
        if key and key not in names:
            names[key] = str(row.values["name"]) or _("Tahap %(number)s") % {"number": number}
    return names


def row_views(editor: StageEditor, choices: DesignerChoices) -> list[RowView]:
    """Return the rows with the return targets each may choose (earlier stages only)."""
    views = []
    count = len(editor.rows)
    names = _stage_names(editor.rows)
    for index, row in enumerate(editor.rows):
        chosen = list(row.values["return_to"])
        earlier = list(
            dict.fromkeys(
                str(other.values["key"]) for other in editor.rows[:index] if other.values["key"]
            )
        )
        options = [ReturnOption(key, names[key], key in chosen, False) for key in earlier]
        options += [
            ReturnOption(key, names.get(key, key), True, True, missing=key not in names)
            for key in chosen
            if key not in earlier
        ]
        focused = editor.focus == index
        views.append(
            RowView(
                index=index,
                number=index + 1,
                row=row,
                returns=tuple(options),
                first=index == 0,
                last=index == count - 1,
                facts=_facts(row, choices),
                open=row.has_errors or focused or not row.values["key"],
                focused=focused,
            )
        )
    return views


# Creating a template ---------------------------------------------------------------------


class TemplateCreateForm(forms.Form):
    """Code, name and process of a new template, optionally copying a published version."""

    code = forms.SlugField(
        label=gettext_lazy("Kode"),
        max_length=60,
        help_text=gettext_lazy("Huruf kecil, angka dan tanda hubung, misalnya kinerja-2027."),
    )
    name = forms.CharField(label=gettext_lazy("Nama"), max_length=200)
    process_kind = forms.ChoiceField(label=gettext_lazy("Jenis proses"))
    start_from = forms.ChoiceField(
        label=gettext_lazy("Mulai dari"),
        required=False,
        help_text=gettext_lazy("Salin tahapan versi terbit sebuah templat, atau mulai kosong."),
    )
    description = forms.CharField(
        label=gettext_lazy("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        processes: Sequence[ProcessDefinition],
        sources: Mapping[int, tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        """``sources`` maps a published version's id to (process kind, label)."""
        super().__init__(*args, **kwargs)
        self.sources = dict(sources)
        kind_field = self.fields["process_kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(definition.kind, definition.label) for definition in processes]
        if len(processes) == 1:
            kind_field.initial = processes[0].kind
        start_field = self.fields["start_from"]
        assert isinstance(start_field, forms.ChoiceField)
        start_field.choices = [("", _("Daftar tahap kosong"))] + [
            (str(version_id), label) for version_id, (_kind, label) in self.sources.items()
        ]

    def clean_code(self) -> str:
        """Keep codes lowercase: templates and documents refer to them."""
        return str(self.cleaned_data["code"]).lower()

    def clean(self) -> dict[str, Any]:
        """Refuse copying stages from another process (its roles and guards differ)."""
        data = super().clean() or {}
        start = data.get("start_from")
        if start and self.sources[int(start)][0] != data.get("process_kind"):
            self.add_error("start_from", _("Pilih templat sumber dari jenis proses yang sama."))
        return data


class MigrationForm(forms.Form):
    """Choose open documents of an older version, map its stages, and give a reason."""

    cases = forms.MultipleChoiceField(
        label=gettext_lazy("Dokumen yang dipindah"), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=gettext_lazy("Alasan"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Dicatat di jejak audit setiap dokumen."),
    )

    def __init__(
        self,
        *args: Any,
        cases: Sequence[tuple[int, str]],
        old_stages: Sequence[StageSpec],
        new_stages: Sequence[StageSpec],
        **kwargs: Any,
    ) -> None:
        """``cases`` are (id, label) pairs of the version's open documents."""
        super().__init__(*args, **kwargs)
        cases_field = self.fields["cases"]
        assert isinstance(cases_field, forms.MultipleChoiceField)
        cases_field.choices = [(str(case_id), label) for case_id, label in cases]
        new_keys = {spec.key for spec in new_stages}
        targets = [("", _("(pilih tahap)"))] + [
            (spec.key, f"{spec.name} ({spec.key})") for spec in new_stages
        ]
        self.map_fields: list[str] = []
        for spec in old_stages:
            name = f"map_{spec.key}"
            self.fields[name] = forms.ChoiceField(
                label=f"{spec.name} ({spec.key}) →",
                choices=targets,
                required=False,
                initial=spec.key if spec.key in new_keys else "",
            )
            self.map_fields.append(name)

    @property
    def stage_fields(self) -> list[forms.BoundField]:
        """Return the bound stage-map fields, one per stage of the old version."""
        return [self[name] for name in self.map_fields]

    def stage_map(self) -> dict[str, str]:
        """Return old stage key → new stage key for every mapped stage."""
        return {
            name.removeprefix("map_"): str(self.cleaned_data[name])
            for name in self.map_fields
            if self.cleaned_data.get(name)
        }

    def case_ids(self) -> list[int]:
        """Return the chosen documents' ids."""
        return [int(value) for value in self.cleaned_data["cases"]]


# Teams -----------------------------------------------------------------------------------


class TeamForm(forms.Form):
    """A new team's code and name."""

    code = forms.SlugField(
        label=gettext_lazy("Kode"),
        max_length=60,
        help_text=gettext_lazy("Dipakai templat untuk menunjuk tim ini, misalnya tim-penilai."),
    )
    name = forms.CharField(label=gettext_lazy("Nama tim"), max_length=200)

    def clean_code(self) -> str:
        """Keep codes lowercase: templates refer to them."""
        return str(self.cleaned_data["code"]).lower()


class MemberSearchForm(forms.Form):
    """Find a tenant's user by name or username."""

    q = forms.CharField(
        label=gettext_lazy("Cari pegawai (nama atau nama pengguna)"),
        required=False,
        max_length=100,
    )
