"""Writes that carry the money ledger's rules.

A funding line's disbursements may not add up to more than its planned amount. Two clerks
saving at once must not both pass that check, so the check runs with the funding lines' rows
locked (`SELECT … FOR UPDATE`) inside the transaction that saves: the second clerk waits for
the first to commit, then counts the first's disbursements. Every entry path (the admin's
disbursement form, the inline on a project, the demo, imports to come) saves through
`record_disbursements()`.

The check is over everything one save does at once, not row by row: a clerk who deletes a
wrong entry and types the right one, or moves a payment from one line to another, in the same
save, is checked against the ledger as it will be after that save.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ledger import history, validation
from ledger.fields import yuan
from projects.models import Disbursement, Funding
from projects.selectors import disbursed_totals


def lock_fundings(funding_ids: Iterable[int | None]) -> dict[int, Funding]:
    """Lock funding lines' rows until the current transaction ends (no-op on SQLite, whose
    writers are serialised anyway), in key order so two saves never wait on each other in a
    circle; returns the lines as they are now."""
    ids = sorted({pk for pk in funding_ids if pk})
    return {f.pk: f for f in Funding.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def overdraw_errors(
    *,
    saving: Sequence[Disbursement],
    deleting: Sequence[Disbursement] = (),
    planned: Mapping[int, Decimal] | None = None,
) -> dict[int, str]:
    """For each funding line that `saving` draws on, the message refusing the save if, once
    `saving` is saved and `deleting` deleted, the line would be paid beyond its plan.

    `planned` gives the planned amount of lines whose plan changes in the same save; other
    lines are read from the database. Counts the line's other disbursements, not the ones
    being saved or deleted (their stored amounts are about to change).
    """
    touched = [d.pk for d in (*saving, *deleting) if d.pk]
    by_line: dict[int, list[Disbursement]] = defaultdict(list)
    for disbursement in saving:
        if disbursement.funding_id and disbursement.amount is not None:
            by_line[disbursement.funding_id].append(disbursement)
    plans = dict(Funding.objects.filter(pk__in=by_line).values_list("pk", "amount"))
    plans |= {pk: amount for pk, amount in (planned or {}).items() if pk in plans}
    # Every line's other disbursements in one query (two with `touched`), not one per line.
    paid = disbursed_totals(funding_ids=by_line, exclude=touched)
    errors = {}
    for funding_id, rows in sorted(by_line.items()):
        others = paid[funding_id]
        amount = sum((d.amount for d in rows), start=Decimal("0.00"))
        total = others + amount
        if total > plans[funding_id]:
            errors[funding_id] = _(
                "This disbursement of %(amount)s yuan would bring the total disbursed from this "
                "funding line to %(total)s yuan, over the planned %(planned)s yuan "
                "(%(remaining)s yuan remain)."
            ) % {
                "amount": yuan(amount),
                "total": yuan(total),
                "planned": yuan(plans[funding_id]),
                "remaining": yuan(plans[funding_id] - others),
            }
    return errors


@transaction.atomic
def record_disbursements(
    *,
    saving: Sequence[Disbursement],
    deleting: Sequence[Disbursement] = (),
    cleaned: bool = False,
) -> None:
    """Validate and save new or changed disbursements, and delete `deleting`, with their
    funding lines locked, checking the lines as they will be after the whole save.

    Raises ValidationError (with the figures) when a line would be overdrawn, when a line
    belongs to another project than its disbursement, or on any other invalid field; nothing
    is saved or deleted then. `cleaned`: the caller has just full_clean()ed every one of
    `saving` (an import's check of its rows); the lines are still checked here, locked.
    """
    lines = lock_fundings(d.funding_id for d in saving)
    for disbursement in saving:
        if not disbursement.project_id and disbursement.funding_id in lines:
            disbursement.project_id = lines[disbursement.funding_id].project_id
        if not cleaned:
            validation.full_clean(disbursement)  # full_clean(), without a query per row
    if errors := overdraw_errors(saving=saving, deleting=deleting):
        raise ValidationError({"amount": list(errors.values())})
    for disbursement in deleting:
        disbursement.delete()
    history.save_records(saving)  # new ones inserted many at a time, with their history


def record_disbursement(disbursement: Disbursement) -> Disbursement:
    """Validate and save one new or changed disbursement (see `record_disbursements()`)."""
    record_disbursements(saving=[disbursement])
    return disbursement
