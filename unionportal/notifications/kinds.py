"""The message kinds: each app registers the notices it sends, with their title and text, once.

An app calls ``register_kind`` at import time of its own ``notices.py`` (or in ``AppConfig.ready``)::

    from django.utils.translation import gettext_lazy as _
    from unionportal.notifications import register_kind

    register_kind(
        "claim.approved",
        title=_("Claim approved"),
        text=_("Your mutual-aid claim %(number)s was approved: %(amount)s yuan."),
    )

``text`` is a gettext string with ``%(name)s`` placeholders (the translation test checks that the Chinese
keeps every one of them); ``template`` names a Django template instead, for the longer ones. Either is
rendered once, when the notice is queued, in the recipient's language, and the row keeps the result.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Kind:
    code: str
    title: str  # usually a lazy gettext string
    text: str = ""
    template: str = ""
    # The text holds a secret (a one-time code): pages show that it was sent, never the text itself.
    secret: bool = False


_kinds: dict[str, Kind] = {}


def register_kind(code: str, *, title, text="", template: str = "", secret: bool = False) -> Kind:
    """Declare a message kind. Registering the same code twice with the same texts is harmless."""
    if bool(text) == bool(template):
        raise ImproperlyConfigured(f"Notice kind {code!r} needs exactly one of text= or template=.")
    kind = Kind(code=code, title=title, text=text, template=template, secret=secret)
    if code in _kinds and _kinds[code] != kind:
        raise ImproperlyConfigured(f"Notice kind {code!r} is already registered with other texts.")
    _kinds[code] = kind
    return kind


def get_kind(code: str) -> Kind:
    try:
        return _kinds[code]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown notice kind {code!r}: register it with register_kind().") from None


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(kind.title)) for code, kind in _kinds.items()), key=lambda choice: choice[0])


def is_secret(code: str) -> bool:
    kind = _kinds.get(code)
    return bool(kind and kind.secret)
