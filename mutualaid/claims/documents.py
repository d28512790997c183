"""Scans attached to claims: checked on the way in, served only through the claim's scoped view."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

from unionportal.org.scope import require_in_scope

from ..models import Claim, ClaimDocument, Material

# What a scanner or a phone produces; the first bytes decide, not the file name.
SIGNATURES = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


def opens_as(upload, kind: str) -> bool:
    """Whether the file really is what its first bytes claim: ``%PDF`` in front of an HTML page is not a PDF.

    A PDF must parse to a document with at least one page (pypdf, tolerant of scanners' small faults); an image
    must pass Pillow's ``verify()`` as the format its signature names. Reads the file and rewinds it.
    """
    upload.seek(0)
    try:
        if kind == "application/pdf":
            reader = PdfReader(upload, strict=False)
            return len(reader.pages) > 0
        with Image.open(upload) as image:
            image.verify()
            return Image.MIME.get(image.format) == kind
    except Exception:  # noqa: BLE001 - any failure to parse means "not a scan", whatever the library raised
        return False
    finally:
        upload.seek(0)


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
    if kind is None or not opens_as(upload, kind):
        raise ValidationError(_("Only PDF, JPEG and PNG scans can be attached."))
    return ClaimDocument.objects.create(
        claim=claim, material=material, file=upload, original_name=upload.name[:200], content_type=kind,
        size=upload.size, uploaded_by=actor,
    )  # fmt: skip
