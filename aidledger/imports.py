"""The team's imports: members (with their roles), and the references every ledger makes to
the team (a programme, a batch, a body, a member), as `pairings/imports.py` declares units and
pairings. See ledger/imports/ for how a file is read, checked and written."""

import datetime
import re
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole, Programme, RoleKind
from ledger.imports.cells import SEPARATOR, name_key
from ledger.imports.errors import CellError, RowCellError
from ledger.imports.parsers import Choice, Date, Reference, Text
from ledger.imports.references import (
    LOADERS,
    REFERENCE_NAMES,
    RESOLVERS,
    ImportContext,
    by_name,
)
from ledger.imports.specs import Col, ImportSpec, Planned, register

# References to the team ------------------------------------------------------------------------


def scoped(ctx: ImportContext, kind: str, text: str, *, what: str, example: str) -> Any:
    """A record named "批次 · 名称" ("第二批 · 产业扶持组"), or by its name alone when only one
    batch has it."""
    parts = [part for part in re.split(r"[·・]", text) if part.strip()]
    table = ctx.table(kind)
    if len(parts) >= 2:
        batch, name = name_key(parts[0]), name_key("".join(parts[1:]))
        matches = [obj for obj in table.get(name, []) if name_key(obj.batch.name) == batch]
    else:
        matches = table.get(name_key(text), [])
    if not matches:
        raise CellError(_("No %(what)s of this name.") % {"what": what})
    if len(matches) > 1:
        raise CellError(
            _("Several batches have a %(what)s of this name: write it as “%(example)s”.")
            % {"what": what, "example": example}
        )
    return matches[0]


def _programmes() -> list[Programme]:
    return list(Programme.objects.all())


def resolve_programme(ctx: ImportContext, text: str) -> Programme:
    programmes = ctx.table("programme")
    if not text:
        if len(programmes) == 1:
            return programmes[0]
        raise CellError(_("Name the programme: the ledger has several (or none)."))
    for programme in programmes:
        if name_key(programme.name) == name_key(text):
            return programme
    raise CellError(_("No programme of this name."))


def _batches() -> dict[str, list[Batch]]:
    return by_name(Batch.objects.select_related("programme"), lambda b: b.name)


def resolve_batch(ctx: ImportContext, text: str) -> Batch:
    matches = ctx.table("batch").get(name_key(text), [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CellError(_("Several programmes have a batch of this name."))
    raise CellError(_("No batch of this name."))


def _bodies() -> dict[str, list[Body]]:
    return by_name(Body.objects.select_related("batch"), lambda b: b.name)


def resolve_body(ctx: ImportContext, text: str, *, working_group: bool = False) -> Body:
    body = scoped(ctx, "body", text, what=_("body"), example="第二批 · 产业扶持组")
    if working_group and body.kind != BodyKind.WORKING_GROUP:
        raise CellError(_("Not a working group."))
    return body


def _members() -> dict[str, list[Member]]:
    return by_name(Member.objects.select_related("batch"), lambda m: m.name)


def resolve_member(ctx: ImportContext, text: str) -> Member:
    return scoped(ctx, "member", text, what=_("member"), example="第二批 · 蔡小波")


LOADERS.update(programme=_programmes, batch=_batches, body=_bodies, member=_members)
RESOLVERS.update(
    programme=resolve_programme, batch=resolve_batch, body=resolve_body, member=resolve_member
)
REFERENCE_NAMES.update(
    programme=lambda p: p.name,
    batch=lambda b: b.name,
    body=lambda b: f"{b.batch.name}{SEPARATOR}{b.name}",
    member=lambda m: f"{m.batch.name}{SEPARATOR}{m.name}",
)
BODY_HINT = gettext_lazy("batch · name, e.g. 第二批 · 产业扶持组 (the name alone if unambiguous)")
MEMBER_HINT = gettext_lazy("batch · name, e.g. 第二批 · 蔡小波 (the name alone if unambiguous)")


def working_group(example: str = "第二批 · 产业扶持组") -> Reference:
    return Reference("body", example=example, hint=BODY_HINT, working_group=True)


# Members and their roles -----------------------------------------------------------------------

ROLES_HINT = gettext_lazy(
    "body · role, several separated by ; e.g. 产业扶持组 · 组长; 临时党支部 · 委员 "
    "(bodies of the member's batch; an empty cell: no roles)"
)
ROLE_SEPARATOR = re.compile(r"[;；\n]+")


def member_roles(member: Member) -> str:
    """A member's roles as the roles column writes them: 产业扶持组 · 组长; 临时党支部 · 委员."""
    return "; ".join(
        f"{role.body.name}{SEPARATOR}{RoleKind(role.role).label}" for role in member.roles.all()
    )


def member_fields(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """The roles cell read against the member's batch: unsaved MemberRole objects (body and
    role), which `write_members` makes the member's roles."""
    if "roles" not in values:
        return values
    text, batch = values.pop("roles") or "", values.get("batch")
    column = str(capfirst(_("roles")))
    roles: list[MemberRole] = []
    for part in ROLE_SEPARATOR.split(text):
        if not part.strip():
            continue
        body_name, separator, role_name = part.rpartition("·")
        if not separator:
            body_name, separator, role_name = part.rpartition("・")
        if not separator or not body_name.strip() or not role_name.strip():
            raise RowCellError("roles", column, str(_("Write a role as “body · role”.")))
        bodies = [
            body
            for body in ctx.table("body").get(name_key(body_name), [])
            if batch is not None and body.batch_id == batch.pk
        ]
        if not bodies:
            raise RowCellError(
                "roles",
                column,
                _("The member's batch has no body named %(name)s.") % {"name": body_name.strip()},
            )
        try:
            role = Choice(RoleKind).parse(role_name, ctx)
        except CellError as exc:
            raise RowCellError("roles", column, str(exc)) from None
        if any(existing.body_id == bodies[0].pk for existing in roles):
            raise RowCellError(
                "roles", column, str(_("One role per body: %(name)s.") % {"name": bodies[0].name})
            )
        roles.append(MemberRole(body=bodies[0], role=role))
    values["roles"] = roles
    return values


def write_members(items: list[Planned]) -> None:
    """Each member, then its roles as the row gives them (when the file has the roles
    column): a role in a body it keeps is changed in place, the others added or deleted,
    each through save()/delete() so the member's history records it."""
    for item in items:
        member = item.obj
        member.save()
        wanted = item.m2m.get("roles")
        if wanted is None:
            continue
        current = {role.body_id: role for role in member.roles.all()}
        for new in wanted:
            role = current.pop(new.body_id, None)
            if role is None:
                new.member = member
                new.save()
            elif role.role != new.role:
                role.role = new.role
                role.save()
        for role in current.values():
            role.delete()


members = register(
    ImportSpec(
        name="members",
        model=Member,
        title=gettext_lazy("members"),
        list_url_name="members",
        key=("batch", "name"),
        to_fields=member_fields,
        m2m=("roles",),
        link_keys={"roles": lambda role: (role.body_id, role.role)},
        writer=write_members,
        columns=[
            Col("batch", Reference("batch", example="第二批"), required=True),
            Col("name", Text(max_length=50, example="张三"), required=True),
            Col("home_unit", Text(max_length=100, example="自贡市第一人民医院")),
            Col("home_post", Text(max_length=100, example="副院长")),
            Col("posting_unit", Text(max_length=100, example="平昌县人民医院")),
            Col("posting_post", Text(max_length=100, example="副院长")),
            Col("phone", Text(max_length=30, example="13800000000")),
            Col("active_from", Date(datetime.date(2023, 7, 1))),
            Col("active_until", Date(None)),
            Col(
                "roles",
                Text(example="产业扶持组 · 成员"),
                label=gettext_lazy("roles"),
                value=member_roles,
                hint=ROLES_HINT,
            ),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Member.objects.select_related("batch").prefetch_related(
            "roles__body"
        ),
    )
)
