from collections.abc import Mapping
from types import MappingProxyType

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Count, Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from aidledger.admin import BodyChoicesMixin, BodyListFilter
from aidledger.models import Programme
from ledger.admin import CarryOverMixin, LedgerAdmin
from pairings.models import (
    NEGATIVE_PARTICIPANTS,
    NEGATIVE_TECHNIQUES,
    NO_PAIRING,
    Exchange,
    ExchangePairing,
    Mentorship,
    Pairing,
    Unit,
    UnitSide,
)

LAST_PAIRING = _(
    "%(exchange)s has no other pairing; an exchange must belong to at least one pairing. "
    "Link it to another pairing first, or delete the exchange."
)

# Which side a unit autocomplete offers, by the field it fills: (model, field) → side.
AUTOCOMPLETE_SIDES = {
    ("pairing", "helper"): UnitSide.HELPER,
    ("pairing", "helped"): UnitSide.HELPED,
    ("mentorship", "mentee_unit"): UnitSide.HELPED,
}


def titled(title) -> type[admin.ChoicesFieldListFilter]:
    """The admin's choices filter under `title`: a field reached through a relation would be
    titled by its own name (the pairing's 类别 beside the exchange's own 类型)."""

    class TitledChoicesFilter(admin.ChoicesFieldListFilter):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledChoicesFilter


@admin.register(Unit)
class UnitAdmin(CarryOverMixin, LedgerAdmin):
    carry_over = ("programme", "side", "kind", "area")
    list_display = ["name", "side", "kind", "area", "contact_person", "phone", "programme"]
    list_filter = ["side", "kind", "programme"]
    list_select_related = ["programme"]
    search_fields = ["name", "area", "contact_person"]
    fields = ["programme", "side", "kind", "name", "area", "contact_person", "phone", "notes"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        # One programme is the usual case: spare the clerk choosing it fifty times.
        programmes = list(Programme.objects.values_list("pk", flat=True)[:2])
        if len(programmes) == 1:
            initial.setdefault("programme", programmes[0])
        return initial

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        side = AUTOCOMPLETE_SIDES.get(
            (request.GET.get("model_name"), request.GET.get("field_name"))
        )
        if side and request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(side=side)
        return queryset, may_have_duplicates


class LoadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that labels its selected record from `loaded` (pk → record) when the
    record is there, instead of querying for it: Django's widget runs one query per inline row,
    plus the label's own (a pairing's two units), so an exchange under 28 pairings cost 90."""

    loaded: Mapping[str, Model] = MappingProxyType({})

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not selected or any(pk not in self.loaded for pk in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for pk in selected:
            label = self.choices.field.label_from_instance(self.loaded[pk])
            options.append(self.create_option(name, pk, label, True, len(options)))
        return [(None, options, 0)]


class LinkFormSet(BaseInlineFormSet):
    """Exchange ↔ pairing links, one per row: every row's autocomplete shows the record the
    inline's queryset already loaded (with select_related), in no further query."""

    shown_field: str

    @cached_property
    def loaded(self) -> dict[str, Model]:
        return {
            str(getattr(link, f"{self.shown_field}_id")): getattr(link, self.shown_field)
            for link in self.get_queryset()
        }

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        widget = form.fields[self.shown_field].widget
        widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
        if isinstance(widget, LoadedAutocompleteSelect):
            widget.loaded = self.loaded


class LinkInline(admin.TabularInline):
    """An inline of exchange ↔ pairing links whose one field is an autocomplete."""

    model = ExchangePairing
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = LoadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ExchangeLinkFormSet(LinkFormSet):
    """On a pairing: unlinking an exchange must not leave it without any pairing.

    The error is the formset's own: Django ignores the errors of a form marked for deletion.
    """

    shown_field = "exchange"

    def clean(self) -> None:
        super().clean()
        errors = []
        for form in self.initial_forms:
            data = getattr(form, "cleaned_data", None) or {}
            original = form.instance
            if not original.pk:
                continue
            if not (data.get("DELETE") or data.get("exchange") != original.exchange):
                continue
            others = ExchangePairing.objects.filter(exchange_id=original.exchange_id).exclude(
                pk=original.pk
            )
            if not others.exists():
                errors.append(LAST_PAIRING % {"exchange": original.exchange})
        if errors:
            raise ValidationError(errors)


class ExchangeLinkInline(LinkInline):
    formset = ExchangeLinkFormSet
    fields = ["exchange"]
    autocomplete_fields = ["exchange"]
    verbose_name = _("exchange")
    verbose_name_plural = _("exchanges under this pairing")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangePairing]:
        # Each row's label is its pairing (both units); the exchange fills the autocomplete.
        return (
            super()
            .get_queryset(request)
            .select_related("exchange", "pairing__helper", "pairing__helped")
        )


@admin.register(Pairing)
class PairingAdmin(BodyChoicesMixin, CarryOverMixin, LedgerAdmin):
    carry_over = ("signed_on", "agreement", "responsible_body")
    list_display = [
        "helper",
        "helped",
        "category",
        "signed_on",
        "agreement",
        "responsible_body",
        "status",
        "ended_on",
    ]
    list_filter = [
        "category",
        "status",
        "responsible_body__batch",
        ("responsible_body", BodyListFilter),
    ]
    list_select_related = ["helper", "helped", "responsible_body__batch"]
    search_fields = ["helper__name", "helped__name", "agreement"]
    autocomplete_fields = ["helper", "helped"]
    date_hierarchy = "signed_on"
    readonly_fields = ["category", "programme"]
    fieldsets = [
        (None, {"fields": ["helper", "helped", "category", "programme"]}),
        (
            _("Agreement"),
            {"fields": ["signed_on", "agreement", "responsible_body", "status", "ended_on"]},
        ),
        (None, {"fields": ["notes"]}),
    ]
    inlines = [ExchangeLinkInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pairing]:
        # Also the autocomplete's queryset: a pairing's label names both units. The changelist
        # ignores list_select_related once the queryset has a select_related, so name all here.
        return super().get_queryset(request).select_related(*self.list_select_related)


class PairingLinkFormSet(LinkFormSet):
    """On an exchange: at least one pairing, counted over the rows that stay."""

    shown_field = "pairing"

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("pairing")
            and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError(NO_PAIRING)


class PairingLinkInline(LinkInline):
    formset = PairingLinkFormSet
    fields = ["pairing"]
    autocomplete_fields = ["pairing"]
    min_num = 1
    verbose_name = _("pairing")
    verbose_name_plural = _("pairings this exchange belongs to")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangePairing]:
        return super().get_queryset(request).select_related("pairing__helper", "pairing__helped")


class ExchangeForm(forms.ModelForm):
    """Counts refuse negatives with the ledger's own words, not the generic "≥ 0" message."""

    COUNTS = {"participants": NEGATIVE_PARTICIPANTS, "new_techniques": NEGATIVE_TECHNIQUES}

    class Meta:
        model = Exchange
        fields = [
            "date",
            "title",
            "kind",
            "place",
            "participants",
            "lead_body",
            "new_techniques",
            "outcome",
            "notes",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, message in self.COUNTS.items():
            field = self.fields.get(name)
            if field is None:
                continue  # a read-only page (a reader, or another group's editor) has no inputs
            field.validators = [
                validator
                for validator in field.validators
                if not isinstance(validator, MinValueValidator)
            ] + [MinValueValidator(0, message=message)]


@admin.register(Exchange)
class ExchangeAdmin(BodyChoicesMixin, CarryOverMixin, LedgerAdmin):
    carry_over = ("date", "kind", "place", "lead_body")
    form = ExchangeForm
    list_display = [
        "date",
        "title",
        "kind",
        "place",
        "participants",
        "lead_body",
        "new_techniques",
        "pairing_count",
    ]
    list_filter = [
        "kind",
        ("pairings__category", titled(_("pairing category"))),
        "lead_body__batch",
        ("lead_body", BodyListFilter),
    ]
    list_select_related = ["lead_body__batch"]
    search_fields = ["title", "place", "outcome"]
    date_hierarchy = "date"
    # Explicit: the pairing count's GROUP BY drops Meta.ordering, and the autocomplete that
    # links an exchange to a pairing would page through the matches in no stable order.
    ordering = ["-date", "pk"]
    fields = ExchangeForm.Meta.fields
    inlines = [PairingLinkInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exchange]:
        return super().get_queryset(request).annotate(pairing_count=Count("links", distinct=True))

    @admin.display(description=_("pairings"), ordering="pairing_count")
    def pairing_count(self, exchange: Exchange) -> int:
        return exchange.pairing_count


@admin.register(Mentorship)
class MentorshipAdmin(CarryOverMixin, LedgerAdmin):
    carry_over = ("mentor", "mentee_unit", "start_date")
    list_display = [
        "mentor",
        "mentee_name",
        "mentee_unit",
        "mentee_post",
        "start_date",
        "end_date",
    ]
    list_filter = ["mentor__batch", ("mentee_unit__kind", titled(_("kind of unit")))]
    list_select_related = ["mentor", "mentee_unit"]
    search_fields = ["mentor__name", "mentee_name", "mentee_unit__name", "mentee_post"]
    autocomplete_fields = ["mentor", "mentee_unit"]
    date_hierarchy = "start_date"
    fields = [
        "mentor",
        "mentee_name",
        "mentee_unit",
        "mentee_post",
        "start_date",
        "end_date",
        "goals",
        "outcome",
        "notes",
    ]
