"""The floors of ARCHITECTURE.md: apps register indicators without importing reporting, and reporting reads
them without importing the apps' figures models (it hangs off the organisation tree only)."""

import ast
from pathlib import Path

from unionportal.core import indicators

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(folder: str) -> set[str]:
    names = set()
    for path in (ROOT / folder).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


def test_members_and_mutualaid_do_not_import_reporting():
    for app in ("members", "mutualaid"):
        assert not {name for name in imported_modules(app) if name.split(".")[0] == "reporting"}


def test_reporting_imports_no_figures_model_of_the_apps():
    found = imported_modules("reporting")
    assert not {name for name in found if name.split(".")[0] == "mutualaid"}
    assert not {name for name in found if name.split(".")[0] == "members"}


def test_the_apps_registered_their_indicators():
    codes = {spec.code for spec in indicators.specs()}
    assert {"unions_new", "members_new", "members_new_migrant", "members_new_new_form"} <= codes
    assert {
        "mutualaid_enrolments", "mutualaid_premiums", "mutualaid_claims_accepted", "mutualaid_claims_paid",
        "mutualaid_amount_paid", "mutualaid_avg_days_to_pay", "mutualaid_on_time_rate",
    } <= codes  # fmt: skip
