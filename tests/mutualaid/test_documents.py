import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory

PDF = b"%PDF-1.4\n% a tiny scan\n"


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
    assert response["Cache-Control"] == "private, no-store"
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
