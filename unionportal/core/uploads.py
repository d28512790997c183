"""The shared upload checks for scans and photos: claim materials, hardship attachments, complaint photos.

A file is what its first bytes say and what a parser can open, never what its name or the browser claims. Every
app that accepts a scan calls ``check_scan`` before it stores anything, and stores through the one storage
(``core.storage``).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

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


def check_scan(upload, *, max_bytes: int) -> str:
    """Refuse a file over ``max_bytes`` or one that is not a PDF, JPEG or PNG that opens; return its content type.

    Raises ``ValidationError`` with a message for the person who chose the file. Reads the file and rewinds it.
    """
    if upload.size > max_bytes:
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 1_000_000})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None or not opens_as(upload, kind):
        raise ValidationError(_("Only PDF, JPEG and PNG scans can be attached."))
    return kind
