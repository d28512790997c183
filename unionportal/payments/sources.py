"""The registry of payment sources: how the payments app calls back the app that owns a payment.

An app that pays through the payments app registers its source once, in its ``AppConfig.ready``::

    from unionportal import payments

    payments.register_source(
        "mutualaid.claim",
        label=_("Mutual-aid claim"),
        on_paid=claim_paid,        # on_paid(reference: str, paid_on: date, line: PaymentLine, *, actor)
        on_failed=claim_returned,  # on_failed(reference: str, reason: str, line: PaymentLine, *, actor)
        paid_among=claims_paid,    # paid_among(references: list[str]) -> set[str]  (optional)
    )

``actor`` is the person who imported the bank's result file: the owning app's history names them.

The callbacks run inside the transaction that records the bank's result: if one raises, nothing of
that result file is saved. They must only change the owning app's own rows (keyed by ``reference``)
and must not call back into the payments services.

``paid_among`` answers the nightly reconciliation's question "which of these references do you hold as
paid?" from the owning app's own rows; a source without it is not asked (and the check says so).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    on_paid: Callable[[str, date, object], None]
    on_failed: Callable[[str, str, object], None]
    paid_among: Callable[[list[str]], set[str]] | None = None


_SOURCES: dict[str, Source] = {}


def register_source(code: str, *, on_paid, on_failed, label, paid_among=None) -> Source:
    """Register (or replace) the source ``code``, e.g. ``"mutualaid.claim"``. Returns the registration."""
    if not code or len(code) > 50:
        raise ImproperlyConfigured(f"A payment source code must have 1 to 50 characters: {code!r}")
    source = Source(code=code, label=label, on_paid=on_paid, on_failed=on_failed, paid_among=paid_among)
    _SOURCES[code] = source
    return source


def unregister_source(code: str) -> None:
    """Forget a source (for tests)."""
    _SOURCES.pop(code, None)


def get_source(code: str) -> Source:
    try:
        return _SOURCES[code]
    except KeyError:
        raise ImproperlyConfigured(f"No payment source {code!r} is registered.") from None


def registered_sources() -> list[Source]:
    return list(_SOURCES.values())


def is_registered(code: str) -> bool:
    return code in _SOURCES


def source_label(code: str) -> str:
    source = _SOURCES.get(code)
    return str(source.label) if source else code


def source_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(source.label)) for code, source in _SOURCES.items()), key=lambda c: c[1])
