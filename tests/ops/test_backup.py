"""Backups proven: back up, restore into a fresh database, compare row counts per table and file checksums."""

import hashlib
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from unionportal.core.models import StoredFile

DEPLOY = Path(settings.BASE_DIR) / "deploy"
SCAN = b"%PDF-1.4\n% a claim scan kept in the database\n" + bytes(range(256)) * 64

pytestmark = [pytest.mark.ops, pytest.mark.django_db(transaction=True)]


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin(sql: str) -> None:
    """CREATE/DROP DATABASE, outside any transaction."""
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql)
    finally:
        admin.close()


def _snapshot(url: str) -> tuple[dict, dict]:
    """Rows per table of the public schema, and each stored file's checksum computed from its content."""
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT name, encode(sha256(content), 'hex'), sha256 FROM core_storedfile ORDER BY name")
        files = {name: (computed, recorded) for name, computed, recorded in cursor.fetchall()}
    conn.close()
    return counts, files


def _run(*args, env=None):
    return subprocess.run(
        [*args], capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", **(env or {})}
    )


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_into_a_fresh_database_with_every_row_and_file(tmp_path, tree, fresh_database):
    # Given a little of everything: the tree, users and two stored files (a scan and a roster)
    default_storage.save("claims/1/scan.pdf", ContentFile(SCAN))
    default_storage.save("rosters/2026/12/roster.xlsx", ContentFile(b"PK\x03\x04 a roster"))
    source = _url(connection.settings_dict["NAME"])
    before = _snapshot(source)
    assert before[0]["core_storedfile"] == 2 and before[0]["members_organisation"] == 5

    # When it is backed up (with an old upload still under MEDIA_ROOT) and restored into a fresh database
    media = tmp_path / "media"
    (media / "claims" / "0").mkdir(parents=True)
    (media / "claims" / "0" / "old.pdf").write_bytes(SCAN)
    backup = _run(str(DEPLOY / "backup.sh"), str(tmp_path / "backups"),
                  env={"DATABASE_URL": source, "MEDIA_ROOT": str(media)})  # fmt: skip
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "database.dump", "media.tar.gz"]

    restored_media = tmp_path / "restored-media"
    restore = _run(str(DEPLOY / "restore.sh"), str(folder), _url(fresh_database),
                   env={"MEDIA_ROOT": str(restored_media)})  # fmt: skip
    assert restore.returncode == 0, restore.stderr

    # Then every table has the same rows and every file the same checksum
    after = _snapshot(_url(fresh_database))
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[1]["claims/1/scan.pdf"][0] == hashlib.sha256(SCAN).hexdigest()
    assert (restored_media / "claims" / "0" / "old.pdf").read_bytes() == SCAN

    # And a second restore into the now non-empty database is refused, with the reason
    again = _run(str(DEPLOY / "restore.sh"), str(folder), _url(fresh_database))
    assert again.returncode == 3
    assert "refused: the target database is not empty" in again.stderr
    assert _snapshot(_url(fresh_database))[0] == before[0]


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path, fresh_database):
    StoredFile.objects.create(name="a.pdf", content=b"x", size=1, sha256=hashlib.sha256(b"x").hexdigest())
    source = _url(connection.settings_dict["NAME"])
    backup = _run(
        str(DEPLOY / "backup.sh"), str(tmp_path), env={"DATABASE_URL": source, "MEDIA_ROOT": str(tmp_path / "none")}
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert not (folder / "media.tar.gz").exists()  # nothing under MEDIA_ROOT: nothing to archive
    with open(folder / "database.dump", "r+b") as dump:
        dump.seek(-16, 2)
        dump.write(b"\0" * 16)

    restore = _run(str(DEPLOY / "restore.sh"), str(folder), _url(fresh_database))

    assert restore.returncode == 2 and "do not match SHA256SUMS" in restore.stderr
    with psycopg2.connect(_url(fresh_database)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone()[0] == 0
    conn.close()
