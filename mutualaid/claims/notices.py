"""What a member is told about a claim, through the shared notification outbox (SMS by default)."""

from django.utils.translation import gettext_lazy as _

from unionportal.notifications import notice_enqueue, register_kind

from ..models import Claim, material_labels

KINDS = {
    "accepted": (_("Claim accepted"), _(
        "[Union mutual aid] Your claim %(number)s was accepted on %(date)s; it will be paid by %(due)s.")),
    "received": (_("Claim received, materials missing"), _(
        "[Union mutual aid] Your claim %(number)s was received. Please bring: %(missing)s.")),
    "returned": (_("Claim returned for materials"), _(
        "[Union mutual aid] Your claim %(number)s needs more materials: %(missing)s.")),
    "approved": (_("Claim approved"), _(
        "[Union mutual aid] Your claim %(number)s was approved: %(amount)s yuan to your bank card.")),
    "paid": (_("Claim paid"), _(
        "[Union mutual aid] %(amount)s yuan for your claim %(number)s was paid to your bank card on %(date)s.")),
    "payment_failed": (_("Claim payment failed"), _(
        "[Union mutual aid] The bank could not pay your claim %(number)s (%(reason)s). Please bring your bank card "
        "to your union's service counter to correct the account.")),
    "rejected": (_("Claim rejected"), _(
        "[Union mutual aid] Your claim %(number)s cannot be paid: %(reason)s. Ask your union for details.")),
    "withdrawn": (_("Claim withdrawn"), _(
        "[Union mutual aid] Your claim %(number)s was withdrawn: %(reason)s. Ask your union if you did not ask.")),
}  # fmt: skip


def register() -> None:
    for kind, (title, text) in KINDS.items():
        register_kind(f"claim.{kind}", title=title, text=text)


def tell_member(
    claim: Claim, kind: str, *, missing: list[str] | None = None, reason: str = "", attempt: int | None = None
) -> None:
    """Queue the notice for this step of the claim; the same step never sends twice (dedupe key).

    ``attempt`` keys a notice on something other than the claim's history: a failed payment is keyed on the
    bank-file line (one notice per payment attempt). The key holds ids only, never an account number.
    """
    member = claim.member
    if not member.phone:
        return
    # a claim can be returned twice: each return is its own notice
    step = f"line{attempt}" if attempt is not None else claim.events.count()
    context = {
        "number": claim.number,
        "date": claim.paid_on or (claim.accepted_at.date() if claim.accepted_at else claim.received_at.date()),
        "due": claim.due_on or "",
        "amount": claim.benefit if claim.benefit is not None else "",
        "missing": "、".join(material_labels(missing or [])),
        "reason": reason or claim.get_rejection_display(),
    }
    notice_enqueue(
        f"claim.{kind}", f"claim:{claim.pk}:{kind}:{step}", sms_to=member.phone, context=context,
        member_ref=member, organisation=claim.org_path,
    )  # fmt: skip
