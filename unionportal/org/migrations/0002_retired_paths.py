from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_organisation_tree_from_members"),
    ]

    operations = [
        migrations.CreateModel(
            name="RetiredPath",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=255, unique=True)),
                ("retired_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "retired organisation path",
                "verbose_name_plural": "retired organisation paths",
            },
        ),
    ]
