"""Every upload reader goes through the one safe reader: the ``XFD8000`` sheet is refused by each, unread."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from members import drive
from members import roster as rosters
from mutualaid.views.enrolment import members_from_xlsx
from reporting import workbook
from unionportal.core import sheets
from unionportal.payments import bankfile

from .test_sheets_reading import declared_dimension_bomb, far_cell_bomb


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("list.xlsx", data)


def _roster(data):
    with pytest.raises(rosters.RosterRefused, match="XFD"):
        rosters.inspect_workbook(data)
    with pytest.raises(rosters.RosterRefused, match="XFD"):
        rosters.read_roster(data)


def _drive(data):
    with pytest.raises(ValidationError, match="XFD"):
        drive._read_sheet(_upload(data))


def _bank(data):
    with pytest.raises(ValidationError, match="XFD"):
        bankfile.read_result_file(io.BytesIO(data))


def _enrolment(data):
    members, errors = members_from_xlsx(_upload(data), None)
    assert members == [] and "XFD" in errors[0]


def _report(data):
    with pytest.raises(ValidationError, match="XFD"):
        workbook.read_upload(_upload(data), None)


@pytest.mark.parametrize("read", [_roster, _drive, _bank, _enrolment, _report])
@pytest.mark.parametrize("make", [far_cell_bomb, declared_dimension_bomb])
def test_every_upload_refuses_a_sheet_reaching_far_beyond_its_template(read, make, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the sheet's cells were read")

    monkeypatch.setattr(sheets.reading.python_calamine, "load_workbook", never)

    read(make())
