"""Copy files uploaded before the database storage (under MEDIA_ROOT) into it, under the same names."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from unionportal.core.models import StoredFile


class Command(BaseCommand):
    help = "Copy every file under MEDIA_ROOT into the default storage, keeping its name. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--root", default=str(settings.MEDIA_ROOT), help="folder to import (MEDIA_ROOT)")

    def handle(self, *args, root, **options):
        root_path = Path(root)
        if not root_path.is_dir():
            raise CommandError(f"{root_path} is not a folder.")
        copied = skipped = 0
        conflicts = []
        for path in sorted(p for p in root_path.rglob("*") if p.is_file()):
            # The name the FileFields already hold: the path below MEDIA_ROOT, with forward slashes.
            name = path.relative_to(root_path).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            kept = StoredFile.objects.filter(name=name).values_list("sha256", flat=True).first()
            if kept == digest:
                skipped += 1
                continue
            if kept is not None:
                conflicts.append(name)
                continue
            with transaction.atomic():
                saved = default_storage.save(name, ContentFile(data, name=name))
            if saved != name:  # another storage backend renamed it: the row would point at nothing
                raise CommandError(f"{name} was stored as {saved}; nothing after it was copied.")
            copied += 1
        self.stdout.write(f"{copied} copied, {skipped} already there, {len(conflicts)} in conflict")
        for name in conflicts:
            self.stderr.write(f"not copied, a different file is stored under this name: {name}")
        if conflicts:
            raise CommandError("Some files differ from what is stored under their names; nothing was overwritten.")
