"""Rosters in the shared storage: the upload, its kept check and its error file commit with the roster row."""

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members import roster as rosters
from members.models import RosterImport
from tests.factories import UserFactory
from tests.members.test_roster import HEADINGS, XLSX, id_number, row, workbook
from unionportal.core.models import StoredFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(tree):
    return UserFactory(username="sz_officer_st", organisation=tree["union_sz"], roles=["union_officer"])


def _upload(content: bytes):
    return SimpleUploadedFile("花名册.xlsx", content, content_type=XLSX)


def test_an_upload_whose_row_fails_leaves_no_file(tree, officer, monkeypatch):
    """A node dying between the file and its row: neither is kept."""

    def dies(self, *args, **kwargs):
        raise ConnectionError("the node died here")

    monkeypatch.setattr(RosterImport, "save", dies)
    with pytest.raises(ConnectionError):
        rosters.roster_upload(actor=officer, organisation=tree["union_sz"], upload=_upload(workbook([])))

    assert not StoredFile.objects.exists()


def test_a_checked_roster_keeps_its_upload_check_and_error_file_in_the_database(tree, officer):
    rows = [row("张三", id_number(1)), row("李四", "not an id number")]

    roster = rosters.roster_upload(actor=officer, organisation=tree["union_sz"], upload=_upload(workbook(rows)))

    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.READY and roster.error_rows == 1
    names = set(StoredFile.objects.values_list("name", flat=True))
    assert {roster.file.name, roster.error_file.name} <= names and len(names) == 3  # and the kept check
    errors = openpyxl.load_workbook(roster.error_file.open("rb")).worksheets[0]
    assert [cell.value for cell in errors[1]][: len(HEADINGS)] == HEADINGS
