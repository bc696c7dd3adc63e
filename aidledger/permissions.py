"""Who may read and change what: the ONE place roles are decided.

Roles are Django groups created by the migration `aidledger/0002_roles` (names in Chinese,
as a ledger admin sees them in the admin):

- 查看者 (viewer): reads and exports everything; changes nothing.
- 录入员 (editor): reads everything; adds, changes and deletes ledger records whose responsible
  body is one of the bodies they belong to (User → Member.user → MemberRole.body).
- 管理员 (ledger admin): everything, and manages users (never superuser status).
- Superusers: everything. A logged-in account with none of these roles reads nothing.

The admin (aidledger.admin.RolePermissionsMixin), the pages and exports
(aidledger.middleware.RoleRequiredMiddleware) and the templates (the `changeable_by` filter)
all ask this module. The roles and body ids are read once per user object and cached on it
(a request's user is a fresh object, so a changed membership counts from the next request).
"""

from collections.abc import Callable

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import models

VIEWER = "查看者"
EDITOR = "录入员"
LEDGER_ADMIN = "管理员"
ROLES = (VIEWER, EDITOR, LEDGER_ADMIN)

_ROLES_CACHE = "_ledger_roles"
_BODIES_CACHE = "_ledger_editable_body_ids"

User = AbstractBaseUser | AnonymousUser


# Roles --------------------------------------------------------------------------------------


def roles(user: User) -> frozenset[str]:
    """The ledger roles (group names) this account holds; empty for anonymous or inactive."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        cached = frozenset(
            Group.objects.filter(user=user, name__in=ROLES).values_list("name", flat=True)
        )
        setattr(user, _ROLES_CACHE, cached)
    return cached


def forget(user: User) -> None:
    """Drop the roles and bodies cached on this user object (after changing its groups)."""
    for name in (_ROLES_CACHE, _BODIES_CACHE):
        if hasattr(user, name):
            delattr(user, name)


def is_superuser(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_ledger_admin(user: User) -> bool:
    """管理员 or superuser: may change everything and manage users."""
    return is_superuser(user) or LEDGER_ADMIN in roles(user)


def is_editor(user: User) -> bool:
    """Holds the 录入员 role (ledger admins are not editors unless they hold it too)."""
    return EDITOR in roles(user)


def can_read(user: User) -> bool:
    """May see the ledger's pages and exports (every role, and superusers)."""
    return is_superuser(user) or bool(roles(user))


def can_enter_admin(user: User) -> bool:
    """May use the Django admin: editors and ledger admins (is_staff is not consulted, so
    giving someone a role is all it takes; a viewer reads on the site, not in the admin)."""
    return is_ledger_admin(user) or is_editor(user)


# Bodies -------------------------------------------------------------------------------------


def editable_body_ids(user: User) -> frozenset[int]:
    """Bodies whose records the user may change: an editor's own bodies (through their member
    records' roles); every body for a ledger admin; none for anyone else. Cached on the user.

    To ask "may change every body", call is_ledger_admin(): it needs no query."""
    cached = getattr(user, _BODIES_CACHE, None)
    if cached is not None:
        return cached
    Body = apps.get_model("aidledger", "Body")
    MemberRole = apps.get_model("aidledger", "MemberRole")
    if is_ledger_admin(user):
        ids = Body.objects.values_list("pk", flat=True)
    elif is_editor(user):
        ids = MemberRole.objects.filter(member__user=user).values_list("body_id", flat=True)
    else:
        ids = []
    cached = frozenset(ids)
    if user.is_authenticated:
        setattr(user, _BODIES_CACHE, cached)
    return cached


def _related(obj: models.Model, name: str) -> models.Model | None:
    """obj.<name> if it is set; loads it only when it was not selected with obj."""
    if getattr(obj, f"{name}_id") is None:
        return None
    return getattr(obj, name)


def _member_bodies(member_id: int | None) -> frozenset[int]:
    if member_id is None:
        return frozenset()
    MemberRole = apps.get_model("aidledger", "MemberRole")
    return frozenset(
        MemberRole.objects.filter(member_id=member_id).values_list("body_id", flat=True)
    )


def _ids(*values: int | None) -> frozenset[int]:
    return frozenset(value for value in values if value is not None)


def _exchange(exchange) -> frozenset[int]:
    if exchange.lead_body_id is not None or exchange.pk is None:
        return _ids(exchange.lead_body_id)
    return frozenset(exchange.pairings.values_list("responsible_body_id", flat=True))


def _through_project(record) -> frozenset[int]:
    project = _related(record, "project")
    if project is None and getattr(record, "funding_id", None) is not None:
        project = record.funding.project  # a disbursement not yet given its project
    return _ids(project.responsible_body_id) if project else frozenset()


def _lead(lead) -> frozenset[int]:
    if lead.follower_body_id is not None:
        return _ids(lead.follower_body_id)
    return _member_bodies(lead.follower_id)


def _sale(sale) -> frozenset[int]:
    outlet = _related(sale, "outlet")
    return _ids(outlet.responsible_body_id) if outlet else frozenset()


def _exchange_link(link) -> frozenset[int]:
    # A link between an exchange and a pairing belongs to both: either side's editors may
    # make or remove it (on the exchange's page or the pairing's).
    exchange = _related(link, "exchange")
    pairing = _related(link, "pairing")
    return (_exchange(exchange) if exchange else frozenset()) | (
        _ids(pairing.responsible_body_id) if pairing else frozenset()
    )


# "app_label.model" → the bodies responsible for one record of that model. Models not named here
# are reference data (programme, batch, body, member, role, unit, segment): no responsible body.
RESPONSIBLE: dict[str, Callable[[models.Model], frozenset[int]]] = {
    "pairings.pairing": lambda pairing: _ids(pairing.responsible_body_id),
    "pairings.exchange": _exchange,
    "pairings.exchangepairing": _exchange_link,
    "pairings.mentorship": lambda mentorship: _member_bodies(mentorship.mentor_id),
    "projects.project": lambda project: _ids(project.responsible_body_id),
    "projects.funding": _through_project,
    "projects.disbursement": _through_project,
    "projects.indicator": _through_project,
    "projects.investmentlead": _lead,
    "projects.sale": _sale,
    # The group that keeps an outlet's sales looks after the outlet too.
    "projects.outlet": lambda outlet: _ids(outlet.responsible_body_id),
}

# Reference data that editors may add (a new counterpart unit or outlet turns up while entering
# a record), though only ledger admins change it once it is shared.
EDITOR_MAY_ADD = frozenset({"pairings.unit", "projects.outlet"})


def _label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def is_ledger_record(model: type[models.Model] | models.Model) -> bool:
    """A record kept by a working group (has responsible bodies), not reference data."""
    return _label(model) in RESPONSIBLE


def responsible_body_ids(obj: models.Model) -> frozenset[int]:
    """The bodies responsible for a ledger record (empty for reference data, or a record not yet
    given its body). Reads related rows that were not selected with obj."""
    rule = RESPONSIBLE.get(_label(obj))
    return rule(obj) if rule else frozenset()


# Decisions ----------------------------------------------------------------------------------


def can_view(user: User, obj: models.Model) -> bool:
    """May view this record (every reader may read every record today; ask here for object
    reads, such as evidence downloads, so that a future rule has one place)."""
    return can_read(user)


def can_add(user: User, model: type[models.Model]) -> bool:
    """May add records of this model at all; body fields are then limited to
    editable_body_ids(user), and the saved record must pass can_change."""
    if is_ledger_admin(user):
        return True
    if not is_editor(user):
        return False
    return is_ledger_record(model) or _label(model) in EDITOR_MAY_ADD


def can_change_some(user: User, model: type[models.Model]) -> bool:
    """May change some records of this model (the admin's model-level change permission):
    ledger admins every model; editors the ledger records (each then checked by can_change)."""
    if is_ledger_admin(user):
        return True
    return is_editor(user) and is_ledger_record(model)


def can_change(user: User, obj: models.Model) -> bool:
    """May change, delete or attach files to this record: ledger admins any record; editors a
    ledger record one of whose responsible bodies they belong to; nobody else."""
    if is_ledger_admin(user):
        return True
    if not is_editor(user) or not is_ledger_record(obj):
        return False
    return bool(responsible_body_ids(obj) & editable_body_ids(user))


def require_change(user: User, obj: models.Model) -> None:
    """Raise PermissionDenied (a 403 page) unless the user may change obj."""
    if not can_change(user, obj):
        raise PermissionDenied


def changeable(user: User, objects) -> list:
    """The objects of an iterable that the user may change (bulk actions check every one)."""
    return [obj for obj in objects if can_change(user, obj)]
