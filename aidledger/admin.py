"""The team's admin: programmes, batches, bodies, members and their roles."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aidledger.filters import bodies
from aidledger.models import ONE_PER_BATCH, Batch, Body, Member, MemberRole, Programme
from ledger import permissions
from ledger.admin import NOT_YOUR_BODY, CompactInline, LedgerAdmin


class BodyChoicesMixin:
    """Body fields offer their choices labelled with the batch ("第二批 · 产业扶持组"),
    newest batch first, loaded in one query (aidledger.filters.bodies())."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.remote_field.model is Body and "queryset" not in kwargs:
            kwargs["queryset"] = bodies()
            # An editor files records under their own groups only (ledger.permissions).
            if not permissions.is_ledger_admin(request.user):
                kwargs["queryset"] = kwargs["queryset"].filter(
                    pk__in=permissions.editable_body_ids(request.user)
                )
                kwargs.setdefault("error_messages", {})["invalid_choice"] = NOT_YOUR_BODY % {
                    "bodies": permissions.editable_bodies_text(request.user)
                }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
