"""Copy each member account's link from ``User.member`` to ``Member.account`` (and back, on the way down)."""

from django.db import migrations


def user_member_to_member_account(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Member = apps.get_model("members", "Member")
    for user_id, member_id in User.objects.filter(member__isnull=False).values_list("pk", "member_id").iterator():
        Member.objects.filter(pk=member_id).update(account_id=user_id)


def member_account_to_user_member(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Member = apps.get_model("members", "Member")
    for member_id, user_id in Member.objects.filter(account__isnull=False).values_list("pk", "account_id").iterator():
        User.objects.filter(pk=user_id).update(member_id=member_id)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_member_account"),
        ("accounts", "0005_user_organisation_in_org"),  # User.member is still there until accounts.0006
    ]

    operations = [
        migrations.RunPython(user_member_to_member_account, member_account_to_user_member, elidable=False),
    ]
