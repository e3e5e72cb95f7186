"""The two writes a shipped configuration needs before the organisation actions can run.

``save_agency`` creates the tenant itself (only a superadmin may: no agency administers a
tenant that does not exist yet) or corrects its name and zone; ``save_hr_admin`` gives the
agency its HR admin account (pengelola kinerja). Both write nothing when nothing changed and
otherwise record one audit row on the agency's organisation chain (``org:<agency id>``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from processes.organisation.access import require_admin
from processes.organisation.models import Agency, User
from workflow import audit
from workflow.errors import ActionForbidden, StepNotAllowed
from workflow.models import AuditCode


class InvalidAgency(StepNotAllowed):
    """Agency or account input that does not validate; ``errors`` maps fields to messages."""

    code = "invalid_agency"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def _record(agency: Agency, actor: Any, event: str, **payload: Any) -> None:
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=agency.pk,
        chain=f"org:{agency.pk}",
        actor_id=getattr(actor, "pk", None),
        payload={"event": event, **payload},
    )


@transaction.atomic
def save_agency(*, actor: Any, code: str, name: str, time_zone: str) -> tuple[Agency, bool]:
    """Create the agency ``code`` or correct its name and time zone; return (agency, changed).

    Before: creating needs a superadmin; changing needs an admin of the agency; ``time_zone``
    is an IANA name (Asia/Jakarta for WIB, Asia/Makassar for WITA, Asia/Jayapura for WIT).
    Written: the agency and an audit row ``agency_saved`` with what changed.
    Raise ActionForbidden or InvalidAgency (nothing written).
    """
    clean_code = (code or "").strip()
    queryset = Agency.objects.filter(code=clean_code)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    agency = queryset.first()
    if agency is None:
        if not getattr(actor, "is_superuser", False):
            raise ActionForbidden(_("Hanya admin sistem yang boleh menambah instansi."))
        agency = Agency(code=clean_code)
    else:
        require_admin(actor, agency.pk)
    adding = agency._state.adding
    changed: dict[str, list[str]] = {}
    for field, value in (("name", (name or "").strip()), ("time_zone", time_zone)):
        old = "" if adding else getattr(agency, field)
        if adding or old != value:
            changed[field] = [old, value]
        setattr(agency, field, value)
    try:
        agency.full_clean()
    except ValidationError as error:
        raise InvalidAgency(
            {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
        ) from error
    if not changed:
        return agency, False
    agency.save()
    _record(agency, actor, "agency_saved", code=agency.code, changed=changed)
    return agency, True


@transaction.atomic
def save_hr_admin(
    *,
    actor: Any,
    agency: Agency,
    username: str,
    first_name: str,
    last_name: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, bool]:
    """Create the agency's HR admin account, or make an existing one of the agency HR admin.

    Before: the actor administers the agency; a ``username`` already taken belongs to this
    agency. A new account gets ``password`` (without one, an unusable password until it is
    set); an existing account's password is never touched. Written: the account and an
    audit row ``hr_admin_saved`` when anything changed. Raise ActionForbidden or
    InvalidAgency (nothing written).
    """
    require_admin(actor, agency.pk)
    clean = (username or "").strip()
    if not clean:
        raise InvalidAgency({"username": [_("Nama pengguna wajib diisi.")]})
    queryset = User.objects.filter(username__iexact=clean)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    user = queryset.first()
    if user is not None and user.agency_id != agency.pk:
        raise InvalidAgency(
            {"username": [_("Nama pengguna %(name)s sudah dipakai.") % {"name": clean}]}
        )
    created = user is None
    if user is None:
        user = User(username=clean, agency=agency)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    values = {
        "first_name": first_name.strip()[:150],
        "last_name": last_name.strip()[:150],
        "email": email.strip(),
        "is_agency_admin": True,
        "is_active": True,
    }
    changed = {
        name: [None if created else getattr(user, name), value]
        for name, value in values.items()
        if created or getattr(user, name) != value
    }
    if not changed:
        return user, False
    for name, value in values.items():
        setattr(user, name, value)
    user.save()
    _record(agency, actor, "hr_admin_saved", user=user.pk, created=created, changed=changed)
    return user, True
