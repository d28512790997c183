"""Mutual aid's nightly money check: no cover has paid more than its caps (the benefit module's own caps)."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.core.display import format_yuan
from unionportal.reconciliation.checks import Finding, register_check

from .benefit import effective_caps
from .models import Claim, Policy
from .review import plan_terms


@register_check("mutualaid.cover_caps", label=gettext_lazy("Claims paid above their cover's caps"))
def cover_caps(today):
    """Per cover: the paid benefits sum to at most the period cap × shares, and each is within the per-stay cap."""
    paid = Claim.objects.filter(status=Claim.Status.PAID)
    totals = dict(paid.values("policy").annotate(total=Sum("benefit")).values_list("policy", "total").order_by())
    covers = (
        Policy.objects.filter(pk__in=totals)
        .select_related("plan_version__plan")
        .prefetch_related("plan_version__segments")
        .order_by("pk")
    )
    for policy in covers.iterator(chunk_size=500):
        per_stay, period = effective_caps(plan_terms(policy.plan_version), policy.shares)
        total = totals[policy.pk] or Decimal("0")
        if period is not None and total > period:
            yield Finding(
                subject=_("cover %(pk)s") % {"pk": policy.pk},
                detail=_("Paid %(total)s in the period, above its cap of %(cap)s (%(shares)s shares).")
                % {"total": format_yuan(total), "cap": format_yuan(period), "shares": policy.shares},
                org_path=policy.org_path,
            )
        if per_stay is not None:
            over = paid.filter(policy=policy, benefit__gt=per_stay).values_list("number", "benefit", "org_path")
            for number, benefit, org_path in over:
                yield Finding(
                    subject=_("claim %(number)s") % {"number": number},
                    detail=_("Paid %(benefit)s, above the per-stay cap of %(cap)s.")
                    % {"benefit": format_yuan(benefit), "cap": format_yuan(per_stay)},
                    org_path=org_path,
                )
