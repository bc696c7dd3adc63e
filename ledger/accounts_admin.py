"""Accounts in the admin: ledger admins (管理员) manage users and which role each holds, but
never superuser status, raw permissions or superusers' accounts; superusers keep Django's
full user admin. Registered by aidledger.apps.LedgerAdminConfig after autodiscovery.

Every account page carries the 台账角色 (ledger role) part: the role, the members the account
is (one per batch, whose roles in working groups are what an editor may change), and in
words what that gives. The list shows each account's role, members and working groups."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ledger import permissions

User = get_user_model()

ROLE_HELP = _(
    "查看者 (viewer) reads and exports everything; 录入员 (editor) also enters and "
    "corrects the records of the working groups the account's member belongs to; "
    "管理员 (ledger admin) changes everything and manages accounts."
)
LEDGER_ROLE = pgettext_lazy("fieldset of an account", "Ledger role")
LEDGER_ROLE_FIELDS = ("groups", "members", "ledger_scope")

# What a ledger admin may set on an account: no staff flag (roles decide who enters the admin),
# no superuser flag, no raw permissions.
LEDGER_ADMIN_FIELDSETS = (
    (None, {"fields": ("username", "password", "is_active")}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    (LEDGER_ROLE, {"fields": LEDGER_ROLE_FIELDS, "description": ROLE_HELP}),
    (_("Important dates"), {"fields": ("last_login", "date_joined")}),
)

# Django's own help texts on the fields a ledger admin sees, in words of the ledger (and in
# our catalogue, so in Chinese).
HELP_TEXTS = {
    "username": _("Letters, digits and @ . + - _ only, up to 150 characters."),
    "is_active": _("Untick instead of deleting an account that has changed the ledger."),
    "email": "",
}


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member) -> str:
        label = f"{member.batch.name} · {member.name}"
        if member.user_id is not None:
            label += gettext("（linked to %(account)s）") % {"account": member.user.get_username()}
        return label


def member_field(account) -> MemberChoices:
    members = (
        permissions.member_model()
        .objects.select_related("batch", "user")
        .order_by("-batch__number", "name", "pk")
    )
    return MemberChoices(
        queryset=members,
        required=False,
        label=_("linked members"),
        help_text=_(
            "Which team member this account is, one per batch. An editor enters and corrects "
            "the records of the working groups these members hold a role in."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        initial=list(account.members.all()) if account is not None and account.pk else [],
    )


def with_members(form_class: type[forms.ModelForm], account) -> type[forms.ModelForm]:
    """The account form with its linked members: at most one per batch (the members table
    allows no more), saved member by member so each member's history records it."""

    class AccountForm(form_class):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.fields["members"] = member_field(account)

        def clean_members(self):
            chosen = self.cleaned_data["members"]
            batches = [member.batch_id for member in chosen]
            if len(batches) != len(set(batches)):
                raise ValidationError(
                    _("Choose at most one member of the same batch: a person is one member in it.")
                )
            return chosen

        def save_members(self) -> None:
            chosen = {member.pk: member for member in self.cleaned_data["members"]}
            for member in self.instance.members.exclude(pk__in=chosen):
                member.user = None
                member.save(update_fields=["user"])
            for member in chosen.values():
                if member.user_id != self.instance.pk:
                    member.user = self.instance
                    member.save(update_fields=["user"])

    AccountForm.__name__ = form_class.__name__
    return AccountForm


def scope_text(account) -> str:
    """What the account's role and members give it, in words."""
    permissions.forget(account)
    if permissions.is_superuser(account):
        return gettext("Superuser: changes everything, accounts and settings included.")
    if permissions.is_ledger_admin(account):
        return gettext("管理员: changes every record and manages accounts.")
    if permissions.is_editor(account):
        bodies = permissions.editable_bodies_text(account)
        if permissions.lacks_scope(account):
            return gettext(
                "录入员, but not yet linked to a member with a role in a working group: "
                "enters nothing yet. Choose the member above, and give the member a role in "
                "a working group on the member's page."
            )
        return gettext(
            "录入员: reads everything, and enters and corrects the records of these working "
            "groups: %(bodies)s."
        ) % {"bodies": bodies}
    if permissions.can_read(account):
        return gettext("查看者: reads and exports everything; changes nothing.")
    return gettext("No ledger role: cannot read the ledger. Choose a role above.")


class LedgerUserAdmin(UserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role_names",
        "member_names",
        "working_groups",
        "is_active",
        "last_login",
    )
    list_filter = ("groups", "is_active", "is_superuser")
    readonly_fields = ("last_login", "date_joined", "ledger_scope")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        roles = Group.objects.filter(name__in=permissions.ROLES).order_by("name")
        members = (
            permissions.member_model()
            .objects.select_related("batch")
            .prefetch_related("roles__body")
            .order_by("-batch__number", "pk")
        )
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("groups", queryset=roles), Prefetch("members", queryset=members)
            )
        )

    @admin.display(description=LEDGER_ROLE)
    def role_names(self, user) -> str:
        names = [group.name for group in user.groups.all() if group.name in permissions.ROLES]
        if user.is_superuser:
            names.insert(0, str(_("superuser")))
        return "、".join(names) or "—"

    @admin.display(description=_("linked members"))
    def member_names(self, user) -> str:
        return "、".join(f"{m.name}（{m.batch.name}）" for m in user.members.all()) or "—"

    @admin.display(description=_("working groups"))
    def working_groups(self, user) -> str:
        names = [role.body.name for member in user.members.all() for role in member.roles.all()]
        return "、".join(dict.fromkeys(names)) or "—"

    @admin.display(description=_("what this gives"))
    def ledger_scope(self, user) -> str:
        return scope_text(user) if user is not None and user.pk else "—"

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            # Django's full page, with the ledger role part after it.
            fieldsets = super().get_fieldsets(request, obj)
            return (*fieldsets, (LEDGER_ROLE, {"fields": ("members", "ledger_scope")}))
        return LEDGER_ADMIN_FIELDSETS

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        if obj is not None:
            # "members" is the form's own field, not the account model's.
            kwargs["fields"] = [
                name
                for name in admin.utils.flatten_fieldsets(self.get_fieldsets(request, obj))
                if name not in ("members", *self.get_readonly_fields(request, obj))
            ]
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form = with_members(form, obj)
        if not request.user.is_superuser:
            # On the final class: a ModelForm subclass rebuilds its fields from the model.
            for name, text in HELP_TEXTS.items():
                if name in form.base_fields:
                    form.base_fields[name].help_text = text
        return form

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # Three roles: tick boxes, not the two-list chooser made for many groups.
            kwargs["queryset"] = Group.objects.filter(name__in=permissions.ROLES)
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["label"] = _("ledger roles")
            kwargs["help_text"] = ""  # the fieldset's description says what each role may do
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @transaction.atomic
    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # The groups box offers a ledger admin only the roles: keep any other group a
        # superuser gave the account, which the box would otherwise drop.
        others = []
        if change and not request.user.is_superuser:
            others = list(form.instance.groups.exclude(name__in=permissions.ROLES))
        super().save_related(request, form, formsets, change)
        if others:
            form.instance.groups.add(*others)
        if hasattr(form, "save_members"):
            form.save_members()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # A superuser's account (its password included) is for superusers to change.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, LedgerUserAdmin)
