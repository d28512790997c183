"""One keyset paginator for list pages and the API: the same cost on page 1 and page 1,000.

Lists that grow without bound (claims, enrolment batches, the audit log, members) are paged by a key, never by
``OFFSET`` (which reads and throws away every row before the page):

- ``newest_first(queryset, before=…, size=…)``: newest rows first by id; the URL carries ``?before=<id>`` and the
  page gives ``next_before`` (``None`` on the last page);
- ``after_key(queryset, ("org_path", "id"), cursor)``: rows after a composite key in ascending order, as one
  row-value comparison that stays on the matching index;
- ``offset_page`` only where a published contract uses ``?offset=`` (a member's own claims in the API: a few
  dozen rows at most, so the offset costs nothing).

``before_param`` / ``offset_param`` read the query string: anything but a plain, bounded number is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

MAX_DIGITS = 18  # below 2**63: a longer number is not an id of ours, and PostgreSQL would refuse it


@dataclass
class Page:
    rows: list
    next_before: int | None


def before_param(value) -> int | None:
    """``"123"`` → 123; empty, signed, non-numeric or overlong → ``None`` (the first page)."""
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) <= MAX_DIGITS and int(value) > 0 else None


def offset_param(value) -> int:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 9 else 0


def first_rows(queryset: QuerySet, size: int) -> tuple[list, bool]:
    """Up to ``size`` rows of an ordered queryset, and whether there are more (one query, ``size + 1`` rows)."""
    rows = list(queryset[: size + 1])
    return rows[:size], len(rows) > size


def newest_first(queryset: QuerySet, *, before: int | None, size: int) -> Page:
    """Rows with ``pk < before`` (all when ``None``), newest first; ``next_before`` continues after the page."""
    if before:
        queryset = queryset.filter(pk__lt=before)
    rows, more = first_rows(queryset.order_by("-pk"), size)
    return Page(rows, rows[-1].pk if more else None)


def after_key(queryset: QuerySet, columns: tuple[str, ...], values: tuple | None) -> QuerySet:
    """Rows whose ``columns`` come after ``values`` in ascending order, ordered by ``columns``.

    A row-value comparison (``(a, b) > (%s, %s)``), which Django's ORM cannot spell; it keeps the scan on a
    composite index at any depth. Columns are model field names; values are passed as parameters.
    """
    queryset = queryset.order_by(*columns)
    if not values:
        return queryset
    model = queryset.model
    table = model._meta.db_table
    names = ", ".join(f'"{table}"."{model._meta.get_field(c).column}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return queryset.extra(where=[f"({names}) > ({marks})"], params=list(values))  # noqa: S610 - names from the model


def offset_page(queryset: QuerySet, *, offset: int, size: int) -> tuple[list, int | None]:
    """``(rows, next_offset)`` for the contracts that page by offset."""
    rows, more = first_rows(queryset[offset:] if offset else queryset, size)
    return rows, offset + size if more else None
