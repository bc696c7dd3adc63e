"""FilterSets of the team's lists, and the batch and body filters every ledger's lists use."""

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aidledger import selectors
from aidledger.models import Batch, Body, Member, MemberRole, RoleKind
from ledger.filters import SearchFilter, choice_filter, date_filter
from ledger.lookups import LookupFilter

# `?role=none`: members without any role (the data-quality rule, summary.quality).
NO_ROLE = "none"


def batches() -> QuerySet[Batch]:
    """Batch choices, newest first."""
    return Batch.objects.order_by("-number", "pk")


def bodies(*, working_groups: bool = False) -> QuerySet[Body]:
    """Body choices, newest batch first; each label names its batch, loaded in the same query."""
    return Body.ordered(working_groups=working_groups)


def batch_filter(field_name: str | None = None, **kwargs: Any) -> LookupFilter:
    """A list's batch filter: the rows whose batch is at `field_name` (or those `method=`
    picks), the batch chosen in the batches' lookup."""
    return LookupFilter(lookup="batch", label=_("batch"), field_name=field_name, **kwargs)


def body_filter(
    label: Any, field_name: str | None = None, *, working_groups: bool = False, **kwargs: Any
) -> LookupFilter:
    """A list's filter on a body (a working group, with `working_groups`) at `field_name`
    (or as `method=` picks), chosen in the bodies' lookup."""
    lookup = "working-group" if working_groups else "body"
    return LookupFilter(lookup=lookup, label=label, field_name=field_name, **kwargs)


class MemberFilter(django_filters.FilterSet):
    q = SearchFilter(
        placeholder=_("name, unit or post"),
        fields=("name", "home_unit", "home_post", "posting_unit", "posting_post"),
    )
    batch = batch_filter("batch")
    body = body_filter(_("body"), method="filter_body")
    role = choice_filter(
        _("role"), [*RoleKind.choices, (NO_ROLE, _("no role"))], method="filter_role"
    )
    active_on = date_filter(_("active on"), method="filter_active_on")
    # In post at some time from one date to the other (the period of a data-quality check).
    in_post_from = date_filter(_("in post at some time from"), method="filter_in_post_from")
    in_post_until = date_filter(_("in post at some time until"), method="filter_in_post_until")
    mentoring_by = date_filter(_("mentoring by"), method="filter_mentoring_by")

    class Meta:
        model = Member
        fields = [
            "q",
            "batch",
            "body",
            "role",
            "active_on",
            "in_post_from",
            "in_post_until",
            "mentoring_by",
        ]

    def _has_role(self, **lookups) -> Exists:
        # One subquery for body and role together: "组长 of 产业扶持组" must be one role row,
        # and a member with several matching roles still appears once.
        return Exists(MemberRole.objects.filter(member=OuterRef("pk"), **lookups))

    def filter_body(self, queryset: QuerySet[Member], name: str, value: Body) -> QuerySet[Member]:
        lookups = {"body": value}
        if role := self.form.cleaned_data.get("role"):
            lookups["role"] = role
        return queryset.filter(self._has_role(**lookups))

    def filter_role(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        if value == NO_ROLE:
            return selectors.without_role(queryset)  # with a body too: no one is both
        if self.form.cleaned_data.get("body"):
            return queryset  # filter_body applies role and body together
        return queryset.filter(self._has_role(role=value))

    def filter_in_post_from(self, queryset: QuerySet[Member], name: str, value) -> QuerySet:
        return queryset.filter(selectors.in_post_from(value))

    def filter_in_post_until(self, queryset: QuerySet[Member], name: str, value) -> QuerySet:
        return queryset.filter(selectors.in_post_until(value))

    def filter_active_on(self, queryset: QuerySet[Member], name: str, value) -> QuerySet[Member]:
        return queryset.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=value),
            Q(active_until__isnull=True) | Q(active_until__gte=value),
        )

    def filter_mentoring_by(self, queryset: QuerySet[Member], name: str, value) -> QuerySet:
        """Members who had begun mentoring a cadre by that date (the summary's mentors)."""
        # pairings' Mentorship, reached through the relation it declares on Member: the team
        # app sits below the pairings app and does not import it.
        mentorship = Member._meta.get_field("mentorships").related_model
        started = mentorship.objects.filter(mentorship.started_by(value), mentor=OuterRef("pk"))
        return queryset.filter(Exists(started))
