"""The ui template library: local times with zone labels, badges, late marks, fields."""

import datetime as dt
import zoneinfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from config.templatetags.ui import (
    late_mark,
    local_date,
    local_time_filter,
    progress_bar,
    status_badge,
)

UTC = dt.UTC
INSTANT = dt.datetime(2026, 11, 23, 6, 5, tzinfo=UTC)


def render(source: str, **context: object) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Jakarta", "23 Nov 2026 13.05 WIB"),
        ("Asia/Makassar", "23 Nov 2026 14.05 WITA"),
        ("Asia/Jayapura", "23 Nov 2026 15.05 WIT"),
        ("Asia/Pontianak", "23 Nov 2026 13.05 WIB"),
        ("Europe/Amsterdam", "23 Nov 2026 07.05 Europe/Amsterdam"),
        ("UTC", "23 Nov 2026 06.05 UTC"),
    ],
)
def test_local_time_in_the_active_zone_with_its_label(zone: str, expected: str) -> None:
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override("id"):
        assert local_time_filter(INSTANT) == expected
        assert render("{{ value|local_time }}", value=INSTANT) == expected
        assert render("{% local_time value %}", value=INSTANT) == expected


@pytest.mark.parametrize(
    ("month", "indonesian", "english"),
    [
        (5, "Mei", "May"),
        (8, "Agu", "Aug"),
        (10, "Okt", "Oct"),
        (12, "Des", "Dec"),
        (1, "Jan", "Jan"),
    ],
)
def test_month_abbreviations_follow_the_language(month: int, indonesian: str, english: str) -> None:
    value = dt.datetime(2026, month, 5, 1, 30, tzinfo=UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Jakarta")):
        with translation.override("id"):
            assert local_time_filter(value) == f"5 {indonesian} 2026 08.30 WIB"
        with translation.override("en"):
            assert local_time_filter(value) == f"5 {english} 2026 08:30 WIB"


def test_local_time_of_a_plain_date_and_of_nothing() -> None:
    with translation.override("id"):
        assert local_time_filter(dt.date(2026, 8, 17)) == "17 Agu 2026"
        assert local_time_filter(None) == ""
        assert render("{% local_time value %}|{{ missing|local_time }}", value=None) == "|"


def test_a_naive_datetime_is_shown_unconverted() -> None:
    with timezone.override(zoneinfo.ZoneInfo("Asia/Makassar")), translation.override("id"):
        assert local_time_filter(dt.datetime(2026, 11, 23, 9, 0)) == "23 Nov 2026 09.00 WITA"


def test_local_date_is_the_date_in_the_active_zone() -> None:
    late_evening_in_jakarta = dt.datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    with translation.override("id"):
        with timezone.override(zoneinfo.ZoneInfo("Asia/Jakarta")):
            assert local_date(late_evening_in_jakarta) == "23 Nov 2026"
        with timezone.override(zoneinfo.ZoneInfo("Asia/Makassar")):
            assert local_date(late_evening_in_jakarta) == "24 Nov 2026"
            assert render("{{ value|local_date }}", value=late_evening_in_jakarta) == "24 Nov 2026"
        assert local_date(dt.date(2026, 5, 2)) == "2 Mei 2026"
        assert local_date(None) == ""


def test_status_badge_escapes_its_text_and_knows_its_kinds() -> None:
    assert status_badge("Disetujui", "ok") == '<span class="badge badge-ok">Disetujui</span>'
    assert render('{% status_badge "Menunggu" "warn" %}') == (
        '<span class="badge badge-warn">Menunggu</span>'
    )
    assert render("{% status_badge text %}", text="<b>x</b>") == (
        '<span class="badge badge-muted">&lt;b&gt;x&lt;/b&gt;</span>'
    )
    assert status_badge("Aneh", "purple") == '<span class="badge badge-muted">Aneh</span>'


def test_a_sentence_long_badge_may_wrap_and_a_short_one_stays_a_pill() -> None:
    reason = "Tidak ada pelaksana: Jabatan Sekretaris Daerah kosong pada 6 Nov 2026"
    assert render('{% status_badge text "warn" wrap=True %}', text=reason) == (
        f'<span class="badge badge-warn badge-wrap">{reason}</span>'
    )
    assert status_badge("<i>", "late", wrap=True) == (
        '<span class="badge badge-late badge-wrap">&lt;i&gt;</span>'
    )
    assert render('{% status_badge "Menunggu" "warn" wrap=False %}') == (
        '<span class="badge badge-warn">Menunggu</span>'
    )


def test_late_mark_only_after_the_deadline() -> None:
    now = timezone.now()
    with translation.override("id"):
        assert late_mark(now - dt.timedelta(minutes=1)) == (
            '<span class="badge badge-late">Terlambat</span>'
        )
        assert late_mark(now + dt.timedelta(minutes=5)) == ""
        assert late_mark(None) == ""
        assert render("{% late_mark due %}", due=now - dt.timedelta(days=1)) == (
            '<span class="badge badge-late">Terlambat</span>'
        )
    with translation.override("en"):
        assert (
            late_mark(now - dt.timedelta(minutes=1)) == '<span class="badge badge-late">Late</span>'
        )


def test_late_mark_for_a_due_date_counts_in_the_active_zone() -> None:
    with timezone.override(zoneinfo.ZoneInfo("Asia/Jayapura")), translation.override("id"):
        today = timezone.localdate()
        assert late_mark(today) == ""
        assert late_mark(today - dt.timedelta(days=1)) == (
            '<span class="badge badge-late">Terlambat</span>'
        )


@pytest.mark.parametrize(
    ("value", "maximum", "percent"), [(3, 4, 75), (0, 10, 0), (12, 10, 100), (5, 0, 0), (1, 3, 33)]
)
def test_progress_bar_shows_the_whole_percent(value: int, maximum: int, percent: int) -> None:
    assert progress_bar(value, maximum) == (
        f'<div class="progress"><progress value="{percent}" max="100">{percent}%</progress>'
        f'<span class="progress-text" aria-hidden="true">{percent}%</span></div>'
    )


def test_progress_bar_label() -> None:
    assert render('{% progress_bar 1 2 "Realisasi" %}') == (
        '<div class="progress"><progress value="50" max="100" aria-label="Realisasi">50%</progress>'
        '<span class="progress-text" aria-hidden="true">50%</span></div>'
    )


class SampleForm(forms.Form):
    nip = forms.CharField(label="NIP", help_text="18 digit, boleh dengan spasi.")
    agree = forms.BooleanField(label="Setuju", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Periksa lagi isian Anda.")


def squash(html: str) -> str:
    return " ".join(html.split())


def test_field_include_wires_label_help_errors_and_aria() -> None:
    form = SampleForm(data={})
    with translation.override("id"):
        html = squash(
            Template('{% include "includes/_field.html" with field=form.nip %}').render(
                Context({"form": form})
            )
        )

    assert html == (
        '<div class="field field-invalid"> <label for="id_nip">NIP</label> '
        '<p class="help" id="id_nip_helptext">18 digit, boleh dengan spasi.</p> '
        '<div class="field-errors"><ul class="errorlist" id="id_nip_error">'
        "<li>Bidang ini tidak boleh kosong.</li></ul></div> "
        '<input type="text" name="nip" required aria-invalid="true" '
        'aria-describedby="id_nip_helptext id_nip_error" id="id_nip"> </div>'
    )


def test_field_without_errors_has_no_invalid_marks() -> None:
    form = SampleForm(initial={"nip": "1986"})
    html = squash(
        Template('{% include "includes/_field.html" with field=form.nip %}').render(
            Context({"form": form})
        )
    )

    assert html == (
        '<div class="field"> <label for="id_nip">NIP</label> '
        '<p class="help" id="id_nip_helptext">18 digit, boleh dengan spasi.</p> '
        '<input type="text" name="nip" value="1986" required '
        'aria-describedby="id_nip_helptext" id="id_nip"> </div>'
    )


def test_whole_form_renders_errors_first_then_each_field_with_its_errors() -> None:
    form = SampleForm(data={})
    with translation.override("en"):
        html = squash(str(form))

    assert html.startswith(
        '<div class="form-errors" role="alert"><ul class="errorlist nonfield">'
        "<li>Periksa lagi isian Anda.</li></ul></div>"
    )
    assert (
        '<ul class="errorlist" id="id_nip_error"><li>This field is required.</li></ul></div> '
        '<input type="text" name="nip" required aria-invalid="true"' in html
    )
    assert (
        '<div class="field field-check"> <div class="check"><input type="checkbox" name="agree" '
        'id="id_agree"> <label for="id_agree">Setuju</label></div> </div>' in html
    )
    assert html.endswith('<input type="hidden" name="token" id="id_token">')
