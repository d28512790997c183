"""The link from a member to their own online account moves onto ``Member`` (it was ``User.member``):
the schema here, the rows in 0008, the old column goes in ``accounts.0006``."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_organisation_moved_to_org"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="account",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="member",
                to=settings.AUTH_USER_MODEL,
                verbose_name="online account",
            ),
        ),
    ]
