"""Admin registrations for organisation and people."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from processes.organisation.models import Agency, Employee, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    """Agencies (tenants)."""

    list_display = ["name", "code", "time_zone", "language"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    """Users with their agency."""

    list_display = ["username", "first_name", "last_name", "agency", "is_agency_admin", "is_active"]
    list_filter = ["agency", "is_agency_admin", "is_active", "is_superuser"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Instansi", {"fields": ("agency", "is_agency_admin")}),
    )


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin[Employee]):
    """Employees with their NIP."""

    list_display = ["name", "nip", "employee_type", "agency"]
    search_fields = ["name", "nip"]
    list_filter = ["agency", "employee_type"]
