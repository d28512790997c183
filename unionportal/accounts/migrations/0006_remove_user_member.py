"""``User.member`` goes: the link is ``Member.account`` now (members 0007 and 0008), so accounts know no members."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_organisation_in_org"),
        ("members", "0008_member_account_from_user"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="member"),
    ]
