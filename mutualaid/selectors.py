"""Scoped reads of mutual aid."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from members import selectors as member_selectors
from members.models import Member
from members.validators import validate_id_number
from unionportal.core import paging
from unionportal.org.scope import access, scope_queryset

from .models import Claim, EnrolmentBatch, Policy, self_paid

PAGE_SIZE = 50


def _with_cover(claims):
    """Claims with their cover, plan version and plan fetched in a second query, not joined in.

    PostgreSQL spends longer *planning* one five-table join than running two small queries: at a million
    members the reviewer queue took 14.5 ms with everything joined and 6.7 ms this way (bench/mutualaid.py).
    """
    covers = Policy.objects.select_related("plan_version__plan")
    return claims.prefetch_related(Prefetch("policy", queryset=covers))


# What the claim list shows of a claim and its member: building 50 whole members (40-odd columns each) cost
# more than the query itself.
_LIST_COLUMNS = (
    "number", "status", "claim_type", "hospital", "admitted_on", "discharged_on", "due_on", "received_at", "org_path",
    "member__name",
)  # fmt: skip


def access_claim(user, pk: int) -> Claim:
    return access(_with_cover(Claim.objects.select_related("member__organisation", "entered_by")), user, pk=pk)


def access_batch(user, pk: int) -> EnrolmentBatch:
    """One enrolment batch in the user's scope, with its policies in name order, or 404."""
    return access(
        EnrolmentBatch.objects.select_related("organisation", "plan_version__plan", "created_by").prefetch_related(
            Prefetch("policies", Policy.objects.select_related("member", "renews").order_by("member__name", "pk"))
        ),
        user,
        pk=pk,
    )


def access_document(claim: Claim, pk: int):
    """One document of a claim the caller already reached through ``access_claim``, or 404."""
    return get_object_or_404(claim.documents, pk=pk)


def access_claim_page(user, pk: int) -> Claim:
    """A claim for its page: of the member and their union, only the names the page shows.

    The member and union rows have some forty columns each; loading them whole for two names was the
    largest part of the page's database work after the claim itself.
    """
    columns = [field.name for field in Claim._meta.concrete_fields]
    claims = Claim.objects.select_related("member__organisation").only(
        *columns, "member__name", "member__organisation__name"
    )
    return access(_with_cover(claims), user, pk=pk)


def claims_page(user, *, status: str = "", before: int | None = None) -> tuple[list[Claim], int | None]:
    """Newest claims first, keyset by id: the same cost on page 1 and page 1,000."""
    claims = scope_queryset(Claim.objects.select_related("member").only(*_LIST_COLUMNS), user)
    if status:
        claims = claims.filter(status=status)
    page = paging.newest_first(claims, before=before, size=PAGE_SIZE)
    return page.rows, page.next_before


def claims_search(user, query: str, *, limit: int = PAGE_SIZE) -> list[Claim]:
    """Claims in scope by claim number, the member's ID number (exact) or name, or the hospital; newest first.

    The caller takes ``query`` from a POST body: an ID number never travels in a URL.
    """
    q = query.strip()
    claims = scope_queryset(Claim.objects.select_related("member").only(*_LIST_COLUMNS), user)
    if member_selectors.ID_LIKE.match(q):
        try:
            claims = claims.filter(member__id_number=validate_id_number(q))
        except ValidationError:
            return []
    elif q.upper().startswith("LP") and q[2:].isdigit():
        claims = claims.filter(number__startswith=q.upper())
    else:
        claims = claims.filter(Q(member__name__contains=q) | Q(hospital__contains=q))
    return list(claims.order_by("-pk")[:limit])


def covers_of(member):
    return Policy.objects.filter(member=member).select_related("plan_version__plan").order_by("-starts_on")


def covers_scoped(user):
    return scope_queryset(Policy.objects.all(), user)


@dataclass
class QueueRow:
    pk: int
    number: str
    due_on: date
    member_name: str
    admitted_on: date
    discharged_on: date
    plan_name: str
    self_paid: Decimal
    benefit: Decimal | None
    url: str = ""  # the claim's page, set by the view


def queue(user, *, status: str, limit: int = 50) -> list[QueueRow]:
    """The work queue for one step: oldest due date first (the clock decides the order).

    Plain rows rather than claims, members, covers, versions and plans as model instances: building those
    250 objects cost more than both queries together at a million members (bench/mutualaid.py).
    """
    rows = list(
        scope_queryset(Claim.objects.filter(status=status), user)
        .order_by("due_on", "pk")
        .values_list(
            "pk", "number", "due_on", "member__name", "admitted_on", "discharged_on", "policy_id",
            "total_cost", "fund_paid", "serious_illness_paid", "self_funded", "benefit",
        )[:limit]
    )  # fmt: skip
    plan_names = dict(
        Policy.objects.filter(pk__in={row[6] for row in rows}).values_list("pk", "plan_version__plan__name")
    )
    return [
        QueueRow(pk, number, due_on, name, admitted, discharged, plan_names[policy_id], self_paid(*settlement), benefit)
        for pk, number, due_on, name, admitted, discharged, policy_id, *settlement, benefit in rows
    ]


# --- A member's own claims and cover (member accounts: the member, never a scope) -------------------


def my_claims_queryset(member) -> QuerySet[Claim]:
    """The member's claims, newest first: one indexed query whatever the city's size."""
    return (
        Claim.objects.filter(member=member).select_related("policy__plan_version__plan").order_by("-received_at", "-pk")
    )


def my_claims(member, *, limit: int = PAGE_SIZE, offset: int = 0):
    return paging.offset_page(my_claims_queryset(member), offset=offset, size=limit)[0]


def my_claim_get(member, number: str) -> Claim:
    """One of the member's claims by its number; another member's number is a 404 like an unknown one.

    One query for the claim with its cover and plan, one for its events; an assessed claim carries the breakdown
    its assessor saw (``Claim.breakdown``), so showing it needs nothing more.
    """
    return get_object_or_404(
        Claim.objects.select_related("policy__plan_version__plan").prefetch_related("events"),
        member=member,
        number=(number or "").strip().upper(),
    )


def my_covers(member):
    return list(covers_of(member).exclude(status=Policy.Status.CANCELLED))


def active_members(union) -> QuerySet[Member]:
    """The active members of a union (already reached through its scope), in the order the enrolment pages list them."""
    return Member.objects.filter(organisation=union, status=Member.Status.ACTIVE).order_by("name", "pk")
