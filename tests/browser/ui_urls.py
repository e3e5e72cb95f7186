"""A test-only URLconf: the project's URLs plus a page showing every UI component."""

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.utils import timezone

from config.urls import urlpatterns as project_urlpatterns

PAGE = """{% extends "base.html" %}{% load ui %}
{% block content %}
<div class="page-header"><h1>Komponen</h1>{% status_badge "Berjalan" "info" %}</div>
<div class="layout-2col">
  <section class="card" id="main-column">
    <h2>Rencana hasil kerja</h2>
    <p>Pengembangankompetensiaparaturyangsangatpanjangsekalitanpaspasiuntukmengujipembungkusan</p>
    <div class="table-wrap" id="wide-table">
      <table>
        <thead><tr>{% for n in columns %}<th>Kolom {{ n }}</th>{% endfor %}</tr></thead>
        <tbody><tr>{% for n in columns %}<td>Isi sel nomor {{ n }}</td>{% endfor %}</tr></tbody>
      </table>
    </div>
    {% progress_bar 2 3 "Realisasi" %}
    <p>Tenggat {% local_time due %} {% late_mark due %} {% status_badge "Disetujui" "ok" %}
       {% status_badge "Menunggu" "warn" %} {% status_badge "Draf" "muted" %}</p>
    <div class="actions">
      <button class="btn btn-primary" type="button">Setujui</button>
      <button class="btn btn-secondary" type="button">Kembalikan</button>
      <button class="btn btn-danger" type="button">Batalkan</button>
      <button class="btn btn-secondary" id="ping" hx-post="/test/ping/" hx-target="#pong"
              hx-swap="innerHTML">Kirim <span class="spinner htmx-indicator"></span></button>
      <span id="pong"></span>
    </div>
  </section>
  <aside class="card" id="side-column">
    <h2>Formulir</h2>
    <form method="post">{% csrf_token %}{{ form }}</form>
  </aside>
</div>
{% endblock %}
{% block scripts %}<script src="{% load static %}{% static 'vendor/chartjs/chart.umd.min.js' %}"></script>{% endblock %}
"""


class SampleForm(forms.Form):
    nip = forms.CharField(label="NIP", help_text="18 digit, boleh dengan spasi.")
    notes = forms.CharField(label="Catatan", widget=forms.Textarea)


def components(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    context = {
        "columns": range(1, 7),
        "due": timezone.now() - dt.timedelta(days=1),
        "form": SampleForm(data={"nip": ""}),
    }
    return HttpResponse(template.render(context, request))


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"pong {request.method}")


urlpatterns = [
    path("test/components/", components),
    path("test/ping/", ping),
    *project_urlpatterns,
]
