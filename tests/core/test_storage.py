"""The database storage: files every node reads, written and rolled back with their rows."""

import hashlib
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from unionportal.core.models import StoredFile
from unionportal.core.storage import DatabaseStorage

SCAN = b"%PDF-1.4\n% a scanned invoice\n" + bytes(range(256)) * 40


def test_the_default_storage_is_the_database():
    assert isinstance(default_storage, DatabaseStorage)


@pytest.mark.django_db
def test_a_saved_file_reads_back_with_size_type_and_checksum():
    name = default_storage.save("claims/1/scan.pdf", ContentFile(SCAN))

    row = StoredFile.objects.get(name=name)
    assert (row.size, row.content_type, row.sha256) == (len(SCAN), "application/pdf", hashlib.sha256(SCAN).hexdigest())
    with default_storage.open(name) as handle:
        assert handle.read() == SCAN
    assert default_storage.exists(name) and default_storage.size(name) == len(SCAN)
    assert default_storage.listdir("claims") == (["1"], [])
    assert default_storage.listdir("claims/1") == ([], ["scan.pdf"])


@pytest.mark.django_db
def test_a_taken_name_gets_another_and_both_files_stay():
    first = default_storage.save("rosters/a.xlsx", ContentFile(b"one"))
    second = default_storage.save("rosters/a.xlsx", ContentFile(b"two"))

    assert first != second
    assert default_storage.open(first).read() == b"one" and default_storage.open(second).read() == b"two"


@pytest.mark.django_db
def test_a_file_saved_in_a_transaction_that_rolls_back_leaves_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        name = default_storage.save("claims/2/scan.pdf", ContentFile(SCAN))
        assert default_storage.exists(name)
        raise RuntimeError("the row that points at the file failed")

    assert not StoredFile.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_reported_as_missing():
    with pytest.raises(FileNotFoundError):
        default_storage.open("claims/3/none.pdf")
    default_storage.delete("claims/3/none.pdf")  # deleting what is not there is not an error


@pytest.mark.django_db
def test_stored_files_have_no_public_address_and_no_local_path():
    name = default_storage.save("claims/4/scan.pdf", ContentFile(SCAN))
    with pytest.raises(NotImplementedError):
        default_storage.url(name)
    with pytest.raises(NotImplementedError):
        default_storage.path(name)


@pytest.mark.django_db(transaction=True)
def test_a_file_written_on_one_node_is_read_on_another(tmp_path):
    """Another process with its own VAR_DIR and MEDIA_ROOT (another machine's disk) reads the file."""
    name = default_storage.save("rosters/2026/12/roster.xlsx", ContentFile(SCAN))
    db = connection.settings_dict
    other_node = tmp_path / "node-b"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "VAR_DIR": str(other_node),
        "MEDIA_ROOT": str(other_node / "media"),
    }
    read = (
        "import hashlib; from django.core.files.storage import default_storage as s; "
        f"print(hashlib.sha256(s.open({name!r}).read()).hexdigest())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", read], env=env, capture_output=True, text=True, timeout=60,
        cwd=settings.BASE_DIR,
    )  # fmt: skip

    assert result.stdout.strip().splitlines()[-1] == hashlib.sha256(SCAN).hexdigest(), result.stderr
    assert not (other_node / "media").exists()


@pytest.mark.django_db
def test_import_media_copies_old_uploads_under_their_names_and_is_safe_to_run_twice(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "claims" / "7").mkdir(parents=True)
    (tmp_path / "claims" / "7" / "abc.pdf").write_bytes(SCAN)
    (tmp_path / "rosters").mkdir()
    (tmp_path / "rosters" / "r.xlsx").write_bytes(b"PK roster")

    call_command("import_media", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("import_media", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert sorted(StoredFile.objects.values_list("name", flat=True)) == ["claims/7/abc.pdf", "rosters/r.xlsx"]
    assert default_storage.open("claims/7/abc.pdf").read() == SCAN


@pytest.mark.django_db
def test_import_media_never_overwrites_a_different_stored_file(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    default_storage.save("a.pdf", ContentFile(b"stored"))
    (tmp_path / "a.pdf").write_bytes(b"on disk")

    with pytest.raises(CommandError):
        call_command("import_media", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115

    assert default_storage.open("a.pdf").read() == b"stored"
