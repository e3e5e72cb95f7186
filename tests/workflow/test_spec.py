"""Template validation: each rule, each message naming its stage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workflow.library import default_stages, with_peer_stage, with_team_stage
from workflow.spec import (
    Phase,
    Quorum,
    Role,
    StageSpec,
    TemplateFormatError,
    Vocabulary,
    parse_stages,
    validate_stages,
)

VOCAB = Vocabulary(
    guards=frozenset({"plan_complete"}),
    conditions=frozenset({"objection_filed"}),
    teams=frozenset({"tim"}),
)


def messages(stages: list[StageSpec]) -> list[str]:
    return [problem.message for problem in validate_stages(stages, VOCAB)]


@pytest.mark.parametrize(
    "stages",
    [
        default_stages(),
        with_peer_stage(default_stages()),
        with_team_stage(default_stages(), team="tim"),
    ],
)
def test_library_templates_are_valid(stages: list[StageSpec]) -> None:
    assert messages(stages) == []


def test_round_trip_through_json() -> None:
    stages = with_team_stage(with_peer_stage(default_stages()), team="tim")
    assert parse_stages([stage.to_dict() for stage in stages]) == stages


def test_empty_template() -> None:
    assert messages([]) == ["Templat harus punya paling sedikit satu tahap."]


def test_phases_must_not_go_backwards() -> None:
    stages = default_stages()
    stages[3] = replace(stages[3], phase=Phase.AGREED)
    stages[2], stages[3] = stages[3], stages[2]
    stages[2] = replace(stages[2], phase=Phase.SELF_ASSESSED)
    stages[3] = replace(stages[3], phase=Phase.MONITORED)
    assert messages(stages) == [
        "Tahap «Pemantauan dan bukti dukung» (fase Pemantauan) berada setelah fase yang lebih akhir; urutan fase "
        "harus: rencana, disepakati, pemantauan, penilaian mandiri, penilaian, dialog, final."
    ]


def test_last_stage_must_be_final_and_not_optional() -> None:
    stages = default_stages()[:-1]
    assert messages(stages) == ["Tahap terakhir «Dialog hasil» harus berada di fase Final."]
    stages = default_stages()
    stages[-1] = replace(stages[-1], optional=True)
    assert messages(stages) == ["Tahap terakhir «Penetapan» tidak boleh opsional."]


def test_every_stage_needs_an_actor_rule() -> None:
    stages = default_stages()
    stages[1] = replace(stages[1], role="")
    assert messages(stages) == ["Tahap «Menyetujui rencana» tidak punya aturan pelaksana."]


def test_unknown_role_guard_condition_team() -> None:
    stages = default_stages()
    stages[0] = replace(stages[0], role="lurah")
    stages[1] = replace(stages[1], guards=("tanda_tangan",))
    stages[2] = replace(stages[2], optional=True, condition="hujan")
    stages[4] = replace(stages[4], role=Role.TEAM, team="tim-x")
    assert messages(stages) == [
        "Tahap «Menyusun rencana»: pelaksana lurah tidak dikenal proses ini.",
        "Tahap «Menyetujui rencana»: syarat tanda_tangan tidak dikenal proses ini.",
        "Tahap «Pemantauan dan bukti dukung»: kondisi hujan tidak dikenal proses ini.",
        "Tahap «Penilaian oleh pejabat penilai»: tim tim-x belum ada.",
    ]


def test_condition_only_on_optional_stages() -> None:
    stages = default_stages()
    stages[2] = replace(stages[2], condition="objection_filed")
    assert messages(stages) == [
        "Tahap «Pemantauan dan bukti dukung»: hanya tahap opsional yang boleh punya kondisi."
    ]


def test_returns_only_backwards_to_existing_stages() -> None:
    stages = default_stages()
    stages[1] = replace(stages[1], return_to=("rate",))
    stages[4] = replace(stages[4], return_to=("tidak_ada",))
    assert messages(stages) == [
        "Tahap «Menyetujui rencana» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Penilaian oleh pejabat penilai».",
        "Tahap «Penilaian oleh pejabat penilai» mengembalikan ke tahap tidak_ada yang tidak ada.",
    ]
    stages = default_stages()
    stages[1] = replace(stages[1], return_to=("agree_plan",))
    assert messages(stages) == [
        "Tahap «Menyetujui rencana» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Menyetujui rencana»."
    ]


def test_quorum_rules() -> None:
    stages = with_peer_stage(default_stages())
    stages[4] = replace(stages[4], quorum_n=None)
    stages[1] = replace(stages[1], quorum=Quorum.N_OF_M, quorum_n=2)
    assert messages(stages) == [
        "Tahap «Menyetujui rencana»: N dari M hanya untuk rekan kerja, tim atau pengelola kinerja, karena peran "
        "ini hanya punya satu orang.",
        "Tahap «Umpan balik rekan kerja»: isi N (paling sedikit 1) untuk N dari M pelaksana.",
    ]


def test_keys_sla_and_duplicates() -> None:
    stages = default_stages()
    stages[0] = replace(stages[0], key="Draft Plan")
    stages[2] = replace(stages[2], key="agree_plan")
    stages[3] = replace(stages[3], sla_days=0)
    assert messages(stages) == [
        "Tahap «Menyusun rencana»: kode harus diawali huruf kecil dan hanya berisi huruf kecil, angka dan garis "
        "bawah (paling panjang 60).",
        "Kode tahap agree_plan dipakai lebih dari sekali.",
        "Tahap «Penilaian mandiri»: batas waktu harus 1-366 hari.",
        # Renaming draft_plan leaves agree_plan's return target dangling: reported too.
        "Tahap «Menyetujui rencana» mengembalikan ke tahap draft_plan yang tidak ada.",
    ]


def test_problems_name_stage_and_field() -> None:
    stages = default_stages()
    stages[5] = replace(stages[5], sla_days=400)
    [problem] = validate_stages(stages, VOCAB)
    assert (problem.stage, problem.field) == ("discuss", "sla_days")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"key": "x"}, "Templat harus berupa daftar tahap."),
        (["x"], "Tahap ke-1 bukan objek tahap."),
        ([{"key": "a", "sla_days": "lima"}], "Tahap a: sla_days harus bilangan bulat."),
        ([{"key": "a", "guards": 3}], "Tahap a: guards harus daftar teks."),
    ],
)
def test_malformed_json(raw: object, message: str) -> None:
    with pytest.raises(TemplateFormatError, match=message):
        parse_stages(raw)
