"""Fill ``counted_in_county`` on the claims and enrolment batches paid before the column existed.

Before it, a paid row counted in the county at the head of its ``org_path``; no union had moved with its
rows yet (moves rewrote only the members' paths), so that is where each was paid. Down: emptied again.
"""

from django.db import migrations



def fill(apps, schema_editor):
    Organisation = apps.get_model("org", "Organisation")
    counties = dict(Organisation.objects.filter(depth=2).values_list("path", "pk"))
    for name in ("Claim", "EnrolmentBatch"):
        model = apps.get_model("mutualaid", name)
        paid = model.objects.filter(status="paid", counted_in_county__isnull=True)
        for path, county_id in counties.items():
            paid.filter(org_path__startswith=path).update(counted_in_county_id=county_id)


def empty(apps, schema_editor):
    for name in ("Claim", "EnrolmentBatch"):
        apps.get_model("mutualaid", name).objects.update(counted_in_county=None)


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0010_counted_in_county"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
