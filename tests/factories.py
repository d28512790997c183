"""Factories for tests: one place that knows how to make valid rows."""

import io
import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory
import openpyxl
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from unionportal.core.demo import DEMO_PASSWORD
from unionportal.org.models import Organisation

PASSWORD = DEMO_PASSWORD
_codes = itertools.count(1)


def make_organisation(*, parent: Organisation | None = None, kind=None, name=None, code=None) -> Organisation:
    """Treebeard nodes are made with add_root/add_child, not save(); this wraps both."""
    n = next(_codes)
    fields = {
        "kind": kind or (Organisation.Kind.CITY if parent is None else Organisation.Kind.GRASSROOTS),
        "code": code or f"T{n:06d}",
        "name": name or f"测试工会{n}",
    }
    if parent is None:
        return Organisation.objects.add_root(fields)
    parent.refresh_from_db()  # treebeard needs the parent's current numchild/path
    return Organisation.objects.add_child(parent, fields)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"职工{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for code in extracted or ():
            self.groups.add(Group.objects.get(name=code))
        if create:
            self.save()


def id_number(first17: str) -> str:
    """A valid resident ID number from its first 17 digits (GB 11643 check character)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


_people = itertools.count(1)


def make_member(*, union: Organisation, name: str | None = None, **fields):
    """A member registered the way the counter does it (member number, period, audit)."""
    from members import services

    n = next(_people)
    born = date(1985, 1, 1) + timedelta(days=n)
    data = {
        "name": name or f"会员{n}",
        "id_number": fields.pop("id_number", None) or id_number(f"612501{born:%Y%m%d}{n % 1000:03d}"),
        "phone": fields.pop("phone", f"138{n:08d}"),
        **fields,
    }
    actor = UserFactory(username="factory_clerk", organisation=None, is_superuser=True)
    return services.member_register(actor=actor, organisation=union, data=data)


def make_member_account(member, password: str = PASSWORD):
    """The member's own online account, opened the way the member does it (ID number, phone, member number)."""
    from members import accounts

    return accounts.account_activate(
        id_number=member.id_number, phone=member.phone, member_number=member.member_number, password=password
    )


def make_pdf() -> bytes:
    """A real one-page PDF: uploads are opened as PDFs, not judged by their first bytes."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows, headers=None) -> bytes:
    """A one-sheet workbook: the header row, then the rows."""
    book = openpyxl.Workbook()
    if headers is not None:
        book.active.append(list(headers))
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows, headers=None, name="upload.xlsx") -> SimpleUploadedFile:
    """The same workbook as an uploaded file, as a form receives it."""
    return SimpleUploadedFile(name, xlsx_bytes(rows, headers), content_type=XLSX)


def claim_input(*, stay: int = 0, **overrides):
    """What the counter types for an inpatient claim of the covered member (tests/mutualaid/conftest.py).

    ``stay=n`` (n ≥ 1) makes it a one-day stay n days before the default one, so that a member's several claims
    in a test do not overlap (an overlapping stay is refused at intake unless confirmed).
    """
    from mutualaid import services
    from mutualaid.models import Material

    required = [Material.APPLICATION, Material.ID_CARD, Material.DISCHARGE, Material.INVOICE, Material.SETTLEMENT]
    today = timezone.localdate()
    data = {
        "claim_type": "inpatient", "hospital": "商洛市中心医院", "admitted_on": today - timedelta(days=10),
        "discharged_on": today - timedelta(days=3), "diagnosis": "肺炎", "total_cost": Decimal("12000.00"),
        "fund_paid": Decimal("6000.00"), "serious_illness_paid": Decimal("0"), "self_funded": Decimal("800.00"),
        "invoices": [("INV-001", Decimal("12000.00"))], "materials": list(required),
        "bank_name": "中国邮政储蓄银行商洛分行", "bank_account": "6221880000000012345",
    }  # fmt: skip
    if stay:
        data["admitted_on"] = data["discharged_on"] = today - timedelta(days=10 + stay)
    data.update(overrides)
    return services.ClaimInput(**data)
