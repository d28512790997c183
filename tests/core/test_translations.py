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
