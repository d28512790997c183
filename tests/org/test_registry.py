"""Every column that copies a node's path is registered, so that a move rewrites it.

A new model that copies a path and forgets ``register_path_copy`` in its app's ``ready`` fails here, before
its rows can be left behind by a move (and shown to the county the union left).
"""

from django.apps import apps
from django.db import models

from unionportal.org import registry
from unionportal.org.models import Organisation, RetiredPath

# Columns named like a path that are not a copy of a node's path (say why when adding one).
NOT_COPIES: set[str] = set()


def path_like_columns() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model in (Organisation, RetiredPath):  # the tree itself and its retired paths
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField) and (field.name.endswith("_path") or field.name == "path"):
                found.add(f"{model._meta.label}.{field.name}")
        scope = getattr(model, "scope_path", None)
        if isinstance(scope, str) and "__" not in scope:  # a model scoped by a column of its own
            found.add(f"{model._meta.label}.{scope}")
    return found


def test_every_copy_of_a_node_path_is_registered():
    registered = {copy.label for copy in registry.path_copies()}
    assert path_like_columns() - NOT_COPIES <= registered, "register_path_copy(...) in the app's ready()"


def test_the_copies_known_today_are_all_there():
    registered = {copy.label for copy in registry.path_copies()}
    assert {
        "members.Member.org_path", "mutualaid.EnrolmentBatch.org_path", "mutualaid.Policy.org_path",
        "mutualaid.Claim.org_path", "payments.PaymentRequest.org_path", "payments.PaymentBatch.org_path",
        "notifications.Notice.organisation_path", "reporting.MonthlyReport.org_path",
    } <= registered  # fmt: skip
