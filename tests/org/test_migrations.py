"""The migrations of issue 10 run forward on a database that has rows, and back again.

The database is taken back to where it stood before them (the tree in ``members``, ``User.member``, no
``counted_in_county``), seeded through the historical models, then migrated forward: the same rows are there,
the tree is ``org``'s (same tables, same content types), each member account's link is on ``Member.account``,
and paid batches know their county.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("members", "0005_account_codes"),
    ("accounts", "0004_user_member"),
    ("mutualaid", "0008_claim_breakdown_as_assessed"),
    ("reporting", "0002_targets_ranking_bulletins"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def seed(apps) -> dict:
    Organisation = apps.get_model("members", "Organisation")
    User = apps.get_model("accounts", "User")
    Member = apps.get_model("members", "Member")
    city = Organisation.objects.create(path="0001", depth=1, numchild=1, kind="city", code="M611000", name="市总")
    county = Organisation.objects.create(
        path="00010001", depth=2, numchild=1, kind="county", code="M611002", name="县总"
    )
    union = Organisation.objects.create(
        path="000100010001", depth=3, kind="grassroots", code="M611002001", name="某公司工会"
    )
    staff = User.objects.create(username="m_staff", organisation=county)
    member = Member.objects.create(
        member_number="M00000001", name="王芳", id_number="610102199001011234", joined_on=date(2020, 1, 1),
        organisation=union, org_path=union.path, birth_date=date(1990, 1, 1), sex="F",
    )  # fmt: skip
    account = User.objects.create(username="m_member", member=member)
    Plan = apps.get_model("mutualaid", "Plan")
    PlanVersion = apps.get_model("mutualaid", "PlanVersion")
    version = PlanVersion.objects.create(
        plan=Plan.objects.create(code="MZ", name="住院", kind="inpatient"), valid_from=date(2020, 1, 1),
        premium_per_share=Decimal("120"),
    )  # fmt: skip
    batch = apps.get_model("mutualaid", "EnrolmentBatch").objects.create(
        number="MB000001", organisation=union, org_path=union.path, plan_version=version, payer="unit",
        status="paid", paid_on=date(2025, 6, 1), created_by=staff,
    )  # fmt: skip
    return {"city": city.pk, "county": county.pk, "union": union.pk, "staff": staff.pk, "member": member.pk,
            "account": account.pk, "batch": batch.pk}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_forward_on_a_seeded_database_keeps_every_row_and_moves_the_account_link():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    ids = seed(migrate(BEFORE))

    apps = migrate(latest)

    Organisation = apps.get_model("org", "Organisation")
    assert Organisation._meta.db_table == "members_organisation"
    assert set(Organisation.objects.values_list("pk", flat=True)) >= {ids["city"], ids["county"], ids["union"]}
    assert apps.get_model("accounts", "User").objects.get(pk=ids["staff"]).organisation_id == ids["county"]
    member = apps.get_model("members", "Member").objects.get(pk=ids["member"])
    assert member.account_id == ids["account"] and member.organisation_id == ids["union"]
    batch = apps.get_model("mutualaid", "EnrolmentBatch").objects.get(pk=ids["batch"])
    assert batch.counted_in_county_id == ids["county"]
    ContentType = apps.get_model("contenttypes", "ContentType")
    assert not ContentType.objects.filter(app_label="members", model="organisation").exists()

    # And back down: the link returns to the user, and the tree to members, rows intact
    apps = migrate(BEFORE)
    assert apps.get_model("accounts", "User").objects.get(pk=ids["account"]).member_id == ids["member"]
    assert apps.get_model("members", "Organisation").objects.filter(pk=ids["union"]).exists()
    migrate(latest)
