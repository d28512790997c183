"""Claims paid through the shared payments machinery: a request on approval, the bank's answer back here."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal import payments
from unionportal.org.paths import county_of
from unionportal.payments import services as payment_services

from . import notices
from .models import Claim, ClaimEvent

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
def claim_paid(reference: str, paid_on: date, line) -> None:
    """The bank paid: the claim is paid (once; a repeated result changes nothing) and the member is told."""
    claim = Claim.objects.select_for_update().select_related("member").get(number=reference)
    if claim.status == Claim.Status.PAID:
        return
    claim.status, claim.paid_on = Claim.Status.PAID, paid_on
    claim.counted_in_county = county_of(claim.org_path)
    claim.save(update_fields=["status", "paid_on", "counted_in_county"])
    ClaimEvent.objects.create(claim=claim, from_status=Claim.Status.APPROVED, to_status=Claim.Status.PAID)
    notices.tell_member(claim, "paid")


@transaction.atomic
def claim_unpaid(reference: str, reason: str, line) -> None:
    """The bank returned the payment: the claim stays approved; finance corrects the account and pays again."""
    claim = Claim.objects.select_for_update().get(number=reference)
    ClaimEvent.objects.create(
        claim=claim, from_status=claim.status, to_status=claim.status,
        note=(_("Payment returned by the bank: %(reason)s") % {"reason": reason})[:300],
    )  # fmt: skip
