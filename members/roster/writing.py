"""Writing a confirmed roster's members: the members, their first membership period, and an audit row each.

On PostgreSQL (psycopg2) the three tables are written with COPY, in the caller's transaction: the member ids
are drawn from the table's sequence first, in one query, so that the periods and audit rows can name them.
A 50,000-row roster then takes about as long as COPY needs to keep the tables' indexes up, where
``bulk_create`` took four times as long. Elsewhere (SQLite, the embedded default) the same rows go in with
``bulk_create``. Either way, the rows are the same, and so is every audit row: what auditlog writes for a
save (``bulk_create`` and COPY send no signals), identifiers masked.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from operator import itemgetter

from auditlog.cid import get_cid
from auditlog.diff import track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from unionportal.accounts.audit import mask_value
from unionportal.org.models import Organisation

from ..models import Member, MembershipPeriod

BATCH = 2000  # rows per INSERT where COPY is not available
COPY_CHUNK = 5000  # rows per piece of a COPY's stream; progress is reported between pieces
_json_string = json.encoder.encode_basestring  # a str as a JSON string, quoted, non-ASCII kept as it is


def members_create(
    *,
    organisation: Organisation,
    rows: list[dict],
    numbers: list[str],
    actor,
    remote_addr: str | None,
    roster_import_id: int,
    on_step: Callable[[str, float], None] | None = None,
) -> None:
    """Create a member in ``organisation`` for each of ``rows`` (Member fields, as the check built them), with
    the member numbers ``numbers``, an open membership period each (imported) and a CREATE audit row each.

    Call it inside a transaction: a member who exists already (the unique ID number) raises IntegrityError
    and nothing must stay. ``on_step(name, fraction)`` is told when each step is done.
    """
    step = on_step or (lambda name, fraction: None)
    now = timezone.now()
    members = _member_values(organisation, rows, numbers)
    audit = _AuditRows(actor=actor, remote_addr=remote_addr, roster_import_id=roster_import_id, now=now)
    if _can_copy():
        _copy_all(members, audit, organisation=organisation, now=now, step=step)
    else:
        _insert_all(members, audit, organisation=organisation, step=step)


def _member_values(organisation: Organisation, rows: list[dict], numbers: list[str]) -> list[dict]:
    """Every column of each new member by attribute name, ``id`` and the timestamps aside."""
    provided = {*rows[0], "member_number", "organisation_id", "org_path"} if rows else set()
    base = {
        field.attname: field.get_default()
        for field in Member._meta.concrete_fields
        if field.attname not in provided and field.attname not in ("id", "created_at", "updated_at")
    }
    base.update(organisation_id=organisation.pk, org_path=organisation.path)
    return [{**base, **fields, "member_number": number} for fields, number in zip(rows, numbers, strict=True)]


class _AuditRows:
    """What auditlog would write for the save of each new member: a CREATE with every tracked field."""

    def __init__(self, *, actor, remote_addr, roster_import_id, now):
        registered = auditlog.get_model_fields(Member)
        excluded, masked, included = (
            set(registered[key]) for key in ("exclude_fields", "mask_fields", "include_fields")
        )
        self.fields = [
            (field.name, field.attname, field.name in masked)
            for field in Member._meta.concrete_fields
            if track_field(field) and field.name not in excluded and (not included or field.name in included)
        ]
        self.content_type = ContentType.objects.get_for_model(Member)
        self.constant = {
            "actor_id": getattr(actor, "pk", None),
            "actor_email": getattr(actor, "email", None),
            "remote_addr": remote_addr or None,
            "cid": get_cid(),
            "additional_data": {"roster_import": roster_import_id},
        }
        self.actor, self.now = actor, now

    def changes(self, members: list[dict]) -> list[str]:
        """Each member's ``changes`` as JSON text, as auditlog has it: ``{"name": ["None", "张三"], …}``, every
        tracked field with a value, masked where registered so.

        Made a field at a time, as strings (which the cycle collector does not track): several times faster
        than a dict and a list per field of each member, put through ``json.dumps``.
        """
        columns, gaps = [], False
        for name, attname, masked in self.fields:
            values = [member[attname] for member in members]
            distinct = set(values)
            if distinct == {None}:
                continue
            gaps = gaps or None in distinct
            key = f'{_json_string(name)}: ["None", '
            text = (lambda value: mask_value(str(value))) if masked else str
            if len(distinct) * 4 < len(values):  # sex, education, the union…: each value written once
                piece = {value: None if value is None else f"{key}{_json_string(text(value))}]" for value in distinct}
                columns.append([piece[value] for value in values])
            else:
                columns.append([None if value is None else f"{key}{_json_string(text(value))}]" for value in values])
        if gaps:
            return [
                "{" + ", ".join(piece for piece in pieces if piece is not None) + "}"
                for pieces in zip(*columns, strict=True)
            ]
        return ["{" + ", ".join(pieces) + "}" for pieces in zip(*columns, strict=True)]

    def entries(self, members: list[dict]) -> Iterator[LogEntry]:
        constant = {name: value for name, value in self.constant.items() if name != "actor_id"}
        for values, changes in zip(members, self.changes(members), strict=True):
            yield LogEntry(
                content_type=self.content_type, object_pk=str(values["id"]), object_id=values["id"],
                object_repr=values["name"], action=LogEntry.Action.CREATE, changes=json.loads(changes),
                actor=self.actor, timestamp=self.now, **constant,
            )  # fmt: skip


# --- PostgreSQL: COPY ----------------------------------------------------------------------------------


def _can_copy() -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3  # copy_expert is psycopg2's; psycopg 3 would take bulk_create until it is taught


def _copy_all(members: list[dict], audit: _AuditRows, *, organisation, now, step) -> None:
    table, pk = Member._meta.db_table, Member._meta.pk.column
    with connection.cursor() as cursor:
        # Drawn from the sequence of the table's identity column, so that no INSERT elsewhere can take one.
        # Named in a query of its own: pg_get_serial_sequence inside the next would run once a row, 10 × slower.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(members)])
        for values, (member_id,) in zip(members, cursor.fetchall(), strict=True):
            values["id"] = member_id
        step("member ids", 0.05)

        stamp = now.isoformat()
        # Left out, the columns no new member has a value for (status_changed_on) are NULL.
        columns = [name for name, value in members[0].items() if value is not None]
        row = itemgetter(*columns)
        _copy(
            cursor, table, [*columns, "created_at", "updated_at"],
            ((*row(values), stamp, stamp) for values in members),
            progress=lambda done: step("members", 0.05 + 0.55 * done / len(members)),
        )  # fmt: skip
        step("members", 0.6)

        imported = MembershipPeriod.Reason.IMPORTED.value
        _copy(
            cursor, MembershipPeriod._meta.db_table,
            ["member_id", "organisation_id", "started_on", "start_reason", "end_reason"],
            ((values["id"], organisation.pk, values["joined_on"], imported, "") for values in members),
        )  # fmt: skip
        step("periods", 0.7)

        # The columns auditlog leaves empty (NULL) are left out, so that every value written is a value.
        constant = {name: value for name, value in audit.constant.items() if value is not None}
        constant["additional_data"] = json.dumps(constant["additional_data"])
        columns = ["content_type_id", "object_pk", "object_id", "object_repr", "action", "changes_text", "timestamp",
                   *constant, "changes"]  # fmt: skip
        fixed = (LogEntry.Action.CREATE, "", stamp, *constant.values())
        content_type = audit.content_type.pk
        _copy(
            cursor, LogEntry._meta.db_table, columns,
            ((content_type, values["id"], values["id"], values["name"], *fixed, changes)
             for values, changes in zip(members, audit.changes(members), strict=True)),
            progress=lambda done: step("audit rows", 0.7 + 0.3 * done / len(members)),
        )  # fmt: skip
        step("audit rows", 1.0)


def _copy(cursor, table: str, columns: list[str], rows: Iterable[tuple], progress=None) -> None:
    """COPY ``rows`` into ``table``, in PostgreSQL's text format."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with connection.wrap_database_errors:  # so that a unique ID number raises Django's IntegrityError
        cursor.cursor.copy_expert(sql, _CopyStream(rows, len(columns), progress))


class _CopyStream:
    """The rows as COPY text, made a piece at a time as psycopg2 reads it (it sends whatever ``read`` returns):
    PostgreSQL inserts one piece while the next is made, and the whole text is never in memory at once.

    The text format needs only backslash, tab and line ends escaped, and NULL written as \\N; the values seldom
    hold any of these, so a row is joined as it is and written value by value only when the line shows one.
    (The csv module, which doubles every quote of the audit rows' JSON, took three times as long.)
    """

    def __init__(self, rows: Iterable[tuple], width: int, progress=None):
        self.rows, self.tabs, self.progress, self.done = iter(rows), width - 1, progress, 0

    def read(self, size: int = -1) -> str:
        lines = []
        for values in islice(self.rows, COPY_CHUNK):
            line = "\t".join(map(str, values))
            if None in values or line.count("\t") != self.tabs or "\\" in line or "\n" in line or "\r" in line:
                line = "\t".join(map(_copy_text, values))
            lines.append(line)
        if lines and self.progress:
            self.done += len(lines)
            self.progress(self.done)
        return "\n".join(lines) + "\n" if lines else ""


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- Elsewhere: bulk_create ----------------------------------------------------------------------------


def _insert_all(members: list[dict], audit: _AuditRows, *, organisation, step) -> None:
    created = [Member(**values) for values in members]
    for start in range(0, len(created), BATCH):
        Member.objects.bulk_create(created[start : start + BATCH])  # sets each pk where the database can
        step("members", 0.6 * min(start + BATCH, len(created)) / len(created))
    for values, member in zip(members, created, strict=True):
        values["id"] = member.pk
    MembershipPeriod.objects.bulk_create(
        [
            MembershipPeriod(
                member=member, organisation=organisation, started_on=member.joined_on,
                start_reason=MembershipPeriod.Reason.IMPORTED,
            )
            for member in created
        ],
        batch_size=BATCH,
    )  # fmt: skip
    step("periods", 0.7)
    LogEntry.objects.bulk_create(audit.entries(members), batch_size=BATCH)
    step("audit rows", 1.0)
