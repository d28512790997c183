import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import UserFactory, make_pdf


def _image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, kind)
    return buffer.getvalue()


PDF = make_pdf()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_scan_is_served_only_to_those_who_may_see_the_claim(client, tree, clerk, claim):
    client.force_login(clerk)
    client.post(
        reverse("mutualaid:claim-document-upload", args=[claim.pk]),
        {"material": "invoice", "file": SimpleUploadedFile("发票.pdf", PDF, "application/pdf")},
    )
    document = claim.documents.get()
    assert str(claim.member.id_number) not in document.file.name and "发票" not in document.file.name

    url = reverse("mutualaid:claim-document", args=[claim.pk, document.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert LogEntry.objects.filter(actor=clerk, additional_data__field="file").exists()

    outsider = UserFactory(organisation=tree["shanyang"], roles=["counter_clerk"])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_a_file_that_is_not_a_scan_is_refused(client, clerk, claim):
    client.force_login(clerk)
    page = client.post(
        reverse("mutualaid:claim-document-upload", args=[claim.pk]),
        {"material": "invoice", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        follow=True,
    ).content.decode()
    assert not claim.documents.exists()
    assert "PDF" in page


@pytest.mark.django_db
def test_a_scan_is_stored_in_the_database_with_its_row_and_gone_if_the_row_fails(clerk, claim, monkeypatch):
    from mutualaid.claims import documents
    from mutualaid.models import ClaimDocument
    from unionportal.core.models import StoredFile

    document = documents.claim_document_add(
        actor=clerk, claim=claim, material="invoice", upload=SimpleUploadedFile("发票.pdf", PDF, "application/pdf")
    )
    assert bytes(StoredFile.objects.get(name=document.file.name).content) == PDF

    create = ClaimDocument.objects.create

    def dies_after_insert(**fields):
        create(**fields)
        raise ConnectionError("the node died before the commit")

    monkeypatch.setattr(ClaimDocument.objects, "create", dies_after_insert)
    with pytest.raises(ConnectionError):
        documents.claim_document_add(
            actor=clerk, claim=claim, material="invoice", upload=SimpleUploadedFile("b.pdf", PDF, "application/pdf")
        )

    assert claim.documents.count() == 1 and StoredFile.objects.count() == 1


@pytest.mark.parametrize(
    "name, content",
    [
        ("x.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>"),  # HTML behind a PDF signature
        ("x.pdf", PDF[: len(PDF) // 2]),  # a PDF cut in half: no cross-reference table
        ("x.png", b"\x89PNG\r\n\x1a\n<html></html>"),
        ("x.jpg", b"\xff\xd8\xff<html></html>"),
        ("x.jpg", _image("PNG")[:8] + _image("JPEG")[8:]),  # a JPEG behind a PNG signature
    ],
)
def test_a_file_is_opened_not_judged_by_its_first_bytes(client, clerk, claim, name, content):
    client.force_login(clerk)
    client.post(
        reverse("mutualaid:claim-document-upload", args=[claim.pk]),
        {"material": "invoice", "file": SimpleUploadedFile(name, content, "application/pdf")},
    )
    assert not claim.documents.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name, content", [("s.pdf", PDF), ("s.png", _image("PNG")), ("s.jpg", _image("JPEG"))])
def test_real_scans_are_attached(client, clerk, claim, name, content):
    client.force_login(clerk)
    client.post(
        reverse("mutualaid:claim-document-upload", args=[claim.pk]),
        {"material": "invoice", "file": SimpleUploadedFile(name, content, "application/octet-stream")},
    )
    assert claim.documents.count() == 1
