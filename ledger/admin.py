"""The base of every model admin in the ledger: roles, change history, lost-update protection,
import, and what the apps add to every admin (evidence files) through `extra_inlines`."""

from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.forms.models import _get_foreign_key
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ledger import locks, permissions
from ledger.history import VERSION_FIELD, VersionedFormMixin
from ledger.imports.views import ImportAdminMixin

NOT_YOUR_BODY = _(
    "You may save only records of your own working groups (%(bodies)s). Ask the ledger "
    "administrator to change another group's records."
)
READ_ONLY_HERE = _(
    "This record belongs to another working group: you can read it here but not change it. "
    "You may change the records of your own working groups (%(bodies)s); ask the ledger "
    "administrator about this one."
)
NO_WORKING_GROUP = _(
    "Your account is not yet linked to a team member in a working group, so there are no "
    "records you may add or change, and the body choices are empty. Ask a ledger "
    "administrator to link it on your user page (ledger role)."
)

# The fields that decide a record's responsible body, in the order a refusal is shown on.
RESPONSIBILITY_FIELDS = (
    "responsible_body",
    "lead_body",
    "follower_body",
    "follower",
    "mentor",
    "project",
    "funding",
    "outlet",
)


def delete_selected_if_changeable(modeladmin, request: HttpRequest, queryset: QuerySet):
    """Django's "delete selected" action, refused as a whole when the user may not change
    every selected record (an editor ticking another group's rows deletes nothing)."""
    refused = [obj for obj in queryset if not permissions.can_change(request.user, obj)]
    if not refused:
        checks = locks.session()
        locked = next(
            (message for obj in queryset if (message := checks.refusal(obj, deleting=True))),
            None,
        )
        if locked:
            modeladmin.message_user(
                request,
                gettext("Nothing was deleted: %(reason)s") % {"reason": locked},
                messages.ERROR,
            )
            return None
    if refused:
        modeladmin.message_user(
            request,
            ngettext(
                "Nothing was deleted: you may not change %(count)d of the selected records "
                "(%(records)s).",
                "Nothing was deleted: you may not change %(count)d of the selected records "
                "(%(records)s).",
                len(refused),
            )
            % {
                "count": len(refused),
                "records": gettext(", ").join(str(obj) for obj in refused[:5]),
            },
            messages.ERROR,
        )
        return None
    return delete_selected(modeladmin, request, queryset)


class LockCheckedFormMixin:
    """A model form refusing a save of a record dated in a locked (approved) period: the
    change is checked against the record as it was loaded (ledger.locks). Mixed into the
    admin's form where its other mixins are (one subclass: each builds the fields again)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._stored = locks.values(self.instance) if self.instance.pk else None

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        message = locks.refusal(self.instance, before=self._stored)
        if message:
            self.add_error(None, message)


def lock_checked_formset(formset: type) -> type:
    """An inline formset whose changed and deleted rows are checked against the locks (the
    rows' form class is left as it is: subclassing it would build its fields again)."""

    class LockCheckedFormSet(formset):
        def clean(self) -> None:
            super().clean()
            if any(self.errors):
                return
            checks = locks.session()
            for form in self.forms:
                if self.can_delete and self._should_delete_form(form):
                    message = form.instance.pk and checks.refusal(form.instance, deleting=True)
                    if message:
                        raise forms.ValidationError(message)
                elif form.has_changed():
                    message = checks.refusal(form.instance)
                    if message:
                        form.add_error(None, message)

    LockCheckedFormSet.__name__ = formset.__name__
    return LockCheckedFormSet


class RoleInlineMixin:
    """An inline on a parent record is editable exactly when the parent is: read-only rows on
    another group's project, no rows at all for an account without a role. Its rows are
    checked against the locks on the ledger's past (approved periods)."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        return lock_checked_formset(super().get_formset(request, obj, **kwargs))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return permissions.can_read(request.user)

    def _may_edit(self, request: HttpRequest, parent) -> bool:
        if parent is None:  # the parent is being added
            return permissions.can_add(request.user, self.parent_model)
        return permissions.can_change(request.user, parent)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)


@cache
def role_checked(inline: type[admin.options.InlineModelAdmin]) -> type:
    """`inline` with its permissions taken from the parent record (RoleInlineMixin)."""
    return type(inline.__name__, (RoleInlineMixin, inline), {"__module__": inline.__module__})


class RolePermissionsMixin:
    """Who may do what in the admin, asked of ledger.permissions (roles scoped to working
    groups), not of Django's model permissions: every reader may view; editors add ledger
    records and change or delete those of their own groups; ledger admins everything.

    Covers the change and delete pages (GET and POST), the "delete selected" action, inlines
    (through the parent), body choices, and a save that would move a record to another
    group's body (refused with a form error)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_read(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return permissions.can_read(request.user)
        return permissions.can_view(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.can_add(request.user, self.model)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return permissions.can_change_some(request.user, self.model)
        return permissions.can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_inlines(self, request: HttpRequest, obj) -> list:
        return [role_checked(inline) for inline in super().get_inlines(request, obj)]

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        # An editor opening another group's record saw a page without a save button and no
        # word why: say so above it.
        if request.method == "GET" and permissions.is_editor(request.user):
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and not self.has_change_permission(request, obj):
                bodies = permissions.editable_bodies_text(request.user)
                if permissions.lacks_scope(request.user):
                    messages.warning(request, NO_WORKING_GROUP)
                else:
                    messages.warning(request, READ_ONLY_HERE % {"bodies": bodies})
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_if_changeable, name, description)
        return actions

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # A body autocomplete fills a record's body: offer an editor their own bodies only.
        if (
            self.model is permissions.body_model()
            and request.resolver_match
            and request.resolver_match.url_name == "autocomplete"
            and not permissions.is_ledger_admin(request.user)
        ):
            queryset = queryset.filter(pk__in=permissions.editable_body_ids(request.user))
        # A field that makes the record an editor's (a disbursement's funding line, a funding
        # line's project) offers only the records they may save it under: another group's
        # line would be refused at save.
        elif (
            request.resolver_match
            and request.resolver_match.url_name == "autocomplete"
            and request.GET.get("field_name") in RESPONSIBILITY_FIELDS
        ):
            queryset = permissions.changeable(request.user, queryset)
        return queryset, may_have_duplicates

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if request.method == "GET" and permissions.lacks_scope(request.user):
            messages.warning(request, NO_WORKING_GROUP)
        return super().changelist_view(request, extra_context)

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        user = request.user
        if permissions.is_ledger_admin(user) or not permissions.is_ledger_record(self.model):
            return form  # reference data: the add/change permission alone decides

        class RoleCheckedForm(form):
            """Refuses a save that leaves the record outside the editor's own groups."""

            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors or permissions.can_change(user, self.instance):
                    return
                field = next((name for name in RESPONSIBILITY_FIELDS if name in self.fields), None)
                self.add_error(
                    field, NOT_YOUR_BODY % {"bodies": permissions.editable_bodies_text(user)}
                )

        RoleCheckedForm.__name__ = form.__name__
        return RoleCheckedForm


class LockedPeriodAdminMixin:
    """The locks on the ledger's past (ledger.locks: approved reporting periods) in the admin:
    a form (add or change) dated in a locked period is refused with the period named
    (LockCheckedFormMixin, in ChangeHistoryAdminMixin's form), and so is deleting such a
    record (its delete page sends back to it with the reason). Inline rows are checked
    through RoleInlineMixin, "delete selected" in delete_selected_if_changeable; the model
    layer and the database refuse whatever else reaches them."""

    def delete_view(self, request: HttpRequest, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        message = locks.refusal(obj, deleting=True) if obj is not None else None
        if message:
            self.message_user(request, message, messages.ERROR)
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)


class ChangeHistoryAdminMixin(SimpleHistoryAdmin):
    """Change history and lost-update protection for every ledger admin.

    - Each record's 历史 page lists its changes as the record pages do ("修改记录": who, when,
      which fields from what to what, its inline rows' changes included). Reverting to an
      old version is disabled (SIMPLE_HISTORY_REVERT_DISABLED, and a POST to the version page
      is refused): it would be a write past the ledger's rules and the roles' permissions.
    - A change form carries the version it was loaded from; saving it after someone else
      changed the record (or one of its inline rows) is refused with who and when, and
      nothing is saved (ledger.history.VersionedFormMixin).
    """

    object_history_list_template = "admin/ledger/change_history_list.html"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The list template shows ledger.history's changes (names, labels, yuan) instead.
        return None

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def version_children(self) -> tuple[tuple[type[models.Model], str], ...]:
        """(model, attname of its key to this admin's model) of the inline rows."""
        children = []
        for inline in self.inlines:
            key = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            children.append((inline.model, key.attname))
        return tuple(children)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # The hidden version travels with the form's last fieldset (a row the admin hides).
        *first, (name, options) = fieldsets
        fields = [f for f in options["fields"] if f != VERSION_FIELD]
        return [*first, (name, {**options, "fields": [*fields, VERSION_FIELD]})]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        # The version is the form's own field (VersionedFormMixin), not the model's.
        fields = (
            kwargs["fields"]
            if "fields" in kwargs
            else flatten_fieldsets(self.get_fieldsets(request, obj))
        )
        if fields is not None:
            kwargs["fields"] = [f for f in fields if f != VERSION_FIELD]
        form = super().get_form(request, obj, change, **kwargs)
        # The locks on approved periods (LockedPeriodAdminMixin) check the same form.
        return type(
            form.__name__,
            (LockCheckedFormMixin, VersionedFormMixin, form),
            {"version_children": self.version_children()},
        )


# What the apps add to every ledger admin's page: each function takes the admin's model and
# gives the inlines to add for it (evidence/apps.py adds the evidence files of the records
# that carry them). Registered in AppConfig.ready(), as pretalx registers its exporters.
extra_inlines: list[Callable[[type[models.Model]], list[type[admin.options.InlineModelAdmin]]]] = []


class ExtraInlinesMixin:
    def get_inlines(self, request: HttpRequest, obj) -> list:
        inlines = list(super().get_inlines(request, obj))
        for extra in extra_inlines:
            inlines.extend(extra(self.model))
        return inlines


# A return address longer than this is not one of our pages: ignored, never parsed further.
MAX_RETURN_URL = 2000


def local_return_url(request: HttpRequest) -> str | None:
    """The page `?next=` names, if it is a path on this site (not another host, not a
    scheme-relative //host): where to go back after saving."""
    target = request.GET.get("next", "")
    if not target or len(target) > MAX_RETURN_URL or not target.startswith("/"):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


class ReturnToPageMixin:
    """After "Save", back to the ledger page the clerk came from (its "Edit in admin" link
    carries `?next=/projects/5/`) rather than the admin's list. "Save and continue editing",
    "Save and add another" and popups keep the admin's own behaviour."""

    def response_change(self, request: HttpRequest, obj) -> HttpResponse:
        return self._back_to_page(request, super().response_change(request, obj))

    def response_add(self, request: HttpRequest, obj, post_url_continue=None) -> HttpResponse:
        return self._back_to_page(request, super().response_add(request, obj, post_url_continue))

    def _back_to_page(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        stays = ("_continue", "_addanother", "_saveasnew", IS_POPUP_VAR)
        if response.status_code != 302 or any(key in request.POST for key in stays):
            return response
        target = local_return_url(request)
        return HttpResponseRedirect(target) if target else response


class LabelledInlinesMixin:
    """Every box of a tabular inline's rows carries its column's name (aria-label): a table
    row has no <label>s, so a screen reader announced "edit text" and nothing more, and axe
    counts each as a critical finding."""

    def get_formsets_with_inlines(self, request: HttpRequest, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if inline.template.endswith("tabular.html"):
                formset = type(formset.__name__, (formset,), {"add_fields": _add_named_fields})
            yield formset, inline


def _add_named_fields(formset, form, index) -> None:
    """A formset's add_fields (which adds the delete box), then a name on every box."""
    super(type(formset), formset).add_fields(form, index)
    for field in form.fields.values():
        # The box itself, inside the admin's wrapper (its "+" link) where there is one: the
        # wrapper's own attrs are the original widget's, shared by every row.
        widget = getattr(field.widget, "widget", field.widget)
        widget.attrs.setdefault("aria-label", capfirst(field.label))


class LedgerAdmin(
    ImportAdminMixin,
    ReturnToPageMixin,
    LabelledInlinesMixin,
    LockedPeriodAdminMixin,
    RolePermissionsMixin,
    ExtraInlinesMixin,
    ChangeHistoryAdminMixin,
    admin.ModelAdmin,
):
    """The base of every model admin in the ledger.

    Behaviour that every ledger admin shares (who may change which record, change history,
    protection against lost updates, import, the way back to the page the clerk came from,
    named inline boxes, and what the apps add through `extra_inlines`: evidence files) is
    added here once, as mixins of this class, never per model.
    """

    # A filtered changelist counts its own rows; an exact count of the whole table beside it
    # ("… of 1,000,000 total") is one more full scan per page on a big ledger.
    show_full_result_count = False


class CompactInline(admin.TabularInline):
    """A table of rows on a parent's page: long text fields as small boxes, so the rows fit
    the screen and a clerk can enter many in a row."""

    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 28})},
    }


class CarryOverMixin:
    """After "save and add another", the new form starts with the fields a clerk repeats
    through a run of records (the same day, kind, working group), from the record just saved.

    The values travel as the add page's query string, which Django's admin reads as initial
    data; nothing is saved until the clerk saves the new form.
    """

    carry_over: tuple[str, ...] = ()

    def response_add(self, request: HttpRequest, obj, post_url_continue=None) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" not in request.POST or response.status_code != 302:
            return response
        values = {}
        for name in self.carry_over:
            value = obj._meta.get_field(name).value_from_object(obj)
            if value not in (None, ""):
                values[name] = value.isoformat() if hasattr(value, "isoformat") else value
        if values:
            location = response["Location"]
            response["Location"] = location + ("&" if "?" in location else "?") + urlencode(values)
        return response


admin.site.site_header = _("aidledger administration")
admin.site.site_title = _("aidledger")
admin.site.index_title = _("Ledger data")
