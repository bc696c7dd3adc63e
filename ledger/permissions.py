"""Who may read and change what: the ONE place roles are decided.

Roles are Django groups created by the migration `aidledger/0002_roles` (names in Chinese,
as a ledger admin sees them in the admin):

- 查看者 (viewer): reads and exports everything; changes nothing.
- 录入员 (editor): reads everything; adds, changes and deletes ledger records whose responsible
  body is one of the bodies they belong to (User → Member.user → MemberRole.body).
- 管理员 (ledger admin): everything, and manages users (never superuser status).
- Superusers: everything. A logged-in account with none of these roles reads nothing.

The admin (ledger.admin.RolePermissionsMixin), the pages and exports
(ledger.middleware.RoleRequiredMiddleware) and the templates (the `changeable_by` filter)
all ask this module. The roles and body ids are read once per user object and cached on it
(a request's user is a fresh object, so a changed membership counts from the next request).
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext

VIEWER = "查看者"
EDITOR = "录入员"
LEDGER_ADMIN = "管理员"
ROLES = (VIEWER, EDITOR, LEDGER_ADMIN)

_ROLES_CACHE = "_ledger_roles"
_BODIES_CACHE = "_ledger_editable_body_ids"
_COORDINATING_CACHE = "_ledger_in_coordinating_body"

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
    for name in (_ROLES_CACHE, _BODIES_CACHE, _COORDINATING_CACHE):
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


def can_see_accounts(user: User) -> bool:
    """May list the site's accounts (usernames and real names: the `user` lookup and the
    "changed by" filter of the recent changes): those who may use the admin, where accounts
    are chosen anyway. A viewer sees who made each change on the rows, not every account."""
    return is_superuser(user) or can_enter_admin(user)


# Bodies -------------------------------------------------------------------------------------


def body_model() -> type[models.Model]:
    """The model of the bodies records are kept by (settings.LEDGER_BODY_MODEL, as
    AUTH_USER_MODEL names the account model): its `of_account(user)` gives the bodies an
    account belongs to, `ordered()` the bodies as choice lists show them."""
    return apps.get_model(settings.LEDGER_BODY_MODEL)


def member_model() -> type[models.Model]:
    """The model of the team's members (settings.LEDGER_MEMBER_MODEL): its `user` foreign key
    (related name `members`) links an account to the members it is, one per batch; their
    roles (`roles`, each with a `body`) are the account's bodies (see body_model)."""
    return apps.get_model(settings.LEDGER_MEMBER_MODEL)


def editable_bodies_text(user: User) -> str:
    """The names of the bodies the user may change records of, for a refusal's message."""
    bodies = body_model().ordered().filter(pk__in=editable_body_ids(user))
    return gettext(", ").join(str(body) for body in bodies) or "—"


def editable_body_ids(user: User) -> frozenset[int]:
    """Bodies whose records the user may change: an editor's own bodies (through their member
    records' roles); every body for a ledger admin; none for anyone else. Cached on the user.

    To ask "may change every body", call is_ledger_admin(): it needs no query."""
    cached = getattr(user, _BODIES_CACHE, None)
    if cached is not None:
        return cached
    Body = body_model()
    if is_ledger_admin(user):
        found = Body.objects.values_list("pk", flat=True)
    elif is_editor(user):
        found = Body.of_account(user).values_list("pk", flat=True)
    else:
        found = []
    cached = frozenset(found)
    if user.is_authenticated:
        setattr(user, _BODIES_CACHE, cached)
    return cached


def related(obj: models.Model, name: str) -> models.Model | None:
    """obj.<name> if it is set; loads it only when it was not selected with obj. For the
    models' `responsible_body_ids()`."""
    if getattr(obj, f"{name}_id") is None:
        return None
    return getattr(obj, name)


def ids(*values: int | None) -> frozenset[int]:
    """The body ids given, without the unset ones. For the models' `responsible_body_ids()`."""
    return frozenset(value for value in values if value is not None)


# A ledger record (kept by a working group) is an instance of a model that declares
#
#     def responsible_body_ids(self) -> frozenset[int]:
#
# the bodies responsible for it (empty while it has none). Models without the method are
# reference data (programme, batch, body, member, unit, segment): only ledger admins change
# them, except that editors may add those whose model sets `editors_may_add = True` (a new
# counterpart unit or outlet turns up while entering a record).


def is_ledger_record(model: type[models.Model] | models.Model) -> bool:
    """A record kept by a working group (has responsible bodies), not reference data."""
    return callable(getattr(model, "responsible_body_ids", None))


def responsible_body_ids(obj: models.Model) -> frozenset[int]:
    """The bodies responsible for a ledger record (empty for reference data, or a record not yet
    given its body). Reads related rows that were not selected with obj."""
    return obj.responsible_body_ids() if is_ledger_record(obj) else frozenset()


def editors_may_add(model: type[models.Model]) -> bool:
    return bool(getattr(model, "editors_may_add", False))


# Decisions ----------------------------------------------------------------------------------


def can_view(user: User, obj: models.Model) -> bool:
    """May view this record (every reader may read every record today; ask here for object
    reads, such as evidence downloads, so that a future rule has one place)."""
    return can_read(user)


def can_add(user: User, model: type[models.Model]) -> bool:
    """May add records of this model at all; body fields are then limited to
    editable_body_ids(user), and the saved record must pass can_change. An editor whose
    account belongs to no working group yet could save no ledger record: no add, no import."""
    if is_ledger_admin(user):
        return True
    if not is_editor(user):
        return False
    if is_ledger_record(model):
        return bool(editable_body_ids(user))
    return editors_may_add(model)


def lacks_scope(user: User) -> bool:
    """An editor who belongs to no working group (the account is linked to no member with a
    role in one): they may change nothing until a ledger admin links the account."""
    return is_editor(user) and not is_ledger_admin(user) and not editable_body_ids(user)


def changeable(user: User, queryset: models.QuerySet) -> models.QuerySet:
    """The records of `queryset` this user may change, for the choices of a field that makes a
    record theirs (a disbursement's funding line). A model says which path leads to its
    responsible body with `responsible_body_lookup` ("project__responsible_body"); without
    it, or for a ledger admin, `queryset` as it is."""
    path = getattr(queryset.model, "responsible_body_lookup", None)
    if path is None or is_ledger_admin(user):
        return queryset
    return queryset.filter(**{f"{path}__in": editable_body_ids(user)})


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


def can_see_export(user: User, owner_id: int | None) -> bool:
    """May see and download a generated file (a briefing or pack under "我的导出"): the user
    who asked for it, and ledger admins. It holds what its owner could read when it was made."""
    if not can_read(user):
        return False
    return is_ledger_admin(user) or (owner_id is not None and owner_id == user.pk)


def visible_exports(user: User, queryset: models.QuerySet) -> models.QuerySet:
    """The generated files `user` may see (as `can_see_export` decides for one): a ledger
    admin's, all; anyone else's, their own."""
    if not can_read(user):
        return queryset.none()
    return queryset if is_ledger_admin(user) else queryset.filter(owner=user)


# Reporting periods ------------------------------------------------------------------------
#
# Submitting a period to the province, approving it (which locks it) and returning it are the
# command post's or a ledger admin's matter; an editor's role never gives them. Reopening an
# approved period is a ledger admin's alone.


def in_coordinating_body(user: User) -> bool:
    """Holds a role in a coordinating body (the command post): the body model's
    `coordinating_of_account(user)`. Cached on the user object, as the roles are."""
    if not can_read(user):
        return False
    cached = getattr(user, _COORDINATING_CACHE, None)
    if cached is None:
        cached = body_model().coordinating_of_account(user).exists()
        setattr(user, _COORDINATING_CACHE, cached)
    return cached


def can_review_periods(user: User) -> bool:
    """May submit, approve and return reporting periods."""
    return is_ledger_admin(user) or in_coordinating_body(user)


def can_reopen_periods(user: User) -> bool:
    """May reopen an approved period (with a written reason)."""
    return is_ledger_admin(user)
