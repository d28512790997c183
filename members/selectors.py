"""Scoped reads of the organisation tree and its members."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from unionportal.core import paging
from unionportal.org.models import Organisation
from unionportal.org.scope import access, in_scope, scope_q, scope_queryset, user_scope_path

from .models import Member, RosterImport, Transfer
from .validators import normalise_id_number, validate_id_number

PAGE_SIZE = 50
ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
PHONE_LIKE = re.compile(r"^1\d{10}$")


# --- Organisations ---------------------------------------------------------------------------------


def organisation_roots_for(user):
    """The top of what ``user`` may see: their own node (or the tree's roots for an unattached superuser)."""
    path = user_scope_path(user)
    if path is None:
        return Organisation.objects.none()
    if user.organisation_id:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.get_root_nodes()


def access_organisation(user, pk: int) -> Organisation:
    return access(Organisation, user, pk=pk)


def organisation_children(user, organisation: Organisation):
    return scope_queryset(Organisation.objects.get_children(organisation), user).order_by("code")


def unions_for(user):
    """Active grassroots unions the user may act for, in tree order."""
    return scope_queryset(
        Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True), user
    ).order_by("path")


# --- Members ---------------------------------------------------------------------------------------


def access_roster_import(user, pk: int) -> RosterImport:
    """One roster upload of a union in the user's scope, or 404."""
    return access(RosterImport.objects.select_related("organisation", "uploaded_by"), user, pk=pk)


def access_transfer(user, pk: int) -> Transfer:
    """A transfer either side of which is in the user's scope, or 404.

    Either side may look; only the deciding side may decide (the service checks that again).
    """
    transfer = get_object_or_404(Transfer.objects.select_related("from_organisation", "to_organisation"), pk=pk)
    if not any(in_scope(user, org.path) for org in (transfer.from_organisation, transfer.to_organisation)):
        raise Http404
    return transfer


def access_member(user, pk: int) -> Member:
    # With the member's own online account, if any (a reverse one-to-one: one join, no extra query).
    return access(Member.objects.select_related("organisation", "account"), user, pk=pk)


@dataclass
class LookupResult:
    """What the counter's one search box found: one member (open it), a list, or a message."""

    kind: str  # "id", "member_number", "phone", "name" or "" when the query is unusable
    member: Member | None = None
    matches: list[Member] = field(default_factory=list)
    error: str = ""
    truncated: bool = False


def member_lookup(user, query: str) -> LookupResult:
    """Find members by ID number, member number, phone or name, within the user's scope.

    ID numbers, member numbers and phones are exact matches on unique or indexed columns. Names match by
    prefix when they have two characters (a 2-character string has no whole trigram, so a substring search
    would scan) and by substring from three characters on (pg_trgm); at most MEMBER_SEARCH_LIMIT results.
    """
    q = (query or "").strip()
    members = scope_queryset(Member.objects.select_related("organisation"), user)
    if ID_LIKE.match(q):
        try:
            number = validate_id_number(q)
        except ValidationError as exc:
            return LookupResult("id", error=exc.messages[0])
        return LookupResult("id", member=members.filter(id_number=number).first())
    if q.isdigit() and q.startswith(settings.MEMBER_NUMBER_PREFIX) and len(q) == len(settings.MEMBER_NUMBER_PREFIX) + 8:
        return LookupResult("member_number", member=members.filter(member_number=q).first())
    if PHONE_LIKE.match(q):
        found = list(members.filter(phone=q)[:PAGE_SIZE])
        return LookupResult("phone", member=found[0] if len(found) == 1 else None, matches=found)
    if len(q) >= 2 and not any(ch.isdigit() for ch in q):
        lookup = "name__startswith" if len(q) == 2 else "name__contains"
        limit = settings.MEMBER_SEARCH_LIMIT
        found = list(members.filter(**{lookup: q}).order_by("name", "pk")[: limit + 1])
        return LookupResult("name", matches=found[:limit], truncated=len(found) > limit)
    if q and q[:1].isdigit() and len(normalise_id_number(q)) != 18:
        from django.utils.translation import gettext

        return LookupResult(
            "", error=gettext("Enter a full 18-character ID number, a member number, an 11-digit phone or a name.")
        )
    return LookupResult("")


@dataclass
class MemberPage:
    members: list[Member]
    next_cursor: str


def member_page(user, *, organisation: Organisation | None = None, status: str = "", after: str = "") -> MemberPage:
    """One page of the scoped member list, ordered by (union path, id), continuing after ``after``.

    Keyset pagination: the cursor is the last row's ``<org_path>.<id>``; the query is one index range scan
    at any depth and never counts the whole list.
    """
    members = scope_queryset(Member.objects.select_related("organisation"), user)
    if organisation is not None:
        members = members.filter(org_path__startswith=organisation.path)
    if status:
        members = members.filter(status=status)
    rows, has_more = paging.first_rows(paging.after_key(members, ("org_path", "id"), parse_cursor(after)), PAGE_SIZE)
    return MemberPage(rows, f"{rows[-1].org_path}.{rows[-1].pk}" if has_more else "")


def parse_cursor(value: str) -> tuple[str, int] | None:
    path, _dot, pk = (value or "").partition(".")
    if not path or not pk.isdigit() or not path.isalnum():
        return None
    return path, int(pk)


def transfers_for(user, *, deciding: bool):
    """Pending transfers the user's unions must decide (``deciding``), or have started and wait on."""
    pending = Transfer.objects.filter(status=Transfer.Status.PENDING).select_related(
        "member", "from_organisation", "to_organisation", "requested_by"
    )
    receiver, sender = scope_q(user, "to_organisation__path"), scope_q(user, "from_organisation__path")
    if deciding:  # a sent transfer is decided by the receiver; an asked-for one by the old union
        return pending.filter((Q(asked_by_receiver=False) & receiver) | (Q(asked_by_receiver=True) & sender))
    return pending.filter((Q(asked_by_receiver=False) & sender) | (Q(asked_by_receiver=True) & receiver))


def member_claims(user, member: Member) -> list:
    """The member's mutual-aid claims the user may see (scoped as the claim pages are), newest stay first.

    Through the reverse relation: members imports no app above it. Empty for a user without ``view_claim``.
    """
    if not user.has_perm("mutualaid.view_claim"):
        return []
    claims = member.claims.only(
        "number", "claim_type", "hospital", "admitted_on", "discharged_on", "status", "benefit", "org_path", "member_id"
    )
    return list(scope_queryset(claims, user).order_by("-admitted_on", "-pk"))
