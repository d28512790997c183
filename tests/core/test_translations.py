"""The interface is Chinese first: every string the code marks for translation has a Chinese text."""

from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def _catalog(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        return read_po(handle)


def test_every_message_has_a_simplified_chinese_translation():
    catalog = _catalog("zh_Hans")
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert len(catalog) > 100
    assert missing == [], missing
    assert fuzzy == [], fuzzy


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]|\{\{ *(\w+) *\}\}")
    for message in _catalog("zh_Hans"):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(pattern.findall(message.id)) == set(pattern.findall(message.string)), message.id


def test_state_events_read_as_statuses_and_moves_as_parents():
    # "from"/"to" alone are an organisation move's parents; a state event's columns are its statuses.
    from django.utils import translation

    from members.models import EnterpriseEvent, MembershipPeriod
    from mutualaid.models import ClaimEvent, EnrolmentBatchEvent
    from reporting.models import ReportEvent
    from unionportal.org.models import OrganisationEvent
    from unionportal.payments.models import PaymentBatchEvent

    def label(model, name):
        return str(model._meta.get_field(name).verbose_name)

    with translation.override("zh-hans"):
        for model in (ClaimEvent, EnrolmentBatchEvent, PaymentBatchEvent, EnterpriseEvent, ReportEvent):
            assert (label(model, "from_status"), label(model, "to_status")) == ("原状态", "新状态"), model
        assert label(MembershipPeriod, "started_on") == "自"
        assert label(OrganisationEvent, "from_parent") == "原上级"
