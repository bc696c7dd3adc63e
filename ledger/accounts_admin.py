"""Accounts in the admin: ledger admins (管理员) manage users and which role each holds, but
never superuser status, raw permissions or superusers' accounts; superusers keep Django's
full user admin. Registered by aidledger.apps.LedgerAdminConfig after autodiscovery."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ledger import permissions

User = get_user_model()

# What a ledger admin may set on an account: no staff flag (roles decide who enters the admin),
# no superuser flag, no raw permissions.
LEDGER_ADMIN_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    (
        _("Ledger role"),
        {
            "fields": ("is_active", "groups"),
            "description": _(
                "查看者 (viewer) reads and exports everything; 录入员 (editor) also enters and "
                "corrects the records of the working groups the account's member belongs to; "
                "管理员 (ledger admin) changes everything and manages accounts."
            ),
        },
    ),
    (_("Important dates"), {"fields": ("last_login", "date_joined")}),
)


class LedgerUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role_names", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_superuser")
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        roles = Group.objects.filter(name__in=permissions.ROLES).order_by("name")
        return super().get_queryset(request).prefetch_related(Prefetch("groups", queryset=roles))

    @admin.display(description=_("ledger roles"))
    def role_names(self, user) -> str:
        names = [group.name for group in user.groups.all()]
        if user.is_superuser:
            names.insert(0, str(_("superuser")))
        return "、".join(names) or "—"

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return LEDGER_ADMIN_FIELDSETS

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # Three roles: tick boxes, not the two-list chooser made for many groups.
            kwargs["queryset"] = Group.objects.filter(name__in=permissions.ROLES)
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["label"] = _("ledger roles")
            kwargs["help_text"] = ""  # the fieldset's description says what each role may do
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # The groups box offers a ledger admin only the roles: keep any other group a
        # superuser gave the account, which the box would otherwise drop.
        others = []
        if change and not request.user.is_superuser:
            others = list(form.instance.groups.exclude(name__in=permissions.ROLES))
        super().save_related(request, form, formsets, change)
        if others:
            form.instance.groups.add(*others)

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
