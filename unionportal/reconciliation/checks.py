"""The registry of nightly money checks.

A check is registered once, at import time of a module named ``reconcile.py`` in any installed app::

    from unionportal.reconciliation.checks import Finding, register_check

    @register_check("hardship.grant_budget", label=_("Grants above their programme's budget"))
    def grants_within_budget(today):
        for programme in ...:
            yield Finding(subject=f"programme {programme.code}", detail="…", org_path=programme.org_path)

A check reads only, returns (or yields) what is wrong, and is safe to run at any time; the service
(``services.reconcile``) writes the findings, deduplicated per day, and tells finance and the auditor.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Finding:
    subject: str  # what is wrong, as a person finds it: "batch PB202612040001", "claim LP2026000123"
    detail: str  # the figures that disagree, in the portal's language
    org_path: str = ""  # whose it is: finance and auditors whose subtree covers it are told


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    run: Callable[[date], Iterable[Finding]]


_checks: dict[str, Check] = {}


def register_check(code: str, *, label):
    """Decorator: register ``func(today) -> Iterable[Finding]`` as the check ``code`` (up to 50 characters)."""
    if not code or len(code) > 50:
        raise ImproperlyConfigured(f"A reconciliation check code must have 1 to 50 characters: {code!r}")

    def decorate(func):
        _checks[code] = Check(code=code, label=label, run=func)
        return func

    return decorate


def unregister_check(code: str) -> None:
    """Forget a check (for tests)."""
    _checks.pop(code, None)


def registered_checks() -> list[Check]:
    return [_checks[code] for code in sorted(_checks)]


def check_label(code: str) -> str:
    check = _checks.get(code)
    return str(check.label) if check else code
