from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from aidledger.filters import bodies
from aidledger.import_views import ImportAdminMixin
from aidledger.models import ONE_PER_BATCH, Batch, Body, Member, MemberRole, Programme


class LedgerAdmin(ImportAdminMixin, admin.ModelAdmin):
    """The base of every model admin in the ledger.

    Behaviour that every ledger admin shares (who may change which record, change history,
    protection against lost updates, evidence files, import) is added here once, as mixins
    of this class, never per model.
    """


class CompactInline(admin.TabularInline):
    """A table of rows on a parent's page: long text fields as small boxes, so the rows fit
    the screen and a clerk can enter many in a row."""

    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 28})},
    }


class BodyChoicesMixin:
    """Body fields offer their choices labelled with the batch ("第二批 · 产业扶持组"),
    newest batch first, loaded in one query (aidledger.filters.bodies())."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.remote_field.model is Body and "queryset" not in kwargs:
            kwargs["queryset"] = bodies()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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


@admin.register(Programme)
class ProgrammeAdmin(LedgerAdmin):
    list_display = ["name", "helper_place", "helped_place", "plan_start", "plan_end"]
    search_fields = ["name", "helper_place", "helped_place"]


class BodyFormSet(BaseInlineFormSet):
    """At most one command post and one party branch per batch, checked across the forms.

    The batch's constraints cannot catch this in an inline: Django leaves the batch out of each
    form's constraint checks and its formset check ignores conditional constraints.
    """

    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            kind = data.get("kind")
            if data.get("DELETE") or kind not in ONE_PER_BATCH:
                continue
            if kind in seen:
                form.add_error("kind", ONE_PER_BATCH[kind])
            seen.add(kind)


class BodyInline(CompactInline):
    model = Body
    formset = BodyFormSet
    fields = ["kind", "name", "position", "duties"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Body]:
        return super().get_queryset(request).select_related("batch")


@admin.register(Batch)
class BatchAdmin(LedgerAdmin):
    list_display = ["name", "number", "programme", "start_date", "end_date", "leader"]
    list_filter = ["programme"]
    list_select_related = ["programme", "leader"]
    search_fields = ["name", "programme__name"]
    autocomplete_fields = ["programme", "leader"]
    inlines = [BodyInline]


@admin.register(Body)
class BodyAdmin(LedgerAdmin):
    list_display = ["name", "kind", "batch", "position", "member_count"]
    list_filter = ["kind", "batch"]
    list_select_related = ["batch"]
    search_fields = ["name", "batch__name"]
    autocomplete_fields = ["batch"]
    # Explicit: the member count's GROUP BY drops Meta.ordering (changelist and autocomplete).
    ordering = ["-batch__number", "position", "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Body]:
        # Also the autocomplete's queryset: its labels name the batch.
        return (
            super()
            .get_queryset(request)
            .select_related("batch")
            .annotate(member_count=Count("roles"))
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, body: Body) -> int:
        return body.member_count


class RoleFormSet(BaseInlineFormSet):
    """A role's body must belong to the member's batch, also while the member is new
    (the model's own clean() cannot see an unsaved member's batch)."""

    def clean(self) -> None:
        super().clean()
        batch_id = self.instance.batch_id
        for form in self.forms:
            body = form.cleaned_data.get("body") if hasattr(form, "cleaned_data") else None
            if body and not form.cleaned_data.get("DELETE") and body.batch_id != batch_id:
                form.add_error(
                    "body", ValidationError(_("The body belongs to another batch than the member."))
                )


class MemberRoleInline(BodyChoicesMixin, admin.TabularInline):
    model = MemberRole
    formset = RoleFormSet
    fields = ["body", "role"]
    autocomplete_fields = ["body"]
    extra = 1


class BodyListFilter(admin.RelatedFieldListFilter):
    """Bodies labelled with their batch, loaded in one query."""

    def field_choices(self, field, request, model_admin):
        return [(body.pk, str(body)) for body in bodies()]


@admin.register(Member)
class MemberAdmin(LedgerAdmin):
    list_display = [
        "name",
        "batch",
        "home_unit",
        "home_post",
        "posting_unit",
        "posting_post",
        "phone",
        "user",
    ]
    list_filter = ["batch", ("roles__body", BodyListFilter), "roles__role"]
    list_select_related = ["batch", "user"]
    search_fields = ["name", "home_unit", "home_post", "posting_unit", "posting_post", "phone"]
    autocomplete_fields = ["batch", "user"]
    fieldsets = [
        (None, {"fields": ["batch", "name", "phone", "user"]}),
        (_("Home unit in the helper place"), {"fields": ["home_unit", "home_post"]}),
        (_("Posting in the helped place"), {"fields": ["posting_unit", "posting_post"]}),
        (None, {"fields": ["active_from", "active_until", "notes"]}),
    ]
    inlines = [MemberRoleInline]
