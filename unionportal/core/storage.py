"""The one storage every node reads: files as rows of ``StoredFile`` (``STORAGES["default"]``).

Why the database (README, "Stored files"): with nothing but PostgreSQL every web node and worker reads what
any of them wrote; the file is written in the same transaction as the row that points at it, so a rollback
or a node dying mid-upload leaves neither half behind; and ``pg_dump`` backs up files and rows together,
consistent to the same instant. The embedded default (SQLite) uses the same code.

Files are read whole into memory: uploads are capped (10 MB per scan; rosters by rows), which is what a
bytea column serves well. Larger files belong in object storage (``STORAGE_BACKEND=s3``).
"""

import hashlib
import mimetypes
import posixpath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.deconstruct import deconstructible


def _stored_files():
    from .models import StoredFile  # the storage is built before the apps are ready

    return StoredFile.objects


@deconstructible
class DatabaseStorage(Storage):
    """A ``Storage`` whose files are ``StoredFile`` rows, written in the caller's transaction.

    Files are private: there is no public URL (``url`` raises); views that check the viewer's scope serve
    them with ``FileResponse(field.open("rb"))``. ``path`` is not available either, on purpose: nothing may
    read an upload from one node's disk.
    """

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            raise ValueError("Stored files are written with save(), not opened for writing.")
        content = _stored_files().filter(name=name).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(name)
        return ContentFile(bytes(content), name=name)

    def _save(self, name, content):
        digest, chunks = hashlib.sha256(), []
        if hasattr(content, "seek"):
            content.seek(0)
        for chunk in content.chunks():
            chunk = chunk.encode() if isinstance(chunk, str) else chunk
            digest.update(chunk)
            chunks.append(chunk)
        data = b"".join(chunks)
        content_type = getattr(content, "content_type", None) or mimetypes.guess_type(name)[0] or ""
        for _attempt in range(5):
            try:
                # A savepoint: a name taken by a concurrent upload must not spoil the caller's transaction.
                with transaction.atomic():
                    _stored_files().create(
                        name=name, content=data, size=len(data), content_type=content_type[:100],
                        sha256=digest.hexdigest(),
                    )  # fmt: skip
                return name
            except IntegrityError:
                root, ext = posixpath.splitext(name)
                name = f"{root}_{get_random_string(7)}{ext}"
        raise FileExistsError(name)

    def delete(self, name):
        if name:
            _stored_files().filter(name=name).delete()

    def exists(self, name):
        return _stored_files().filter(name=name).exists()

    def listdir(self, path):
        prefix = path.rstrip("/") + "/" if path else ""
        directories, files = set(), []
        for name in _stored_files().filter(name__startswith=prefix).values_list("name", flat=True):
            head, _, tail = name[len(prefix) :].partition("/")
            if tail:
                directories.add(head)
            else:
                files.append(head)
        return sorted(directories), sorted(files)

    def size(self, name):
        size = _stored_files().filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(name)
        return size

    def get_created_time(self, name):
        created = _stored_files().filter(name=name).values_list("created_at", flat=True).first()
        if created is None:
            raise FileNotFoundError(name)
        return created

    get_modified_time = get_created_time  # a stored file is never changed, only replaced under a new name

    def url(self, name):
        raise NotImplementedError("Stored files have no public URL; a scoped view serves them.")
