"""Claims paid through the shared payments machinery: a request on approval, the bank's answer back here."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy

from unionportal import payments
from unionportal.payments import selectors as payment_selectors
from unionportal.payments import services as payment_services
from unionportal.payments.models import PaymentRequest

from ..models import Claim
from . import flow as claim_flow

SOURCE = "mutualaid.claim"


def register() -> None:
    payments.register_source(
        SOURCE, label=gettext_lazy("Mutual-aid claim"), on_paid=claim_paid, on_failed=claim_unpaid,
        paid_among=claims_paid_among,
    )  # fmt: skip


def request_payment(claim: Claim) -> None:
    """Ask finance to pay an approved claim to the member's own card (called inside the approval)."""
    member = claim.member
    payment_services.payment_request_create(
        source=SOURCE, reference=claim.number, payee_name=member.name, payee_id_number=member.id_number,
        bank_name=claim.bank_name, account_number=claim.bank_account, amount=claim.benefit, org_path=claim.org_path,
    )  # fmt: skip


def claims_paid_among(references: list[str]) -> set[str]:
    """Of these claim numbers, the claims that are marked paid here (the nightly reconciliation asks)."""
    return set(Claim.objects.filter(number__in=references, status=Claim.Status.PAID).values_list("number", flat=True))


@transaction.atomic
def claim_paid(reference: str, paid_on: date, line, *, actor=None) -> None:
    """The bank paid: the claim is paid (once; a repeated result changes nothing) and the member is told.

    ``actor`` imported the bank's result file: the claim's history names them."""
    claim = Claim.objects.get(number=reference)
    claim_flow.claim_mark_paid(claim=claim, paid_on=paid_on, actor=actor)


@transaction.atomic
def claim_unpaid(reference: str, reason: str, line, *, actor=None) -> None:
    """The bank returned the payment: the claim stays approved; finance corrects the account and pays again."""
    claim = Claim.objects.select_for_update().get(number=reference)
    claim_flow.claim_payment_returned(claim=claim, reason=reason, attempt=line.pk, actor=actor)


def payment_failure(claim: Claim) -> str | None:
    """The bank's reason while the claim's payment stands returned (failed, account not yet corrected), else None.

    Read from the payment request itself, so the failure shows exactly as long as finance has not corrected the
    account: once a second person confirms the new account the request waits for a batch again (no failure), and
    once the bank pays the claim is paid. An empty reason from the bank still counts as a failure ("").
    """
    if claim.status != Claim.Status.APPROVED:
        return None
    request = payment_selectors.request_for(source=SOURCE, reference=claim.number)
    if request is None or request.status != PaymentRequest.Status.FAILED:
        return None
    return request.failure_reason
