"""The pairings ledger's pages: units, pairings, exchanges and mentorships, a pairing's page."""

from typing import Any

import django_filters
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Prefetch, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aidledger.models import Batch
from ledger.listing import Column, LedgerListView, Total
from ledger.records import Field, RecordDetailView
from pairings import selectors
from pairings.filters import ExchangeFilter, MentorshipFilter, PairingFilter, UnitFilter
from pairings.models import (
    Exchange,
    ExchangeKind,
    Mentorship,
    Pairing,
    PairingStatus,
    Unit,
    UnitKind,
    UnitSide,
)


class UnitListView(LedgerListView):
    title = _("Units")
    filterset_class = UnitFilter
    default_sort = "side"
    columns = (
        Column("name", sort=True, link=True),
        Column("side", sort=True, choices=UnitSide),
        Column("kind", sort=True, choices=UnitKind),
        Column("area", sort=True),
        Column("contact_person"),
        Column("phone"),
        Column(
            lambda unit: unit.helper_count + unit.helped_count,
            _("pairings"),
            key="pairings",
            sort=ExpressionWrapper(
                F("helper_count") + F("helped_count"), output_field=IntegerField()
            ),
            kind="number",
        ),
        Column("mentorship_count", _("mentorships"), key="mentorships", sort=True),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Unit]:
        return selectors.unit_list()


class PairingListView(LedgerListView):
    title = _("Pairings")
    filterset_class = PairingFilter
    template_name = "pairings/pairing_list.html"
    default_sort = "category"
    columns = (
        Column("helper.name", sort=True, link=True),
        Column("helped.name", sort=True),
        Column("category", sort=True, choices=UnitKind),
        Column("signed_on", sort=True),
        Column("agreement", sort=True),
        Column("responsible_body.name", key="body", sort="responsible_body__position"),
        Column("responsible_body.batch.name", sort="responsible_body__batch__number"),
        Column("status", sort=True, choices=PairingStatus),
        Column("ended_on", sort=True),
        Column("exchange_count", _("exchanges"), key="exchanges", sort=True),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Pairing]:
        return selectors.pairing_list()

    def extra_context(self, filterset: django_filters.FilterSet) -> dict[str, Any]:
        # The category counts answer "how many of each", under every other filter set.
        others = filterset.data.copy()
        others.pop("category", None)
        counts = PairingFilter(others, queryset=Pairing.objects.all(), request=self.request)
        cleaned = filterset.form.cleaned_data
        return {
            "categories": selectors.category_counts(counts.qs) if counts.is_valid() else [],
            "category": cleaned.get("category") or "",
            "exchanges_link": exchanges_link(
                category=cleaned.get("category") or "",
                unit=cleaned.get("unit"),
                batch=cleaned.get("batch"),
            ),
        }


def exchanges_link(*, category: str, unit: Unit | None, batch: Batch | None) -> tuple[str, str]:
    """(url, text) of the exchanges of the pairings a filter picked (by category or unit),
    held by the same batch's team."""
    params: dict[str, Any] = {}
    parts = []
    if batch:
        params["batch"] = batch.pk
        parts.append(batch.name)
    if category:
        params["category"] = category
        parts.append(str(UnitKind(category).label))
    if unit:
        params["unit"] = unit.pk
        parts.append(unit.name)
    url = reverse("exchanges") + (f"?{urlencode(params)}" if params else "")
    if not parts:
        return url, gettext("All exchanges")
    return url, gettext("Exchanges under these pairings (%(which)s)") % {"which": " · ".join(parts)}


def _pairing_names(exchange: Exchange) -> list[str]:
    return [str(pairing) for pairing in exchange.pairing_list]


class ExchangeListView(LedgerListView):
    title = _("Exchanges")
    filterset_class = ExchangeFilter
    default_sort = "-date"
    columns = (
        Column("date", sort=True),
        # Titles are long sentences: two lines on the page, all of it on hover.
        Column("title", sort=True, kind="longtext", link=True),
        Column("kind", sort=True, choices=ExchangeKind),
        Column(_pairing_names, _("pairings"), key="pairings", kind="list"),
        Column("place", sort=True),
        Column("participants", sort=True),
        Column("lead_body.name", sort="lead_body__position"),
        Column("lead_body.batch.name", sort="lead_body__batch__number"),
        Column("new_techniques", sort=True),
        Column("outcome"),
        Column("notes"),
    )

    # "Hospitals introduced 3 new techniques": the figure a reader asks of the filtered rows.
    totals = (
        Total("participants", _("participants"), Sum("participants"), kind="number"),
        Total(
            "new_techniques",
            _("new techniques or projects"),
            Sum("new_techniques"),
            kind="number",
        ),
    )

    def get_queryset(self) -> QuerySet[Exchange]:
        return selectors.exchange_list()

    def load_related(self, objects: list[Exchange]) -> None:
        selectors.attach_pairings(objects)


class MentorshipListView(LedgerListView):
    title = _("Mentorships")
    filterset_class = MentorshipFilter
    default_sort = "mentor"
    # "30 members mentor 54 cadres": the mentors behind the filtered rows.
    totals = (
        Total("mentors", _("mentors"), Count("mentor", distinct=True), kind="number"),
        Total("mentees", _("mentees"), selectors.distinct_mentees(), kind="number"),
    )
    columns = (
        # The pair's own page from the mentor, whom a clerk looks for first (it links on to
        # the member).
        Column("mentor.name", sort=True, link=True),
        Column("mentor.batch.name", sort="mentor__batch__number"),
        Column("mentee_name", key="mentee", sort=True),
        Column("mentee_unit.name", sort=True),
        Column("mentee_post"),
        Column("start_date", sort=True),
        Column("end_date", sort=True),
        Column("goals"),
        Column("outcome"),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Mentorship]:
        return selectors.mentorship_list()


def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.pairing_detail(pk)
    if detail is None:
        raise Http404
    pairing, programme = detail.pairing, detail.pairing.programme
    context = {
        "pairing": pairing,
        "units": [
            (_("Helper unit"), pairing.helper, programme.helper_place),
            (_("Helped unit"), pairing.helped, programme.helped_place),
        ],
        "exchanges": detail.exchanges,
        "mentorships": detail.mentorships,
    }
    return render(request, "pairings/pairing_detail.html", context)


class ExchangeDetailView(RecordDetailView):
    model = Exchange
    list_url_name = "exchanges"
    fields = (
        "date",
        "title",
        "kind",
        "pairings",
        "place",
        "participants",
        "lead_body",
        "new_techniques",
        "outcome",
        "notes",
    )

    def get_queryset(self) -> QuerySet[Exchange]:
        return selectors.exchange_list().prefetch_related(
            Prefetch("pairings", queryset=Pairing.objects.select_related("helper", "helped"))
        )


class MentorshipDetailView(RecordDetailView):
    model = Mentorship
    list_url_name = "mentorships"
    fields = (
        "mentor",
        Field("mentor.batch", _("batch")),
        "mentee_name",
        "mentee_unit",
        "mentee_post",
        "start_date",
        "end_date",
        "goals",
        "outcome",
        "notes",
    )

    def get_queryset(self) -> QuerySet[Mentorship]:
        return selectors.mentorship_list()
