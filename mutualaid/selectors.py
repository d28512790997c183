"""Scoped reads of mutual aid."""

from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from unionportal.accounts.scope import access, scope_queryset

from .models import Claim, Policy

PAGE_SIZE = 50
# The claims that take from a cover period's cap (as ``services.period_used`` counts them).
PERIOD_STATUSES = [Claim.Status.ASSESSED, Claim.Status.APPROVED, Claim.Status.PAID]


def claim_get(user, pk: int) -> Claim:
    return access(
        Claim.objects.select_related("member__organisation", "policy__plan_version__plan", "entered_by"), user, pk=pk
    )


def claims_page(user, *, status: str = "", before: int | None = None) -> tuple[list[Claim], int | None]:
    """Newest claims first, keyset by id: the same cost on page 1 and page 1,000."""
    claims = scope_queryset(Claim.objects.select_related("member", "policy__plan_version__plan"), user)
    if status:
        claims = claims.filter(status=status)
    if before:
        claims = claims.filter(pk__lt=before)
    rows = list(claims.order_by("-pk")[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None


def covers_of(member):
    return Policy.objects.filter(member=member).select_related("plan_version__plan").order_by("-starts_on")


def covers_scoped(user):
    return scope_queryset(Policy.objects.all(), user)


def queue(user, *, status: str, limit: int = 50):
    """The work queue for one step: oldest due date first (the clock decides the order)."""
    return list(
        scope_queryset(Claim.objects.select_related("member", "policy__plan_version__plan"), user)
        .filter(status=status)
        .order_by("due_on", "pk")[:limit]
    )


# --- A member's own claims and cover (member accounts: the member, never a scope) -------------------


def my_claims(member, *, limit: int = PAGE_SIZE, offset: int = 0):
    """The member's claims, newest first: one indexed query whatever the city's size."""
    return list(
        Claim.objects.filter(member=member)
        .select_related("policy__plan_version__plan")
        .order_by("-received_at", "-pk")[offset : offset + limit]
    )


def with_period_used_by_others(claims):
    """Annotate ``period_used_by_others``: what the other claims on the same cover take from its period cap
    (the figure ``services.period_used`` computes), in the same query as the claims themselves."""
    others = (
        Claim.objects.filter(policy=OuterRef("policy"), status__in=PERIOD_STATUSES)
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("policy")
        .annotate(total=Sum("benefit"))
        .values("total")
    )
    return claims.annotate(period_used_by_others=Coalesce(Subquery(others), Value(Decimal("0"))))


def my_claim_get(member, number: str) -> Claim:
    """One of the member's claims by its number; another member's number is a 404 like an unknown one.

    One query for the claim, its cover and plan and what the cover's other claims used; one for its events and
    one for the plan's rate segments (the breakdown needs them).
    """
    return get_object_or_404(
        with_period_used_by_others(Claim.objects.select_related("policy__plan_version__plan")).prefetch_related(
            "events", "policy__plan_version__segments"
        ),
        member=member,
        number=(number or "").strip().upper(),
    )


def my_covers(member):
    return list(covers_of(member).exclude(status=Policy.Status.CANCELLED))
