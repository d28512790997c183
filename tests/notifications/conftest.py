import pytest

from unionportal.notifications.kinds import register_kind
from unionportal.notifications.sms import LocmemBackend

# Kinds for the tests; their plain English texts are never translated.
register_kind("test.accepted", title="Accepted", text="Claim %(number)s accepted on %(date)s; %(amount)s yuan.")
register_kind("test.reminder", title="Reminder", text="Claim %(number)s is due.")


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS go to LocmemBackend.outbox, emptied for every test."""
    settings.SMS_BACKEND = "unionportal.notifications.sms.LocmemBackend"
    LocmemBackend.outbox = []
    LocmemBackend.fail_with = None
    yield LocmemBackend.outbox
    LocmemBackend.outbox = []
    LocmemBackend.fail_with = None
