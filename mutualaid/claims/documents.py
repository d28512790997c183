"""Scans attached to claims: checked on the way in (``core.uploads``), served only through the claim's scoped view."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.uploads import check_scan
from unionportal.org.scope import require_in_scope

from ..models import Claim, ClaimDocument, Material


@transaction.atomic
def claim_document_add(*, actor, claim: Claim, material: str, upload) -> ClaimDocument:
    require_in_scope(actor, claim.org_path)
    if material not in Material.values:
        raise ValidationError(_("Choose which material the file is."))
    kind = check_scan(upload, max_bytes=settings.CLAIM_DOCUMENT_MAX_BYTES)
    return ClaimDocument.objects.create(
        claim=claim, material=material, file=upload, original_name=upload.name[:200], content_type=kind,
        size=upload.size, uploaded_by=actor,
    )  # fmt: skip
