"""Writes that carry the money ledger's rules.

A funding line's disbursements may not add up to more than its planned amount. Two clerks
saving at once must not both pass that check, so the check runs with the funding line's row
locked (`SELECT … FOR UPDATE`) inside the transaction that saves: the second clerk waits for
the first to commit, then counts the first's disbursement. Every entry path (the admin's
disbursement form, the inline on a project, imports to come) saves through
`record_disbursement()`.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from projects.models import Disbursement, Funding, yuan
from projects.selectors import disbursed_total


def lock_funding(funding_id: int) -> Funding:
    """Lock a funding line's row until the current transaction ends (no-op on SQLite, whose
    writers are serialised anyway); returns the line as it is now."""
    return Funding.objects.select_for_update().get(pk=funding_id)


def overdraw_error(disbursement: Disbursement, *, also: tuple = ()) -> str | None:
    """The message refusing `disbursement` (plus unsaved `also` amounts on the same line) if
    it would take its funding line over plan, else None. Counts every other disbursement of
    the line, not the one being edited."""
    planned = Funding.objects.values_list("amount", flat=True).get(pk=disbursement.funding_id)
    others = disbursed_total(
        funding_id=disbursement.funding_id,
        exclude=[pk for pk in (disbursement.pk, *(d.pk for d in also)) if pk],
    )
    amount = disbursement.amount + sum((d.amount for d in also), start=0)
    total = others + amount
    if total <= planned:
        return None
    return _(
        "This disbursement of %(amount)s yuan would bring the total disbursed from this funding "
        "line to %(total)s yuan, over the planned %(planned)s yuan (%(remaining)s yuan remain)."
    ) % {
        "amount": yuan(amount),
        "total": yuan(total),
        "planned": yuan(planned),
        "remaining": yuan(planned - others),
    }


@transaction.atomic
def record_disbursement(disbursement: Disbursement) -> Disbursement:
    """Validate and save a new or changed disbursement with its funding line locked.

    Raises ValidationError (with the figures) when the line would be overdrawn, when the line
    belongs to another project, or on any other invalid field; nothing is saved then.
    """
    funding = lock_funding(disbursement.funding_id)
    if not disbursement.project_id:
        disbursement.project_id = funding.project_id
    disbursement.full_clean()
    disbursement.save()
    return disbursement
