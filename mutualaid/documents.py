"""Scans attached to claims: checked on the way in, served only through the claim's scoped view."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.org.scope import require_in_scope

from .models import Claim, ClaimDocument, Material

# What a scanner or a phone produces; the first bytes decide, not the file name.
SIGNATURES = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


@transaction.atomic
def claim_document_add(*, actor, claim: Claim, material: str, upload) -> ClaimDocument:
    require_in_scope(actor, claim.org_path)
    if material not in Material.values:
        raise ValidationError(_("Choose which material the file is."))
    if upload.size > settings.CLAIM_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.CLAIM_DOCUMENT_MAX_BYTES // 1_000_000}
        )
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(_("Only PDF, JPEG and PNG scans can be attached."))
    return ClaimDocument.objects.create(
        claim=claim, material=material, file=upload, original_name=upload.name[:200], content_type=kind,
        size=upload.size, uploaded_by=actor,
    )  # fmt: skip
