import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

from members.demo import ACCOUNTS, COUNTIES
from unionportal.core.demo import DEMO_PASSWORD
from unionportal.org.models import Organisation

# Each test gets a fresh copy of the demo city seeded once per session (demo_city, tests/conftest.py).
pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_builds_the_city_and_is_idempotent(demo_city):
    # demo_city is seed_demo's work on an empty database (tests/demo_database.py); this is the second run.
    counts = (Organisation.objects.count(), LogEntry.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (Organisation.objects.count(), LogEntry.objects.count()) == counts
    city = Organisation.objects.get(code="611000")
    assert city.name == "商洛市总工会" and city.is_root()
    assert {c.code for c in Organisation.objects.get_children(city)} == {code for code, _name in COUNTIES}


def test_every_demo_account_signs_in_with_the_demo_password(client, demo_city):
    refused = []
    for username in sorted(ACCOUNTS):
        client.logout()
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
        if response.status_code != 302 or client.get("/").status_code != 200:
            refused.append(username)
    assert refused == []


def test_the_demo_member_signs_in_online_and_sees_her_claim(client, demo_city):
    from members.demo import DEMO_MEMBER_ID
    from mutualaid.models import Claim

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - twice: still one account
    response = client.post(reverse("accounts:login"), {"username": DEMO_MEMBER_ID, "password": DEMO_PASSWORD})
    assert response["Location"] == reverse("core:workbench")
    claim = Claim.objects.get(member__id_number=DEMO_MEMBER_ID)
    page = client.get(reverse("mutualaid:my-claims")).content.decode()
    assert claim.number in page and "张芳" in page


def test_the_readmes_second_demo_member_can_activate_an_account(client, demo_city):
    from members.models import Member

    member = Member.objects.get(phone="13900000002")
    assert (member.name, member.member_number) == ("张强", "61100000000002")  # as the README says
    response = client.post(
        reverse("members:activate"),
        {"id_number": member.id_number, "phone": "13900000002", "member_number": "61100000000002",
         "password1": "Qinling@2026", "password2": "Qinling@2026"},
    )  # fmt: skip
    assert response["Location"] == reverse("mutualaid:my-claims")


def test_seeders_run_in_app_order_whatever_was_imported_first(monkeypatch):
    """A module that imports mutualaid.demo before members.demo (a benchmark, a test) used to make the claims seed
    before the accounts they need: the order is the apps', not the imports'."""
    from unionportal.core import demo

    autodiscover_modules("demo")
    registered = list(demo._seeders)
    monkeypatch.setattr(demo, "_seeders", list(reversed(registered)))
    modules = [func.__module__.split(".")[0] for _name, func in demo.seeders()]
    assert modules.index("members") < modules.index("mutualaid") < modules.index("reporting")
    assert modules == sorted(modules, key=["members", "mutualaid", "reporting"].index)
