"""Factories for the pairings ledger."""

import datetime

import factory
from factory.django import DjangoModelFactory

from aidledger.models import Batch
from pairings.models import (
    Exchange,
    ExchangeKind,
    ExchangePairing,
    Mentorship,
    Pairing,
    Unit,
    UnitKind,
    UnitSide,
)
from tests.factories.team import BodyFactory, MemberFactory, ProgrammeFactory

__all__ = [
    "ExchangeFactory",
    "ExchangePairingFactory",
    "MentorshipFactory",
    "PairingFactory",
    "UnitFactory",
    "create_pairings_ledger",
]


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    programme = factory.SubFactory(ProgrammeFactory)
    side = UnitSide.HELPER
    kind = UnitKind.DEPARTMENT
    name = factory.Sequence(lambda n: f"单位{n:04d}")


class PairingFactory(DjangoModelFactory):
    """A helper-side unit paired with a helped-side unit of the same programme; the
    responsible working group belongs to a batch of that programme."""

    class Meta:
        model = Pairing

    helper = factory.SubFactory(UnitFactory, side=UnitSide.HELPER)
    helped = factory.SubFactory(
        UnitFactory,
        side=UnitSide.HELPED,
        kind=factory.SelfAttribute("..helper.kind"),
        programme=factory.SelfAttribute("..helper.programme"),
    )
    responsible_body = factory.SubFactory(
        BodyFactory, batch__programme=factory.SelfAttribute("...helper.programme")
    )
    signed_on = datetime.date(2023, 8, 1)
    agreement = "结对帮扶协议"


class ExchangeFactory(DjangoModelFactory):
    """An exchange under one new pairing (or the `pairings=[...]` given)."""

    class Meta:
        model = Exchange
        skip_postgeneration_save = True

    date = datetime.date(2024, 3, 1)
    title = factory.Sequence(lambda n: f"互动交流{n:04d}")
    kind = ExchangeKind.VISIT
    lead_body = factory.SubFactory(BodyFactory)
    participants = 10

    @factory.post_generation
    def pairings(self, create: bool, extracted, **kwargs) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [
                PairingFactory(
                    helper__programme=self.lead_body.batch.programme,
                    responsible_body=self.lead_body,
                )
            ]
        # Linked in the order given (the lists show an exchange's pairings in the order they
        # were linked); `set()` would bulk-create them in a set's order, which on PostgreSQL
        # follows the ids. Like `set()`, a factory's links leave no history rows.
        ExchangePairing.objects.bulk_create(
            ExchangePairing(exchange=self, pairing=pairing) for pairing in extracted
        )


class ExchangePairingFactory(DjangoModelFactory):
    class Meta:
        model = ExchangePairing

    exchange = factory.SubFactory(ExchangeFactory, pairings=[])
    pairing = factory.SubFactory(PairingFactory)


class MentorshipFactory(DjangoModelFactory):
    class Meta:
        model = Mentorship

    mentor = factory.SubFactory(MemberFactory)
    mentee_name = factory.Sequence(lambda n: f"干部{n:04d}")
    mentee_unit = factory.SubFactory(
        UnitFactory,
        side=UnitSide.HELPED,
        programme=factory.SelfAttribute("..mentor.batch.programme"),
    )
    mentee_post = "科员"
    start_date = datetime.date(2023, 9, 1)


def create_pairings_ledger(*, batch: Batch, pairings: int, exchanges: int, mentorships: int):
    """Many rows fast (bulk_create): `pairings` pairings of `batch`'s programme, `exchanges`
    exchanges each under two of them, `mentorships` mentorships by one member of `batch`."""
    programme = batch.programme
    body = BodyFactory(batch=batch)
    start = Unit.objects.count()
    kinds = list(UnitKind)
    helpers = Unit.objects.bulk_create(
        Unit(programme=programme, side=UnitSide.HELPER, kind=kinds[i % 4], name=f"帮扶单位{i}")
        for i in range(start, start + pairings)
    )
    helped = Unit.objects.bulk_create(
        Unit(programme=programme, side=UnitSide.HELPED, kind=kinds[i % 4], name=f"受帮扶单位{i}")
        for i in range(start, start + pairings)
    )
    made = Pairing.objects.bulk_create(
        Pairing(
            programme=programme,
            helper=a,
            helped=b,
            category=a.kind,
            responsible_body=body,
            signed_on=datetime.date(2023, 8, 1),
        )
        for a, b in zip(helpers, helped, strict=True)
    )
    events = Exchange.objects.bulk_create(
        Exchange(
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 200),
            title=f"批量交流{start + i}",
            kind=ExchangeKind.VISIT,
            lead_body=body,
            participants=i,
        )
        for i in range(exchanges)
    )
    ExchangePairing.objects.bulk_create(
        ExchangePairing(exchange=event, pairing=made[(i + step) % len(made)])
        for i, event in enumerate(events)
        for step in (0, 1)
    )
    mentor = MemberFactory(batch=batch)
    Mentorship.objects.bulk_create(
        Mentorship(
            mentor=mentor,
            mentee_name=f"批量干部{start + i}",
            mentee_unit=helped[i % len(helped)],
            start_date=datetime.date(2023, 9, 1),
        )
        for i in range(mentorships)
    )
    return body
