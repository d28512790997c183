"""The checked roster, kept from the preview to the confirmation, so that confirming need not check it again.

A large roster is checked when it is uploaded and imported when someone confirms, minutes or days later. What
the check finds depends only on: the file's bytes, the union, the day (an empty 入会日期 means the day of the
import, and a date in the future may no longer be), the code that checks, and what the members' table says
about the ID numbers in the file. The first four are the key of what is kept here (``KEY_VERSION`` stands
for the code: change it with the checks; the language of the messages is in the key too). The last can
change in between, so ``roster_import_rows`` looks the ID numbers up again (one query per 5,000, as the check
did) and uses what is kept only if the answer is the same; otherwise it checks the whole file again.

The file sits next to the upload, in the same private storage, as zlib-compressed JSON: the valid rows'
fields, and every other row with its cells (for the error file), issues and transfer offer. It holds what the
upload holds, and goes when the roster is imported or cancelled.
"""

import hashlib
import json
import logging
import zlib
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile

from ..models import RosterImport
from .checking import CheckedRow, Issue, Offer, RosterCheck

logger = logging.getLogger(__name__)

KEY_VERSION = 1  # what the check does; a kept roster of another version is checked again
SUFFIX = ".checked"
_DATE_FIELDS = ("birth_date", "joined_on")


def _key(roster: RosterImport, data: bytes, today: date) -> dict:
    return {
        "version": KEY_VERSION,
        "sha256": hashlib.sha256(data).hexdigest(),
        "organisation": roster.organisation_id,
        "day": str(today),
        "language": settings.LANGUAGE_CODE,  # of the messages kept
    }


def _name(roster: RosterImport) -> str:
    return roster.file.name + SUFFIX


def _cell(value):
    """A cell as JSON: calamine gives str, int, float, bool, None, and these four kinds of time."""
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, time):
        return {"t": value.isoformat()}
    if isinstance(value, timedelta):
        return {"td": value.total_seconds()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _uncell(value):
    if value.__class__ is not dict:
        return value
    (kind, text), *_ = value.items()
    return {
        "dt": datetime.fromisoformat,
        "d": date.fromisoformat,
        "t": time.fromisoformat,
        "td": lambda seconds: timedelta(seconds=seconds),
    }[kind](text)


def stage(roster: RosterImport, check: RosterCheck, *, data: bytes, today: date) -> None:
    """Keep ``check`` of ``data`` (the roster's file) for the confirmation; replaces what was kept before."""
    valid = check.valid
    names = list(valid[0].fields) if valid else []
    other = [
        [
            row.number,
            [_cell(cell) for cell in row.cells],
            row.fields["name"],
            row.fields["id_number"],
            [[issue.column, issue.message] for issue in row.issues],
            [row.offer.member_id, row.offer.name, row.offer.union, row.offer.member_number] if row.offer else None,
        ]
        for row in check.rows
        if not row.valid
    ]
    kept = {
        "key": _key(roster, data, today),
        "headings": [_cell(cell) for cell in check.headings],
        "index": check.index,
        "existing": check.existing,
        "fields": names,
        "valid": [[row.number, *row.fields.values()] for row in valid],
        "other": other,
    }
    content = zlib.compress(json.dumps(kept, ensure_ascii=False, default=str).encode(), 1)
    discard(roster)
    roster.file.storage.save(_name(roster), ContentFile(content))


def load(roster: RosterImport, *, data: bytes, today: date) -> RosterCheck | None:
    """What ``stage`` kept for exactly this file, union, day and code, or None (then check the file again).

    The members' table is not consulted here: the caller compares ``existing`` with a fresh look-up.
    """
    storage = roster.file.storage
    try:
        with storage.open(_name(roster), "rb") as handle:
            kept = json.loads(zlib.decompress(handle.read()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, zlib.error):
        logger.warning("Roster import %s: the checked rows kept at the preview cannot be read", roster.pk)
        return None
    if kept.get("key") != _key(roster, data, today):
        return None
    names = kept["fields"]
    rows = []
    for number, *values in kept["valid"]:
        fields = dict(zip(names, values, strict=True))
        for name in _DATE_FIELDS:
            fields[name] = date.fromisoformat(fields[name])
        rows.append(CheckedRow(number, None, fields))
    for number, cells, name, id_number, issues, offer in kept["other"]:
        rows.append(
            CheckedRow(
                number,
                [_uncell(cell) for cell in cells],
                {"name": name, "id_number": id_number},
                [Issue(column, message) for column, message in issues],
                Offer(*offer) if offer else None,
            )
        )
    rows.sort(key=lambda row: row.number)
    return RosterCheck([_uncell(cell) for cell in kept["headings"]], kept["index"], rows, kept["existing"])


def discard(roster: RosterImport) -> None:
    """Remove what was kept for ``roster``, if anything."""
    if roster.file:
        roster.file.storage.delete(_name(roster))
