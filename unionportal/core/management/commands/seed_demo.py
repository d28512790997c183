from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from unionportal.core import demo


class Command(BaseCommand):
    help = "Build the demo city (Shangluo): organisation tree, demo accounts and each app's demo data. Idempotent."

    def handle(self, *args, **options):
        # Each app seeds its own part from its demo.py, in INSTALLED_APPS order (members before the apps
        # that hang off members), so this command knows none of them.
        autodiscover_modules("demo")
        with transaction.atomic():
            for name, seed in demo.seeders():
                created = seed()
                self.stdout.write(f"{name}: {created} created")
        self.stdout.write(self.style.SUCCESS(f"Demo ready. Demo password for every account: {demo.DEMO_PASSWORD}"))
