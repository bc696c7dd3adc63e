"""Writes that carry the pairings ledger's rules across several rows."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pairings.models import NO_PAIRING, Exchange, ExchangePairing, Pairing


@transaction.atomic
def record_exchange(
    *, pairings: Iterable[Pairing], exchange: Exchange | None = None, **fields: Any
) -> Exchange:
    """Create (or update) an exchange and set the pairings it belongs to, all or nothing.

    An exchange without a pairing is refused: it would count nowhere in the ledger.
    """
    pairings = list(pairings)
    if not pairings:
        raise ValidationError({"pairings": NO_PAIRING})
    exchange = exchange or Exchange()
    for name, value in fields.items():
        setattr(exchange, name, value)
    exchange.full_clean()
    exchange.save()
    # Link by link through save() and delete(), not pairings.set(): the manager's bulk writes
    # would leave no change history of the links.
    wanted = {pairing.pk: pairing for pairing in pairings}
    for link in exchange.links.all():
        if wanted.pop(link.pairing_id, None) is None:
            link.delete()
    for pairing in wanted.values():
        ExchangePairing.objects.create(exchange=exchange, pairing=pairing)
    return exchange
