"""The registry of computed indicators: the figures each app computes for the monthly report (DOMAIN.md §7).

An app declares, in its own ``indicators.py``, one *source*: a plain function that computes one or more
indicators for **every county at once** for a month, with one grouped query per table::

    from unionportal.core.indicators import Spec, source

    @source(
        Spec("members_new", _("New members"), unit="person"),
        Spec("members_new_migrant", _("New members: migrant workers"), unit="person"),
    )
    def membership(month: date) -> dict[int, dict[str, int | Decimal | None]]:
        return {county_id: {"members_new": 12, "members_new_migrant": 3}, ...}

A source returns ``{county organisation id: {indicator code: value}}``; a county or code it leaves out
counts as zero for a whole number or money, and as "no value" (``None``) for a decimal such as a rate or an
average. The ``reporting`` app discovers the modules (``autodiscover_modules("indicators")``, as the admin
discovers ``admin.py``) and reads this registry; it never imports the apps' models, and the apps never
import ``reporting``: both depend only on this module.

Grouping several indicators under one source is what keeps the prefill at a few queries for all counties:
new members and "of which migrant" come from the same grouped scan.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

Value = int | Decimal | None
SourceFunc = Callable[[date], dict[int, dict[str, Value]]]

UNITS = ("person", "organisation", "yuan", "person_time", "day", "percent")
VALUE_KINDS = ("whole", "money", "decimal")


@dataclass(frozen=True)
class Spec:
    """What a computed indicator is, as its app defines it; the catalogue copies it into an Indicator row."""

    code: str
    name: str  # usually a lazy gettext string
    unit: str = "person"
    value_kind: str = "whole"
    description: str = ""

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ImproperlyConfigured(f"Indicator {self.code!r}: unknown unit {self.unit!r} (one of {UNITS}).")
        if self.value_kind not in VALUE_KINDS:
            raise ImproperlyConfigured(f"Indicator {self.code!r}: unknown value kind {self.value_kind!r}.")


@dataclass(frozen=True)
class Source:
    name: str  # the function's dotted name, for messages and the benchmark
    specs: tuple[Spec, ...]
    func: SourceFunc


_sources: dict[str, Source] = {}  # by dotted function name
_specs: dict[str, tuple[Spec, Source]] = {}  # by indicator code


def source(*specs: Spec):
    """Register the decorated function as the source of ``specs``. Registering it twice is harmless."""

    def register(func: SourceFunc) -> SourceFunc:
        name = f"{func.__module__}.{func.__qualname__}"
        entry = Source(name=name, specs=tuple(specs), func=func)
        for spec in specs:
            known = _specs.get(spec.code)
            if known is not None and known[1].name != name:
                raise ImproperlyConfigured(f"Indicator {spec.code!r} is computed by both {known[1].name} and {name}.")
            _specs[spec.code] = (spec, entry)
        _sources[name] = entry
        return func

    return register


def specs() -> list[Spec]:
    """Every registered computed indicator, in registration order."""
    return [spec for spec, _source in _specs.values()]


def get_spec(code: str) -> Spec | None:
    found = _specs.get(code)
    return found[0] if found else None


def is_computed(code: str) -> bool:
    return code in _specs


def compute(month: date, codes=None) -> dict[int, dict[str, Value]]:
    """``{county id: {code: value}}`` for the month, calling each needed source once.

    ``codes`` limits the work to the sources behind those codes (all sources when ``None``); unknown codes
    are ignored, so a catalogue may name an indicator whose app is not installed.
    """
    wanted = set(_specs) if codes is None else {code for code in codes if code in _specs}
    needed = {_specs[code][1].name: _specs[code][1] for code in wanted}
    result: dict[int, dict[str, Value]] = {}
    for entry in needed.values():
        for county_id, values in entry.func(month).items():
            row = result.setdefault(county_id, {})
            row.update({code: value for code, value in values.items() if code in wanted})
    return result
