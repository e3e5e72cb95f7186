"""HR's organisation pages, included by the project under ``organisasi/``."""

from __future__ import annotations

from django.urls import path

from processes.organisation import views

app_name = "organisation"

urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("unit/baru/", views.unit_create, name="unit_create"),
    path("unit/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("unit/<int:pk>/subunit/", views.unit_add_subunit, name="unit_add_subunit"),
    path("unit/<int:pk>/jabatan/", views.unit_add_position, name="unit_add_position"),
    path("jabatan/<int:pk>/", views.position_detail, name="position_detail"),
    path(
        "jabatan/<int:pk>/garis-atasan/",
        views.position_reporting_line,
        name="position_reporting_line",
    ),
    path("pegawai/", views.employee_list, name="employee_list"),
    path("pegawai/baru/", views.employee_create, name="employee_create"),
    path("pegawai/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("pegawai/<int:pk>/mutasi/", views.employee_transfer, name="employee_transfer"),
    path("pegawai/<int:pk>/status/", views.employee_status, name="employee_status"),
    path(
        "pegawai/<int:pk>/status/<int:period>/akhiri/",
        views.employee_status_end,
        name="employee_status_end",
    ),
    path("plt/", views.acting_list, name="acting_list"),
    path("plt/<int:pk>/akhiri/", views.acting_end, name="acting_end"),
    path("kekosongan/", views.vacancy_list, name="vacancy_list"),
    path("perubahan/", views.change_list, name="change_list"),
    path("impor/", views.import_upload, name="import"),
    path("impor/simpan/", views.import_commit, name="import_commit"),
    path("impor/templat.xlsx", views.import_template, name="import_template"),
    path("impor/contoh.xlsx", views.import_example, name="import_example"),
]
